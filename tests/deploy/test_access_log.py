"""gunicorn's access log as veoui configures it: a line per request, except a status card's check that found nothing
changed (each open card makes one a second), and never the secret of a callback address."""

from __future__ import annotations

import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from gunicorn.config import Config
from gunicorn.glogging import Logger

from tests.deploy.servers import listening_address, procfile, running, server_environment, wait_for

CONF = Path(__file__).resolve().parents[2] / "veoui" / "gunicorn.conf.py"
STATUS = "/status/"


@pytest.fixture
def logged(monkeypatch) -> list[tuple[int, str]]:
    lines: list[tuple[int, str]] = []
    monkeypatch.setattr(
        Logger, "access", lambda self, resp, req, environ, took: lines.append((resp.status_code, req.path))
    )
    return lines


def logger(level: str) -> Logger:
    settings = runpy.run_path(str(CONF))
    config = Config()
    config.set("loglevel", level)
    return settings["VeouiLogger"](config)


def answer(log: Logger, status: int, path: str) -> None:
    log.access(SimpleNamespace(status_code=status), SimpleNamespace(path=path), {}, None)


@pytest.mark.parametrize(
    ("status", "path", "written"),
    [
        (204, STATUS, False),  # an unchanged check
        (200, STATUS, True),  # the card changed
        (286, STATUS, True),  # htmx's "stop asking"
        (302, STATUS, True),  # signed out
        (204, "/videos/2f852cba-76f3-43a2-93cf-faca46730cea/", True),
        (204, "/api/other/", True),
        (200, "/gallery/", True),
    ],
)
def test_only_unchanged_status_checks_go_unlogged(logged, status: int, path: str, written: bool) -> None:
    answer(logger("info"), status, path)
    assert logged == ([(status, path)] if written else [])


def test_with_debug_logging_every_request_is_logged(logged) -> None:
    answer(logger("debug"), 204, STATUS)
    assert logged == [(204, STATUS)]


def test_it_hides_the_secret_of_both_callback_addresses_in_the_access_log_file(
    transactional_db, kie, tmp_path: Path
) -> None:
    public_id, secret = "0b0e8f5c-1a2b-4c3d-8e9f-0123456789ab", "s3cr3t-T0ken-of-a-video"
    access_log, web_log = tmp_path / "access.log", tmp_path / "web.log"
    environment = server_environment(kie, tmp_path / "media", HOST="127.0.0.1", PORT="0", WEB_CONCURRENCY="1")
    web = [*procfile()["web"], "--access-logfile", str(access_log)]
    with running(web, environment, web_log):
        base = listening_address(web_log)
        for route in ("/hooks/kie/", "/hooks/kie/r/"):
            answer = requests.post(f"{base}{route}{public_id}/{secret}/", json={"code": 200}, timeout=10)
            assert answer.status_code == 404
        wait_for(lambda: access_log.read_text().count("/hooks/kie/") == 2, 10, "both callbacks in the access log")
    written = access_log.read_text()
    assert f'"POST /hooks/kie/{public_id}/[hidden]/" 404' in written
    assert f'"POST /hooks/kie/r/{public_id}/[hidden]/" 404' in written
    # Django's own "Not Found" lines go to the web process's output: hidden there too.
    assert f"Not Found: /hooks/kie/r/{public_id}/[hidden]/" in web_log.read_text()
    assert secret not in written and secret not in web_log.read_text()
