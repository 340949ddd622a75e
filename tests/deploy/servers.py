"""veoui's shipped processes (the Procfile's commands, gunicorn's shipped configuration) as test subprocesses."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.db import connection

from tests import waiting
from veoui.common import processes
from veoui.kie.simulator.process import RunningSimulator

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def procfile() -> dict[str, list[str]]:
    """The Procfile's commands, with `python` and `gunicorn` taken from this virtualenv."""
    commands = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, command = line.partition(":")
            argv = shlex.split(command)
            argv[0] = sys.executable if argv[0] == "python" else str(BIN / argv[0])
            commands[name.strip()] = argv
    return commands


def database_environment() -> dict[str, str]:
    """The test database pytest-django made, as the variables a server process reads."""
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return {"SQLITE_PATH": str(config["NAME"])}
    password = f":{quote(config['PASSWORD'])}" if config["PASSWORD"] else ""
    host = f"{config['HOST'] or '127.0.0.1'}:{config['PORT'] or 5432}"
    return {"DATABASE_URL": f"postgres://{quote(config['USER'])}{password}@{host}/{config['NAME']}"}


def base_environment(media_root: Path, **extra: str) -> dict[str, str]:
    """This machine's environment without veoui's own variables, plus the test database and ``media_root``."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("KIE_", "DATABASE_URL", "SQLITE_PATH", "S3_", "DEBUG", "WEB_", "HOST", "PORT", "DJANGO_ALLOW_ASYNC")
        )
    }
    environment.update(VEOUI_POLL_INTERVAL="0.3", MEDIA_ROOT=str(media_root), PYTHONUNBUFFERED="1")
    environment.update(database_environment())
    environment.update(extra)
    return environment


def server_environment(kie: RunningSimulator, media_root: Path, **extra: str) -> dict[str, str]:
    """Pointed at the test's simulator ``kie``, as a server with a kie.ai key is."""
    kie_settings = {"KIE_API_KEY": kie.api_key, "KIE_API_BASE_URL": kie.url, "KIE_UPLOAD_BASE_URL": kie.url}
    return base_environment(media_root, **{**kie_settings, "KIE_READ_TIMEOUT": "3", **extra})


@contextmanager
def running(argv: list[str], environment: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """A child process whose output goes to ``log``; stopped with SIGTERM (then SIGKILL) afterwards."""
    with log.open("wb") as output:
        process = subprocess.Popen(argv, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        processes.stop(process)


def collect_static(environment: dict[str, str]) -> None:
    """collectstatic into the environment's STATIC_ROOT: pages served by gunicorn name the hashed files."""
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert collected.returncode == 0, collected.stderr


def wait_for(condition: Callable[[], object], timeout: float, what: str, log: Path | None = None) -> object:
    """tests.waiting.wait_for, whose failure shows the end of the server's log."""
    return waiting.wait_for(
        condition, timeout, lambda: f"{what}\n{log.read_text(errors='replace')[-3000:] if log else ''}"
    )


def listening_address(log: Path) -> str:
    """The address gunicorn says it listens at (it was started on port 0: any free port)."""

    def found() -> str | None:
        match = re.search(r"veoui is listening at (http://127\.0\.0\.1:\d+)", log.read_text(errors="replace"))
        return match.group(1) if match else None

    return wait_for(found, 30, "gunicorn listening", log)
