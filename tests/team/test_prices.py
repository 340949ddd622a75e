"""The price table in Team settings: admins change kie.ai's prices, members can't; a change applies to what is made
from then on, and what was already spent keeps its price (in usage and budgets too)."""

from __future__ import annotations

import html
import re
import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from tests.people import client_for, make_generation, make_user, text
from veoui.studio.models import Generation, Pricing, Rendition
from veoui.team import budgets
from veoui.team.models import Membership, Role

pytestmark = pytest.mark.django_db

DEFAULTS = {
    "quality": Decimal(250),
    "fast": Decimal(60),
    "lite": Decimal(30),
    "upgrade_1080p": Decimal(5),
    "upgrade_4k": Decimal(120),
    "usd_per_credit": Decimal("0.005"),
}


def prices() -> dict[str, Decimal]:
    return {name: getattr(Pricing.current(), name) for name in DEFAULTS}


def shown_form(client: Client) -> dict[str, str]:
    """The price form as the admin's browser would send it back: every field with what the page showed."""
    page = client.get("/team/settings/").content.decode()
    form = page[page.index('action="/team/settings/prices/') :]
    form = form[: form.index("</form>")]
    fields = dict(re.findall(r'<input type="(?:number|hidden)" name="([\w-]+)" value="([^"]*)"', form))
    fields.pop("csrfmiddlewaretoken")
    return fields


def save_prices(client: Client, shown: dict[str, str], **changes: str) -> object:
    return client.post("/team/settings/prices/", {**shown, **changes})


def make_video(client: Client, model: str = "veo3_fast") -> Generation:
    response = client.post(
        "/studio/text/",
        {
            "submission_token": str(uuid.uuid4()),
            "prompt": "A lighthouse in a storm",
            "model": model,
            "aspect_ratio": "16:9",
        },
    )
    assert response.status_code == 302, text(response)[:500]
    return Generation.objects.latest("pk")


def this_month(user: object) -> Decimal:
    start = budgets.month_start()
    return budgets.spent(since=start, until=budgets.next_month(start), user=user)


def test_it_shows_the_prices_to_an_admin_in_plain_words(admin_client: Client) -> None:
    page = text(admin_client.get("/team/settings/"))
    for label in (
        "Prices",
        "Quality video (credits)",
        "Fast video (credits)",
        "Lite video (credits)",
        "1080P version (credits)",
        "4K version (credits)",
        "US dollars per credit",
        "Extending a video costs the same as a new video of the model chosen for it.",
        "what was already spent keeps its price",
        "Save prices",
    ):
        assert label in page
    assert shown_form(admin_client) == {
        "quality": "250",
        "initial-quality": "250",
        "fast": "60",
        "initial-fast": "60",
        "lite": "30",
        "initial-lite": "30",
        "upgrade_1080p": "5",
        "initial-upgrade_1080p": "5",
        "upgrade_4k": "120",
        "initial-upgrade_4k": "120",
        "usd_per_credit": "0.005",
        "initial-usd_per_credit": "0.005",
    }


def test_it_prices_new_videos_at_the_new_price_and_keeps_the_old_ones(admin_client, member_client, member) -> None:
    old = make_video(member_client)
    assert old.estimated_credits == 60
    before = budgets.monthly_usage(budgets.month_start(), budgets.next_month(budgets.month_start()))

    response = save_prices(admin_client, shown_form(admin_client), fast="80", usd_per_credit="0.01")
    assert response.status_code == 302 and response["Location"] == "/team/settings/#prices-heading"
    assert prices() == {**DEFAULTS, "fast": Decimal(80), "usd_per_credit": Decimal("0.01")}
    old.refresh_from_db()
    assert old.estimated_credits == 60  # what was spent keeps its price
    assert budgets.monthly_usage(budgets.month_start(), budgets.next_month(budgets.month_start())) == before
    assert this_month(member) == 60

    new = make_video(member_client)
    assert new.estimated_credits == 80
    assert Generation.objects.count() == 2
    assert this_month(member) == 140
    assert old.pk != new.pk and Generation.objects.get(pk=old.pk).estimated_credits == 60
    # The old video's page still says what it cost; the studio shows the new price in credits and dollars.
    assert "60 credits (estimate)" in " ".join(text(member_client.get(f"/videos/{old.uuid}/")).split())
    studio = member_client.get("/studio/text/")
    assert studio.context["client_config"]["pricing"]["models"]["veo3_fast"] == 80.0
    assert studio.context["client_config"]["pricing"]["usdPerCredit"] == 0.01
    assert "80 credits · $0.80" in text(studio)


def test_it_prices_new_versions_and_extensions_at_the_new_price(admin_client, member_client, member) -> None:
    earlier = make_generation(member, 60, kie_task_id="a" * 32)
    Rendition.objects.create(
        generation=earlier, owner=member, kind="4k", request_token=uuid.uuid4(), estimated_credits=Decimal(120)
    )
    video = make_generation(member, 60, kie_task_id="b" * 32)
    assert this_month(member) == 60 + 120 + 60
    save_prices(admin_client, shown_form(admin_client), upgrade_4k="150", upgrade_1080p="7", lite="40")
    assert prices() == {**DEFAULTS, "upgrade_4k": Decimal(150), "upgrade_1080p": Decimal(7), "lite": Decimal(40)}
    assert this_month(member) == 60 + 120 + 60
    page = " ".join(text(member_client.get(f"/videos/{video.uuid}/")).split())
    assert "150 credits" in page and "7 credits" in page and "40 credits" in page

    # An extension first: kie.ai doesn't extend a video that has a 1080P version.
    for kind, model, credits in (("4k", "", 150), ("extend", "veo3_lite", 40), ("1080p", "", 7)):
        response = member_client.post(
            f"/videos/{video.uuid}/renditions/",
            {"kind": kind, "request_token": str(uuid.uuid4()), "prompt": "Then it rains", "model": model},
        )
        assert response.status_code == 302
        assert Rendition.objects.get(generation=video, kind=kind).estimated_credits == credits
    assert Rendition.objects.filter(generation=video).count() == 3
    assert Rendition.objects.get(generation=earlier).estimated_credits == 120
    assert this_month(member) == 60 + 120 + 60 + 150 + 40 + 7


def test_it_checks_budgets_at_the_new_price_with_old_spends_at_theirs(admin_client, member_client, member) -> None:
    Membership.objects.filter(user=member).update(monthly_budget=Decimal(150))
    make_video(member_client)  # 60 at the old price
    save_prices(admin_client, shown_form(admin_client), fast="100")
    response = member_client.post(
        "/studio/text/",
        {"submission_token": str(uuid.uuid4()), "prompt": "Rain", "model": "veo3_fast", "aspect_ratio": "16:9"},
    )
    assert response.status_code == 200
    assert "This video would cost 100 credits, but only 90 credits are left" in text(response)
    assert Generation.objects.count() == 1 and this_month(member) == 60
    make_video(member_client, model="veo3_lite")  # 30 still fits: 60 + 30 <= 150
    assert this_month(member) == 90


def test_it_refuses_members_and_changes_nothing(member_client, admin_client) -> None:
    shown = shown_form(admin_client)
    assert member_client.get("/team/settings/").status_code == 403
    response = save_prices(member_client, shown, fast="1", quality="1", usd_per_credit="0.00001")
    assert response.status_code == 403
    assert prices() == DEFAULTS
    assert Client().post("/team/settings/prices/", {**shown, "fast": "1"}).status_code == 302  # to the login page
    assert prices() == DEFAULTS


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("fast", "-5", "A price must be more than 0 credits."),
        ("fast", "0", "A price must be more than 0 credits."),
        ("quality", "lots", "Enter a number of credits, like 60."),
        ("quality", "NaN", "Enter a number of credits, like 60."),
        ("fast", "1e999", "That is more than kie.ai charges for anything (at most 10000 credits)."),
        ("quality", "", "Enter what kie.ai charges for this, in credits."),
        ("upgrade_4k", "1200000", "That is more than kie.ai charges for anything (at most 10000 credits)."),
        ("upgrade_4k", "20000", "That is more than kie.ai charges for anything (at most 10000 credits)."),
        ("lite", "30.125", "Use at most 2 digits after the decimal point."),
        ("usd_per_credit", "0", "A credit must cost more than $0."),
        ("usd_per_credit", "5", "That is more than $1 a credit: check the number (kie.ai: 0.005)."),
        ("usd_per_credit", "0.0000001", "Use at most 5 digits after the decimal point."),
        ("usd_per_credit", "five", "Enter a dollar amount, like 0.005."),
    ],
)
def test_it_explains_a_wrong_price_next_to_its_field(admin_client, field: str, value: str, message: str) -> None:
    # Another price changed in the same form is not saved either: nothing is, until every field is right.
    other = "fast" if field == "lite" else "lite"
    response = save_prices(admin_client, shown_form(admin_client), **{field: value, other: "33"})
    assert response.status_code == 200
    page = response.content.decode()
    error = re.search(rf'<p class="field-error" id="id_{field}_error">(.*?)</p>', page)
    assert error and message in html.unescape(error.group(1)), page[page.index("prices-heading") :][:3000]
    described = re.search(rf'name="{field}"[^>]*aria-describedby="([^"]*)"', page).group(1)
    assert f"id_{field}_error" in described.split()
    assert prices() == DEFAULTS


def test_it_writes_only_the_prices_the_admin_changed(admin, admin_client) -> None:
    """Two admins on the page at once, each changing one price: neither change undoes the other."""
    second = client_for(make_user("sam", "Sam", role=Role.ADMIN))
    alex_saw, sam_saw = shown_form(admin_client), shown_form(second)
    assert save_prices(second, sam_saw, lite="25").status_code == 302
    assert save_prices(admin_client, alex_saw, fast="70").status_code == 302  # still shows lite 30
    assert prices() == {**DEFAULTS, "fast": Decimal(70), "lite": Decimal(25)}
    # Saving again what the page shows, unchanged, writes nothing.
    assert save_prices(admin_client, shown_form(admin_client)).status_code == 302
    assert prices() == {**DEFAULTS, "fast": Decimal(70), "lite": Decimal(25)}


@pytest.mark.django_db(transaction=True)
def test_it_keeps_every_change_of_admins_saving_at_the_same_moment() -> None:
    """Six admins, each changing a different price from the same page, all at once: all six changes stay."""
    admins = [make_user(f"admin{n}", f"Admin {n}", role=Role.ADMIN) for n in range(len(DEFAULTS))]
    Pricing.current()
    shown = shown_form(client_for(admins[0]))
    wanted = {name: str(value * 2) for name, value in DEFAULTS.items()}
    barrier = threading.Barrier(len(admins))
    results: dict[str, object] = {}

    def save(name: str, admin: object) -> None:
        client = client_for(admin)
        try:
            barrier.wait()
            results[name] = save_prices(client, shown, **{name: wanted[name]}).status_code
        except Exception as error:  # reported below
            results[name] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(name, admin)) for name, admin in zip(DEFAULTS, admins, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == dict.fromkeys(DEFAULTS, 302)
    assert prices() == {name: Decimal(value) for name, value in wanted.items()}
    assert Membership.objects.filter(role=Role.ADMIN).count() == len(DEFAULTS)
