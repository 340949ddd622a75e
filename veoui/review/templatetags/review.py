from __future__ import annotations

from django import template
from django.urls import reverse

from veoui.review import services
from veoui.review.forms import CommentForm
from veoui.review.models import Comment, ReviewState
from veoui.scenes.models import Scene

register = template.Library()


@register.simple_tag
def review_of(target: services.Target, form: CommentForm | None = None) -> dict:
    """What the review panel shows of a video or a scene: its state, its comments, where its forms post to.

    Read when the panel is drawn (a full page, or the panel again after a change), never by the status check."""
    kind = "scene" if isinstance(target, Scene) else "video"
    comments = Comment.objects.filter(**services.about(target)).select_related("author")
    return {
        "state": services.state_of(target),
        "states": ReviewState.choices,
        "comments": list(comments),
        "form": form or CommentForm(),  # a form with its mistakes, else an empty one
        "comment_url": reverse(f"{kind}_comment", args=[target.uuid]),
        "state_url": reverse(f"{kind}_review_state", args=[target.uuid]),
        # The player a moment refers to: the video's own card, or the scene page's player.
        "player": f"#generation-{target.uuid} video" if kind == "video" else "main video",
    }


@register.simple_tag(takes_context=True)
def unread_notices(context: template.Context) -> int:
    """The account menu's count: read once per full page (base.html), never by the status check's partials."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    return services.unread_count(user)
