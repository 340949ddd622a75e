"""Exports of scenes, and their social formats: asked for on the web, made by the worker of the export queue.

Asking freezes what the export is made of (the shots' files, trims, joins, sound, the end card and the size) in
the export's plan and its list of videos, so that changing the scene afterwards changes no export in the making.
The export queue has a worker of its own (`manage.py db_worker --queue-name export`), whose ffmpeg runs at a lower
priority with a thread cap: a long 4K export never holds up a video's submit or status check.

An export moves on by conditional updates only: claimed (queued to running, by this worker), its progress noted
while it is still this worker's, finished only if nobody cancelled it meanwhile. A worker killed mid-way leaves a
running export claimed by a dead worker: the recovery sweep puts it back in the queue, and the next run starts
afresh in the same temporary folder, so one file is made. Nothing unfinished is ever in storage.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from veoui.scenes.access import visible_scenes
from veoui.scenes.models import Scene, SceneExport, Shot
from veoui.studio import heartbeat, scene_export
from veoui.studio.models import Generation, Rendition, Status
from veoui.studio.views import visible_to

log = logging.getLogger(__name__)

EXPORT_QUEUE = "export"
THREADS = 2  # ffmpeg's threads per export: the web and the other worker keep the rest of the machine
PROGRESS_EVERY = 0.5  # seconds between two notes of progress (and two looks for a cancel)
# Sizes from the smallest: a scene is exported at the largest size that every shot has.
LEVELS = ("720p", "1080p", "4k")
FORMATS = (SceneExport.Kind.SQUARE, SceneExport.Kind.PORTRAIT_45, SceneExport.Kind.GIF)
UNFINISHED = (SceneExport.Status.QUEUED, SceneExport.Status.RUNNING)
Kind = SceneExport.Kind


class Refused(Exception):
    """The export can't be asked for as things stand; the message says why, in the person's words."""


# --- which exports a person is shown -------------------------------------------------------------------------


def may_see(user: AbstractBaseUser, export: SceneExport) -> bool:
    """Whether ``export`` may be shown to ``user``: they may see its scene and every video it was made from."""
    if not visible_scenes(user).filter(pk=export.scene_id).exists():
        return False
    return not export.generations.exclude(pk__in=visible_to(user.pk, user.is_staff)).exists()


def shown_exports(user: AbstractBaseUser, scene: Scene) -> list[SceneExport]:
    """The scene's exports that ``user`` may see, newest first, each with the social formats made from it."""
    hidden = Generation.objects.exclude(pk__in=visible_to(user.pk, user.is_staff))
    exports = (
        SceneExport.objects.filter(scene=scene)
        .exclude(generations__in=hidden)
        .exclude(status=SceneExport.Status.CANCELLED)
        .order_by("-created_at")
    )
    found = list(exports)
    formats: dict[int, list[SceneExport]] = {}
    for made in found:
        if made.source_id is not None:
            formats.setdefault(made.source_id, []).append(made)
    scenes = [made for made in found if made.source_id is None]
    for made in scenes:
        made.shown_formats = list(reversed(formats.get(made.pk, [])))
        # The focus fields start where the last crop was centred, so a second format needs no second click.
        crops = [crop for crop in formats.get(made.pk, []) if crop.kind != Kind.GIF]
        focus = (crops[0].focus_x, crops[0].focus_y) if crops else (0.5, 0.5)
        made.focus_percent = [round(part * 100) for part in focus]
    return scenes


def still_name(export: SceneExport) -> str:
    """Where the export's still (the picture a focus point is set on) is kept: beside its file."""
    return f"{export.file.name.rsplit('.', 1)[0]}.jpg" if export.file else ""


# --- asking for an export ----------------------------------------------------------------------------------


def sources_of(shot: Shot) -> dict[str, str]:
    """The stored files a shot can be exported from, by size: its video or version, and that one's upgrades."""
    level = {Rendition.Kind.HD: "1080p", Rendition.Kind.UHD: "4k"}
    found: dict[str, str] = {}
    if shot.rendition_id is not None and shot.rendition.kind in level:
        shown = shot.rendition
        if shown.status == Status.SUCCEEDED and shown.video:
            found[level[shown.kind]] = shown.video.name
        return found
    clip: Generation | Rendition = shot.rendition if shot.rendition_id is not None else shot.generation
    if clip.status == Status.SUCCEEDED and clip.video:
        own = (getattr(clip, "resolution", "") or "720p").lower()
        found[own if own in LEVELS else "720p"] = clip.video.name
    if shot.rendition_id is None:
        for upgrade in shot.generation.renditions.all():
            if upgrade.kind in level and upgrade.status == Status.SUCCEEDED and upgrade.video:
                found.setdefault(level[upgrade.kind], upgrade.video.name)
    return found


def resolution_for(shots: list[Shot]) -> str:
    """4K if every shot has a 4K version or is one, 1080P likewise, else 720p."""
    best = [max((LEVELS.index(level) for level in sources_of(shot)), default=0) for shot in shots]
    return LEVELS[min(best, default=0)]


def plan_of(scene: Scene, user: AbstractBaseUser) -> tuple[dict, list[int]]:
    """The scene as it is now, frozen as an export's plan, and the videos it shows. Refused if it can't be made."""
    shots = list(scene.shots.select_related("generation", "rendition").prefetch_related("generation__renditions").all())
    if not shots:
        raise Refused(_("Add at least one shot before exporting."))
    visible = set(
        visible_to(user.pk, user.is_staff).filter(pk__in=[s.generation_id for s in shots]).values_list("pk", flat=True)
    )
    resolution = resolution_for(shots)
    planned = []
    for number, shot in enumerate(shots, start=1):
        if shot.generation.deleted_at is not None or shot.generation_id not in visible:
            raise Refused(
                _("Shot %(number)s's video was deleted: remove the gap before exporting.") % {"number": number}
            )
        files = sources_of(shot)
        if not files:
            raise Refused(_("Shot %(number)s's video is not saved in veoui yet.") % {"number": number})
        # The file of the chosen size, or of the nearest larger one (scaled down).
        name = next(files[level] for level in LEVELS[LEVELS.index(resolution) :] if level in files)
        planned.append(
            {
                "video": name,
                "generation": shot.generation_id,
                "start": float(shot.start_seconds),
                "end": None if shot.end_seconds is None else float(shot.end_seconds),
                "muted": shot.muted,
                "join": float(shot.crossfade_seconds) if shot.join == Shot.Join.CROSSFADE else 0.0,
            }
        )
    card = None
    if scene.end_card == Scene.EndCard.PICTURE and scene.end_card_picture:
        card = {"seconds": float(scene.end_card_seconds), "picture": scene.end_card_picture.name, "text": ""}
    elif scene.end_card == Scene.EndCard.TEXT and scene.end_card_text.strip():
        card = {"seconds": float(scene.end_card_seconds), "picture": "", "text": scene.end_card_text}
    if card is not None:
        card["colour"] = scene.end_card_colour
    plan = {
        "resolution": resolution,
        "aspect_ratio": scene.aspect_ratio,
        "shots": planned,
        "joins": [shot["join"] for shot in planned[:-1]],
        "end_card": card,
    }
    return plan, sorted({shot.generation_id for shot in shots})


def ask_export(scene: Scene, user: AbstractBaseUser, token: uuid.UUID) -> SceneExport:
    """A new export of ``scene`` in the queue, or the one this token already asked for (a double click)."""
    done = SceneExport.objects.filter(request_token=token).first()
    if done is not None:
        return done
    plan, generations = plan_of(scene, user)
    with transaction.atomic():
        export, created = SceneExport.objects.get_or_create(
            request_token=token,
            defaults={
                "scene": scene,
                "owner": user,
                "kind": Kind.SCENE,
                "resolution": plan["resolution"],
                "plan": plan,
            },
        )
        if created:
            export.generations.set(generations)
            transaction.on_commit(lambda: export_scene.enqueue(export_id=export.pk))
    if created:
        log.info("scene export asked id=%s scene=%s size=%s", export.uuid, scene.uuid, plan["resolution"])
    return export


def ask_format(
    source: SceneExport, kind: str, user: AbstractBaseUser, token: uuid.UUID, focus: tuple[float, float]
) -> SceneExport:
    """A square, 4:5 or GIF version of a finished scene export, made on the export queue."""
    done = SceneExport.objects.filter(request_token=token).first()
    if done is not None:
        return done
    if kind not in FORMATS:
        raise Refused(_("Choose a square, a 4:5 or a GIF version."))
    if source.kind != Kind.SCENE or source.status != SceneExport.Status.SUCCEEDED or not source.file:
        raise Refused(_("This export is not ready yet."))
    x, y = (min(1.0, max(0.0, part)) for part in focus)
    with transaction.atomic():
        made, created = SceneExport.objects.get_or_create(
            request_token=token,
            defaults={
                "scene_id": source.scene_id,
                "owner": user,
                "kind": kind,
                "resolution": source.resolution,
                "source": source,
                "focus_x": x,
                "focus_y": y,
                "plan": {"source": source.file.name, "kind": kind, "focus": [x, y]},
            },
        )
        if created:
            made.generations.set(source.generations.all())
            transaction.on_commit(lambda: export_scene.enqueue(export_id=made.pk))
    return made


def cancel(export: SceneExport) -> bool:
    """Ask for ``export`` to stop: one still waiting ends at once, one running when its worker next looks."""
    now = timezone.now()
    waiting = SceneExport.objects.filter(pk=export.pk, status=SceneExport.Status.QUEUED)
    if waiting.update(status=SceneExport.Status.CANCELLED, cancel_requested_at=now, finished_at=now):
        return True
    return bool(
        SceneExport.objects.filter(
            pk=export.pk, status=SceneExport.Status.RUNNING, cancel_requested_at__isnull=True
        ).update(cancel_requested_at=now)
    )


# --- making it (the export queue's worker) -------------------------------------------------------------------


def work_folder(export: SceneExport) -> Path:
    """The export's own temporary folder, found again by later attempts, so a crashed one's files are cleared."""
    return Path(tempfile.gettempdir()) / "veoui-exports" / export.uuid.hex


def output_name(export: SceneExport) -> str:
    return "preview.gif" if export.kind == Kind.GIF else "video.mp4"


class Watch:
    """The engine's progress and cancel callbacks, as conditional updates and reads of the export's row."""

    def __init__(self, export: SceneExport, worker: str) -> None:
        self.mine = SceneExport.objects.filter(pk=export.pk, status=SceneExport.Status.RUNNING, claimed_by=worker)
        self.noted = self.looked = 0.0

    def progress(self, fraction: float) -> None:
        if 0 < fraction < 1 and time.monotonic() - self.noted < PROGRESS_EVERY:
            return
        self.noted = time.monotonic()
        self.mine.update(progress=min(fraction, 0.99))

    def cancelled(self) -> bool:
        if time.monotonic() - self.looked < PROGRESS_EVERY:
            return False
        self.looked = time.monotonic()
        # Cancelled, or no longer this worker's (the sweep gave it to another): either way, stop.
        return not self.mine.filter(cancel_requested_at__isnull=True).exists()


def local_file(name: str, folder: Path) -> Path:
    """A stored file as a path ffmpeg can read: the file itself on local storage, else a copy in ``folder``."""
    try:
        return Path(default_storage.path(name))
    except NotImplementedError:
        copy = folder / "inputs" / f"{uuid.uuid4().hex}{Path(name).suffix}"
        copy.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(name, "rb") as stored, copy.open("wb") as local:
            shutil.copyfileobj(stored, local, 1024 * 1024)
        return copy


def engine_plan(plan: dict, folder: Path) -> scene_export.Plan:
    shots = []
    for shot in plan["shots"]:
        path = local_file(shot["video"], folder)
        end = shot["end"] if shot["end"] is not None else scene_export.clip_length(path)
        shots.append(scene_export.Shot(path, shot["start"], end, shot["muted"]))
    card = plan.get("end_card")
    end_card = None
    if card:
        picture = local_file(card["picture"], folder) if card["picture"] else None
        end_card = scene_export.EndCard(card["seconds"], picture=picture, text=card["text"], colour=card["colour"])
    return scene_export.Plan(
        shots=tuple(shots),
        joins=tuple(plan["joins"]),
        end_card=end_card,
        resolution=plan["resolution"],
        aspect_ratio=plan["aspect_ratio"],
    )


def make(export: SceneExport, output: Path, watch: Watch) -> None:
    """Run the engine for ``export`` into ``output``."""
    folder = output.parent
    callbacks = {"progress": watch.progress, "cancelled": watch.cancelled, "threads": THREADS}
    if export.kind == Kind.SCENE:
        scene_export.export(engine_plan(export.plan, folder), output, **callbacks)
        return
    source = local_file(export.plan["source"], folder)
    if export.kind == Kind.GIF:
        scene_export.gif(source, output, **callbacks)
    else:
        focus = (export.focus_x, export.focus_y)
        scene_export.reframe(source, output, export.kind, focus, **callbacks)


def run(export_id: int) -> None:
    """Make the export once: claim it, run ffmpeg, store the file, and mark it finished unless cancelled meanwhile."""
    worker = heartbeat.worker_id()
    now = timezone.now()
    queued = SceneExport.objects.filter(pk=export_id, status=SceneExport.Status.QUEUED)
    if queued.filter(cancel_requested_at__isnull=False).update(status=SceneExport.Status.CANCELLED, finished_at=now):
        return
    claimed = queued.filter(cancel_requested_at__isnull=True).update(
        status=SceneExport.Status.RUNNING, claimed_by=worker, attempts=F("attempts") + 1, started_at=now, progress=0
    )
    if not claimed:
        return  # another worker has it, or it has ended
    export = SceneExport.objects.get(pk=export_id)
    # A folder per attempt: what killed attempts left is cleared, and an attempt that was wrongly thought dead
    # (it stops at its next look) can't clear this one's.
    folder = work_folder(export) / f"attempt-{export.attempts}"
    for earlier in folder.parent.glob("attempt-*") if folder.parent.exists() else []:
        if (
            earlier.name.removeprefix("attempt-").isdigit()
            and int(earlier.name.removeprefix("attempt-")) < export.attempts
        ):
            shutil.rmtree(earlier, ignore_errors=True)
    folder.mkdir(parents=True)
    watch = Watch(export, worker)
    # How it ended, marked only once the work folder is gone: whoever sees "cancelled" or "failed" finds nothing
    # of it left behind.
    outcome: tuple[str, dict] | None = None
    try:
        output = folder / output_name(export)
        try:
            make(export, output, watch)
            if not store(export, output, worker):
                outcome = (SceneExport.Status.CANCELLED, {})
        except scene_export.ExportCancelled:
            outcome = (SceneExport.Status.CANCELLED, {})
        except scene_export.PlanError as error:
            outcome = (SceneExport.Status.FAILED, {"error_message": str(error)})
        except Exception:
            # Whatever went wrong, the export must not stay "running" under a live worker, where no sweep looks.
            log.exception("scene export failed id=%s", export.uuid)
            outcome = (SceneExport.Status.FAILED, {"error_message": _("ffmpeg could not make it.")})
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        with contextlib.suppress(OSError):
            folder.parent.rmdir()  # unless a later attempt is under way
    if outcome is not None:
        status, changes = outcome
        ended(export, worker, status, **changes)


def ended(export: SceneExport, worker: str, status: str, **changes: object) -> bool:
    mine = SceneExport.objects.filter(pk=export.pk, status=SceneExport.Status.RUNNING, claimed_by=worker)
    if status == SceneExport.Status.FAILED:
        mine = mine.filter(cancel_requested_at__isnull=True)
    elif status == SceneExport.Status.CANCELLED and not mine.filter(cancel_requested_at__isnull=False).exists():
        return False  # stopped because another worker took it over: that one finishes it
    done = mine.update(status=status, finished_at=timezone.now(), claimed_by="", **changes)
    if done:
        log.info("scene export %s id=%s", status, export.uuid)
    return bool(done)


def store(export: SceneExport, output: Path, worker: str) -> bool:
    """Put the finished file (and its still) in storage, then mark the export finished; or, when it was cancelled
    meanwhile, take them away again and return False."""
    duration = scene_export.clip_length(output)
    name = f"scenes/exports/{timezone.now():%Y/%m}/{export.uuid.hex}{output.suffix}"
    default_storage.delete(name)  # a crashed attempt may have got this far
    with output.open("rb") as handle:
        name = default_storage.save(name, File(handle))
    names = [name]
    if export.kind != Kind.GIF:
        picture = output.with_name("still.jpg")
        scene_export.still(output, picture, at=min(1.0, duration / 2))
        still = f"{name.rsplit('.', 1)[0]}.jpg"
        default_storage.delete(still)
        with picture.open("rb") as handle:
            names.append(default_storage.save(still, File(handle)))
    finished = SceneExport.objects.filter(
        pk=export.pk, status=SceneExport.Status.RUNNING, claimed_by=worker, cancel_requested_at__isnull=True
    ).update(
        status=SceneExport.Status.SUCCEEDED,
        file=name,
        file_size=output.stat().st_size,
        duration_seconds=duration,
        progress=1,
        finished_at=timezone.now(),
        claimed_by="",
    )
    if finished:
        log.info("scene export succeeded id=%s bytes=%s", export.uuid, output.stat().st_size)
        return True
    for stored in names:
        default_storage.delete(stored)
    return False


def recover() -> int:
    """Exports whose worker died are queued again (or end, if cancelled); queued ones whose task was lost are
    asked for again. Returns how many were picked up."""
    live = heartbeat.live_worker_ids()
    picked = 0
    for export in SceneExport.objects.filter(status=SceneExport.Status.RUNNING).exclude(claimed_by__in=live):
        dead = SceneExport.objects.filter(pk=export.pk, status=SceneExport.Status.RUNNING, claimed_by=export.claimed_by)
        now = timezone.now()
        if dead.filter(cancel_requested_at__isnull=False).update(
            status=SceneExport.Status.CANCELLED, finished_at=now, claimed_by=""
        ):
            shutil.rmtree(work_folder(export), ignore_errors=True)
        elif dead.update(status=SceneExport.Status.QUEUED, claimed_by="", progress=0):
            picked += 1
            export_scene.enqueue(export_id=export.pk)
    overdue = timezone.now() - timedelta(seconds=settings.VEOUI_ORPHAN_SECONDS)
    waiting = DBTaskResult.objects.filter(status="READY", task_path__endswith=".export_scene")
    for export in SceneExport.objects.filter(status=SceneExport.Status.QUEUED, created_at__lt=overdue):
        if not waiting.filter(args_kwargs__kwargs__export_id=export.pk).exists():
            picked += 1
            export_scene.enqueue(export_id=export.pk)
    if picked:
        log.info("recovery picked up %d scene export(s)", picked)
    return picked


@task(queue_name=EXPORT_QUEUE)
def export_scene(*, export_id: int) -> None:
    run(export_id)
