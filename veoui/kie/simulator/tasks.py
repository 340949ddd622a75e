"""A simulated Veo task and upgrade, and the JSON kie.ai shows of them.

Shapes follow the real record-info capture: ``response`` is null until success, times are epoch
milliseconds, and ``paramJson`` is a JSON string with sorted keys, as kie.ai sends it.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from veoui.kie.simulator.cards import RenderSpec
from veoui.kie.simulator.contract import CALLBACK_4K_SUCCESS, CALLBACK_SUCCESS

PENDING = 0
SUCCESS = 1

GENERATE = "generate"
EXTEND = "extend"
RESOLUTION_1080P = "1080p"
RESOLUTION_4K = "4k"

Urls = Callable[[str], str]


def now_ms() -> int:
    return int(time.time() * 1000)


def param_json(fields: dict) -> str:
    return json.dumps(
        {key: value for key, value in fields.items() if value is not None},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


@dataclass(frozen=True)
class Outcome:
    """How a task or upgrade failed: successFlag (2 or 3), errorCode and errorMessage."""

    flag: int
    code: int
    message: str


@dataclass(frozen=True)
class Order:
    """A validated generate or extend request."""

    kind: str
    prompt: str
    model: str  # generate's names (veo3, veo3_fast, veo3_lite), also for extend
    generation_type: str
    aspect_ratio: str  # as asked: 16:9, 9:16 or Auto
    image_urls: tuple[str, ...] = ()
    seed: int | None = None
    watermark: str | None = None
    callback_url: str | None = None
    echo: dict = field(default_factory=dict)  # what paramJson repeats back
    source_task_id: str | None = None


@dataclass
class Rendered:
    """Files of a finished render, as paths relative to the file store."""

    spec: RenderSpec
    video: str
    poster: str
    origin: str | None = None
    full: str | None = None


@dataclass
class Task:
    task_id: str
    order: Order
    price: float
    seed: int
    epoch: int
    ready_at: float  # time.monotonic() when the task may end
    create_ms: int = field(default_factory=now_ms)
    injected: Outcome | None = None
    rendered: Rendered | None = None
    render_failure: Outcome | None = None
    render_done: threading.Event = field(default_factory=threading.Event)
    flag: int = PENDING
    failure: Outcome | None = None
    complete_ms: int | None = None
    upgraded_1080p: bool = False

    @property
    def param_json(self) -> str:
        return param_json(self.order.echo)

    def record(self, urls: Urls) -> dict:
        """``data`` of record-info, keys in the captured order."""
        return {
            "taskId": self.task_id,
            "paramJson": self.param_json,
            "response": self._response(urls) if self.flag == SUCCESS else None,
            "successFlag": self.flag,
            "fallbackFlag": False,
            "completeTime": self.complete_ms,
            "createTime": self.create_ms,
            "errorCode": self.failure.code if self.failure else None,
            "errorMessage": self.failure.message if self.failure else None,
        }

    def result_urls(self, urls: Urls) -> dict:
        rendered = self.rendered
        assert rendered is not None
        return {
            "originUrls": [urls(rendered.origin)] if rendered.origin else None,
            "resultUrls": [urls(rendered.video)],
            "fullResultUrls": [urls(rendered.full)] if rendered.full else None,
        }

    def _response(self, urls: Urls) -> dict:
        found = self.result_urls(urls)
        return {
            "taskId": self.task_id,
            "resolution": "720p",
            "originUrls": found["originUrls"],
            "resultUrls": found["resultUrls"],
            "fullResultUrls": found["fullResultUrls"],
            "hasAudioList": [True],
            "seeds": [self.seed],
        }

    def callback(self, urls: Urls) -> dict:
        if self.failure is not None:
            return {
                "code": self.failure.code,
                "msg": self.failure.message,
                "data": {"taskId": self.task_id, "fallbackFlag": False},
            }
        found = self.result_urls(urls)
        info = {"resultUrls": found["resultUrls"], "originUrls": found["originUrls"], "resolution": "720p"}
        if found["fullResultUrls"]:
            info["fullResultUrls"] = found["fullResultUrls"]
        return {
            "code": 200,
            "msg": CALLBACK_SUCCESS,
            "data": {
                "taskId": self.task_id,
                "promptJson": self.param_json,
                "info": info,
                "fallbackFlag": False,
            },
        }

    def _seconds_left(self) -> float:
        return max(0.0, round(self.ready_at - time.monotonic(), 3)) if self.flag == PENDING else 0.0

    def view(self, urls: Urls, upgrades: list[Upgrade]) -> dict:
        """What ``GET /_sim/tasks`` shows: the record plus the simulator's own bookkeeping."""
        return {
            "taskId": self.task_id,
            "kind": self.order.kind,
            "state": _state_name(self.flag),
            "prompt": self.order.prompt,
            "model": self.order.model,
            "generationType": self.order.generation_type,
            "aspectRatio": self.rendered.spec.aspect_ratio if self.rendered else self.order.aspect_ratio,
            "imageUrls": list(self.order.image_urls),
            "callBackUrl": self.order.callback_url,
            "sourceTaskId": self.order.source_task_id,
            "price": self.price,
            "secondsLeft": self._seconds_left(),
            "rendered": self.render_done.is_set(),
            "posterUrl": urls(self.rendered.poster) if self.rendered else None,
            "upgradedTo1080p": self.upgraded_1080p,
            "record": self.record(urls),
            "upgrades": [upgrade.view(urls) for upgrade in upgrades],
        }


@dataclass
class Upgrade:
    """A 1080P or 4K version of one result of a task."""

    task_id: str
    resolution: str
    index: int
    price: float
    epoch: int
    ready_at: float
    callback_url: str | None = None
    injected: Outcome | None = None
    render_failure: Outcome | None = None
    render_done: threading.Event = field(default_factory=threading.Event)
    video: str | None = None
    image: str | None = None
    state: str = "processing"
    failure: Outcome | None = None

    @property
    def processing(self) -> bool:
        return self.state == "processing"

    def callback(self, urls: Urls, snake: bool) -> dict:
        """The 4K callback, in one of its two documented shapes."""
        if self.failure is not None:
            return {"code": self.failure.code, "msg": self.failure.message, "data": {"taskId": self.task_id}}
        assert self.video is not None and self.image is not None
        if snake:
            data = {
                "task_id": self.task_id,
                "result_urls": [urls(self.video)],
                "media_ids": [f"sim-{self.task_id}-{self.index}-upsampled"],
                "image_urls": [urls(self.image)],
            }
        else:
            data = {
                "taskId": self.task_id,
                "creditsConsumed": self.price,
                "info": {"resultUrls": [urls(self.video)], "imageUrls": [urls(self.image)]},
            }
        return {"code": 200, "msg": CALLBACK_4K_SUCCESS, "data": data}

    def view(self, urls: Urls) -> dict:
        return {
            "resolution": self.resolution,
            "index": self.index,
            "state": self.state,
            "resultUrl": urls(self.video) if self.video and self.state == "success" else None,
            "imageUrl": urls(self.image) if self.image and self.state == "success" else None,
            "callBackUrl": self.callback_url,
            "errorCode": self.failure.code if self.failure else None,
            "errorMessage": self.failure.message if self.failure else None,
        }


def _state_name(flag: int) -> str:
    return {PENDING: "pending", SUCCESS: "success"}.get(flag, "failed")
