"""Continue from the last frame, and Save this frame.

The acceptance: a video made through the simulator, then "Continue from the last frame" on its page, the form sent
with the picture it shows; the picture kie.ai received (read back from the simulator's upload) is the source file's
very last frame, not its poster or first frame. Saving the frame at a time gives that very frame (the simulator's
clips carry their frame number). Only people who may see a video get its frames; a private one's stays private.
"""

from __future__ import annotations

import html
import io
import re
import uuid
from pathlib import Path

import pytest
import requests
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from tests import frames
from tests.people import client_for, make_user, text
from tests.scenes.making import render_clips, stored_video
from tests.studio.test_flow import finished, submit
from veoui.kie.simulator.cards import RenderSpec, read_stamp
from veoui.kie.simulator.render import render_clip
from veoui.studio.models import Generation, InputImage, Rendition, Status

LAST_FRAME = 79  # a simulated clip is 8 s at 10 frames a second


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> list[Path]:
    return render_clips(tmp_path_factory.mktemp("clips"))


def picture_of(response) -> Image.Image:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "image/png"
    return Image.open(io.BytesIO(response.content)).convert("RGB")


def stored_path(work) -> Path:
    return Path(default_storage.path(work.video.name))


def link(page: str, label: str) -> str:
    found = re.search(rf'<a class="button[^"]*" href="([^"]+)"[^>]*>(?:<svg.*?</svg>)?{re.escape(label)}</a>', page)
    assert found, f"no link {label!r}"
    return html.unescape(found.group(1))


def form_picture(page: str) -> str:
    found = re.search(r'name="image_url_1" id="id_image_url_1" value="([^"]*)"', page)
    assert found
    return html.unescape(found.group(1))


def post_form(client, page: str, **fields) -> object:
    token = re.search(r'name="submission_token" value="([^"]+)"', page).group(1)
    prompt = html.unescape(re.search(r'<textarea name="prompt"[^>]*>([^<]*)</textarea>', page).group(1))
    data = {"submission_token": token, "prompt": prompt, "model": "veo3_fast", "aspect_ratio": "16:9", "count": "1"}
    data["image_url_1"] = form_picture(page)
    data |= {
        name: value for name, value in re.findall(r'<input type="hidden" name="(scene|after)" value="([^"]*)"', page)
    }
    return client.post("/studio/frames/", data | fields)


# --- the acceptance ----------------------------------------------------------------------------------------------


def test_continue_sends_kie_the_source_videos_exact_last_frame(worker, kie) -> None:
    maya = make_user("maya")
    client = client_for(maya)
    source = submit(client, "text", prompt="A paper boat drifts down a gutter")
    worker.wait_for(finished(source))
    assert source.status == Status.SUCCEEDED and source.video

    page = text(client.get(f"/videos/{source.uuid}/"))
    opened = client.get(link(page, "Continue from the last frame"))
    assert Generation.objects.count() == 1  # opening it spends nothing
    form = text(opened)
    assert form_picture(form) == f"/videos/{source.uuid}/last-frame.png"
    assert "A paper boat drifts down a gutter" in form  # the next shot starts from the same description

    response = post_form(client, form, prompt="The paper boat sails on into a storm drain")
    assert response.status_code == 302
    assert Generation.objects.count() == 2
    new = Generation.objects.exclude(pk=source.pk).get()
    assert new.mode == "FIRST_AND_LAST_FRAMES_2_VIDEO" and new.owner == maya
    [image] = InputImage.objects.filter(generation=new)
    assert image.file and not image.source_url
    worker.wait_for(finished(new))
    assert new.status == Status.SUCCEEDED, new.error_message

    [body] = [entry["body"] for entry in kie.control.requests("generate") if entry["body"]["prompt"] == new.prompt]
    [address] = body["imageUrls"]
    uploaded = Image.open(io.BytesIO(requests.get(address, timeout=10).content)).convert("RGB")
    last = frames.last_frame(stored_path(source))
    assert frames.difference(last, uploaded) < 1.0
    assert read_stamp(uploaded) == LAST_FRAME
    assert frames.difference(frames.frame_number(stored_path(source), 0), uploaded) > 2.0  # not the poster


# --- frames of a stored clip ---------------------------------------------------------------------------------------


def test_the_last_frame_is_the_clips_last_frame(media, maya, clips) -> None:
    video = stored_video(maya, clips[0])
    got = picture_of(client_for(maya).get(f"/videos/{video.uuid}/last-frame.png"))
    assert got.size == (640, 360)
    assert read_stamp(got) == LAST_FRAME
    assert frames.difference(frames.last_frame(clips[0]), got) < 1.0


@pytest.mark.parametrize(("seconds", "number"), [("0", 0), ("3.2", 32), ("4.25", 43), ("7.9", 79)])
def test_save_this_frame_gives_the_frame_at_that_time(media, maya, clips, seconds, number) -> None:
    video = stored_video(maya, clips[0])
    got = picture_of(client_for(maya).get(f"/videos/{video.uuid}/frame.png", {"t": seconds}))
    assert read_stamp(got) == number


@pytest.mark.parametrize(("seconds", "number"), [("99", LAST_FRAME), ("nan", 0), ("-4", 0), ("soon", 0), ("", 0)])
def test_a_time_outside_the_clip_is_kept_to_it(media, maya, clips, seconds, number) -> None:
    video = stored_video(maya, clips[0])
    got = picture_of(client_for(maya).get(f"/videos/{video.uuid}/frame.png", {"t": seconds}))
    assert read_stamp(got) == number


def test_the_download_is_named_after_the_video_and_the_time(media, maya, clips) -> None:
    video = stored_video(maya, clips[0])
    Generation.objects.filter(pk=video.pk).update(prompt="A fox jumps, at dawn!")
    response = client_for(maya).get(f"/videos/{video.uuid}/frame.png", {"t": "3.2", "download": "1"})
    assert response["Content-Disposition"] == 'attachment; filename="a-fox-jumps-at-dawn-00m03.2s.png"'
    assert read_stamp(picture_of(response)) == 32


def test_the_frame_page_offers_download_and_start_a_video_from_it(media, maya, clips) -> None:
    video = stored_video(maya, clips[0])
    client = client_for(maya)
    page = text(client.get(f"/videos/{video.uuid}/frame/", {"t": "2.5"}))
    download = link(page, "Download")
    assert download == f"/videos/{video.uuid}/frame.png?t=2.5&download=1"
    assert read_stamp(picture_of(client.get(download))) == 25
    studio = text(client.get(link(page, "Start a video from it")))
    assert form_picture(studio) == f"/videos/{video.uuid}/frame.png?t=2.5"
    response = post_form(client, studio, prompt="From that moment on")
    assert response.status_code == 302
    new = Generation.objects.exclude(pk=video.pk).get()
    [image] = new.images.all()
    with image.file.open("rb") as handle:
        assert read_stamp(Image.open(handle).convert("RGB")) == 25


def test_the_video_page_offers_both_without_javascript(media, maya, clips) -> None:
    video = stored_video(maya, clips[0])
    page = text(client_for(maya).get(f"/videos/{video.uuid}/"))
    assert re.search(
        rf'action="/videos/{video.uuid}/frame/"[^>]*data-save-frame>\s*<input type="hidden" name="t"', page
    )
    assert "Save this frame" in page
    assert link(page, "Continue from the last frame").startswith("/studio/frames/?picture=")


# --- versions --------------------------------------------------------------------------------------------------


def finished_version(generation: Generation, kind: str, folder: Path) -> Rendition:
    spec = RenderSpec(task_id=f"v-{kind}", prompt="A version", mode="TEXT_2_VIDEO", model="veo3_fast",
                      aspect_ratio="16:9", seed=1)  # fmt: skip
    clip = folder / f"{kind}.mp4"
    render_clip(spec, "360p", clip)
    name = default_storage.save(f"videos/{uuid.uuid4().hex}.mp4", ContentFile(clip.read_bytes()))
    return Rendition.objects.create(
        generation=generation, owner=generation.owner, kind=kind, status=Status.SUCCEEDED, video=name,
        estimated_credits=5, request_token=uuid.uuid4(),
    )  # fmt: skip


def test_it_continues_from_the_best_version_or_the_one_named(media, maya, clips, tmp_path) -> None:
    video = stored_video(maya, clips[0])
    hd = finished_version(video, Rendition.Kind.HD, tmp_path)
    client = client_for(maya)
    best = picture_of(client.get(f"/videos/{video.uuid}/last-frame.png"))
    assert frames.difference(frames.last_frame(stored_path(hd)), best) < 1.0
    assert frames.difference(frames.last_frame(clips[0]), best) > 2.0  # a different clip: the version's file
    named = picture_of(client.get(f"/videos/{video.uuid}/last-frame.png", {"version": str(hd.uuid)}))
    assert frames.difference(best, named) < 0.01
    page = text(client.get(f"/videos/{video.uuid}/"))
    assert f"version%3D{hd.uuid}" in page  # the version's own Continue link names it
    other = stored_video(maya, clips[1])
    assert client.get(f"/videos/{other.uuid}/last-frame.png", {"version": str(hd.uuid)}).status_code == 404
    assert client.get(f"/videos/{video.uuid}/frame.png", {"version": "nonsense"}).status_code == 404


# --- who may ----------------------------------------------------------------------------------------------------


FRAME_ADDRESSES = ["last-frame.png", "frame.png?t=2", "frame/?t=2"]


@pytest.mark.parametrize("address", FRAME_ADDRESSES)
def test_a_private_videos_frames_are_only_for_its_owner_and_admins(media, maya, tom, clips, address) -> None:
    video = stored_video(maya, clips[0], visibility=Generation.Visibility.PRIVATE)
    assert client_for(tom).get(f"/videos/{video.uuid}/{address}").status_code == 404
    assert client_for(maya).get(f"/videos/{video.uuid}/{address}").status_code == 200
    alex = make_user("alex", "Alex", role="admin")
    assert client_for(alex).get(f"/videos/{video.uuid}/{address}").status_code == 200


@pytest.mark.parametrize("address", FRAME_ADDRESSES)
def test_frames_need_a_login(media, maya, clips, client, address) -> None:
    video = stored_video(maya, clips[0])
    response = client.get(f"/videos/{video.uuid}/{address}")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_a_video_without_a_stored_file_has_no_frames(media, maya) -> None:
    from tests.people import make_generation

    running = make_generation(maya, 60, status=Status.RUNNING)
    for address in FRAME_ADDRESSES:
        assert client_for(maya).get(f"/videos/{running.uuid}/{address}").status_code == 404


def test_someone_elses_private_frame_is_not_taken_by_the_form(media, maya, tom, clips) -> None:
    video = stored_video(maya, clips[0], visibility=Generation.Visibility.PRIVATE)
    client = client_for(tom)
    page = text(client.get("/studio/frames/", {"picture": f"/videos/{video.uuid}/last-frame.png"}))
    assert form_picture(page) == ""
    data = {"submission_token": str(uuid.uuid4()), "prompt": "Mine now", "model": "veo3_fast", "aspect_ratio": "16:9"}
    client.post("/studio/frames/", {**data, "image_url_1": f"/videos/{video.uuid}/last-frame.png"})
    assert not InputImage.objects.filter(generation__owner=tom).exclude(file="").exists()


def test_continuing_a_private_video_makes_a_private_one(media, maya, tom, clips) -> None:
    video = stored_video(maya, clips[0], visibility=Generation.Visibility.PRIVATE)
    client = client_for(maya)
    page = text(client.get(link(text(client.get(f"/videos/{video.uuid}/")), "Continue from the last frame")))
    assert 'name="visibility" value="private" checked' in page
    fields = dict(re.findall(r'<input type="hidden" name="(scene|after)" value="([^"]*)"', page))
    assert not fields  # not opened from a scene
    data = {"submission_token": str(uuid.uuid4()), "prompt": "Onwards", "model": "veo3_fast", "aspect_ratio": "16:9"}
    assert client.post("/studio/frames/", {**data, "image_url_1": form_picture(page)}).status_code == 302
    new = Generation.objects.exclude(pk=video.pk).get()
    assert new.visibility == Generation.Visibility.PRIVATE
    assert new.images.get().file
    assert client_for(tom).get(f"/videos/{new.uuid}/").status_code == 404


def test_a_frame_heavier_than_a_picture_may_be_goes_in_as_a_fine_jpeg(media, maya, clips, settings) -> None:
    video = stored_video(maya, clips[0])
    png = client_for(maya).get(f"/videos/{video.uuid}/last-frame.png").content
    settings.VEOUI_UPLOAD_MAX_MB = 1
    from veoui.studio import frames as studio_frames

    assert studio_frames.within_upload_limit("last-frame.png", png) == ("last-frame.png", png)  # it fits
    monkey_limit = len(png) - 1
    settings.VEOUI_UPLOAD_MAX_MB = monkey_limit / (1024 * 1024)
    name, smaller = studio_frames.within_upload_limit("last-frame.png", png)
    assert name == "last-frame.jpg" and len(smaller) <= monkey_limit
    jpeg = Image.open(io.BytesIO(smaller))
    assert jpeg.format == "JPEG" and jpeg.size == (640, 360)
    assert frames.difference(Image.open(io.BytesIO(png)).convert("RGB"), jpeg.convert("RGB")) < 2.0
    assert read_stamp(jpeg.convert("RGB")) == LAST_FRAME


def test_the_frame_page_keeps_a_later_time_to_the_clips_end(media, maya, clips) -> None:
    video = stored_video(maya, clips[0])
    page = text(client_for(maya).get(f"/videos/{video.uuid}/frame/", {"t": "60"}))
    assert "The frame at 8.0 s" in page
    assert link(page, "Download") == f"/videos/{video.uuid}/frame.png?t=8&download=1"


def test_continuing_a_video_of_a_project_stays_in_that_project(media, maya, clips) -> None:
    from tests.projects.helpers import make_project

    project = make_project("Spring launch", maya)
    video = stored_video(maya, clips[0], project=project)
    page = text(client_for(maya).get("/studio/frames/", {"picture": f"/videos/{video.uuid}/last-frame.png"}))
    assert re.search(rf'<option value="{project.uuid}" selected>', page)
