"""How many threads a gunicorn process needs so that a few slow downloads don't stall status checks.

gunicorn with the shipped configuration (WEB_CONCURRENCY=2), with WEB_THREADS 2, 4 and 8 in turn, facing the clients
directly (no nginx, so nothing buffers): SLOW clients each download a large archived video, reading it slowly, while
a member's status card is asked for again and again. Printed: how long the status card took (median, slowest) and how
many of its checks got no answer within CHECK_TIMEOUT. Run with `.venv/bin/python -m bench.threads`.
"""

from __future__ import annotations

import os
import socket
import tempfile
import threading
import time
from pathlib import Path

import requests

from bench import common

THREADS = [2, 4, 8]
SLOW = int(os.environ.get("BENCH_SLOW_CLIENTS", "4"))
VIDEO_MB = 200
CHECKS = 40
CHECK_TIMEOUT = 5.0  # seconds


def slow_download(address: tuple[str, int], path: str, cookie: str, stop: threading.Event) -> None:
    """A viewer on a poor line: asks for the whole video, then reads 16 KB a tenth of a second."""
    try:
        with socket.create_connection(address, timeout=30) as connection:
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024)
            connection.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n\r\n".encode())
            while not stop.is_set() and connection.recv(16 * 1024):
                stop.wait(0.1)
    except OSError:  # not served at all while the others held the threads
        pass


def one_setting(env: dict[str, str], workdir: Path, threads: int, video: str, card: str, cookie: str) -> list[float]:
    took: list[float] = []
    log = workdir / f"web-{threads}.log"
    with common.gunicorn({**env, "WEB_CONCURRENCY": "2", "WEB_THREADS": str(threads)}, log) as base:
        host, port = base.removeprefix("http://").split(":")
        for _ in range(4):  # every process loaded and answering
            requests.get(base + card, headers={"Cookie": cookie}, timeout=30)
        stop = threading.Event()
        viewers = [
            threading.Thread(target=slow_download, args=((host, int(port)), video, cookie, stop), daemon=True)
            for _ in range(SLOW)
        ]
        for viewer in viewers:
            viewer.start()
        time.sleep(1.0)  # the downloads have started and filled their sockets' buffers
        for _ in range(CHECKS):
            started = time.perf_counter()
            try:
                answer = requests.get(
                    base + card, headers={"Cookie": cookie, "Connection": "close"}, timeout=CHECK_TIMEOUT
                )
                took.append(time.perf_counter() - started if answer.status_code == 200 else float("inf"))
            except requests.RequestException:
                took.append(float("inf"))
            time.sleep(0.05)
        stop.set()
    return took


def main() -> None:
    options = common.arguments(__doc__)
    workdir = Path(options.workdir or tempfile.mkdtemp(prefix="veoui-bench-"))
    database = common.database_environment(options.db, workdir, "veoui_bench_threads")
    env = common.environment(database, workdir / "media", KIE_API_KEY=common.SIMULATOR_KEY)
    common.manage(env, "migrate", "--noinput")
    common.manage(env, "collectstatic", "--noinput", "-v", "0")
    common.use_in_this_process(env)
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from veoui.studio.models import Generation

    user = get_user_model().objects.create_user("bench", password=common.PASSWORD)
    cookie = f"{settings.SESSION_COOKIE_NAME}={common.logged_in_cookie(user)}"
    (workdir / "media" / "videos").mkdir(parents=True, exist_ok=True)
    with (workdir / "media" / "videos" / "large.mp4").open("wb") as handle:
        handle.truncate(VIDEO_MB * 1024 * 1024)
    watched = common.new_generation(user)
    Generation.objects.filter(pk=watched.pk).update(status="succeeded", video="videos/large.mp4")
    card = f"/videos/{common.new_generation(user).uuid}/status/"
    video = f"/videos/{watched.uuid}/video.mp4"
    for threads in THREADS:
        took = one_setting(env, workdir, threads, video, card, cookie)
        answered = [seconds * 1000 for seconds in took if seconds != float("inf")]
        unanswered = len(took) - len(answered)
        slowest = f"{max(answered):.0f} ms" if answered else "-"
        print(
            f"WEB_THREADS={threads}, 2 processes, {SLOW} slow downloads: status card median "
            f"{common.median(answered):.0f} ms, slowest {slowest}, {unanswered} of {len(took)} unanswered",
            flush=True,
        )
        common.row(
            f"status card with {SLOW} slow downloads, WEB_THREADS={threads}",
            f"{unanswered} of {len(took)} unanswered in {CHECK_TIMEOUT:.0f} s, median {common.median(answered):.0f} ms",
            "0 unanswered",
            None,
            unanswered == 0,
        )


if __name__ == "__main__":
    main()
