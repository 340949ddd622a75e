"""Notices: the account menu's Notices link with its unread count (read once per full page, never by the status
check), the page that lists them with a link to the video at the comment's moment, and marks them read."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.people import client_for, make_generation, text
from veoui.review import services
from veoui.review.models import Notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def video(maya):
    return make_generation(maya, 60, prompt="A lantern festival at night")


def unread_in_menu(page: str) -> int:
    found = re.search(r'href="/notices/">Notices(?: <span class="count-badge">(\d+))?', page)
    assert found, "no Notices link in the account menu"
    return int(found.group(1) or 0)


def test_the_owner_sees_the_count_opens_the_notices_and_they_are_read(maya, tom, video) -> None:
    comment = services.add_comment(video, "The lanterns flicker", at_seconds=Decimal("4.5"), author=tom)
    services.set_state(video, "in_review", by=tom)
    client = client_for(maya)
    assert unread_in_menu(client.get("/gallery/").content.decode()) == 2
    assert unread_in_menu(client_for(tom).get("/gallery/").content.decode()) == 0

    response = client.get("/notices/")
    page = text(response)
    assert response.status_code == 200 and unread_in_menu(page) == 0
    assert "Tom commented at 0:04" in page and "Tom set the review to In review" in page
    assert page.count('badge--new">New</span>') == 2  # as they were when the page was opened
    assert f'href="/videos/{video.uuid}/?t=4.5#comment-{comment.uuid}"' in page
    assert Notice.objects.filter(recipient=maya, read_at__isnull=True).count() == 0
    assert 'badge--new">New</span>' not in text(client.get("/notices/"))


def test_nobody_sees_anyone_elses_notices(maya, tom, video) -> None:
    services.add_comment(video, "Secret remark about the lanterns", author=tom)
    page = text(client_for(tom).get("/notices/"))
    assert "Secret remark" not in page and "No notices yet." in page
    assert Notice.objects.get().read_at is None  # Tom's visit read nothing of Maya's


def test_a_deleted_videos_notices_leave_the_list_and_the_count(maya, tom, video) -> None:
    services.add_comment(video, "Nice", author=tom)
    video.__class__.objects.filter(pk=video.pk).update(deleted_at=video.created_at)
    client = client_for(maya)
    assert unread_in_menu(client.get("/gallery/").content.decode()) == 0
    assert "Nice" not in text(client.get("/notices/"))


@pytest.mark.parametrize("changed", [False, True], ids=["204", "200"])
def test_the_status_check_never_reads_the_notices(maya, tom, video, changed) -> None:
    running = make_generation(maya, 60, status="running")
    client = client_for(maya)
    query = {"shown": f"{running.uuid}:{'stale' if changed else running.fingerprint()}", "seen": str(running.uuid)}

    def status_queries() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/status/", query, headers={"HX-Request": "true"})
        assert response.status_code == (200 if changed else 204)
        return [q["sql"] for q in captured]

    before = status_queries()
    for n in range(5):
        services.add_comment(video, f"Comment {n}", author=tom)
    after = status_queries()
    assert len(after) == len(before)
    assert not [sql for sql in after if "review_notice" in sql]
