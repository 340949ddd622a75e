"""Every finished video is copied into veoui's storage; when that fails, the page says so and veoui keeps trying."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client

from tests.people import make_user
from tests.studio.test_flow import finished, submit
from veoui.studio.models import Generation, Status


@pytest.fixture
def logged_in(client: Client, worker, django_user_model, settings) -> Client:
    settings.VEOUI_ARCHIVE_RETRY_BASE = 0.5
    client.force_login(make_user("maya"))
    return client


def test_it_archives_with_a_checksum_that_matches_the_file(logged_in, worker) -> None:
    generation = submit(logged_in, "text")
    worker.wait_for(finished(generation))
    data = generation.video.read()
    assert hashlib.sha256(data).hexdigest() == generation.video_sha256
    assert len(data) == generation.video_size
    assert generation.poster


def test_it_shows_the_expiry_and_archives_once_kie_serves_the_file_again(logged_in, worker, kie) -> None:
    kie.control.configure(result_files_unavailable=True)
    kie.control.add_fault("download-url", "body_code", code=500, times=0)
    generation = submit(logged_in, "text")
    worker.wait_for(finished(generation))
    assert generation.status == Status.SUCCEEDED and not generation.video
    page = logged_in.get(f"/videos/{generation.uuid}/").content.decode()
    assert "Only on kie.ai: expires in 14 days" in page
    assert "Try saving it now" in page
    worker.wait_for(lambda: Generation.objects.get(pk=generation.pk).archive_attempts >= 3)  # it keeps trying

    kie.control.configure(result_files_unavailable=False)
    kie.control.clear_faults()
    worker.wait_for(lambda: bool(Generation.objects.get(pk=generation.pk).video), timeout=30)
    generation.refresh_from_db()
    assert hashlib.sha256(generation.video.read()).hexdigest() == generation.video_sha256
    assert "Only on kie.ai" not in logged_in.get(f"/videos/{generation.uuid}/").content.decode()


def test_it_gets_a_fresh_link_when_kies_first_one_died(logged_in, worker, kie) -> None:
    kie.control.configure(result_files_unavailable=True)  # download-url still hands out working links
    generation = submit(logged_in, "text")
    worker.wait_for(finished(generation))
    assert generation.video and generation.archive_attempts == 1
    assert kie.control.requests("download-url")


def test_it_retries_at_once_when_the_member_asks(logged_in, worker, kie, settings) -> None:
    settings.VEOUI_ARCHIVE_RETRY_BASE = 600  # the automatic retry is far away
    kie.control.configure(result_files_unavailable=True)
    kie.control.add_fault("download-url", "body_code", code=500, times=0)
    generation = submit(logged_in, "text")
    worker.wait_for(finished(generation))
    assert not generation.video
    kie.control.configure(result_files_unavailable=False)
    kie.control.clear_faults()
    response = logged_in.post(f"/videos/{generation.uuid}/archive/")
    assert response.status_code == 302
    worker.wait_for(lambda: bool(Generation.objects.get(pk=generation.pk).video), timeout=20)


def test_it_stops_trying_once_kie_has_deleted_it(logged_in, worker, kie) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from veoui.studio import tasks

    kie.control.configure(result_files_unavailable=True)
    kie.control.add_fault("download-url", "body_code", code=500, times=0)
    generation = submit(logged_in, "text")
    worker.wait_for(finished(generation))
    Generation.objects.filter(pk=generation.pk).update(finished_at=timezone.now() - timedelta(days=15))
    generation.refresh_from_db()
    tasks.archive_work(generation)
    generation.refresh_from_db()
    assert generation.archive_gone and generation.next_check_at is None
    assert "kie.ai no longer has this video" in logged_in.get(f"/videos/{generation.uuid}/").content.decode()
