"""The people of the tests and what they make: members, their logged-in clients, and generations as saved.

The personas themselves (Alex the admin, Maya the member, Otto who left, Tom her teammate) are fixtures in
tests/conftest.py; modules that need someone else call make_user.
"""

from __future__ import annotations

import html
import uuid
from datetime import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from veoui.studio.models import Generation, Status
from veoui.team import people
from veoui.team.models import Role

PASSWORD = "correct-horse-battery"


def make_user(username: str, first_name: str = "", *, role: str = Role.MEMBER, active: bool = True, **fields) -> object:
    """A member (or an admin) with PASSWORD; ``fields``: any other of the user, such as ``email``."""
    user = get_user_model().objects.create_user(username, password=PASSWORD, first_name=first_name, **fields)
    if role == Role.ADMIN:
        people.apply_role(user, Role.ADMIN)
    if not active:
        user.is_active = False
        user.save()
    return user


def client_for(user: object) -> Client:
    """A test client logged in as ``user``."""
    client = Client()
    client.force_login(user)
    return client


def make_generation(
    owner: object,
    credits: int | str,
    *,
    status: str = Status.SUCCEEDED,
    actual: int | str | None = None,
    created_at: datetime | None = None,
    **fields: object,
) -> Generation:
    """A generation as the studio saves it, without going through kie.ai: for counting spend (``fields``: any other)."""
    values = {
        "mode": "TEXT_2_VIDEO",
        "model": "veo3_fast",
        "prompt": "A lighthouse in a storm",
        "aspect_ratio": "16:9",
        "submission_token": uuid.uuid4(),
        **fields,
    }
    return Generation.objects.create(
        owner=owner,
        status=status,
        estimated_credits=Decimal(credits),
        actual_credits=None if actual is None else Decimal(actual),
        created_at=created_at or timezone.now(),
        **values,
    )


# A failure that can pass: kie.ai was busy (its message and next step, as the worker saves them).
BUSY_FAILURE = {
    "status": Status.FAILED,
    "error_message": "kie.ai is very busy right now.",
    "error_next_step": "Try again in a few minutes.",
    "error_transient": True,
}


def make_busy_failure(owner: object, prompt: str = "A storm over the harbour") -> Generation:
    """A video that failed because kie.ai was busy: Try again can make it."""
    return make_generation(owner, 60, prompt=prompt, **BUSY_FAILURE)


def text(response: object) -> str:
    """The page as a person reads it (entities such as &#x27; decoded)."""
    return html.unescape(response.content.decode())
