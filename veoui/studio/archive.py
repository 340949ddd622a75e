"""Copy a finished video from kie.ai's temporary storage into veoui's own: checked, streamed, size- and time-capped.

The address comes from kie.ai's answer, so it is not trusted. Redirects are followed here, at most
``MAX_REDIRECTS``, and every hop must lead to a public address (``veoui.common.addresses``); the connection goes
to the address that was checked, not to the name again. What comes back must be a video: a text, HTML or JSON
type is refused at once, and anything else must start like an MP4/QuickTime or a WebM/Matroska file, since file
hosts often say ``application/octet-stream``. The whole download, redirects included, has one deadline.
"""

from __future__ import annotations

import hashlib
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import urljoin, urlsplit

import imageio_ffmpeg
import urllib3
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from veoui import __version__
from veoui.common import addresses
from veoui.kie.errors import scrub
from veoui.kie.transport import Deadline, DeadlinePassed, NoConnection, pinned_get

CHUNK = 256 * 1024
MAX_REDIRECTS = 3
REDIRECTS = {301, 302, 303, 307, 308}
# The start of an ISO media file (MP4, MOV) is a box: 4 bytes of size, then its type.
ISO_BOXES = {b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip"}
EBML = b"\x1a\x45\xdf\xa3"  # WebM and Matroska
SNIFF_BYTES = 16

PRIVATE_LINK = _("kie.ai's link to this video leads into a private network, so veoui didn't download it.")
NOT_A_VIDEO = _("kie.ai's link to this video didn't lead to a video file, so veoui didn't save it.")


class ArchiveError(Exception):
    """The video could not be copied; kie.ai's copy may still be there, so this is retried."""

    def __init__(self, reason: str) -> None:
        # Reasons quote what the file host sent (a type, a host name), and they are logged and stored.
        super().__init__(scrub(reason, settings.KIE_API_KEY)[:300])


class Refused(ArchiveError):
    """veoui won't take what this address gives (a private network, something that isn't a video): the same
    address would give the same answer, so the member is told instead of veoui trying again."""

    def __init__(self, reason: str, message: str | Promise) -> None:
        super().__init__(reason)
        self.message = message


@dataclass(frozen=True)
class Archived:
    video_name: str
    poster_name: str | None
    sha256: str
    size: int


def archive_video(url: str, name: str) -> Archived:
    with tempfile.TemporaryDirectory(prefix="veoui-archive-") as folder:
        path = Path(folder) / "video.mp4"
        with path.open("wb") as handle:
            sha256, size = download(url, handle)
        poster = make_poster(path)
        with path.open("rb") as handle:
            video_name = default_storage.save(f"videos/{name}", File(handle))
        poster_name = None
        if poster is not None:
            with poster.open("rb") as handle:
                poster_name = default_storage.save(f"posters/{Path(name).stem}.jpg", File(handle))
    return Archived(video_name, poster_name, sha256, size)


def download(url: str, handle: IO[bytes]) -> tuple[str, int]:
    """Write the video at ``url`` to ``handle``; its SHA-256 and size."""
    max_bytes = settings.VEOUI_VIDEO_MAX_MB * 1024 * 1024
    digest = hashlib.sha256()
    size = 0
    head = b""
    with Deadline(settings.VEOUI_ARCHIVE_DEADLINE) as deadline:
        try:
            with opened(url) as response:
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise ArchiveError(f"the video is larger than {settings.VEOUI_VIDEO_MAX_MB} MB")
                for chunk in response.stream(CHUNK):
                    if len(head) < SNIFF_BYTES:
                        head += chunk[: SNIFF_BYTES - len(head)]
                        if len(head) == SNIFF_BYTES:
                            refuse_unless_video(head)
                    size += len(chunk)
                    if size > max_bytes:
                        raise ArchiveError(f"the video is larger than {settings.VEOUI_VIDEO_MAX_MB} MB")
                    digest.update(chunk)
                    handle.write(chunk)
                    deadline.check()
                if deadline.passed:
                    raise DeadlinePassed(deadline.seconds)
        except DeadlinePassed:
            raise ArchiveError(f"the download took longer than {deadline.seconds:g} s") from None
        except (urllib3.exceptions.HTTPError, OSError) as error:
            if deadline.passed:
                raise ArchiveError(f"the download took longer than {deadline.seconds:g} s") from None
            raise ArchiveError(f"download failed: {type(error).__name__}") from None
    if size == 0:
        raise ArchiveError("the video address gave an empty file")
    if len(head) < SNIFF_BYTES:
        refuse_unless_video(head)
    return digest.hexdigest(), size


@contextmanager
def opened(url: str) -> Iterator[urllib3.BaseHTTPResponse]:
    """The 200 answer at the end of ``url``'s redirects, each hop checked before it is opened."""
    for _hop in range(MAX_REDIRECTS + 1):
        with open_hop(url) as response:
            if response.status in REDIRECTS:
                location = response.headers.get("Location", "")
                if not location:
                    raise ArchiveError(f"HTTP {response.status} without a Location")
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise ArchiveError(f"the video address answered HTTP {response.status}")
            refuse_text(response.headers.get("Content-Type", ""))
            yield response
            return
    raise ArchiveError(f"more than {MAX_REDIRECTS} redirects")


@contextmanager
def open_hop(url: str) -> Iterator[urllib3.BaseHTTPResponse]:
    """One GET of ``url``, once its host was found public, from the address that was checked."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise Refused(f"not a web address: {parts.scheme or '(none)'}", NOT_A_VIDEO)
    try:
        target = addresses.check(url, allowed=allowed_hosts(), timeout=settings.VEOUI_NAME_LOOKUP_TIMEOUT)
    except addresses.PrivateAddress as error:
        raise Refused(str(error), PRIVATE_LINK) from None
    except addresses.AddressRefused as error:
        raise ArchiveError(f"the video's address: {type(error).__name__} {error}") from None
    # A plain GET of a public file: kie.ai's key is never sent to its file hosts.
    headers = {
        "Host": parts.netloc.rpartition("@")[2],
        "User-Agent": f"veoui/{__version__}",
        "Accept-Encoding": "identity",  # the size cap counts what is stored
    }
    try:
        with pinned_get(parts, target, headers, settings.KIE_CONNECT_TIMEOUT, settings.KIE_READ_TIMEOUT) as response:
            yield response
    except NoConnection:
        raise ArchiveError(f"could not connect to {target.host}") from None


def allowed_hosts() -> list[str]:
    """The hosts veoui talks to as kie.ai: already trusted with its key, so their own files may be fetched even on a
    private network (the simulator in demo mode, a stand-in an admin set up). Any other host must be public."""
    return [addresses.host_of(settings.KIE_API_BASE_URL), addresses.host_of(settings.KIE_UPLOAD_BASE_URL)]


def refuse_text(content_type: str) -> None:
    media_type = content_type.split(";")[0].strip().lower()
    kind, _slash, subtype = media_type.partition("/")
    if (
        kind == "text"
        or subtype in ("json", "xml", "html", "javascript", "xhtml+xml")
        or subtype.endswith(("+json", "+xml"))
    ):
        raise Refused(f"the video address gave {media_type[:60]}, not a video", NOT_A_VIDEO)


def refuse_unless_video(head: bytes) -> None:
    if head[4:8] not in ISO_BOXES and not head.startswith(EBML):
        raise Refused(f"the file does not start like a video: {head[:8]!r}", NOT_A_VIDEO)


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
