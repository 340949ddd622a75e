"""Who sees and who changes a project, in one place for the pages, the studio's choice and the gallery's filter."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from veoui.projects.models import Project


def visible_projects(user: AbstractBaseUser) -> QuerySet[Project]:
    """The whole team's projects, and the members-only ones this person is in; every project for admins."""
    if user.is_staff:
        return Project.objects.all()
    mine = Project.objects.filter(members=user).values("pk")
    return Project.objects.filter(Q(visibility=Project.Visibility.TEAM) | Q(pk__in=mine))


def can_change(user: AbstractBaseUser, project: Project) -> bool:
    return user.is_staff or project.created_by_id == user.pk


def get_project(user: AbstractBaseUser, public_id: uuid.UUID, *, change: bool = False) -> Project:
    """The project if this person may see it (404 otherwise); 403 when they may see but not change it."""
    project = get_object_or_404(visible_projects(user), uuid=public_id)
    if change and not can_change(user, project):
        raise PermissionDenied
    return project
