"""One slow download never holds the others: while one video's file trickles in, the next is submitted, checked
and saved."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from tests.people import make_user
from tests.studio.test_flow import submit
from veoui.studio import tasks
from veoui.studio.models import Generation, Status


@pytest.fixture
def logged_in(client: Client, worker) -> Client:
    client.force_login(make_user("maya"))
    return client


def archived(generation: Generation):
    return lambda: Generation.objects.filter(pk=generation.pk, status=Status.SUCCEEDED).exclude(video="").exists()


def test_a_held_download_does_not_hold_up_the_next_video(logged_in, worker, kie) -> None:
    kie.control.add_fault("files", "trickle", head_bytes=4096, every=0.1)
    first = submit(logged_in, "text", prompt="A slow river")
    worker.wait_for(lambda: any(entry["fault"] == "trickle" for entry in kie.control.requests("files")))
    assert Generation.objects.get(pk=first.pk).status == Status.ARCHIVING

    second = submit(logged_in, "text", prompt="A quick fox")
    worker.wait_for(archived(second))
    assert Generation.objects.get(pk=first.pk).status == Status.ARCHIVING  # still trickling in
    assert kie.control.requests("record-info")  # it was checked while the first one's file was held

    kie.control.release()
    worker.wait_for(archived(first))
    first.refresh_from_db()
    assert hashlib.sha256(first.video.read()).hexdigest() == first.video_sha256
    assert first.archive_attempts == 1  # the held download was finished, not given up and tried again
    queues = set(
        DBTaskResult.objects.filter(task_path__endswith="archive_generation").values_list("queue_name", flat=True)
    )
    assert queues == {tasks.ARCHIVE_QUEUE}
