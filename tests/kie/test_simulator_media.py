"""What the simulator's videos show: input images where the mode puts them, at the right size."""

import base64
import io
import subprocess

import imageio_ffmpeg
import pytest
import requests
from PIL import Image

from tests import frames
from veoui.kie.simulator.cards import read_stamp, timecode
from veoui.kie.simulator.probe import probe
from veoui.kie.simulator.render import tone_hz

TIMEOUT = 10
RED = (220, 30, 30)
BLUE = (30, 30, 220)
FETCH_FAILED = "Failed to fetch the image. Kindly verify any access limits set by you or your service provider."


def uploaded(sim, content: bytes, name: str) -> str:
    body = {"base64Data": base64.b64encode(content).decode(), "uploadPath": "images/test", "fileName": name}
    headers = {**sim.auth, "User-Agent": "veoui-tests/1.0"}
    answer = requests.post(f"{sim.url}/api/file-base64-upload", json=body, headers=headers, timeout=TIMEOUT)
    return answer.json()["data"]["downloadUrl"]


def picture(sim, colour, size=(64, 36), name="picture.png") -> str:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return uploaded(sim, buffer.getvalue(), name)


def finished(sim, **fields) -> dict:
    body = {"prompt": "From red to blue", "model": "veo3_fast", **fields}
    answer = requests.post(f"{sim.url}/api/v1/veo/generate", json=body, headers=sim.auth, timeout=TIMEOUT).json()
    assert answer["code"] == 200, answer
    task_id = answer["data"]["taskId"]
    sim.control.complete(task_id)
    params = {"taskId": task_id}
    return requests.get(f"{sim.url}/api/v1/veo/record-info", params=params, headers=sim.auth, timeout=TIMEOUT).json()


def frame_at(video: bytes, seconds: float, tmp_path) -> Image.Image:
    path = tmp_path / "video.mp4"
    path.write_bytes(video)
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-ss", str(seconds), "-i", str(path)]
    command += ["-frames:v", "1", "-f", "image2pipe", "-c:v", "png", "-"]
    return Image.open(io.BytesIO(subprocess.run(command, capture_output=True, check=True).stdout)).convert("RGB")


def close_to(pixel, colour) -> bool:
    return all(abs(a - b) < 40 for a, b in zip(pixel, colour, strict=True))


def video_of(record: dict) -> bytes:
    assert record["data"]["successFlag"] == 1, record
    return requests.get(record["data"]["response"]["resultUrls"][0], timeout=TIMEOUT).content


def test_it_fades_from_the_first_frame_to_the_last(sim, tmp_path):
    first, last = picture(sim, RED, name="first.png"), picture(sim, BLUE, name="last.png")
    video = video_of(finished(sim, generationType="FIRST_AND_LAST_FRAMES_2_VIDEO", imageUrls=[first, last]))
    assert close_to(frame_at(video, 0.5, tmp_path).getpixel((640, 300)), RED)
    assert close_to(frame_at(video, 7.0, tmp_path).getpixel((640, 300)), BLUE)


def test_it_shows_references_side_by_side(sim, tmp_path):
    references = [picture(sim, RED, name="r.png"), picture(sim, BLUE, name="b.png")]
    video = video_of(finished(sim, generationType="REFERENCE_2_VIDEO", imageUrls=references))
    still = frame_at(video, 4.0, tmp_path)
    assert close_to(still.getpixel((326, 333)), RED)
    assert close_to(still.getpixel((954, 333)), BLUE)


def test_it_picks_the_shape_of_the_first_image_for_auto(sim):
    tall = picture(sim, RED, size=(36, 64), name="tall.png")
    record = finished(sim, generationType="FIRST_AND_LAST_FRAMES_2_VIDEO", imageUrls=[tall], aspect_ratio="Auto")
    found = probe(video_of(record))
    assert (found["width"], found["height"]) == (720, 1280)
    assert record["data"]["response"]["originUrls"] is not None


@pytest.mark.parametrize("source", ["missing", "not an image", "unreachable"])
def test_it_fails_the_task_when_an_image_cannot_be_fetched(sim, source):
    if source == "missing":
        url = f"{sim.url}/files/kieai/183531/images/test/missing.png"
    elif source == "not an image":
        url = uploaded(sim, b"hello", "hello.png")
    else:
        url = "http://127.0.0.1:9/image.png"
    record = finished(sim, generationType="FIRST_AND_LAST_FRAMES_2_VIDEO", imageUrls=[url])
    data = record["data"]
    assert (data["successFlag"], data["errorCode"], data["errorMessage"]) == (3, 400, FETCH_FAILED)
    assert data["response"] is None and data["completeTime"] is not None


def test_it_probes_a_file_and_its_bytes_alike(sim, tmp_path):
    video = video_of(finished(sim, generationType="TEXT_2_VIDEO"))
    path = tmp_path / "clip.mp4"
    path.write_bytes(video)
    assert probe(path) == probe(video)
    assert probe(video)["fps"] == 10


def test_it_stamps_every_frame_and_gives_each_task_its_own_tone(sim, tmp_path):
    clips = []
    for number in range(2):
        record = finished(sim, generationType="TEXT_2_VIDEO", seed=12345)
        path = tmp_path / f"clip{number}.mp4"
        path.write_bytes(video_of(record))
        clips.append((record["data"]["taskId"], path))
    for task_id, path in clips:
        assert [read_stamp(frames.frame_at(path, seconds)) for seconds in (0, 1.0, 4.2)] == [0, 10, 42]
        assert read_stamp(frames.last_frame(path)) == 79
        # The sliding square and the timecode change the picture from one frame to the next.
        assert frames.difference(frames.frame_number(path, 20), frames.frame_number(path, 21)) > 0.2
        # The pitch comes from the task, not the seed, which both share.
        assert abs(frames.pitch(frames.samples(path, 2.0, 1.0)) - tone_hz(task_id)) < 5


def test_it_writes_a_timecode_a_person_can_read() -> None:
    assert [timecode(seconds) for seconds in (0, 7.9, 61.25, 3600.5)] == [
        "00:00:00.000",
        "00:00:07.900",
        "00:01:01.250",
        "01:00:00.500",
    ]
