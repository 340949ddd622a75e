from __future__ import annotations

from django import template

from veoui.scenes.models import Scene
from veoui.sharing import services
from veoui.sharing.forms import ShareForm
from veoui.sharing.models import ShareLink

register = template.Library()


@register.simple_tag(takes_context=True)
def sharing_of(context: template.Context, target: object) -> dict:
    """The "Share outside the team" section of a video's or a scene's page: its form, and the open links of it that
    this person may revoke (their own; every one for admins)."""
    request = context["request"]
    is_scene = isinstance(target, Scene)
    items = {"items__scene": target} if is_scene else {"items__generation": target}
    links = services.managed_links(request.user).filter(pk__in=ShareLink.open_links().filter(**items).values("pk"))
    field = "scenes" if is_scene else "videos"
    shareable = services.shareable(request.user, **{field: [target.uuid]})
    return {
        "form": ShareForm(),
        "field": field,
        "links": links,
        "may_share": not shareable["refused"],
    }


@register.simple_tag(takes_context=True)
def share_address(context: template.Context, link: ShareLink) -> str:
    return context["request"].build_absolute_uri(link.get_absolute_url())
