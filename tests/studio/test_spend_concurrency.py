"""Twenty simultaneous POSTs of one spending form (a double click, a resent form, several tabs): one record.

Real threads, each with its own test client and database connection, against the real database (SQLite or
PostgreSQL). The person's budget has room for exactly one more spend, so any POST that was not recognised as the
same form would be refused as over budget; every one of the twenty must land on the same result instead.
"""

from __future__ import annotations

import uuid

import pytest

from tests.people import client_for, make_generation, make_user
from tests.studio.spending import form_posting_to, spent_this_month, together
from veoui.studio.models import Generation, Rendition, Resend, Status
from veoui.team.models import Membership

pytestmark = pytest.mark.django_db(transaction=True)
PRESSES = 20


def press_together(owner, action: str, fields: dict) -> set[tuple[int, str]]:
    clients = [client_for(owner) for _ in range(PRESSES)]

    def press(index: int) -> tuple[int, str]:
        response = clients[index].post(action, fields)
        return response.status_code, response.get("Location", "")

    return set(together(PRESSES, press))


def room_for_one_more(owner, credits: int) -> None:
    Membership.objects.filter(user=owner).update(monthly_budget=spent_this_month(owner) + credits)


@pytest.mark.parametrize("count", [1, 3])
def test_it_makes_one_video_or_one_group_for_twenty_generates(count) -> None:
    maya = make_user("maya", "Maya")
    room_for_one_more(maya, 60 * count)
    fields = {
        "submission_token": str(uuid.uuid4()),
        "prompt": "A lighthouse in a storm",
        "model": "veo3_fast",
        "aspect_ratio": "16:9",
        "count": str(count),
    }
    [(status, location)] = press_together(maya, "/studio/text/", fields)
    assert status == 302 and Generation.objects.count() == count
    assert location == f"/videos/{Generation.objects.get(submission_token=fields['submission_token']).uuid}/"
    assert spent_this_month(maya) == 60 * count


@pytest.mark.parametrize("action", ["rerun", "vary", "retry"])
def test_it_makes_one_video_for_twenty_presses_of_a_button(action) -> None:
    maya = make_user("maya", "Maya")
    status = Status.FAILED if action == "retry" else Status.SUCCEEDED
    source = make_generation(maya, 60, status=status, error_transient=True, actual=60 if action != "retry" else None)
    room_for_one_more(maya, 60)
    form = form_posting_to(client_for(maya), f"/videos/{source.uuid}/", f"/videos/{source.uuid}/{action}/")
    [(code, location)] = press_together(maya, form["action"], form["fields"])
    new = Generation.objects.exclude(pk=source.pk).get()
    assert (code, location) == (302, f"/videos/{new.uuid}/")


@pytest.mark.parametrize(
    ("kind", "extra", "credits"),
    [("1080p", {}, 5), ("4k", {}, 120), ("extend", {"prompt": "Then it rains", "model": "veo3_fast"}, 60)],
)
def test_it_orders_one_version_for_twenty_presses(kind, extra, credits) -> None:
    maya = make_user("maya", "Maya")
    video = make_generation(maya, 60, actual=60, kie_task_id="f" * 32)
    room_for_one_more(maya, credits)
    form = form_posting_to(client_for(maya), f"/videos/{video.uuid}/", f"/videos/{video.uuid}/renditions/", kind=kind)
    [(code, location)] = press_together(maya, form["action"], {**form["fields"], **extra})
    rendition = Rendition.objects.get()
    assert (code, location) == (302, f"/videos/{video.uuid}/#rendition-{rendition.uuid}")
    assert spent_this_month(maya) == 60 + credits


@pytest.mark.parametrize("what", ["video", "version"])
def test_it_sends_again_once_for_twenty_presses(what) -> None:
    maya = make_user("maya", "Maya")
    if what == "video":
        work = make_generation(maya, 60, status=Status.UNCONFIRMED)
        action, page = f"/videos/{work.uuid}/resubmit/", f"/videos/{work.uuid}/"
    else:
        video = make_generation(maya, 60, actual=60, kie_task_id="a1" * 16)
        work = Rendition.objects.create(
            generation=video,
            owner=maya,
            kind="extend",
            model="veo3_fast",
            request_token=uuid.uuid4(),
            status=Status.UNCONFIRMED,
            estimated_credits=60,
        )
        action, page = f"/renditions/{work.uuid}/resubmit/", f"/videos/{video.uuid}/"
    room_for_one_more(maya, 60)
    form = form_posting_to(client_for(maya), page, action)
    [(code, _location)] = press_together(maya, form["action"], form["fields"])
    assert code == 302 and Resend.objects.count() == 1
    work.refresh_from_db()
    assert work.status == Status.QUEUED
