"""kie.ai's own answers are not trusted: a hostile stand-in for it, with the worker really running.

The stand-in (tests/hostile.py) plays kie.ai's API on 127.0.0.1; as the configured kie.ai host, its own files may be
fetched. ``internal`` plays a page on the internal network (another port of 127.0.0.1, serving a perfectly good
video) that veoui must never fetch.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import imageio_ffmpeg
import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from tests.conftest import TEST_KIE_API_KEY
from tests.hostile import (
    HostileKie,
    InternalPage,
    answer,
    drip,
    hostile_kie,
    huge_json,
    internal_page,
    json_answer,
    nested_json,
    redirect,
)
from tests.people import make_user
from tests.studio.test_flow import submit
from veoui.kie.client import KieClient
from veoui.studio.models import Generation, Status

GENERATE = "/api/v1/veo/generate"
RECORD_INFO = "/api/v1/veo/record-info"
DOWNLOAD_URL = "/api/v1/common/download-url"
TASK = "hostile-task-1"
PROMPT = "A lighthouse in a storm, waves crashing"
PRIVATE_LINK = "kie.ai's link to this video leads into a private network, so veoui didn't download it."
NOT_A_VIDEO = "kie.ai's link to this video didn't lead to a video file, so veoui didn't save it."


def record(success_flag: int = 1, urls: list[str] | None = None, response: dict | None = None, **data: object) -> dict:
    body = {
        "taskId": TASK,
        "successFlag": success_flag,
        "paramJson": json.dumps({"prompt": PROMPT}),
        "response": {"resultUrls": urls or [], **(response or {})},
        **data,
    }
    return {"code": 200, "msg": "success", "data": body}


def fresh_link(url: str) -> dict:
    return {"code": 200, "msg": "success", "data": url}


@pytest.fixture(scope="session")
def small_video(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("video") / "small.mp4"
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "color=c=blue:s=64x64:d=2:r=10",
        "-pix_fmt", "yuv420p", str(path),
    ]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=60)
    return path.read_bytes()


@pytest.fixture
def hostile(kie, settings) -> Iterator[HostileKie]:
    """veoui pointed at the stand-in, which takes every generate request as task ``TASK``."""
    with hostile_kie() as server:
        settings.KIE_API_BASE_URL = settings.KIE_UPLOAD_BASE_URL = server.url
        settings.VEOUI_ARCHIVE_RETRY_BASE = 600  # one archive attempt per test, unless it asks for more
        server.on(GENERATE, json_answer({"code": 200, "msg": "success", "data": {"taskId": TASK}}))
        yield server


@pytest.fixture
def internal(small_video: bytes) -> Iterator[InternalPage]:
    with internal_page(small_video) as page:
        yield page


@pytest.fixture
def member(worker, django_user_model) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(make_user("maya"))
    return client


def reaches(generation: Generation, *statuses: str):
    def check() -> bool:
        generation.refresh_from_db()
        return generation.status in statuses

    return check


def stored_videos(settings) -> list[Path]:
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file() and "videos" in path.parts]


def database_text() -> str:
    """Every row of every table veoui and its task queue keep, as text."""
    return "\n".join(str(list(model.objects.values())) for model in apps.get_models())


# --- result addresses ------------------------------------------------------------------------------------------


def test_it_never_fetches_a_result_url_on_the_internal_network(member, worker, hostile, internal, settings) -> None:
    hostile.on(RECORD_INFO, json_answer(record(urls=[f"{internal.url}/admin/video.mp4"])))
    hostile.on(DOWNLOAD_URL, json_answer(fresh_link(f"{internal.url}/admin/fresh.mp4")))
    generation = submit(member, "text")
    worker.wait_for(reaches(generation, Status.FAILED, Status.SUCCEEDED), timeout=20)

    assert internal.hits == []
    assert generation.status == Status.FAILED and not generation.video and not stored_videos(settings)
    assert generation.error_message == PRIVATE_LINK
    assert "private network" in generation.upstream_message
    assert hostile.hits(DOWNLOAD_URL) == 1  # the fresh link was asked for, and refused the same way
    page = member.get(f"/videos/{generation.uuid}/").content.decode()
    assert "leads into a private network" in page


def test_it_refuses_a_redirect_into_the_internal_network(member, worker, hostile, internal, settings) -> None:
    hostile.on(RECORD_INFO, json_answer(record(urls=[f"{hostile.url}/files/result.mp4"])))
    hostile.on("/files/result.mp4", redirect(f"{internal.url}/admin/video.mp4"))
    hostile.on(DOWNLOAD_URL, json_answer(fresh_link(f"{hostile.url}/files/fresh.mp4")))
    hostile.on("/files/fresh.mp4", redirect(f"{internal.url}/admin/fresh.mp4", status=307))
    generation = submit(member, "text")
    worker.wait_for(reaches(generation, Status.FAILED, Status.SUCCEEDED), timeout=20)

    assert (hostile.hits("/files/result.mp4"), hostile.hits("/files/fresh.mp4")) == (1, 1)
    assert internal.hits == []
    assert generation.status == Status.FAILED and not generation.video and not stored_videos(settings)
    assert generation.error_message == PRIVATE_LINK


def test_it_follows_redirects_that_stay_public_and_takes_a_video_sent_as_octet_stream(
    member, worker, hostile, small_video, settings
) -> None:
    hostile.on(RECORD_INFO, json_answer(record(urls=[f"{hostile.url}/files/a.mp4"])))
    hostile.on("/files/a.mp4", redirect("/files/b.mp4", status=301))
    hostile.on("/files/b.mp4", answer(200, small_video, "application/octet-stream"))
    generation = submit(member, "text")
    worker.wait_for(reaches(generation, Status.FAILED, Status.SUCCEEDED), timeout=20)

    assert generation.status == Status.SUCCEEDED, generation.error_message
    assert generation.video.read() == small_video and generation.video_size == len(small_video)
    assert hostile.hits(DOWNLOAD_URL) == 0


def test_it_stops_after_a_few_redirects(member, worker, hostile, settings) -> None:
    hostile.on(RECORD_INFO, json_answer(record(urls=[f"{hostile.url}/files/loop.mp4"])))
    hostile.on("/files/loop.mp4", redirect("/files/loop.mp4"))
    hostile.on(DOWNLOAD_URL, json_answer({"code": 500, "msg": "Internal Error"}))
    generation = submit(member, "text")
    worker.wait_for(reaches(generation, Status.SUCCEEDED, Status.FAILED), timeout=20)

    assert hostile.hits("/files/loop.mp4") == 4  # the first request and three redirects, then it gave up
    assert generation.status == Status.SUCCEEDED and not generation.video
    assert generation.archive_attempts == 1 and generation.next_check_at is not None  # tried again later


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/html; charset=utf-8", b"<!doctype html><h1>Router admin</h1>"),
        ("application/json", b'{"users": ["admin"]}'),
        ("application/octet-stream", b"<!doctype html><h1>Router admin</h1>"),
        ("video/mp4", b"root:x:0:0:root:/root:/bin/bash\n" * 4),
    ],
)
def test_it_keeps_only_what_is_a_video(member, worker, hostile, settings, content_type: str, body: bytes) -> None:
    hostile.on(RECORD_INFO, json_answer(record(urls=[f"{hostile.url}/files/result.mp4"])))
    hostile.on("/files/result.mp4", answer(200, body, content_type))
    hostile.on(DOWNLOAD_URL, json_answer(fresh_link(f"{hostile.url}/files/result.mp4")))
    generation = submit(member, "text")
    worker.wait_for(reaches(generation, Status.FAILED, Status.SUCCEEDED), timeout=20)

    assert generation.status == Status.FAILED and not generation.video and not stored_videos(settings)
    assert generation.error_message == NOT_A_VIDEO
    assert "didn&#x27;t lead to a video file" in member.get(f"/videos/{generation.uuid}/").content.decode()


# --- size and time ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("declared", [True, False], ids=["with-length", "without-length"])
def test_it_reads_no_more_than_a_megabyte_of_a_200_mb_answer(member, worker, hostile, declared: bool) -> None:
    hostile.on(GENERATE, huge_json(200 * 1024 * 1024, declare_length=declared))
    generation = submit(member, "text")
    worker.wait_for(reaches(generation, Status.UNCONFIRMED, Status.RUNNING, Status.FAILED), timeout=30)

    # The request went out and no usable answer came back: a task may exist, so the member decides.
    assert generation.status == Status.UNCONFIRMED
    assert "larger than 1024 KB" in generation.upstream_message
    assert hostile.sent[GENERATE] < 16 * 1024 * 1024, hostile.sent[GENERATE]
    assert hostile.hits(GENERATE) == 1


def test_it_gives_up_on_an_answer_dripping_one_byte_every_two_seconds(member, worker, hostile, settings) -> None:
    settings.KIE_CALL_DEADLINE = 1.0  # the read timeout (3 s) alone would never fire: a byte comes every 2 s
    answer_body = json.dumps({"code": 200, "msg": "success", "data": {"taskId": TASK}}).encode()
    hostile.on(GENERATE, drip(answer_body, every=2.0))
    generation = submit(member, "text")
    worker.wait_for(reaches(generation, Status.UNCONFIRMED, Status.RUNNING, Status.FAILED), timeout=15)

    assert generation.status == Status.UNCONFIRMED
    assert generation.upstream_message == "no complete answer within 1 s"
    assert hostile.sent[GENERATE] < 10  # a byte or two of the status line, then veoui hung up


def test_it_gives_up_on_a_video_dripping_in(member, worker, hostile, small_video, settings) -> None:
    settings.VEOUI_ARCHIVE_DEADLINE = 1.0
    hostile.on(RECORD_INFO, json_answer(record(urls=[f"{hostile.url}/files/slow.mp4"])))
    hostile.on("/files/slow.mp4", drip(small_video, "video/mp4", every=2.0))
    hostile.on(DOWNLOAD_URL, json_answer({"code": 404, "msg": "Not Found"}))
    generation = submit(member, "text")
    worker.wait_for(reaches(generation, Status.SUCCEEDED, Status.FAILED), timeout=15)

    # Not saved this time; kie.ai's copy is still there, so veoui tries again later (not a refusal).
    assert generation.status == Status.SUCCEEDED and not generation.video and generation.is_only_on_kie
    assert generation.archive_attempts == 1 and generation.next_check_at is not None
    assert not stored_videos(settings)


# --- unreadable answers -------------------------------------------------------------------------------------------


def test_it_reads_deeply_nested_json_as_malformed_and_the_video_can_be_deleted(member, worker, hostile) -> None:
    hostile.on(GENERATE, nested_json(100_000))
    generation = submit(member, "text")
    worker.wait_for(reaches(generation, Status.UNCONFIRMED, Status.RUNNING, Status.FAILED), timeout=15)

    assert generation.status == Status.UNCONFIRMED and generation.upstream_message.startswith("not JSON")
    response = member.post(f"/videos/{generation.uuid}/delete/")
    assert response.status_code == 302
    generation.refresh_from_db()
    assert generation.deleted_at is not None


def test_it_checks_again_after_a_deeply_nested_status_answer(member, worker, hostile) -> None:
    hostile.on(RECORD_INFO, nested_json(100_000))
    generation = submit(member, "text")
    worker.wait_for(lambda: Generation.objects.get(pk=generation.pk).poll_count >= 2, timeout=15)
    generation.refresh_from_db()
    assert generation.status == Status.RUNNING and hostile.hits(RECORD_INFO) >= 2


def test_it_answers_a_deeply_nested_callback_with_400(member, worker, hostile, settings) -> None:
    settings.KIE_WEBHOOK_HMAC_KEY = ""
    hostile.on(RECORD_INFO, json_answer(record(success_flag=0)))
    generation = submit(member, "text")
    worker.wait_for(reaches(generation, Status.RUNNING), timeout=15)
    url = reverse("kie_callback", args=[generation.uuid, generation.callback_token])
    body = b'{"code": 200, "data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = Client(raise_request_exception=False).post(url, body, content_type="application/json")
    assert response.status_code == 400
    assert Generation.objects.get(pk=generation.pk).status == Status.RUNNING


def test_it_leaves_a_video_unconfirmed_when_veoui_crashes_after_sending(member, worker, hostile, monkeypatch) -> None:
    generate = KieClient.generate

    def crash_after_sending(self, request):
        generate(self, request)
        raise RuntimeError("a fault of veoui's own, after kie.ai took the request")

    monkeypatch.setattr(KieClient, "generate", crash_after_sending)
    generation = submit(member, "text")
    worker.wait_for(reaches(generation, Status.UNCONFIRMED, Status.RUNNING, Status.FAILED), timeout=15)

    assert generation.status == Status.UNCONFIRMED and hostile.hits(GENERATE) == 1
    assert member.post(f"/videos/{generation.uuid}/delete/").status_code == 302
    assert Generation.objects.get(pk=generation.pk).deleted_at is not None


def test_it_saves_a_video_whose_answer_has_values_no_column_holds(member, worker, hostile, small_video) -> None:
    odd = {"seeds": [-7], "resolution": "1080p" * 20, "originUrls": ["https://files.example/" + "a" * 3000]}
    hostile.on(RECORD_INFO, json_answer(record(urls=[f"{hostile.url}/files/ok.mp4"], response=odd)))
    hostile.on("/files/ok.mp4", answer(200, small_video, "video/mp4"))
    generation = submit(member, "text")
    worker.wait_for(reaches(generation, Status.SUCCEEDED, Status.FAILED), timeout=15)

    assert generation.status == Status.SUCCEEDED and generation.video.read() == small_video
    assert (generation.result_seed, generation.resolution) == (None, "")


def test_it_records_a_failure_whose_error_code_no_column_holds(member, worker, hostile) -> None:
    failed = record(success_flag=3, errorCode=10**20, errorMessage="Internal Error, Please try again later.")
    hostile.on(RECORD_INFO, json_answer(failed))
    generation = submit(member, "text")
    worker.wait_for(reaches(generation, Status.SUCCEEDED, Status.FAILED), timeout=15)

    assert generation.status == Status.FAILED and generation.error_code is None
    assert generation.error_message == "kie.ai had a problem on its side and couldn't finish this."


# --- the key ------------------------------------------------------------------------------------------------------


def test_it_never_stores_the_key_kie_echoes_in_a_task_failure(member, worker, hostile) -> None:
    message = f"Internal error: the request signed with {TEST_KIE_API_KEY} could not be processed"
    hostile.on(RECORD_INFO, json_answer(record(success_flag=3, errorCode=500, errorMessage=message)))
    generation = submit(member, "text")
    worker.wait_for(reaches(generation, Status.FAILED, Status.SUCCEEDED), timeout=15)

    assert generation.status == Status.FAILED and generation.error_code == 500
    assert generation.upstream_message == "Internal error: the request signed with [redacted] could not be processed"
    assert TEST_KIE_API_KEY not in database_text()
    member.get(f"/videos/{generation.uuid}/")  # the leak watcher reads the page too


def test_it_never_stores_the_key_kie_echoes_in_a_result_url(member, worker, hostile) -> None:
    hostile.on(RECORD_INFO, json_answer(record(urls=[f"{hostile.url}/files/{TEST_KIE_API_KEY}.mp4"])))
    hostile.on(DOWNLOAD_URL, json_answer({"code": 404, "msg": f"no file for key {TEST_KIE_API_KEY}"}))
    generation = submit(member, "text")
    worker.wait_for(reaches(generation, Status.SUCCEEDED, Status.FAILED), timeout=15)

    assert generation.result_urls == [f"{hostile.url}/files/[redacted].mp4"]
    assert TEST_KIE_API_KEY not in database_text()
