"""Monthly budgets: what counts as spent, the plain over-budget message, and the studio refusing to overspend."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client

from tests.people import make_generation, make_user, text
from veoui.studio.models import Generation, Pricing, Status
from veoui.team import budgets
from veoui.team.models import Membership, Role, TeamSettings

pytestmark = pytest.mark.django_db


def set_budgets(*, person=None, person_budget: int | None = None, team_budget: int | None = None) -> None:
    if person is not None:
        Membership.objects.filter(user=person).update(monthly_budget=person_budget)
    TeamSettings.objects.update_or_create(pk=1, defaults={"monthly_budget": team_budget})


def reserve(user, credits: int, count: int = 1) -> None:
    with transaction.atomic():
        budgets.reserve(user, Decimal(credits), count=count)


def this_month() -> tuple:
    start = budgets.month_start()
    return start, budgets.next_month(start)


def test_it_counts_charged_and_pending_work_this_month_but_not_free_failures(member) -> None:
    make_generation(member, 60)  # succeeded, at its estimate
    make_generation(member, 60, actual=55)  # what kie.ai charged wins
    make_generation(member, 250, status=Status.RUNNING)
    make_generation(member, 60, status=Status.UNCONFIRMED)  # may have been charged
    make_generation(member, 60, status=Status.FAILED)  # refused or refunded
    make_generation(member, 60, status=Status.QUEUED)
    make_generation(member, 999, created_at=budgets.month_start() - timedelta(seconds=1))  # last month
    since, until = this_month()
    assert budgets.spent(since=since, until=until, user=member) == Decimal(60 + 55 + 250 + 60 + 60)
    usage = budgets.monthly_usage(since, until)[(member.pk, since.date())]
    assert (usage.credits, usage.items) == (Decimal(485), 5)


def test_it_counts_a_persons_spend_and_the_teams(member, admin) -> None:
    make_generation(member, 60)
    make_generation(admin, 250)
    since, until = this_month()
    assert budgets.spent(since=since, until=until, user=member) == 60
    assert budgets.spent(since=since, until=until) == 310


def test_it_reserves_while_the_budget_has_room(member) -> None:
    set_budgets(person=member, person_budget=120)
    make_generation(member, 60)
    reserve(member, 60)  # exactly what is left


def test_it_explains_an_over_budget_person_what_is_left_and_who_to_ask(member, admin) -> None:
    make_user("sam", "Sam", role=Role.ADMIN)
    set_budgets(person=member, person_budget=100)
    make_generation(member, 60)
    with pytest.raises(budgets.OverBudget) as refusal:
        reserve(member, 60)
    message = refusal.value.message
    assert "This video would cost 60 credits" in message
    assert "only 40 credits are left of your budget for" in message
    assert "Ask Alex or Sam to raise it" in message


def test_it_explains_an_over_budget_team(member, admin) -> None:
    set_budgets(team_budget=1000)
    make_generation(admin, 950)
    with pytest.raises(budgets.OverBudget) as refusal:
        reserve(member, 60)
    assert "only 50 credits are left of the team's budget" in refusal.value.message
    assert "Ask Alex to raise it" in refusal.value.message


def test_it_tells_an_admin_where_to_raise_it(admin) -> None:
    set_budgets(team_budget=10)
    with pytest.raises(budgets.OverBudget, match="As an admin, you can raise it in Team settings"):
        reserve(admin, 60)


def test_it_multiplies_the_cost_for_several_videos(member) -> None:
    set_budgets(person=member, person_budget=150)
    with pytest.raises(budgets.OverBudget, match="These 3 videos would cost 180 credits"):
        reserve(member, 60, count=3)
    reserve(member, 60, count=2)


def test_it_never_shows_a_negative_amount_left(member) -> None:
    set_budgets(person=member, person_budget=50)
    make_generation(member, 60)
    with pytest.raises(budgets.OverBudget, match="only 0 credits are left"):
        reserve(member, 30)


def test_it_has_no_limit_without_budgets(member) -> None:
    make_generation(member, 100_000)
    reserve(member, 250)


@pytest.mark.django_db(transaction=True)
def test_it_must_run_inside_the_transaction_that_saves_the_work(member) -> None:
    with pytest.raises(RuntimeError):
        budgets.reserve(member, Decimal(60))


def studio_post(client: Client, htmx: bool = False):
    data = {
        "submission_token": str(uuid.uuid4()),
        "prompt": "A lighthouse in a storm, waves crashing",
        "model": "veo3_fast",
        "aspect_ratio": "16:9",
    }
    return client.post("/studio/text/", data, headers={"HX-Request": "true"} if htmx else {})


@pytest.mark.parametrize("htmx", [False, True])
def test_it_shows_the_over_budget_message_next_to_generate(member_client: Client, member, admin, htmx) -> None:
    set_budgets(person=member, person_budget=Pricing.current().fast * 2 - 1)
    make_generation(member, Pricing.current().fast)
    response = studio_post(member_client, htmx)
    assert response.status_code == 200
    page = text(response)
    assert '<p class="form-error over-budget" role="alert">This video would cost 60 credits' in page
    assert "Ask Alex to raise it" in page
    assert page.index("over-budget") > page.index('class="generate-bar"')
    if htmx:
        assert response["HX-Retarget"] == "#generate-form" and response["HX-Reswap"] == "outerHTML"
    assert Generation.objects.count() == 1


def test_it_creates_the_generation_when_the_budget_has_room(member_client: Client, member) -> None:
    set_budgets(person=member, person_budget=60, team_budget=60)
    response = studio_post(member_client)
    assert response.status_code == 302
    assert Generation.objects.get().estimated_credits == 60
    assert studio_post(member_client).status_code == 200  # and now it is spent
    assert Generation.objects.count() == 1
