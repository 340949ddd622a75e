"""Share links: made and revoked by team members, opened by anyone who has one (no login, read-only).

The public views load everything through the link: a video or scene not on it, or no longer visible to the whole
team, is a 404 on every URL (page, file, poster, download, comments); a revoked or expired link is a 410.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from veoui.review import services as review
from veoui.review.models import Comment, ReviewState
from veoui.scenes import exporting
from veoui.scenes.models import Scene
from veoui.sharing import services
from veoui.sharing.forms import GUEST_STATES, GuestCommentForm, GuestReviewForm, ShareForm
from veoui.sharing.models import ShareLink
from veoui.studio.media import serve_file

LIST_LIMIT = 200


# --- for the team ---------------------------------------------------------------------------------------------


def chosen(request: HttpRequest, name: str) -> list[uuid.UUID]:
    found: dict[uuid.UUID, None] = {}
    for value in request.POST.getlist(name)[:LIST_LIMIT]:
        try:
            found[uuid.UUID(value)] = None
        except ValueError:
            continue
    return list(found)


@require_POST
def share_new(request: HttpRequest) -> HttpResponse:
    """The share form for the videos and scenes posted (a video's page, a scene's, the gallery's selection); with
    ``make`` it makes the link. Only what the person may see is looked at; only what the team may see is shared."""
    found = services.shareable(request.user, chosen(request, "videos"), chosen(request, "scenes"))
    form = ShareForm(request.POST if request.POST.get("make") else None)
    nothing = not found["videos"] and not found["scenes"]
    if form.is_bound and form.is_valid() and not nothing:
        data = form.cleaned_data
        link = services.make_link(
            request.user,
            found["videos"],
            found["scenes"],
            days=data["expires_days"],
            allow_download=data["allow_download"],
            hide_prompt=data["hide_prompt"],
            show_names=data["show_names"],
            allow_approve=data["allow_approve"],
        )
        return redirect("share_link", pk=link.pk)
    context = {"form": form, "nothing": nothing, **found, "next": back_url(request, "")}
    return render(request, "sharing/new.html", context)


def back_url(request: HttpRequest, default: str) -> str:
    page = request.POST.get("next", "")
    if page.startswith("/") and url_has_allowed_host_and_scheme(
        page, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return page
    return default


def get_link(request: HttpRequest, pk: int) -> ShareLink:
    """A link this person made (or any, for an admin); 404 for everyone else."""
    return get_object_or_404(services.managed_links(request.user), pk=pk)


@require_GET
def share_link(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_link(request, pk)
    context = {"link": link, "is_open": services.is_open(link), "items": services.shown_items(link)}
    return render(request, "sharing/link.html", context)


@require_POST
def share_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_link(request, pk)
    services.revoke(link, request.user)
    return redirect(back_url(request, reverse("share_link", args=[link.pk])))


@require_GET
def share_links(request: HttpRequest) -> HttpResponse:
    """Every open link of the team, for admins."""
    if not request.user.is_staff:
        raise PermissionDenied
    links = ShareLink.open_links().select_related("created_by").prefetch_related("items")[:LIST_LIMIT]
    return render(request, "sharing/links.html", {"links": links})


# --- for whoever has the link --------------------------------------------------------------------------------


def outside(view: Callable) -> Callable:
    """A view of a share link: no login, no cookies, never indexed nor referred; the link looked up and checked
    (404 for no such link, a plain 410 page once it was revoked or has expired)."""

    @login_not_required
    @wraps(view)
    def wrapper(request: HttpRequest, token: str, **kwargs: object) -> HttpResponse:
        link = ShareLink.objects.filter(token=token).first()
        if link is None:
            response = render(request, "sharing/gone.html", {"missing": True}, status=404)
        elif not services.is_open(link):
            response = render(request, "sharing/gone.html", {"link": link}, status=410)
        else:
            try:
                response = view(request, link, **kwargs)
            except Http404:
                response = render(request, "sharing/gone.html", {"item": True}, status=404)
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "no-referrer"
        response["Cache-Control"] = "private, no-store"
        return response

    return wrapper


def page_context(request: HttpRequest, link: ShareLink, forms: dict | None = None) -> dict:
    items = services.shown_items(link)
    comments: dict[int, list[Comment]] = {}
    for shown in items:
        if shown.target is not None:
            comments[id(shown)] = list(
                Comment.objects.filter(**review.about(shown.target), share_link=link).order_by("created_at", "pk")
            )
    rows = []
    for number, shown in enumerate(items, start=1):
        key = f"{shown.kind}-{shown.target.uuid}" if shown.target is not None else ""
        given = (forms or {}).get(key, {})
        rows.append(
            {
                "number": number,
                "shown": shown,
                "key": key,
                "comments": comments.get(id(shown), []),
                "state": review.state_of(shown.target) if shown.target is not None else "",
                "comment_form": given.get("comment") or GuestCommentForm(auto_id=f"c{number}-%s"),
                "review_form": given.get("review") or GuestReviewForm(auto_id=f"r{number}-%s"),
            }
        )
    return {
        "link": link,
        "rows": rows,
        "review_states": ReviewState.choices,
        "guest_state_choices": [(state.value, state.label) for state in GUEST_STATES],
    }


@outside
@require_GET
def share(request: HttpRequest, link: ShareLink) -> HttpResponse:
    services.count_view(link)
    return render(request, "sharing/page.html", page_context(request, link))


def target_of(link: ShareLink, kind: str, public_id: uuid.UUID):
    target = services.shared_video(link, public_id) if kind == "video" else services.shared_scene(link, public_id)
    if target is None:
        raise Http404
    return target


@outside
@require_GET
def share_file(request: HttpRequest, link: ShareLink, kind: str, public_id: uuid.UUID, what: str) -> HttpResponse:
    """A shared video's best version (or a scene's latest export), for the player, as a download, or its poster."""
    target = target_of(link, kind, public_id)
    if what == "download" and not link.allow_download:
        raise Http404
    if kind == "video":
        work = services.best_of(target)
        if work is None:
            raise Http404
        if what == "poster":
            return serve_file(request, work.poster.name or target.poster.name)
        name = f"veoui-{target.uuid.hex[:8]}-{services.version_of(target).lower()}.mp4"
        return serve_file(request, work.video.name, download_name=name if what == "download" else None)
    export = services.latest_export(target)
    if export is None:
        raise Http404
    if what == "poster":
        return serve_file(request, exporting.still_name(export))
    name = f"veoui-scene-{export.uuid.hex[:8]}.mp4"
    return serve_file(request, export.file.name, download_name=name if what == "download" else None)


@csrf_exempt  # no session nor cookie: the link's token is the only authority, and it is in the address itself
@outside
@require_POST
def share_comment(request: HttpRequest, link: ShareLink, kind: str, public_id: uuid.UUID) -> HttpResponse:
    """A comment by an outside reviewer, after giving a name; its owner is told."""
    target = target_of(link, kind, public_id)
    number = position_of(link, target)
    form = GuestCommentForm(request.POST, auto_id=f"c{number}-%s")
    if form.is_valid() and not services.guest_comments_left(link):
        form.add_error("text", _("This link has had many comments in the last hour. Please try again later."))
    if not form.is_valid():
        key = f"{kind}-{target.uuid}"
        return render(request, "sharing/page.html", page_context(request, link, {key: {"comment": form}}), status=400)
    comment = review.add_comment(
        target, form.cleaned_data["text"], at_seconds=form.moment, guest_name=form.cleaned_data["guest_name"], link=link
    )
    return redirect(f"{link.get_absolute_url()}#comment-{comment.uuid}")


@csrf_exempt  # as share_comment
@outside
@require_POST
def share_review(request: HttpRequest, link: ShareLink, kind: str, public_id: uuid.UUID) -> HttpResponse:
    """The review state, set by an outside reviewer when the link lets them approve."""
    target = target_of(link, kind, public_id)
    if not link.allow_approve:
        raise Http404
    form = GuestReviewForm(request.POST, auto_id=f"r{position_of(link, target)}-%s")
    if form.is_valid() and not services.guest_reviews_left(target):
        form.add_error(
            "guest_name", _("The review of this has changed many times in the last hour. Please try again later.")
        )
    if not form.is_valid():
        key = f"{kind}-{target.uuid}"
        return render(request, "sharing/page.html", page_context(request, link, {key: {"review": form}}), status=400)
    review.set_state(target, form.cleaned_data["state"], guest_name=form.cleaned_data["guest_name"])
    return redirect(f"{link.get_absolute_url()}#item-{kind}-{target.uuid}")


def position_of(link: ShareLink, target: review.Target) -> int:
    """The item's number on the page (its forms' ids are made from it)."""
    field = "scene_id" if isinstance(target, Scene) else "generation_id"
    for number, item in enumerate(link.items.all(), start=1):
        if getattr(item, field) == target.pk:
            return number
    return 1
