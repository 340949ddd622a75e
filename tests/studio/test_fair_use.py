"""Sharing kie.ai's limit of 20 new videos per 10 s: the workers stay under it and people take turns."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from tests.people import client_for, make_user
from veoui.studio import ratelimit, services
from veoui.studio.models import Generation, Status, SubmitSlot

PEOPLE = ("maya", "tom", "ana")


def create(owner, prompt: str) -> Generation:
    data = {
        "submission_token": uuid.uuid4(),
        "model": "veo3_lite",
        "prompt": prompt,
        "aspect_ratio": "16:9",
        "enable_translation": False,
    }
    return services.create_generation(owner=owner, mode="TEXT_2_VIDEO", data=data, images=[])[0]


@pytest.mark.django_db(transaction=True)
def test_it_sends_30_videos_of_3_people_in_turn_without_a_single_429(worker, kie) -> None:
    people = {name: make_user(name, name.title()) for name in PEOPLE}
    with transaction.atomic():  # all at once: the worker sees the three batches together
        for name, person in people.items():
            for n in range(10):
                create(person, f"{name} video {n}")
    # Until every request has gone out: a video is marked as being sent just before its request leaves.
    waiting = [Status.QUEUED, Status.SUBMITTING]
    worker.wait_for(lambda: not Generation.objects.filter(status__in=waiting).exists(), timeout=60)

    sent = kie.control.requests("generate")
    assert len(sent) == 30
    assert all(entry["answer"] == {"status": 200, "code": 200} for entry in sent), [e["answer"] for e in sent]
    owners = [entry["body"]["prompt"].split()[0] for entry in sent]
    # Round robin: every three consecutive submissions are one of each person's, although Maya's ten came first.
    for start in range(0, 30, 3):
        assert sorted(owners[start : start + 3]) == sorted(PEOPLE), " ".join(owners)
    # And under the limit with a margin: never more than PER_WINDOW requests within any 10 s.
    times = [entry["time"] for entry in sent]
    for i, first in enumerate(times):
        assert sum(1 for t in times[i:] if t - first < ratelimit.WINDOW_SECONDS) <= ratelimit.PER_WINDOW + 1


@pytest.mark.django_db
def test_it_grants_a_slot_at_once_when_nobody_else_waits() -> None:
    maya = make_user("maya", "Maya")
    generation = create(maya, "alone")
    assert ratelimit.take_slot(owner_id=maya.pk, waiting_since=generation.created_at, exclude_pk=generation.pk) is None
    assert SubmitSlot.objects.count() == 1


@pytest.mark.django_db
def test_it_waits_when_the_window_is_full() -> None:
    maya = make_user("maya", "Maya")
    now = timezone.now()
    SubmitSlot.objects.bulk_create(
        SubmitSlot(owner=maya, taken_at=now - timedelta(seconds=9 - n * 0.1)) for n in range(ratelimit.PER_WINDOW)
    )
    wait = ratelimit.take_slot(owner_id=maya.pk, waiting_since=now)
    assert wait is not None and 0.5 < wait < 1.5
    assert SubmitSlot.objects.count() == ratelimit.PER_WINDOW


@pytest.mark.django_db
def test_it_lets_someone_served_less_recently_go_first() -> None:
    maya, tom = make_user("maya", "Maya"), make_user("tom", "Tom")
    toms = create(tom, "tom's")
    mine = create(maya, "maya's")
    SubmitSlot.objects.create(owner=maya, taken_at=timezone.now())
    assert ratelimit.take_slot(owner_id=maya.pk, waiting_since=mine.created_at, exclude_pk=mine.pk) is not None
    assert ratelimit.take_slot(owner_id=tom.pk, waiting_since=toms.created_at, exclude_pk=toms.pk) is None


@pytest.mark.django_db
def test_it_says_how_many_are_ahead(client: Client) -> None:
    tom, maya = make_user("tom", "Tom"), make_user("maya", "Maya")
    for n in range(3):
        create(tom, f"tom {n}")
    mine = create(maya, "mine")
    page = client_for(maya).get(f"/status/?shown={mine.uuid}:0").content.decode()
    assert "Queued: 3 ahead of yours" in page
    first = Generation.objects.filter(owner=tom).order_by("created_at").first()
    assert "Queued: starting in a moment" in client_for(tom).get(f"/status/?shown={first.uuid}:0").content.decode()
