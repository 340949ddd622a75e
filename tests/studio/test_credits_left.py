"""What's left before spending: "You have N credits left this month", the lowest of the person's budget, the team's
and kie.ai's balance as veoui last saw it, next to the cost; the server still refuses what does not fit."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

from django.utils import timezone

from tests.people import client_for, make_generation, text
from veoui.studio.models import Generation
from veoui.team.models import KieBalance, Membership, TeamSettings


def set_budgets(user: object, *, person: int | None = None, team: int | None = None, kie: int | None = None) -> None:
    Membership.objects.update_or_create(user=user, defaults={"monthly_budget": person})
    TeamSettings.objects.update_or_create(pk=1, defaults={"monthly_budget": team})
    KieBalance.objects.update_or_create(pk=1, defaults={"credits": kie, "checked_at": timezone.now()})


def left_on_page(client: object) -> tuple[str, str]:
    page = text(client.get("/studio/text/"))
    [shown] = re.findall(r'data-credits-left="([^"]+)"', page)
    return shown, page


def test_it_shows_what_is_left_of_the_persons_budget(maya) -> None:
    set_budgets(maya, person=200, team=5000)
    make_generation(maya, 60)
    shown, page = left_on_page(client_for(maya))
    assert Decimal(shown) == 140
    assert "You have 140 credits left this month." in page
    assert "That is what is left of your budget." in page


def test_it_shows_the_teams_budget_when_that_is_lower(maya, tom) -> None:
    set_budgets(maya, person=1000, team=300)
    make_generation(tom, 250)
    shown, page = left_on_page(client_for(maya))
    assert Decimal(shown) == 50
    assert "That is what is left of the team's budget." in page


def test_it_shows_kies_balance_when_that_is_lower(maya) -> None:
    set_budgets(maya, person=1000, team=1000, kie=45)
    shown, page = left_on_page(client_for(maya))
    assert Decimal(shown) == 45
    assert "kie.ai's balance, as veoui last saw it" in page


def test_it_never_shows_less_than_nothing(maya) -> None:
    set_budgets(maya, person=50)
    make_generation(maya, 60)
    shown, _page = left_on_page(client_for(maya))
    assert Decimal(shown) == 0


def test_it_says_nothing_when_nothing_limits_the_spend(maya) -> None:
    set_budgets(maya)
    page = text(client_for(maya).get("/studio/text/"))
    assert "credits left this month" not in page


def test_it_gives_the_browser_the_words_for_a_cost_that_does_not_fit(maya) -> None:
    set_budgets(maya, person=100)
    page = text(client_for(maya).get("/studio/text/"))
    assert "more than the %(left)s you have left" in page


def test_it_still_refuses_on_the_server_what_does_not_fit(maya) -> None:
    set_budgets(maya, person=100)
    response = client_for(maya).post(
        "/studio/text/",
        {
            "submission_token": str(uuid.uuid4()),
            "prompt": "A lighthouse in a storm",
            "model": "veo3",  # 250 credits
            "aspect_ratio": "16:9",
            "count": "1",
            "visibility": "team",
        },
    )
    assert response.status_code == 200
    assert "only 100 credits are left of your budget" in text(response)
    assert not Generation.objects.exists()
