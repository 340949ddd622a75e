"""The simulator's state: tasks, upgrades, credits and the rate limit, behind one lock.

A task is created at once and rendered by background workers (``jobs``); a clock thread ends it when
its time is up and its render is done (``POST /_sim/tasks/<id>/complete`` makes the time up now). Credits are
taken when a task or upgrade starts and given back if it fails, so the balance goes down by what was made.
"""

from __future__ import annotations

import random
import secrets
import shutil
import sys
import threading
import time
import traceback
from collections import deque
from pathlib import Path

from veoui.kie.simulator import contract
from veoui.kie.simulator.callbacks import CallbackSender
from veoui.kie.simulator.config import SimConfig
from veoui.kie.simulator.contract import Refusal
from veoui.kie.simulator.faults import FaultBook
from veoui.kie.simulator.files import FileStore
from veoui.kie.simulator.jobs import RenderWorkers, render_task, render_upgrade
from veoui.kie.simulator.requestlog import RequestLog
from veoui.kie.simulator.tasks import (
    RESOLUTION_4K,
    RESOLUTION_1080P,
    SUCCESS,
    Order,
    Outcome,
    Task,
    Upgrade,
    now_ms,
)

TICK_SECONDS = 0.05
# Two ffmpeg processes at a time keep a small machine responsive; more tasks simply wait their turn.
RENDER_WORKERS = 2
COMPLETE_WAIT_SECONDS = 120.0


class Simulator:
    def __init__(self, config: SimConfig, data_dir: Path, base_url: str, local_bases: list[str]) -> None:
        self.config = config
        self._startup_config = config.copy()
        self.lock = threading.RLock()
        self.files = FileStore(data_dir / "files", base_url, local_bases)
        self.work_dir = data_dir / "work"
        self.faults = FaultBook()
        self.log = RequestLog()
        self.callbacks = CallbackSender(lambda: self.config, self.is_current)
        self.epoch = 0
        self._hang_release = threading.Event()
        self._snake_4k_next = False
        self._forget()
        self._renders = RenderWorkers(RENDER_WORKERS)
        self._stopped = threading.Event()
        threading.Thread(target=self._clock, name="clock", daemon=True).start()

    # ----- generations

    def generate(self, order: Order, injected: Outcome | None) -> Task:
        with self.lock:
            price = self.config.prices[order.model]
            self._admit_generation(price)
            source = self.tasks.get(order.source_task_id) if order.source_task_id else None
            task = Task(
                task_id=secrets.token_hex(16),
                order=order,
                price=price,
                seed=order.seed if order.seed is not None else random.randint(10000, 99999),
                epoch=self.epoch,
                ready_at=time.monotonic() + self._duration(),
                injected=injected,
            )
            self.tasks[task.task_id] = task
            self._pending_tasks[task.task_id] = task
        if injected is None:
            self._renders.submit(lambda: render_task(self.files, self.work_dir, task, source, self.is_current))
        else:
            # It will fail anyway: no need to spend a render on it.
            task.render_done.set()
        return task

    def extend_source(self, task_id: str) -> Task:
        """The task an extend request may build on, or the refusal kie.ai gives."""
        with self.lock:
            source = self._successful(task_id)
            if source.upgraded_1080p:
                raise Refusal(422, contract.EXTEND_AFTER_1080P)
            return source

    def record(self, task_id: str) -> dict:
        self.advance()
        with self.lock:
            task = self.tasks.get(task_id)
            if task is None:
                raise Refusal(422, contract.RECORD_IS_NULL)
            return task.record(self.files.url)

    def _admit_generation(self, price: float) -> None:
        """kie.ai's gate for new generations: the rate limit first, then the balance."""
        now = time.monotonic()
        window = self.config.rate_window_seconds
        while self._recent and self._recent[0] <= now - window:
            self._recent.popleft()
        if self.config.rate_limit and len(self._recent) >= self.config.rate_limit:
            raise Refusal(429, contract.TOO_MANY_REQUESTS)
        self._charge(price)
        self._recent.append(now)

    def _charge(self, price: float) -> None:
        if self.balance < price:
            raise Refusal(402, contract.INSUFFICIENT_CREDITS)
        self.balance -= price

    def _duration(self, factor: float = 1.0) -> float:
        return random.uniform(self.config.min_seconds, self.config.max_seconds) * factor

    # ----- upgrades

    def upgrade_1080p(self, task_id: str, index: int, injected: Outcome | None) -> tuple[int, str, object]:
        with self.lock:
            task = self._successful(task_id, index)
            upgrade = self.upgrades.get((task_id, RESOLUTION_1080P, index))
            if upgrade is None:
                upgrade = self._start_upgrade(task, RESOLUTION_1080P, index, None, injected)
                task.upgraded_1080p = True
            elif injected is not None and upgrade.processing:
                upgrade.injected = injected
            if upgrade.state == "success":
                assert upgrade.video is not None
                return 200, "success", {"resultUrl": self.files.url(upgrade.video)}
            if upgrade.failure is not None:
                return upgrade.failure.code, upgrade.failure.message, None
            return 400, contract.PROCESSING_1080P, None

    def upgrade_4k(
        self, task_id: str, index: int, callback_url: str | None, injected: Outcome | None
    ) -> tuple[int, str, object]:
        with self.lock:
            task = self._successful(task_id, index)
            upgrade = self.upgrades.get((task_id, RESOLUTION_4K, index))
            waiting = {"taskId": task_id, "resultUrls": None, "imageUrls": None}
            if upgrade is None:
                self._start_upgrade(task, RESOLUTION_4K, index, callback_url, injected)
                return 200, "success", waiting
            if injected is not None and upgrade.processing:
                upgrade.injected = injected
            if callback_url and not upgrade.callback_url:
                upgrade.callback_url = callback_url
            if upgrade.state == "success":
                assert upgrade.video is not None and upgrade.image is not None
                done = {
                    "taskId": task_id,
                    "resultUrls": [self.files.url(upgrade.video)],
                    "imageUrls": [self.files.url(upgrade.image)],
                }
                return 422, contract.DONE_4K, done
            if upgrade.failure is not None:
                return upgrade.failure.code, upgrade.failure.message, {"taskId": task_id}
            return 422, contract.PROCESSING_4K, waiting

    def _start_upgrade(
        self, task: Task, resolution: str, index: int, callback_url: str | None, injected: Outcome | None
    ) -> Upgrade:
        price = self.config.prices[resolution]
        self._charge(price)
        upgrade = Upgrade(
            task_id=task.task_id,
            resolution=resolution,
            index=index,
            price=price,
            epoch=self.epoch,
            ready_at=time.monotonic() + self._duration(self.config.upgrade_factor),
            callback_url=callback_url,
            injected=injected,
        )
        key = (task.task_id, resolution, index)
        self.upgrades[key] = upgrade
        self._pending_upgrades[key] = upgrade
        self._renders.submit(lambda: render_upgrade(self.files, upgrade, task, self.is_current))
        return upgrade

    def _successful(self, task_id: str, index: int = 0) -> Task:
        task = self.tasks.get(task_id)
        if task is None:
            raise Refusal(422, contract.RECORD_IS_NULL)
        if task.flag != SUCCESS:
            raise Refusal(422, contract.RECORD_NOT_SUCCESS)
        # Every simulated task has exactly one result.
        if index != 0:
            raise Refusal(422, contract.RECORD_RESULT_BLANK)
        return task

    # ----- account and files

    def credit(self) -> float:
        with self.lock:
            return round(self.balance, 2)

    def fresh_url(self, url: str) -> str | None:
        return self.files.fresh_url(url)

    # ----- time passing

    def advance(self) -> None:
        """End every task and upgrade whose time is up and whose render is done, then send callbacks."""
        now = time.monotonic()
        calls: list[tuple[str, str, dict]] = []
        with self.lock:
            for task in list(self._pending_tasks.values()):
                if now >= task.ready_at and task.render_done.is_set():
                    calls += self._finish_task(task)
            for upgrade in list(self._pending_upgrades.values()):
                if now >= upgrade.ready_at and upgrade.render_done.is_set():
                    calls += self._finish_upgrade(upgrade)
            epoch = self.epoch
        for url, task_id, payload in calls:
            self.callbacks.send(url, task_id, payload, epoch)

    def _finish_task(self, task: Task) -> list[tuple[str, str, dict]]:
        del self._pending_tasks[task.task_id]
        task.complete_ms = now_ms()
        failure = task.injected or task.render_failure
        if failure is None:
            task.flag = SUCCESS
        else:
            task.flag, task.failure = failure.flag, failure
            self.balance += task.price
        if task.order.callback_url:
            return [(task.order.callback_url, task.task_id, task.callback(self.files.url))]
        return []

    def _finish_upgrade(self, upgrade: Upgrade) -> list[tuple[str, str, dict]]:
        del self._pending_upgrades[(upgrade.task_id, upgrade.resolution, upgrade.index)]
        failure = upgrade.injected or upgrade.render_failure
        if failure is None:
            upgrade.state = "success"
        else:
            upgrade.state, upgrade.failure = "failed", failure
            self.balance += upgrade.price
        if upgrade.resolution != RESOLUTION_4K or not upgrade.callback_url:
            return []
        snake = self._next_4k_shape_is_snake()
        return [(upgrade.callback_url, upgrade.task_id, upgrade.callback(self.files.url, snake))]

    def _next_4k_shape_is_snake(self) -> bool:
        shape = self.config.callback_4k_shape
        if shape != "alternate":
            return shape == "snake"
        self._snake_4k_next = not self._snake_4k_next
        return not self._snake_4k_next

    def complete(self, task_id: str) -> dict:
        """Finish a task (and its running upgrades) now, waiting for their renders."""
        with self.lock:
            task = self.tasks.get(task_id)
            if task is None:
                raise KeyError(task_id)
            waiting = [task, *(u for u in self.upgrades.values() if u.task_id == task_id and u.processing)]
            for item in waiting:
                item.ready_at = 0.0
        for item in waiting:
            item.render_done.wait(COMPLETE_WAIT_SECONDS)
        self.advance()
        return self.task_view(task)

    def _clock(self) -> None:
        while not self._stopped.wait(TICK_SECONDS):
            try:
                self.advance()
            except Exception:  # the clock must keep running; show what went wrong
                traceback.print_exc(file=sys.stderr)

    # ----- the admin side

    def task_view(self, task: Task) -> dict:
        with self.lock:
            upgrades = [upgrade for upgrade in self.upgrades.values() if upgrade.task_id == task.task_id]
            return task.view(self.files.url, upgrades)

    def task_views(self) -> list[dict]:
        with self.lock:
            return [self.task_view(task) for task in self.tasks.values()]

    def configure(self, options: dict) -> dict:
        with self.lock:
            self.config.update(options)
            if "balance" in options:
                self.balance = self.config.balance
            return self.config.as_dict()

    def reset(self, restore_config: bool = False) -> None:
        """Forget tasks, uploads, files, faults and logs; keep the configuration unless asked."""
        with self.lock:
            if restore_config:
                self.config = self._startup_config.copy()
            self.faults.clear()
            self.log.clear()
            self.callbacks.clear()
            self.files.clear()
            shutil.rmtree(self.work_dir, ignore_errors=True)
            self._forget()
        self.release_hangs()

    def _forget(self) -> None:
        self.epoch += 1
        self.tasks: dict[str, Task] = {}
        self.upgrades: dict[tuple[str, str, int], Upgrade] = {}
        self._pending_tasks: dict[str, Task] = {}
        self._pending_upgrades: dict[tuple[str, str, int], Upgrade] = {}
        self._recent: deque[float] = deque()
        self.balance = self.config.balance

    def is_current(self, epoch: int) -> bool:
        return epoch == self.epoch

    def pending_count(self) -> int:
        with self.lock:
            return len(self._pending_tasks) + len(self._pending_upgrades)

    # ----- hanging connections

    def hang(self, seconds: float) -> None:
        """Hold a connection for ``seconds``, or until a reset or shutdown lets it go."""
        self.held().wait(seconds)

    def held(self) -> threading.Event:
        """Set once held connections are let go (``POST /_sim/release``, a reset or shutdown)."""
        with self.lock:
            return self._hang_release

    def release_hangs(self) -> None:
        with self.lock:
            self._hang_release.set()
            self._hang_release = threading.Event()

    def stop(self) -> None:
        self._stopped.set()
        self.release_hangs()
