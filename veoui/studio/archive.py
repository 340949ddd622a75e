"""Copy a finished video from kie.ai's temporary storage into veoui's own, streamed and size-capped."""

from __future__ import annotations

import hashlib
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg
import requests
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage

from veoui import __version__

CHUNK = 256 * 1024


class ArchiveError(Exception):
    """The video could not be copied; kie.ai's copy may still be there, so this is retried."""


@dataclass(frozen=True)
class Archived:
    video_name: str
    poster_name: str | None
    sha256: str
    size: int


def archive_video(url: str, name: str) -> Archived:
    max_bytes = settings.VEOUI_VIDEO_MAX_MB * 1024 * 1024
    digest = hashlib.sha256()
    size = 0
    with tempfile.TemporaryDirectory(prefix="veoui-archive-") as folder:
        path = Path(folder) / "video.mp4"
        try:
            # A plain GET of a public file: kie.ai's key is never sent to its file hosts.
            with requests.get(
                url,
                stream=True,
                timeout=(settings.KIE_CONNECT_TIMEOUT, settings.KIE_READ_TIMEOUT),
                headers={"User-Agent": f"veoui/{__version__}"},
            ) as response:
                if response.status_code != 200:
                    raise ArchiveError(f"the video address answered HTTP {response.status_code}")
                with path.open("wb") as handle:
                    for chunk in response.iter_content(CHUNK):
                        size += len(chunk)
                        if size > max_bytes:
                            raise ArchiveError(f"the video is larger than {settings.VEOUI_VIDEO_MAX_MB} MB")
                        digest.update(chunk)
                        handle.write(chunk)
        except requests.RequestException as error:
            raise ArchiveError(f"download failed: {type(error).__name__}") from None
        if size == 0:
            raise ArchiveError("the video address gave an empty file")
        poster = make_poster(path)
        with path.open("rb") as handle:
            video_name = default_storage.save(f"videos/{name}", File(handle))
        poster_name = None
        if poster is not None:
            with poster.open("rb") as handle:
                poster_name = default_storage.save(f"posters/{Path(name).stem}.jpg", File(handle))
    return Archived(video_name, poster_name, digest.hexdigest(), size)


def make_poster(video: Path) -> Path | None:
    """A frame one second in, as a JPEG; a video we can't read still gets archived, just without a poster."""
    poster = video.with_suffix(".jpg")
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-ss", "1", "-i", str(video),
        "-frames:v", "1", "-vf", "scale='min(1280,iw)':-2", "-q:v", "4", str(poster),
    ]  # fmt: skip
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=60)
    except (subprocess.SubprocessError, OSError):
        return None
    return poster if poster.exists() and poster.stat().st_size else None
