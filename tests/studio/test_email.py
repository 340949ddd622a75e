"""An email to the owner when their video is finished, sent once by the worker; none without an address."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from tests.people import make_user
from tests.studio.test_flow import finished, submit
from veoui.studio import tasks
from veoui.studio.models import Generation, Status


@pytest.fixture
def maya(django_user_model, worker):
    return make_user("maya", email="maya@example.com")


def test_it_emails_the_owner_once_when_the_video_is_ready(client: Client, maya, worker, kie, settings) -> None:
    settings.PUBLIC_BASE_URL = "https://video.example.com"
    client.force_login(maya)
    generation = submit(client, "text")
    worker.wait_for(finished(generation))
    worker.wait_for(lambda: len(mail.outbox) == 1)
    [message] = mail.outbox
    assert message.to == ["maya@example.com"] and message.subject == "Your video is ready"
    assert f"https://video.example.com/videos/{generation.uuid}/" in message.body
    tasks.email_owner_if_finished(generation.pk)  # a duplicate task, a second worker: nothing more
    assert len(mail.outbox) == 1


def test_it_emails_when_kie_refuses_it(client: Client, maya, worker, kie) -> None:
    kie.control.add_fault("generate", "body_code", code=422, msg="Your prompt was flagged")
    client.force_login(maya)
    generation = submit(client, "text")
    worker.wait_for(finished(generation))
    assert generation.status == Status.FAILED
    worker.wait_for(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].subject == "Your video could not be made"


def test_it_sends_nothing_to_people_without_an_address(client: Client, django_user_model, worker, kie) -> None:
    tom = make_user("tom")
    client.force_login(tom)
    generation = submit(client, "text")
    worker.wait_for(finished(generation))
    assert mail.outbox == [] and Generation.objects.get().owner_notified_at is None
