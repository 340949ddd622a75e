"""Serve archived files to logged-in members, with HTTP Range support so the player can seek."""

from __future__ import annotations

import mimetypes
import re
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 256 * 1024


def _chunks(handle, remaining: int):
    try:
        while remaining > 0:
            data = handle.read(min(CHUNK, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data
    finally:
        handle.close()


def serve_file(request: HttpRequest, name: str, download_name: str | None = None) -> HttpResponse:
    if not name or not default_storage.exists(name):
        raise Http404
    size = default_storage.size(name)
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if content_type not in {"video/mp4", "image/jpeg", "image/png", "image/webp", "image/gif"}:
        # Never let a stored file be interpreted as a page or a script.
        content_type = "application/octet-stream"
    match = RANGE.match(request.headers.get("Range", "").strip())
    if settings.MEDIA_ACCEL_REDIRECT and isinstance(default_storage, FileSystemStorage):
        # nginx sends a local file itself, ranges included, from its internal location (veoui/deploy/nginx.conf).
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = quote(f"{settings.MEDIA_ACCEL_REDIRECT.rstrip('/')}/{name}")
    elif match and (match.group(1) or match.group(2)):
        start_text, end_text = match.groups()
        if start_text:
            start = int(start_text)
            end = min(int(end_text), size - 1) if end_text else size - 1
        else:  # a suffix range: the last N bytes
            start = max(0, size - int(end_text))
            end = size - 1
        if start >= size or start > end:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        handle = default_storage.open(name, "rb")
        handle.seek(start)
        response = StreamingHttpResponse(_chunks(handle, end - start + 1), status=206, content_type=content_type)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    else:
        response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
        response["Content-Length"] = str(size)
    response["Accept-Ranges"] = "bytes"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    if download_name:
        response["Content-Disposition"] = f'attachment; filename="{download_name}"'
    return response
