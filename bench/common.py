"""What every bench needs: a throwaway database, and veoui's real processes (gunicorn with the shipped
configuration, the shipped worker command, the simulator) started against it.

A bench script runs one database at a time (``--db sqlite`` or ``--db postgres``), prints its figures, and
appends its rows for the combined table to the JSON Lines file named by BENCH_ROWS (bench/run.py sets it).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from veoui.common import processes

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
BIN = Path(PYTHON).parent
POSTGRES_SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
SECRET_KEY = "bench-secret-key-only-for-throwaway-databases-0123456789"  # noqa: S105 (throwaway)
PASSWORD = "bench-password-not-used"  # noqa: S105 (throwaway accounts, never logged in with)
SIMULATOR_KEY = "bench-simulator-key"


def arguments(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--workdir", default="")
    return parser.parse_args()


def database_environment(kind: str, workdir: Path, name: str) -> dict[str, str]:
    """A fresh, empty database: a SQLite file in ``workdir``, or PostgreSQL database ``name`` made anew."""
    workdir.mkdir(parents=True, exist_ok=True)
    if kind == "sqlite":
        path = workdir / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return {"SQLITE_PATH": str(path)}
    import psycopg

    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return {"DATABASE_URL": f"{POSTGRES_SERVER}/{name}"}


def environment(database: dict[str, str], media: Path, **extra: str) -> dict[str, str]:
    """The variables veoui's processes get: the bench settings, the database, and whatever else is given."""
    keep = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("KIE_", "VEOUI_", "DATABASE_URL", "SQLITE_PATH", "S3_", "DEBUG", "WEB_", "PUBLIC_"))
        and key not in {"HOST", "PORT", "DJANGO_SETTINGS_MODULE", "MEDIA_ROOT"}
    }
    keep.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        PYTHONUNBUFFERED="1",
        SECRET_KEY=SECRET_KEY,
        MEDIA_ROOT=str(media),
        LOG_LEVEL="WARNING",
        **database,
        **extra,
    )
    return keep


def use_in_this_process(env: dict[str, str]) -> None:
    """Point this process's Django at the same database and settings as the servers, for fixtures and counts."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


@contextmanager
def process(argv: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    with log.open("wb") as output:
        child = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        yield child
    finally:
        processes.stop(child)


def wait_for(condition: Callable[[], object], timeout: float, what: str, log: Path | None = None) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    tail = log.read_text(errors="replace")[-3000:] if log else ""
    raise SystemExit(f"{what}: not within {timeout} s\n{tail}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(env: dict[str, str], log: Path, port: int = 0) -> Iterator[str]:
    """gunicorn exactly as the Procfile and the systemd unit start it, on a free port; yields its address."""
    argv = [str(BIN / "gunicorn"), "-c", "veoui/gunicorn.conf.py", "veoui.wsgi"]
    with process(argv, {**env, "HOST": "127.0.0.1", "PORT": str(port), "LOG_LEVEL": "INFO"}, log):

        def listening() -> str | None:
            match = re.search(r"veoui is listening at (http://127\.0\.0\.1:\d+)", log.read_text(errors="replace"))
            return match.group(1) if match else None

        base = wait_for(listening, 30, "gunicorn listening", log)
        booted = lambda: log.read_text(errors="replace").count("Booting worker")  # noqa: E731
        wait_for(lambda: booted() >= 1, 30, "gunicorn workers", log)
        yield base


@contextmanager
def worker(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """The worker exactly as the Procfile and the systemd unit start it."""
    with process([PYTHON, "manage.py", "db_worker", "--no-reload"], env, log) as child:
        yield child


@contextmanager
def simulator(workdir: Path, **options: object) -> Iterator[object]:
    """The bundled kie.ai simulator, as `make run` starts it in demo mode."""
    from veoui.kie.simulator.process import running_simulator

    with running_simulator(
        SIMULATOR_KEY, data_dir=workdir / "simulator", log_path=workdir / "simulator.log", **options
    ) as running:
        yield running


def kie_environment(sim: object, **extra: str) -> dict[str, str]:
    return {"KIE_API_KEY": sim.api_key, "KIE_API_BASE_URL": sim.url, "KIE_UPLOAD_BASE_URL": sim.url, **extra}


def new_generation(owner, prompt: str = "A lighthouse in a storm, waves crashing, seen from a boat"):
    """A text-to-video generation saved as the studio form saves one (its submit task queued on commit)."""
    import uuid

    from veoui.studio import services

    data = {
        "submission_token": uuid.uuid4(),
        "prompt": prompt,
        "model": "veo3_fast",
        "aspect_ratio": "16:9",
        "seed": None,
        "watermark": "",
        "enable_translation": True,
        "visibility": "team",
    }
    generation, _ = services.create_generation(owner=owner, mode="TEXT_2_VIDEO", data=data, images=[])
    return generation


def logged_in_cookie(user) -> str:
    """A session made the way Django's login makes one (without paying for the password hash each time)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]  # the one a login with a password records
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def p95(values: list[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def row(target: str, measured: str, baseline: str, ratio: float | None, passed: bool) -> None:
    """One line of the combined table; also printed here so a script run alone shows it."""
    entry = {
        "target": target,
        "measured": measured,
        "baseline": baseline,
        "ratio": None if ratio is None else round(ratio, 3),
        "pass": bool(passed),
    }
    verdict = "pass" if passed else "FAIL"
    ratio_text = "-" if ratio is None else f"{ratio:.2f}"
    print(f"  [{verdict}] {target}: {measured} (baseline {baseline}, ratio {ratio_text})", flush=True)
    destination = os.environ.get("BENCH_ROWS")
    if destination:
        with open(destination, "a") as handle:
            handle.write(json.dumps(entry) + "\n")
