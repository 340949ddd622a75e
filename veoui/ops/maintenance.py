"""Scheduled jobs the worker runs by itself (see `db_worker`'s housekeeping): no cron or timer to set up."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command

# Every worker prunes about once an hour; with several workers the later ones simply find nothing to delete.
PRUNE_EVERY = 3600.0


def prune_task_results() -> None:
    """Delete finished task rows (the queue's history) older than VEOUI_TASK_RESULTS_KEEP_DAYS.

    Only finished tasks go: queued and running ones are the work still to do. Generations keep their own
    history, so nothing a member or an admin sees depends on these rows.
    """
    call_command(
        "prune_db_task_results",
        queue_name="*",
        min_age_days=settings.VEOUI_TASK_RESULTS_KEEP_DAYS,
        verbosity=1,
    )
