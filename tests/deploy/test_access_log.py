"""gunicorn's access log as veoui configures it: a line per request, except a status card's check that found nothing
changed (each open card makes one a second)."""

from __future__ import annotations

import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config
from gunicorn.glogging import Logger

CONF = Path(__file__).resolve().parents[2] / "veoui" / "gunicorn.conf.py"
STATUS = "/videos/2f852cba-76f3-43a2-93cf-faca46730cea/status/"


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
        (204, "/renditions/2f852cba-76f3-43a2-93cf-faca46730cea/status/", False),
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
