"""Target 3: what veoui adds to kie.ai's wait, seen in a real browser (Debian's Chromium through Playwright).

For each run a member presses Generate on the studio page; the bench notes when the simulator receives the
generate request, then makes the simulator finish the task and notes when the browser has a playable archived
video. 20 runs with callbacks (PUBLIC_BASE_URL set) and 20 polling without them. The baseline is the same
browser opening the finished video's page and getting it playable, which is what any page with a video costs.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from bench import common

RUNS = int(os.environ.get("BENCH_LATENCY_RUNS", "20"))
POLL_SECONDS = 3.0  # the worker's check interval without callbacks (VEOUI_POLL_INTERVAL), short to keep runs quick;
# the target allows that interval plus 3 s without callbacks, 3 s with them
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CHROMIUM_ARGS += ["--disable-gpu", "--no-first-run", "--autoplay-policy=no-user-gesture-required"]
# Playable: the studio's tile says Ready and names its archived file, and a player given that file (as the tile's
# shared player is on hover) has enough of it to start playing.
PLAYABLE = """(publicId) => {
  const tile = document.querySelector(`#generation-${publicId}[data-video*="/videos/${publicId}/video.mp4"]`);
  if (!tile) return false;
  let video = document.querySelector(`video[data-bench="${publicId}"]`);
  if (!video) {
    video = document.createElement("video");
    video.dataset.bench = publicId;
    video.muted = true;
    video.src = tile.dataset.video;
    document.body.append(video);
    video.play().catch(() => {});
  }
  return video.readyState >= 3;
}"""
# The baseline: a finished video's own page, its player given enough to start playing.
PAGE_PLAYABLE = """(publicId) => {
  const video = document.querySelector(`video[src*="/videos/${publicId}/video.mp4"]`);
  if (!video) return false;
  if (!video.dataset.benchAsked) { video.dataset.benchAsked = '1'; video.muted = true; video.play().catch(() => {}); }
  return video.readyState >= 3;
}"""


def one_run(page, sim, Generation, prompt: str) -> tuple[float, float]:
    page.goto("/studio/text/")
    page.get_by_label("Prompt", exact=True).fill(prompt)
    before = len(sim.control.requests("generate"))
    clicked = time.time()
    page.get_by_role("button", name="Generate").click()
    common.wait_for(lambda: len(sim.control.requests("generate")) > before, 30, "generate request")
    received = sim.control.requests("generate")[before]["time"]
    generation = common.wait_for(
        lambda: Generation.objects.filter(prompt=prompt).exclude(kie_task_id="").first(), 30, "task id saved"
    )
    sim.control.complete(generation.kie_task_id)
    finished = time.time()
    page.wait_for_function(PLAYABLE, arg=str(generation.uuid), polling=20, timeout=60_000)
    return received - clicked, time.time() - finished


def baseline_run(page, public_id) -> float:
    started = time.time()
    page.goto(f"/videos/{public_id}/")
    page.wait_for_function(PAGE_PLAYABLE, arg=str(public_id), polling=20, timeout=30_000)
    return time.time() - started


def main() -> None:
    options = common.arguments(__doc__)
    workdir = Path(options.workdir or tempfile.mkdtemp(prefix="veoui-bench-"))
    database = common.database_environment(options.db, workdir, "veoui_bench_latency")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop lives in this thread beside the ORM
    from playwright.sync_api import sync_playwright

    with common.simulator(workdir, min_seconds=600, max_seconds=600) as sim:
        port = common.free_port()
        env = common.environment(database, workdir / "media", **common.kie_environment(sim))
        common.manage(env, "migrate", "--noinput")
        common.manage(env, "collectstatic", "--noinput", "-v", "0")
        common.use_in_this_process(env)
        from django.conf import settings
        from django.contrib.auth import get_user_model

        from veoui.studio.models import Generation

        user = get_user_model().objects.create_user("bench", password=common.PASSWORD)
        cookie = common.logged_in_cookie(user)
        figures: dict[str, dict[str, list[float]]] = {}
        with common.gunicorn(env, workdir / "web-latency.log", port) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
            page = context.new_page()
            modes = [
                ("callbacks", {"PUBLIC_BASE_URL": base}),
                ("polling", {"VEOUI_POLL_INTERVAL": str(POLL_SECONDS)}),
            ]
            for name, extra in modes:
                submit, ready = [], []
                with common.worker({**env, **extra}, workdir / f"worker-latency-{name}.log"):
                    one_run(page, sim, Generation, f"Warm-up, {name}: a kite over a beach")
                    for index in range(RUNS):
                        to_kie, to_player = one_run(page, sim, Generation, f"Run {index}, {name}: a kite over a beach")
                        submit.append(to_kie)
                        ready.append(to_player)
                figures[name] = {"submit": submit, "ready": ready}
            finished = Generation.objects.filter(status="succeeded").first()
            baseline = [baseline_run(page, finished.uuid) for _ in range(5)]
            browser.close()
    base_median = common.median(baseline)
    for name, limit in (("callbacks", 3.0), ("polling", POLL_SECONDS + 3.0)):
        ready = figures[name]["ready"]
        print(
            f"latency on {options.db}, {name}: finished to playable median {common.median(ready):.2f} s, "
            f"p95 {common.p95(ready):.2f} s, max {max(ready):.2f} s over {len(ready)} runs"
        )
        common.row(
            f"3. finished to playable in the browser, {name} ({options.db}) <= {limit:g} s (p95)",
            f"median {common.median(ready):.2f} s, p95 {common.p95(ready):.2f} s",
            f"{base_median:.2f} s (open a ready video)",
            common.p95(ready) / base_median,
            common.p95(ready) <= limit,
        )
    submit = figures["callbacks"]["submit"] + figures["polling"]["submit"]
    print(
        f"latency on {options.db}: Generate click to generate request median {common.median(submit):.2f} s, "
        f"p95 {common.p95(submit):.2f} s, max {max(submit):.2f} s over {len(submit)} runs"
    )
    common.row(
        f"3. Generate click to kie.ai's generate request ({options.db}) <= 1.5 s (p95)",
        f"median {common.median(submit):.2f} s, p95 {common.p95(submit):.2f} s",
        f"{base_median:.2f} s (open a ready video)",
        common.p95(submit) / base_median,
        common.p95(submit) <= 1.5,
    )


if __name__ == "__main__":
    main()
