"""A video whose task kie.ai no longer knows (the simulator restarted, kie.ai lost it) fails after a few answers
in a row with a plain message, instead of being checked for an hour; a passing "no such task" doesn't fail it."""

from __future__ import annotations

from django.test import Client

from tests.studio.test_flow import submit
from veoui.kie import errors as kie_errors
from veoui.studio import tasks
from veoui.studio.models import Generation, Status


def record_info_answers(kie) -> list[int | None]:
    """The body codes of the status checks the simulator answered, oldest first."""
    return [(entry["answer"] or {}).get("code") for entry in kie.control.requests("record-info")]


def running(generation: Generation) -> Generation:
    generation.refresh_from_db()
    return generation if generation.status == Status.RUNNING and generation.kie_task_id else None


def test_it_fails_a_video_kie_ai_no_longer_knows_after_a_few_answers_in_a_row(
    worker, kie, member_client: Client
) -> None:
    kie.control.configure(min_seconds=60, max_seconds=60)  # still rendering when the simulator forgets it
    generation = submit(member_client, "text")
    worker.wait_for(lambda: running(generation))
    kie.control.reset()  # forgets every task, as a restarted simulator has
    worker.wait_for(lambda: Generation.objects.get(pk=generation.pk).status == Status.FAILED)

    generation.refresh_from_db()
    assert generation.error_message == "kie.ai no longer knows this video, so veoui has stopped waiting for it."
    assert generation.error_next_step == "Try again" and generation.error_transient
    assert generation.error_category == kie_errors.Category.KIE_ERROR
    # Exactly as many "record is null." answers as it takes, then no more checks.
    assert record_info_answers(kie) == [422] * tasks.GIVE_UP_AFTER
    page = member_client.get(generation.get_absolute_url()).content.decode()
    assert "kie.ai no longer knows this video" in page and "Try again (" in page
    # Nothing was sent again by itself (the simulator's log starts at its reset): trying again is the member's call.
    assert Generation.objects.count() == 1 and kie.control.requests("generate") == []


def test_it_keeps_waiting_through_no_such_task_answers_that_stop(worker, kie, member_client: Client) -> None:
    kie.control.configure(min_seconds=60, max_seconds=60)
    # Right after creating a task, kie.ai may not know it yet for a check or two.
    kie.control.add_fault("record-info", "body_code", code=422, times=tasks.GIVE_UP_AFTER - 1)
    generation = submit(member_client, "text")
    worker.wait_for(lambda: record_info_answers(kie)[-1:] == [200])
    worker.wait_for(lambda: running(generation) and generation.unknown_answers == 0)  # the worker has read it
    # Later the same again: answers about the task in between mean these don't add up to a lost task.
    kie.control.add_fault("record-info", "body_code", code=422, times=tasks.GIVE_UP_AFTER - 1)
    worker.wait_for(lambda: record_info_answers(kie).count(422) == 2 * (tasks.GIVE_UP_AFTER - 1))
    worker.wait_for(lambda: record_info_answers(kie)[-1:] == [200])
    # The simulator logs its answer as it sends it; the worker saves what it read a moment later.
    worker.wait_for(lambda: running(generation) and generation.unknown_answers == 0)
    assert running(generation) and generation.unknown_answers == 0

    kie.control.complete(generation.kie_task_id)
    worker.wait_for(lambda: Generation.objects.get(pk=generation.pk).status == Status.SUCCEEDED)
    generation.refresh_from_db()
    assert generation.error_message == "" and generation.video
