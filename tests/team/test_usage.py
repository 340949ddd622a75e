"""The usage page: credits per person per month as a table and bars, and the CSV export."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client

from tests.people import make_generation, make_user, text
from veoui.studio.models import Status
from veoui.team import budgets
from veoui.team.models import Membership, TeamSettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def spending(admin, member):
    """Maya: 310 this month (and a free failure), 30 last month. Alex: 60 this month."""
    last_month = budgets.month_start() - timedelta(days=3)
    make_generation(member, 60)
    make_generation(member, 250)
    make_generation(member, 60, status=Status.FAILED)
    make_generation(member, 30, created_at=last_month)
    make_generation(admin, 60)
    return last_month


def test_it_shows_credits_per_person_per_month(admin_client: Client, admin, member, spending) -> None:
    response = admin_client.get("/usage/")
    assert response.status_code == 200
    rows = {row["name"]: [cell.credits for cell in row["cells"]] for row in response.context["rows"]}
    # Newest month first.
    assert rows["Maya"][:2] == [Decimal(310), Decimal(30)]
    assert rows["Alex"][:2] == [Decimal(60), Decimal(0)]
    assert response.context["totals"][:2] == [Decimal(370), Decimal(30)]
    page = text(response)
    maya_row = re.search(r"<th scope=\"row\">Maya.*?</tr>", page, re.S).group(0)
    assert re.findall(r'<td class="num">([^<]+)</td>', maya_row)[:2] == ["310", "30"]


def test_it_draws_bars_without_inline_styles(admin_client: Client, admin, member, spending) -> None:
    page = admin_client.get("/usage/").content.decode()
    assert f'max="310" value="310" aria-labelledby="bar-{member.pk}"' in page.replace(".00", "")
    assert f'value="60" aria-labelledby="bar-{admin.pk}"' in page.replace(".00", "")
    assert "style=" not in page


def test_it_compares_the_team_spend_with_its_budget(admin_client: Client, spending) -> None:
    TeamSettings.objects.update_or_create(pk=1, defaults={"monthly_budget": 1000})
    page = text(admin_client.get("/usage/"))
    assert "The team used 370 of its 1,000 credits." in page


def test_it_shows_an_earlier_month(admin_client: Client, spending) -> None:
    response = admin_client.get("/usage/", {"month": f"{spending:%Y-%m}"})
    assert response.context["selected"].month == spending.month
    chart = {row["name"]: row["current"].credits for row in response.context["chart"]}
    assert chart["Maya"] == 30
    for nonsense in ("garbage", "0001-01", "2026-13", "99999-01"):
        response = admin_client.get("/usage/", {"month": nonsense})
        assert response.status_code == 200 and response.context["selected"] == budgets.month_start()


def test_it_exports_every_month_as_csv(admin_client: Client, spending) -> None:
    response = admin_client.get("/usage/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="veoui-usage-')
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    this_month = f"{budgets.month_start():%Y-%m}"
    assert rows == [
        ["month", "username", "name", "credits", "videos"],
        [f"{spending:%Y-%m}", "maya", "Maya", "30.00", "1"],
        [this_month, "alex", "Alex", "60.00", "1"],
        [this_month, "maya", "Maya", "310.00", "2"],
    ]


def test_it_keeps_spreadsheet_formulas_out_of_the_csv(admin_client: Client) -> None:
    mallory = make_user("mallory", "=HYPERLINK(1)")
    make_generation(mallory, 60)
    rows = list(csv.reader(io.StringIO(admin_client.get("/usage/export.csv").content.decode())))
    assert rows[1][2] == "'=HYPERLINK(1)"


def test_it_lists_budgets_next_to_the_bars(admin_client: Client, member, spending) -> None:
    Membership.objects.filter(user=member).update(monthly_budget=500)
    assert "of 500" in text(admin_client.get("/usage/"))


def test_it_uses_no_inline_styles_on_any_team_page(admin_client: Client, member) -> None:
    for url in ("/people/", f"/people/{member.membership.uuid}/", "/usage/", "/team/settings/"):
        assert "style=" not in admin_client.get(url).content.decode(), url
