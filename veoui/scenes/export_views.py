"""The pages of scene exports: ask for one, watch it, cancel it, play and download it, and its social formats.

Every view loads what it acts on through one helper that checks access: an export is shown only to someone who
may see its scene and every video it was made from, so it stops being served the moment one of them turns private.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from veoui.scenes import exporting
from veoui.scenes.access import may_change, visible_scenes
from veoui.scenes.models import Scene, SceneExport
from veoui.studio.media import serve_file


def get_scene(request: HttpRequest, public_id: uuid.UUID, *, change: bool = False) -> Scene:
    """The scene if this person may see it (404 otherwise); 403 when they may see but not change it."""
    scene = get_object_or_404(visible_scenes(request.user), uuid=public_id)
    if change and not may_change(request.user, scene):
        raise PermissionDenied
    return scene


def get_export(request: HttpRequest, public_id: uuid.UUID, *, change: bool = False) -> SceneExport:
    """The export if this person may see its scene and all its videos (404 otherwise); 403 if not theirs to change."""
    export = SceneExport.objects.filter(uuid=public_id).select_related("scene", "source").first()
    if export is None or not exporting.may_see(request.user, export):
        raise Http404
    if change and not may_change(request.user, export.scene):
        raise PermissionDenied
    return export


def answer(request: HttpRequest, scene: Scene, error: str = "") -> HttpResponse:
    """After a POST: the exports' section for htmx, else back to the page it was sent from."""
    if request.htmx:
        return render(request, "scenes/_exports.html", {"scene": scene, "export_error": error})
    if error:
        messages.error(request, error)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure()):
        back = reverse("scene_exports", args=[scene.uuid])
    return redirect(back)


def token_of(request: HttpRequest) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.POST.get("request_token", ""))
    except ValueError:
        return None


@require_GET
def scene_exports(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """A scene's exports on a page of their own, or (htmx, every 2 s while one is in the making) the section."""
    scene = get_scene(request, public_id)
    if request.htmx:
        return render(request, "scenes/_exports.html", {"scene": scene})
    return render(request, "scene_exports/page.html", {"scene": scene})


@require_POST
def scene_export(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    scene = get_scene(request, public_id, change=True)
    token = token_of(request)
    if token is None:
        return answer(request, scene, _("The page was out of date: press Export again."))
    try:
        exporting.ask_export(scene, request.user, token)
    except exporting.Refused as refused:
        return answer(request, scene, str(refused))
    return answer(request, scene)


@require_POST
def scene_export_cancel(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    export = get_export(request, public_id, change=True)
    exporting.cancel(export)
    return answer(request, export.scene)


def fraction(value: str) -> float:
    try:
        number = float(value) / 100
    except ValueError:
        return 0.5
    return min(1.0, max(0.0, number)) if number == number else 0.5  # not a number: the centre


@require_POST
def scene_export_format(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    export = get_export(request, public_id, change=True)
    token = token_of(request)
    if token is None:
        return answer(request, export.scene, _("The page was out of date: press the button again."))
    focus = (fraction(request.POST.get("focus_x", "50")), fraction(request.POST.get("focus_y", "50")))
    try:
        exporting.ask_format(export, request.POST.get("kind", ""), request.user, token, focus)
    except exporting.Refused as refused:
        return answer(request, export.scene, str(refused))
    return answer(request, export.scene)


@require_GET
def scene_export_file(request: HttpRequest, public_id: uuid.UUID, kind: str) -> HttpResponse:
    """The finished file for the player (``video``, ``gif``), as a download, or its still (``still``)."""
    export = get_export(request, public_id)
    if export.status != SceneExport.Status.SUCCEEDED or not export.file:
        raise Http404  # a partial or cancelled export is never served
    if kind == "still":
        return serve_file(request, exporting.still_name(export))
    if (kind == "gif") != (export.kind == SceneExport.Kind.GIF):
        raise Http404
    suffix = "gif" if export.kind == SceneExport.Kind.GIF else "mp4"
    name = f"veoui-scene-{export.uuid.hex[:8]}.{suffix}"
    return serve_file(request, export.file.name, download_name=name if kind == "download" else None)
