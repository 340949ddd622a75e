"""Callbacks from the simulator to a receiver running in the test: shapes, signatures, retries, duplicates."""

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from tests.waiting import wait_for
from veoui.kie.simulator.callbacks import sign

TIMEOUT = 10
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "kie"


@dataclass
class Receiver:
    url: str
    failures_left: int = 0
    calls: list[dict] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, count: int, seconds: float = 10) -> list[dict]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.calls) >= count, timeout=seconds)
            return list(self.calls)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A callback endpoint that records every POST and fails the first ``failures_left`` of them."""
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with state.arrived:
                failing = state.failures_left > 0
                state.failures_left -= failing
                state.calls.append({"headers": dict(self.headers), "body": body, "failed": failing})
                state.arrived.notify_all()
            self.send_response(500 if failing else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/kie/secret-token/"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def start_task(sim, callback_url: str | None) -> str:
    body = {
        "prompt": "cat",
        "model": "veo3_fast",
        "generationType": "TEXT_2_VIDEO",
        "callBackUrl": callback_url,
    }
    answer = requests.post(f"{sim.url}/api/v1/veo/generate", json=body, headers=sim.auth, timeout=TIMEOUT)
    return answer.json()["data"]["taskId"]


def test_it_signs_like_the_worked_example():
    example = json.loads((FIXTURES / "webhook_signature.json").read_text())
    signature = sign(example["webhookHmacKey"], example["taskId"], example["X-Webhook-Timestamp"])
    assert signature == example["X-Webhook-Signature"]


def test_it_calls_back_with_a_signed_success(sim, receiver):
    task_id = start_task(sim, receiver.url)
    sim.control.complete(task_id)
    [call] = receiver.wait_for(1)
    body = call["body"]
    assert (body["code"], body["msg"]) == (200, "Veo3.1 video generated successfully.")
    data = body["data"]
    assert data["taskId"] == task_id and data["fallbackFlag"] is False
    assert json.loads(data["promptJson"])["callBackUrl"] == receiver.url
    assert data["info"]["resolution"] == "720p" and data["info"]["originUrls"] is None
    assert data["info"]["resultUrls"] == sim.control.task(task_id)["record"]["response"]["resultUrls"]
    timestamp = call["headers"]["X-Webhook-Timestamp"]
    assert abs(int(timestamp) - time.time()) < 60
    assert call["headers"]["X-Webhook-Signature"] == sign(sim.webhook_hmac_key, task_id, timestamp)


def test_it_calls_back_on_failure(sim, receiver):
    sim.control.add_fault("generate", "task_failure", error_code=400, error_message="public error unsafe image upload.")
    task_id = start_task(sim, receiver.url)
    sim.control.complete(task_id)
    [call] = receiver.wait_for(1)
    assert call["body"] == {
        "code": 400,
        "msg": "public error unsafe image upload.",
        "data": {"taskId": task_id, "fallbackFlag": False},
    }


def test_it_sends_unsigned_callbacks_without_a_key(sim, receiver):
    sim.control.configure(webhook_hmac_key=None)
    sim.control.add_fault("generate", "task_failure")
    sim.control.complete(start_task(sim, receiver.url))
    [call] = receiver.wait_for(1)
    assert "X-Webhook-Signature" not in call["headers"] and "X-Webhook-Timestamp" not in call["headers"]


def test_it_retries_a_failing_receiver_and_gives_up_after_three_tries(sim, receiver):
    sim.control.configure(callback_retry_seconds=0.05)
    sim.control.add_fault("generate", "task_failure", times=2)
    receiver.failures_left = 2
    sim.control.complete(start_task(sim, receiver.url))
    assert [call["failed"] for call in receiver.wait_for(3)] == [True, True, False]
    receiver.failures_left = 10
    sim.control.complete(start_task(sim, receiver.url))
    receiver.wait_for(6)

    def both_done() -> list[dict] | None:
        deliveries = sim.control.callbacks()
        return deliveries if sum(delivery["final"] for delivery in deliveries) == 2 else None

    deliveries = wait_for(both_done, TIMEOUT, "the simulator done with both callbacks")
    assert [(d["attempt"], d["delivered"], d["final"]) for d in deliveries] == [
        (1, False, False),
        (2, False, False),
        (3, True, True),
        (1, False, False),
        (2, False, False),
        (3, False, True),
    ]
    assert len(receiver.calls) == 6  # given up after the third try: no fourth


def test_it_sends_duplicate_callbacks_when_configured(sim, receiver):
    sim.control.configure(duplicate_callbacks=2)
    sim.control.add_fault("generate", "task_failure")
    task_id = start_task(sim, receiver.url)
    sim.control.complete(task_id)
    calls = receiver.wait_for(3)
    assert [call["body"]["data"]["taskId"] for call in calls] == [task_id] * 3


def test_it_calls_back_when_4k_is_ready_in_both_shapes(sim, receiver):
    task_ids = [start_task(sim, None) for _ in range(2)]
    for task_id in task_ids:
        sim.control.complete(task_id)
    sim.control.configure(callback_4k_shape="alternate")
    for task_id in task_ids:
        body = {"taskId": task_id, "index": 0, "callBackUrl": receiver.url}
        requests.post(f"{sim.url}/api/v1/veo/get-4k-video", json=body, headers=sim.auth, timeout=TIMEOUT)
    for task_id in task_ids:
        sim.control.complete(task_id)
    calls = receiver.wait_for(2)
    shapes = sorted(tuple(sorted(call["body"]["data"])) for call in calls)
    assert shapes == [
        ("creditsConsumed", "info", "taskId"),
        ("image_urls", "media_ids", "result_urls", "task_id"),
    ]
    for call in calls:
        data = call["body"]["data"]
        urls = data["info"]["resultUrls"] if "info" in data else data["result_urls"]
        assert call["body"]["code"] == 200 and urls[0].endswith(".mp4")
