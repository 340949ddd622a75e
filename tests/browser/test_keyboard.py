"""From the login page to a downloaded video with the keyboard alone: Tab, Shift+Tab, arrows, Space and Enter.

No mouse and no element clicks: the test only presses keys and reads the page. At each step the focused control must
show a visible focus ring.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.a11y import DESKTOP, focus_ring
from tests.browser.conftest import screenshot
from tests.people import PASSWORD
from veoui.kie.simulator.probe import probe
from veoui.studio.models import Generation

pytestmark = pytest.mark.browser


def focused(page: Page, selector: str) -> bool:
    return page.evaluate("selector => Boolean(document.activeElement?.matches(selector))", selector)


def tab_to(page: Page, selector: str, *, key: str = "Tab", limit: int = 80) -> list[str]:
    """Press Tab (or Shift+Tab) until the focus is on ``selector``; returns what the focus passed through."""
    passed = []
    for _ in range(limit):
        page.keyboard.press(key)
        if focused(page, selector):
            return passed
        passed.append(page.evaluate("() => document.activeElement?.outerHTML.slice(0, 80) || ''"))
    raise AssertionError(f"{key} never reached {selector}; it went through:\n" + "\n".join(passed))


def assert_ring(page: Page, step: str) -> None:
    ring = focus_ring(page)
    assert ring, f"{step}: the focused control shows no focus ring"


def test_it_makes_and_downloads_a_video_with_the_keyboard_alone(
    playwright_browser, live_server, person, worker, kie, tmp_path
) -> None:
    kie.control.configure(min_seconds=3, max_seconds=3.5)
    context = playwright_browser.new_context(base_url=live_server.url, viewport=DESKTOP, accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()

    page.goto("/login/")
    assert focused(page, "#id_username")  # the login form starts in the username field
    page.keyboard.type("maya")
    page.keyboard.press("Tab")
    assert focused(page, "#id_password")
    assert_ring(page, "password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/studio/text/")

    # The first Tab reaches the skip link, which jumps over the header.
    page.keyboard.press("Tab")
    assert focused(page, ".skip-link")
    assert_ring(page, "skip link")
    page.keyboard.press("Enter")
    tab_to(page, "#id_prompt")
    assert_ring(page, "prompt")
    page.keyboard.type("A paper boat sails down a rainy street")

    # Options: arrows move within a group of choices.
    tab_to(page, "input[name=model]")
    assert_ring(page, "model")
    start = page.evaluate("() => document.activeElement.value")
    page.keyboard.press("ArrowRight")
    chosen = page.evaluate("() => document.querySelector('input[name=model]:checked').value")
    assert chosen != start
    tab_to(page, "input[name=aspect_ratio]")
    page.keyboard.press("ArrowRight")
    expect(page.locator("input[name=aspect_ratio]:checked")).to_have_value("9:16")
    page.keyboard.press("Shift+Tab")  # back to the model, and forward again: nothing changes
    assert focused(page, "input[name=model]")
    page.keyboard.press("Tab")
    expect(page.locator("input[name=aspect_ratio]:checked")).to_have_value("9:16")

    tab_to(page, "#generate-form button[type=submit]")
    assert_ring(page, "Generate")
    screenshot(page, "keyboard-generate-1280")
    page.keyboard.press("Enter")

    card = page.locator(".recent-list .gen-card").first
    expect(card.locator(".stage")).to_contain_text("Generating", timeout=20_000)

    # Generate moved the focus to the new video's tile; the tile is replaced at each check, and the focus stays on it.
    assert focused(page, ".recent-list .gen-card .gen-card__title"), "the focus did not move to the new tile"
    assert card.get_attribute("data-status") != "succeeded", "the video was ready before the focus reached it"
    assert_ring(page, "the new tile")
    expect(card.locator("video")).to_be_visible(timeout=45_000)  # the tile in focus plays its preview
    expect(page.locator("#live-status")).to_contain_text("Your video is ready")
    assert focused(page, ".recent-list .gen-card .gen-card__title"), "the focus was lost when the card changed"
    assert card.locator("video").evaluate("v => v.muted")

    # Download is the next stop.
    tab_to(page, ".recent-list .gen-card a[download]")
    assert_ring(page, "Download")
    screenshot(page, "keyboard-download-1280")
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    target = tmp_path / "keyboard.mp4"
    info.value.save_as(target)
    assert 7.5 <= probe(str(target))["duration"] <= 8.5
    generation = Generation.objects.get()
    assert (generation.prompt, generation.model, generation.aspect_ratio) == (
        "A paper boat sails down a rainy street",
        chosen,
        "9:16",
    )
    context.close()
