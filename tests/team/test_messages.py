"""Messages such as "Team settings saved." wait until a page shows them, through any number of status checks (a
card's check neither adds nor shows one), and are shown once."""

from __future__ import annotations

import html
import re

import pytest

from tests.people import client_for, make_generation, make_user
from veoui.team.models import Role, TeamSettings

pytestmark = pytest.mark.django_db

SAVED = "Team settings saved."


def test_it_keeps_a_message_through_status_checks_until_a_page_shows_it() -> None:
    ada = make_user("ada", "Ada", role=Role.ADMIN)
    client = client_for(ada)
    video = make_generation(ada, 0, status="running")
    card = client.get(f"/status/?shown={video.uuid}:0", HTTP_HX_REQUEST="true")
    shown = html.unescape(re.search(r'data-shown="([^"]+)"', card.content.decode()).group(1))
    check = f"/status/?shown={shown}&seen={video.uuid}"

    saved = client.post("/team/settings/", {"monthly_budget": "25", "low_balance_threshold": "5"})
    assert saved.status_code == 302 and TeamSettings.current().monthly_budget == 25
    for _ in range(3):
        assert client.get(check, HTTP_HX_REQUEST="true").status_code == 204

    page = client.get(saved["Location"])
    assert SAVED in page.content.decode()
    assert SAVED not in client.get(saved["Location"]).content.decode()  # shown once


def test_it_shows_every_message_added_before_a_page_shows_them() -> None:
    ada = make_user("ada", "Ada", role=Role.ADMIN)
    client = client_for(ada)
    client.post("/team/settings/", {"monthly_budget": "25", "low_balance_threshold": "5"})
    client.post("/team/settings/", {"monthly_budget": "30", "low_balance_threshold": "5"})
    assert client.get("/team/settings/").content.decode().count(SAVED) == 2
