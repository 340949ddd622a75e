"""Typed requests to and results from kie.ai, and the defensive parsing between them and the wire.

kie.ai's field names and types drift (``aspect_ratio``/``aspectRatio``, ``taskId``/``task_id``, URL lists as
arrays or JSON-encoded strings, times as epoch milliseconds or date strings), so every parser here accepts
each documented variant, treats anything else as absent, and never raises anything but a ``KieError``: a
missing key or a wrong type gives a well-formed result, or ``MalformedResponse`` when no sensible result
exists (a success without a task id, a task without a status).

The ``parse_*`` functions take the decoded JSON body, so the tests feed them the fixtures directly and the
client feeds them what came over HTTP.

Decisions, from kie-api.md:
- ``GenerateRequest.to_payload`` omits ``imageUrls`` when there are no images (the contract says TEXT_2_VIDEO
  takes none), omits ``seeds``, ``watermark`` and ``callBackUrl`` when not given (an empty string counts as
  not given), always sends ``generationType`` and ``enableTranslation``, and spells ``aspect_ratio`` with an
  underscore. It never sends ``enableFallback`` (deprecated) or ``resolution`` (upgrades do that).
- Legacy date strings without a zone (``"2025-06-06 10:30:00"``) are read as UTC; a bare number below
  10^11 is epoch seconds, above it epoch milliseconds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from veoui.kie.errors import CODE_RANGE, FailureInfo, describe_task_failure, error_for_code, malformed, scrub

# The extend endpoint names the models differently from generate (kie-api.md section 5).
EXTEND_MODEL_NAMES = {"veo3": "quality", "veo3_fast": "fast", "veo3_lite": "lite"}

TaskStatus = Literal["pending", "succeeded", "failed"]
FourKState = Literal["started", "processing", "done"]

# successFlag: 0 generating, 1 success, 2 failed before completion, 3 created but generation failed.
_STATUS_BY_FLAG: dict[int, TaskStatus] = {0: "pending", 1: "succeeded", 2: "failed", 3: "failed"}


# --- requests ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GenerateRequest:
    prompt: str
    model: str
    generation_type: str
    aspect_ratio: str
    image_urls: tuple[str, ...] = ()
    seed: int | None = None
    watermark: str | None = None
    enable_translation: bool = True
    callback_url: str | None = None

    def __post_init__(self) -> None:
        # Accept a list from callers but keep the object immutable.
        object.__setattr__(self, "image_urls", tuple(self.image_urls))

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "prompt": self.prompt,
            "model": self.model,
            "generationType": self.generation_type,
            "aspect_ratio": self.aspect_ratio,
            "enableTranslation": bool(self.enable_translation),
        }
        if self.image_urls:
            payload["imageUrls"] = list(self.image_urls)
        if self.seed is not None:
            payload["seeds"] = int(self.seed)
        if self.watermark:
            payload["watermark"] = self.watermark
        if self.callback_url:
            payload["callBackUrl"] = self.callback_url
        return payload


def extend_model_name(model: str) -> str:
    """The extend endpoint's name (``fast``/``quality``/``lite``) for a generate model name or itself."""
    if model in EXTEND_MODEL_NAMES:
        return EXTEND_MODEL_NAMES[model]
    if model in EXTEND_MODEL_NAMES.values():
        return model
    raise ValueError(f"unknown model for extend: {model!r}")


@dataclass(frozen=True)
class ExtendRequest:
    task_id: str
    prompt: str
    model: str
    seed: int | None = None
    watermark: str | None = None
    callback_url: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "model", extend_model_name(self.model))

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"taskId": self.task_id, "prompt": self.prompt, "model": self.model}
        if self.seed is not None:
            payload["seeds"] = int(self.seed)
        if self.watermark:
            payload["watermark"] = self.watermark
        if self.callback_url:
            payload["callBackUrl"] = self.callback_url
        return payload


# --- results ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskRecord:
    """record-info's view of a task. ``status`` comes from ``successFlag`` only, never from ``msg``."""

    task_id: str
    status: TaskStatus
    success_flag: int
    result_urls: tuple[str, ...] = ()
    full_result_urls: tuple[str, ...] = ()
    resolution: str | None = None
    has_audio: tuple[bool, ...] | None = None
    seeds: tuple[int, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)
    error_code: int | None = None
    error_message: str | None = None

    @property
    def is_terminal(self) -> bool:
        return self.status != "pending"

    @property
    def video_url(self) -> str | None:
        """The video to archive: the stitched one after an extend, else the first result."""
        urls = self.full_result_urls or self.result_urls
        return urls[0] if urls else None

    @property
    def failure(self) -> FailureInfo | None:
        if self.status != "failed":
            return None
        return describe_task_failure(self.error_code, self.error_message)


@dataclass(frozen=True)
class Upgrade1080p:
    ready: bool
    result_url: str | None = None


@dataclass(frozen=True)
class Upgrade4k:
    state: FourKState
    result_urls: tuple[str, ...] = ()
    task_id: str | None = None


@dataclass(frozen=True)
class UploadedFile:
    download_url: str


@dataclass(frozen=True)
class Callback:
    """A callback's claim about a task. A hint only: veoui confirms it with record-info."""

    task_id: str
    code: int


# --- small defensive readers ------------------------------------------------------------------------------


# ASCII digits only: str.isdigit() also accepts characters such as "²" that int() and float() reject.
_INTEGER = re.compile(r"-?[0-9]{1,30}")


def _int(value: object) -> int | None:
    """An int from an int, an integral float/Decimal or a digit string; ``None`` for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        try:
            return int(value) if value == int(value) else None
        except (OverflowError, ValueError, InvalidOperation):
            return None
    if isinstance(value, str):
        text = value.strip()
        if _INTEGER.fullmatch(text):
            return int(text)
    return None


def _str(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def loads(text: str | bytes) -> Any:
    """``json.loads``, with every way a hostile text can break it (nesting thousands deep too) a ``ValueError``."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def _message(value: object) -> str | None:
    """kie.ai's words about a failure, with anything shaped like a credential taken out (the client also takes
    out its own key): they are stored and shown to admins."""
    text = _str(value)
    return scrub(text) if text else None


def _dict(value: object) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def _json_dict(value: object) -> dict[str, Any]:
    """``paramJson``/``promptJson``: a JSON string or an object."""
    if isinstance(value, str):
        try:
            value = loads(value)
        except ValueError:
            return {}
    return _dict(value)


def _list(value: object) -> list[Any]:
    """A list that may arrive JSON-encoded in a string."""
    if isinstance(value, str):
        text = value.strip()
        if not text.startswith("["):
            return [text] if text else []
        try:
            value = loads(text)
        except ValueError:
            return []
    return list(value) if isinstance(value, list | tuple) else []


def _strings(value: object) -> tuple[str, ...]:
    """Non-empty strings from a list (or JSON-encoded list); anything else in it is dropped."""
    return tuple(item.strip() for item in _list(value) if isinstance(item, str) and item.strip())


# What veoui's columns hold. A value beyond them is no value: storing it would crash the step that saves it.
MAX_URL_LENGTH = 2000
MAX_RESOLUTION_LENGTH = 10
MAX_SEED = 2**31 - 1


def _url(value: object) -> str | None:
    url = _str(value)
    return url if url is not None and len(url) <= MAX_URL_LENGTH else None


def _urls(value: object) -> tuple[str, ...]:
    return tuple(url for url in _strings(value) if len(url) <= MAX_URL_LENGTH)


def _resolution(value: object) -> str | None:
    text = _str(value)
    return text if text is not None and len(text) <= MAX_RESOLUTION_LENGTH else None


def _ints(value: object) -> tuple[int, ...]:
    items = _list(value) if not isinstance(value, int | float) else [value]
    return tuple(number for item in items if (number := _int(item)) is not None)


def _code(value: object) -> int | None:
    code = _int(value)
    return code if code is not None and code in CODE_RANGE else None


def _seeds(value: object) -> tuple[int, ...]:
    return tuple(seed for seed in _ints(value) if 0 <= seed <= MAX_SEED)


def _bools(value: object) -> tuple[bool, ...] | None:
    items = _list(value) if value is not None else None
    if not items:
        return None
    flags = tuple(item for item in items if isinstance(item, bool))
    return flags if len(flags) == len(items) else None


MAX_TASK_ID_LENGTH = 64  # kie.ai's are 32 characters; veoui's column holds 64


def _task_id(data: Mapping[str, Any]) -> str | None:
    """The task id, when it looks like one: an id that wouldn't fit veoui's column is no id at all."""
    task_id = _str(data.get("taskId")) or _str(data.get("task_id"))
    if task_id is None or len(task_id) > MAX_TASK_ID_LENGTH or not task_id.isprintable():
        return None
    return task_id


def _envelope(endpoint: str, body: object) -> tuple[int, str, Any]:
    """``(code, msg, data)`` of kie.ai's envelope, or ``MalformedResponse`` when it isn't one."""
    if not isinstance(body, Mapping):
        raise malformed(endpoint, f"expected a JSON object, got {type(body).__name__}")
    code = _int(body.get("code"))
    if code is None:
        raise malformed(endpoint, "the answer has no code")
    msg = body.get("msg")
    return code, msg if isinstance(msg, str) else "", body.get("data")


def _ok_data(endpoint: str, body: object) -> Any:
    """The ``data`` of a successful envelope; the mapped error for any other code."""
    code, msg, data = _envelope(endpoint, body)
    if code != 200:
        raise error_for_code(endpoint, code, msg)
    return data


# --- parsers: one per endpoint ----------------------------------------------------------------------------


def _parse_new_task(endpoint: str, body: object) -> str:
    task_id = _task_id(_dict(_ok_data(endpoint, body)))
    if task_id is None:
        # Success without an id: a task may well exist, so this is an unknown outcome, not a refusal.
        raise malformed(endpoint, "success without a task id", code=200)
    return task_id


def parse_generate(body: object) -> str:
    """The new task's id."""
    return _parse_new_task("generate", body)


def parse_extend(body: object) -> str:
    """The extension task's id (poll record-info with it; the stitched video is in ``full_result_urls``)."""
    return _parse_new_task("extend", body)


def parse_record_info(body: object, expected_task_id: str | None = None) -> TaskRecord:
    endpoint = "record-info"
    data = _ok_data(endpoint, body)
    if not isinstance(data, Mapping):
        raise malformed(endpoint, "success without a record", code=200)
    task_id = _task_id(data) or expected_task_id
    if task_id is None:
        raise malformed(endpoint, "record without a task id", code=200)
    if expected_task_id is not None and task_id != expected_task_id:
        raise malformed(endpoint, f"asked for task {expected_task_id}, got {task_id}", code=200)
    flag = _int(data.get("successFlag"))
    if flag not in _STATUS_BY_FLAG:
        raise malformed(endpoint, f"unknown successFlag {data.get('successFlag')!r}", code=200)
    status = _STATUS_BY_FLAG[flag]
    response = _dict(data.get("response"))
    record = TaskRecord(
        task_id=task_id,
        status=status,
        success_flag=flag,
        result_urls=_urls(response.get("resultUrls")),
        full_result_urls=_urls(response.get("fullResultUrls")),
        resolution=_resolution(response.get("resolution")),
        has_audio=_bools(response.get("hasAudioList")),
        seeds=_seeds(response.get("seeds")),
        params=_json_dict(data.get("paramJson")),
        error_code=_code(data.get("errorCode")),
        error_message=_message(data.get("errorMessage")),
    )
    if status == "succeeded" and record.video_url is None:
        # Reporting success with nothing to archive would lose the video; let the caller poll again.
        raise malformed(endpoint, "success without a video URL", code=200)
    return record


def parse_1080p(body: object) -> Upgrade1080p:
    endpoint = "get-1080p-video"
    code, msg, data = _envelope(endpoint, body)
    if code == 200:
        url = _url(_dict(data).get("resultUrl"))
        return Upgrade1080p(ready=url is not None, result_url=url)
    # "1080P is processing. It should be ready in 1-2 minutes." arrives as body code 400: not an error.
    if "processing" in msg.lower():
        return Upgrade1080p(ready=False)
    raise error_for_code(endpoint, code, msg)


def parse_4k(body: object) -> Upgrade4k:
    endpoint = "get-4k-video"
    code, msg, data = _envelope(endpoint, body)
    data = _dict(data)
    task_id = _task_id(data)
    result_urls = _urls(data.get("resultUrls"))
    # Body code 422 means "still working" or "done" here, told apart by the URLs and the msg.
    if code in (200, 422) and result_urls:
        return Upgrade4k("done", result_urls, task_id)
    if code == 200:
        return Upgrade4k("started", task_id=task_id)
    lowered = msg.lower()
    if code == 422 and "processing" in lowered:
        return Upgrade4k("processing", task_id=task_id)
    if code == 422 and "generated successfully" in lowered:
        raise malformed(endpoint, "4K reported done without a video URL", code=code)
    raise error_for_code(endpoint, code, msg)


def parse_balance(body: object) -> Decimal:
    """The credit balance, exactly as sent (fractional on the wire)."""
    endpoint = "credit"
    data = _ok_data(endpoint, body)
    if isinstance(data, bool) or not isinstance(data, int | float | Decimal | str):
        raise malformed(endpoint, "balance is not a number", code=200)
    try:
        # str() of a float is its shortest round-trip form: 35.95 becomes Decimal("35.95").
        balance = Decimal(str(data).strip())
    except InvalidOperation:
        raise malformed(endpoint, "balance is not a number", code=200) from None
    if not balance.is_finite():
        raise malformed(endpoint, "balance is not a number", code=200)
    return balance


def parse_download_url(body: object) -> str:
    endpoint = "download-url"
    data = _ok_data(endpoint, body)
    url = _url(data) if isinstance(data, str) else _url(_dict(data).get("url") or _dict(data).get("downloadUrl"))
    if url is None:
        raise malformed(endpoint, "success without a URL", code=200)
    return url


def parse_upload(body: object, endpoint: str = "file-upload") -> UploadedFile:
    """Any of the three upload endpoints (their envelope adds ``success``)."""
    code, msg, data = _envelope(endpoint, body)
    if code != 200 or (isinstance(body, Mapping) and body.get("success") is False):
        raise error_for_code(endpoint, code if code != 200 else None, msg)
    data = _dict(data)
    url = _url(data.get("downloadUrl"))
    if url is None:
        raise malformed(endpoint, "upload without a downloadUrl", code=200)
    return UploadedFile(download_url=url)


def parse_callback(body: bytes | str | Mapping[str, Any]) -> Callback:
    """A generation, extend or 4K callback, success or failure, in any of its documented shapes."""
    endpoint = "callback"
    if isinstance(body, bytes | bytearray):
        try:
            body = bytes(body).decode("utf-8")
        except UnicodeDecodeError:
            raise malformed(endpoint, "callback body is not UTF-8") from None
    if isinstance(body, str):
        try:
            body = loads(body)
        except ValueError:
            raise malformed(endpoint, "callback body is not JSON") from None
    code, _msg, data = _envelope(endpoint, body)
    data = _dict(data)
    task_id = _task_id(data)
    if task_id is None:
        raise malformed(endpoint, "callback without a task id", code=code)
    return Callback(task_id=task_id, code=code)


__all__ = [
    "Callback",
    "ExtendRequest",
    "GenerateRequest",
    "TaskRecord",
    "Upgrade1080p",
    "Upgrade4k",
    "UploadedFile",
    "extend_model_name",
    "parse_1080p",
    "parse_4k",
    "parse_balance",
    "parse_callback",
    "parse_download_url",
    "parse_extend",
    "parse_generate",
    "parse_record_info",
    "parse_upload",
]
