"""The worker's own scheduled jobs: pruning the task queue's finished history."""

from __future__ import annotations

import threading
from datetime import timedelta

from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.waiting import wait_for
from veoui.ops.management.commands import db_worker
from veoui.studio.tasks import refresh_generation


def task_row(status: str, finished_days_ago: float | None) -> DBTaskResult:
    result = refresh_generation.using(run_after=timezone.now() + timedelta(hours=1)).enqueue(generation_id=1)
    finished = None if finished_days_ago is None else timezone.now() - timedelta(days=finished_days_ago)
    DBTaskResult.objects.filter(id=result.id).update(status=status, finished_at=finished)
    return DBTaskResult.objects.get(id=result.id)


def test_the_worker_prunes_old_finished_task_results_by_itself(transactional_db, settings) -> None:
    settings.VEOUI_TASK_RESULTS_KEEP_DAYS = 7
    old_success = task_row(TaskResultStatus.SUCCESSFUL, 8)
    old_failure = task_row(TaskResultStatus.FAILED, 30)
    recent = task_row(TaskResultStatus.SUCCESSFUL, 6)
    waiting = task_row(TaskResultStatus.READY, None)

    stop = threading.Event()
    housekeeping = threading.Thread(target=db_worker.housekeeping, args=(stop,), daemon=True)
    housekeeping.start()
    pruned = DBTaskResult.objects.filter(id__in=[old_success.id, old_failure.id])
    wait_for(lambda: not pruned.exists(), 10, "the worker's housekeeping pruning old results")
    stop.set()
    housekeeping.join(timeout=10)
    mine = {old_success.id, old_failure.id, recent.id, waiting.id}
    assert set(DBTaskResult.objects.filter(id__in=mine).values_list("id", flat=True)) == {recent.id, waiting.id}
