"""Decoded pictures and sound of a video file, for tests that check what a video shows and plays.

ffmpeg (from imageio-ffmpeg) decodes straight to a pipe: frames as PNG, sound as raw 16-bit samples.
"""

from __future__ import annotations

import io
import subprocess
from array import array
from pathlib import Path

import imageio_ffmpeg
from PIL import Image, ImageChops, ImageStat

SAMPLE_RATE = 48000


def frame_at(video: Path, seconds: float) -> Image.Image:
    """The first frame at or after ``seconds``."""
    return _one_frame(["-ss", f"{seconds}", "-i", str(video)])


def frame_number(video: Path, number: int) -> Image.Image:
    """Frame ``number`` of the video, counting from 0."""
    return _one_frame(["-i", str(video), "-vf", f"select=eq(n\\,{number})"])


def last_frame(video: Path) -> Image.Image:
    return _one_frame(["-sseof", "-1", "-i", str(video), "-vf", "reverse"])


def _one_frame(args: list[str]) -> Image.Image:
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-nostdin", *args]
    command += ["-frames:v", "1", "-f", "image2pipe", "-c:v", "png", "-"]
    found = subprocess.run(command, capture_output=True, check=True, timeout=60).stdout
    assert found, f"no such frame: {args}"
    return Image.open(io.BytesIO(found)).convert("RGB")


def difference(one: Image.Image, other: Image.Image) -> float:
    """Mean absolute difference of two pictures per channel (0 to 255), ``other`` scaled to ``one``'s size."""
    if other.size != one.size:
        other = other.resize(one.size, Image.Resampling.BILINEAR)
    return sum(ImageStat.Stat(ImageChops.difference(one.convert("RGB"), other.convert("RGB"))).mean) / 3


def samples(video: Path, start: float, seconds: float) -> array:
    """Mono 16-bit samples of the sound from ``start`` for ``seconds``."""
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-nostdin", "-i", str(video)]
    command += ["-af", f"atrim=start={start}:duration={seconds}", "-ac", "1", "-ar", str(SAMPLE_RATE)]
    command += ["-f", "s16le", "-c:a", "pcm_s16le", "-"]
    found = array("h")
    found.frombytes(subprocess.run(command, capture_output=True, check=True, timeout=60).stdout)
    return found


def pitch(sound: array) -> float:
    """The frequency of a steady tone, from how often it crosses zero (0 for silence)."""
    if loudness(sound) < 100:
        return 0.0
    crossings = sum(1 for a, b in zip(sound, sound[1:], strict=False) if (a < 0) != (b < 0))
    return crossings / 2 / (len(sound) / SAMPLE_RATE)


def loudness(sound: array) -> float:
    """Root mean square of the samples (full scale is 32767)."""
    return (sum(value * value for value in sound) / max(1, len(sound))) ** 0.5
