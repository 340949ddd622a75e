"""Team settings: the team's monthly budget and the low-balance warning threshold."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from tests.people import text
from veoui.team.models import TeamSettings

pytestmark = pytest.mark.django_db


def test_it_saves_the_team_budget_and_threshold(admin_client: Client) -> None:
    response = admin_client.post("/team/settings/", {"monthly_budget": "5000", "low_balance_threshold": "800"})
    assert response["Location"] == "/team/settings/"
    team = TeamSettings.current()
    assert (team.monthly_budget, team.low_balance_threshold) == (Decimal(5000), Decimal(800))
    admin_client.post("/team/settings/", {"monthly_budget": "", "low_balance_threshold": ""})
    team.refresh_from_db()
    assert (team.monthly_budget, team.low_balance_threshold) == (None, None)


def test_it_refuses_negative_numbers_in_plain_words(admin_client: Client) -> None:
    response = admin_client.post("/team/settings/", {"monthly_budget": "-1", "low_balance_threshold": "lots"})
    assert response.status_code == 200
    page = text(response)
    assert "Ensure this value is greater than or equal to 0" in page
    assert "Enter a number of credits" in page
    assert TeamSettings.current().monthly_budget is None
