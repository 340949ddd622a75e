"""Watching cost: what one open studio page asks of veoui in a minute, with 1 and with 6 videos in the making,
while the tab is in sight and while it is hidden, counted in a real browser (Debian's Chromium).

gunicorn, the worker and the simulator run as shipped; the simulator's tasks last 10 minutes, so every video
stays in the making for the whole bench. The page is the studio of a logged-in member; every request it sends
is written down (Playwright's request events) over a real minute (BENCH_WATCHING_SECONDS, default 60) that
starts with one of the page's checks: the checks due 2, 4 ... 58 s later count even if each runs a little late,
the one due at 60 s never does.

Hidden for real: the window holding the tab is minimized (DevTools' Browser.setWindowBounds), and Chromium sets
document.visibilityState to 'hidden' and fires visibilitychange, as when someone minimizes their browser. A
browser started by Playwright's launch() never hides a page: Playwright switches on focus emulation for each one
(Emulation.setFocusEmulationEnabled), which keeps it visible the way a screen capture does. So this bench starts
Chromium itself, with the browser tests' arguments, and connects Playwright to it over DevTools without those
defaults (connect_over_cdp(no_defaults=True)). Chromium's slowing of hidden pages' timers is switched off too
(--disable-background-timer-throttling, --disable-renderer-backgrounding): the page's own timers keep running at
full speed while hidden, so a hidden minute without requests shows the page's rule, not the browser's thrift.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from bench import common

SECONDS = float(os.environ.get("BENCH_WATCHING_SECONDS", "60"))
MOST_VISIBLE = 30 * SECONDS / 60  # one check every 2 seconds
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CHROMIUM_ARGS += ["--disable-gpu", "--no-first-run", "--autoplay-policy=no-user-gesture-required"]
CHROMIUM_ARGS += ["--disable-background-timer-throttling", "--disable-renderer-backgrounding"]
CHECK = re.compile(r"/status/(\?|$)")


class Watched:
    """One browser tab on the studio page, with every request it sends and when."""

    def __init__(self, context, base: str) -> None:
        self.page = context.new_page()
        self.base = base
        self.sent: list[tuple[float, str]] = []
        self.at: dict[object, float] = {}  # each request, when it was sent
        self.page.on("request", self.written_down)
        session = context.new_cdp_session(self.page)
        self.window = session.send("Browser.getWindowForTarget")["windowId"]
        self.session = session

    def written_down(self, request) -> None:
        self.at[request] = time.monotonic()
        self.sent.append((self.at[request], request.url))

    def open_studio(self, cards: int) -> None:
        self.page.goto(f"{self.base}/studio/text/")
        self.page.locator("[data-shown]").nth(cards - 1).wait_for(timeout=30_000)
        assert self.page.locator("[data-shown]").count() == cards

    def visibility(self) -> str:
        return self.page.evaluate("() => document.visibilityState")

    def window_state(self, state: str) -> None:
        self.session.send("Browser.setWindowBounds", {"windowId": self.window, "bounds": {"windowState": state}})

    def next_check(self, action: Callable[[], object] = lambda: None) -> float:
        """Does ``action`` and waits for the page's next status check to be sent; returns when it was."""
        with self.page.expect_request(lambda request: CHECK.search(request.url), timeout=35_000) as sent:
            action()
        return self.at[sent.value]

    def minute(self, start: float) -> list[tuple[float, str]]:
        """The requests sent from ``start`` on, for one measured minute (Playwright hands over the browser's
        events while it waits, so each is written down as it happens)."""
        end = start + SECONDS
        self.page.wait_for_timeout(max(0.0, end - time.monotonic()) * 1000)
        return [(when, url) for when, url in self.sent if start <= when < end]


def checks(sent: list[tuple[float, str]]) -> list[tuple[float, str]]:
    return [(when, url) for when, url in sent if CHECK.search(url)]


def named(sent: list[tuple[float, str]]) -> str:
    """How many cards each status check named (``shown``): all the page's, in one request."""
    counts = {
        len([pair for pair in parse_qs(urlsplit(url).query).get("shown", [""])[0].split(",") if pair])
        for _, url in checks(sent)
    }
    return "/".join(map(str, sorted(counts)))


def pace(sent: list[tuple[float, str]]) -> str:
    """The mean time between two checks: a timer running late shows here (the page's own pace)."""
    times = [when for when, _ in checks(sent)]
    return f"{(times[-1] - times[0]) / (len(times) - 1):.3f} s" if len(times) > 1 else "-"


# The cards' clocks change their text once a second from the page's own timer: counted while the tab is hidden,
# they show the page kept running (only its checks stopped).
COUNT_TICKS = """() => {
  window.benchTicks = 0;
  const clock = document.querySelector('[data-elapsed-seconds]');
  const counting = new MutationObserver(() => { window.benchTicks += 1; });
  counting.observe(clock, { childList: true, characterData: true, subtree: true });
}"""


def watch(watched: Watched, cards: int) -> dict[str, list[tuple[float, str]]]:
    """A minute in sight, then a minute hidden, then back in sight."""
    watched.open_studio(cards)
    assert watched.visibility() == "visible"
    visible = watched.minute(watched.next_check())
    assert watched.visibility() == "visible"
    watched.next_check()
    watched.page.evaluate(COUNT_TICKS)
    watched.window_state("minimized")
    watched.page.wait_for_function("() => document.visibilityState === 'hidden'", polling=50, timeout=10_000)
    hidden = watched.minute(time.monotonic())
    assert watched.visibility() == "hidden"
    ticks = watched.page.evaluate("() => window.benchTicks")
    shown_again = time.monotonic()
    back = watched.next_check(lambda: watched.window_state("normal")) - shown_again  # a check at once
    print(
        f"watching, {cards} in the making: {len(visible)} requests in {SECONDS:g} s visible "
        f"({len(checks(visible))} status checks, each naming {named(visible)} of {cards}, one every {pace(visible)}), "
        f"{len(hidden)} hidden ({len(checks(hidden))} status checks, while the cards' clocks ticked {ticks} times); "
        f"back in sight, a check after {back:.2f} s",
        flush=True,
    )
    others = sorted({url for _, url in visible + hidden if not CHECK.search(url)})
    if others:
        print(f"  other requests: {others}", flush=True)
    return {"visible": visible, "hidden": hidden}


@contextmanager
def chromium(workdir: Path) -> Iterator[str]:
    """Debian's Chromium, headless, with its DevTools on a free port; yields their address."""
    log = workdir / "chromium.log"
    argv = [CHROMIUM, "--headless", "--remote-debugging-port=0", f"--user-data-dir={workdir / 'chromium-profile'}"]
    argv += [*CHROMIUM_ARGS, "--window-size=1280,900", "about:blank"]
    with common.process(argv, dict(os.environ), log):

        def listening() -> str | None:
            match = re.search(r"DevTools listening on (ws://\S+)", log.read_text(errors="replace"))
            return match.group(1) if match else None

        yield common.wait_for(listening, 30, "Chromium's DevTools", log)


def main() -> None:
    options = common.arguments(__doc__)
    workdir = Path(options.workdir or tempfile.mkdtemp(prefix="veoui-bench-"))
    database = common.database_environment(options.db, workdir, "veoui_bench_watching")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop lives in this thread beside the ORM
    from playwright.sync_api import sync_playwright

    with common.simulator(workdir, min_seconds=600, max_seconds=600) as sim:  # in the making all along
        env = common.environment(database, workdir / "media", **common.kie_environment(sim))
        common.manage(env, "migrate", "--noinput")
        common.manage(env, "collectstatic", "--noinput", "-v", "0")
        common.use_in_this_process(env)
        from django.conf import settings
        from django.contrib.auth import get_user_model

        from veoui.studio.models import Generation, Status

        user = get_user_model().objects.create_user("bench", password=common.PASSWORD)
        cookie = common.logged_in_cookie(user)

        def making(count: int) -> None:
            for n in range(Generation.objects.count(), count):
                common.new_generation(user, f"A paper lantern drifting over a lake, take {n}")
            submitted = lambda: Generation.objects.filter(status=Status.RUNNING).count() == count  # noqa: E731
            common.wait_for(submitted, 60, f"{count} videos at kie.ai")

        figures = {}
        with (
            common.gunicorn(env, workdir / "web-watching.log") as base,
            common.worker(env, workdir / "worker-watching.log"),
            chromium(workdir) as address,
            sync_playwright() as playwright,
        ):
            browser = playwright.chromium.connect_over_cdp(address, no_defaults=True)
            context = browser.contexts[0]
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
            for cards in (1, 6):
                making(cards)
                watched = Watched(context, base)
                figures[cards] = watch(watched, cards)
                watched.page.close()
                left = Generation.objects.exclude(status=Status.RUNNING).count()
                assert not left, f"{left} videos left the making during the minute"
            browser.close()
    visible = {cards: len(figures[cards]["visible"]) for cards in figures}
    hidden = {cards: len(figures[cards]["hidden"]) for cards in figures}
    per = f"in {SECONDS:g} s" if SECONDS != 60 else "a minute"
    common.row(
        f"Watching cost: requests {per}, studio page visible, 1 video in the making <= {MOST_VISIBLE:g}",
        f"{visible[1]} requests",
        f"{MOST_VISIBLE:g} (one check every 2 s)",
        visible[1] / MOST_VISIBLE,
        visible[1] <= MOST_VISIBLE,
    )
    common.row(
        f"Watching cost: requests {per}, studio page visible, 6 videos in the making: as with 1, <= {MOST_VISIBLE:g}",
        f"{visible[6]} requests",
        f"{visible[1]} requests (1 video)",
        visible[6] / visible[1] if visible[1] else None,
        visible[6] == visible[1] and visible[6] <= MOST_VISIBLE,
    )
    common.row(
        f"Watching cost: requests {per}, studio page hidden, 1 and 6 videos in the making: none",
        f"{hidden[1]} and {hidden[6]} requests",
        f"{visible[1]} and {visible[6]} requests visible",
        None,
        hidden[1] == 0 and hidden[6] == 0,
    )


if __name__ == "__main__":
    main()
