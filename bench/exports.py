"""Exports run on their own queue: a new video's Generate-to-submit time while a 4K scene export runs, against the
same time with no export.

The worker and the exporter run as shipped (the Procfile's commands); the scene is three 4K simulator clips, so
its export keeps ffmpeg busy for minutes. Generate-to-submit is timed from the video saved (its submit task
queued, as the studio's form leaves it) to kie.ai's task id saved; each figure is the median of RUNS videos. It
passes when the figure during the export is at most the baseline plus ALLOWANCE, and the export was still running.
Runs on SQLite (``--db sqlite``) or PostgreSQL (``--db postgres``, a throwaway database on BENCH_POSTGRES's server);
``make bench`` runs both.
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from pathlib import Path

from bench import common

RUNS = int(os.environ.get("BENCH_EXPORTS_RUNS", "5"))
ALLOWANCE = 0.5  # seconds


def main() -> None:
    options = common.arguments(__doc__)
    workdir = Path(options.workdir or tempfile.mkdtemp(prefix="veoui-bench-"))
    database = common.database_environment(options.db, workdir, "veoui_bench_exports")
    with common.simulator(workdir, min_seconds=600, max_seconds=600) as sim:
        env = common.environment(database, workdir / "media", **common.kie_environment(sim))
        common.manage(env, "migrate", "--noinput")
        common.use_in_this_process(env)
        from django.contrib.auth import get_user_model
        from django.core.files.base import ContentFile
        from django.core.files.storage import default_storage

        from veoui.kie.simulator.cards import RenderSpec
        from veoui.kie.simulator.render import render_clip
        from veoui.scenes import exporting
        from veoui.scenes.models import Scene, SceneExport, Shot
        from veoui.studio.models import Generation

        user = get_user_model().objects.create_user("bench", password=common.PASSWORD)
        scene = Scene.objects.create(owner=user, title="A 4K scene")
        for position in range(3):
            clip = workdir / f"clip-{position}.mp4"
            spec = RenderSpec(task_id=f"bench-4k-{position}", prompt="4K", mode="TEXT_2_VIDEO", model="veo3",
                              aspect_ratio="16:9", seed=1)  # fmt: skip
            render_clip(spec, "4k", clip)
            name = default_storage.save(f"videos/{uuid.uuid4().hex}.mp4", ContentFile(clip.read_bytes()))
            video = common.new_generation(user, f"Shot {position}")
            Generation.objects.filter(pk=video.pk).update(status="succeeded", video=name, resolution="4k")
            Shot.objects.create(scene=scene, position=position, generation_id=video.pk, join="crossfade")

        def generate_to_submit(prompt: str) -> float:
            started = time.monotonic()
            generation = common.new_generation(user, prompt)
            common.wait_for(lambda: Generation.objects.get(pk=generation.pk).kie_task_id, 30, "submitted")
            return time.monotonic() - started

        exporter = [common.PYTHON, "manage.py", "db_worker", "--no-reload", "--queue-name", "export"]
        with (
            common.worker(env, workdir / "worker-exports.log"),
            common.process(exporter, env, workdir / "exporter.log"),
        ):
            generate_to_submit("Warming up")
            baseline = common.median([generate_to_submit(f"Baseline {n}") for n in range(RUNS)])
            export = exporting.ask_export(scene, user, uuid.uuid4())
            under_way = SceneExport.objects.filter(pk=export.pk, status="running", progress__gt=0)
            common.wait_for(under_way.exists, 120, "the 4K export under way", workdir / "exporter.log")
            during = common.median([generate_to_submit(f"During the export {n}") for n in range(RUNS)])
            still_running = under_way.exists()
            exporting.cancel(export)
    ratio = during / baseline if baseline else None
    print(
        f"exports on {options.db}: Generate-to-submit {during:.2f} s during a 4K export, {baseline:.2f} s without"
        f" (ratio {ratio:.2f}); the export was {'still' if still_running else 'no longer'} running"
    )
    common.row(
        f"Generate-to-submit while a 4K scene export runs ({options.db})",
        f"{during:.2f} s",
        f"{baseline:.2f} s (no export)",
        ratio,
        still_running and during <= baseline + ALLOWANCE,
    )


if __name__ == "__main__":
    main()
