"""Every API, upload and file request the simulator received, for ``GET /_sim/requests``.

Tests read it to prove what the client really sent. The Authorization header is never kept: only whether it
held the right key.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from email.message import Message

from veoui.kie.simulator.contract import UPLOAD_STREAM
from veoui.kie.simulator.wire import BadBody, FormField, Request, Response

# Enough for any test and for a long demo session, without growing forever.
MAX_ENTRIES = 5000
_LONG_TEXT = 200


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: deque[dict] = deque(maxlen=MAX_ENTRIES)
        self._count = 0

    def begin(
        self,
        *,
        method: str,
        path: str,
        query: dict[str, str],
        endpoint: str,
        headers: Message,
        auth_valid: bool | None,
        fault: str | None,
    ) -> dict:
        with self._lock:
            self._count += 1
            entry = {
                "id": self._count,
                "time": time.time(),
                "method": method,
                "path": path,
                "query": query,
                "endpoint": endpoint,
                "headers": _without_authorization(headers),
                "auth_valid": auth_valid,
                "body": None,
                "fault": fault,
                "answer": None,
            }
            self._entries.append(entry)
            return entry

    def note_body(self, entry: dict, request: Request, endpoint: str) -> None:
        described = describe_body(request, endpoint)
        with self._lock:
            entry["body"] = described

    def note_answer(self, entry: dict, response: Response | None) -> None:
        """``None``: no answer was sent (a hang or a dropped connection)."""
        with self._lock:
            entry["answer"] = None if response is None else {"status": response.status, "code": response.code}

    def entries(self, endpoint: str | None = None) -> list[dict]:
        with self._lock:
            return [dict(entry) for entry in self._entries if endpoint in (None, entry["endpoint"])]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _without_authorization(headers: Message) -> dict[str, str]:
    return {name: value for name, value in headers.items() if name.lower() != "authorization"}


def describe_body(request: Request, endpoint: str) -> object:
    """The body as data a test can assert on; file contents and base64 payloads shrink to their size."""
    if not request.body:
        return None
    if endpoint == UPLOAD_STREAM:
        try:
            return {name: _describe_field(field) for name, field in request.form.items()}
        except BadBody:
            return {"unparsed": _shorten(request.body.decode("utf-8", "replace"))}
    try:
        parsed = request.json
    except BadBody:
        return {"unparsed": _shorten(request.body.decode("utf-8", "replace"))}
    return {key: _shorten(value) if key == "base64Data" else value for key, value in parsed.items()}


def _describe_field(field: FormField) -> object:
    if field.filename is None:
        return field.value
    return {"filename": field.filename, "contentType": field.content_type, "size": len(field.data)}


def _shorten(value: object) -> object:
    if isinstance(value, str) and len(value) > _LONG_TEXT:
        return f"{value[:_LONG_TEXT]}... ({len(value)} characters)"
    return value
