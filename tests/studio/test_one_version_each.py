"""At most one 1080P and one 4K version of a video in the making or made, however many people order at once.

The database holds the rule (a partial unique constraint), and the order is re-checked under the budget lock; the
second person is told who ordered it first, with a link to it, and nothing is spent.
"""

from __future__ import annotations

import uuid

import pytest
from django.db import IntegrityError, transaction

from tests.people import client_for, make_generation, make_user, text
from tests.studio.spending import form_posting_to, spent_this_month, together
from tests.studio.test_flow import finished, submit
from veoui.studio.models import Rendition, Status


def order_form(client, video) -> dict:
    return form_posting_to(client, f"/videos/{video.uuid}/", f"/videos/{video.uuid}/renditions/", kind="4k")


@pytest.mark.django_db
def test_it_tells_the_second_person_who_ordered_it_first_and_spends_nothing() -> None:
    maya, tom = make_user("maya", "Maya"), make_user("tom", "Tom")
    video = make_generation(maya, 60, status=Status.SUCCEEDED, actual=60, kie_task_id="a" * 32)
    maya_client, tom_client = client_for(maya), client_for(tom)
    maya_form, tom_form = order_form(maya_client, video), order_form(tom_client, video)  # two pages open at once
    maya_client.post(maya_form["action"], maya_form["fields"])
    first = Rendition.objects.get()

    response = tom_client.post(tom_form["action"], tom_form["fields"])

    assert response["Location"] == f"/videos/{video.uuid}/#rendition-{first.uuid}"
    page = tom_client.get(response["Location"])
    assert "Maya already ordered the 4K version of this video, so nothing more was spent." in text(page)
    assert f'<a href="#rendition-{first.uuid}">See it</a>' in page.content.decode()
    assert Rendition.objects.count() == 1 and spent_this_month(tom) == 0 and spent_this_month(maya) == 180


@pytest.mark.django_db
def test_it_lets_a_version_be_ordered_again_after_it_failed() -> None:
    maya = make_user("maya", "Maya")
    video = make_generation(maya, 60, status=Status.SUCCEEDED, actual=60, kie_task_id="a" * 32)
    Rendition.objects.create(generation=video, owner=maya, kind="4k", request_token=uuid.uuid4(), status="failed")
    client = client_for(maya)
    form = order_form(client, video)
    client.post(form["action"], form["fields"])
    assert list(Rendition.objects.order_by("pk").values_list("status", flat=True)) == ["failed", "queued"]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["1080p", "4k"])
def test_the_database_refuses_a_second_live_version_of_a_kind(kind) -> None:
    maya = make_user("maya", "Maya")
    video = make_generation(maya, 60, kie_task_id="a" * 32)
    Rendition.objects.create(generation=video, owner=maya, kind=kind, request_token=uuid.uuid4())
    with pytest.raises(IntegrityError), transaction.atomic():
        Rendition.objects.create(generation=video, owner=maya, kind=kind, request_token=uuid.uuid4())
    Rendition.objects.create(generation=video, owner=maya, kind="extend", request_token=uuid.uuid4())
    Rendition.objects.create(generation=video, owner=maya, kind="extend", request_token=uuid.uuid4())
    assert Rendition.objects.count() == 3


def test_it_makes_one_4k_and_one_upstream_call_for_twenty_simultaneous_orders(worker, kie, settings) -> None:
    settings.VEOUI_UPGRADE_POLL_INTERVAL = 0.3
    people = [make_user(f"member{n}", f"Member {n}") for n in range(4)]
    video = submit(client_for(people[0]), "text")
    worker.wait_for(finished(video))
    clients = [client_for(people[n % 4]) for n in range(20)]
    forms = [order_form(client, video) for client in clients]  # twenty pages, twenty different tokens
    assert len({form["fields"]["request_token"] for form in forms}) == 20

    def press(index: int) -> tuple[int, str]:
        response = clients[index].post(forms[index]["action"], forms[index]["fields"])
        return response.status_code, response["Location"]

    answers = together(20, press)

    rendition = Rendition.objects.get()
    assert set(answers) == {(302, f"/videos/{video.uuid}/#rendition-{rendition.uuid}")}
    worker.wait_for(lambda: Rendition.objects.get(pk=rendition.pk).is_terminal, timeout=60)
    started = [r for r in kie.control.requests("get-4k-video") if r["answer"] and r["answer"]["code"] == 200]
    assert len(started) == 1
    assert sum(spent_this_month(person) for person in people) == 60 + 120
    for person in people:
        if person != rendition.owner:
            assert spent_this_month(person) == (60 if person == people[0] else 0)
