"""One slow job never holds the others: a video's wait from kie.ai finished to Ready while another video's file
trickles in (held by the simulator until released), against the same wait with nothing held.

The worker runs as shipped (the Procfile's command) and polls every 0.5 s; each figure is the median of RUNS
videos, timed from the simulator finishing the task to the video saved in veoui's storage. It passes when the
held figure is at most the baseline plus one second.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from bench import common

RUNS = int(os.environ.get("BENCH_SLOW_JOBS_RUNS", "5"))
POLL_SECONDS = "0.5"
ALLOWANCE = 1.0


def main() -> None:
    options = common.arguments(__doc__)
    workdir = Path(options.workdir or tempfile.mkdtemp(prefix="veoui-bench-"))
    database = common.database_environment(options.db, workdir, "veoui_bench_slow_jobs")
    with common.simulator(workdir, min_seconds=600, max_seconds=600) as sim:  # finished when the bench says so
        env = common.environment(
            database, workdir / "media", VEOUI_POLL_INTERVAL=POLL_SECONDS, **common.kie_environment(sim)
        )
        common.manage(env, "migrate", "--noinput")
        common.use_in_this_process(env)
        from django.contrib.auth import get_user_model

        from veoui.studio.models import Generation

        user = get_user_model().objects.create_user("bench", password=common.PASSWORD)

        def submitted(prompt: str) -> Generation:
            generation = common.new_generation(user, prompt)
            common.wait_for(lambda: Generation.objects.get(pk=generation.pk).kie_task_id, 30, "submitted")
            return Generation.objects.get(pk=generation.pk)

        def saved(generation: Generation) -> bool:
            return Generation.objects.filter(pk=generation.pk, status="succeeded").exclude(video="").exists()

        def finished_to_ready(prompt: str) -> float:
            generation = submitted(prompt)
            started = time.monotonic()
            sim.control.complete(generation.kie_task_id)
            common.wait_for(lambda: saved(generation), 60, "video ready")
            return time.monotonic() - started

        with common.worker(env, workdir / "worker-slow-jobs.log"):
            baseline = common.median([finished_to_ready(f"Baseline {n}") for n in range(RUNS)])
            sim.control.add_fault("files", "trickle", head_bytes=4096, every=0.1, seconds=600)
            slow = submitted("A very slow download")
            sim.control.complete(slow.kie_task_id)
            trickling = lambda: any(entry["fault"] == "trickle" for entry in sim.control.requests("files"))  # noqa: E731
            common.wait_for(trickling, 60, "the slow download started")
            held = common.median([finished_to_ready(f"Beside the slow one {n}") for n in range(RUNS)])
            still_held = Generation.objects.get(pk=slow.pk).status == "archiving"
            sim.control.release()
            common.wait_for(lambda: saved(slow), 60, "the slow video saved once released")
    print(f"slow jobs on {options.db}: finished to ready {held:.2f} s beside a held download, {baseline:.2f} s alone")
    common.row(
        f"Finished to Ready beside a held download ({options.db})",
        f"{held:.2f} s",
        f"{baseline:.2f} s (nothing held)",
        held / baseline if baseline else None,
        still_held and held <= baseline + ALLOWANCE,
    )


if __name__ == "__main__":
    main()
