"""A scene exported to one MP4: the planned trims, joins, end card, size, codecs and sound, checked in the file.

The shots are simulator clips, whose every frame shows its number as a code (read back with ``read_stamp``),
so each sampled frame of the export is matched to the very frame of the clip it should come from.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from tests import frames
from tests.waiting import wait_for
from veoui.kie.simulator.cards import RenderSpec, read_stamp
from veoui.kie.simulator.probe import probe
from veoui.kie.simulator.render import FRAME_RATES, render_clip, tone_hz
from veoui.studio import scene_export
from veoui.studio.scene_export import EndCard, ExportCancelled, Plan, PlanError, Shot

CLIP_FPS = FRAME_RATES["360p"]
SAME_FRAME = 1.5  # mean difference per channel between a clip's frame and the export's, after scaling
# Sharp edges between saturated colours lose a little to the video's halved colour resolution.
SAME_PICTURE = 3.0
TASKS = ("scene-shot-1", "scene-shot-2", "scene-shot-3")


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("clips")
    assert len({tone_hz(task_id) for task_id in TASKS}) == len(TASKS), "each shot must sound different"
    made = []
    for task_id in TASKS:
        spec = RenderSpec(task_id=task_id, prompt=f"Shot {task_id}", mode="TEXT_2_VIDEO", model="veo3_fast",
                          aspect_ratio="16:9", seed=1)  # fmt: skip
        render_clip(spec, "360p", folder / f"{task_id}.mp4")
        made.append(folder / f"{task_id}.mp4")
    return made


@pytest.fixture(scope="module")
def logo(tmp_path_factory) -> Path:
    picture = Image.new("RGB", (400, 240), (240, 200, 30))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 0, 199, 119), fill=(200, 30, 60))
    draw.ellipse((220, 130, 380, 230), fill=(20, 90, 200))
    path = tmp_path_factory.mktemp("card") / "logo.png"
    picture.save(path)
    return path


def acceptance_plan(clips: list[Path], logo: Path) -> Plan:
    """Trims 1-6 s, 2-8 s and 0-4 s (the last shot muted), crossfades of 0.5 s, a 2 s end card, at 720p."""
    shots = (Shot(clips[0], 1, 6), Shot(clips[1], 2, 8), Shot(clips[2], 0, 4, muted=True))
    card = EndCard(2, picture=logo, colour="#223344")
    return Plan(shots=shots, joins=(0.5, 0.5), end_card=card, resolution="720p", aspect_ratio="16:9")


@pytest.fixture(scope="module")
def exported(clips, logo, tmp_path_factory) -> tuple[Path, list[float]]:
    output = tmp_path_factory.mktemp("export") / "scene.mp4"
    heard: list[float] = []
    scene_export.export(acceptance_plan(clips, logo), output, progress=heard.append)
    return output, heard


def test_it_exports_the_planned_length_size_and_codecs(exported):
    output, _ = exported
    expected = 5 + 6 + 4 + 2 - 2 * 0.5
    found = probe(output)
    assert abs(found["duration"] - expected) < 0.1
    assert (found["width"], found["height"]) == (1280, 720)
    assert (found["video_codec"], found["audio_codec"]) == ("h264", "aac")
    assert abs(len(frames.samples(output, 0, 60)) / frames.SAMPLE_RATE - expected) < 0.1
    # The index comes first, so a player starts before the whole file has arrived.
    data = output.read_bytes()
    assert 0 < data.find(b"moov") < data.find(b"mdat")


# (moment in the export, shot, moment in that shot's clip)
SAMPLES = [
    (2.5, 0, 3.5),  # the middle of shot 1 (1-6 s)
    (7.5, 1, 5.0),  # shot 2 (2-8 s) starts at 4.5 s, where the first crossfade begins
    (12.0, 2, 2.0),  # shot 3 (0-4 s) starts at 10 s
    (0.0, 0, 1.0),  # the in point of shot 1
    (4.45, 0, 5.4),  # shot 1 just before the crossfade
    (10.5, 2, 0.5),  # shot 3 just after its crossfade
    (13.95, 2, 3.9),  # the last frame before the end card (13.958 s): the out point of shot 3
]


@pytest.mark.parametrize(("moment", "shot", "source_moment"), SAMPLES)
def test_it_shows_each_shot_as_its_clip_at_the_same_point(exported, clips, moment, shot, source_moment):
    output, _ = exported
    frame = frames.frame_at(output, moment)
    number = read_stamp(frame)
    assert number == round(source_moment * CLIP_FPS)
    assert frames.difference(frame, frames.frame_number(clips[shot], number)) < SAME_FRAME
    for other, clip in enumerate(clips):
        if other != shot:
            assert frames.difference(frame, frames.frame_number(clip, number)) > 3 * SAME_FRAME


def test_it_fades_in_the_end_card_and_then_shows_the_picture(exported, logo):
    output, _ = exported
    card = scene_export.end_card_picture(EndCard(2, picture=logo, colour="#223344"), (1280, 720))
    assert frames.difference(frames.frame_at(output, 15.5), card) < SAME_PICTURE
    assert frames.difference(frames.last_frame(output), card) < SAME_PICTURE
    # Fading in: from black at the cut, half way after a quarter of a second.
    assert frames.difference(frames.frame_at(output, 14.0), Image.new("RGB", (1280, 720))) < 2 * SAME_FRAME
    assert 10 < frames.difference(frames.frame_at(output, 14.25), card) < 60


def test_it_keeps_each_shots_sound_and_silences_a_muted_one(exported):
    output, _ = exported
    assert abs(frames.pitch(frames.samples(output, 2.0, 0.5)) - tone_hz(TASKS[0])) < 5
    assert abs(frames.pitch(frames.samples(output, 7.0, 0.5)) - tone_hz(TASKS[1])) < 5
    assert frames.loudness(frames.samples(output, 11.0, 2.5)) == 0  # shot 3, muted
    assert frames.loudness(frames.samples(output, 14.1, 1.8)) == 0  # the end card
    # The sound crossfades with the picture: half way through the first join, both tones are there, softer.
    join = frames.samples(output, 4.7, 0.1)
    assert 0.3 < frames.loudness(join) / frames.loudness(frames.samples(output, 2.0, 0.5)) < 1.0


def test_it_reports_progress_from_0_to_1_never_going_back(exported):
    _, heard = exported
    assert heard[0] == 0 and heard[-1] == 1
    assert heard == sorted(heard) and len(set(heard)) == len(heard)
    assert any(0 < fraction < 1 for fraction in heard)


def test_it_letterboxes_a_wide_shot_in_a_tall_scene_and_ends_on_a_line_of_text(clips, tmp_path):
    card = EndCard(1, text="Spring sale 春季特卖 starts Monday", colour="#F4F1E8")
    plan = Plan(shots=(Shot(clips[0], 0, 1),), end_card=card, resolution="720p", aspect_ratio="9:16")
    output = tmp_path / "tall.mp4"
    scene_export.export(plan, output)
    assert (probe(output)["width"], probe(output)["height"]) == (720, 1280)
    frame = frames.frame_at(output, 0.5)
    # The 16:9 picture keeps its shape: full width, 405 pixels high, black above and below.
    box = frame.convert("L").point(lambda value: 255 if value > 12 else 0).getbbox()
    assert box is not None
    left, top, right, bottom = box
    assert (left, right) == (0, 720) and abs(bottom - top - 405) <= 2 and abs(top - (1280 - 405) / 2) <= 2
    picture = frame.crop(box)
    # Its edge rows blend into the black bands, hence the looser bound.
    assert frames.difference(picture, frames.frame_number(clips[0], read_stamp(picture))) < SAME_PICTURE
    text_card = scene_export.end_card_picture(card, (720, 1280))
    assert frames.difference(frames.last_frame(output), text_card) < SAME_PICTURE
    # There is text on it, dark on the light colour.
    assert text_card.convert("L").getextrema()[0] < 60


def test_it_stops_when_cancelled_and_leaves_no_file(clips, logo, tmp_path):
    output = tmp_path / "cancelled.mp4"
    heard: list[float] = []
    priorities: list[int] = []

    def cancelled() -> bool:
        priorities.extend(ffmpeg_niceness().values())
        return bool(heard) and heard[-1] > 0

    with pytest.raises(ExportCancelled):
        scene_export.export(acceptance_plan(clips, logo), output, progress=heard.append, cancelled=cancelled)
    assert list(tmp_path.iterdir()) == []
    assert ffmpeg_niceness() == {}  # ffmpeg was stopped, not left running
    assert priorities and all(niceness >= os.nice(0) + scene_export.NICENESS for niceness in priorities)


# A worker process exporting: it says when ffmpeg is under way, then goes on until it is killed.
WORKER = """
import sys
from pathlib import Path
from veoui.studio import scene_export as export
shots = tuple(export.Shot(Path(path), 0, 8) for path in sys.argv[2:])
plan = export.Plan(shots=shots, joins=(0.5,) * (len(shots) - 1), resolution="1080p")
export.export(plan, Path(sys.argv[1]), progress=lambda done: print(done, flush=True), threads=1)
"""


def test_a_killed_worker_takes_its_ffmpeg_along_and_the_next_run_finishes_once(clips, tmp_path):
    output = tmp_path / "scene.mp4"
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(output), *map(str, clips)],
        stdout=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[2],
        text=True,
    )
    assert worker.stdout is not None
    with worker.stdout:
        assert float(worker.stdout.readline()) == 0
        assert 0 < float(worker.stdout.readline()) < 1
        started = ffmpeg_niceness(worker.pid)
        worker.kill()
        worker.wait()
    assert len(started) == 1
    wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in started), 10, "ffmpeg still running")
    assert not output.exists()
    # Run again, as the recovery sweep would: what the killed run left is cleared, the file made once.
    scene_export.export(Plan(shots=(Shot(clips[0], 0, 2),), resolution="720p"), output)
    assert [path.name for path in tmp_path.iterdir()] == ["scene.mp4"]
    assert abs(probe(output)["duration"] - 2) < 0.1


def test_it_caps_ffmpeg_threads(clips):
    plan = Plan(shots=(Shot(clips[0], 0, 1),))
    command = scene_export.command(plan, [True], None, Path("out.mp4"), threads=3)
    assert all(command[at + 1] == "3" for at, part in enumerate(command) if part == "-threads")
    assert command.count("-threads") == 2  # the clip's decoder and the encoder
    assert command[command.index("-filter_complex_threads") + 1] == "3"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"shots": ()}, "at least one shot"),
        ({"end": 9.0}, "ends at 9 s, but its clip is 8 s long"),
        ({"start": 5.0, "end": 5.0}, "must start before it ends"),
        ({"joins": (2.5,)}, "at most 2 s"),
        ({"joins": ()}, "needs a join"),
        ({"start": 7.5}, "too short for its crossfades"),
        ({"card": EndCard(6, text="Brand")}, "1 to 5 seconds"),
        ({"card": EndCard(2)}, "a picture or a line of text"),
        ({"card": EndCard(2, text="Brand", colour="ochre-ish")}, "not a colour"),
        ({"resolution": "8k"}, "size must be one of"),
        ({"missing": True}, "video file is missing"),
    ],
)
def test_it_says_what_to_change_in_a_plan_it_cannot_export(clips, tmp_path, change, message):
    first = clips[0] if not change.get("missing") else tmp_path / "gone.mp4"
    shots = (Shot(first, change.get("start", 0.0), change.get("end", 8.0)), Shot(clips[1], 0, 4))
    plan = Plan(
        shots=change.get("shots", shots),
        joins=change.get("joins", (1.0,)),
        end_card=change.get("card"),
        resolution=change.get("resolution", "720p"),
    )
    with pytest.raises(PlanError, match=message):
        scene_export.export(plan, tmp_path / "scene.mp4")
    assert list(tmp_path.iterdir()) == []


def ffmpeg_niceness(parent: int | None = None) -> dict[int, int]:
    """Process id and niceness of every ffmpeg that ``parent`` (by default this process) started and that runs."""
    found = {}
    for task in Path(f"/proc/{parent or os.getpid()}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                stat = Path(f"/proc/{child}/stat").read_text()
            except FileNotFoundError:
                continue
            if "(ffmpeg" in stat:
                # Field 19 is the niceness; the name in parentheses may hold spaces, so count after it.
                found[int(child)] = int(stat.rsplit(")", 1)[1].split()[16])
    return found
