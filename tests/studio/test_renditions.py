"""1080P, 4K and extensions of a finished video: each its own record, paid once, archived and playable."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from tests.people import make_user
from tests.studio.test_flow import finished, submit
from veoui.kie.simulator.probe import probe
from veoui.studio.models import Generation, Rendition, Status


@pytest.fixture
def logged_in(client: Client, worker, django_user_model, settings) -> Client:
    settings.VEOUI_UPGRADE_POLL_INTERVAL = 0.3
    user = make_user("maya")
    client.force_login(user)
    return client


@pytest.fixture
def video(logged_in, worker) -> Generation:
    generation = submit(logged_in, "text")
    worker.wait_for(finished(generation))
    assert generation.status == Status.SUCCEEDED
    return generation


def request(client: Client, generation: Generation, kind: str, token: uuid.UUID | None = None, **fields) -> Rendition:
    token = token or uuid.uuid4()
    response = client.post(
        f"/videos/{generation.uuid}/renditions/", {"kind": kind, "request_token": str(token), **fields}
    )
    assert response.status_code == 302
    return Rendition.objects.get(request_token=token)


def done(rendition: Rendition):
    def check() -> bool:
        rendition.refresh_from_db()
        return rendition.is_terminal or rendition.status == Status.UNCONFIRMED

    return check


def test_it_shows_each_offer_with_its_cost_before_spending(logged_in, video) -> None:
    page = logged_in.get(f"/videos/{video.uuid}/").content.decode()
    assert "1080P version" in page and "costs 5 credits (about $0.03)" in page
    assert "4K version" in page and "costs 120 credits (about $0.60)" in page
    assert "Extend by 8 seconds" in page and "60 credits" in page
    assert not Rendition.objects.exists()


@pytest.mark.parametrize(("kind", "size"), [("1080p", (1920, 1080)), ("4k", (3840, 2160))])
def test_it_makes_an_upgrade_once_and_archives_it(logged_in, worker, kie, video, kind, size) -> None:
    token = uuid.uuid4()
    rendition = request(logged_in, video, kind, token)
    assert request(logged_in, video, kind, token) == rendition  # a resent confirmation buys nothing twice
    worker.wait_for(done(rendition), timeout=60)
    assert rendition.status == Status.SUCCEEDED, rendition.error_message
    info = probe(rendition.video.path)
    assert (info["width"], info["height"]) == size
    assert rendition.estimated_credits == (5 if kind == "1080p" else 120)
    endpoint = "get-1080p-video" if kind == "1080p" else "get-4k-video"
    assert len(kie.control.requests(endpoint)) >= 2  # asked, then checked until ready
    page = logged_in.get(f"/videos/{video.uuid}/").content.decode()
    assert f"/renditions/{rendition.uuid}/video.mp4" in page
    ranged = logged_in.get(f"/renditions/{rendition.uuid}/video.mp4", headers={"Range": "bytes=0-99"})
    assert ranged.status_code == 206


def test_it_extends_a_video_with_the_apis_model_name(logged_in, worker, kie, video) -> None:
    rendition = request(logged_in, video, "extend", prompt="Then the sun comes out", model="veo3_lite")
    worker.wait_for(done(rendition), timeout=60)
    assert rendition.status == Status.SUCCEEDED, rendition.error_message
    [body] = [r["body"] for r in kie.control.requests("extend")]
    assert (body["model"], body["taskId"], body["prompt"]) == ("lite", video.kie_task_id, "Then the sun comes out")
    assert 15 <= probe(rendition.video.path)["duration"] <= 17  # the stitched video
    assert rendition.estimated_credits == 30


def test_it_no_longer_offers_an_extension_after_1080p(logged_in, worker, video) -> None:
    rendition = request(logged_in, video, "1080p")
    worker.wait_for(done(rendition), timeout=60)
    page = logged_in.get(f"/videos/{video.uuid}/").content.decode()
    assert "Extend by 8 seconds" not in page
    response = logged_in.post(
        f"/videos/{video.uuid}/renditions/",
        {"kind": "extend", "request_token": str(uuid.uuid4()), "prompt": "more", "model": "veo3_fast"},
    )
    assert response.status_code == 302
    assert not Rendition.objects.filter(kind="extend").exists()


def test_it_asks_for_what_happens_next_before_extending(logged_in, video) -> None:
    logged_in.post(f"/videos/{video.uuid}/renditions/", {"kind": "extend", "request_token": str(uuid.uuid4())})
    assert not Rendition.objects.exists()


def test_it_explains_a_failed_4k_in_plain_words(logged_in, worker, kie, video) -> None:
    kie.control.add_fault(
        "get-4k-video",
        "task_failure",
        error_message="The 4K version of this video is unavailable. Please try a different video.",
    )
    rendition = request(logged_in, video, "4k")
    worker.wait_for(done(rendition), timeout=60)
    assert rendition.status == Status.FAILED
    assert rendition.error_message and "{" not in rendition.error_message
