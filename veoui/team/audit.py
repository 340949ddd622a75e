"""The audit log: who spent what, ordered versions, deleted videos, and changed who sees or pays what.

``record`` is called inside the transaction of the action it records, after the action's own checks passed: a
refused or rolled-back action leaves no entry, and a form sent twice (its one-time token already used) makes
nothing the second time, so it records nothing either.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection

from veoui.team.models import AUDIT_WHAT_LENGTH, AuditEntry, display_name

Kind = AuditEntry.Kind


def record(
    kind: str,
    *,
    actor: AbstractBaseUser,
    what: str = "",
    object_type: str = "",
    object_id: object = "",
    credits: Decimal | None = None,
    details: dict | None = None,
) -> AuditEntry:
    if not connection.in_atomic_block:
        raise RuntimeError("an audit entry is written in the transaction of the action it records")
    if len(what) > AUDIT_WHAT_LENGTH:
        what = what[: AUDIT_WHAT_LENGTH - 1] + "…"
    return AuditEntry.objects.create(
        kind=kind,
        actor=actor,
        actor_name=display_name(actor),
        what=what,
        object_type=object_type,
        object_id=str(object_id),
        credits=credits,
        details=details or {},
    )


def about_video(
    kind: str, *, actor: AbstractBaseUser, video, credits: Decimal | None = None, **details: object
) -> AuditEntry:
    """An entry about one video (a generation): its prompt as what, its public id as the object."""
    return record(
        kind,
        actor=actor,
        what=video.prompt,
        object_type="video",
        object_id=video.uuid,
        credits=credits,
        details=details,
    )
