"""An admin changes kie.ai's prices in Team settings; a member's studio shows them and spends at them, while the
videos made before keep what they cost. A member can't open the prices."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import login_context, screenshot
from tests.browser.test_create import watch_until_playing
from tests.people import make_generation, make_user
from veoui.studio.models import Generation, Pricing
from veoui.team import budgets
from veoui.team.models import Role

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


@pytest.fixture
def team_admin(transactional_db) -> object:
    return make_user("alex", "Alex", role=Role.ADMIN)


def open_prices(page: Page) -> None:
    page.goto("/")
    page.get_by_role("link", name="Team settings").click()
    expect(page.get_by_role("heading", name="Prices")).to_be_visible()


def spent_this_month(user: object) -> Decimal:
    start = budgets.month_start()
    return budgets.spent(since=start, until=budgets.next_month(start), user=user)


def test_it_lets_an_admin_change_a_price_that_new_videos_then_cost(
    playwright_browser, live_server, team_admin, person, desktop: Page
) -> None:
    earlier = make_generation(person, 60)
    admin = login_context(playwright_browser, live_server, team_admin, viewport={"width": 1280, "height": 900})
    page = admin.new_page()
    open_prices(page)
    expect(page.get_by_label("Fast video (credits)")).to_have_value("60")
    expect(page.get_by_label("US dollars per credit")).to_have_value("0.005")

    page.get_by_label("Lite video (credits)").fill("-1")
    page.get_by_label("Fast video (credits)").fill("80")
    page.get_by_role("button", name="Save prices").click()
    expect(page.get_by_text("A price must be more than 0 credits.")).to_be_visible()
    expect(page.get_by_label("Lite video (credits)")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "prices-refused-1280")
    assert (Pricing.current().fast, Pricing.current().lite) == (60, 30)  # nothing saved until every field is right

    page.get_by_label("Lite video (credits)").fill("30")
    page.get_by_label("US dollars per credit").fill("0.01")
    page.get_by_role("button", name="Save prices").click()
    expect(page.get_by_text("Prices saved")).to_be_visible()
    expect(page.get_by_label("Fast video (credits)")).to_have_value("80")
    pricing = Pricing.current()
    assert (pricing.fast, pricing.lite, pricing.usd_per_credit) == (80, 30, Decimal("0.01"))
    assert spent_this_month(person) == 60  # the video made before keeps its price
    admin.close()

    studio = desktop
    studio.goto("/studio/text/")
    expect(studio.get_by_label("Fast")).to_be_checked()
    expect(studio.locator("#model-veo3_fast-name + .choice__price")).to_have_text("80 credits · $0.80")
    expect(studio.locator("[data-cost-credits]")).to_have_text("80 credits (about $0.80)")
    studio.get_by_text("More settings").click()
    studio.get_by_label("How many").select_option("2")
    expect(studio.locator("[data-cost-credits]")).to_have_text("160 credits (about $1.60)")
    studio.get_by_label("How many").select_option("1")
    studio.get_by_label("Prompt", exact=True).fill("A kite over the dunes")
    studio.get_by_role("button", name="Generate").click()
    watch_until_playing(studio)
    made = Generation.objects.exclude(pk=earlier.pk).get()
    assert made.estimated_credits == 80
    assert Generation.objects.get(pk=earlier.pk).estimated_credits == 60
    assert spent_this_month(person) == 60 + (made.actual_credits or 80)


def test_it_keeps_the_prices_from_a_member(playwright_browser, live_server, person) -> None:
    context = login_context(playwright_browser, live_server, person)
    page = context.new_page()
    page.goto("/")
    expect(page.get_by_role("link", name="Team settings")).to_have_count(0)
    response = page.goto("/team/settings/")
    assert response.status == 403
    expect(page.get_by_label("Fast video (credits)")).to_have_count(0)
    assert Pricing.current().fast == 60
    context.close()


def test_it_fits_the_prices_on_a_phone(playwright_browser, live_server, team_admin) -> None:
    context = login_context(playwright_browser, live_server, team_admin, **PHONE)
    page = context.new_page()
    open_prices(page)
    page.get_by_label("4K version (credits)").fill("120000")
    page.get_by_role("button", name="Save prices").click()
    expect(page.get_by_text("That is more than kie.ai charges for anything (at most 10000 credits).")).to_be_visible()
    page.get_by_label("4K version (credits)").scroll_into_view_if_needed()
    screenshot(page, "prices-refused-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert Pricing.current().upgrade_4k == 120
    context.close()
