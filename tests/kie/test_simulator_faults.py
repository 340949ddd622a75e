"""Fault injection through /_sim/faults: each kind, its counting, and what was or was not processed."""

import json
import time

import pytest
import requests

from veoui.kie.simulator.control import SimulatorControlError

TIMEOUT = 10
TEXT_VIDEO = {"prompt": "A paper boat on a river", "model": "veo3_fast", "generationType": "TEXT_2_VIDEO"}


def post_generate(sim, timeout: float = TIMEOUT) -> requests.Response:
    return requests.post(f"{sim.url}/api/v1/veo/generate", json=TEXT_VIDEO, headers=sim.auth, timeout=timeout)


def credit(sim) -> requests.Response:
    return requests.get(f"{sim.url}/api/v1/chat/credit", headers=sim.auth, timeout=TIMEOUT)


def finished_record(sim, task_id: str) -> dict:
    sim.control.complete(task_id)
    params = {"taskId": task_id}
    answer = requests.get(f"{sim.url}/api/v1/veo/record-info", params=params, headers=sim.auth, timeout=TIMEOUT)
    return answer.json()["data"]


def successful_task(sim) -> str:
    task_id = post_generate(sim).json()["data"]["taskId"]
    sim.control.complete(task_id)
    return task_id


def test_it_answers_an_injected_body_code(sim):
    sim.control.add_fault("generate", "body_code", code=455)
    answer = post_generate(sim)
    assert answer.status_code == 200
    assert answer.json() == {
        "code": 455,
        "msg": "Service Unavailable - System is currently undergoing maintenance",
        "data": None,
    }
    assert sim.control.tasks() == []
    assert post_generate(sim).json()["code"] == 200


def test_it_uses_the_contracts_message_for_the_endpoint(sim):
    sim.control.add_fault("record-info", "body_code", code=422)
    sim.control.add_fault("generate", "body_code", code=402, msg="Top up, please.")
    record = requests.get(
        f"{sim.url}/api/v1/veo/record-info", params={"taskId": "a" * 32}, headers=sim.auth, timeout=TIMEOUT
    )
    assert record.json()["msg"] == "record is null."
    assert post_generate(sim).json() == {"code": 402, "msg": "Top up, please.", "data": None}


def test_it_answers_an_injected_http_status_as_json_or_html(sim):
    sim.control.add_fault("credit", "http_status", status=503)
    sim.control.add_fault("credit", "http_status", status=502, json=False)
    as_json = credit(sim)
    assert as_json.status_code == 503 and as_json.json()["code"] == 503
    as_html = credit(sim)
    assert as_html.status_code == 502 and as_html.headers["Content-Type"].startswith("text/html")
    with pytest.raises(ValueError):
        as_html.json()
    assert credit(sim).status_code == 200


def test_it_delays_an_answer(sim):
    sim.control.add_fault("credit", "delay", seconds=0.6)
    started = time.monotonic()
    assert credit(sim).json()["code"] == 200
    assert time.monotonic() - started >= 0.6


def test_it_hangs_before_reading_the_body(sim):
    sim.control.add_fault("generate", "hang_before", seconds=30)
    with pytest.raises(requests.exceptions.ReadTimeout):
        post_generate(sim, timeout=0.5)
    assert sim.control.tasks() == []
    [logged] = sim.control.requests("generate")
    assert logged["fault"] == "hang_before" and logged["body"] is None and logged["answer"] is None


def test_it_hangs_after_creating_the_task(sim):
    sim.control.add_fault("generate", "hang_after", seconds=30)
    with pytest.raises(requests.exceptions.ReadTimeout):
        post_generate(sim, timeout=0.5)
    [task] = sim.control.tasks()
    assert task["prompt"] == TEXT_VIDEO["prompt"]


def test_it_answers_malformed_json_after_or_instead_of_processing(sim):
    sim.control.add_fault("generate", "malformed_json")
    broken = post_generate(sim)
    assert broken.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(broken.text)
    assert len(sim.control.tasks()) == 1
    sim.control.add_fault("generate", "malformed_json", after_processing=False)
    with pytest.raises(json.JSONDecodeError):
        json.loads(post_generate(sim).text)
    assert len(sim.control.tasks()) == 1


def test_it_drops_the_connection_before_or_after_processing(sim):
    sim.control.add_fault("generate", "drop")
    with pytest.raises(requests.exceptions.ConnectionError):
        post_generate(sim)
    assert sim.control.tasks() == []
    sim.control.add_fault("generate", "drop", after_processing=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        post_generate(sim)
    assert len(sim.control.tasks()) == 1


def test_it_fails_a_task_as_told(sim):
    sim.control.add_fault(
        "generate", "task_failure", success_flag=2, error_code=500, error_message="Internal Error - Timeout"
    )
    sim.control.add_fault("generate", "task_failure")
    told = finished_record(sim, post_generate(sim).json()["data"]["taskId"])
    assert (told["successFlag"], told["errorCode"], told["errorMessage"]) == (
        2,
        500,
        "Internal Error - Timeout",
    )
    default = finished_record(sim, post_generate(sim).json()["data"]["taskId"])
    assert (default["successFlag"], default["errorCode"]) == (3, 400)
    assert default["errorMessage"] == "Your prompt was flagged by Website as violating content policies."
    assert default["response"] is None


def test_it_fails_an_extension_as_told(sim):
    source = successful_task(sim)
    sim.control.add_fault("extend", "task_failure", error_code=422, error_message="failed")
    body = {"taskId": source, "prompt": "And then?", "model": "fast"}
    answer = requests.post(f"{sim.url}/api/v1/veo/extend", json=body, headers=sim.auth, timeout=TIMEOUT).json()
    data = finished_record(sim, answer["data"]["taskId"])
    assert (data["successFlag"], data["errorCode"], data["errorMessage"]) == (3, 422, "failed")


def test_it_fails_upgrades_as_told(sim):
    task_id = successful_task(sim)
    before = credit(sim).json()["data"]
    sim.control.add_fault("get-1080p-video", "task_failure")
    sim.control.add_fault("get-4k-video", "task_failure")
    requests.get(f"{sim.url}/api/v1/veo/get-1080p-video", params={"taskId": task_id}, headers=sim.auth, timeout=TIMEOUT)
    four_k = {"taskId": task_id, "index": 0}
    requests.post(f"{sim.url}/api/v1/veo/get-4k-video", json=four_k, headers=sim.auth, timeout=TIMEOUT)
    sim.control.complete(task_id)
    failed_1080p = requests.get(
        f"{sim.url}/api/v1/veo/get-1080p-video", params={"taskId": task_id}, headers=sim.auth, timeout=TIMEOUT
    ).json()
    assert failed_1080p["code"] == 501
    failed_4k = requests.post(
        f"{sim.url}/api/v1/veo/get-4k-video", json=four_k, headers=sim.auth, timeout=TIMEOUT
    ).json()
    assert failed_4k == {
        "code": 500,
        "msg": "The 4K version of this video is unavailable. Please try a different video.",
        "data": {"taskId": task_id},
    }
    assert credit(sim).json()["data"] == before


def test_it_applies_a_fault_the_given_number_of_times_or_until_cleared(sim):
    sim.control.add_fault("credit", "body_code", code=500, times=2)
    assert [credit(sim).json()["code"] for _ in range(3)] == [500, 500, 200]
    sim.control.add_fault("credit", "body_code", code=500, times=0)
    assert [credit(sim).json()["code"] for _ in range(4)] == [500] * 4
    assert sim.control.faults()[-1]["used"] == 4
    sim.control.clear_faults()
    assert credit(sim).json()["code"] == 200


def test_it_injects_faults_into_file_downloads(sim):
    task_id = successful_task(sim)
    url = sim.control.task(task_id)["record"]["response"]["resultUrls"][0]
    sim.control.add_fault("files", "drop")
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url, timeout=TIMEOUT)
    sim.control.add_fault("files", "http_status", status=403, json=False)
    assert requests.get(url, timeout=TIMEOUT).status_code == 403
    assert requests.get(url, timeout=TIMEOUT).status_code == 200


def test_it_trickles_a_file_download_until_released(sim):
    task_id = successful_task(sim)
    url = sim.control.task(task_id)["record"]["response"]["resultUrls"][0]
    whole = requests.get(url, timeout=TIMEOUT).content
    sim.control.add_fault("files", "trickle", head_bytes=100, every=0.01)
    with requests.get(url, timeout=TIMEOUT, stream=True) as answer:
        assert answer.raw.read(100) == whole[:100]
        assert answer.raw.read(3) == whole[100:103]  # still coming, a byte at a time
        sim.control.release()
        assert whole[:103] + answer.raw.read() == whole
    assert sim.control.requests("files")[-1]["fault"] == "trickle"
    with pytest.raises(SimulatorControlError):
        sim.control.add_fault("credit", "trickle")


def test_it_injects_faults_into_uploads_in_the_upload_hosts_shape(sim):
    sim.control.add_fault("upload-base64", "body_code", code=500)
    headers = {**sim.auth, "User-Agent": "veoui-tests/1.0"}
    body = {"base64Data": "eA==", "uploadPath": "images", "fileName": "a.png"}
    answer = requests.post(f"{sim.url}/api/file-base64-upload", json=body, headers=headers, timeout=TIMEOUT)
    assert answer.json() == {"success": False, "code": 500, "msg": "Internal Error, Please try again later."}


@pytest.mark.parametrize(
    ("endpoint", "kind", "params"),
    [
        ("generate", "explode", {}),
        ("nowhere", "delay", {}),
        ("credit", "task_failure", {}),
        ("generate", "body_code", {}),
        ("generate", "delay", {"seconds": "soon"}),
        ("generate", "task_failure", {"success_flag": 1}),
        ("files", "malformed_json", {}),
        ("generate", "drop", {"colour": "red"}),
    ],
)
def test_it_refuses_faults_that_make_no_sense(sim, endpoint, kind, params):
    with pytest.raises(SimulatorControlError, match="400"):
        sim.control.add_fault(endpoint, kind, **params)
