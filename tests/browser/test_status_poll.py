"""A card in progress counts on by itself in the browser, and is swapped only when what it says changes."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_the_card_counts_on_without_being_sent_again(desktop: Page, kie) -> None:
    kie.control.configure(min_seconds=9, max_seconds=10)
    page = desktop
    answers: list[int] = []
    page.on("response", lambda r: answers.append(r.status) if re.search(r"/videos/[^/]+/status/", r.url) else None)
    page.goto("/")
    page.get_by_label("Prompt", exact=True).fill("A kite over a windy beach at dawn")
    page.get_by_role("button", name="Generate").click()
    card = page.locator(".recent-list .gen-card").first
    expect(card.locator(".stage")).to_contain_text("Generating", timeout=20_000)
    card.evaluate("element => { element.dataset.seen = 'before'; }")
    clock = card.locator("[data-elapsed-seconds]")
    first = clock.inner_text()
    bar = card.locator("progress")
    start = int(bar.get_attribute("value") or bar.evaluate("b => String(b.value)"))
    page.wait_for_timeout(3_500)
    assert re.fullmatch(r"\d+ s so far", clock.inner_text()) and clock.inner_text() != first
    assert card.evaluate("element => element.dataset.seen") == "before"  # the same card: not swapped
    assert bar.evaluate("b => b.value") >= start
    assert answers.count(204) >= 2, answers
    # When it is done, the check brings the finished card with its player.
    expect(card.locator("video")).to_be_visible(timeout=45_000)
    assert card.evaluate("element => element.dataset.seen || ''") == ""
