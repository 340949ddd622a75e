"""Target 2: kie.ai's record-info calls do not grow with the number of people watching a generation.

One and then twenty pollers (each a browser tab's htmx poll of the status partial, every 2 s) watch a
generation from Generate to Ready; the simulator counts the record-info calls it got for that task. Then the
same with a callback: the simulator finishes the task and calls back, and the calls after that are counted.
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
import time
from pathlib import Path

import requests

from bench import common

TAB_POLL_SECONDS = 2.0
WORKER_POLL_SECONDS = 2.0  # tasks last 3 s: the worker's checks at about 2 s and 4 s see running, then done
TASK_SECONDS = 3.0


def watched(base: str, cookie_header: dict, public_id, viewers: int, stop: threading.Event) -> list[threading.Thread]:
    def tab() -> None:
        session = requests.Session()
        while not stop.is_set():
            with contextlib.suppress(requests.RequestException):
                session.get(f"{base}/status/?shown={public_id}:0", headers=cookie_header, timeout=10)
            stop.wait(TAB_POLL_SECONDS)

    threads = [threading.Thread(target=tab, daemon=True) for _ in range(viewers)]
    for thread in threads:
        thread.start()
    return threads


def record_infos(sim, task_id: str, after: float = 0.0) -> int:
    return sum(
        1
        for entry in sim.control.requests("record-info")
        if entry["query"].get("taskId") == task_id and entry["time"] > after
    )


def main() -> None:
    options = common.arguments(__doc__)
    workdir = Path(options.workdir or tempfile.mkdtemp(prefix="veoui-bench-"))
    database = common.database_environment(options.db, workdir, "veoui_bench_upstream")
    with common.simulator(workdir, min_seconds=TASK_SECONDS, max_seconds=TASK_SECONDS) as sim:
        port = common.free_port()
        base_env = common.environment(database, workdir / "media", **common.kie_environment(sim))
        common.manage(base_env, "migrate", "--noinput")
        common.use_in_this_process(base_env)
        from django.conf import settings
        from django.contrib.auth import get_user_model

        from veoui.studio.models import Generation

        user = get_user_model().objects.create_user("bench", password=common.PASSWORD)
        headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={common.logged_in_cookie(user)}", "HX-Request": "true"}

        def follow(base: str, viewers: int, finish=None) -> tuple[int, int]:
            generation = common.new_generation(user)
            stop = threading.Event()
            tabs = watched(base, headers, generation.uuid, viewers, stop)
            common.wait_for(lambda: Generation.objects.get(pk=generation.pk).kie_task_id, 30, "submitted")
            task_id = Generation.objects.get(pk=generation.pk).kie_task_id
            finished_at = finish(task_id) if finish else 0.0
            common.wait_for(lambda: Generation.objects.get(pk=generation.pk).status == "succeeded", 60, "video ready")
            stop.set()
            for tab in tabs:
                tab.join(timeout=15)
            return record_infos(sim, task_id), record_infos(sim, task_id, after=finished_at)

        polling_env = {**base_env, "VEOUI_POLL_INTERVAL": str(WORKER_POLL_SECONDS)}
        with common.gunicorn(base_env, workdir / "web-upstream.log", port) as base:
            with common.worker(polling_env, workdir / "worker-polling.log"):
                one, _ = follow(base, 1)
                twenty, _ = follow(base, 20)
            print(f"upstream calls on {options.db}, polling: record-info calls with 1 viewer {one}, with 20 {twenty}")
            common.row(
                f"2. record-info calls, 20 viewers vs 1 ({options.db}, polling)",
                f"{twenty} calls",
                f"{one} calls",
                twenty / one if one else None,
                twenty == one and one > 0,
            )

            sim.control.configure(min_seconds=600, max_seconds=600)  # finished only when the bench says so

            def finish_now(task_id: str) -> float:
                time.sleep(1.0)
                started = time.time()
                sim.control.complete(task_id)
                return started

            callback_env = {**base_env, "PUBLIC_BASE_URL": base}
            with common.worker(callback_env, workdir / "worker-callback.log"):
                total_one, after_one = follow(base, 1, finish_now)
                total_twenty, after_twenty = follow(base, 20, finish_now)
            delivered = [c for c in sim.control.callbacks() if c["delivered"]]
            print(
                f"upstream calls on {options.db}, callbacks ({len(delivered)} delivered): record-info calls after "
                f"the callback with 1 viewer {after_one} (of {total_one}), with 20 {after_twenty} (of {total_twenty})"
            )
            common.row(
                f"2. record-info calls after the callback, 20 viewers ({options.db})",
                f"{after_twenty} calls",
                f"{after_one} calls (1 viewer)",
                after_twenty / after_one if after_one else None,
                after_twenty <= 1 and after_one <= 1 and len(delivered) >= 2,
            )


if __name__ == "__main__":
    main()
