"""Review on a video's page (and a scene's): its comments, its review state, and the person's notices."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from veoui.review import services
from veoui.review.forms import CommentForm
from veoui.review.models import ReviewState
from veoui.scenes.access import visible_scenes
from veoui.studio.views import detail_context, get_generation

PANEL = "review/_panel.html"


@require_POST
def video_comment(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    generation = get_generation(request, public_id)
    form = CommentForm(request.POST)
    if not form.is_valid() and not request.htmx:
        # Without htmx the page itself comes back, the message next to the field.
        context = detail_context(request, generation) | {"comment_form": form}
        return render(request, "studio/generation.html", context)
    return comment(request, generation, form)


@require_POST
def scene_comment(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    scene = get_object_or_404(visible_scenes(request.user), uuid=public_id)
    form = CommentForm(request.POST)
    if not form.is_valid() and not request.htmx:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return back(request, scene)
    return comment(request, scene, form)


def comment(request: HttpRequest, target: services.Target, form: CommentForm) -> HttpResponse:
    """Any team member who may see the work may comment on it; its owner is told unless it is their own."""
    if form.is_valid():
        services.add_comment(target, form.cleaned_data["text"], at_seconds=form.moment, author=request.user)
        if not request.htmx:
            messages.success(request, _("Your comment was added."))
            return back(request, target, "#comments")
        form = CommentForm()
    return render(request, PANEL, {"target": target, "comment_form": form})


@require_POST
def video_review_state(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return review_state(request, get_generation(request, public_id))


@require_POST
def scene_review_state(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return review_state(request, get_object_or_404(visible_scenes(request.user), uuid=public_id))


def review_state(request: HttpRequest, target: services.Target) -> HttpResponse:
    """Set by any team member who may see the work; the owner is told when it was someone else."""
    state = request.POST.get("state", "")
    if state in ReviewState.values:
        services.set_state(target, state, by=request.user)
    if request.htmx:
        return render(request, PANEL, {"target": target})
    if state in ReviewState.values:
        messages.success(request, _("Review: %(state)s.") % {"state": ReviewState(state).label})
    return back(request, target, "#review")


def back(request: HttpRequest, target: services.Target, anchor: str = "") -> HttpResponse:
    """The page the form was on (a scene's page, a video's), else the work's own page."""
    page = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(page, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        page = target.get_absolute_url()
    return redirect(page.partition("#")[0] + anchor)


@require_GET
def notices(request: HttpRequest) -> HttpResponse:
    """The person's notices, newest first, the unread ones marked; viewing them marks them read."""
    listed = list(
        services.notices_for(request.user).select_related("generation", "scene", "comment")[: services.NOTICES_SHOWN]
    )
    services.mark_read(request.user)
    return render(request, "review/notices.html", {"notices": listed})
