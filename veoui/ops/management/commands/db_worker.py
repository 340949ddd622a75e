"""`manage.py db_worker`, plus what every veoui worker does beside running tasks.

A heartbeat tells live workers from dead ones, and the recovery sweep, at start and then every few seconds,
picks up every generation whose worker died or whose next step was lost, so a crash or restart loses nothing.
About once an hour it also deletes old finished task rows (`veoui.ops.maintenance`). Beside the worker of the
default queue (submits, status checks), ARCHIVERS threads take the archive queue's downloads: one heartbeat and
one command for all. Scene exports run in a worker of their own, `db_worker --queue-name export`: its ffmpeg takes
minutes of CPU, which must never stand between a video and its next status check.
"""

import logging
import os
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connections
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from veoui.ops import maintenance
from veoui.scenes import exporting
from veoui.studio import heartbeat, tasks
from veoui.team import balance as team_balance

log = logging.getLogger("veoui.worker")

ARCHIVERS = 2  # downloads at a time per worker process: one slow file host doesn't hold up the next video


def housekeeping(stop: threading.Event) -> None:
    last_sweep = 0.0
    last_prune = -maintenance.PRUNE_EVERY  # the clock may start near zero: prune at start, then hourly
    while not stop.is_set():
        try:
            heartbeat.beat()
            if time.monotonic() - last_sweep >= settings.VEOUI_SWEEP_SECONDS:
                tasks.recover()
                exporting.recover()
                last_sweep = time.monotonic()
            if time.monotonic() - last_prune >= maintenance.PRUNE_EVERY:
                last_prune = time.monotonic()
                maintenance.prune_task_results()
            team_balance.schedule_refresh()  # kie.ai's balance for the header: one worker enqueues it every 5 min
        except Exception:
            log.exception("housekeeping failed; trying again shortly")
        finally:
            close_old_connections()
        stop.wait(settings.VEOUI_HEARTBEAT_SECONDS)


class Archiver(threading.Thread):
    """A worker of the archive queue in a thread with its own database connection; a failure (the database away)
    is retried. Told to stop, it finishes the download it is on (a second Ctrl-C or SIGTERM ends the process)."""

    def __init__(self, worker_id: str, interval: float, backend_name: str = "default") -> None:
        super().__init__(daemon=True)
        self.worker = Worker(
            queue_names=[tasks.ARCHIVE_QUEUE], interval=interval, batch=False, backend_name=backend_name,
            startup_delay=False, max_tasks=None, worker_id=worker_id[:64], excluded_queue_names=[],
        )  # fmt: skip

    def run(self) -> None:
        try:
            while self.worker.running:
                try:
                    self.worker.run()
                except Exception:
                    log.exception("an archive worker failed; starting it again shortly")
                    time.sleep(settings.VEOUI_HEARTBEAT_SECONDS)
        finally:
            connections.close_all()  # this thread's own


class Command(DatabaseWorkerCommand):
    help = "Run veoui's worker: every call to kie.ai, plus crash recovery."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        # An idle worker looks for new tasks 4 times a second (one indexed query) instead of once: a Generate
        # click or a callback then reaches kie.ai a fraction of a second later, which members do notice.
        parser.set_defaults(interval=0.25)

    def handle(self, *args: object, **options: object) -> None:
        archivers = []
        if not options.get("reload") or os.environ.get("RUN_MAIN") == "true":
            heartbeat.beat()
            threading.Thread(target=housekeeping, args=(threading.Event(),), daemon=True).start()
            worker_id, interval = options["worker_id"][:50], options["interval"]
            # The archive queue's threads go with the default queue's worker, not with the exporter.
            runs_default = "default" in options["queue_name"].split(",")
            archivers = [
                Archiver(f"{worker_id}-archive-{n}", interval, options["backend_name"])
                for n in range(ARCHIVERS if runs_default else 0)
            ]
            for archiver in archivers:
                archiver.start()
        try:
            super().handle(*args, **options)
        finally:
            for archiver in archivers:
                archiver.worker.running = False
            for archiver in archivers:
                archiver.join()
