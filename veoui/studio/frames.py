"""One frame of a finished video as a PNG picture: its very last frame ("Continue from the last frame"), or the
frame at a given time ("Save this frame").

Decoded by ffmpeg (imageio-ffmpeg's) from veoui's own copy of the video, at the video's own size, losslessly.
"""

from __future__ import annotations

import io
import math
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import imageio_ffmpeg
from django.conf import settings
from django.core.files.storage import default_storage
from PIL import Image

from veoui.kie.simulator.probe import probe
from veoui.studio.models import Generation, Rendition, Status, TrackedWork

FFMPEG_TIMEOUT = 60
MAX_SECONDS = 600.0  # far longer than any clip: a time beyond it is not a time in the video


class NoFrame(Exception):
    """The video's file could not be read (missing, not a video): no picture to give."""


def playable_version(generation: Generation, version: str = "") -> TrackedWork | None:
    """The file a frame is taken from: the version named (one of this video's finished ones), else the video's
    best finished version of the same clip (4K, then 1080P), else the video itself; None without a stored file."""
    finished = generation.renditions.filter(status=Status.SUCCEEDED).exclude(video="")
    if version:
        named = finished.filter(uuid=version).first() if is_uuid(version) else None
        return named
    for kind in (Rendition.Kind.UHD, Rendition.Kind.HD):
        best = finished.filter(kind=kind).order_by("-pk").first()
        if best is not None:
            return best
    if generation.status == Status.SUCCEEDED and generation.video:
        return generation
    return None


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def seconds_from(value: str) -> float:
    """A time the page sent (the player's current time), as seconds from 0; anything else is the first frame."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return 0.0
    if not math.isfinite(seconds) or seconds < 0:
        return 0.0
    return min(seconds, MAX_SECONDS)


@contextmanager
def local_copy(name: str) -> Iterator[Path]:
    """The stored file as a path ffmpeg can seek in: the file itself, or a temporary copy of it."""
    if not name or not default_storage.exists(name):
        raise NoFrame
    try:
        yield Path(default_storage.path(name))
        return
    except NotImplementedError:
        pass
    with tempfile.NamedTemporaryFile(suffix=Path(name).suffix) as copy:
        with default_storage.open(name, "rb") as stored:
            shutil.copyfileobj(stored, copy)
        copy.flush()
        yield Path(copy.name)


def duration_of(path: Path) -> float | None:
    try:
        return probe(path)["duration"]
    except (OSError, subprocess.TimeoutExpired):
        return None


def within_clip(name: str, seconds: float) -> float:
    """``seconds``, or the clip's length when it asks for a later moment (or when the file can't be read: as is)."""
    try:
        with local_copy(name) as path:
            duration = duration_of(path)
    except NoFrame:
        return seconds
    return seconds if duration is None else min(seconds, duration)


def last_frame(name: str) -> bytes:
    """The video's very last frame, as PNG: the last second decoded, each frame written over the one before."""
    with local_copy(name) as path:
        return _extract(["-sseof", "-1", "-i", str(path)], keep_last=True)


def frame_at(name: str, seconds: float) -> tuple[bytes, float]:
    """The first frame at or after ``seconds`` (clamped to the clip), as PNG, and the time actually used."""
    with local_copy(name) as path:
        duration = duration_of(path)
        if duration is not None:
            seconds = min(seconds, duration)
        found = _extract(["-ss", f"{seconds:.3f}", "-i", str(path)], keep_last=False, allow_empty=True)
        if found:
            return found, seconds
        # Past the last frame (the end of the player's bar): that last frame.
        return _extract(["-sseof", "-1", "-i", str(path)], keep_last=True), duration or seconds


def _extract(source: list[str], *, keep_last: bool, allow_empty: bool = False) -> bytes:
    with tempfile.TemporaryDirectory(prefix="veoui-frame-") as folder:
        out = Path(folder) / "frame.png"
        command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-nostdin", "-y", *source, "-an"]
        command += ["-update", "1"] if keep_last else ["-frames:v", "1"]
        command += ["-c:v", "png", "-pix_fmt", "rgb24", "-f", "image2", str(out)]
        try:
            subprocess.run(command, capture_output=True, check=True, timeout=FFMPEG_TIMEOUT)
        except (OSError, subprocess.CalledProcessError, subprocess.TimeoutExpired):
            raise NoFrame from None
        if not out.is_file() or not out.stat().st_size:
            if allow_empty:
                return b""
            raise NoFrame
        return out.read_bytes()


def within_upload_limit(name: str, png: bytes) -> tuple[str, bytes]:
    """The frame as it goes into the studio's form: the PNG itself, or, when it weighs more than a picture may
    (a detailed 4K frame can), the same frame as a JPEG of the highest quality that fits."""
    limit = settings.VEOUI_UPLOAD_MAX_MB * 1024 * 1024
    if len(png) <= limit:
        return name, png
    with Image.open(io.BytesIO(png)) as picture:
        frame = picture.convert("RGB")
    for quality in (95, 90, 85, 75):
        buffer = io.BytesIO()
        frame.save(buffer, "JPEG", quality=quality, subsampling=0 if quality >= 90 else 2)
        if buffer.tell() <= limit:
            break
    return f"{Path(name).stem}.jpg", buffer.getvalue()


def time_label(seconds: float) -> str:
    """00m03.2s: the time of a saved frame, for its file name."""
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes):02}m{rest:04.1f}s"
