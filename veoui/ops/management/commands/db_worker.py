"""`manage.py db_worker`, plus what every veoui worker does beside running tasks.

A heartbeat tells live workers from dead ones, and the recovery sweep, at start and then every few seconds,
picks up every generation whose worker died or whose next step was lost, so a crash or restart loses nothing.
About once an hour it also deletes old finished task rows (`veoui.ops.maintenance`).
"""

import logging
import os
import threading
import time

from django.conf import settings
from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from veoui.ops import maintenance
from veoui.studio import heartbeat, tasks
from veoui.team import balance as team_balance

log = logging.getLogger("veoui.worker")


def housekeeping(stop: threading.Event) -> None:
    last_sweep = 0.0
    last_prune = -maintenance.PRUNE_EVERY  # the clock may start near zero: prune at start, then hourly
    while not stop.is_set():
        try:
            heartbeat.beat()
            if time.monotonic() - last_sweep >= settings.VEOUI_SWEEP_SECONDS:
                tasks.recover()
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


class Command(DatabaseWorkerCommand):
    help = "Run veoui's worker: every call to kie.ai, plus crash recovery."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        # An idle worker looks for new tasks 4 times a second (one indexed query) instead of once: a Generate
        # click or a callback then reaches kie.ai a fraction of a second later, which members do notice.
        parser.set_defaults(interval=0.25)

    def handle(self, *args: object, **options: object) -> None:
        if not options.get("reload") or os.environ.get("RUN_MAIN") == "true":
            heartbeat.beat()
            threading.Thread(target=housekeeping, args=(threading.Event(),), daemon=True).start()
        super().handle(*args, **options)
