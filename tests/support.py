"""Helpers shared by the test suites: a real worker in a thread, and real picture files."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable

from django.db import connections
from django_tasks_db.management.commands.db_worker import Worker
from PIL import Image

from veoui.ops.management.commands import db_worker
from veoui.studio import heartbeat, tasks


class RunningWorker:
    """django-tasks-db's own worker loop, in a thread, plus veoui's heartbeat and recovery, and the archive queue's
    workers in threads of their own, as `manage.py db_worker` runs them."""

    def __init__(self) -> None:
        self.worker = Worker(
            queue_names=["default"],
            interval=0.05,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test-worker",
            excluded_queue_names=[],
        )
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.archivers = [db_worker.Archiver(f"test-worker-archive-{n}", 0.05) for n in range(db_worker.ARCHIVERS)]

    def start(self) -> None:
        for thread in [self.thread, *self.archivers]:
            thread.start()

    def stop(self) -> None:
        for worker in [self.worker] + [archiver.worker for archiver in self.archivers]:
            worker.running = False
        for thread in [self.thread, *self.archivers]:
            thread.join(timeout=10)

    def _run(self) -> None:
        heartbeat.beat()
        try:
            self.worker.run()
        finally:
            connections.close_all()

    def wait_for(self, condition: Callable[[], bool], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.1)
        raise AssertionError(f"not reached within {timeout} s")

    def recover(self) -> int:
        return tasks.recover()


def picture(
    width: int = 640, height: int = 360, fmt: str = "PNG", color: str = "#3366cc", name: str = ""
) -> io.BytesIO:
    """A real image file as a browser would upload it."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, fmt)
    buffer.seek(0)
    buffer.name = name or f"picture.{fmt.lower()}"
    return buffer
