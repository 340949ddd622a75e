"""An email for each notice, when the site sends email and the owner has an address: once, however often the
task runs, in plain words with the link."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from tests.people import make_generation, make_user
from veoui.review import services, tasks
from veoui.review.models import Notice
from veoui.team.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def maya(db):
    return make_user("maya", "Maya", email="maya@example.com")


@pytest.fixture
def video(maya):
    return make_generation(maya, 60, prompt="A snow globe being shaken")


@pytest.fixture(autouse=True)
def sending(settings) -> None:
    settings.VEOUI_EMAIL_OWNERS = True
    settings.PUBLIC_BASE_URL = "https://video.example.com"


def run_queued() -> None:
    """What the worker does with the queued email tasks (each run twice: a duplicate, a second worker)."""
    for row in DBTaskResult.objects.filter(task_path="veoui.review.tasks.email_notice"):
        for _ in range(2):
            tasks.email_notice.call(**row.args_kwargs["kwargs"])


def test_it_emails_the_owner_once_per_comment(maya, tom, video, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        comment = services.add_comment(video, "Shake it slower", at_seconds=Decimal(2), author=tom)
    run_queued()
    [message] = mail.outbox
    assert message.to == ["maya@example.com"] and message.subject == "A new comment on your video"
    assert "Tom commented on “A snow globe being shaken”" in message.body and "Shake it slower" in message.body
    assert f"https://video.example.com/videos/{video.uuid}/?t=2#comment-{comment.uuid}" in message.body
    assert Notice.objects.get().emailed_at is not None


def test_it_emails_a_review_state_set_by_someone_else(maya, tom, video, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.set_state(video, "approved", by=tom)
        services.set_state(video, "approved", by=tom)  # no change: no notice, no email
    run_queued()
    [message] = mail.outbox
    assert message.subject == "The review of your video changed"
    assert "Tom set the review of “A snow globe being shaken” to Approved." in message.body


def test_it_emails_nothing_for_the_owners_own_comment(maya, video, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.add_comment(video, "Mine", author=maya)
    run_queued()
    assert mail.outbox == [] and DBTaskResult.objects.count() == 0


def test_it_emails_nobody_without_an_address_or_when_the_site_sends_none(
    settings, tom, django_capture_on_commit_callbacks
) -> None:
    sam = make_user("sam", "Sam")
    with django_capture_on_commit_callbacks(execute=True):
        services.add_comment(make_generation(sam, 60), "Hi", author=tom)
    run_queued()
    assert mail.outbox == [] and Notice.objects.get().emailed_at is None

    settings.VEOUI_EMAIL_OWNERS = False
    lea = make_user("lea", "Lea", email="lea@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        services.add_comment(make_generation(lea, 60), "Hi", author=tom)
    run_queued()
    assert mail.outbox == []


def test_it_writes_in_the_owners_language(maya, tom, video, django_capture_on_commit_callbacks) -> None:
    Membership.objects.filter(user=maya).update(language="es")
    with django_capture_on_commit_callbacks(execute=True):
        services.set_state(video, "approved", by=tom)
    run_queued()
    [message] = mail.outbox
    assert message.subject == "La revisión de tu video cambió" and "Aprobado" in message.body
