"""The kie.ai simulator's API over real HTTP: auth, shapes, state, rules, credits, upgrades, extend, files."""

import base64
import io
import json
import re
import signal
import time

import pytest
import requests
from PIL import Image

from veoui.kie.simulator.probe import probe
from veoui.kie.simulator.process import SimulatorFailed, running_simulator

TIMEOUT = 10
HEX_ID = re.compile(r"[0-9a-f]{32}")


def api(sim, method: str, path: str, **kwargs) -> requests.Response:
    kwargs.setdefault("headers", sim.auth)
    timeout = kwargs.pop("timeout", TIMEOUT)
    return requests.request(method, f"{sim.url}/api/v1/{path}", timeout=timeout, **kwargs)


def generate(sim, **fields) -> str:
    body = {
        "prompt": "A red kite over green hills",
        "model": "veo3_fast",
        "generationType": "TEXT_2_VIDEO",
        "aspect_ratio": "16:9",
        **fields,
    }
    answer = api(sim, "POST", "veo/generate", json=body).json()
    assert answer["code"] == 200, answer
    return answer["data"]["taskId"]


def record(sim, task_id: str) -> dict:
    return api(sim, "GET", "veo/record-info", params={"taskId": task_id}).json()


def finished(sim, task_id: str) -> dict:
    sim.control.complete(task_id)
    return record(sim, task_id)["data"]


def download(url: str) -> bytes:
    answer = requests.get(url, timeout=TIMEOUT)
    assert answer.status_code == 200, answer.status_code
    return answer.content


def balance(sim) -> float:
    return api(sim, "GET", "chat/credit").json()["data"]


ALL_API_CALLS = [
    ("POST", "veo/generate"),
    ("GET", "veo/record-info"),
    ("GET", "veo/get-1080p-video"),
    ("POST", "veo/get-4k-video"),
    ("POST", "veo/extend"),
    ("GET", "chat/credit"),
    ("POST", "common/download-url"),
]


@pytest.mark.parametrize(("method", "path"), ALL_API_CALLS)
def test_it_refuses_api_calls_without_the_right_key(sim, method, path):
    for headers in ({}, {"Authorization": "Bearer wrong-key"}, {"Authorization": sim.api_key}):
        answer = api(sim, method, path, headers=headers, json={})
        assert answer.status_code == 401
        assert answer.json() == {"code": 401, "msg": "You do not have access permissions"}
    assert sim.control.tasks() == []


def test_it_logs_requests_without_the_key(sim):
    generate(sim)
    api(sim, "GET", "chat/credit", headers={"Authorization": "Bearer wrong"})
    [made] = sim.control.requests("generate")
    [refused] = sim.control.requests("credit")
    assert made["body"]["prompt"] == "A red kite over green hills"
    assert made["auth_valid"] is True and refused["auth_valid"] is False
    assert made["answer"] == {"status": 200, "code": 200}
    assert refused["answer"] == {"status": 401, "code": 401}
    everything = json.dumps(sim.control.requests()) + json.dumps(sim.control.config())
    assert "authorization" not in everything.lower()
    assert sim.api_key not in everything


def test_it_creates_tasks_with_32_hex_ids(sim):
    ids = {generate(sim) for _ in range(3)}
    assert len(ids) == 3
    assert all(HEX_ID.fullmatch(task_id) for task_id in ids)


def test_it_shows_a_pending_task_in_the_assumed_shape(sim):
    sim.control.configure(min_seconds=30, max_seconds=30)
    task_id = generate(sim, seeds=12345)
    answer = record(sim, task_id)
    assert answer["code"] == 200 and answer["msg"] == "success"
    data = answer["data"]
    assert list(data) == [
        "taskId",
        "paramJson",
        "response",
        "successFlag",
        "fallbackFlag",
        "completeTime",
        "createTime",
        "errorCode",
        "errorMessage",
    ]
    assert data["taskId"] == task_id
    assert data["successFlag"] == 0
    assert data["response"] is None and data["completeTime"] is None
    assert data["errorCode"] is None and data["errorMessage"] is None
    assert isinstance(data["createTime"], int) and abs(data["createTime"] / 1000 - time.time()) < 60
    assert json.loads(data["paramJson"])["seeds"] == 12345


def test_it_moves_a_task_from_pending_to_success_on_its_own(sim):
    task_id = generate(sim, seeds=61668)
    flags = []
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        data = record(sim, task_id)["data"]
        flags.append(data["successFlag"])
        if data["successFlag"] != 0:
            break
        time.sleep(0.1)
    assert flags[0] == 0 and flags[-1] == 1
    assert data["completeTime"] >= data["createTime"]
    response = data["response"]
    assert list(response) == [
        "taskId",
        "resolution",
        "originUrls",
        "resultUrls",
        "fullResultUrls",
        "hasAudioList",
        "seeds",
    ]
    assert response["taskId"] == task_id and response["resolution"] == "720p"
    assert response["originUrls"] is None and response["fullResultUrls"] is None
    assert response["hasAudioList"] == [True] and response["seeds"] == [61668]
    assert len(response["resultUrls"]) == 1 and response["resultUrls"][0].startswith(sim.url)
    params = json.loads(data["paramJson"])
    assert params["aspectRatio"] == "16:9" and params["model"] == "veo3_fast"
    assert params["prompt"] == "A red kite over green hills"


def test_it_renders_a_real_8_second_720p_mp4_with_audio(sim):
    data = finished(sim, generate(sim, prompt="A lighthouse in a storm", watermark="ACME"))
    found = probe(download(data["response"]["resultUrls"][0]))
    assert found["video_codec"] == "h264" and found["audio_codec"] == "aac"
    assert (found["width"], found["height"]) == (1280, 720)
    assert found["duration"] == pytest.approx(8, abs=0.3)


def test_it_renders_portrait_videos_and_takes_the_other_spelling(sim):
    body = {
        "prompt": "A tall tower",
        "model": "veo3_lite",
        "generationType": "TEXT_2_VIDEO",
        "aspectRatio": "9:16",
    }
    task_id = api(sim, "POST", "veo/generate", json=body).json()["data"]["taskId"]
    data = finished(sim, task_id)
    assert json.loads(data["paramJson"])["aspectRatio"] == "9:16"
    assert len(data["response"]["originUrls"]) == 1
    found = probe(download(data["response"]["resultUrls"][0]))
    assert (found["width"], found["height"]) == (720, 1280)


def test_it_answers_record_is_null_for_an_unknown_task(sim):
    assert record(sim, "0" * 32) == {"code": 422, "msg": "record is null.", "data": None}


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        (
            {"generationType": "REFERENCE_2_VIDEO", "model": "veo3", "imageUrls": ["http://x/a.png"]},
            "reference",
        ),
        ({"imageUrls": ["http://x/a.png"]}, "no pictures"),
        (
            {"generationType": "FIRST_AND_LAST_FRAMES_2_VIDEO", "imageUrls": ["http://x/a.png"] * 3},
            "at most 2",
        ),
        ({"generationType": "FIRST_AND_LAST_FRAMES_2_VIDEO"}, "at least 1"),
        ({"aspect_ratio": "Auto"}, "Auto needs a picture"),
        ({"aspect_ratio": "4:3"}, "16:9"),
        ({"model": "veo2"}, "Quality, Fast or Lite"),
        ({"seeds": 5}, "seed"),
        ({"generationType": "IMAGE_2_VIDEO"}, "three ways"),
        ({"prompt": ""}, "prompt is required"),
        ({"prompt": None}, "prompt is required"),
        ({"callBackUrl": "ftp://example.com/hook"}, "callBackUrl"),
    ],
)
def test_it_refuses_what_the_rules_forbid_with_422(sim, fields, words):
    body = {"prompt": "A cat", "model": "veo3_fast", "generationType": "TEXT_2_VIDEO", **fields}
    answer = api(sim, "POST", "veo/generate", json=body)
    assert answer.status_code == 200
    assert answer.json()["code"] == 422
    assert words.lower() in answer.json()["msg"].lower()
    assert sim.control.tasks() == []


def test_it_rate_limits_the_21st_generation_in_10_seconds(sim):
    # Nobody needs these videos: a fault spares the twenty renders.
    sim.control.add_fault("generate", "task_failure", times=0)
    for _ in range(20):
        generate(sim)
    answer = api(sim, "POST", "veo/generate", json={"prompt": "One more", "generationType": "TEXT_2_VIDEO"})
    assert answer.status_code == 429
    assert answer.json()["code"] == 429
    assert len(sim.control.tasks()) == 20


def test_it_refuses_generation_beyond_the_balance(sim):
    sim.control.configure(balance=50.0)
    answer = api(sim, "POST", "veo/generate", json={"prompt": "A cat", "model": "veo3_fast"}).json()
    assert answer == {
        "code": 402,
        "msg": "The current credits are insufficient. Please top up.",
        "data": None,
    }
    generate(sim, model="veo3_lite")
    assert balance(sim) == 20.0


def test_it_charges_what_was_made_and_gives_back_failures(sim):
    start = balance(sim)
    assert isinstance(start, float)
    sim.control.configure(prices={"veo3": 250.5})
    finished(sim, generate(sim, model="veo3"))
    assert balance(sim) == start - 250.5
    sim.control.add_fault("generate", "task_failure")
    failed = generate(sim, model="veo3")
    assert balance(sim) == start - 501
    assert finished(sim, failed)["successFlag"] == 3
    assert balance(sim) == start - 250.5


def test_it_makes_a_1080p_version(sim):
    task_id = generate(sim)
    finished(sim, task_id)
    before = balance(sim)
    processing = api(sim, "GET", "veo/get-1080p-video", params={"taskId": task_id, "index": 0}).json()
    assert processing == {
        "code": 400,
        "msg": "1080P is processing. It should be ready in 1-2 minutes. Please check back shortly.",
        "data": None,
    }
    assert balance(sim) == before - 5
    sim.control.complete(task_id)
    answer = api(sim, "GET", "veo/get-1080p-video", params={"taskId": task_id, "index": 0}).json()
    assert answer["code"] == 200 and answer["msg"] == "success"
    assert list(answer["data"]) == ["resultUrl"]
    found = probe(download(answer["data"]["resultUrl"]))
    assert (found["width"], found["height"], found["video_codec"]) == (1920, 1080, "h264")
    assert found["duration"] == pytest.approx(8, abs=0.3)


def test_it_refuses_upgrades_of_unknown_or_unfinished_tasks(sim):
    sim.control.configure(min_seconds=30, max_seconds=30)
    pending = generate(sim)
    unknown = api(sim, "GET", "veo/get-1080p-video", params={"taskId": "f" * 32}).json()
    assert (unknown["code"], unknown["msg"]) == (422, "record is null.")
    early = api(sim, "GET", "veo/get-1080p-video", params={"taskId": pending}).json()
    assert (early["code"], early["msg"]) == (422, "record status is not success.")
    early_4k = api(sim, "POST", "veo/get-4k-video", json={"taskId": pending, "index": 0}).json()
    assert (early_4k["code"], early_4k["msg"]) == (422, "record status is not success.")
    sim.control.complete(pending)
    blank = api(sim, "GET", "veo/get-1080p-video", params={"taskId": pending, "index": 1}).json()
    assert (blank["code"], blank["msg"]) == (422, "record result data is blank.")


def test_it_makes_a_4k_version_with_its_three_answers(sim):
    task_id = generate(sim, aspect_ratio="9:16")
    finished(sim, task_id)
    before = balance(sim)
    first = api(sim, "POST", "veo/get-4k-video", json={"taskId": task_id, "index": 0}).json()
    assert first == {
        "code": 200,
        "msg": "success",
        "data": {"taskId": task_id, "resultUrls": None, "imageUrls": None},
    }
    assert balance(sim) == before - 120
    working = api(sim, "POST", "veo/get-4k-video", json={"taskId": task_id, "index": 0}).json()
    assert working["code"] == 422
    assert working["msg"] == "4k is processing. It should be ready in 5-10 minutes. Please check back shortly."
    sim.control.complete(task_id)
    done = api(sim, "POST", "veo/get-4k-video", json={"taskId": task_id, "index": 0}).json()
    assert (done["code"], done["msg"]) == (422, "The video has been generated successfully")
    assert done["data"]["taskId"] == task_id
    found = probe(download(done["data"]["resultUrls"][0]))
    assert (found["width"], found["height"], found["audio_codec"]) == (2160, 3840, "aac")
    poster = download(done["data"]["imageUrls"][0])
    assert poster.startswith(b"\xff\xd8")


def test_it_extends_a_video_into_a_16_second_stitch(sim):
    source = generate(sim)
    finished(sim, source)
    answer = api(sim, "POST", "veo/extend", json={"taskId": source, "prompt": "Then it rains", "model": "lite"})
    extension = answer.json()["data"]["taskId"]
    assert HEX_ID.fullmatch(extension) and extension != source
    data = finished(sim, extension)
    assert data["successFlag"] == 1
    params = json.loads(data["paramJson"])
    assert (params["model"], params["taskId"], params["prompt"]) == ("lite", source, "Then it rains")
    full = probe(download(data["response"]["fullResultUrls"][0]))
    clip = probe(download(data["response"]["resultUrls"][0]))
    assert full["duration"] == pytest.approx(16, abs=0.5)
    assert clip["duration"] == pytest.approx(8, abs=0.3)
    assert (full["width"], full["height"]) == (1280, 720)
    assert sim.control.task(extension)["price"] == 30


def test_it_refuses_to_extend_a_video_upgraded_to_1080p(sim):
    source = generate(sim)
    finished(sim, source)
    api(sim, "GET", "veo/get-1080p-video", params={"taskId": source})
    answer = api(sim, "POST", "veo/extend", json={"taskId": source, "prompt": "More", "model": "fast"}).json()
    assert answer["code"] == 422
    assert "1080P" in answer["msg"]


def test_it_refuses_to_extend_unknown_or_unfinished_tasks_or_wrong_models(sim):
    sim.control.configure(min_seconds=30, max_seconds=30)
    pending = generate(sim)

    def extend(**fields):
        return api(sim, "POST", "veo/extend", json={"prompt": "More", "model": "fast", **fields}).json()

    assert extend(taskId="a" * 32)["msg"] == "record is null."
    assert extend(taskId=pending)["msg"] == "record status is not success."
    assert extend(taskId=pending, model="veo3_fast")["code"] == 422
    assert extend(taskId=pending, prompt="")["code"] == 422
    assert len(sim.control.tasks()) == 1


def test_it_hands_out_fresh_download_urls(sim):
    data = finished(sim, generate(sim))
    url = data["response"]["resultUrls"][0]
    answer = api(sim, "POST", "common/download-url", json={"url": url}).json()
    assert answer["code"] == 200 and answer["msg"] == "success"
    assert answer["data"] != url and answer["data"].startswith(sim.url)
    assert download(answer["data"]) == download(url)
    missing = api(sim, "POST", "common/download-url", json={"url": f"{sim.url}/files/v/nothing.mp4"}).json()
    assert missing["code"] == 404


def test_it_serves_byte_ranges_of_files(sim):
    url = finished(sim, generate(sim))["response"]["resultUrls"][0]
    whole = download(url)
    part = requests.get(url, headers={"Range": "bytes=0-99"}, timeout=TIMEOUT)
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 0-99/{len(whole)}"
    assert part.content == whole[:100]
    tail = requests.get(url, headers={"Range": "bytes=-10"}, timeout=TIMEOUT)
    assert tail.status_code == 206 and tail.content == whole[-10:]
    rest = requests.get(url, headers={"Range": f"bytes={len(whole) - 5}-"}, timeout=TIMEOUT)
    assert rest.content == whole[-5:]
    beyond = requests.get(url, headers={"Range": f"bytes={len(whole)}-"}, timeout=TIMEOUT)
    assert beyond.status_code == 416
    head = requests.head(url, timeout=TIMEOUT)
    assert head.headers["Content-Length"] == str(len(whole)) and head.headers["Accept-Ranges"] == "bytes"
    assert head.headers["Content-Type"] == "video/mp4"


def test_it_can_make_result_files_expire(sim):
    url = finished(sim, generate(sim))["response"]["resultUrls"][0]
    fresh = api(sim, "POST", "common/download-url", json={"url": url}).json()["data"]
    sim.control.configure(result_files_unavailable=410)
    assert requests.get(url, timeout=TIMEOUT).status_code == 410
    assert requests.get(fresh, timeout=TIMEOUT).status_code == 200
    sim.control.configure(result_files_unavailable=False)
    assert requests.get(url, timeout=TIMEOUT).status_code == 200


def test_it_completes_tasks_on_demand(sim):
    sim.control.configure(min_seconds=60, max_seconds=60)
    task_id = generate(sim)
    assert sim.control.task(task_id)["state"] == "pending"
    done = sim.control.complete(task_id)
    assert done["state"] == "success" and done["record"]["successFlag"] == 1
    assert record(sim, task_id)["data"]["successFlag"] == 1


def test_it_forgets_everything_on_reset_but_the_configuration(sim):
    sim.control.configure(balance=500.0, min_seconds=0.1, max_seconds=0.2)
    task_id = generate(sim)
    url = finished(sim, task_id)["response"]["resultUrls"][0]
    sim.control.add_fault("credit", "body_code", code=500)
    sim.control.reset()
    assert record(sim, task_id)["msg"] == "record is null."
    assert requests.get(url, timeout=TIMEOUT).status_code == 404
    assert sim.control.faults() == [] and sim.control.tasks() == []
    assert [entry["endpoint"] for entry in sim.control.requests()] == ["record-info", "files"]
    assert balance(sim) == 500.0 and sim.control.config()["min_seconds"] == 0.1
    sim.control.reset(config=True)
    assert balance(sim) == 10000.0 and sim.control.config()["min_seconds"] == 0.5


def test_it_refuses_bad_admin_requests(sim):
    assert requests.post(f"{sim.url}/_sim/config", json={"min_seconds": -1}, timeout=TIMEOUT).status_code == 400
    assert requests.post(f"{sim.url}/_sim/config", json={"colour": "red"}, timeout=TIMEOUT).status_code == 400
    assert requests.post(f"{sim.url}/_sim/tasks/{'0' * 32}/complete", timeout=TIMEOUT).status_code == 404
    assert sim.control.health()["ok"] is True


def test_it_answers_unknown_routes_and_methods(sim):
    assert requests.get(f"{sim.url}/api/v1/veo/nothing", headers=sim.auth, timeout=TIMEOUT).status_code == 404
    assert requests.get(f"{sim.url}/api/v1/veo/generate", headers=sim.auth, timeout=TIMEOUT).status_code == 405


def test_it_stops_cleanly_on_sigterm_even_while_holding_a_connection():
    with running_simulator("another-key", min_seconds=0.1, max_seconds=0.2) as other:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", other.url)
        other.control.add_fault("credit", "hang_before")
        with pytest.raises(requests.exceptions.ReadTimeout):
            api(other, "GET", "chat/credit", timeout=0.3)
        started = time.monotonic()
        other.process.send_signal(signal.SIGTERM)
        assert other.process.wait(timeout=10) == 0
        assert time.monotonic() - started < 3


def test_it_hands_out_urls_under_the_public_url_and_keeps_files_in_the_data_dir(tmp_path):
    public = "http://simulator.internal:8123"
    with running_simulator(
        "key", min_seconds=0.1, max_seconds=0.2, data_dir=tmp_path, extra_args=("--public-url", public)
    ) as other:
        image = io.BytesIO()
        Image.new("RGB", (32, 18), (0, 128, 0)).save(image, "PNG")
        body = {
            "base64Data": base64.b64encode(image.getvalue()).decode(),
            "uploadPath": "in",
            "fileName": "a.png",
        }
        headers = {**other.auth, "User-Agent": "veoui-tests/1.0"}
        upload = requests.post(f"{other.url}/api/file-base64-upload", json=body, headers=headers, timeout=TIMEOUT)
        image_url = upload.json()["data"]["downloadUrl"]
        assert image_url.startswith(public)
        # The simulator reads its own URLs from disk: simulator.internal need not resolve.
        task_id = generate(other, generationType="FIRST_AND_LAST_FRAMES_2_VIDEO", imageUrls=[image_url])
        data = finished(other, task_id)
        assert data["successFlag"] == 1
        assert data["response"]["resultUrls"][0].startswith(f"{public}/files/v/{task_id}_")
        assert list((tmp_path / "files" / "v").glob(f"{task_id}_*.mp4"))


def test_it_reports_a_simulator_that_cannot_start():
    with (
        pytest.raises(SimulatorFailed, match="min-seconds"),
        running_simulator("a-key", min_seconds=5, max_seconds=1),
    ):
        pass
