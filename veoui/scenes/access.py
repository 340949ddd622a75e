"""Who may see and change a scene: the rules of videos, plus one of their own.

A scene is seen by its owner, by the team when it is team-visible, and by admins; never once deleted. A scene in a
members-only project is seen only by that project's members, its owner and admins, as a video in one is. A scene
one of whose shots the person may not see (someone else's private video) is not shown to them at all: what it is
made of would give that video away. A shot whose video was deleted since is a gap, and hides nothing.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, Q, QuerySet

from veoui.scenes.models import Scene, Shot
from veoui.studio.views import closed_projects, visible_to


def visible_scenes(user: AbstractBaseUser) -> QuerySet[Scene]:
    scenes = Scene.objects.filter(deleted_at__isnull=True)
    if user.is_staff:
        return scenes
    hidden = Q(visibility=Scene.Visibility.PRIVATE) | Q(project__in=closed_projects(user.pk))
    scenes = scenes.exclude(hidden & ~Q(owner_id=user.pk))
    unseen = Shot.objects.filter(scene=OuterRef("pk"), generation__deleted_at__isnull=True).exclude(
        generation__in=visible_to(user.pk, False)
    )
    return scenes.exclude(Exists(unseen))


def may_change(user: AbstractBaseUser, scene: Scene) -> bool:
    return user.is_staff or scene.owner_id == user.pk
