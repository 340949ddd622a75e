"""Faults the tests (or a curious admin) inject, per endpoint, through ``POST /_sim/faults``.

A fault applies to the next ``times`` requests to its endpoint (``0``: until cleared). When several faults
wait on one endpoint, the oldest applies first and one request meets at most one fault.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field

from veoui.kie.simulator.contract import (
    ENDPOINTS,
    FILES,
    GENERATION_ENDPOINTS,
    GET_4K,
    GET_1080P,
    UPGRADE_ENDPOINTS,
    message_for,
)

BODY_CODE = "body_code"
HTTP_STATUS = "http_status"
DELAY = "delay"
HANG_BEFORE = "hang_before"
HANG_AFTER = "hang_after"
MALFORMED_JSON = "malformed_json"
DROP = "drop"
TASK_FAILURE = "task_failure"
TRICKLE = "trickle"

KINDS = (BODY_CODE, HTTP_STATUS, DELAY, HANG_BEFORE, HANG_AFTER, MALFORMED_JSON, DROP, TASK_FAILURE, TRICKLE)

# How long a hanging connection is held when the fault names no time: longer than any sane client timeout.
DEFAULT_HANG_SECONDS = 120.0
UPGRADE_FAILURE_CODES = {GET_1080P: 501, GET_4K: 500}


class FaultError(ValueError):
    """A fault description that makes no sense; the admin API answers 400 with it."""


@dataclass
class Fault:
    id: int
    endpoint: str
    kind: str
    times: int
    params: dict = field(default_factory=dict)
    used: int = 0

    @property
    def exhausted(self) -> bool:
        return self.times != 0 and self.used >= self.times

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "endpoint": self.endpoint,
            "kind": self.kind,
            "times": self.times,
            "used": self.used,
            **self.params,
        }


class FaultBook:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)

    def add(self, spec: dict) -> Fault:
        endpoint, kind, times, params = _parse(spec)
        with self._lock:
            fault = Fault(next(self._ids), endpoint, kind, times, params)
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, endpoint: str) -> Fault | None:
        """The fault the next request to ``endpoint`` meets, counted as used."""
        with self._lock:
            for fault in self._faults:
                if fault.endpoint == endpoint and not fault.exhausted:
                    fault.used += 1
                    return fault
        return None

    def listing(self) -> list[dict]:
        with self._lock:
            return [fault.as_dict() for fault in self._faults]


def _parse(spec: dict) -> tuple[str, str, int, dict]:
    if not isinstance(spec, dict):
        raise FaultError("a fault is a JSON object")
    spec = dict(spec)
    endpoint = spec.pop("endpoint", None)
    kind = spec.pop("kind", None)
    times = spec.pop("times", 1)
    if endpoint not in ENDPOINTS:
        raise FaultError(f"endpoint must be one of {', '.join(ENDPOINTS)}")
    if kind not in KINDS:
        raise FaultError(f"kind must be one of {', '.join(KINDS)}")
    if isinstance(times, bool) or not isinstance(times, int) or times < 0:
        raise FaultError("times must be a whole number >= 0 (0: until cleared)")
    return endpoint, kind, times, _params(endpoint, kind, spec)


def _params(endpoint: str, kind: str, given: dict) -> dict:
    reader = _Reader(given)
    if kind == BODY_CODE:
        code = reader.integer("code", required=True)
        params = {"code": code, "msg": reader.text("msg", message_for(code, endpoint))}
    elif kind == HTTP_STATUS:
        status = reader.integer("status", required=True)
        if not 100 <= status <= 599:
            raise FaultError("status must be an HTTP status code")
        params = {
            "status": status,
            "json": reader.boolean("json", True),
            "msg": reader.text("msg", message_for(status, endpoint)),
            "body": reader.text("body", None),
        }
    elif kind == DELAY:
        params = {"seconds": reader.number("seconds", 1.0)}
    elif kind in (HANG_BEFORE, HANG_AFTER):
        params = {"seconds": reader.number("seconds", DEFAULT_HANG_SECONDS)}
    elif kind == TRICKLE:
        if endpoint != FILES:
            raise FaultError("trickle applies to files")
        params = {
            "head_bytes": reader.integer("head_bytes", 1024),
            "every": reader.number("every", 0.2),
            "seconds": reader.number("seconds", DEFAULT_HANG_SECONDS),
        }
    elif kind == MALFORMED_JSON:
        if endpoint == FILES:
            raise FaultError("malformed_json applies to JSON endpoints, not files")
        params = {"after_processing": reader.boolean("after_processing", True)}
    elif kind == DROP:
        params = {"after_processing": reader.boolean("after_processing", False)}
    else:
        params = _task_failure_params(endpoint, reader)
    reader.reject_rest()
    return params


def _task_failure_params(endpoint: str, reader: _Reader) -> dict:
    if endpoint in GENERATION_ENDPOINTS:
        flag = reader.integer("success_flag", default=3)
        if flag not in (2, 3):
            raise FaultError("success_flag must be 2 or 3")
        code = reader.integer("error_code", default=400)
        return {"success_flag": flag, "error_code": code, "error_message": reader.text("error_message", None)}
    if endpoint in UPGRADE_ENDPOINTS:
        code = reader.integer("error_code", default=UPGRADE_FAILURE_CODES[endpoint])
        return {"error_code": code, "error_message": reader.text("error_message", None)}
    raise FaultError("task_failure applies to generate, extend, get-1080p-video and get-4k-video")


class _Reader:
    """Takes typed values out of a fault's parameters, so that leftovers can be refused."""

    def __init__(self, given: dict) -> None:
        self._given = given

    def integer(self, name: str, default: int | None = None, required: bool = False) -> int:
        if required and name not in self._given:
            raise FaultError(f"{name} is required")
        value = self._given.pop(name, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise FaultError(f"{name} must be a whole number")
        return value

    def number(self, name: str, default: float) -> float:
        value = self._given.pop(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise FaultError(f"{name} must be a number >= 0")
        return float(value)

    def boolean(self, name: str, default: bool) -> bool:
        value = self._given.pop(name, default)
        if not isinstance(value, bool):
            raise FaultError(f"{name} must be true or false")
        return value

    def text(self, name: str, default: str | None) -> str | None:
        value = self._given.pop(name, default)
        if value is not None and not isinstance(value, str):
            raise FaultError(f"{name} must be a string")
        return value

    def reject_rest(self) -> None:
        if self._given:
            raise FaultError(f"unknown parameter(s) for this kind: {', '.join(sorted(self._given))}")
