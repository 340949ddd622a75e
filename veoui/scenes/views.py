"""A scene's pages: the list, a new scene, its shots (order, trims, joins, sound), its end card and its preview."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from veoui.projects import services as project_services
from veoui.projects.access import visible_projects
from veoui.projects.models import Project
from veoui.scenes import shots as scene_shots
from veoui.scenes.access import may_change, visible_scenes
from veoui.scenes.forms import EndCardForm, SceneForm, ShotForm
from veoui.scenes.models import Scene, SceneExport, Shot
from veoui.studio.media import serve_file
from veoui.studio.models import Status
from veoui.studio.views import get_generation, last_project, remember_project

SHOT_FIELDS = ("start_seconds", "end_seconds", "join", "crossfade_seconds", "muted")


def get_scene(request: HttpRequest, public_id: uuid.UUID, *, change: bool = False) -> Scene:
    """The scene if this person may see it (404 otherwise); 403 when they may see but not change it."""
    scene = get_object_or_404(visible_scenes(request.user).select_related("owner", "project"), uuid=public_id)
    if change and not may_change(request.user, scene):
        raise PermissionDenied
    return scene


def listed_scenes(scenes: QuerySet[Scene]) -> list[Scene]:
    """The scenes with what a list shows of each: their shot count, total length and the first shot's poster."""
    first = Shot.objects.select_related("generation", "rendition").order_by("position", "pk")
    listed = list(
        scenes.select_related("owner", "project")
        .annotate(shot_count=Count("shots"))
        .prefetch_related(Prefetch("shots", queryset=first))
    )
    for scene in listed:
        shots = list(scene.shots.all())
        scene.total = scene_shots.total_seconds(scene, shots)
        scene.poster_shot = next((shot for shot in shots if not scene_shots.is_gap(shot)), None)
    return listed


@require_GET
def scene_list(request: HttpRequest) -> HttpResponse:
    """Every scene this person may see, or (``?project=<id>``, ``?project=none``) those of one project."""
    projects = visible_projects(request.user)
    scenes = visible_scenes(request.user)
    chosen = request.GET.get("project", "")
    if chosen == "none":
        scenes = scenes.filter(project__isnull=True)
    elif chosen:
        try:
            project = projects.filter(uuid=uuid.UUID(chosen)).first()
        except ValueError:
            project = None
        scenes = scenes.filter(project=project) if project is not None else scenes.none()
    context = {"scenes": listed_scenes(scenes), "projects": list(projects), "chosen": chosen}
    return render(request, "scenes/list.html", context)


def scene_projects(user: AbstractBaseUser, scene: Scene | None = None) -> QuerySet[Project]:
    """The projects a scene may be put in by this person: those they see, and the one it is in already."""
    projects = visible_projects(user)
    if scene is not None and scene.project_id is not None:
        projects = Project.objects.filter(Q(pk__in=projects.values("pk")) | Q(pk=scene.project_id))
    return projects


@require_http_methods(["GET", "POST"])
def scene_new(request: HttpRequest) -> HttpResponse:
    projects = scene_projects(request.user)
    form = SceneForm(request.POST or None, projects=projects, initial=last_project(request.user, projects))
    if request.method == "POST" and form.is_valid():
        scene = Scene.objects.create(owner=request.user, **form.cleaned_data)
        remember_project(request.user, form.cleaned_data["project"])
        messages.success(request, _("Scene made. Add shots from the gallery or from a video's page."))
        return redirect(scene)
    return render(request, "scenes/new.html", {"form": form})


def scene_context(request: HttpRequest, scene: Scene, errors: dict[int, ShotForm] | None = None) -> dict:
    shots = scene_shots.ordered(scene)
    rows = []
    for number, shot in enumerate(shots, start=1):
        clip = scene_shots.length_of_clip(shot)
        form = (errors or {}).get(shot.pk) or ShotForm(
            initial={
                "start_seconds": shot.start_seconds.normalize() if shot.start_seconds else Decimal(0),
                "end_seconds": scene_shots.out_point(shot).normalize(),
                "join": shot.join,
                "crossfade_seconds": shot.crossfade_seconds,
                "muted": shot.muted,
            },
            clip=clip,
            prefix=f"shot-{shot.pk}",
        )
        rows.append(
            {
                "shot": shot,
                "number": number,
                "gap": scene_shots.is_gap(shot),
                "seconds": scene_shots.shot_seconds(shot),
                "form": form,
                "last": number == len(shots),
            }
        )
    return {
        "scene": scene,
        "rows": rows,
        "total": scene_shots.total_seconds(scene, shots),
        "can_change": may_change(request.user, scene),
        "resolutions": [(size, SceneExport.Resolution(size).label) for size in scene_shots.resolutions(shots)],
        "scene_form": SceneForm(
            initial={
                "title": scene.title,
                "aspect_ratio": scene.aspect_ratio,
                "visibility": scene.visibility,
                "project": scene.project.uuid if scene.project else None,
            },
            projects=scene_projects(request.user, scene),
        ),  # fmt: skip
        "end_card_form": EndCardForm(
            initial={
                "end_card": scene.end_card,
                "text": scene.end_card_text,
                "colour": scene.end_card_colour,
                "seconds": scene.end_card_seconds,
            },  # fmt: skip
            has_picture=bool(scene.end_card_picture),
        ),
    }


@require_GET
def scene_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    scene = get_scene(request, public_id)
    return render(request, "scenes/scene.html", scene_context(request, scene))


def shots_or_redirect(request: HttpRequest, scene: Scene, errors: dict[int, ShotForm] | None = None) -> HttpResponse:
    """With htmx, the list of shots and the total (swapped in place); without, back to the scene's page."""
    if request.htmx:
        return render(request, "scenes/scene.html#shots", scene_context(request, scene, errors))
    if errors:
        return render(request, "scenes/scene.html", scene_context(request, scene, errors))
    return redirect(scene)


def get_shot(scene: Scene, shot_id: int) -> Shot:
    return get_object_or_404(scene.shots.select_related("generation", "rendition"), pk=shot_id)


@require_POST
def shot_change(request: HttpRequest, public_id: uuid.UUID, shot_id: int) -> HttpResponse:
    scene = get_scene(request, public_id, change=True)
    shot = get_shot(scene, shot_id)
    form = ShotForm(request.POST, clip=scene_shots.length_of_clip(shot), prefix=f"shot-{shot.pk}")
    if not form.is_valid():
        return shots_or_redirect(request, scene, {shot.pk: form})
    scene_shots.change(scene, shot.pk, **{name: form.cleaned_data[name] for name in SHOT_FIELDS})
    if not request.htmx:
        messages.success(request, _("Shot %(n)s saved.") % {"n": request.POST.get("number", "")})
    return shots_or_redirect(request, scene)


@require_POST
def shot_move(request: HttpRequest, public_id: uuid.UUID, shot_id: int, step: int) -> HttpResponse:
    scene = get_scene(request, public_id, change=True)
    try:
        scene_shots.move(scene, shot_id, step)
    except scene_shots.Moved:
        messages.error(request, _("The scene changed meanwhile. Here it is as it is now."))
    return shots_or_redirect(request, scene)


@require_POST
def shot_order(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The order the shots were dragged into: every shot's id, first to last."""
    scene = get_scene(request, public_id, change=True)
    try:
        scene_shots.reorder(scene, [int(value) for value in request.POST.getlist("shot")])
    except (ValueError, scene_shots.Moved):
        messages.error(request, _("The scene changed meanwhile. Here it is as it is now."))
    return shots_or_redirect(request, scene)


@require_POST
def shot_remove(request: HttpRequest, public_id: uuid.UUID, shot_id: int) -> HttpResponse:
    scene = get_scene(request, public_id, change=True)
    if scene_shots.remove(scene, shot_id) and not request.htmx:
        messages.success(request, _("The shot was removed from the scene."))
    return shots_or_redirect(request, scene)


@require_POST
def scene_settings(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    scene = get_scene(request, public_id, change=True)
    form = SceneForm(request.POST, projects=scene_projects(request.user, scene))
    if not form.is_valid():
        context = scene_context(request, scene) | {"scene_form": form}
        return render(request, "scenes/scene.html", context)
    fields = dict(form.cleaned_data)
    project = fields.pop("project")
    if scene.owner_id != request.user.pk:
        fields.pop("visibility")  # who sees a scene is its owner's choice
    Scene.objects.filter(pk=scene.pk, deleted_at__isnull=True).update(updated_at=timezone.now(), **fields)
    project_services.move_scene(scene, project, by=request.user)
    messages.success(request, _("The scene was saved."))
    return redirect(scene)


@require_POST
def scene_end_card(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    scene = get_scene(request, public_id, change=True)
    form = EndCardForm(request.POST, request.FILES, has_picture=bool(scene.end_card_picture))
    if not form.is_valid():
        return render(request, "scenes/scene.html", scene_context(request, scene) | {"end_card_form": form})
    data = form.cleaned_data
    fields = {
        "end_card": data["end_card"],
        "end_card_text": data["text"].strip(),
        "end_card_colour": data["colour"].lower(),
        "end_card_seconds": data["seconds"],
        "updated_at": timezone.now(),
    }
    if data.get("picture"):
        picture = data["picture"]
        fields["end_card_picture"] = scene.end_card_picture.storage.save(
            scene.end_card_picture.field.generate_filename(scene, picture.name), picture
        )
    Scene.objects.filter(pk=scene.pk, deleted_at__isnull=True).update(**fields)
    messages.success(request, _("The end card was saved."))
    return redirect(scene)


@require_GET
def scene_end_card_picture(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    scene = get_scene(request, public_id)
    return serve_file(request, scene.end_card_picture.name)


@require_POST
def scene_delete(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    scene = get_scene(request, public_id, change=True)
    if Scene.objects.filter(pk=scene.pk, deleted_at__isnull=True).update(deleted_at=timezone.now()):
        messages.success(request, _("The scene was deleted. Its videos stay in the gallery."))
    return redirect("scenes")


@require_GET
def scene_preview(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    scene = get_scene(request, public_id)
    context = scene_context(request, scene)
    playing = [row for row in context["rows"] if not row["gap"]]
    total = sum(row["seconds"] for row in playing) or 1
    for row in playing:
        row["share"] = round(100 * row["seconds"] / total, 3)
    return render(request, "scenes/preview.html", context | {"playing": playing})


@require_http_methods(["GET", "POST"])
def add_to_scene(request: HttpRequest) -> HttpResponse:
    """A finished video (or one of its versions) at the end of a scene of theirs, or of a new one."""
    try:
        generation = get_generation(request, uuid.UUID(request.GET.get("video", "")))
        version = request.GET.get("version", "")
        rendition = get_object_or_404(generation.renditions, uuid=uuid.UUID(version)) if version else None
    except ValueError:
        raise Http404 from None
    work = rendition or generation
    mine = visible_scenes(request.user).filter(deleted_at__isnull=True)
    if not request.user.is_staff:
        mine = mine.filter(owner=request.user)
    context = {"generation": generation, "rendition": rendition, "scenes": list(mine[:100]), "error": ""}
    if work.status != Status.SUCCEEDED or not work.video:
        context["refused"] = _("Only a finished video saved in veoui can go into a scene.")
        return render(request, "scenes/add.html", context)
    if request.method != "POST":
        return render(request, "scenes/add.html", context)
    title = request.POST.get("title", "").strip()[:120]
    chosen = request.POST.get("scene", "")
    if chosen and chosen != "new":
        try:
            scene = get_object_or_404(mine, uuid=uuid.UUID(chosen))
        except ValueError:
            raise Http404 from None
    elif title:
        aspect = generation.aspect_ratio if generation.aspect_ratio in Scene.AspectRatio.values else "16:9"
        visibility = generation.visibility
        # A scene started from a video is in that video's project, when the person may see that project.
        project = visible_projects(request.user).filter(pk=generation.project_id).first()
        scene = Scene.objects.create(
            owner=request.user, title=title, aspect_ratio=aspect, visibility=visibility, project=project
        )
    else:
        context["error"] = _("Choose a scene, or give the new one a title.")
        return render(request, "scenes/add.html", context)
    scene_shots.add_shot(scene, generation, rendition)
    messages.success(request, _("Added to the end of “%(title)s”.") % {"title": scene.title})
    return redirect(scene)
