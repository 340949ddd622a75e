"""Scenes made of simulator clips, as they are stored after archiving, and the export queue's worker in a thread."""

from __future__ import annotations

import io
import shutil
import threading
import uuid
from decimal import Decimal
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connections
from django_tasks_db.management.commands.db_worker import Worker
from PIL import Image, ImageDraw

from tests.people import make_generation
from veoui.kie.simulator.cards import RenderSpec
from veoui.kie.simulator.render import render_clip
from veoui.scenes import exporting
from veoui.scenes.models import Scene, SceneExport, Shot
from veoui.studio import heartbeat
from veoui.studio.models import Generation

TASKS = ("scene-shot-1", "scene-shot-2", "scene-shot-3")
# (in point, out point, join after it): trims 1-6 s, 2-8 s and 0-4 s with crossfades of 0.5 s.
TRIMS = ((1, 6, "crossfade"), (2, 8, "crossfade"), (0, 4, "cut"))
EXPECTED_SECONDS = 5 + 6 + 4 + 2 - 2 * 0.5  # and a 2 s end card


def render_clips(folder: Path, resolution: str = "360p") -> list[Path]:
    made = []
    for task_id in TASKS:
        spec = RenderSpec(task_id=task_id, prompt=f"Shot {task_id}", mode="TEXT_2_VIDEO", model="veo3_fast",
                          aspect_ratio="16:9", seed=1)  # fmt: skip
        render_clip(spec, resolution, folder / f"{task_id}.mp4")
        made.append(folder / f"{task_id}.mp4")
    return made


def logo() -> Image.Image:
    picture = Image.new("RGB", (400, 240), (240, 200, 30))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 0, 199, 119), fill=(200, 30, 60))
    draw.ellipse((220, 130, 380, 230), fill=(20, 90, 200))
    return picture


def stored_video(owner: object, clip: Path, **fields: object) -> Generation:
    """A finished video whose archived file is ``clip``, as the worker leaves it."""
    generation = make_generation(owner, 60, prompt=f"The clip {clip.stem}", **fields)
    name = default_storage.save(f"videos/{uuid.uuid4().hex}.mp4", ContentFile(clip.read_bytes()))
    Generation.objects.filter(pk=generation.pk).update(video=name)
    generation.refresh_from_db()
    return generation


def make_scene(owner: object, clips: list[Path], *, end_card: bool = True, **fields: object) -> Scene:
    """The acceptance scene: three shots trimmed and crossfaded, ending on a 2 s picture."""
    scene = Scene.objects.create(owner=owner, title="Spring launch", **fields)
    for position, (clip, (start, end, join)) in enumerate(zip(clips, TRIMS, strict=False)):
        Shot.objects.create(
            scene=scene,
            position=position,
            generation=stored_video(owner, clip),
            start_seconds=Decimal(start),
            end_seconds=Decimal(end),
            join=join,
            muted=position == 2,
        )
    if end_card:
        picture = logo()
        buffer = io.BytesIO()
        picture.save(buffer, "PNG")
        name = default_storage.save("scenes/cards/logo.png", ContentFile(buffer.getvalue()))
        Scene.objects.filter(pk=scene.pk).update(
            end_card=Scene.EndCard.PICTURE, end_card_picture=name, end_card_colour="#223344", end_card_seconds=2
        )
        scene.refresh_from_db()
    return scene


class ExportWorker:
    """The export queue's worker (as `db_worker --queue-name export` runs it) in a thread of the test process."""

    def __init__(self) -> None:
        self.worker = Worker(
            queue_names=[exporting.EXPORT_QUEUE], interval=0.05, batch=False, backend_name="default",
            startup_delay=False, max_tasks=None, worker_id="test-exporter", excluded_queue_names=[],
        )  # fmt: skip
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        heartbeat.beat()
        try:
            self.worker.run()
        finally:
            connections.close_all()

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.worker.running = False
        self.thread.join(timeout=60)


def stored_exports() -> list[str]:
    """The files under scenes/exports/ in storage."""
    found = []
    root = Path(default_storage.path("scenes/exports"))
    if root.exists():
        found = sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())
    return found


def finished(export: SceneExport) -> bool:
    export.refresh_from_db()
    return export.status not in exporting.UNFINISHED


def clear_work(export: SceneExport) -> None:
    shutil.rmtree(exporting.work_folder(export), ignore_errors=True)
