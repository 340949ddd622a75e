"""kie.ai deletes uploaded pictures after 3 days: a send made later uploads veoui's own copy again.

The clock of the check is moved by dating the upload back in the database; the simulator's upload log says
whether a second upload went out, and the generate request which address it sent.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.people import client_for
from tests.studio.spending import form_posting_to
from tests.studio.test_flow import finished, submit
from tests.support import picture
from veoui.studio import tasks
from veoui.studio.models import Generation, InputImage, Status


def with_a_picture(client) -> Generation:
    return submit(client, "frames", image_1=picture(1280, 720, name="first.png"))


def date_upload_back(generation: Generation, hours: float) -> None:
    InputImage.objects.filter(generation=generation).update(uploaded_at=timezone.now() - timedelta(hours=hours))


def sent_addresses(kie) -> list[list[str]]:
    return [entry["body"]["imageUrls"] for entry in kie.control.requests("generate")]


@pytest.fixture
def unconfirmed(maya, worker, kie, settings) -> Generation:
    settings.KIE_READ_TIMEOUT = 1.0
    kie.control.add_fault("generate", "hang_after", seconds=5, times=1)
    generation = with_a_picture(client_for(maya))
    worker.wait_for(finished(generation))
    assert generation.status == Status.UNCONFIRMED
    assert len(kie.control.requests("upload-stream")) == 1
    return generation


def send_again(maya, generation: Generation) -> None:
    client = client_for(maya)
    form = form_posting_to(client, f"/videos/{generation.uuid}/", f"/videos/{generation.uuid}/resubmit/")
    assert client.post(form["action"], form["fields"]).status_code == 302


def test_it_records_when_each_picture_was_uploaded(maya, worker, kie) -> None:
    before = timezone.now()
    generation = with_a_picture(client_for(maya))
    worker.wait_for(finished(generation))
    image = generation.images.get()
    assert image.uploaded_url and before <= image.uploaded_at <= timezone.now()
    assert sent_addresses(kie) == [[image.uploaded_url]]


def test_it_uploads_again_when_a_video_is_sent_again_days_later(maya, unconfirmed, worker, kie) -> None:
    date_upload_back(unconfirmed, hours=49)
    send_again(maya, unconfirmed)
    worker.wait_for(finished(unconfirmed))
    assert unconfirmed.status == Status.SUCCEEDED, unconfirmed.error_message
    assert len(kie.control.requests("upload-stream")) == 2  # from veoui's own copy
    image = unconfirmed.images.get()
    assert timezone.now() - image.uploaded_at < timedelta(minutes=1)
    assert sent_addresses(kie)[-1] == [image.uploaded_url]


def test_it_reuses_an_upload_kie_still_keeps(maya, unconfirmed, worker, kie) -> None:
    date_upload_back(unconfirmed, hours=47)
    send_again(maya, unconfirmed)
    worker.wait_for(finished(unconfirmed))
    assert unconfirmed.status == Status.SUCCEEDED
    assert len(kie.control.requests("upload-stream")) == 1
    assert sent_addresses(kie)[0] == sent_addresses(kie)[1]


def test_it_uploads_again_when_kie_was_busy_for_long(maya, worker, kie, monkeypatch) -> None:
    monkeypatch.setattr(tasks, "retry_delay", lambda attempts: 2.0)
    kie.control.add_fault("generate", "body_code", code=429, times=1)
    generation = with_a_picture(client_for(maya))
    worker.wait_for(
        lambda: Generation.objects.filter(pk=generation.pk, status=Status.QUEUED, error_transient=True).exists()
    )
    date_upload_back(generation, hours=72)  # waited for kie.ai that long
    worker.wait_for(finished(generation))
    assert generation.status == Status.SUCCEEDED
    assert len(kie.control.requests("upload-stream")) == 2
    assert len(kie.control.requests("generate")) == 2
