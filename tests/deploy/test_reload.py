"""gunicorn's graceful restart (SIGHUP, what `systemctl reload veoui-web` sends) under continuous load: the new
processes take over the one shared listening socket, so no request waiting in it is dropped."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import requests

from tests.deploy.servers import collect_static, listening_address, procfile, running, server_environment, wait_for


def test_two_reloads_under_load_answer_every_request(transactional_db, kie, tmp_path: Path) -> None:
    environment = server_environment(
        kie, tmp_path / "media", STATIC_ROOT=str(tmp_path / "static"), HOST="127.0.0.1", PORT="0", WEB_CONCURRENCY="2"
    )
    collect_static(environment)
    web_log = tmp_path / "web.log"
    answers: list[int | str] = []
    stop = threading.Event()
    with running(procfile()["web"], environment, web_log) as gunicorn:
        base = listening_address(web_log)

        def load() -> None:
            while not stop.is_set():
                try:  # a new connection each time, as many browsers arriving
                    answers.append(
                        requests.get(f"{base}/login/", headers={"Connection": "close"}, timeout=30).status_code
                    )
                except requests.RequestException as error:
                    answers.append(repr(error))

        clients = [threading.Thread(target=load) for _ in range(4)]
        for client in clients:
            client.start()
        booted = lambda: web_log.read_text(errors="replace").count("Booting worker")  # noqa: E731
        for reload in (1, 2):
            wait_for(lambda reload=reload: len(answers) >= 20 * reload, 60, "answers before a reload", web_log)
            gunicorn.send_signal(signal.SIGHUP)
            wait_for(
                lambda reload=reload: booted() >= 2 + 2 * reload, 60, f"new processes after reload {reload}", web_log
            )
        counted = len(answers)
        wait_for(lambda: len(answers) >= counted + 20, 60, "answers after the second reload", web_log)
        stop.set()
        for client in clients:
            client.join()
    assert set(answers) == {200}, [answer for answer in answers if answer != 200][:5]
    assert web_log.read_text().count("Handling signal: hup") == 2
