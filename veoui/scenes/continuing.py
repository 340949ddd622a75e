"""A video made with "Continue from the last frame" of a scene's shot joins that scene, right after the shot,
once it is done.

The studio's form carries the scene and the shot; the video made with it leaves a PendingShot behind, and the
worker's "done" turns it into a shot, once (the row is marked settled, conditionally, in the same transaction that
inserts the shot, so a "done" seen twice, or the form sent again, inserts nothing the second time). Only if its
owner may still change the scene; a scene deleted meanwhile takes nothing, a shot removed meanwhile puts the video
at the end.
"""

from __future__ import annotations

import logging
import uuid

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from veoui.scenes.access import may_change, visible_scenes
from veoui.scenes.models import PendingShot, Scene, Shot
from veoui.scenes.shots import clip_seconds
from veoui.studio.models import Generation, Status

log = logging.getLogger(__name__)


def target(user: AbstractBaseUser, scene_id: str, shot_id: str) -> tuple[Scene, Shot] | None:
    """The scene and its shot named by the form, if this person may see and change that scene; else None."""
    try:
        scene_uuid, shot_pk = uuid.UUID(scene_id), int(shot_id)
    except (TypeError, ValueError):
        return None
    scene = visible_scenes(user).filter(uuid=scene_uuid).first()
    if scene is None or not may_change(user, scene):
        return None
    shot = scene.shots.filter(pk=shot_pk).first()
    return (scene, shot) if shot is not None else None


def note(user: AbstractBaseUser, scene_id: str, shot_id: str) -> str:
    found = target(user, scene_id, shot_id)
    if found is None:
        return ""
    scene, shot = found
    number = scene.shots.filter(position__lt=shot.position).count() + 1
    return _("When it is done, this video joins the scene “%(scene)s” right after shot %(n)s.") % {
        "scene": scene.title,
        "n": number,
    }


def remember(user: AbstractBaseUser, generation: Generation, scene_id: str, shot_id: str) -> None:
    """The video just made from the form waits to join the scene (once: the same form sent again adds nothing)."""
    found = target(user, scene_id, shot_id)
    if found is None:
        return
    scene, shot = found
    PendingShot.objects.get_or_create(generation=generation, defaults={"scene": scene, "after_shot": shot})
    join(generation.pk)  # in case it is already done


def join(generation_id: int) -> None:
    """The finished video into its scene after its shot, once; nothing for a video not waiting or not done."""
    waiting = PendingShot.objects.select_related("generation__owner", "scene").filter(settled_at__isnull=True)
    pending = waiting.filter(generation_id=generation_id).first()
    if pending is None:
        return
    generation, scene = pending.generation, pending.scene
    unsettled = PendingShot.objects.filter(pk=pending.pk, settled_at__isnull=True)
    if generation.status != Status.SUCCEEDED or generation.deleted_at is not None:
        if generation.is_terminal or generation.deleted_at is not None:
            unsettled.update(settled_at=timezone.now())  # failed or deleted: it joins nothing
        return
    length = clip_seconds(generation.video.name)
    with transaction.atomic():
        locked = Scene.objects.select_for_update().filter(pk=scene.pk, deleted_at__isnull=True)
        if not locked.update(updated_at=timezone.now()) or not may_change(generation.owner, scene):
            unsettled.update(settled_at=timezone.now())
            return
        if not unsettled.update(settled_at=timezone.now()):
            return  # another worker joined it first
        after = Shot.objects.filter(pk=pending.after_shot_id, scene=scene).values_list("position", flat=True).first()
        if after is None:
            last = scene.shots.aggregate(last=Max("position"))["last"]
            position = 0 if last is None else last + 1
        else:
            scene.shots.filter(position__gt=after).update(position=F("position") + 1)
            position = after + 1
        shot = Shot.objects.create(scene=scene, position=position, generation=generation, clip_seconds=length)
    log.info("continued video joined scene id=%s scene=%s shot=%s", generation.uuid, scene.uuid, shot.pk)
