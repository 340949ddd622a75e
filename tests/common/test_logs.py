"""Logs: one line per event, naming the generation, and never the kie.ai key, even when things go wrong."""

from __future__ import annotations

import logging
import uuid

from django.test import Client

from tests.conftest import TEST_KIE_API_KEY
from tests.people import make_user
from veoui.studio import tasks
from veoui.studio.models import Generation, Status


def test_it_never_logs_the_key_while_making_a_video_through_trouble(
    worker, kie, client: Client, django_user_model, caplog, monkeypatch
) -> None:
    assert kie.api_key == TEST_KIE_API_KEY
    caplog.set_level(logging.DEBUG)  # everything, from every library
    monkeypatch.setattr(tasks, "retry_delay", lambda attempts: 0.2, raising=False)
    kie.control.add_fault("generate", "body_code", code=429, times=1)
    kie.control.add_fault("record-info", "malformed_json", times=1)
    client.force_login(make_user("maya"))
    response = client.post(
        "/studio/text/",
        {"submission_token": str(uuid.uuid4()), "prompt": "A fox in the snow", "model": "veo3_fast",
         "aspect_ratio": "16:9"},
    )  # fmt: skip
    assert response.status_code == 302
    generation = Generation.objects.get()
    worker.wait_for(lambda: Generation.objects.get(pk=generation.pk).status in {Status.SUCCEEDED, Status.FAILED})
    generation.refresh_from_db()
    assert generation.status == Status.SUCCEEDED, generation.error_message
    assert len(kie.control.requests("generate")) == 2  # the 429 was really met, and retried

    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    lines = [formatter.format(record) for record in caplog.records]
    assert len(lines) > 10
    leaks = [line for line in lines if TEST_KIE_API_KEY in line]
    assert leaks == []
    for record in caplog.records:
        assert TEST_KIE_API_KEY not in repr(record.__dict__)

    # One line per event, each naming the generation it is about.
    about_generation = [r.getMessage() for r in caplog.records if r.name.startswith("veoui.studio")]
    assert about_generation and all("\n" not in message for message in about_generation)
    assert all(str(generation.uuid) in message for message in about_generation), about_generation
