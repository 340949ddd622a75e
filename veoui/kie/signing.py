"""kie.ai's optional callback signature.

``X-Webhook-Signature`` is base64(HMAC-SHA256(key, f"{task_id}.{timestamp}")) with ``X-Webhook-Timestamp`` in
Unix seconds. It covers the task id and the time, not the body, which is one reason veoui treats a callback
only as a hint and confirms the outcome with record-info.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import time

_TIMESTAMP = re.compile(r"[0-9]{1,12}")


def _digest(key: str, task_id: str, timestamp: str) -> bytes:
    return hmac.new(key.encode(), f"{task_id}.{timestamp}".encode(), hashlib.sha256).digest()


def sign(key: str, task_id: str, timestamp: str) -> str:
    """The signature kie.ai sends for this task and timestamp (the simulator signs with it)."""
    return base64.b64encode(_digest(key, task_id, timestamp)).decode("ascii")


def verify_signature(
    key: str,
    task_id: str,
    timestamp: str,
    signature: str,
    now: float | None = None,
    window_seconds: float = 300,
) -> bool:
    """Whether the headers are genuine and fresh. Never raises: bad input is simply not genuine."""
    if not all(isinstance(value, str) and value for value in (key, task_id, timestamp, signature)):
        return False
    if not _TIMESTAMP.fullmatch(timestamp):
        return False
    current = time.time() if now is None else now
    try:
        # Reject replays of an old callback and timestamps from the future alike ("not <=" also rejects NaN).
        if not abs(current - int(timestamp)) <= window_seconds:
            return False
        given = base64.b64decode(signature.strip(), validate=True)
        expected = _digest(key, task_id, timestamp)
    except (binascii.Error, TypeError, ValueError):  # UnicodeEncodeError is a ValueError
        return False
    return hmac.compare_digest(expected, given)
