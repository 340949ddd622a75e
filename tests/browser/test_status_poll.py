"""A page checks on all its cards in progress with one request every 2 seconds, never one per card; a card counts
on by itself in the browser, and is swapped only when what it says changes.

Time is Playwright's clock: the page's timers run when the test moves the clock on, so the checks are counted per
step of the page's own interval, not over waits in real time.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.conftest import login_context, screenshot
from tests.people import make_generation
from veoui.studio.models import Status

pytestmark = pytest.mark.browser

STEP_MS = 2_000  # the page's interval while someone is at it
IDLE_STEP_MS = 30_000  # after 5 minutes without a touch
CHECK = re.compile(r"/status/(\?|$)")
PER_CARD = re.compile(r"/(videos|renditions)/[^/]+/status/|/notifications/")


def test_the_card_counts_on_without_being_sent_again(desktop: Page, kie) -> None:
    kie.control.configure(min_seconds=9, max_seconds=10)
    page = desktop
    answers: list[int] = []
    page.on("response", lambda r: answers.append(r.status) if CHECK.search(r.url) else None)
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
    before = answers.count(204)
    expect(clock).not_to_have_text(first)
    page.wait_for_event("response", lambda r: CHECK.search(r.url) and r.status == 204, timeout=10_000)
    page.wait_for_event("response", lambda r: CHECK.search(r.url) and r.status == 204, timeout=10_000)
    assert re.fullmatch(r"\d+ s so far", clock.inner_text())
    assert card.evaluate("element => element.dataset.seen") == "before"  # the same card: not swapped
    assert bar.evaluate("b => b.value") >= start
    assert answers.count(204) >= before + 2, answers
    # When it is done, the check brings the finished tile, with its video to play.
    expect(card).to_have_attribute("data-status", "succeeded", timeout=45_000)
    assert card.get_attribute("data-video")
    assert card.evaluate("element => element.dataset.seen || ''") == ""


@pytest.fixture
def watched(playwright_browser, live_server, person):
    """A studio page under Playwright's clock, with every request it sends written down (no worker: the videos
    made here stay in progress for as long as the test looks)."""
    context = login_context(playwright_browser, live_server, person, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.clock.install()
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url))
    yield page, sent
    context.close()


def in_progress(person, count: int) -> list:
    started = timezone.now() - timedelta(seconds=20)
    return [
        make_generation(person, 60, status=Status.RUNNING, submitted_at=started, prompt=f"A paper lantern, take {n}")
        for n in range(count)
    ]


def open_studio(page: Page, sent: list[str], cards: int) -> None:
    with page.expect_response(lambda r: CHECK.search(r.url)):
        page.goto("/studio/text/")
    expect(page.locator("[data-shown]")).to_have_count(cards)
    # From here on the page's time moves only when the test moves it.
    page.clock.pause_at(datetime.fromtimestamp(page.evaluate("Date.now()") / 1000 + 0.5, tz=UTC))
    settle(page)
    sent.clear()


def settle(page: Page) -> None:
    """Waits for the check in flight, if any, to be answered and swapped in."""
    page.wait_for_function("() => !document.body.classList.contains('htmx-request')")


def step(page: Page, milliseconds: int = STEP_MS) -> None:
    page.clock.run_for(milliseconds)
    settle(page)


def checks(sent: list[str]) -> list[str]:
    assert not [url for url in sent if PER_CARD.search(url)], sent
    return [url for url in sent if CHECK.search(url)]


def shown_in(url: str) -> list[str]:
    return [pair for pair in parse_qs(urlsplit(url).query).get("shown", [""])[0].split(",") if pair]


@pytest.mark.parametrize("cards", [1, 6])
def test_one_check_every_two_seconds_however_many_cards(watched, person, cards: int) -> None:
    page, sent = watched
    in_progress(person, cards)
    open_studio(page, sent, cards)
    expect(page).to_have_title(f"({cards}) Text to video · veoui")
    for _ in range(30):  # a minute of the page's time
        step(page)
    asked = checks(sent)
    assert len(asked) == 30, asked
    assert all(len(shown_in(url)) == cards for url in asked), asked
    if cards == 6:
        screenshot(page, "studio-six-in-progress-1280")


def test_nothing_is_asked_while_the_tab_is_hidden(watched, person) -> None:
    page, sent = watched
    in_progress(person, 2)
    open_studio(page, sent, 2)
    page.evaluate(
        "() => { Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });"
        " document.dispatchEvent(new Event('visibilitychange')); }"
    )
    for _ in range(15):
        step(page)
    assert checks(sent) == []
    # Back in sight: it asks at once, without waiting for the next step.
    with page.expect_request(lambda r: CHECK.search(r.url)):
        page.evaluate(
            "() => { Object.defineProperty(document, 'hidden', { configurable: true, get: () => false });"
            " document.dispatchEvent(new Event('visibilitychange')); }"
        )
    settle(page)
    assert len(checks(sent)) == 1


def test_it_asks_less_often_after_five_minutes_without_a_touch(watched, person) -> None:
    page, sent = watched
    in_progress(person, 3)
    open_studio(page, sent, 3)
    page.clock.fast_forward(5 * 60 * 1000 + STEP_MS)  # the due check runs once, as after a laptop's sleep
    settle(page)
    sent.clear()
    for _ in range(30):  # a minute: one check every 30 seconds
        step(page)
    assert len(checks(sent)) == 2, sent
    sent.clear()
    with page.expect_request(lambda r: CHECK.search(r.url)):
        page.keyboard.press("Shift")  # someone is back: a check at once, then every 2 seconds again
    settle(page)
    for _ in range(5):
        step(page)
    assert len(checks(sent)) == 6, sent


def test_a_video_started_in_another_tab_joins_the_list(watched, person) -> None:
    page, sent = watched
    in_progress(person, 1)
    open_studio(page, sent, 1)
    make_generation(person, 60, status=Status.QUEUED, prompt="A second lantern, from another tab")
    step(page)
    cards = page.locator("#recent-list .gen-card")
    expect(cards).to_have_count(2)
    expect(cards.first).to_contain_text("A second lantern, from another tab")
    expect(page).to_have_title("(2) Text to video · veoui")
    step(page)
    expect(cards).to_have_count(2)  # known now: not added twice
