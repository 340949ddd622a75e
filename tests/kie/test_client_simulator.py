"""The client against the running simulator over real HTTP: the whole contract, and every fault kind."""

from __future__ import annotations

import pytest
import requests

from tests.support import picture
from tests.waiting import wait_for
from veoui.kie.client import KieClient
from veoui.kie.errors import Category, MalformedResponse, NotAccepted, Outcome, Refused, UnknownOutcome
from veoui.kie.records import ExtendRequest, GenerateRequest
from veoui.kie.simulator.probe import probe


@pytest.fixture
def client(sim):
    with KieClient(sim.api_key, sim.url, sim.url, connect_timeout=2, read_timeout=1.5) as kie_client:
        yield kie_client


def text_request(**changes) -> GenerateRequest:
    fields = {"prompt": "A fox in the snow", "model": "veo3_fast", "generation_type": "TEXT_2_VIDEO"}
    fields.update({"aspect_ratio": "16:9", **changes})
    return GenerateRequest(**fields)


def wait_until_done(client: KieClient, task_id: str, timeout: float = 30):
    def done():
        record = client.record_info(task_id)
        return record if record.is_terminal else None

    return wait_for(done, timeout, f"task {task_id} finished")


def test_it_makes_a_video_from_generate_to_a_downloadable_mp4(client, sim, tmp_path) -> None:
    sim.control.configure(min_seconds=1, max_seconds=1)
    task_id = client.generate(text_request(seed=12345))
    assert len(task_id) == 32 and int(task_id, 16) >= 0
    pending = client.record_info(task_id)
    assert (pending.status, pending.success_flag, pending.result_urls) == ("pending", 0, ())
    record = wait_until_done(client, task_id)
    assert (record.status, record.success_flag, record.seeds, record.has_audio) == ("succeeded", 1, (12345,), (True,))
    path = tmp_path / "video.mp4"
    path.write_bytes(requests.get(record.video_url, timeout=10).content)
    info = probe(str(path))
    assert 7.5 <= info["duration"] <= 8.5
    assert (info["width"], info["height"], info["video_codec"], info["audio_codec"]) == (1280, 720, "h264", "aac")


def test_it_makes_a_portrait_video_from_an_uploaded_picture(client, tmp_path) -> None:
    uploaded = client.upload_stream(picture(720, 1280).getvalue(), "first.png", "veoui/tests")
    assert uploaded.download_url.startswith("http")
    task_id = client.generate(
        text_request(
            generation_type="FIRST_AND_LAST_FRAMES_2_VIDEO", aspect_ratio="Auto", image_urls=[uploaded.download_url]
        )
    )
    record = wait_until_done(client, task_id)
    path = tmp_path / "portrait.mp4"
    path.write_bytes(requests.get(record.video_url, timeout=10).content)
    assert (probe(str(path))["width"], probe(str(path))["height"]) == (720, 1280)


def test_it_upgrades_extends_and_reports_the_balance(client, sim) -> None:
    before = client.credit_balance()
    task_id = client.generate(text_request())
    wait_until_done(client, task_id)
    assert client.credit_balance() == before - 60
    first = client.get_1080p(task_id)
    assert not first.ready
    sim.control.complete(task_id)
    ready = client.get_1080p(task_id)
    assert ready.ready and ready.result_url
    started = client.get_4k(task_id)
    assert started.state == "started"
    assert client.get_4k(task_id).state == "processing"
    sim.control.complete(task_id)
    done = client.get_4k(task_id)
    assert done.state == "done" and done.result_urls
    other = client.generate(text_request())
    wait_until_done(client, other)
    extended = client.extend(ExtendRequest(task_id=other, prompt="then it starts to rain", model="veo3_fast"))
    record = wait_until_done(client, extended)
    assert record.full_result_urls
    assert client.download_url(record.video_url).startswith("http")


def test_it_is_refused_by_the_simulator_with_a_wrong_key(sim) -> None:
    with KieClient("not-the-key", sim.url, sim.url) as wrong, pytest.raises(Refused) as caught:
        wrong.credit_balance()
    assert caught.value.code == 401 and caught.value.category == Category.ACCESS


def test_it_is_refused_for_a_combination_the_rules_forbid(client) -> None:
    with pytest.raises(Refused) as caught:
        client.generate(text_request(generation_type="REFERENCE_2_VIDEO", model="veo3", image_urls=["https://x/a.png"]))
    assert caught.value.code == 422


# One case per fault kind of the simulator: what is injected, and what the client must make of it.
FAULTS = {
    "body_code_429": ({"kind": "body_code", "code": 429}, NotAccepted, 429),
    "body_code_455": ({"kind": "body_code", "code": 455}, NotAccepted, 455),
    "body_code_402": ({"kind": "body_code", "code": 402}, Refused, 402),
    "body_code_500": ({"kind": "body_code", "code": 500}, Refused, 500),
    "body_code_501": ({"kind": "body_code", "code": 501}, Refused, 501),
    "body_code_505": ({"kind": "body_code", "code": 505}, Refused, 505),
    "http_status_429": ({"kind": "http_status", "status": 429}, NotAccepted, 429),
    "http_status_502_html": ({"kind": "http_status", "status": 502, "json": False}, UnknownOutcome, None),
    "hang_before": ({"kind": "hang_before"}, UnknownOutcome, None),
    "hang_after": ({"kind": "hang_after"}, UnknownOutcome, None),
    "malformed_json": ({"kind": "malformed_json"}, MalformedResponse, None),
    "drop_after": ({"kind": "drop", "after_processing": True}, UnknownOutcome, None),
    "drop_before": ({"kind": "drop", "after_processing": False}, UnknownOutcome, None),
}


@pytest.mark.parametrize("name", list(FAULTS))
def test_it_turns_each_injected_fault_into_the_right_typed_error(client, sim, name) -> None:
    fault, error_type, code = FAULTS[name]
    sim.control.add_fault("generate", **fault)
    with pytest.raises(error_type) as caught:
        client.generate(text_request())
    if code is not None:
        assert caught.value.code == code
    assert str(caught.value.message)  # always words for a person
    assert client.generate(text_request())  # the fault was used up; the next call works


def test_it_reports_a_timeout_after_sending_as_unknown_not_retryable(client, sim) -> None:
    sim.control.add_fault("generate", "hang_after")
    with pytest.raises(UnknownOutcome) as caught:
        client.generate(text_request())
    assert caught.value.outcome == Outcome.UNKNOWN
    assert not isinstance(caught.value, NotAccepted)
    assert len(sim.control.tasks()) == 1  # the task exists although the client never heard of it


def test_it_reports_a_delay_within_the_timeout_as_success(client, sim) -> None:
    sim.control.add_fault("generate", "delay", seconds=0.5)
    assert client.generate(text_request())


def test_it_reports_a_task_failure_with_the_contracts_message(client, sim) -> None:
    message = "Request temporarily unavailable due to high traffic on Google models. Please try again later."
    sim.control.add_fault("generate", "task_failure", success_flag=3, error_code=400, error_message=message)
    record = wait_until_done(client, client.generate(text_request()))
    assert (record.status, record.success_flag, record.error_code) == ("failed", 3, 400)
    assert record.failure.category == Category.BUSY and record.failure.transient


def test_it_refuses_cleanly_when_the_upload_host_answers_html(sim) -> None:
    sim.control.add_fault("upload-stream", "http_status", status=403, json=False)
    with KieClient(sim.api_key, sim.url, sim.url) as client, pytest.raises(Refused) as caught:
        client.upload_stream(picture().getvalue(), "a.png", "veoui/tests")
    assert "<" not in str(caught.value.message)
