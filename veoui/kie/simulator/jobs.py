"""Render jobs, run on a few background threads: fetch a task's inputs, draw and encode its video.

A job records its result on the task or upgrade and then sets ``render_done``; the engine's clock ends the
task once its time is also up. Jobs of tasks forgotten by a reset are skipped.
"""

from __future__ import annotations

import io
import queue
import secrets
import shutil
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageOps

from veoui.kie.simulator import cards, contract
from veoui.kie.simulator.files import FetchError, FileStore
from veoui.kie.simulator.render import render_clip, stitch
from veoui.kie.simulator.tasks import (
    EXTEND,
    RESOLUTION_4K,
    RESOLUTION_1080P,
    Outcome,
    Rendered,
    Task,
    Upgrade,
)
from veoui.studio import rules

MAX_IMAGE_BYTES = 30 * 1024 * 1024
# Inputs are shrunk to this before rendering: no card is larger than 4K.
MAX_IMAGE_SIDE = 3840

IsCurrent = Callable[[int], bool]


class RenderWorkers:
    def __init__(self, count: int) -> None:
        self._jobs: queue.Queue[Callable[[], None]] = queue.Queue()
        for number in range(count):
            threading.Thread(target=self._work, name=f"render-{number}", daemon=True).start()

    def submit(self, job: Callable[[], None]) -> None:
        self._jobs.put(job)

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                job()
            except Exception:  # a worker must survive any job
                traceback.print_exc(file=sys.stderr)


def render_task(files: FileStore, work_dir: Path, task: Task, source: Task | None, is_current: IsCurrent) -> None:
    try:
        if is_current(task.epoch):
            task.rendered = _render(files, work_dir, task, source)
    except FetchError as error:
        print(f"simulator: task {task.task_id}: cannot fetch an image: {error}", file=sys.stderr)
        task.render_failure = Outcome(3, 400, contract.IMAGE_FETCH_FAILED)
    except Exception:
        traceback.print_exc(file=sys.stderr)
        task.render_failure = Outcome(3, 500, contract.INTERNAL_ERROR)
    finally:
        task.render_done.set()


def render_upgrade(files: FileStore, upgrade: Upgrade, task: Task, is_current: IsCurrent) -> None:
    try:
        # An upgrade that will fail anyway needs no render.
        if is_current(upgrade.epoch) and upgrade.injected is None and task.rendered is not None:
            folder = "p" if upgrade.resolution == RESOLUTION_1080P else "k"
            stem = f"{folder}/{secrets.token_hex(16)}_{int(time.time())}"
            poster = f"{stem}.jpg" if upgrade.resolution == RESOLUTION_4K else None
            video = files.path(f"{stem}.mp4")
            render_clip(task.rendered.spec, upgrade.resolution, video, files.path(poster) if poster else None)
            upgrade.video, upgrade.image = f"{stem}.mp4", poster
    except Exception:
        traceback.print_exc(file=sys.stderr)
        code = 501 if upgrade.resolution == RESOLUTION_1080P else 500
        endpoint = contract.GET_1080P if upgrade.resolution == RESOLUTION_1080P else contract.GET_4K
        upgrade.render_failure = Outcome(3, code, contract.message_for(code, endpoint))
    finally:
        upgrade.render_done.set()


def _render(files: FileStore, work_dir: Path, task: Task, source: Task | None) -> Rendered:
    order = task.order
    folder = work_dir / task.task_id
    inputs = [_fetch_image(files, url, folder / f"input{number}.png") for number, url in enumerate(order.image_urls)]
    aspect_ratio = order.aspect_ratio
    if aspect_ratio == rules.AUTO:
        with Image.open(inputs[0]) as first:
            aspect_ratio = rules.closer_ratio(first.width, first.height)
    spec = cards.RenderSpec(
        task_id=task.task_id,
        prompt=order.prompt,
        mode=cards.EXTENSION if order.kind == EXTEND else order.generation_type,
        model=order.model,
        aspect_ratio=aspect_ratio,
        seed=task.seed,
        watermark=order.watermark,
        images=tuple(inputs),
        source_task_id=order.source_task_id,
    )
    stem = f"v/{task.task_id}_{int(time.time())}"
    rendered = Rendered(spec=spec, video=f"{stem}.mp4", poster=f"{stem}.jpg")
    render_clip(spec, "720p", files.path(rendered.video), files.path(rendered.poster))
    if aspect_ratio == rules.PORTRAIT:
        # kie.ai keeps the uncropped original of a portrait video; here it is the same file.
        rendered.origin = f"{stem}_origin.mp4"
        shutil.copyfile(files.path(rendered.video), files.path(rendered.origin))
    if source is not None and source.rendered is not None:
        earlier = source.rendered.full or source.rendered.video
        rendered.full = f"{stem}_full.mp4"
        stitch([files.path(earlier), files.path(rendered.video)], files.path(rendered.full))
    return rendered


def _fetch_image(files: FileStore, url: str, target: Path) -> Path:
    """The image at ``url``, saved as a PNG of sensible size; FetchError if it is missing or no image."""
    data = files.read_url(url, MAX_IMAGE_BYTES)
    try:
        with Image.open(io.BytesIO(data)) as image:
            picture = ImageOps.exif_transpose(image).convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise FetchError(f"{url} is not an image: {error}") from error
    picture.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
    target.parent.mkdir(parents=True, exist_ok=True)
    picture.save(target, compress_level=1)
    return target
