"""“Send it again” is a spend: its price in credits and dollars, the budget checked and reserved, booked twice.

kie.ai may bill the first send (its answer was lost) and the second. Owner (Maya), teammate (Tom); the simulator
over real HTTP, the worker running; the database and the simulator's request log checked after every POST.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.people import client_for, text
from tests.studio.spending import form_posting_to, spent_this_month
from tests.studio.test_flow import finished, submit
from veoui.studio.models import Generation, Rendition, Resend, Status
from veoui.team import budgets
from veoui.team.models import Membership


@pytest.fixture
def unconfirmed(maya, worker, kie, settings) -> Generation:
    """A video whose generate request left and whose answer never came back."""
    settings.KIE_READ_TIMEOUT = 1.0
    kie.control.add_fault("generate", "hang_after", seconds=5, times=1)
    generation = submit(client_for(maya), "text")
    worker.wait_for(finished(generation))
    assert generation.status == Status.UNCONFIRMED
    return generation


def resend_form(client: Client, generation: Generation) -> dict:
    return form_posting_to(client, f"/videos/{generation.uuid}/", f"/videos/{generation.uuid}/resubmit/")


def test_it_shows_the_price_and_books_the_second_send_as_a_second_spend(maya, unconfirmed, worker, kie) -> None:
    client = client_for(maya)
    form = resend_form(client, unconfirmed)
    assert form["buttons"] == ["Send it again (60 credits, about $0.30)"]
    assert spent_this_month(maya) == 60  # the first send may have been billed

    response = client.post(form["action"], form["fields"])

    assert response.status_code == 302
    resend = Resend.objects.get()
    assert (resend.owner, resend.generation, resend.rendition, resend.estimated_credits) == (
        maya,
        unconfirmed,
        None,
        60,
    )
    assert spent_this_month(maya) == 120
    worker.wait_for(finished(unconfirmed))
    assert unconfirmed.status == Status.SUCCEEDED
    assert len(kie.control.requests("generate")) == 2
    start = budgets.month_start()
    usage = budgets.monthly_usage(start, budgets.next_month(start))[(maya.pk, start.date())]
    assert (usage.credits, usage.items) == (120, 2)  # kie.ai may bill both: usage counts both


def test_it_sends_again_once_however_often_the_button_is_pressed(maya, unconfirmed, worker, kie) -> None:
    client = client_for(maya)
    form = resend_form(client, unconfirmed)
    for _ in range(5):
        client.post(form["action"], form["fields"])
    worker.wait_for(finished(unconfirmed))
    client.post(form["action"], form["fields"])  # long after, from a page kept open
    assert Resend.objects.count() == 1 and spent_this_month(maya) == 120
    assert len(kie.control.requests("generate")) == 2


def test_it_answers_htmx_with_the_card_and_keeps_the_spend_once(maya, unconfirmed, worker) -> None:
    client = client_for(maya)
    form = resend_form(client, unconfirmed)
    card = client.post(form["action"], form["fields"], headers={"HX-Request": "true"})
    assert card.status_code == 200 and f'id="generation-{unconfirmed.uuid}"' in card.content.decode()
    assert Resend.objects.count() == 1


def test_it_refuses_to_send_again_over_budget(maya, unconfirmed, kie) -> None:
    Membership.objects.filter(user=maya).update(monthly_budget=100)
    client = client_for(maya)
    form = resend_form(client, unconfirmed)
    card = client.post(form["action"], form["fields"], headers={"HX-Request": "true"})
    assert "left of your budget" in text(card)
    page = client.post(form["action"], form["fields"], follow=True)
    assert "left of your budget" in text(page)
    unconfirmed.refresh_from_db()
    assert unconfirmed.status == Status.UNCONFIRMED and not Resend.objects.exists()
    assert spent_this_month(maya) == 60
    assert len(kie.control.requests("generate")) == 1


def test_it_lets_only_the_owner_or_an_admin_send_it_again(maya, tom, unconfirmed, kie) -> None:
    form = resend_form(client_for(maya), unconfirmed)
    assert client_for(tom).post(form["action"], form["fields"]).status_code == 403
    unconfirmed.refresh_from_db()
    assert unconfirmed.status == Status.UNCONFIRMED and not Resend.objects.exists()
    assert spent_this_month(tom) == 0 and len(kie.control.requests("generate")) == 1


def test_it_keeps_both_sends_counted_after_the_video_is_deleted(maya, unconfirmed, worker) -> None:
    client = client_for(maya)
    form = resend_form(client, unconfirmed)
    client.post(form["action"], form["fields"])
    worker.wait_for(finished(unconfirmed))
    client.post(f"/videos/{unconfirmed.uuid}/delete/")
    assert Generation.objects.get().deleted_at is not None
    assert spent_this_month(maya) == 120


def test_it_prices_and_books_sending_a_version_again(maya, worker, kie, settings) -> None:
    settings.VEOUI_UPGRADE_POLL_INTERVAL = 0.3
    client = client_for(maya)
    video = submit(client, "text")
    worker.wait_for(finished(video))
    settings.KIE_READ_TIMEOUT = 1.0
    kie.control.add_fault("extend", "hang_after", seconds=5, times=1)
    offer = form_posting_to(client, f"/videos/{video.uuid}/", f"/videos/{video.uuid}/renditions/", kind="extend")
    client.post(offer["action"], {**offer["fields"], "prompt": "Then it snows", "model": "veo3_lite"})
    extension = Rendition.objects.get()
    worker.wait_for(lambda: Rendition.objects.get(pk=extension.pk).status == Status.UNCONFIRMED)
    assert spent_this_month(maya) == 60 + 30

    form = form_posting_to(client, f"/videos/{video.uuid}/", f"/renditions/{extension.uuid}/resubmit/")
    assert form["buttons"] == ["Send it again (30 credits, about $0.15)"]
    client.post(form["action"], form["fields"])
    client.post(form["action"], form["fields"])

    resend = Resend.objects.get()
    assert (resend.generation, resend.rendition, resend.estimated_credits) == (video, extension, 30)
    assert spent_this_month(maya) == 60 + 30 + 30
    worker.wait_for(lambda: Rendition.objects.get(pk=extension.pk).is_terminal, timeout=60)
    assert Rendition.objects.get().status == Status.SUCCEEDED
    assert len(kie.control.requests("extend")) == 2
