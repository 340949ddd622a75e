"""The files the simulator serves (results, posters, uploads) and how it fetches input images.

URL layout under ``<base>/files/``, after kie.ai's own hosts:

- ``v/<task>_<time>.mp4`` and ``.jpg``: a task's video and poster (``_origin.mp4``, ``_full.mp4`` beside)
- ``p/<id>_<time>.mp4``: a 1080P version; ``k/<task>_<time>.mp4`` and ``.jpg``: a 4K version
- ``kieai/183531/<uploadPath>/<fileName>``: an uploaded file
- ``d/<token>/<name>``: a fresh link minted by download-url, to any of the above
"""

from __future__ import annotations

import re
import secrets
import shutil
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from veoui.kie.simulator.wire import Request, Response, html_response

RESULT_FOLDERS = ("v/", "p/", "k/")
UPLOAD_FOLDER = "kieai/183531"
FRESH_FOLDER = "d/"
FRESH_LINK_SECONDS = 20 * 60
FETCH_TIMEOUT_SECONDS = 10
CHUNK = 256 * 1024

_CONTENT_TYPES = {
    ".mp4": "video/mp4",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
}
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


class FetchError(Exception):
    """An input file could not be fetched (kie.ai then fails the task)."""


class FileStore:
    def __init__(self, root: Path, base_url: str, local_bases: list[str]) -> None:
        self.root = root
        self.base_url = base_url.rstrip("/")
        # URLs under any of these bases are ours: read from disk, never fetched over HTTP.
        self._local_bases = {base.rstrip("/") for base in [base_url, *local_bases]}
        self._fresh: dict[str, str] = {}
        self._lock = threading.Lock()
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, rel: str) -> Path:
        """Where the file named ``rel`` lives, with its folder created."""
        target = self.root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def url(self, rel: str) -> str:
        return f"{self.base_url}/files/{quote(rel)}"

    def rel_for_url(self, url: str) -> str | None:
        """The stored file a URL of ours names, through fresh links too; None for anything else."""
        parts = urlsplit(url)
        base = f"{parts.scheme}://{parts.netloc}"
        if base not in self._local_bases or not parts.path.startswith("/files/"):
            return None
        return self.target_of(unquote(parts.path.removeprefix("/files/")))

    def target_of(self, rel: str) -> str | None:
        if rel.startswith(FRESH_FOLDER):
            token = rel.removeprefix(FRESH_FOLDER).split("/", 1)[0]
            with self._lock:
                return self._fresh.get(token)
        return rel

    def existing(self, rel: str | None) -> Path | None:
        if rel is None:
            return None
        target = (self.root / rel).resolve()
        if not target.is_relative_to(self.root.resolve()) or not target.is_file():
            return None
        return target

    def fresh_url(self, url: str) -> str | None:
        rel = self.rel_for_url(url)
        if self.existing(rel) is None:
            return None
        token = secrets.token_hex(12)
        with self._lock:
            self._fresh[token] = rel
        expires = int(time.time()) + FRESH_LINK_SECONDS
        return f"{self.url(f'{FRESH_FOLDER}{token}/{Path(rel).name}')}?expires={expires}"

    def read_url(self, url: str, limit: int) -> bytes:
        """The bytes at ``url``: ours from disk, anything else over HTTP."""
        rel = self.rel_for_url(url)
        if rel is not None:
            local = self.existing(rel)
            if local is None:
                raise FetchError(f"no such file: {url}")
            return local.read_bytes()
        if urlsplit(url).scheme not in ("http", "https"):
            raise FetchError(f"not an http(s) URL: {url}")
        request = urllib.request.Request(url, headers={"User-Agent": "kie-simulator/1.0"})  # noqa: S310 (checked)
        try:
            with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as answer:  # noqa: S310
                data = answer.read(limit + 1)
        except (OSError, ValueError, urllib.error.URLError) as error:
            raise FetchError(f"{url}: {error}") from error
        if len(data) > limit:
            raise FetchError(f"{url}: larger than {limit} bytes")
        return data

    def clear(self) -> None:
        with self._lock:
            self._fresh.clear()
        shutil.rmtree(self.root, ignore_errors=True)
        self.root.mkdir(parents=True, exist_ok=True)


def is_result(rel: str) -> bool:
    return rel.startswith(RESULT_FOLDERS)


def file_response(store: FileStore, request: Request, unavailable_status: int | bool) -> Response:
    """A file, whole or the one byte range asked for; expired results answer like kie.ai's CDN."""
    requested = unquote(request.path.removeprefix("/files/"))
    # Fresh links (d/...) stay valid: download-url is how a client recovers from an expired link.
    if is_result(requested) and unavailable_status:
        return html_response(int(unavailable_status), "This file is no longer available")
    target = store.existing(store.target_of(requested))
    if target is None:
        return html_response(404, "Not Found")
    size = target.stat().st_size
    content_type = _CONTENT_TYPES.get(target.suffix.lower(), "application/octet-stream")
    headers = {"Accept-Ranges": "bytes"}
    wanted = _byte_range(request.headers.get("Range"), size)
    if wanted is None:
        return Response(200, content_type=content_type, headers=headers, file=target, start=0, end=size - 1)
    if wanted == "unsatisfiable":
        headers["Content-Range"] = f"bytes */{size}"
        return Response(416, content_type=content_type, headers=headers)
    start, end = wanted
    headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    return Response(206, content_type=content_type, headers=headers, file=target, start=start, end=end)


def _byte_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """One ``bytes=`` range as (start, end) inclusive; None to send the whole file (also for multi-ranges)."""
    if not header:
        return None
    match = _RANGE.fullmatch(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":
        length = int(last)
        if length == 0:
            return "unsatisfiable"
        return max(size - length, 0), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        return "unsatisfiable"
    return start, end
