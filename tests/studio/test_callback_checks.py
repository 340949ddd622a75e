"""A callback only brings the next status check forward: replayed or duplicate callbacks never multiply checks.

The simulator holds the task open, so every check answers "still working"; its request log counts the checks, and
the task queue's table (django_tasks_db) the checks waiting to run.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from django_tasks_db.models import DBTaskResult

from tests.people import client_for
from tests.studio.spending import four_k_held_open
from tests.studio.test_flow import submit
from veoui.studio.models import Generation, Status, TrackedWork

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "kie"
REPLAYS = 50


def callback_body(name: str, task_id: str) -> str:
    body = json.loads((FIXTURES / name).read_text())
    body["data"]["task_id" if "task_id" in body["data"] else "taskId"] = task_id
    return json.dumps(body)


def replay(client, url: str, body: str, times: int) -> None:
    for _ in range(times):
        assert client.post(url, body, content_type="application/json").status_code == 200


def waiting_checks(work: TrackedWork, task_path: str, id_name: str) -> tuple[int, int]:
    """(checks waiting that will ask kie.ai, all check tasks waiting) for this work."""
    work.refresh_from_db()
    waiting = [
        row.args_kwargs["kwargs"]
        for row in DBTaskResult.objects.filter(status="READY", task_path=task_path)
        if row.args_kwargs["kwargs"].get(id_name) == work.pk
    ]
    return len([kw for kw in waiting if kw.get("check") == work.check_number]), len(waiting)


def checks_between(kie, endpoint: str, start: float, end: float) -> int:
    return len([r for r in kie.control.requests(endpoint) if start <= r["time"] < end])


def test_it_brings_the_next_check_forward_once_for_fifty_replayed_callbacks(maya, worker, kie, settings, client):
    settings.VEOUI_POLL_INTERVAL = 1.0
    kie.control.configure(min_seconds=600, max_seconds=600)
    generation = submit(client_for(maya), "text")
    worker.wait_for(lambda: Generation.objects.get(pk=generation.pk).status == Status.RUNNING)
    generation.refresh_from_db()
    url = f"/hooks/kie/{generation.uuid}/{generation.callback_token}/"
    body = callback_body("callback_success.json", generation.kie_task_id)

    start = time.time()
    replay(client, url, body, REPLAYS)
    live, waiting = waiting_checks(generation, "veoui.studio.tasks.refresh_generation", "generation_id")
    assert live <= 1 and waiting <= 2, (live, waiting)  # the one that counts, and at most the one it replaced
    window = 3 * settings.VEOUI_POLL_INTERVAL
    worker.wait_for(lambda: any(r["time"] >= start + window for r in kie.control.requests("record-info")))

    # Three scheduled checks in three intervals, plus the one the callbacks brought forward (and one of slack
    # for where the window falls); fifty polling loops would have made about 150.
    assert checks_between(kie, "record-info", start, start + window) <= 5
    assert waiting_checks(generation, "veoui.studio.tasks.refresh_generation", "generation_id")[0] <= 1
    generation.refresh_from_db()
    assert generation.status == Status.RUNNING and generation.hurried_check > 0


def test_it_brings_a_versions_next_check_forward_once(maya, worker, kie, settings, client) -> None:
    settings.VEOUI_UPGRADE_POLL_INTERVAL = 1.0
    video, rendition = four_k_held_open(client_for(maya), worker, kie)
    polls_before = len(kie.control.requests("get-4k-video"))

    start = time.time()
    replay(
        client,
        f"/hooks/kie/r/{rendition.uuid}/{rendition.callback_token}/",
        callback_body("callback_4k_camel.json", video.kie_task_id),
        REPLAYS,
    )
    live, waiting = waiting_checks(rendition, "veoui.studio.tasks.refresh_rendition", "rendition_id")
    assert live <= 1 and waiting <= 2, (live, waiting)
    window = 3 * settings.VEOUI_UPGRADE_POLL_INTERVAL
    worker.wait_for(lambda: any(r["time"] >= start + window for r in kie.control.requests("get-4k-video")))

    assert checks_between(kie, "get-4k-video", start, start + window) <= 5
    assert len(kie.control.requests("get-4k-video")) > polls_before
