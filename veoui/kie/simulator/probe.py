"""What is inside a video file, read from ``ffmpeg -i`` (imageio-ffmpeg ships no ffprobe).

Used by the tests to check rendered and archived videos; cheap enough for anything else that needs to know.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

import imageio_ffmpeg

_DURATION = re.compile(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)")
_VIDEO = re.compile(r"Stream #.*?: Video: (\w+).*?, (\d+)x(\d+)[ ,\[]")
_AUDIO = re.compile(r"Stream #.*?: Audio: (\w+)")
_FPS = re.compile(r"Stream #.*?: Video: .*?, (\d+(?:\.\d+)?) fps")


def probe(source: str | Path | bytes) -> dict:
    """Duration in seconds, frame size and codecs of a media file given as a path or its bytes.

    Values that ffmpeg does not report (say, no audio stream) are None.
    """
    if isinstance(source, bytes):
        with tempfile.NamedTemporaryFile(suffix=".mp4") as copy:
            copy.write(source)
            copy.flush()
            return _probe_path(Path(copy.name))
    return _probe_path(Path(source))


def _probe_path(path: Path) -> dict:
    if not path.is_file():
        raise FileNotFoundError(path)
    # With no output file ffmpeg exits non-zero after printing what it found: that report is all we need.
    report = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)],
        capture_output=True,
        timeout=30,
        check=False,
    ).stderr.decode("utf-8", "replace")
    duration = _DURATION.search(report)
    video = _VIDEO.search(report)
    audio = _AUDIO.search(report)
    fps = _FPS.search(report)
    return {
        "duration": _seconds(*duration.groups()) if duration else None,
        "width": int(video.group(2)) if video else None,
        "height": int(video.group(3)) if video else None,
        "video_codec": video.group(1) if video else None,
        "audio_codec": audio.group(1) if audio else None,
        "fps": float(fps.group(1)) if fps else None,
    }


def _seconds(hours: str, minutes: str, seconds: str) -> float:
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)
