"""Waiting for an event instead of for time: a condition polled until it holds, or a clear failure."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_for[T](condition: Callable[[], T], timeout: float, what: str | Callable[[], str]) -> T:
    """The first truthy value of ``condition()`` within ``timeout`` seconds; else AssertionError naming ``what``
    (a callable is asked only then, e.g. for a log's tail)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what() if callable(what) else what}: not within {timeout} s")
        time.sleep(0.05)
