"""kie.ai's callbacks: authenticated by token and signature, only a hint, and harmless when repeated."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from tests.conftest import TEST_WEBHOOK_HMAC_KEY
from tests.people import client_for, make_user
from tests.studio.test_flow import finished, submit
from tests.waiting import wait_for
from veoui.kie.signing import sign
from veoui.studio.models import Generation, Status

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "kie"
GENERATION_CALLBACKS = [
    "callback_success.json",
    "callback_success_string_urls.json",
    "callback_failure_policy.json",
    "callback_failure_internal.json",
]
FOUR_K_CALLBACKS = ["callback_4k_camel.json", "callback_4k_snake.json", "callback_4k_failure.json"]


def body_for(name: str, task_id: str) -> bytes:
    body = json.loads((FIXTURES / name).read_text())
    data = body["data"]
    data["task_id" if "task_id" in data else "taskId"] = task_id
    return json.dumps(body).encode()


def post(client: Client, url: str, body: bytes, task_id: str = "", key: str = "", timestamp: int | None = None):
    headers = {}
    if key:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        headers = {"X-Webhook-Timestamp": stamp, "X-Webhook-Signature": sign(key, task_id, stamp)}
    return client.post(url, body, content_type="application/json", headers=headers)


@pytest.fixture
def member(worker) -> Client:
    return client_for(make_user("maya"))


def settled(worker) -> None:
    """Wait until the worker has nothing left that is due: whatever a request queued has run by then."""

    def idle() -> bool:
        return not (DBTaskResult.objects.ready().exists() or DBTaskResult.objects.running().exists())

    wait_for(idle, 15, "the worker done with everything due")


def finished_at_kie(kie, generation: Generation) -> None:
    """kie.ai finishes the task now (its record says so); veoui is not told, so it does not know yet."""
    assert kie.control.complete(generation.kie_task_id)["record"]["successFlag"] != 0


@pytest.fixture
def running(member, worker, kie, settings) -> Generation:
    """A generation kie.ai is working on, with status checks far apart so only a callback can hurry it."""
    settings.VEOUI_POLL_INTERVAL = 60
    settings.PUBLIC_BASE_URL = "https://video.example.com"
    kie.control.configure(min_seconds=1, max_seconds=1)
    generation = submit(member, "text")
    worker.wait_for(lambda: Generation.objects.get(pk=generation.pk).status == Status.RUNNING)
    generation.refresh_from_db()
    finished_at_kie(kie, generation)
    return generation


def url_of(generation: Generation, token: str | None = None) -> str:
    return f"/hooks/kie/{generation.uuid}/{token or generation.callback_token}/"


def test_it_refuses_a_wrong_token_and_changes_nothing(client, running, kie, worker) -> None:
    before = len(kie.control.requests("record-info"))
    response = post(client, url_of(running, "not-the-token"), body_for("callback_success.json", running.kie_task_id))
    assert response.status_code == 404
    settled(worker)
    running.refresh_from_db()
    assert running.status == Status.RUNNING
    assert len(kie.control.requests("record-info")) == before


def test_it_refuses_an_unknown_generation(client, running) -> None:
    response = post(client, "/hooks/kie/00000000-0000-0000-0000-000000000000/x/", b"{}")
    assert response.status_code == 404


@pytest.mark.parametrize("problem", ["missing", "forged", "stale", "future"])
def test_it_refuses_a_bad_or_stale_signature(client, running, settings, problem) -> None:
    settings.KIE_WEBHOOK_HMAC_KEY = TEST_WEBHOOK_HMAC_KEY
    body = body_for("callback_success.json", running.kie_task_id)
    if problem == "missing":
        response = post(client, url_of(running), body)
    elif problem == "forged":
        response = post(client, url_of(running), body, running.kie_task_id, key="some-other-key")
    else:
        shift = -400 if problem == "stale" else 400
        stamp = int(time.time()) + shift
        response = post(client, url_of(running), body, running.kie_task_id, TEST_WEBHOOK_HMAC_KEY, stamp)
    assert response.status_code == 403
    running.refresh_from_db()
    assert running.status == Status.RUNNING


def test_it_finishes_at_once_on_a_genuine_signed_callback(client, running, worker, settings) -> None:
    settings.KIE_WEBHOOK_HMAC_KEY = TEST_WEBHOOK_HMAC_KEY
    body = body_for("callback_success.json", running.kie_task_id)
    response = post(client, url_of(running), body, running.kie_task_id, TEST_WEBHOOK_HMAC_KEY)
    assert response.status_code == 200
    worker.wait_for(finished(running), timeout=15)  # long before the next scheduled check (60 s)
    assert running.status == Status.SUCCEEDED and running.video


def test_it_trusts_record_info_over_a_lying_callback(client, running, worker) -> None:
    body = body_for("callback_failure_policy.json", running.kie_task_id)
    assert post(client, url_of(running), body).status_code == 200
    worker.wait_for(finished(running), timeout=15)
    assert running.status == Status.SUCCEEDED  # kie.ai says it succeeded; the callback's "flagged" was a lie


def test_it_trusts_record_info_over_a_callback_claiming_success(member, worker, kie, settings, client) -> None:
    settings.VEOUI_POLL_INTERVAL = 60
    kie.control.add_fault(
        "generate",
        "task_failure",
        success_flag=3,
        error_code=400,
        error_message="Your prompt was flagged by Website as violating content policies.",
    )
    generation = submit(member, "text")
    worker.wait_for(lambda: Generation.objects.get(pk=generation.pk).status == Status.RUNNING)
    generation.refresh_from_db()
    assert kie.control.complete(generation.kie_task_id)["record"]["successFlag"] == 3
    lie = body_for("callback_success.json", generation.kie_task_id)
    assert post(client, url_of(generation), lie).status_code == 200
    worker.wait_for(finished(generation), timeout=15)
    assert generation.status == Status.FAILED and generation.error_category == "content_policy"


def test_it_makes_duplicates_and_late_arrivals_harmless(client, running, worker, kie) -> None:
    body = body_for("callback_success.json", running.kie_task_id)
    for _ in range(3):
        assert post(client, url_of(running), body).status_code == 200
    worker.wait_for(finished(running), timeout=15)
    assert running.status == Status.SUCCEEDED and running.archive_attempts == 1
    checks = len(kie.control.requests("record-info"))
    assert post(client, url_of(running), body).status_code == 200  # after it is all over
    settled(worker)
    assert len(kie.control.requests("record-info")) == checks
    assert Generation.objects.get(pk=running.pk).archive_attempts == 1


def test_it_ignores_a_callback_about_another_task(client, running, kie, worker) -> None:
    before = len(kie.control.requests("record-info"))
    body = body_for("callback_success.json", "0" * 32)
    assert post(client, url_of(running), body).status_code == 200
    settled(worker)
    assert len(kie.control.requests("record-info")) == before


@pytest.mark.parametrize("name", GENERATION_CALLBACKS)
def test_it_reads_every_generation_callback_shape(client, running, name) -> None:
    assert post(client, url_of(running), body_for(name, running.kie_task_id)).status_code == 200


def test_it_answers_unreadable_bodies_without_an_error_page(client, running) -> None:
    response = post(client, url_of(running), b"{not json")
    assert response.status_code == 400


@pytest.mark.parametrize("name", FOUR_K_CALLBACKS)
def test_it_reads_both_4k_callback_shapes(member, running, worker, client, name, settings) -> None:
    from veoui.studio.models import Rendition

    settings.VEOUI_UPGRADE_POLL_INTERVAL = 60
    Generation.objects.filter(pk=running.pk).update(status=Status.SUCCEEDED)
    rendition = Rendition.objects.create(
        generation=running,
        owner=running.owner,
        kind="4k",
        request_token="6f1c1b1e-0000-4000-8000-000000000001",
        kie_task_id=running.kie_task_id,
        status=Status.RUNNING,
    )
    url = f"/hooks/kie/r/{rendition.uuid}/{rendition.callback_token}/"
    assert post(client, url, body_for(name, running.kie_task_id)).status_code == 200
    assert post(client, f"/hooks/kie/r/{rendition.uuid}/wrong/", b"{}").status_code == 404


def test_it_receives_the_simulators_real_signed_callbacks(live_server, worker, kie, settings):
    settings.VEOUI_POLL_INTERVAL = 60
    settings.PUBLIC_BASE_URL = live_server.url
    settings.KIE_WEBHOOK_HMAC_KEY = TEST_WEBHOOK_HMAC_KEY
    generation = submit(client_for(make_user("kim")), "text")
    worker.wait_for(finished(generation), timeout=20)  # no scheduled check comes within 60 s: the callback did it
    assert generation.status == Status.SUCCEEDED
    deliveries = kie.control.callbacks()
    assert deliveries and all(d.get("status") == 200 for d in deliveries if "status" in d)
    assert len(kie.control.requests("record-info")) == 1  # one confirmation after the callback, no polling


def test_a_lost_generate_answer_is_recovered_from_kies_callback(live_server, worker, kie, settings):
    """The request left, its answer never came back (the member sees "unconfirmed"); kie.ai's callback later names
    the task, kie.ai confirms it is this very prompt, and the video arrives as if nothing had happened."""
    settings.VEOUI_POLL_INTERVAL = 60
    settings.KIE_READ_TIMEOUT = 1.0
    settings.PUBLIC_BASE_URL = live_server.url
    settings.KIE_WEBHOOK_HMAC_KEY = TEST_WEBHOOK_HMAC_KEY
    kie.control.configure(min_seconds=2, max_seconds=2)
    kie.control.add_fault("generate", "hang_after", times=1)
    generation = submit(client_for(make_user("kim")), "text")
    worker.wait_for(lambda: Generation.objects.get(pk=generation.pk).status == Status.UNCONFIRMED, timeout=15)
    worker.wait_for(lambda: Generation.objects.get(pk=generation.pk).status == Status.SUCCEEDED, timeout=20)
    generation.refresh_from_db()
    assert generation.video and generation.kie_task_id
    assert generation.error_message == "" and generation.finished_at is not None
    assert len(kie.control.requests("generate")) == 1  # never sent again
    assert len(kie.control.requests("record-info")) == 1  # the confirmation, which also said it was done


def test_a_callback_naming_someone_elses_task_does_not_adopt_it(client, member, worker, kie, settings) -> None:
    from veoui.kie.client import KieClient
    from veoui.kie.records import GenerateRequest

    settings.KIE_READ_TIMEOUT = 1.0
    kie.control.configure(min_seconds=1, max_seconds=1)
    kie.control.add_fault("generate", "hang_after", times=1)
    generation = submit(member, "text")
    worker.wait_for(lambda: Generation.objects.get(pk=generation.pk).status == Status.UNCONFIRMED, timeout=15)
    generation.refresh_from_db()
    with KieClient(kie.api_key, kie.url, kie.url) as kie_client:
        request = GenerateRequest(
            prompt="A different video", model="veo3_fast", generation_type="TEXT_2_VIDEO", aspect_ratio="16:9"
        )
        other = kie_client.generate(request)
    kie.control.complete(other)
    assert post(client, url_of(generation), body_for("callback_success.json", other)).status_code == 200
    worker.wait_for(lambda: len(kie.control.requests("record-info")) == 1, timeout=15)  # kie.ai was asked
    settled(worker)
    generation.refresh_from_db()
    assert generation.status == Status.UNCONFIRMED and generation.kie_task_id == ""
    assert len(kie.control.requests("record-info")) == 1  # kie.ai was asked, and its answer did not match
