"""Projects as the tests need them, and the studio's form as a person sends it."""

from __future__ import annotations

import uuid

from veoui.projects.models import Project


def make_project(name: str, by: object, *, members: list | None = None, **fields: object) -> Project:
    project = Project.objects.create(name=name, created_by=by, **fields)
    project.members.add(by, *(members or []))
    return project


def generate_fields(project: Project | None = None, **overrides: str) -> dict:
    return {
        "submission_token": str(uuid.uuid4()),
        "prompt": "A lighthouse in a storm",
        "model": "veo3_fast",
        "aspect_ratio": "16:9",
        "project": str(project.uuid) if project else "",
        **overrides,
    }
