"""veoui as it runs on a server: gunicorn with the shipped configuration and the worker with the shipped command
(both from the Procfile), a person logging in and making a video over real HTTP, against the simulator."""

from __future__ import annotations

import re
from pathlib import Path

import requests
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from tests.conftest import TEST_KIE_API_KEY
from tests.deploy.servers import (
    collect_static,
    listening_address,
    procfile,
    running,
    server_environment,
    wait_for,
)
from tests.people import PASSWORD


def form_value(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert match, f"no {name} in the page"
    return match.group(1)


def test_it_makes_a_video_through_gunicorn_and_the_worker_as_shipped(transactional_db, kie, tmp_path: Path) -> None:
    # The subprocesses check passwords with Django's default hasher (the suite's own is MD5, for speed).
    hashed = PBKDF2PasswordHasher().encode(PASSWORD, "veouisalt1234567", iterations=1000)
    get_user_model().objects.create(username="maya", password=hashed, first_name="Maya")
    environment = server_environment(
        kie, tmp_path / "media", STATIC_ROOT=str(tmp_path / "static"), HOST="127.0.0.1", PORT="0", WEB_CONCURRENCY="2"
    )
    collect_static(environment)
    commands = procfile()
    assert commands["web"][1:] == ["-c", "veoui/gunicorn.conf.py", "veoui.wsgi"]
    web_log, worker_log = tmp_path / "web.log", tmp_path / "worker.log"
    with running(commands["web"], environment, web_log), running(commands["worker"], environment, worker_log):
        base = listening_address(web_log)
        browser = requests.Session()

        # Log in through the real form, with its CSRF token.
        login_page = browser.get(f"{base}/login/", timeout=10)
        assert login_page.status_code == 200
        assert "unsafe-inline" not in login_page.headers["Content-Security-Policy"]
        csrf = form_value(login_page.text, "csrfmiddlewaretoken")
        credentials = {"username": "maya", "password": PASSWORD, "csrfmiddlewaretoken": csrf}
        answer = browser.post(f"{base}/login/", data=credentials, timeout=10)
        assert answer.url.endswith("/studio/text/"), answer.url

        # The static files are the compressed, hashed ones collectstatic made.
        htmx = re.search(r'src="(/static/vendor/htmx-2\.0\.11\.min\.[0-9a-f]{12}\.js)"', answer.text)
        assert htmx, "the page does not use the hashed htmx file"
        script = browser.get(base + htmx.group(1), headers={"Accept-Encoding": "gzip"}, timeout=10)
        assert script.status_code == 200 and script.headers["Content-Encoding"] == "gzip"
        assert "immutable" in script.headers["Cache-Control"]

        # Press Generate (the plain form post), then watch the status as the page's htmx would.
        created = browser.post(
            f"{base}/studio/text/",
            data={
                "csrfmiddlewaretoken": form_value(answer.text, "csrfmiddlewaretoken"),
                "submission_token": form_value(answer.text, "submission_token"),
                "prompt": "A red bicycle leaning on a yellow wall",
                "model": "veo3_fast",
                "aspect_ratio": "16:9",
                "enable_translation": "on",
            },
            allow_redirects=False,
            timeout=10,
        )
        assert created.status_code == 302, created.text[:2000]
        page = created.headers["Location"]
        # The page's one status check, naming the card as the page shows it before any news.
        status_url = f"{base}/status/?shown={page.strip('/').split('/')[-1]}:shown"

        def video_shown() -> str | None:
            html = browser.get(status_url, headers={"HX-Request": "true"}, timeout=10).text
            return html if "<video" in html else None

        final = wait_for(video_shown, 60, "the video on the status card", worker_log)
        assert "hx-trigger" not in final
        video = browser.get(f"{base}{page}video.mp4", headers={"Range": "bytes=0-99"}, timeout=10)
        assert video.status_code == 206 and len(video.content) == 100 and video.content[4:8] == b"ftyp"

        health = browser.get(f"{base}/health/", timeout=10)
        assert health.status_code == 200, health.text
        assert health.json()["worker"]["status"] == "ok"
        assert health.json()["kie"]["seconds_since_success"] is not None
        assert len(kie.control.requests("generate")) == 1

    web_output, worker_output = web_log.read_text(), worker_log.read_text()
    assert TEST_KIE_API_KEY not in web_output and TEST_KIE_API_KEY not in worker_output
    # gunicorn's access log: one line per request, method, path, status, size, time.
    assert re.search(r'^127\.0\.0\.1 fwd=- "POST /studio/text/" 302 0 \d+ms "python-requests/', web_output, re.M)
    assert re.search(r'^127\.0\.0\.1 fwd=- "GET /videos/[0-9a-f-]+/video\.mp4" 206 100 \d+ms', web_output, re.M)
    assert "generation created id=" in web_output and "submitted id=" in worker_output
