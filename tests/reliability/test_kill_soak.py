"""Kill soak: generations in the three modes submitted through gunicorn by a driver that behaves like a browser,
while the web and worker processes are killed with SIGKILL at random moments and restarted.

Everything must finish, kie.ai must see each generation exactly once, and every archived file must be whole.
Shortened in the normal suite; `make soak` (VEOUI_SOAK=full) runs 100 generations and 20 kills.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import re
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import requests
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from tests.conftest import TEST_WEBHOOK_HMAC_KEY
from tests.deploy.servers import ROOT, collect_static, procfile, server_environment, wait_for
from tests.people import PASSWORD
from tests.reliability.conftest import FIGURES
from tests.support import picture
from veoui.kie.simulator.probe import probe
from veoui.studio.models import Generation, Status

FULL = os.environ.get("VEOUI_SOAK") == "full"
GENERATIONS = 100 if FULL else 20
KILLS = 20 if FULL else 5
MODES = [("text", 0), ("frames", 1), ("reference", 2)]


def free_port() -> int:
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        return probe_socket.getsockname()[1]


class Process:
    """A server process in its own process group, so SIGKILL takes gunicorn's master and its workers at once."""

    def __init__(self, name: str, argv: list[str], environment: dict[str, str], log: Path) -> None:
        self.name, self.argv, self.environment, self.log = name, argv, environment, log
        self.process: subprocess.Popen | None = None
        self.kills = 0

    def start(self) -> None:
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                self.argv,
                cwd=ROOT,
                env=self.environment,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> None:
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):  # it may have died by itself
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.kills += 1

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def form_value(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert match, f"no {name} in the page"
    return match.group(1)


class Driver:
    """A member in a browser: logs in, opens the form, presses Generate; when an answer is lost (the web process
    died), sends the very same form again, as the browser's reload would."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = requests.Session()
        self.resent = 0
        self.made: list[str] = []

    def call(self, method: str, path: str, deadline: float, **kwargs) -> requests.Response:
        while True:
            try:
                answer = self.session.request(method, self.base + path, timeout=15, allow_redirects=False, **kwargs)
                if answer.status_code < 500:
                    return answer
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"{method} {path}: no answer before the deadline")
            if method == "POST":
                self.resent += 1
            for value in kwargs.get("files", {}).values():
                value[1].seek(0)
            time.sleep(0.2)

    def log_in(self, deadline: float) -> None:
        page = self.call("GET", "/login/", deadline)
        data = {
            "username": "maya",
            "password": PASSWORD,
            "csrfmiddlewaretoken": form_value(page.text, "csrfmiddlewaretoken"),
        }
        answer = self.call("POST", "/login/", deadline, data=data)
        assert answer.status_code == 302, answer.text[:500]

    def generate(self, index: int, deadline: float) -> None:
        slug, images = MODES[index % len(MODES)]
        page = self.call("GET", f"/studio/{slug}/", deadline)
        data = {
            "csrfmiddlewaretoken": form_value(page.text, "csrfmiddlewaretoken"),
            "submission_token": form_value(page.text, "submission_token"),
            "prompt": f"Soak video number {index}: a lighthouse in a storm",
            "model": "veo3_fast",
            "aspect_ratio": "16:9",
            "enable_translation": "on",
        }
        files = {f"image_{n}": (f"p{n}.png", picture(640, 360), "image/png") for n in range(1, images + 1)}
        answer = self.call("POST", f"/studio/{slug}/", deadline, data=data, files=files)
        assert answer.status_code == 302 and "/videos/" in answer.headers["Location"], answer.text[:1000]
        self.made.append(answer.headers["Location"].rstrip("/").split("/")[-1])


@pytest.mark.skipif(connection.vendor != "sqlite" and not FULL, reason="shortened soak runs once, on SQLite")
def test_it_loses_nothing_and_sends_nothing_twice_under_sigkill(transactional_db, kie, tmp_path: Path) -> None:
    rng = random.Random(int(os.environ.get("VEOUI_SOAK_SEED", "7")))
    hashed = PBKDF2PasswordHasher().encode(PASSWORD, "veouisalt1234567", iterations=1000)
    get_user_model().objects.create(username="maya", password=hashed, first_name="Maya")
    # kie.ai waits up to 15 s for each callback attempt before it tries again (three attempts): a callback
    # outlasts a web restart. The simulator's attempts are spread the same way here (5 s apart).
    kie.control.configure(callback_attempts=3, callback_retry_seconds=5)
    port = free_port()
    environment = server_environment(
        kie,
        tmp_path / "media",
        STATIC_ROOT=str(tmp_path / "static"),
        HOST="127.0.0.1",
        PORT=str(port),
        WEB_CONCURRENCY="2",
        VEOUI_HEARTBEAT_SECONDS="0.5",
        VEOUI_WORKER_TIMEOUT="2",
        VEOUI_SWEEP_SECONDS="1",
        VEOUI_ORPHAN_SECONDS="3",
        # kie.ai calls back, as on a server with a public address: a generation whose generate answer a SIGKILL
        # cut off is recognised by its callback instead of staying unconfirmed.
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        KIE_WEBHOOK_HMAC_KEY=TEST_WEBHOOK_HMAC_KEY,
    )
    collect_static(environment)
    commands = procfile()
    web = Process("web", commands["web"], environment, tmp_path / "web.log")
    worker = Process("worker", commands["worker"], environment, tmp_path / "worker.log")
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    budget = 900 if FULL else 150
    deadline = started + budget
    web.start()
    worker.start()
    driver = Driver(base)
    submitting_done = threading.Event()
    failure: list[BaseException] = []

    def drive() -> None:
        try:
            driver.log_in(deadline)
            for index in range(GENERATIONS):
                driver.generate(index, deadline)
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            failure.append(error)
        finally:
            submitting_done.set()

    try:
        wait_for(lambda: _answers(base), 30, "gunicorn listening", web.log)
        thread = threading.Thread(target=drive, daemon=True)
        thread.start()
        # Kills spread over the submissions and the work after them, at random moments, each process restarted.
        spread = (GENERATIONS * (0.35 if FULL else 0.5)) / KILLS
        victims = [web, worker] * (KILLS // 2) + [rng.choice([web, worker])] * (KILLS % 2)
        rng.shuffle(victims)
        for victim in victims:
            time.sleep(rng.uniform(0.2, 2 * spread))
            victim.kill()
            time.sleep(rng.uniform(0.0, 0.5))
            victim.start()
        thread.join(timeout=max(1, deadline - time.monotonic()))
        assert not failure, failure
        assert len(driver.made) == GENERATIONS

        def settled() -> bool:
            return not Generation.objects.exclude(
                status__in=[Status.SUCCEEDED, Status.UNCONFIRMED, Status.FAILED]
            ).exists()

        wait_for(settled, max(1, deadline - time.monotonic()), "every generation settled", worker.log)
        # One whose answer a kill cut off is "unconfirmed" until kie.ai's callback (a few seconds later) names it.
        with contextlib.suppress(AssertionError):
            wait_for(
                lambda: not Generation.objects.filter(status=Status.UNCONFIRMED).exists(),
                20,
                "unconfirmed generations recognised by their callbacks",
                worker.log,
            )
    finally:
        web.stop()
        worker.stop()

    statuses = Counter(Generation.objects.values_list("status", flat=True))
    generate_requests = kie.control.requests("generate")
    per_prompt = Counter(entry["body"]["prompt"] for entry in generate_requests)
    verified, truncated = 0, []
    for generation in Generation.objects.filter(status=Status.SUCCEEDED):
        path = Path(generation.video.path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        duration = probe(path)["duration"]
        if digest != generation.video_sha256 or not duration or duration < 7.5:
            truncated.append((str(generation.uuid), digest == generation.video_sha256, duration))
        else:
            verified += 1
    unconfirmed = statuses.get(Status.UNCONFIRMED, 0)
    FIGURES.append(
        f"kill soak: {GENERATIONS} submitted through gunicorn ({driver.resent} POSTs resent with the same token), "
        f"{web.kills} web and {worker.kills} worker SIGKILLs; generations in the database: {sum(statuses.values())}; "
        f"finished {statuses.get(Status.SUCCEEDED, 0)}/{GENERATIONS}, unconfirmed {unconfirmed}, "
        f"failed {statuses.get(Status.FAILED, 0)}; generate requests kie.ai saw: {len(generate_requests)} "
        f"(most for one video: {max(per_prompt.values(), default=0)}); archived files verified (sha256 and "
        f"duration): {verified}, truncated: {len(truncated)}; {time.monotonic() - started:.0f} s"
    )
    assert sum(statuses.values()) == GENERATIONS, statuses  # a resent form never made a second generation
    assert max(per_prompt.values(), default=0) == 1, per_prompt.most_common(3)  # nothing billed twice
    assert not truncated, truncated
    assert statuses.get(Status.FAILED, 0) == 0, statuses
    assert statuses.get(Status.SUCCEEDED, 0) == GENERATIONS, statuses  # every one finished, none left unconfirmed
    assert len(generate_requests) == GENERATIONS


def _answers(base: str) -> bool:
    try:
        return requests.get(f"{base}/health/", timeout=2).status_code in (200, 503)
    except requests.RequestException:
        return False
