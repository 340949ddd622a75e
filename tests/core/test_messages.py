"""Messages such as "Team settings saved." wait until a page shows them. A request that neither adds nor shows one
(a status check, each second per open card) doesn't make the messages store at all (veoui.core.middleware)."""

from __future__ import annotations

import html
import re

import pytest

from tests.team.conftest import client_for, make_generation, make_user
from veoui.core import middleware
from veoui.team.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def stores_made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The address of each request that made a messages store."""
    made: list[str] = []
    make = middleware.default_storage

    def counted(request):
        made.append(request.path)
        return make(request)

    monkeypatch.setattr(middleware, "default_storage", counted)
    return made


def test_a_message_waits_through_status_checks_until_a_page_shows_it(stores_made: list[str]) -> None:
    ada = make_user("ada", "Ada", role=Role.ADMIN)
    client = client_for(ada)
    video = make_generation(ada, 0, status="running")
    card = client.get(f"/videos/{video.uuid}/status/", HTTP_HX_REQUEST="true")
    check = html.unescape(re.search(r'hx-get="([^"]+)"', card.content.decode()).group(1))

    saved = client.post("/team/settings/", {"monthly_budget": "25", "low_balance_threshold": "5"})
    assert saved.status_code == 302 and "/team/settings/" in stores_made
    stores_made.clear()
    for _ in range(3):
        assert client.get(check, HTTP_HX_REQUEST="true").status_code == 204
    assert stores_made == []  # checks that add or show nothing make no store

    page = client.get(saved["Location"])
    assert "Team settings saved." in page.content.decode()
    assert "Team settings saved." not in client.get(saved["Location"]).content.decode()  # shown once


def test_a_message_added_while_the_store_was_never_read_is_kept(stores_made: list[str]) -> None:
    ada = make_user("ada", "Ada", role=Role.ADMIN)
    client = client_for(ada)
    client.post("/team/settings/", {"monthly_budget": "25", "low_balance_threshold": "5"})
    client.post("/team/settings/", {"monthly_budget": "30", "low_balance_threshold": "5"})
    shown = client.get("/team/settings/").content.decode()
    assert shown.count("Team settings saved.") == 2
