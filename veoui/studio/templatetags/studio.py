import json
import uuid
from datetime import timedelta
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from veoui.studio import services
from veoui.studio.models import Pricing, TrackedWork

register = template.Library()

SECONDS = gettext_noop("%(s)d s")
MINUTES_SECONDS = gettext_noop("%(m)d min %(s)d s")


@register.filter
def timedelta_short(value: timedelta) -> str:
    """'45 s', '3 min 5 s': elapsed time the way a person says it."""
    seconds = max(0, int(value.total_seconds()))
    minutes, seconds = divmod(seconds, 60)
    if not minutes:
        return _(SECONDS) % {"s": seconds}
    return _(MINUTES_SECONDS) % {"m": minutes, "s": seconds}


@register.simple_tag
def elapsed_formats() -> str:
    """timedelta_short's wording and the card's "… so far", for static/js/veoui.js to count on between checks."""
    return json.dumps({"s": _(SECONDS), "ms": _(MINUTES_SECONDS), "sofar": _("%(t)s so far")})


@register.simple_tag
def one_time_token(name: str = "submission_token") -> SafeString:
    """A spending form's own one-time token: sent twice, it buys nothing twice (each form on a page has its own)."""
    return format_html('<input type="hidden" name="{}" value="{}">', name, uuid.uuid4())


@register.simple_tag
def cost_again(work: TrackedWork) -> dict:
    """What asking for the same work again costs now, in credits and dollars (Re-run, Try again, Send it again)."""
    credits = services.cost_of(work)
    return {"credits": credits, "usd": Pricing.current().usd(credits)}


@register.simple_tag
def continue_url(generation: object, version: object = None, scene: object = None, shot: object = None) -> str:
    """The studio's "First and last frames" form starting from this video's last frame (of ``version``, one of its
    versions, if given); from a scene's shot, it carries the scene and the shot, so the new video joins it after."""
    frame = reverse("generation_last_frame", args=[generation.uuid])
    if version is not None:
        frame += "?" + urlencode({"version": str(version.uuid)})
    query = {"picture": frame}
    if scene is not None and shot is not None:
        query |= {"scene": str(scene.uuid), "after": str(shot.pk)}
    return f"{reverse('studio', args=['frames'])}?{urlencode(query)}"
