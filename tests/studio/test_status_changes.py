"""Every status change names the fields it owns and the status it expects: nothing the worker learnt seconds ago
overwrites what happened meanwhile. Also the poll back-off and the deadline ("kie.ai never finished it"), reached
with the simulator holding the task open and the clock of the check moved forward (no waiting for an hour).
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tests.people import client_for
from tests.studio.spending import form_posting_to, four_k_held_open
from tests.studio.test_flow import finished, submit
from veoui.studio.models import Generation, Rendition, Status

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "kie"
NEVER_FINISHED = "kie.ai has been working on this for much longer than usual and never finished it."


@pytest.fixture
def held_open(maya, worker, kie, settings) -> Generation:
    """A video kie.ai is working on and won't finish until the test says so."""
    settings.KIE_READ_TIMEOUT = 1.0
    kie.control.configure(min_seconds=600, max_seconds=600)
    generation = submit(client_for(maya), "text")
    worker.wait_for(lambda: Generation.objects.get(pk=generation.pk).status == Status.RUNNING)
    generation.refresh_from_db()
    return generation


def hang_the_next_check(kie, worker) -> None:
    """The worker's next record-info call gets no answer until its read timeout: the worker is mid-call."""
    kie.control.add_fault("record-info", "hang_before", seconds=5, times=1)
    worker.wait_for(lambda: any(r["fault"] == "hang_before" for r in kie.control.requests("record-info")))


def callback(client, generation: Generation) -> None:
    body = json.loads((FIXTURES / "callback_success.json").read_text())
    body["data"]["taskId"] = generation.kie_task_id
    url = f"/hooks/kie/{generation.uuid}/{generation.callback_token}/"
    assert client.post(url, json.dumps(body), content_type="application/json").status_code == 200


def test_a_late_deadline_failure_does_not_overwrite_a_success_a_callback_brought(
    held_open, worker, kie, settings, client
) -> None:
    hang_the_next_check(kie, worker)
    settings.VEOUI_POLL_DEADLINE = 0  # the clock of the check, moved past the deadline
    kie.control.complete(held_open.kie_task_id)
    callback(client, held_open)

    worker.wait_for(finished(held_open), timeout=30)

    assert held_open.status == Status.SUCCEEDED, held_open.error_message
    assert held_open.video and held_open.error_message == "" and held_open.finished_at is not None


def test_it_keeps_a_visibility_change_made_during_a_status_check(held_open, worker, kie, settings) -> None:
    hang_the_next_check(kie, worker)
    client_for(held_open.owner).post(f"/videos/{held_open.uuid}/visibility/", {"visibility": "private"})
    settings.VEOUI_POLL_DEADLINE = 0

    worker.wait_for(finished(held_open), timeout=30)

    assert held_open.status == Status.FAILED  # the check failed after the deadline: nothing else is undone
    assert held_open.visibility == Generation.Visibility.PRIVATE


def test_it_gives_up_at_the_deadline_with_a_plain_message_and_a_retry(held_open, worker, kie) -> None:
    Generation.objects.filter(pk=held_open.pk).update(submitted_at=timezone.now() - timedelta(hours=2))
    worker.wait_for(finished(held_open), timeout=30)
    assert held_open.status == Status.FAILED
    assert (held_open.error_message, held_open.error_transient) == (NEVER_FINISHED, True)
    assert kie.control.task(held_open.kie_task_id)["state"] != "succeeded"  # kie.ai really never finished it
    client = client_for(held_open.owner)
    form = form_posting_to(client, f"/videos/{held_open.uuid}/", f"/videos/{held_open.uuid}/retry/")
    assert form["buttons"] == ["Try again (60 credits, about $0.30)"]


def test_it_checks_less_often_after_many_checks(held_open, worker, kie, settings) -> None:
    interval = settings.VEOUI_POLL_INTERVAL
    Generation.objects.filter(pk=held_open.pk).update(poll_count=29)  # as if it had been checked for minutes
    worker.wait_for(lambda: Generation.objects.get(pk=held_open.pk).poll_count >= 33, timeout=30)
    times = [r["time"] for r in kie.control.requests("record-info")]
    slow = [later - earlier for earlier, later in zip(times[-3:-1], times[-2:], strict=True)]
    assert all(gap >= 3 * interval * 0.95 for gap in slow), slow
    assert Generation.objects.get(pk=held_open.pk).status == Status.RUNNING


def test_it_gives_up_on_a_version_kie_never_finishes(maya, worker, kie, settings) -> None:
    settings.VEOUI_UPGRADE_POLL_INTERVAL = 0.3
    _video, rendition = four_k_held_open(client_for(maya), worker, kie)
    Rendition.objects.filter(pk=rendition.pk).update(submitted_at=timezone.now() - timedelta(hours=2))
    worker.wait_for(lambda: Rendition.objects.get(pk=rendition.pk).is_terminal, timeout=30)
    rendition.refresh_from_db()
    assert (rendition.status, rendition.error_message) == (Status.FAILED, NEVER_FINISHED)
