"""What a press of a button on the project pages records: every change one conditional update (or a create), in
the transaction that writes its audit entry."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from veoui.projects.models import Project
from veoui.scenes.models import Scene
from veoui.studio.models import Generation
from veoui.studio.views import visible_to
from veoui.team import audit
from veoui.team.people import budget_text

DESCRIBED = ("name", "colour", "description", "visibility")


def create_project(data: dict, *, by: AbstractBaseUser) -> Project:
    with transaction.atomic():
        project = Project.objects.create(
            **{field: data[field] for field in DESCRIBED},
            monthly_budget=data.get("monthly_budget"),
            created_by=by,
        )
        # Its maker is always one of its members, so a members-only project never shuts them out.
        members = {person.pk for person in data.get("members") or []} | {by.pk}
        Project.members.through.objects.bulk_create(
            [Project.members.through(project_id=project.pk, user_id=user_id) for user_id in members]
        )
        about(audit.Kind.PROJECT_CHANGED, project, by, action="created", members=len(members))
        if project.monthly_budget is not None:  # a budget from the start is a budget set, as a later one is
            change = {"from": None, "to": budget_text(project.monthly_budget)}
            about(audit.Kind.BUDGET_CHANGED, project, by, name=project.name, **change)
    return project


def update_project(project: Project, data: dict, *, by: AbstractBaseUser) -> list[str]:
    """Save what changed, one audit entry for the budget and one for the rest; returns the fields changed."""
    with transaction.atomic():
        current = Project.objects.select_for_update().get(pk=project.pk)
        changed = [field for field in DESCRIBED if getattr(current, field) != data[field]]
        if changed:
            Project.objects.filter(pk=project.pk).update(**{field: data[field] for field in changed})
        wanted = {person.pk for person in data.get("members") or []}
        through = Project.members.through.objects.filter(project_id=project.pk)
        had = set(through.values_list("user_id", flat=True))
        added, removed = sorted(wanted - had), sorted(had - wanted)
        if removed:
            through.filter(user_id__in=removed).delete()
        if added:
            Project.members.through.objects.bulk_create(
                [Project.members.through(project_id=project.pk, user_id=user_id) for user_id in added]
            )
        if changed or added or removed:
            about(
                audit.Kind.PROJECT_CHANGED,
                project,
                by,
                action="changed",
                fields=changed,
                members_added=added,
                members_removed=removed,
                name=data["name"],
                **({"renamed_from": current.name} if "name" in changed else {}),
            )
            changed += ["members"] if added or removed else []
        budget = data.get("monthly_budget")
        if current.monthly_budget != budget:
            Project.objects.filter(pk=project.pk).update(monthly_budget=budget)
            about(
                audit.Kind.BUDGET_CHANGED,
                project,
                by,
                name=data["name"],
                # As a person's or the team's budget change reads: the Audit log shows "from → to".
                **{"from": budget_text(current.monthly_budget), "to": budget_text(budget)},
            )
            changed.append("monthly_budget")
    return changed


def delete_project(project: Project, *, by: AbstractBaseUser) -> int:
    """Delete it; its videos and scenes stay, in no project. Returns how many videos it held."""
    with transaction.atomic():
        held = Generation.objects.filter(project=project).update(project=None)
        scenes = Scene.objects.filter(project=project).update(project=None)
        about(audit.Kind.PROJECT_CHANGED, project, by, action="deleted", videos=held, scenes=scenes)
        Project.objects.filter(pk=project.pk).delete()
    return held


def move_videos(public_ids: Iterable[uuid.UUID], project: Project | None, *, by: AbstractBaseUser) -> int:
    """Move the videos among ``public_ids`` this person may change (theirs, or any they see as an admin) to
    ``project`` (None: out of any project). Their versions follow, as they belong to their video; what was spent
    stays where it was charged. Returns how many moved."""
    movable = visible_to(by.pk, by.is_staff).filter(uuid__in=list(public_ids))
    if not by.is_staff:
        movable = movable.filter(owner=by)
    movable = movable.exclude(project=project) if project is not None else movable.exclude(project__isnull=True)
    with transaction.atomic():
        moved_ids = list(movable.select_for_update().values_list("pk", "uuid"))
        if not moved_ids:
            return 0
        moved = Generation.objects.filter(pk__in=[pk for pk, _uuid in moved_ids]).update(project=project)
        audit.record(
            audit.Kind.PROJECT_CHANGED,
            actor=by,
            what=project.name if project else "",
            object_type="project",
            object_id=project.uuid if project else "",
            details={
                "action": "moved",
                "into": project is not None,
                "videos": [str(public_id) for _pk, public_id in moved_ids],
            },
        )
    return moved


def move_scene(scene: Scene, project: Project | None, *, by: AbstractBaseUser) -> bool:
    """Put a scene in ``project`` (None: in no project), recorded like a move of videos. The caller checked that
    ``by`` may change the scene and see the project. Returns whether it moved (False: it was there already, or
    it was deleted meanwhile)."""
    with transaction.atomic():
        moving = Scene.objects.filter(pk=scene.pk, deleted_at__isnull=True)
        moving = moving.exclude(project=project) if project is not None else moving.exclude(project__isnull=True)
        if not moving.update(project=project):
            return False
        audit.record(
            audit.Kind.PROJECT_CHANGED,
            actor=by,
            what=project.name if project else "",
            object_type="project",
            object_id=project.uuid if project else "",
            details={"action": "moved", "scenes": [str(scene.uuid)]},
        )
    return True


def about(kind: str, project: Project, by: AbstractBaseUser, **details: object) -> None:
    audit.record(kind, actor=by, what=project.name, object_type="project", object_id=project.uuid, details=details)
