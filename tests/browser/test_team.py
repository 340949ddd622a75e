"""An admin invites a person, who joins from the link and lands in the studio; the team pages at two widths."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.conftest import login_context, screenshot
from tests.people import make_generation, make_user
from veoui.studio.models import Status
from veoui.team import budgets
from veoui.team.models import Invite, KieBalance, Membership, Role, TeamSettings

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


@pytest.fixture
def team_admin(transactional_db) -> object:
    return make_user("alex", "Alex", role=Role.ADMIN)


def watch_for_csp_violations(page: Page) -> list[str]:
    problems: list[str] = []

    def note(message: object) -> None:
        if "Content Security Policy" in message.text:
            problems.append(message.text)

    page.on("console", note)
    return problems


def test_it_invites_a_person_who_joins_and_lands_in_the_studio(playwright_browser, live_server, team_admin) -> None:
    admin_context = login_context(playwright_browser, live_server, team_admin, viewport=DESKTOP)
    page = admin_context.new_page()
    problems = watch_for_csp_violations(page)
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    page.get_by_label("Who is it for?").fill("Sam from sales")
    page.get_by_role("button", name="Make an invite link").click()
    expect(page.get_by_role("heading", name="Your invite link is ready")).to_be_visible()
    link = page.get_by_label("Invite link").input_value()
    assert link.startswith(f"{live_server.url}/join/")
    screenshot(page, "team-invite-link-1280")

    guest_context = playwright_browser.new_context(base_url=live_server.url, **PHONE)
    guest = guest_context.new_page()
    problems += watch_for_csp_violations(guest)
    guest.goto(link)
    expect(guest.get_by_role("heading", name="Join your team on veoui")).to_be_visible()
    guest.get_by_label("Your name").fill("Sam")
    guest.get_by_label("Username").fill("sam")
    guest.get_by_label("New password", exact=True).fill("violet-harbour-42")
    guest.get_by_label("New password again").fill("violet-harbour-42")
    screenshot(guest, "team-join-390")
    guest.get_by_role("button", name="Join the team").click()

    expect(guest).to_have_url(re.compile(r"/studio/text/$"))
    expect(guest.get_by_text("Welcome to veoui, Sam!")).to_be_visible()
    expect(guest.get_by_role("button", name="Generate")).to_be_visible()
    screenshot(guest, "team-joined-studio-390")
    invite = Invite.objects.get()
    assert invite.used_by.username == "sam" and invite.used_by.membership.role == Role.MEMBER

    # The link has done its job: opened again, it says so.
    guest.goto(link)
    expect(guest.get_by_text("This invite link has already been used")).to_be_visible()
    assert problems == []
    guest_context.close()
    admin_context.close()


@pytest.mark.parametrize("width", ["1280", "390"])
def test_it_lays_out_the_team_pages_at_desktop_and_phone_width(playwright_browser, live_server, team_admin, width):
    maya = make_user("maya", "Maya Lindqvist")
    sam = make_user("sam", "Sam")
    make_user("otto", "Otto", active=False)
    Membership.objects.filter(user=maya).update(monthly_budget=1000)
    TeamSettings.objects.update_or_create(pk=1, defaults={"monthly_budget": 5000, "low_balance_threshold": 2000})
    KieBalance.objects.update_or_create(pk=1, defaults={"credits": 1840, "checked_at": timezone.now()})
    earlier = budgets.month_start() - timedelta(days=10)
    for owner, credits in ((maya, 250), (maya, 250), (maya, 60), (sam, 60), (team_admin, 30), (maya, 60)):
        make_generation(owner, credits)
        make_generation(owner, credits, created_at=earlier)
    make_generation(sam, 60, status=Status.FAILED)
    options = {"viewport": DESKTOP} if width == "1280" else PHONE
    context = login_context(playwright_browser, live_server, team_admin, **options)
    page = context.new_page()
    problems = watch_for_csp_violations(page)
    pages = {
        "people": "/people/",
        "person": f"/people/{maya.membership.uuid}/",
        "usage": "/usage/",
        "settings": "/team/settings/",
    }
    for name, url in pages.items():
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        # Against the width asked for: a phone zooms out to fit a too-wide page, so innerWidth would grow too.
        overflow = page.evaluate("document.documentElement.scrollWidth") - int(width)
        assert overflow <= 0, f"{name} is {overflow}px wider than the screen"
        screenshot(page, f"team-{name}-{width}")
    expect(page.get_by_text("Low balance!")).to_be_visible()
    assert problems == []
    context.close()


@pytest.mark.parametrize("width", ["1280", "390"])
def test_it_shows_the_over_budget_message_next_to_generate(playwright_browser, live_server, team_admin, width) -> None:
    maya = make_user("maya", "Maya")
    Membership.objects.filter(user=maya).update(monthly_budget=100)
    make_generation(maya, 60)
    options = {"viewport": DESKTOP} if width == "1280" else PHONE
    context = login_context(playwright_browser, live_server, maya, **options)
    page = context.new_page()
    page.goto("/studio/text/")
    page.get_by_label("Prompt", exact=True).fill("A paper boat sails down a rainy street")
    page.get_by_label("Fast").check()
    url_before = page.url
    page.get_by_role("button", name="Generate").click()
    message = page.locator(".generate-bar").get_by_role("alert")
    expect(message).to_contain_text("This video would cost 60 credits, but only 40 credits are left of your budget")
    expect(message).to_contain_text("Ask Alex to raise it")
    assert page.url == url_before  # htmx swapped the form in place
    expect(page.get_by_label("Prompt", exact=True)).to_have_value("A paper boat sails down a rainy street")
    screenshot(page, f"team-over-budget-{width}")
    assert Membership.objects.get(user=maya).user.generations.count() == 1
    context.close()
