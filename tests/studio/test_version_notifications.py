"""Notifications for versions too: a finished 1080P, 4K or extension counts in the tab title, is news in the
page's status answer (the browser notification) and is emailed, as a finished video is."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import pytest
from django.core import mail

from tests.people import client_for, make_generation, make_user
from tests.studio.test_flow import finished, submit
from tests.studio.test_renditions import done, request
from veoui.studio import tasks
from veoui.studio.models import Rendition, Status


def news(response) -> str:
    found = re.search(r'<div id="status-news".*?</div>', response.content.decode(), re.S)
    assert found, response.status_code
    return found.group(0)


@pytest.mark.django_db
def test_a_version_in_the_making_counts_and_its_end_is_news(member, tom) -> None:
    video = make_generation(tom, 60)  # a teammate's video: Maya ordered its 1080P version
    hd = Rendition.objects.create(
        generation=video,
        owner=member,
        kind="1080p",
        status=Status.RUNNING,
        request_token=uuid.uuid4(),
        estimated_credits=Decimal(5),
    )
    client = client_for(member)
    answer = news(client.get("/status/"))
    assert 'data-running="1"' in answer and str(hd.uuid) in answer
    assert client.get("/status/", {"seen": str(hd.uuid)}).status_code == 204  # nothing changed

    Rendition.objects.filter(pk=hd.pk).update(status=Status.SUCCEEDED)
    answer = news(client.get("/status/", {"seen": str(hd.uuid)}))
    assert 'data-running="0"' in answer
    assert f'data-url="/videos/{video.uuid}/#rendition-{hd.uuid}"' in answer
    assert 'data-title="Your 1080P version is ready"' in answer
    assert "lighthouse" in answer.lower()
    assert str(hd.uuid) not in news(client_for(tom).get("/status/", {"seen": str(hd.uuid)}))  # news for the orderer


@pytest.mark.django_db
def test_a_failed_extension_is_news_too(member) -> None:
    video = make_generation(member, 60)
    longer = Rendition.objects.create(
        generation=video, owner=member, kind="extend", status=Status.FAILED, request_token=uuid.uuid4()
    )
    answer = news(client_for(member).get("/status/", {"seen": str(longer.uuid)}))
    assert 'data-title="Your extension could not be made"' in answer


@pytest.fixture
def maya(django_user_model, worker, settings):
    settings.VEOUI_UPGRADE_POLL_INTERVAL = 0.3
    return make_user("maya", email="maya@example.com")


def test_it_emails_the_orderer_once_when_a_version_is_ready(client, maya, worker, kie, settings) -> None:
    settings.PUBLIC_BASE_URL = "https://video.example.com"
    client.force_login(maya)
    video = submit(client, "text")
    worker.wait_for(finished(video))
    worker.wait_for(lambda: len(mail.outbox) == 1)  # the video's own email
    hd = request(client, video, "1080p")
    worker.wait_for(done(hd), timeout=60)
    assert hd.status == Status.SUCCEEDED, hd.error_message
    worker.wait_for(lambda: len(mail.outbox) == 2)
    message = mail.outbox[1]
    assert message.to == ["maya@example.com"] and message.subject == "Your 1080P version is ready"
    assert f"https://video.example.com/videos/{video.uuid}/#rendition-{hd.uuid}" in message.body
    tasks.email_orderer_if_version_finished(hd.pk)  # a duplicate task, a second worker: nothing more
    assert len(mail.outbox) == 2 and Rendition.objects.get(pk=hd.pk).owner_notified_at is not None
