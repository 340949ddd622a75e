"""Every button that spends says what it costs, in credits and dollars, at today's prices."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import pytest

from tests.people import client_for, make_generation
from tests.studio.spending import forms
from veoui.studio.models import Pricing, Rendition, Status

pytestmark = pytest.mark.django_db
SPENDING = re.compile(r"/(rerun|vary|retry|resubmit|renditions)/$")
PRICED = re.compile(r"\d+ credits,? \(?about \$\d+\.\d\d\)?")


def spending_buttons(client, generation) -> list[str]:
    page = client.get(f"/videos/{generation.uuid}/").content.decode()
    return [button for form in forms(page) if SPENDING.search(form["action"]) for button in form["buttons"]]


def test_it_prices_every_button_of_a_finished_video(maya) -> None:
    video = make_generation(maya, 60, status=Status.SUCCEEDED, kie_task_id="c" * 32)
    buttons = spending_buttons(client_for(maya), video)
    assert buttons == [
        "Re-run (60 credits, about $0.30)",
        "Vary the seed (60 credits, about $0.30)",
        "Make it for 5 credits (about $0.03)",
        "Make it for 120 credits (about $0.60)",
        "Extend with Fast: 60 credits (about $0.30)",
        "Extend with Lite: 30 credits (about $0.15)",
        "Extend with Quality: 250 credits (about $1.25)",
    ]


def test_it_prices_try_again_and_send_it_again(maya) -> None:
    failed = make_generation(maya, 60, status=Status.FAILED, error_transient=True, model="veo3")
    unconfirmed = make_generation(maya, 30, status=Status.UNCONFIRMED, model="veo3_lite")
    video = make_generation(maya, 60, status=Status.SUCCEEDED, kie_task_id="d" * 32)
    Rendition.objects.create(
        generation=video, owner=maya, kind="4k", request_token=uuid.uuid4(), status=Status.UNCONFIRMED
    )
    client = client_for(maya)
    # A failure that can pass offers Try again alone (Re-run and Vary would make the same video again).
    assert spending_buttons(client, failed) == ["Try again (250 credits, about $1.25)"]
    assert spending_buttons(client, unconfirmed)[0] == "Send it again (30 credits, about $0.15)"
    assert "Send it again (120 credits, about $0.60)" in spending_buttons(client, video)


def test_it_shows_todays_price_not_what_the_video_cost_then(maya) -> None:
    video = make_generation(maya, 60, status=Status.SUCCEEDED, kie_task_id="e" * 32)
    Pricing.objects.filter(pk=Pricing.current().pk).update(fast=Decimal(70))
    buttons = spending_buttons(client_for(maya), video)
    assert buttons[:2] == ["Re-run (70 credits, about $0.35)", "Vary the seed (70 credits, about $0.35)"]
    assert all(PRICED.search(button) for button in buttons), buttons
