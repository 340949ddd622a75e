"""Issue 18's points 11, 17 and 18 as a person meets them in the browser: a failed video's page, the way to
Administration, and changing one's password from the menu."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from tests.browser.conftest import login_context
from tests.people import PASSWORD, make_busy_failure, make_generation, make_user
from veoui.studio.models import Generation, Status
from veoui.team.models import Role

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 800}


@pytest.fixture
def maya(transactional_db) -> object:
    return make_user("maya", "Maya")


@pytest.fixture
def alex(transactional_db) -> object:
    return make_user("alex", "Alex", role=Role.ADMIN)


def open_as(playwright_browser, live_server, user) -> Page:
    return login_context(playwright_browser, live_server, user, viewport=LAPTOP).new_page()


@pytest.fixture
def maya_page(playwright_browser, live_server, maya) -> Iterator[Page]:
    page = open_as(playwright_browser, live_server, maya)
    yield page
    page.context.close()


@pytest.fixture
def alex_page(playwright_browser, live_server, alex) -> Iterator[Page]:
    page = open_as(playwright_browser, live_server, alex)
    yield page
    page.context.close()


def open_menu(page: Page) -> None:
    page.locator("summary", has_text="(account menu)").click()


# --- 11: a failed video's page ------------------------------------------------------------------------------


def test_a_failure_that_can_pass_offers_try_again_and_costs_nothing(maya_page: Page, maya) -> None:
    failed = make_busy_failure(maya)
    page = maya_page
    page.goto(f"/videos/{failed.uuid}/")
    main = page.get_by_role("main")
    expect(main).to_contain_text("This video could not be made.")
    expect(main).to_contain_text("Nothing: a video that could not be made is not charged.")
    expect(main).not_to_contain_text("estimate")
    expect(page.get_by_role("button", name="Try again")).to_be_visible()
    expect(page.get_by_role("link", name="Change it and make it again")).to_have_count(0)


def test_a_failure_that_would_fail_again_offers_to_change_it(maya_page: Page, maya) -> None:
    failed = make_generation(
        maya, 60, status=Status.FAILED, prompt="A storm over the harbour", error_message="The prompt was refused."
    )
    page = maya_page
    page.goto(f"/videos/{failed.uuid}/")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Nothing: a video that could not be made is not charged.")
    expect(main).not_to_contain_text("estimate")
    expect(page.get_by_role("button", name="Try again")).to_have_count(0)
    page.get_by_role("link", name="Change it and make it again").click()
    expect(page).to_have_url(f"/studio/text/?from={failed.uuid}")
    expect(page.get_by_label("Prompt", exact=True)).to_have_value("A storm over the harbour")
    assert Generation.objects.count() == 1  # nothing was made or spent by opening the studio


# --- 17: Administration -----------------------------------------------------------------------------------------


def test_administration_opens_people_and_django_admin_leads_back(alex_page: Page) -> None:
    page = alex_page
    page.goto("/studio/text/")
    open_menu(page)
    page.get_by_role("link", name="Administration").click()
    expect(page).to_have_url("/people/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("People")

    page.goto("/admin/")
    expect(page).to_have_title("Site administration | veoui administration")
    expect(page.get_by_role("link", name="veoui administration")).to_be_visible()
    expect(page.get_by_role("link", name="View site")).to_have_count(0)
    page.get_by_role("link", name="Back to the studio").click()
    expect(page).to_have_url("/studio/text/")


def test_a_member_has_no_administration_in_the_menu(maya_page: Page) -> None:
    page = maya_page
    page.goto("/studio/text/")
    open_menu(page)
    expect(page.get_by_role("link", name="Change password")).to_be_visible()
    expect(page.get_by_role("link", name="Administration")).to_have_count(0)


# --- 18: Change password ----------------------------------------------------------------------------------------


def test_change_password_from_the_menu(maya_page: Page, maya) -> None:
    page = maya_page
    page.goto("/studio/text/")
    open_menu(page)
    page.get_by_role("link", name="Change password").click()
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()

    # A wrong current password: told next to the field, nothing changes.
    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password", exact=True).fill("a brand new lighthouse")
    page.get_by_label("New password again").fill("a brand new lighthouse")
    page.get_by_role("button", name="Save my new password").click()
    expect(page.get_by_text("That isn't your current password.")).to_be_visible()
    assert get_user_model().objects.get(pk=maya.pk).check_password(PASSWORD)

    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("a brand new lighthouse")
    page.get_by_label("New password again").fill("a brand new lighthouse")
    page.get_by_role("button", name="Save my new password").click()
    expect(page.get_by_role("status").filter(has_text="Your new password is set.")).to_be_visible()
    expect(page).to_have_url("/studio/text/")
    user = get_user_model().objects.get(pk=maya.pk)
    assert user.check_password("a brand new lighthouse") and not user.check_password(PASSWORD)

    # Still logged in: the next page is the studio, not the login page.
    page.goto("/gallery/")
    expect(page).to_have_url("/gallery/")
    open_menu(page)
    expect(page.get_by_text("Signed in as maya")).to_be_visible()
