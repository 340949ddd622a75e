"""A private video stays private through every video made from it, and through everything the worker does.

Owner (Maya), teammate (Tom), admin (Alex). After every POST the database says who may see what was made.
"""

from __future__ import annotations

import uuid

import pytest
from django.core.files.base import ContentFile

from tests.people import client_for, make_generation, make_user
from tests.studio.spending import form_posting_to
from tests.studio.test_flow import finished, submit
from tests.support import picture
from veoui.studio.models import Generation, InputImage, Status

PRIVATE = Generation.Visibility.PRIVATE


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def private_video(owner, **fields) -> Generation:
    video = make_generation(owner, 60, visibility=PRIVATE, kie_task_id="b" * 32, **fields)
    image = InputImage(generation=video, position=0, role="first", width=640, height=360)
    image.file.save("first.png", ContentFile(picture(640, 360).getvalue()), save=True)
    video.poster.save("poster.png", ContentFile(picture(640, 360).getvalue()), save=True)
    return video


def made_from(video: Generation) -> Generation:
    return Generation.objects.exclude(pk=video.pk).get()


@pytest.mark.parametrize("action", ["retry", "rerun", "vary"])
def test_it_keeps_a_video_made_from_a_private_one_private(media, maya, tom, action) -> None:
    status = Status.FAILED if action == "retry" else Status.SUCCEEDED
    video = private_video(maya, status=status, error_transient=True, mode="FIRST_AND_LAST_FRAMES_2_VIDEO")
    client = client_for(maya)
    form = form_posting_to(client, f"/videos/{video.uuid}/", f"/videos/{video.uuid}/{action}/")
    client.post(form["action"], form["fields"])
    new = made_from(video)
    assert new.visibility == PRIVATE
    assert client_for(tom).get(f"/videos/{new.uuid}/").status_code == 404
    assert client_for(tom).get(f"/videos/{new.uuid}/inputs/0/").status_code == 404


def test_it_keeps_an_admins_rerun_of_someone_elses_private_video_private(media, maya) -> None:
    alex = make_user("alex", "Alex", role="admin")
    video = private_video(maya, status=Status.SUCCEEDED)
    client = client_for(alex)
    form = form_posting_to(client, f"/videos/{video.uuid}/", f"/videos/{video.uuid}/rerun/")
    client.post(form["action"], form["fields"])
    assert made_from(video).visibility == PRIVATE


@pytest.mark.parametrize("address", ["poster.jpg", "inputs/0/"])
def test_it_offers_a_private_frame_as_a_first_frame_privately(media, maya, tom, address) -> None:
    video = private_video(maya, status=Status.SUCCEEDED)
    page = client_for(maya).get(f"/studio/frames/?picture=/videos/{video.uuid}/{address}").content.decode()
    assert 'name="visibility" value="private" checked' in page


def test_it_keeps_a_private_frame_private_when_the_form_says_nothing(media, maya, tom) -> None:
    video = private_video(maya, status=Status.SUCCEEDED)
    data = {"submission_token": str(uuid.uuid4()), "prompt": "Onwards", "model": "veo3_fast", "aspect_ratio": "16:9"}
    client = client_for(maya)
    assert client.post("/studio/frames/", {**data, "image_url_1": f"/videos/{video.uuid}/inputs/0/"}).status_code == 302
    assert made_from(video).visibility == PRIVATE


def test_it_lets_the_person_choose_otherwise_on_the_form(media, maya) -> None:
    video = private_video(maya, status=Status.SUCCEEDED)
    data = {"submission_token": str(uuid.uuid4()), "prompt": "For all", "model": "veo3_fast", "aspect_ratio": "16:9"}
    client_for(maya).post(
        "/studio/frames/", {**data, "image_url_1": f"/videos/{video.uuid}/inputs/0/", "visibility": "team"}
    )
    assert made_from(video).visibility == Generation.Visibility.TEAM


def test_it_makes_every_variation_private_when_asked(media, maya) -> None:
    data = {
        "submission_token": str(uuid.uuid4()),
        "prompt": "Three boats",
        "model": "veo3_fast",
        "aspect_ratio": "16:9",
    }
    client_for(maya).post("/studio/text/", {**data, "count": "3", "visibility": "private"})
    assert list(Generation.objects.values_list("visibility", flat=True)) == [PRIVATE] * 3


def test_it_keeps_a_private_videos_versions_private(media, maya, tom) -> None:
    video = private_video(maya, status=Status.SUCCEEDED)
    client = client_for(maya)
    form = form_posting_to(client, f"/videos/{video.uuid}/", f"/videos/{video.uuid}/renditions/", kind="4k")
    client.post(form["action"], form["fields"])
    rendition = video.renditions.get()
    assert client_for(tom).get(f"/renditions/{rendition.uuid}/video.mp4").status_code == 404
    assert str(rendition.uuid) not in client_for(tom).get(f"/status/?shown={rendition.uuid}:0").text
    assert f'id="rendition-{rendition.uuid}"' in client.get(f"/status/?shown={rendition.uuid}:0").text


def test_it_keeps_a_visibility_change_made_while_the_worker_waits_for_kie(maya, tom, worker, kie) -> None:
    kie.control.add_fault("generate", "delay", seconds=1.5, times=1)
    client = client_for(maya)
    generation = submit(client, "text")
    worker.wait_for(lambda: len(kie.control.requests("generate")) == 1)  # the worker is waiting for the answer
    client.post(f"/videos/{generation.uuid}/visibility/", {"visibility": "private"})
    assert Generation.objects.get(pk=generation.pk).visibility == PRIVATE

    worker.wait_for(finished(generation))

    assert generation.status == Status.SUCCEEDED and generation.visibility == PRIVATE
    assert client_for(tom).get(f"/videos/{generation.uuid}/").status_code == 404
