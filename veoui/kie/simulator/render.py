"""Real MP4 files for simulated tasks: Pillow draws the cards, ffmpeg (from imageio-ffmpeg) encodes them.

Every clip is 8 seconds of H.264 video with an AAC sine tone (its pitch from the task id), at kie.ai's frame
sizes. Each frame carries a stamp (timecode, frame number and its binary code, a sliding square), so that
trims, joins and last frames made from a clip can be checked. Frame rates are low and the x264 preset is the
fastest, so a 720p clip takes well under two seconds on two cores.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
import threading
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import imageio_ffmpeg

from veoui.kie.simulator.cards import RenderSpec, cards_for, stamp, stamp_box

CLIP_SECONDS = 8.0
FADE_SECONDS = 1.0
# 360p is not one of kie.ai's sizes: it is for tests that need many clips quickly.
LANDSCAPE_SIZES = {"360p": (640, 360), "720p": (1280, 720), "1080p": (1920, 1080), "4k": (3840, 2160)}
# Low rates keep encoding fast; 4K especially, where a frame is 8 million pixels.
FRAME_RATES = {"360p": 10, "720p": 10, "1080p": 8, "4k": 2}
FFMPEG_TIMEOUT_SECONDS = 120
# The index goes first, so that players can start before the whole file has arrived.
FASTSTART = ("-movflags", "+faststart")


class RenderError(Exception):
    """ffmpeg failed; the message carries the end of its output."""


@lru_cache(maxsize=1)
def ffmpeg_exe() -> str:
    return imageio_ffmpeg.get_ffmpeg_exe()


def frame_size(resolution: str, aspect_ratio: str) -> tuple[int, int]:
    width, height = LANDSCAPE_SIZES[resolution]
    return (height, width) if aspect_ratio == "9:16" else (width, height)


def render_clip(spec: RenderSpec, resolution: str, video: Path, poster: Path | None = None) -> None:
    """Write an 8-second MP4 for ``spec`` at ``resolution`` (720p, 1080p or 4k), and its poster JPEG."""
    size = frame_size(resolution, spec.aspect_ratio)
    cards = cards_for(spec, size, resolution)
    with tempfile.TemporaryDirectory(prefix="render-", dir=video.parent) as work:
        stills = []
        for number, card in enumerate(cards):
            still = Path(work) / f"card{number}.png"
            card.save(still, compress_level=1)
            stills.append(still)
        fps = FRAME_RATES[resolution]
        # The stamps go to ffmpeg raw as they are drawn: saving each one as a PNG would double the render time.
        stamps = (stamp(size, fps, frame).tobytes() for frame in range(int(CLIP_SECONDS * fps)))
        partial = Path(work) / "clip.mp4"
        _run(_encode_args(stills, size, fps, tone_hz(spec.task_id), partial), stamps)
        # Moved in whole, so a half-written file is never served.
        os.replace(partial, video)
    if poster is not None:
        cards[0].save(poster, "JPEG", quality=85)


def tone_hz(task_id: str) -> int:
    """The pitch of a task's sound: 300 to 1080 Hz in steps of 20, so clips side by side sound different."""
    return 300 + hashlib.sha256(task_id.encode()).digest()[0] % 40 * 20


def stitch(parts: list[Path], video: Path) -> None:
    """Join clips made by render_clip (same size and codecs) into one, without re-encoding."""
    with tempfile.TemporaryDirectory(prefix="stitch-", dir=video.parent) as work:
        listing = Path(work) / "parts.txt"
        listing.write_text("".join(f"file '{part.resolve()}'\n" for part in parts))
        partial = Path(work) / "joined.mp4"
        _run(["-f", "concat", "-safe", "0", "-i", str(listing), "-c", "copy", *FASTSTART, str(partial)])
        os.replace(partial, video)


def _encode_args(stills: list[Path], size: tuple[int, int], fps: int, tone: int, output: Path) -> list[str]:
    width, height = size
    bar_height = max(4, height // 120)
    # Each still is read once per second and repeated by the fps filter: decoding a PNG per frame is slow.
    shown = CLIP_SECONDS if len(stills) == 1 else (CLIP_SECONDS + FADE_SECONDS) / 2
    args: list[str] = []
    for still in stills:
        args += ["-framerate", "1", "-loop", "1", "-t", f"{shown}", "-i", str(still)]
    bar_input = len(stills)
    stamp_input = bar_input + 1
    tone_input = bar_input + 2
    args += ["-f", "lavfi", "-i", f"color=c=0xE0E6F0:s={width}x{bar_height}:r={fps}:d={CLIP_SECONDS}"]
    left, top, right, bottom = stamp_box(size)
    args += ["-f", "rawvideo", "-pix_fmt", "rgba", "-s", f"{right - left}x{bottom - top}", "-framerate", str(fps)]
    args += ["-i", "pipe:0"]
    args += ["-f", "lavfi", "-i", f"sine=frequency={tone}:sample_rate=44100:duration={CLIP_SECONDS}"]
    graph = [f"[{number}:v]fps={fps},format=yuv420p,setsar=1[still{number}]" for number in range(len(stills))]
    if len(stills) == 2:
        offset = (CLIP_SECONDS - FADE_SECONDS) / 2
        graph.append(f"[still0][still1]xfade=transition=fade:duration={FADE_SECONDS}:offset={offset}[base]")
    else:
        graph.append("[still0]null[base]")
    # A bar creeps along the bottom so that the picture visibly plays.
    graph.append(f"[base][{bar_input}:v]overlay=x='-w+w*t/{CLIP_SECONDS}':y=H-h[barred]")
    graph.append(f"[barred][{stamp_input}:v]overlay=x={left}:y={top},format=yuv420p[video]")
    fade_out = CLIP_SECONDS - 0.5
    graph.append(f"[{tone_input}:a]volume=0.2,afade=t=in:d=0.3,afade=t=out:st={fade_out}:d=0.5[audio]")
    args += ["-filter_complex", ";".join(graph), "-map", "[video]", "-map", "[audio]"]
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-r", str(fps), "-pix_fmt", "yuv420p"]
    args += ["-c:a", "aac", "-b:a", "64k", "-t", f"{CLIP_SECONDS}", *FASTSTART, str(output)]
    return args


def _run(args: list[str], frames: Iterable[bytes] = ()) -> None:
    """Run ffmpeg with ``args``, writing ``frames`` to its standard input (an input read from ``pipe:0``)."""
    command = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *args]
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors)
        # The deadline covers the writing too: a stuck ffmpeg would otherwise block it for ever.
        deadline = threading.Timer(FFMPEG_TIMEOUT_SECONDS, process.kill)
        deadline.start()
        try:
            assert process.stdin is not None
            with process.stdin:
                for frame in frames:
                    process.stdin.write(frame)
        except BrokenPipeError:
            pass  # ffmpeg stopped early; its exit code and output say why
        finally:
            code = process.wait()
            deadline.cancel()
        if code != 0:
            errors.seek(0)
            message = errors.read().decode("utf-8", "replace")[-2000:]
            raise RenderError(message or "ffmpeg took too long")
