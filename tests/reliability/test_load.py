"""Load on SQLite: many members' pages polling status partials against gunicorn (the shipped configuration)
while the worker (the shipped command) runs generations. Nobody may ever get an error ("database is locked")."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection

from tests.deploy.servers import listening_address, procfile, running, server_environment
from tests.people import make_user
from tests.reliability.conftest import FIGURES
from veoui.studio import services
from veoui.studio.models import Generation

FULL = os.environ.get("VEOUI_SOAK") == "full"
POLLERS = 200 if FULL else 50
SECONDS = 60.0 if FULL else 10.0


def logged_in_cookie(user) -> str:
    """A session made the way Django's login makes one, so the pollers skip the (CPU-heavy) password check."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def new_generation(owner) -> Generation:
    data = {
        "submission_token": uuid.uuid4(),
        "prompt": "A lighthouse in a storm",
        "model": "veo3_fast",
        "aspect_ratio": "16:9",
        "seed": None,
        "watermark": "",
        "enable_translation": True,
        "visibility": "team",
    }
    generation, _created = services.create_generation(owner=owner, mode="TEXT_2_VIDEO", data=data, images=[])
    return generation


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the load test is about SQLite's single writer")
def test_it_serves_many_pollers_without_a_single_error(transactional_db, kie, tmp_path: Path) -> None:
    user = make_user("maya")
    cookie = logged_in_cookie(user)
    environment = server_environment(
        kie, tmp_path / "media", HOST="127.0.0.1", PORT="0", SECRET_KEY=settings.SECRET_KEY
    )
    ids = [new_generation(user).uuid for _ in range(5)]
    stop = threading.Event()
    counts: Counter = Counter()
    problems: list[str] = []
    lock = threading.Lock()
    commands = procfile()
    web_log, worker_log = tmp_path / "web.log", tmp_path / "worker.log"

    def poll(index: int, base: str) -> None:
        session = requests.Session()
        session.cookies.set(settings.SESSION_COOKIE_NAME, cookie)
        turn = index
        while not stop.is_set():
            public_id = ids[turn % len(ids)]
            turn += 1
            try:
                answer = session.get(
                    f"{base}/status/?shown={public_id}:0",
                    headers={"HX-Request": "true"},
                    timeout=30,
                    allow_redirects=False,
                )
                ok = answer.status_code == 200 and "database is locked" not in answer.text
                with lock:
                    counts["requests"] += 1
                    counts[answer.status_code] += 1
                    if not ok:
                        counts["errors"] += 1
                        problems.append(f"{answer.status_code} {answer.text[:200]!r}")
            except requests.RequestException as error:
                with lock:
                    counts["requests"] += 1
                    counts["errors"] += 1
                    problems.append(repr(error))

    with running(commands["web"], environment, web_log), running(commands["worker"], environment, worker_log):
        base = listening_address(web_log)
        pollers = [threading.Thread(target=poll, args=(i, base), daemon=True) for i in range(POLLERS)]
        started = time.monotonic()
        for thread in pollers:
            thread.start()
        # Meanwhile members keep pressing Generate: the worker writes all the time (submit, poll, archive).
        while time.monotonic() - started < SECONDS:
            ids.append(new_generation(user).uuid)
            time.sleep(0.5)
        stop.set()
        for thread in pollers:
            thread.join(timeout=40)
        elapsed = time.monotonic() - started
    finished = Generation.objects.filter(status="succeeded").count()
    web_output = web_log.read_text(errors="replace")
    locked = web_output.count("database is locked") + worker_log.read_text(errors="replace").count("database is locked")
    FIGURES.append(
        f"load on SQLite: {POLLERS} pollers for {elapsed:.0f} s: {counts['requests']} requests "
        f"({counts['requests'] / elapsed:.0f}/s), {counts['errors']} errors, statuses "
        f"{ {k: v for k, v in counts.items() if isinstance(k, int)} }; {len(ids)} generations submitted, "
        f"{finished} finished meanwhile; 'database is locked' in the logs: {locked}"
    )
    assert counts["requests"] > POLLERS, counts
    assert counts["errors"] == 0, problems[:10]
    assert "Internal Server Error" not in web_output
    assert locked == 0
    assert finished > 0
