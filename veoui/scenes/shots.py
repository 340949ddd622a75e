"""What a scene's page does to its shots: add one at the end, move, reorder, trim, join, mute, remove.

Every change is a conditional update naming its fields: a move that lost a race with another (two tabs, two
people) changes nothing and says so, rather than writing back positions read a moment ago.
"""

from __future__ import annotations

import subprocess
from decimal import Decimal
from pathlib import Path

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import ngettext

from veoui.kie.simulator.probe import probe
from veoui.scenes.models import Scene, Shot
from veoui.studio import scene_export
from veoui.studio.models import Generation, Rendition, Status

DEFAULT_CLIP_SECONDS = Decimal(8)  # Veo's clips are 8 seconds long
MIN_SHOT_SECONDS = Decimal("0.5")


class Moved(Exception):
    """The shots changed meanwhile (another tab, another person): nothing was changed."""


def clip_seconds(name: str) -> Decimal | None:
    """A stored clip's length, read by ffmpeg; None when the file is not on this machine or not a video."""
    try:
        path = Path(default_storage.path(name))
    except NotImplementedError:  # stored elsewhere (S3): the shot keeps the whole clip as its length
        return None
    if not name or not path.is_file():
        return None
    try:
        duration = probe(path)["duration"]
    except (OSError, subprocess.TimeoutExpired):
        return None
    return None if duration is None else Decimal(str(duration)).quantize(Decimal("0.001"))


def add_shot(scene: Scene, generation: Generation, rendition: Rendition | None) -> Shot:
    """The video (or its version) at the end of the scene, whole."""
    work = rendition or generation
    length = clip_seconds(work.video.name)
    with transaction.atomic():
        Scene.objects.select_for_update().filter(pk=scene.pk).update(updated_at=timezone.now())
        last = scene.shots.aggregate(last=Max("position"))["last"]
        return Shot.objects.create(
            scene=scene,
            position=0 if last is None else last + 1,
            generation=generation,
            rendition=rendition,
            clip_seconds=length,
        )


def ordered(scene: Scene) -> list[Shot]:
    return list(scene.shots.select_related("generation", "rendition").order_by("position", "pk"))


def move(scene: Scene, shot_id: int, step: int) -> None:
    """One place earlier (step -1) or later (+1): the shot and its neighbour swap positions, both or neither."""
    shots = ordered(scene)
    index = next((i for i, shot in enumerate(shots) if shot.pk == shot_id), None)
    if index is None:
        raise Moved
    other = index + step
    if not 0 <= other < len(shots):
        return
    reorder(scene, [shot.pk for shot in swapped(shots, index, other)], shots)


def swapped(shots: list[Shot], one: int, other: int) -> list[Shot]:
    shots = list(shots)
    shots[one], shots[other] = shots[other], shots[one]
    return shots


def reorder(scene: Scene, order: list[int], shots: list[Shot] | None = None) -> None:
    """The shots in the order given (every shot of the scene, once), positions 0, 1, 2...

    Each row is updated only if it still has the position it was read with; if one changed, nothing does.
    """
    shots = ordered(scene) if shots is None else shots
    if sorted(order) != sorted(shot.pk for shot in shots):
        raise Moved
    was = {shot.pk: shot.position for shot in shots}
    with transaction.atomic():
        for position, shot_id in enumerate(order):
            if was[shot_id] == position:
                continue
            if not Shot.objects.filter(pk=shot_id, scene=scene, position=was[shot_id]).update(position=position):
                transaction.set_rollback(True)
                raise Moved
        Scene.objects.filter(pk=scene.pk).update(updated_at=timezone.now())


def remove(scene: Scene, shot_id: int) -> bool:
    """The shot out of the scene; the others keep their order (positions may have holes, order is what counts)."""
    deleted, _ = Shot.objects.filter(pk=shot_id, scene=scene).delete()
    return bool(deleted)


def change(scene: Scene, shot_id: int, **fields: object) -> bool:
    """Trims, the join after it and its sound: the fields given, on this scene's shot."""
    return bool(Shot.objects.filter(pk=shot_id, scene=scene).update(**fields))


def is_gap(shot: Shot) -> bool:
    """Its video was deleted since (or its version removed): the scene shows where it was, the preview skips it."""
    generation = shot.generation
    if generation.deleted_at is not None or generation.status != Status.SUCCEEDED:
        return True
    return shot.rendition_id is not None and shot.rendition.status != Status.SUCCEEDED


def length_of_clip(shot: Shot) -> Decimal:
    return shot.clip_seconds if shot.clip_seconds is not None else DEFAULT_CLIP_SECONDS


def out_point(shot: Shot) -> Decimal:
    return shot.end_seconds if shot.end_seconds is not None else length_of_clip(shot)


def shot_seconds(shot: Shot) -> float:
    return float(out_point(shot) - shot.start_seconds)


def total_seconds(scene: Scene, shots: list[Shot]) -> float:
    """The scene's length as the export makes it: the shots' trims, less each crossfade, plus the end card."""
    playing = [shot for shot in shots if not is_gap(shot)]
    plan = scene_export.Plan(
        shots=tuple(
            scene_export.Shot(path=Path(), start=float(shot.start_seconds), end=float(out_point(shot)))
            for shot in playing
        ),
        joins=tuple(
            float(shot.crossfade_seconds) if shot.join == Shot.Join.CROSSFADE else 0.0 for shot in playing[:-1]
        ),
        end_card=scene_export.EndCard(seconds=float(scene.end_card_seconds)) if scene.end_card else None,
    )
    return plan.duration if playing or scene.end_card else 0.0


def resolutions(shots: list[Shot]) -> list[str]:
    """The export sizes every shot allows: 4K when each has a 4K version, 1080P when each has 1080P or better."""
    playing = [shot for shot in shots if not is_gap(shot)]
    allowed = ["720p"]
    if playing and all("1080p" in sizes_of(shot) for shot in playing):
        allowed.append("1080p")
    if playing and all("4k" in sizes_of(shot) for shot in playing):
        allowed.append("4k")
    return allowed


def sizes_of(shot: Shot) -> set[str]:
    if shot.rendition_id is not None:
        return {Rendition.Kind.HD: {"1080p"}, Rendition.Kind.UHD: {"1080p", "4k"}}.get(shot.rendition.kind, set())
    versions = {
        rendition.kind
        for rendition in shot.generation.renditions.all()
        if rendition.status == Status.SUCCEEDED and rendition.kind in {Rendition.Kind.HD, Rendition.Kind.UHD}
    }
    sizes = {"1080p", "4k"} if Rendition.Kind.UHD in versions else set()
    if Rendition.Kind.HD in versions or shot.generation.resolution.lower() == "1080p":
        sizes.add("1080p")
    return sizes


def delete_warning(generation: Generation) -> str:
    """Said before a video used in scenes is deleted: they keep a gap where it was."""
    count = Scene.objects.filter(deleted_at__isnull=True, shots__generation=generation).distinct().count()
    if not count:
        return ""
    return ngettext(
        "This video is used in %(n)s scene. It keeps a gap that says the video was deleted.",
        "This video is used in %(n)s scenes. They keep a gap that says the video was deleted.",
        count,
    ) % {"n": count}
