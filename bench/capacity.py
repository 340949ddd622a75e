"""Capacity with the worker busy: what a team's open pages cost the server while videos are being made.

20 members each have a video in the making at the simulator (the shipped worker polls and writes them). Each open
page is a logged-in session of its own that asks ``/status/`` once every 2 seconds, as static/js/veoui.js does,
with what its card shows; it takes up what each answer changes (a new fingerprint, the running list), so a card
that moved gets the whole card, as in a browser. The client is open-loop: every page has its tick, a late answer
delays the page's next ask, and a latency counts from the tick, so time spent queueing is never hidden.

First 200 pages for BENCH_CAPACITY_SECONDS (p95 < 50 ms, p99 < 150 ms, no error), then the count is stepped up
(BENCH_CAPACITY_STEP_SECONDS each) to find the most pages served at p95 < 100 ms, for the status check and for a
bare Django view (constant answer, no session) on the same gunicorn in the same run.
"""

from __future__ import annotations

import asyncio
import html
import os
import random
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bench import common

MEMBERS = 20
PAGES = 200
INTERVAL = 2.0
SECONDS = float(os.environ.get("BENCH_CAPACITY_SECONDS", "20"))
STEP_SECONDS = float(os.environ.get("BENCH_CAPACITY_STEP_SECONDS", "10"))
STEPS = [200, 400, 600, 800, 1000, 1250, 1500, 2000]
SHOWN = re.compile(r'data-shown="([^"]+)"')
COOKIE = "sessionid"  # settings.SESSION_COOKIE_NAME, read in main()
RUNNING = re.compile(r'id="status-news"[^>]*data-ids="([^"]*)"')


@dataclass
class Page:
    """One open page: its session and what it last heard, as the page's script keeps them."""

    cookie: str | None
    shown: dict[str, str]
    seen: str
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None

    def path(self) -> str:
        if self.cookie is None:
            return "/bench/constant/"
        shown = ",".join(f"{key}:{value}" for key, value in self.shown.items())
        return f"/status/?shown={shown}&seen={self.seen}"

    def heard(self, body: str) -> None:
        for value in SHOWN.findall(body):
            key, _, fingerprint = html.unescape(value).partition(":")
            self.shown[key] = fingerprint
        running = RUNNING.search(body)
        if running:
            self.seen = running.group(1)


@dataclass
class Figures:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    changed: int = 0

    def summary(self) -> str:
        return (
            f"{len(self.latencies)} answers, p50 {common.median(self.latencies) * 1000:.0f} ms, "
            f"p95 {p(self.latencies, 0.95) * 1000:.0f} ms, p99 {p(self.latencies, 0.99) * 1000:.0f} ms, "
            f"{self.errors} errors, {self.changed} changed cards"
        )


def p(values: list[float], fraction: float) -> float:
    if not values:
        return float("inf")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def ask(page: Page, host: str, port: int) -> tuple[int, str]:
    """One GET on the page's own kept-alive connection (opened again when the server closed it)."""
    for attempt in (1, 2):
        if page.writer is None:
            page.reader, page.writer = await asyncio.open_connection(host, port)
        cookie = f"Cookie: {COOKIE}={page.cookie}\r\nHX-Request: true\r\n" if page.cookie else ""
        page.writer.write(f"GET {page.path()} HTTP/1.1\r\nHost: {host}:{port}\r\n{cookie}\r\n".encode())
        try:
            await page.writer.drain()
            head = await page.reader.readuntil(b"\r\n\r\n")
        except (ConnectionError, asyncio.IncompleteReadError):
            page.writer.close()
            page.writer = None
            if attempt == 2:
                raise
            continue
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        body = await page.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            page.writer.close()
            page.writer = None
        return status, body.decode("utf-8", "replace")
    raise AssertionError("unreachable")


async def open_page(page: Page, host: str, port: int, start: float, until: float, figures: Figures) -> None:
    tick = start + random.uniform(0, INTERVAL)  # pages opened at random moments, as a team's are
    while tick < until:
        delay = tick - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        try:
            status, body = await asyncio.wait_for(ask(page, host, port), timeout=10)
        except (OSError, TimeoutError, asyncio.IncompleteReadError):
            figures.errors += 1
            if page.writer:
                page.writer.close()
            page.writer = None
        else:
            if status == 200:
                figures.changed += body.count("data-shown")
                page.heard(body)
            elif status != 204:
                figures.errors += 1
        figures.latencies.append(time.monotonic() - tick)
        tick += INTERVAL  # the next check: two seconds after this one was due, or at once if it is already late


def run_pages(base: str, pages: list[Page], seconds: float) -> Figures:
    address = urlsplit(base)
    figures = Figures()

    async def all_pages() -> None:
        start = time.monotonic() + 0.5
        await asyncio.gather(
            *(open_page(page, address.hostname, address.port, start, start + seconds, figures) for page in pages)
        )
        for page in pages:
            if page.writer:
                page.writer.close()

    asyncio.run(all_pages())
    return figures


def members_at_work(sim) -> list[tuple[object, str, str]]:
    """20 members, each with a video the worker has sent to kie.ai: (member, its public id, its fingerprint)."""
    from django.contrib.auth import get_user_model

    from veoui.studio.models import Generation

    made = []
    for index in range(MEMBERS):
        member = get_user_model().objects.create_user(f"member{index}", password=common.PASSWORD)
        made.append((member, common.new_generation(member, f"Member {index}: a paper boat on a neon canal")))
    common.wait_for(
        lambda: Generation.objects.filter(status="running").exclude(kie_task_id="").count() == MEMBERS,
        120,
        "the worker sending 20 videos to the simulator",
    )
    return [(member, str(g.uuid), Generation.objects.get(pk=g.pk).fingerprint()) for member, g in made]


def status_pages(people: list[tuple[object, str, str]], count: int) -> list[Page]:
    return [
        Page(common.logged_in_cookie(member), {public_id: fingerprint}, public_id)
        for index in range(count)
        for member, public_id, fingerprint in [people[index % len(people)]]
    ]


def bare_pages(count: int) -> list[Page]:
    return [Page(None, {}, "") for _ in range(count)]


def largest(base: str, make_pages, label: str) -> tuple[int, str]:
    """Steps the page count up while p95 stays under 100 ms; the last count that did, and its figures."""
    best, best_text = 0, "none"
    for count in STEPS:
        figures = run_pages(base, make_pages(count), STEP_SECONDS)
        print(f"  {label}, {count} pages: {figures.summary()}", flush=True)
        if p(figures.latencies, 0.95) >= 0.1 or figures.errors:
            break
        best, best_text = count, f"p95 {p(figures.latencies, 0.95) * 1000:.0f} ms"
    return best, best_text


def main() -> None:
    options = common.arguments(__doc__)
    workdir = Path(options.workdir or tempfile.mkdtemp(prefix="veoui-bench-"))
    database = common.database_environment(options.db, workdir, "veoui_bench_capacity")
    with common.simulator(workdir, min_seconds=3600, max_seconds=3600) as sim:
        env = common.environment(database, workdir / "media", **common.kie_environment(sim))
        common.manage(env, "migrate", "--noinput")
        common.manage(env, "collectstatic", "--noinput", "-v", "0")
        common.use_in_this_process(env)
        from django.conf import settings

        from veoui.studio.models import Generation

        global COOKIE
        COOKIE = settings.SESSION_COOKIE_NAME
        with (
            common.worker(env, workdir / f"worker-{options.db}.log"),
            common.gunicorn(env, workdir / f"web-{options.db}.log") as base,
        ):
            people = members_at_work(sim)
            polls_before = len(sim.control.requests("record-info"))
            run_pages(base, status_pages(people, 20), 4)  # warm every process, thread and connection up
            run_pages(base, bare_pages(20), 2)
            figures = run_pages(base, status_pages(people, PAGES), SECONDS)
            print(f"capacity on {options.db}, {PAGES} pages for {SECONDS:g} s: {figures.summary()}", flush=True)
            bare = run_pages(base, bare_pages(PAGES), SECONDS)
            print(f"  bare view, {PAGES} pages: {bare.summary()}", flush=True)
            most_status, status_text = largest(base, lambda n: status_pages(people, n), "status check")
            most_bare, bare_text = largest(base, bare_pages, "bare view")
            polled = len(sim.control.requests("record-info")) - polls_before
            still = Generation.objects.filter(status="running").count()
    print(f"  meanwhile the worker asked kie.ai {polled} times about the {still} videos still in the making")
    p95, p99 = p(figures.latencies, 0.95) * 1000, p(figures.latencies, 0.99) * 1000
    bare_p95 = p(bare.latencies, 0.95) * 1000
    common.row(
        f"capacity: {PAGES} pages polling, 20 in the making ({options.db}) p95 < 50 ms, p99 < 150 ms, 0 errors",
        f"p95 {p95:.0f} ms, p99 {p99:.0f} ms, {figures.errors} errors",
        f"bare view p95 {bare_p95:.0f} ms",
        p95 / bare_p95 if bare_p95 else None,
        p95 < 50 and p99 < 150 and figures.errors == 0 and polled > 0,
    )
    common.row(
        f"capacity: most pages at p95 < 100 ms ({options.db}), goal 1000",
        f"{most_status} pages ({status_text})",
        f"bare view {most_bare} pages ({bare_text})",
        most_status / most_bare if most_bare else None,
        most_status >= 1000,
    )


if __name__ == "__main__":
    main()
