"""`make run` (manage.py start) in demo mode keeps veoui going: a worker or a simulator that dies is started again,
with a line saying so and a growing pause while it keeps dying; a video still finishes; a video the restarted
simulator no longer knows fails soon with a plain message; Ctrl-C stops everything together."""

from __future__ import annotations

import os
import re
import signal
import sys
import uuid
from datetime import timedelta
from pathlib import Path

from django.test import Client
from django.utils import timezone

from tests.deploy.proxy import free_port
from tests.deploy.servers import base_environment, running, wait_for
from tests.people import make_generation, make_user
from veoui.kie import errors as kie_errors
from veoui.kie.simulator.control import SimulatorControl
from veoui.studio.models import Generation, Status, WorkerHeartbeat

START = [sys.executable, "manage.py", "start"]
# Each restart line; the pause, when there is one.
RESTARTED_WORKER = r"The worker stopped [^\n]*\(killed by SIGKILL\); starting it again(?: in (\d+) s)?\."


def demo_environment(tmp_path: Path) -> dict[str, str]:
    """No kie.ai key (demo mode: `start` runs the simulator too), quick heartbeats and recovery."""
    return base_environment(
        tmp_path / "media",
        VEOUI_SIMULATOR_PORT=str(free_port()),
        HOST="127.0.0.1",
        PORT="0",
        WEB_CONCURRENCY="1",
        VEOUI_HEARTBEAT_SECONDS="0.5",
        VEOUI_WORKER_TIMEOUT="2",
        VEOUI_SWEEP_SECONDS="1",
        VEOUI_ORPHAN_SECONDS="3",
    )


def member_client() -> Client:
    maya = make_user("maya")
    # A workspace with a video already: `start` makes no samples, so the worker has only this test's videos.
    make_generation(maya, 60)
    client = Client()
    client.force_login(maya)
    return client


def generate(client: Client) -> Generation:
    response = client.post(
        "/studio/text/",
        {"submission_token": str(uuid.uuid4()), "prompt": "A red kite over the dunes", "model": "veo3_fast",
         "aspect_ratio": "16:9"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:1000]
    return Generation.objects.get(uuid=response["Location"].rstrip("/").split("/")[-1])


def running_at_kie(generation: Generation) -> bool:
    generation.refresh_from_db()
    return generation.status == Status.RUNNING and bool(generation.kie_task_id)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A child that died but was not yet reaped is a zombie: dead all the same.
    return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0] != "Z"


def live_worker(other_than: set[int] = frozenset()) -> int | None:
    """The pid of a worker whose heartbeat is fresh (the worker id names its pid), other than ``other_than``; the
    exporter (which beats too) is not the worker."""
    recent = timezone.now() - timedelta(seconds=2)
    for worker_id in WorkerHeartbeat.objects.filter(seen_at__gte=recent).values_list("worker_id", flat=True):
        pid = int(worker_id.rsplit("-", 2)[1])
        if pid not in other_than and alive(pid) and not is_exporter(pid):
            return pid
    return None


def is_exporter(pid: int) -> bool:
    try:
        return b"export" in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False


def descendants(pid: int) -> dict[int, str]:
    """Every process below ``pid``, with its command line."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().split(") ")[-1].split()[1])
            except (OSError, IndexError):
                continue
    found, frontier = {}, [pid]
    while frontier:
        parent = frontier.pop()
        for child, its_parent in parents.items():
            if its_parent == parent:
                found[child] = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                frontier.append(child)
    return found


def simulator_pid(start_pid: int) -> int | None:
    pids = [pid for pid, command in descendants(start_pid).items() if "veoui.kie.simulator" in command]
    return pids[0] if pids else None


def simulator(environment: dict[str, str]) -> SimulatorControl:
    """The control routes of the simulator `start` runs, on the port it was given."""
    return SimulatorControl(f"http://127.0.0.1:{environment['VEOUI_SIMULATOR_PORT']}")


def said(log: Path, pattern: str) -> re.Match | None:
    return re.search(pattern, log.read_text(errors="replace"))


def test_it_starts_a_dead_worker_again_and_the_video_still_finishes(transactional_db, tmp_path: Path) -> None:
    client = member_client()
    log, environment = tmp_path / "start.log", demo_environment(tmp_path)
    with running(START, environment, log) as start:
        wait_for(lambda: said(log, "veoui is listening at") and live_worker(), 60, "veoui started", log)
        first = live_worker()
        generation = generate(client)
        wait_for(lambda: running_at_kie(generation), 30, "the video sent to kie.ai", log)

        os.kill(first, signal.SIGKILL)
        wait_for(lambda: said(log, r"The worker stopped .*\(killed by SIGKILL\); starting it again"), 30, "", log)
        second = wait_for(lambda: live_worker(other_than={first}), 30, "a new worker's heartbeat", log)
        wait_for(lambda: Generation.objects.get(pk=generation.pk).status == Status.SUCCEEDED, 120, "the video", log)
        generation.refresh_from_db()
        assert generation.video and Generation.objects.count() == 2
        assert [entry["body"]["prompt"] for entry in simulator(environment).requests("generate")] == [generation.prompt]

        # Dying again soon after starting: it is started again after a pause that grows each time.
        os.kill(second, signal.SIGKILL)
        wait_for(lambda: live_worker(other_than={first, second}), 30, "a third worker's heartbeat", log)
        pauses = [int(pause or 0) for pause in re.findall(RESTARTED_WORKER, log.read_text())]
        assert len(pauses) == 2 and 1 <= pauses[1] > pauses[0], log.read_text()[-3000:]

        # Ctrl-C stops them all together.
        children = descendants(start.pid)
        assert any("db_worker" in command for command in children.values()), children
        assert any("--queue-name export" in command for command in children.values()), children  # the exporter
        assert any("gunicorn" in command for command in children.values()), children
        assert simulator_pid(start.pid) in children
        start.send_signal(signal.SIGINT)
        assert start.wait(timeout=60) == 0
        assert [pid for pid in children if alive(pid)] == []
    assert "everything was shut down" not in log.read_text()


def test_it_starts_a_dead_simulator_again_and_a_video_it_forgot_fails_soon(transactional_db, tmp_path: Path) -> None:
    client = member_client()
    log, environment = tmp_path / "start.log", demo_environment(tmp_path)
    with running(START, environment, log) as start:
        wait_for(lambda: said(log, "veoui is listening at") and live_worker(), 60, "veoui started", log)
        generation = generate(client)
        wait_for(lambda: running_at_kie(generation), 30, "the video sent to kie.ai", log)

        old = simulator_pid(start.pid)
        os.kill(old, signal.SIGKILL)
        wait_for(lambda: said(log, r"The kie.ai simulator stopped .*\(killed by SIGKILL\); starting it again"), 30, "",
                 log)  # fmt: skip
        wait_for(lambda: simulator_pid(start.pid) not in (None, old), 60, "a new simulator", log)

        # The new simulator has never heard of the video's task: it fails with a plain message, not after an hour.
        wait_for(lambda: Generation.objects.get(pk=generation.pk).status == Status.FAILED, 60, "the video failed", log)
        generation.refresh_from_db()
        assert generation.error_message == str(kie_errors.TASK_LOST.message)
        assert generation.error_transient  # "Try again" is offered
        assert simulator(environment).requests("generate") == []  # nothing was sent again by itself
        assert start.poll() is None and live_worker()
