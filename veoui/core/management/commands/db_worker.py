"""`manage.py db_worker`, plus what every veoui worker does beside running tasks.

A heartbeat tells live workers from dead ones, and the recovery sweep, at start and then every few seconds,
picks up every generation whose worker died or whose next step was lost, so a crash or restart loses nothing.
"""

import logging
import os
import threading
import time

from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from veoui.studio import services, worker_state

log = logging.getLogger("veoui.worker")

SWEEP_EVERY = 15.0


def housekeeping(stop: threading.Event) -> None:
    last_sweep = 0.0
    while not stop.is_set():
        try:
            worker_state.beat()
            if time.monotonic() - last_sweep >= SWEEP_EVERY:
                services.recover()
                last_sweep = time.monotonic()
        except Exception:
            log.exception("housekeeping failed; trying again shortly")
        finally:
            close_old_connections()
        stop.wait(worker_state.HEARTBEAT_EVERY)


class Command(DatabaseWorkerCommand):
    help = "Run veoui's worker: every call to kie.ai, plus crash recovery."

    def handle(self, *args: object, **options: object) -> None:
        if not options.get("reload") or os.environ.get("RUN_MAIN") == "true":
            worker_state.beat()
            threading.Thread(target=housekeeping, args=(threading.Event(),), daemon=True).start()
        super().handle(*args, **options)
