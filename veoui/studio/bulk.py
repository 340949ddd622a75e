"""Many videos at once, chosen in the gallery: Download as ZIP and Delete.

The ids posted are only a wish: each action looks them up among what the person may see (``visible_generations``),
so an id of someone else's private or deleted video finds nothing, and then among what they may change.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from veoui.studio import services, zipped
from veoui.studio.models import Generation
from veoui.studio.views import visible_generations

ZIP_LIMIT = 50
DELETE_LIMIT = 200  # a gallery page holds at most this many


def chosen_ids(request: HttpRequest) -> list[uuid.UUID]:
    """The well-formed ids posted under ``videos``, once each, in the order given (anything else left out)."""
    found: dict[uuid.UUID, None] = {}
    for value in request.POST.getlist("videos")[: DELETE_LIMIT + 1]:
        try:
            found[uuid.UUID(value)] = None
        except ValueError:
            continue
    return list(found)


def chosen(request: HttpRequest, ids: list[uuid.UUID]) -> QuerySet[Generation]:
    return visible_generations(request).filter(uuid__in=ids).order_by("-created_at", "-pk")


def gallery_page(request: HttpRequest) -> str:
    """The gallery page (with its filters) the choice was made on, to go back to."""
    back = request.POST.get("next", "")
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return reverse("gallery")
    return back


def back_to_gallery(request: HttpRequest) -> HttpResponse:
    return redirect(gallery_page(request))


@require_POST
def download_zip(request: HttpRequest) -> HttpResponse:
    ids = chosen_ids(request)
    if not ids:
        messages.error(request, _("Choose the videos to download first: tick the box on each one."))
        return back_to_gallery(request)
    if len(ids) > ZIP_LIMIT:
        messages.error(
            request,
            _("One ZIP holds at most %(limit)s videos. Choose fewer and download the rest in another.")
            % {"limit": ZIP_LIMIT},
        )
        return back_to_gallery(request)
    generations = chosen(request, ids).select_related("owner").prefetch_related("renditions")
    listed = zipped.entries(generations)
    if not listed:
        messages.error(request, _("There is nothing to download: none of the chosen videos is finished and here."))
        return back_to_gallery(request)
    response = StreamingHttpResponse(zipped.stream(listed), content_type="application/zip")
    name = f"veoui-videos-{timezone.localtime():%Y-%m-%d-%H%M}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def deletable(request: HttpRequest, ids: list[uuid.UUID]) -> tuple[list[Generation], int]:
    """The chosen videos this person may delete now (theirs; admins: anyone's; finished), and how many they chose
    that stay (someone else's, or still being made)."""
    generations = list(chosen(request, ids).select_related("owner").prefetch_related("renditions", "images"))
    mine = [g for g in generations if g.owner_id == request.user.pk or request.user.is_staff]
    ready = [g for g in mine if services.can_delete(g)]
    return ready, len(generations) - len(ready)


@require_POST
def delete_many(request: HttpRequest) -> HttpResponse:
    """Asks once ("Delete 3 videos?"), then deletes each as the video's own Delete does: one audit entry each."""
    ids = chosen_ids(request)
    if len(ids) > DELETE_LIMIT:
        messages.error(request, _("Delete at most %(limit)s videos at once.") % {"limit": DELETE_LIMIT})
        return back_to_gallery(request)
    ready, staying = deletable(request, ids)
    if not ready:
        if ids:
            messages.error(request, _("None of the chosen videos can be deleted by you now."))
        else:
            messages.error(request, _("Choose the videos to delete first: tick the box on each one."))
        return back_to_gallery(request)
    if request.POST.get("confirm") != "1":
        context = {"videos": ready, "staying": staying, "next": gallery_page(request)}
        return render(request, "studio/delete_many.html", context)
    deleted = sum(services.delete_generation(generation, by=request.user) for generation in ready)
    messages.success(
        request, ngettext("%(n)s video was deleted.", "%(n)s videos were deleted.", deleted) % {"n": deleted}
    )
    return back_to_gallery(request)
