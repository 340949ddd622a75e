"""The gallery's filters in a browser: the search finds as the person types and a filter applies as it is chosen,
without reloading the page or pressing a button, the address follows (Back goes back), a screen reader hears how
many videos are shown, and without JavaScript the Show button does the same. A failed tile says why, in a line."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from tests.browser.a11y import axe_problems, overflow
from tests.browser.conftest import login_context, screenshot
from veoui.kie import errors
from veoui.studio.models import Generation, Status

pytestmark = pytest.mark.browser


def make(owner, prompt: str, **fields) -> Generation:
    values = {"mode": "TEXT_2_VIDEO", "model": "veo3_fast", "aspect_ratio": "16:9", "status": Status.SUCCEEDED}
    values.update(fields)
    return Generation.objects.create(
        owner=owner, prompt=prompt, submission_token=uuid.uuid4(), estimated_credits=Decimal(60), **values
    )


@pytest.fixture
def videos(person, django_user_model) -> None:
    tom = django_user_model.objects.create_user("tom", first_name="Tom")
    with translation.override(None):
        reason = str(errors.GOOGLE_REFUSED.message)
    make(person, "A neon boat at night in the harbour")
    make(tom, "A paper boat on a pond", model="veo3")
    make(tom, "Café lights over the square", status=Status.FAILED, error_message=reason)


@contextmanager
def open_gallery(playwright_browser, live_server, person, **options) -> Iterator[Page]:
    context = login_context(playwright_browser, live_server, person, **options)
    page = context.new_page()
    page.goto("/gallery/")
    yield page
    context.close()


@pytest.fixture
def laptop(playwright_browser, live_server, person, videos) -> Iterator[Page]:
    with open_gallery(
        playwright_browser, live_server, person, viewport={"width": 1280, "height": 800}, bypass_csp=True
    ) as page:
        yield page


def tiles(page: Page):
    return page.locator(".gallery-item__prompt")


def test_it_searches_as_the_person_types(laptop: Page) -> None:
    page = laptop
    expect(tiles(page)).to_have_count(3)
    page.evaluate("window.__samePage = true")
    expect(page.get_by_role("button", name="Show")).to_have_count(0)
    page.get_by_label("Search prompts", exact=True).press_sequentially("boat neon", delay=30)
    expect(tiles(page)).to_have_text(["A neon boat at night in the harbour"])
    expect(page).to_have_url(re.compile(r"[?&]q=boat(\+|%20)neon(&|$)"))
    expect(page.locator("#live-status")).to_have_text("1 video")
    assert page.evaluate("window.__samePage") is True  # the grid changed, the page did not reload
    expect(page.get_by_label("Search prompts", exact=True)).to_be_focused()
    page.get_by_label("Search prompts", exact=True).fill("CAFE")
    expect(tiles(page)).to_have_text(["Café lights over the square"])
    screenshot(page, "gallery-search-1280")
    assert axe_problems(page, "the gallery, searched") == []


def test_it_applies_each_filter_as_it_is_chosen_and_goes_back(laptop: Page) -> None:
    page = laptop
    page.get_by_label("Model", exact=True).select_option("Quality")
    expect(tiles(page)).to_have_text(["A paper boat on a pond"])
    expect(page).to_have_url(re.compile(r"[?&]model=veo3(&|$)"))
    page.get_by_label("Model", exact=True).select_option("Any")
    page.get_by_label("Status", exact=True).select_option("Failed")
    expect(tiles(page)).to_have_text(["Café lights over the square"])
    expect(page).to_have_url(re.compile(r"[?&]status=failed(&|$)"))
    page.get_by_label("Whose", exact=True).select_option("Mine")
    expect(page.get_by_text("No videos match")).to_be_visible()
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"whose=mine"))
    expect(tiles(page)).to_have_text(["Café lights over the square"])
    expect(page.get_by_label("Status", exact=True)).to_have_value("failed")
    expect(page.get_by_label("Whose", exact=True)).to_have_value("")
    page.reload()  # the address alone shows the same videos
    expect(tiles(page)).to_have_text(["Café lights over the square"])
    expect(page.get_by_label("Status", exact=True)).to_have_value("failed")


def test_it_says_in_one_line_why_a_video_failed(laptop: Page) -> None:
    page = laptop
    reason = page.locator(".gallery-item__reason")
    expect(reason).to_have_count(1)
    expect(reason).to_have_text(str(errors.GOOGLE_REFUSED.message))
    one_line = "el => el.getBoundingClientRect().height < 2 * parseFloat(getComputedStyle(el).fontSize)"
    assert reason.evaluate(one_line), "the reason wraps onto a second line"
    expect(reason).to_be_visible()


def test_it_fits_a_failed_reason_on_a_phone(playwright_browser, live_server, person, videos) -> None:
    with open_gallery(
        playwright_browser, live_server, person, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    ) as page:
        page.get_by_label("Status", exact=True).select_option("Failed")
        expect(tiles(page)).to_have_count(1)
        assert overflow(page) == 0
        screenshot(page, "gallery-failed-390")


def test_it_shows_the_show_button_and_filters_without_javascript(
    playwright_browser, live_server, person, videos
) -> None:
    with open_gallery(
        playwright_browser, live_server, person, viewport={"width": 1280, "height": 800}, java_script_enabled=False
    ) as page:
        page.get_by_label("Search prompts", exact=True).fill("neon BOAT")
        page.get_by_label("Model", exact=True).select_option("Fast")
        expect(tiles(page)).to_have_count(3)  # nothing happens until Show
        page.get_by_role("button", name="Show").click()
        expect(tiles(page)).to_have_text(["A neon boat at night in the harbour"])
        expect(page).to_have_url(re.compile(r"model=veo3_fast&status=&project=&q=neon\+BOAT"))
