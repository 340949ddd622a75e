"""A generation from the form to an archived video: the simulator over real HTTP, the worker really running."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from tests.people import make_user
from tests.support import picture
from veoui.kie.simulator.probe import probe
from veoui.studio import tasks
from veoui.studio.models import Generation, Status


def submit(client: Client, mode: str, **fields) -> Generation:
    data = {
        "submission_token": str(uuid.uuid4()),
        "prompt": "A lighthouse in a storm, waves crashing",
        "model": "veo3_fast",
        "aspect_ratio": "16:9",
        "enable_translation": "on",
    }
    data.update(fields)
    response = client.post(f"/studio/{mode}/", {k: v for k, v in data.items() if v is not None})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Generation.objects.get(uuid=response["Location"].rstrip("/").split("/")[-1])


def finished(generation: Generation):
    def check() -> bool:
        generation.refresh_from_db()
        return generation.is_terminal or generation.status == Status.UNCONFIRMED

    return check


def generate_bodies(sim) -> list[dict]:
    return [entry["body"] for entry in sim.control.requests("generate")]


@pytest.fixture
def logged_in(client: Client, worker, django_user_model) -> Client:
    user = make_user("maya")
    client.force_login(user)
    return client


CASES = {
    "text": ({"seed": "24680", "watermark": "ACME"}, 0),
    "frames-one": ({"image_1": "file"}, 1),
    "frames-two": ({"image_1": "file", "image_2": "file", "aspect_ratio": "Auto"}, 2),
    "reference": ({"image_1": "file", "image_2": "file", "image_3": "file", "aspect_ratio": "9:16"}, 3),
}


@pytest.mark.parametrize("case", list(CASES))
def test_it_makes_a_video_and_sends_exactly_the_contract_fields(logged_in, worker, kie, case, settings) -> None:
    fields, image_count = CASES[case]
    fields = {k: (picture(1280, 720, name=f"{k}.png") if v == "file" else v) for k, v in fields.items()}
    mode = case.split("-")[0]
    generation = submit(logged_in, mode, **fields)
    worker.wait_for(finished(generation))
    assert generation.status == Status.SUCCEEDED, (generation.status, generation.error_message)

    [body] = generate_bodies(kie)
    expected = {"prompt", "model", "generationType", "aspect_ratio", "enableTranslation"}
    if image_count:
        expected.add("imageUrls")
    if "seed" in fields:
        expected.add("seeds")
    if "watermark" in fields:
        expected.add("watermark")
    assert set(body) == expected
    assert body["generationType"] == generation.mode
    assert body["enableTranslation"] is True
    assert len(body.get("imageUrls", [])) == image_count
    assert len(kie.control.requests("upload-stream")) == image_count
    if "seed" in fields:
        assert body["seeds"] == 24680 and body["watermark"] == "ACME"

    # The archived copy is a real, complete video of the requested shape.
    assert generation.video and generation.poster
    info = probe(generation.video.path)
    assert 7.5 <= info["duration"] <= 8.5
    portrait = fields.get("aspect_ratio") == "9:16"
    assert (info["width"], info["height"]) == ((720, 1280) if portrait else (1280, 720))
    assert info["audio_codec"] == "aac"
    assert len(generation.video_sha256) == 64 and generation.video_size > 0


def test_it_sends_a_callback_address_only_when_veoui_has_a_public_one(logged_in, worker, kie, settings) -> None:
    settings.PUBLIC_BASE_URL = "https://video.example.com"
    generation = submit(logged_in, "text")
    worker.wait_for(finished(generation))
    [body] = generate_bodies(kie)
    assert body["callBackUrl"] == (
        f"https://video.example.com/hooks/kie/{generation.uuid}/{generation.callback_token}/"
    )


def test_it_creates_one_generation_and_one_task_for_a_double_submit(logged_in, worker, kie) -> None:
    token = str(uuid.uuid4())
    first = submit(logged_in, "text", submission_token=token)
    second = submit(logged_in, "text", submission_token=token)
    assert first == second
    worker.wait_for(finished(first))
    assert Generation.objects.count() == 1
    assert len(generate_bodies(kie)) == 1
    assert len(kie.control.tasks()) == 1


def test_it_survives_simultaneous_double_submits(worker, kie, django_user_model) -> None:
    user = make_user("maya")
    token = str(uuid.uuid4())
    answers: list[int] = []

    def press_generate() -> None:
        client = Client()
        client.force_login(user)
        answers.append(submit(client, "text", submission_token=token).pk)

    threads = [threading.Thread(target=press_generate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(answers)) == 1 and len(answers) == 4
    generation = Generation.objects.get()
    worker.wait_for(finished(generation))
    assert len(generate_bodies(kie)) == 1


def test_it_reads_only_the_database_for_the_status_partial(logged_in, worker, kie) -> None:
    kie.control.configure(min_seconds=3, max_seconds=3)
    generation = submit(logged_in, "text")
    worker.wait_for(lambda: Generation.objects.get(pk=generation.pk).status == Status.RUNNING)
    before = len(kie.control.requests())
    for _ in range(15):
        response = logged_in.get(f"/status/?shown={generation.uuid}:0")
        assert response.status_code == 200
        assert f'data-shown="{generation.uuid}:' in response.content.decode()
    calls_by_worker = [r for r in kie.control.requests()[before:] if r["endpoint"] != "record-info"]
    assert calls_by_worker == []  # the page made no kie.ai call; only the worker's record-info polls ran
    worker.wait_for(finished(generation))
    final = logged_in.get(f"/status/?shown={generation.uuid}:0").content.decode()
    assert "data-shown" not in final and "<video" in final


def test_it_serves_the_video_with_ranges_so_seeking_works(logged_in, worker, kie) -> None:
    generation = submit(logged_in, "text")
    worker.wait_for(finished(generation))
    whole = generation.video.read()
    response = logged_in.get(f"/videos/{generation.uuid}/video.mp4", headers={"Range": "bytes=1000-1999"})
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 1000-1999/{len(whole)}"
    assert b"".join(response.streaming_content) == whole[1000:2000]
    tail = logged_in.get(f"/videos/{generation.uuid}/video.mp4", headers={"Range": "bytes=-500"})
    assert b"".join(tail.streaming_content) == whole[-500:]
    download = logged_in.get(f"/videos/{generation.uuid}/download/")
    assert download["Content-Disposition"].startswith("attachment;")


def test_it_marks_a_timed_out_generate_unconfirmed_and_never_resends_it(logged_in, worker, kie, settings) -> None:
    settings.KIE_READ_TIMEOUT = 1.0
    kie.control.add_fault("generate", "hang_after", times=1)
    generation = submit(logged_in, "text")
    worker.wait_for(finished(generation))
    assert generation.status == Status.UNCONFIRMED
    assert "won't pay twice" in generation.error_message
    tasks.recover()
    generation.refresh_from_db()
    assert generation.status == Status.UNCONFIRMED
    assert len(generate_bodies(kie)) == 1


def test_it_waits_and_retries_when_kie_certainly_did_not_take_it(logged_in, worker, kie, monkeypatch) -> None:
    monkeypatch.setattr(tasks, "retry_delay", lambda attempts: 0.2)
    kie.control.add_fault("generate", "body_code", code=429, times=2)
    generation = submit(logged_in, "text")
    worker.wait_for(finished(generation))
    assert generation.status == Status.SUCCEEDED
    assert len(generate_bodies(kie)) == 3


def test_it_explains_a_refusal_in_plain_words(logged_in, worker, kie) -> None:
    kie.control.add_fault("generate", "body_code", code=402, times=1)
    generation = submit(logged_in, "text")
    worker.wait_for(finished(generation))
    assert generation.status == Status.FAILED
    assert generation.error_category == "out_of_credits"
    page = logged_in.get(f"/videos/{generation.uuid}/").content.decode()
    assert generation.error_message in page.replace("&#x27;", "'")
    assert "402" not in generation.error_message and "{" not in generation.error_message


def test_it_fails_with_the_reason_when_kie_moderates_after_accepting(logged_in, worker, kie) -> None:
    kie.control.add_fault(
        "generate",
        "task_failure",
        success_flag=3,
        error_code=400,
        error_message="Your prompt was flagged by Website as violating content policies.",
    )
    generation = submit(logged_in, "text")
    worker.wait_for(finished(generation))
    assert generation.status == Status.FAILED
    assert generation.error_category == "content_policy"
    assert len(generate_bodies(kie)) == 1


def test_a_crash_right_after_the_answer_was_saved_only_watches_the_task(logged_in, kie, worker, settings) -> None:
    """The worker died after saving kie.ai's task id but before the rest of that step: nothing is sent again."""
    from veoui.kie.client import KieClient
    from veoui.kie.records import GenerateRequest

    settings.VEOUI_POLL_INTERVAL = 0.3
    request = GenerateRequest(
        prompt="A crash check", model="veo3_fast", generation_type="TEXT_2_VIDEO", aspect_ratio="16:9"
    )
    with KieClient(kie.api_key, kie.url, kie.url) as kie_client:
        task_id = kie_client.generate(request)
    generation = Generation.objects.create(
        owner=User.objects.get(username="maya"),
        submission_token=uuid.uuid4(),
        mode="TEXT_2_VIDEO",
        model="veo3_fast",
        prompt="A crash check",
        aspect_ratio="16:9",
        status=Status.SUBMITTING,
        claimed_by="a-worker-that-died",
        request_sent_at=timezone.now(),
        kie_task_id=task_id,
    )
    assert tasks.recover() >= 1
    worker.wait_for(finished(generation), timeout=20)
    assert generation.status == Status.SUCCEEDED and generation.video
    assert len(generate_bodies(kie)) == 1
