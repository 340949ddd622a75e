"""Callbacks to ``callBackUrl`` when a task ends, signed and retried as kie.ai does.

kie.ai waits for the receiver's answer, retries, and gives up after 3 consecutive failures; it may also call
back more than once for one task (``duplicate_callbacks`` sends extra copies on purpose).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable

from veoui.kie.simulator.config import SimConfig

# Seconds between a callback and each of its duplicates.
DUPLICATE_GAP_SECONDS = 0.1


def sign(key: str, task_id: str, timestamp: str) -> str:
    """X-Webhook-Signature: base64(HMAC-SHA256(key, "<taskId>.<timestamp>")).

    Written here rather than shared with the client's verifier on purpose: two independent implementations
    checked against the same worked example catch a mistake that one shared function would hide.
    """
    digest = hmac.new(key.encode(), f"{task_id}.{timestamp}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


class CallbackSender:
    def __init__(self, settings: Callable[[], SimConfig], is_current: Callable[[int], bool]) -> None:
        self._settings = settings
        # A reset makes older deliveries stop retrying: their tasks are forgotten.
        self._is_current = is_current
        self._lock = threading.Lock()
        self._deliveries: deque[dict] = deque(maxlen=2000)

    def send(self, url: str, task_id: str, payload: dict, epoch: int) -> None:
        thread = threading.Thread(
            target=self._deliver, args=(url, task_id, payload, epoch), name=f"callback-{task_id}", daemon=True
        )
        thread.start()

    def deliveries(self) -> list[dict]:
        with self._lock:
            return [dict(delivery) for delivery in self._deliveries]

    def clear(self) -> None:
        with self._lock:
            self._deliveries.clear()

    def _deliver(self, url: str, task_id: str, payload: dict, epoch: int) -> None:
        config = self._settings()
        body = json.dumps(payload, ensure_ascii=False).encode()
        for copy in range(1 + config.duplicate_callbacks):
            if copy:
                time.sleep(DUPLICATE_GAP_SECONDS)
            for attempt in range(1, config.callback_attempts + 1):
                if not self._is_current(epoch):
                    return
                if self._post(url, task_id, body, config, copy, attempt):
                    break
                if attempt < config.callback_attempts:
                    time.sleep(config.callback_retry_seconds)
            self._finished(task_id, copy)

    def _finished(self, task_id: str, copy: int) -> None:
        """Nothing more comes for this copy (delivered, or given up): its last attempt says so."""
        with self._lock:
            for delivery in reversed(self._deliveries):
                if (delivery["taskId"], delivery["copy"]) == (task_id, copy):
                    delivery["final"] = True
                    return

    def _post(self, url: str, task_id: str, body: bytes, config: SimConfig, copy: int, attempt: int) -> bool:
        headers = {"Content-Type": "application/json", "User-Agent": "kie-simulator-callback/1.0"}
        if config.webhook_hmac_key:
            timestamp = str(int(time.time()))
            headers["X-Webhook-Timestamp"] = timestamp
            headers["X-Webhook-Signature"] = sign(config.webhook_hmac_key, task_id, timestamp)
        # callBackUrl was checked to be http(s) when the task was created.
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
        status: int | None = None
        error: str | None = None
        try:
            with urllib.request.urlopen(request, timeout=config.callback_timeout_seconds) as answer:  # noqa: S310
                status = answer.status
        except urllib.error.HTTPError as failure:
            status = failure.code
        except (OSError, ValueError) as failure:
            error = str(failure) or type(failure).__name__
        delivered = status is not None and 200 <= status < 300
        with self._lock:
            self._deliveries.append(
                {
                    "time": time.time(),
                    "url": url,
                    "taskId": task_id,
                    "copy": copy,
                    "attempt": attempt,
                    "status": status,
                    "error": error,
                    "delivered": delivered,
                    "final": False,
                    "payload": json.loads(body),
                }
            )
        return delivered
