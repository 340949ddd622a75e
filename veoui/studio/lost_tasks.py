"""A task kie.ai no longer knows: kie.ai lost it, or, in demo mode, the simulator was restarted and forgot it.

kie.ai's status check answers "record is null." for a task it doesn't know. Right after creating a task it may say
so for a moment, so one such answer proves nothing; GIVE_UP_AFTER of them in a row, a poll interval or more
apart, do: the video fails with a plain message instead of being checked for the hour of the poll deadline. Any
real answer about the task ends the run. The count is kept on the row, so every worker sees the same one.
"""

from __future__ import annotations

import logging

from django.db.models import F

from veoui.kie import errors as kie_errors
from veoui.studio.models import Status, TrackedWork

log = logging.getLogger(__name__)

GIVE_UP_AFTER = 3


def counts_as_lost(work: TrackedWork, error: kie_errors.KieError) -> bool:
    """Note a status check that failed with ``error``: True when it was the last "no such task" allowed."""
    if not kie_errors.is_unknown_task(error):
        return False
    running = type(work).objects.filter(pk=work.pk, status=Status.RUNNING)
    running.update(unknown_answers=F("unknown_answers") + 1)
    lost = running.filter(unknown_answers__gte=GIVE_UP_AFTER).exists()
    if lost:
        log.warning("kie.ai doesn't know the task id=%s task=%s", work.uuid, work.kie_task_id)
    return lost


def known(work: TrackedWork) -> None:
    """kie.ai answered about the task: a run of "no such task" answers, if there was one, is over."""
    if work.unknown_answers:
        type(work).objects.filter(pk=work.pk).update(unknown_answers=0)
