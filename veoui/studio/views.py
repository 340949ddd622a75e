from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlencode, urlsplit

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.db.models import Q, QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.datastructures import MultiValueDict
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget

from veoui.projects.access import visible_projects
from veoui.studio import frames, guidance, hooks, picture_check, ratelimit, rules, samples, services
from veoui.studio.forms import (
    IMAGE_MAX_SIDE,
    IMAGE_MIN_SIDE,
    PICTURE_REFUSALS,
    GenerationForm,
    RenditionForm,
    image_limits_text,
)
from veoui.studio.media import serve_file
from veoui.studio.models import CANCELLED, TERMINAL, Favourite, Generation, Pricing, Rendition, TrackedWork
from veoui.team import budgets
from veoui.team.models import Membership

MODES_BY_SLUG = {mode.slug: mode for mode in rules.MODES.values()}
RECENT_COUNT = 12


def visible_to(viewer_id: int | None, staff: bool) -> QuerySet[Generation]:
    """What a person may see: their own, the team's (but not of a members-only project they are not in), and
    everything for admins; never deleted ones."""
    generations = Generation.objects.filter(deleted_at__isnull=True)
    if not staff:
        # "Not someone else's private video, nor one in a project closed to them", rather than "mine or the
        # team's": one condition in one query, the projects closed to this person read by a subquery.
        hidden = Q(visibility=Generation.Visibility.PRIVATE) | Q(project__in=closed_projects(viewer_id))
        generations = generations.exclude(hidden & ~Q(owner_id=viewer_id))
    return generations


def closed_projects(viewer_id: int | None) -> QuerySet:
    """The members-only projects ``viewer_id`` is not a member of, as a subquery of their ids."""
    project = apps.get_model("projects", "Project")
    projects = project.objects.filter(visibility="members")
    if viewer_id is not None:
        member_of = project.members.through.objects.filter(user_id=viewer_id).values("project_id")
        projects = projects.exclude(pk__in=member_of)
    return projects.values("pk")


def visible_generations(request: HttpRequest) -> QuerySet[Generation]:
    return visible_to(request.user.pk, request.user.is_staff)


def get_generation(request: HttpRequest, public_id: uuid.UUID, *, change: bool = False) -> Generation:
    """The generation if this person may see it (404 otherwise); 403 when they may see but not change it."""
    generations = visible_generations(request).filter(uuid=public_id).select_related("owner")
    generation = get_object_or_404(generations)
    if change and generation.owner_id != request.user.pk and not request.user.is_staff:
        raise PermissionDenied
    ratelimit.note_places([generation])
    return generation


def studio_context(request: HttpRequest, form: GenerationForm) -> dict:
    pricing = Pricing.current()
    recent = list(
        Generation.objects.filter(owner=request.user, deleted_at__isnull=True)
        .annotate(is_favourite=Favourite.starred_by(request.user.pk))
        .select_related("review")  # the tiles' review badges, joined
        .prefetch_related("images", "renditions")[:RECENT_COUNT]
    )
    ratelimit.note_places(recent)
    recent = grouped(recent)
    return {
        "form": form,
        "mode": form.mode,
        "modes": list(rules.MODES.values()),
        "models": [
            {
                "rule": m,
                "credits": pricing.for_model(m.key),
                "usd": pricing.usd(pricing.for_model(m.key)),
                "wait": guidance.usual_wait(m.typical_seconds),
            }
            for m in rules.MODELS.values()
        ],
        "rules_json": rules.as_json(),
        "client_config": {
            "rules": rules.as_json(),
            "pricing": pricing.as_json(),
            "uploadMaxBytes": settings.VEOUI_UPLOAD_MAX_MB * 1024 * 1024,
            "pictureSides": {"min": IMAGE_MIN_SIDE, "max": IMAGE_MAX_SIDE},
            "labels": client_labels(),
        },
        "image_limits": image_limits_text(),
        "recent": recent,
        "credits_left": budgets.left_for(request.user),
        "try_pictures": " ".join(request.build_absolute_uri(url) for url in try_pictures(form.mode)),
        "guide": guidance.guide_for(form.mode.key),
        "tips": guidance.TIPS,
    }


def grouped(generations: list[Generation]) -> list[Generation]:
    """The list with the variations of one prompt gathered: the group's first member (the pick, if the team made
    one) stands for it and carries them all in ``group_members``; the others leave the list."""
    members: dict[uuid.UUID, list[Generation]] = {}
    for generation in generations:
        if generation.group is not None:
            members.setdefault(generation.group, []).append(generation)
    listed: list[Generation] = []
    for generation in generations:
        group = members.pop(generation.group, None) if generation.group is not None else [generation]
        if group is not None and len(group) == 1:
            listed.append(generation)
        elif group is not None:
            group.sort(key=lambda member: (member.picked_at is None, member.pk))
            group[0].group_members = group
            listed.append(group[0])
    return listed


def client_labels() -> dict:
    return {
        "first": _("First frame"),
        "last": _("Last frame"),
        "reference": _("Reference %(n)s"),
        "remove": _("Remove"),
        "moveUp": _("Move earlier"),
        "moveDown": _("Move later"),
        "credits": _("%(credits)s credits (about $%(usd)s)"),
        "promptRequired": _("Describe the video you want: what happens, where, and how it looks."),
        "tooFew": _("Add at least %(min)s picture."),
        "tooMany": _("Use at most %(max)s pictures here: remove %(extra)s."),
        "noImages": _("Text to video uses no pictures. Remove them or pick another tab."),
        **{key: str(message) for key, message in PICTURE_REFUSALS.items()},
        # Translators: a picture that was not added: its file name, then why.
        "named": _("%(name)s: %(error)s"),
        "seedRange": _("The seed must be a whole number from 10000 to 99999, or left empty."),
        "watermarkLong": _("Keep the watermark under %(max)s characters."),
        "badUrl": _("That isn't a web address. It should start with https://"),
        "autoWide": _("Your first picture is closer to 16:9 (wide): kie.ai will crop it to that."),
        "autoTall": _("Your first picture is closer to 9:16 (tall): kie.ai will crop it to that."),
        "autoKept": _("The video keeps the part inside the frame; the darker edges are cut off."),
        "autoFits": _("It already has that shape, so nothing is cut off."),
        "autoPreview": _("Preview of the part of your picture the video keeps"),
        "modelNotInMode": _("%(model)s can't use reference images. Choose Fast or Lite."),
        "charsLeft": _("%(n)s characters left"),
        "overLeft": _("This would cost %(cost)s credits, more than the %(left)s you have left, so it can't be made."),
    }


def studio(request: HttpRequest, mode_slug: str = "text") -> HttpResponse:
    mode = MODES_BY_SLUG.get(mode_slug)
    if mode is None:
        raise Http404
    projects = visible_projects(request.user)
    if request.method != "POST":
        form = GenerationForm(mode=mode.key, initial=prefill(request, mode, projects), projects=projects)
        return render(request, "studio/studio.html", studio_context(request, form) | continuing(request, request.GET))

    form = GenerationForm(*with_reused_pictures(request, mode), mode=mode.key, projects=projects)
    if not form.is_valid():
        context = studio_context(request, form) | continuing(request, request.POST)
        response = render(request, "studio/studio.html#form" if request.htmx else "studio/studio.html", context)
        return retarget(reswap(response, "outerHTML"), "#generate-form") if request.htmx else response
    try:
        generation, created = services.create_generation(
            owner=request.user, mode=mode.key, data=form.cleaned_data, images=form.images
        )
    except services.DuplicateTokenError:
        messages.error(request, _("This form was already used. It has been reset: check it and press Generate."))
        return redirect("studio", mode_slug=mode.slug)
    except budgets.OverBudget as refusal:
        # Shown next to the Generate button; nothing was saved, so the same form can be sent again later.
        context = {**studio_context(request, form), **continuing(request, request.POST), "over_budget": refusal.message}
        response = render(request, "studio/studio.html#form" if request.htmx else "studio/studio.html", context)
        return retarget(reswap(response, "outerHTML"), "#generate-form") if request.htmx else response
    remember_project(request.user, form.cleaned_data.get("project"))
    if mode.key == rules.FRAMES:
        hooks.video_continued(request.user, generation, request.POST.get("scene", ""), request.POST.get("after", ""))
    if not request.htmx:
        return redirect("generation", public_id=generation.uuid)
    made = [generation, *generation.siblings().order_by("pk")]
    ratelimit.note_places(made)
    fresh = GenerationForm(mode=mode.key, initial=last_project(request.user, projects), projects=projects)
    response = render(request, "studio/studio_submitted.html", {"made": made, "created": created, "form": fresh})
    return response if created else reswap(response, "none")


def continuing(request: HttpRequest, data: QueryDict) -> dict:
    """Opened with "Continue from the last frame" from a scene's shot: the form carries the scene and the shot
    (``scene``, ``after``), and says where the new video will go."""
    if not data.get("scene"):
        return {}
    scene, after = data.get("scene", "")[:40], data.get("after", "")[:20]
    note = hooks.continue_note(request.user, scene, after)
    return {"continuing": {"scene": scene, "after": after, "note": note}} if note else {}


def remember_project(user: AbstractBaseUser, project: models.Model | None) -> None:
    """The studio offers the project last chosen first next time: kept on the person's membership."""
    Membership.objects.filter(user=user).exclude(last_project=project).update(last_project=project)


def last_project(user: AbstractBaseUser, projects: QuerySet) -> dict:
    chosen = projects.filter(pk=Membership.objects.filter(user=user).values("last_project")[:1]).first()
    return {"project": chosen.uuid} if chosen is not None else {}


# --- starting from an earlier video (edit and re-run, a frame or a picture as the first frame) -----------------

PICTURE_ROUTES = {"input_image", "generation_poster", "generation_last_frame", "generation_frame"}


@dataclass
class Picture:
    """A picture veoui itself holds, named by its address: a stored file, or a frame taken from a video."""

    name: str
    generation: Generation
    read: Callable[[], bytes]
    last_frame: bool = False  # "Continue from the last frame": the next shot of this video
    from_video: bool = False  # a frame taken from the video's file, as PNG


def picture_file(request: HttpRequest, reference: str) -> Picture | None:
    """The picture behind one of veoui's own picture addresses, if this person may see it; else None."""
    parts = urlsplit(reference)
    if parts.netloc and parts.netloc != request.get_host():
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    if match.url_name not in PICTURE_ROUTES:
        return None
    try:
        generation = get_generation(request, match.kwargs["public_id"])
    except Http404:
        return None
    if match.url_name in {"generation_last_frame", "generation_frame"}:
        query = QueryDict(parts.query)
        work = frames.playable_version(generation, query.get("version", ""))
        if work is None:
            return None
        if match.url_name == "generation_last_frame":
            return Picture(
                "last-frame.png",
                generation,
                lambda: frames.last_frame(work.video.name),
                last_frame=True,
                from_video=True,
            )
        seconds = frames.seconds_from(query.get("t", ""))
        return Picture(
            f"frame-{frames.time_label(seconds)}.png",
            generation,
            lambda: frames.frame_at(work.video.name, seconds)[0],
            from_video=True,
        )
    if match.url_name == "generation_poster":
        stored = generation.poster.name if generation.poster else ""
    else:
        image = generation.images.filter(position=match.kwargs["position"]).first()
        stored = image.file.name if image is not None and image.file else ""
    return Picture(PurePosixPath(stored).name, generation, lambda: read_stored(stored)) if stored else None


def read_stored(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def prefill(request: HttpRequest, mode: rules.Mode, projects: QuerySet) -> dict:
    """``?from=<video>``: that video's settings and pictures; ``?picture=<address>``: one picture to start from;
    ``?try=1``: the mode's example prompt ("Try this" without JavaScript). The project last chosen, else."""
    initial: dict = last_project(request.user, projects)
    source_id = request.GET.get("from", "")
    if source_id:
        try:
            source = get_generation(request, uuid.UUID(source_id))
        except ValueError:
            raise Http404 from None
        initial = {
            "project": projects.filter(pk=source.project_id).values_list("uuid", flat=True).first(),
            "prompt": source.prompt,
            "model": source.model,
            "aspect_ratio": source.aspect_ratio,
            "seed": source.seed,
            "watermark": source.watermark,
            "enable_translation": source.enable_translation,
            "visibility": source.visibility,
        }
        pictures = [
            reverse("input_image", args=[source.uuid, image.position]) if image.file else image.source_url
            for image in source.images.all()
        ]
    elif found := picture_file(request, request.GET.get("picture", "")):
        pictures = [request.GET["picture"]]
        initial["visibility"] = found.generation.visibility  # a private video's frame stays private unless changed
        if found.last_frame:  # the next shot: the same description and look, for the person to change
            source = found.generation
            initial |= {"prompt": source.prompt, "model": source.model, "enable_translation": source.enable_translation}
            if source.project_id and (project := projects.filter(pk=source.project_id).first()):
                initial["project"] = project.uuid
            if source.aspect_ratio in mode.aspect_ratios:
                initial["aspect_ratio"] = source.aspect_ratio
    else:
        pictures = []
    if request.GET.get("try") and not initial.get("prompt"):
        initial["prompt"] = str(guidance.guide_for(mode.key).try_prompt)
        pictures = pictures or try_pictures(mode)
    for slot, picture in enumerate(pictures[: mode.max_images], start=1):
        initial[f"image_url_{slot}"] = picture
    return initial


def try_pictures(mode: rules.Mode) -> list[str]:
    """The sample pictures "Try this" brings in a picture mode, by their veoui address."""
    return [reverse("sample_picture", args=[name]) for name in samples.TRY_PICTURES.get(mode.key, [])]


@require_GET
def sample_picture(request: HttpRequest, name: str) -> HttpResponse:
    make = samples.PICTURES.get(name)
    if make is None:
        raise Http404
    response = HttpResponse(make().read(), content_type="image/png")
    response["Cache-Control"] = "private, max-age=86400"
    return response


def sample_upload(request: HttpRequest, reference: str) -> SimpleUploadedFile | None:
    """A sample picture named by its veoui address, as if uploaded."""
    parts = urlsplit(reference)
    if not reference or (parts.netloc and parts.netloc != request.get_host()):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    make = samples.PICTURES.get(match.kwargs.get("name", "")) if match.url_name == "sample_picture" else None
    return make() if make is not None else None


def with_reused_pictures(request: HttpRequest, mode: rules.Mode) -> tuple[QueryDict, MultiValueDict]:
    """Pictures of earlier videos (and the sample pictures) are named by their veoui address; they are taken from
    storage as if uploaded again, so they go through the same checks, and the browser never downloads and
    re-sends them."""
    data, files = request.POST.copy(), request.FILES.copy()
    for slot in range(1, mode.max_images + 1):
        if files.get(f"image_{slot}"):
            continue
        if sample := sample_upload(request, data.get(f"image_url_{slot}", "")):
            files[f"image_{slot}"] = sample
            data[f"image_url_{slot}"] = ""
            continue
        found = picture_file(request, data.get(f"image_url_{slot}", ""))
        if found is None:
            continue
        if found.generation.visibility == Generation.Visibility.PRIVATE:
            # A private video's picture stays private unless the person chose otherwise on the form.
            data.setdefault("visibility", Generation.Visibility.PRIVATE)
        try:
            content = found.read()
        except frames.NoFrame:
            continue  # its video can't be read: the address is refused like any other unusable one
        name = found.name
        if found.from_video:  # a 4K frame can be more than a picture may weigh: then a fine JPEG of it
            name, content = frames.within_upload_limit(name, content)
        files[f"image_{slot}"] = SimpleUploadedFile(name, content)
        data[f"image_url_{slot}"] = ""
    return data, files


def detail_context(request: HttpRequest, generation: Generation) -> dict:
    members = []
    if generation.group is not None:
        members = list(visible_generations(request).filter(group=generation.group).order_by("pk"))
    can_move = generation.owner_id == request.user.pk or request.user.is_staff
    generation.is_favourite = Favourite.objects.filter(person=request.user, generation=generation).exists()
    return {
        "generation": generation,
        "pricing": Pricing.current(),
        "can_delete": services.can_delete(generation),
        "delete_warnings": hooks.warnings_before_delete(generation),
        "siblings": [member for member in members if member.pk != generation.pk],
        "members": members,
        "picked": next((member for member in members if member.picked_at), None),
        "offers": services.offers(generation),
        "renditions": generation.renditions.all(),
        "can_move": can_move,
        "projects": visible_projects(request.user) if can_move else [],
    }


@require_GET
def generation_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    generation = get_generation(request, public_id)
    return render(request, "studio/generation.html", detail_context(request, generation))


MAX_IDS = 50


@require_GET
def status(request: HttpRequest) -> HttpResponse:
    """The one check a page makes for all its cards of work in progress, every two seconds while it is in sight.

    Reads the database only: kie.ai is never called for a page view. The page says what each card shows
    (``shown=<id>:<fingerprint>``), the person's work it last heard running (``seen=``) and, on the studio, the
    videos its canvas holds as tiles (``known=``). The answer is only what changed, as htmx out-of-band swaps: the
    cards (tiles for the canvas), new videos of theirs for the canvas, and the tab title's count with what just
    ended; 204 when nothing did.
    """
    shown, seen, known = (listed(request, name) for name in ("shown", "seen", "known"))
    visible = visible_generations(request)
    # As few reads as the answer allows: most checks of a page with a card or two read the cards and the person's
    # current work, and find nothing to say.
    # The tiles it may send show the person's star, read in the same query.
    starred = Favourite.starred_by(request.user.pk)
    generations = (
        list(visible.filter(uuid__in=shown).annotate(is_favourite=starred).select_related("review")) if shown else []
    )
    others = set(shown).difference(generation.uuid for generation in generations)
    renditions = list(Rendition.objects.filter(uuid__in=others, generation__in=visible)) if others else []
    mine = Generation.objects.filter(owner=request.user, deleted_at__isnull=True)
    current = list(mine.filter(~Q(status__in=TERMINAL) | Q(uuid__in=seen)).only("uuid", "prompt", "status")[:MAX_IDS])
    if len(current) == MAX_IDS:  # more than a page holds: the running ones first, then what ended
        current = list(mine.exclude(status__in=TERMINAL).only("uuid", "prompt", "status")[:MAX_IDS])
        current += list(mine.filter(status__in=TERMINAL, uuid__in=seen).only("uuid", "prompt", "status"))
    running = [g.uuid for g in current if g.status not in TERMINAL][:MAX_IDS]
    ended = [g for g in current if g.status in TERMINAL]
    # The 1080P, 4K and extended versions this person ordered count and notify as their videos do.
    versions = Rendition.objects.filter(owner=request.user, generation__deleted_at__isnull=True)
    current_versions = list(
        versions.filter(~Q(status__in=TERMINAL) | Q(uuid__in=seen)).select_related("generation")[:MAX_IDS]
    )
    running_versions = [r.uuid for r in current_versions if r.status not in TERMINAL]
    ended_versions = [r for r in current_versions if r.status in TERMINAL]
    arrived = set(running).difference(known)
    new = []
    if "known" in request.GET and arrived:
        new = list(mine.filter(uuid__in=arrived).annotate(is_favourite=starred).select_related("review"))
    ratelimit.note_places(generations + new)
    changed = {
        "generations": [g for g in generations if not (g.is_watchable and shown[g.uuid] == g.fingerprint())],
        "renditions": [r for r in renditions if not (r.is_watchable and shown[r.uuid] == r.fingerprint())],
        "new": new,
        "ended": ended,
        "ended_versions": ended_versions,
    }
    if not any(changed.values()) and set(running + running_versions) == set(seen):
        return HttpResponse(status=204)
    count = len(running) if len(running) < MAX_IDS else mine.exclude(status__in=TERMINAL).count()
    count += len(running_versions) if len(running_versions) < MAX_IDS else versions.exclude(status__in=TERMINAL).count()
    running += running_versions
    prefetch_related_objects(changed["generations"] + new, "renditions")  # the cards' version badges
    context = changed | {"running": running, "count": count, "tiles": known.keys()}
    return render(request, "studio/generation.html#changes", context)


def listed(request: HttpRequest, name: str) -> dict[uuid.UUID, str]:
    """The ids a page sent under ``name`` (at most MAX_IDS, anything else left out; twice that of work it heard
    running, which counts videos and versions), each with what follows ":"."""
    found = {}
    for value in request.GET.get(name, "").split(",")[: MAX_IDS * (2 if name == "seen" else 1)]:
        key, _, shows = value.partition(":")
        try:
            found[uuid.UUID(key)] = shows
        except ValueError:
            continue
    return found


@require_GET
def generation_file(request: HttpRequest, public_id: uuid.UUID, kind: str) -> HttpResponse:
    generation = get_generation(request, public_id)
    return serve_work_file(request, generation, kind, f"veoui-{generation.uuid.hex[:8]}.mp4")


def serve_work_file(request: HttpRequest, work: TrackedWork, kind: str, download_name: str) -> HttpResponse:
    """The poster, the video (for the player) or the video as a download, of a generation or a rendition."""
    if kind == "poster":
        return serve_file(request, work.poster.name)
    return serve_file(request, work.video.name, download_name=download_name if kind == "download" else None)


@require_GET
def input_image(request: HttpRequest, public_id: uuid.UUID, position: int) -> HttpResponse:
    generation = get_generation(request, public_id)
    image = get_object_or_404(generation.images, position=position)
    return serve_file(request, image.file.name)


def frame_source(request: HttpRequest, public_id: uuid.UUID) -> tuple[Generation, TrackedWork]:
    """The video this person may see, and the version of it named by ``?version=`` (else its best one) that
    frames are taken from; 404 when there is none to take them from."""
    generation = get_generation(request, public_id)
    work = frames.playable_version(generation, request.GET.get("version", ""))
    if work is None:
        raise Http404
    return generation, work


@require_GET
def generation_last_frame(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The video's very last frame as PNG (of the version named by ``?version=``, else of its best one)."""
    work = frame_source(request, public_id)[1]
    try:
        return png_response(frames.last_frame(work.video.name))
    except frames.NoFrame:
        raise Http404 from None


@require_GET
def generation_frame(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The frame at ``?t=`` seconds (clamped to the clip) as PNG; ``&download=1`` saves it under a telling name."""
    generation, work = frame_source(request, public_id)
    try:
        png, seconds = frames.frame_at(work.video.name, frames.seconds_from(request.GET.get("t", "")))
    except frames.NoFrame:
        raise Http404 from None
    name = f"{frame_title(generation)}-{frames.time_label(seconds)}.png" if request.GET.get("download") else None
    return png_response(png, download_name=name)


def frame_title(generation: Generation) -> str:
    """A saved frame's file name starts with the video's prompt, shortened, in plain letters."""
    return slugify(generation.prompt)[:40].strip("-") or f"veoui-{generation.uuid.hex[:8]}"


def png_response(png: bytes, download_name: str | None = None) -> HttpResponse:
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    if download_name:
        response["Content-Disposition"] = f'attachment; filename="{download_name}"'
    return response


@require_GET
def generation_frame_page(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Save this frame: the frame at the player's time, to download or to start a video from."""
    generation = get_generation(request, public_id)
    version = request.GET.get("version", "")
    work = frames.playable_version(generation, version)
    if work is None:
        raise Http404
    seconds = frames.within_clip(work.video.name, frames.seconds_from(request.GET.get("t", "")))
    query = {"t": f"{seconds:.3f}".rstrip("0").rstrip("."), **({"version": version} if version else {})}
    picture = f"{reverse('generation_frame', args=[generation.uuid])}?{urlencode(query)}"
    context = {
        "generation": generation,
        "work": work,
        "seconds": seconds,
        "picture": picture,
        "download": f"{picture}&download=1",
        "start_from": f"{reverse('studio', args=['frames'])}?{urlencode({'picture': picture})}",
    }
    return render(request, "studio/frame.html", context)


@require_POST
def generation_resubmit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    generation = get_generation(request, public_id, change=True)
    refusal = send_again(request, generation)
    if refusal and not request.htmx:
        messages.error(request, refusal)
    return status_or_redirect(request, generation, refusal)


def send_again(request: HttpRequest, work: Generation | Rendition) -> str:
    """The "Send it again" button: "" when it was sent (now, or by this very button before), else why not."""
    try:
        services.send_again(work, request.user, uuid.UUID(request.POST.get("submission_token", "")))
    except (ValueError, services.DuplicateTokenError):
        return _("This button was already used. Reload the page to send it again.")
    except services.NotUnconfirmed:
        return ""  # sent again already, given up on, or confirmed meanwhile: the card shows which
    except budgets.OverBudget as refusal:
        return refusal.message
    return ""


@require_POST
def generation_cancel(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Cancel a video still waiting in veoui's queue: nothing was sent to kie.ai, so nothing is spent."""
    generation = get_generation(request, public_id, change=True)
    refusal = ""
    if generation.cancel():
        if not request.htmx:
            messages.success(request, _("Cancelled. Nothing was sent to kie.ai, so nothing was spent."))
    elif Generation.objects.filter(pk=generation.pk).exclude(error_category=CANCELLED).exists():
        refusal = _("Too late to cancel: veoui had already sent this video to kie.ai, so it is being made.")
        if not request.htmx:
            messages.error(request, refusal)
    return status_or_redirect(request, generation, refusal)


@require_GET
def picture_address_check(request: HttpRequest) -> HttpResponse:
    """A pasted picture address, checked at once: a thumbnail, or why it can't be used."""
    url = request.GET.get("picture_address", "").strip()[:2000]
    if not url:
        checked = None
    elif not picture_check.allowed(request.user.pk):
        checked = picture_check.Checked(message=_("Too many addresses checked in a minute. Wait a moment."))
    else:
        checked = picture_check.check(url)
    return render(request, "studio/_picture_check.html#answer", {"checked": checked})


@require_POST
def generation_dismiss(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    generation = get_generation(request, public_id, change=True)
    generation.dismiss()
    return status_or_redirect(request, generation)


@require_POST
def generation_archive(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    generation = get_generation(request, public_id, change=True)
    services.retry_archive_now(generation)
    messages.info(request, _("veoui is trying to save the video again. This page updates by itself."))
    return redirect("generation", public_id=generation.uuid)


@require_POST
def generation_retry(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Try again after a failure: a new generation with the same settings, so it costs again (the button says so)."""
    return make_again(request, get_generation(request, public_id, change=True), how="retry")


@require_POST
def generation_rerun(request: HttpRequest, public_id: uuid.UUID, vary: bool) -> HttpResponse:
    """Re-run (same settings) or Vary (a new random seed): a new generation of the person asking, paid by them."""
    return make_again(request, get_generation(request, public_id), how="vary" if vary else "rerun")


def make_again(request: HttpRequest, generation: Generation, *, how: str) -> HttpResponse:
    """A new video from this one's settings, pictures and visibility, keyed by the button's one-time token."""
    try:
        token = uuid.UUID(request.POST.get("submission_token", ""))
        new, _created = services.create_generation(
            owner=request.user,
            mode=generation.mode,
            data=services.rerun_data(generation, token, vary=how == "vary"),
            images=services.reuse_images(generation),
            source=generation,
            how=how,
        )
    except (ValueError, services.DuplicateTokenError):
        messages.error(request, _("This button was already used. Press it again to make another video."))
        return redirect("generation", public_id=generation.uuid)
    except budgets.OverBudget as refusal:
        messages.error(request, refusal.message)
        return redirect("generation", public_id=generation.uuid)
    return redirect("generation", public_id=new.uuid)


@require_POST
def generation_pick(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Pick this one of its variations: the group's pick for everyone on the team, moved off any other."""
    generation = get_generation(request, public_id, change=True)
    if generation.pick():
        messages.success(request, _("Picked. Your team sees this version first; the others are folded away."))
    else:
        messages.error(request, _("Only a finished variation can be picked."))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = generation.get_absolute_url()
    return redirect(back)


@require_POST
def generation_visibility(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    generation = get_generation(request, public_id)
    if generation.owner_id != request.user.pk:
        raise PermissionDenied  # who sees a video is its owner's choice
    choice = request.POST.get("visibility")
    if choice in Generation.Visibility.values:
        services.set_visibility(generation, choice, by=request.user)
        messages.success(
            request,
            _("Only you can see this video now.") if choice == "private" else _("Your team can see this video now."),
        )
    return redirect("generation", public_id=generation.uuid)


@require_POST
def generation_delete(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    generation = get_generation(request, public_id, change=True)
    if not services.can_delete(generation):
        messages.error(request, _("This video is still being made. Delete it once it is finished."))
        return redirect("generation", public_id=generation.uuid)
    services.delete_generation(generation, by=request.user)
    messages.success(request, _("The video was deleted."))
    return redirect("gallery")


@require_POST
def rendition_create(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    generation = get_generation(request, public_id)
    form = RenditionForm(request.POST, orderable=services.orderable(generation))
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("generation", public_id=generation.uuid)
    try:
        rendition, _created = services.create_rendition(
            owner=request.user,
            generation=generation,
            kind=form.cleaned_data["kind"],
            token=form.cleaned_data["request_token"],
            prompt=form.cleaned_data.get("prompt", ""),
            model=form.cleaned_data.get("model", ""),
        )
    except services.DuplicateTokenError:
        messages.error(request, _("This form was already used for something else, so nothing was ordered."))
        return redirect("generation", public_id=generation.uuid)
    except services.AlreadyOrdered as taken:
        messages.info(request, already_ordered(request, taken.rendition))
        return redirect(rendition_anchor(taken.rendition))
    except budgets.OverBudget as refusal:
        messages.error(request, refusal.message)
        return redirect("generation", public_id=generation.uuid)
    return redirect(rendition_anchor(rendition))


def rendition_anchor(rendition: Rendition) -> str:
    return f"{rendition.generation.get_absolute_url()}#rendition-{rendition.uuid}"


def already_ordered(request: HttpRequest, rendition: Rendition) -> str:
    """Someone ordered this 1080P or 4K version first: said in words, with a link to it; nothing was spent."""
    if rendition.owner_id == request.user.pk:
        text = _("You already ordered the %(kind)s of this video, so nothing more was spent.")
    else:
        text = _("%(person)s already ordered the %(kind)s of this video, so nothing more was spent.")
    who = rendition.owner.get_full_name() or rendition.owner.get_username()
    text %= {"person": who, "kind": rendition.get_kind_display()}
    return format_html('{} <a href="#rendition-{}">{}</a>', text, rendition.uuid, _("See it"))


def get_rendition(request: HttpRequest, public_id: uuid.UUID, *, change: bool = False) -> Rendition:
    rendition = get_object_or_404(Rendition.objects.select_related("generation"), uuid=public_id)
    get_generation(request, rendition.generation.uuid, change=change)  # the same rules as its generation
    return rendition


@require_GET
def rendition_file(request: HttpRequest, public_id: uuid.UUID, kind: str) -> HttpResponse:
    rendition = get_rendition(request, public_id)
    name = f"veoui-{rendition.generation.uuid.hex[:8]}-{rendition.kind}.mp4"
    return serve_work_file(request, rendition, kind, name)


@require_POST
def rendition_action(request: HttpRequest, public_id: uuid.UUID, action: str) -> HttpResponse:
    rendition = get_rendition(request, public_id, change=True)
    if action == "resubmit" and (refusal := send_again(request, rendition)):
        messages.error(request, refusal)
    elif action == "dismiss":
        rendition.dismiss()
    elif action == "archive":
        services.retry_archive_now(rendition)
    return redirect(rendition_anchor(rendition))


def status_or_redirect(request: HttpRequest, generation: Generation, refusal: str = "") -> HttpResponse:
    if request.htmx:
        generation.refresh_from_db()
        ratelimit.note_places([generation])
        # The studio's canvas shows a tile where other pages show the whole card.
        template = "studio/_tile.html" if request.POST.get("shown_as") == "tile" else "studio/generation.html#status"
        return render(request, template, {"generation": generation, "refusal": refusal})
    return redirect("generation", public_id=generation.uuid)
