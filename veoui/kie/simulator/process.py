"""Run the simulator as a child process, as ``make run`` (demo mode) and the tests do."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from veoui.kie.simulator.config import API_KEY_VARIABLE, HMAC_KEY_VARIABLE
from veoui.kie.simulator.control import SimulatorControl

READY_PREFIX = "SIMULATOR READY "
# The folder that holds the veoui package: the child must be able to import it from anywhere.
PROJECT_ROOT = Path(__file__).resolve().parents[3]


class SimulatorFailed(RuntimeError):
    """The simulator did not start; the message ends with what it wrote to stderr."""


@dataclass
class RunningSimulator:
    url: str
    api_key: str
    control: SimulatorControl
    process: subprocess.Popen
    log_path: Path
    webhook_hmac_key: str | None = None

    @property
    def auth(self) -> dict[str, str]:
        """The Authorization header kie.ai expects, for tests that call the API directly."""
        return {"Authorization": f"Bearer {self.api_key}"}


@contextmanager
def running_simulator(
    api_key: str,
    port: int = 0,
    data_dir: str | Path | None = None,
    min_seconds: float = 10.0,
    max_seconds: float = 20.0,
    webhook_hmac_key: str | None = None,
    extra_args: tuple[str, ...] | list[str] = (),
    host: str = "127.0.0.1",
    log_path: str | Path | None = None,
    ready_timeout: float = 30.0,
) -> Iterator[RunningSimulator]:
    """Start ``python -m veoui.kie.simulator``, wait for its READY line, and stop it on exit.

    Its stderr (one line per request) goes to ``log_path``, or to a temporary file removed afterwards.
    """
    command = [sys.executable, "-m", "veoui.kie.simulator", "--host", host, "--port", str(port)]
    command += ["--min-seconds", str(min_seconds), "--max-seconds", str(max_seconds), "--stop-on-stdin-eof"]
    if data_dir is not None:
        command += ["--data-dir", str(data_dir)]
    command += list(extra_args)
    own_log = log_path is None
    log = Path(tempfile.mkstemp(prefix="kie-simulator-", suffix=".log")[1]) if own_log else Path(log_path)
    with log.open("ab") as log_file:
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=log_file,
            stdin=subprocess.PIPE,
            env=_child_environment(api_key, webhook_hmac_key),
            text=True,
        )
    try:
        url = _wait_until_ready(process, log, ready_timeout)
        yield RunningSimulator(url, api_key, SimulatorControl(url), process, log, webhook_hmac_key)
    finally:
        _stop(process)
        if own_log:
            log.unlink(missing_ok=True)


def _child_environment(api_key: str, webhook_hmac_key: str | None) -> dict[str, str]:
    # Keys travel in the environment rather than the command line, which any local user can list.
    env = dict(os.environ)
    env[API_KEY_VARIABLE] = api_key
    env.pop(HMAC_KEY_VARIABLE, None)
    if webhook_hmac_key:
        env[HMAC_KEY_VARIABLE] = webhook_hmac_key
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _wait_until_ready(process: subprocess.Popen, log: Path, timeout: float) -> str:
    lines: queue.Queue[str | None] = queue.Queue()
    assert process.stdout is not None
    threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True).start()
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            _stop(process)
            raise SimulatorFailed(f"the simulator was not ready within {timeout:.0f} s\n{_tail(log)}")
        try:
            line = lines.get(timeout=min(remaining, 0.5))
        except queue.Empty:
            continue
        if line is None:
            process.wait(timeout=5)
            raise SimulatorFailed(f"the simulator exited with status {process.returncode}\n{_tail(log)}")
        if line.startswith(READY_PREFIX):
            return line.removeprefix(READY_PREFIX).strip()


def _pump(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    """Read the child's stdout to the end, so that it can never block on a full pipe."""
    with stream:
        for line in stream:
            lines.put(line)
    lines.put(None)


def _stop(process: subprocess.Popen) -> None:
    if process.stdin is not None and not process.stdin.closed:
        process.stdin.close()
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _tail(log: Path, characters: int = 4000) -> str:
    try:
        return log.read_text(errors="replace")[-characters:]
    except OSError:
        return ""
