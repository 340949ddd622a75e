"""Real HTTP on 127.0.0.1 for the client's tests, without the simulator.

``kie_server`` answers each path with what a test queued for it: a canned fixture body, a raw body with any
status, a hang (the request arrives, no answer comes) or a drop (the request arrives, the connection closes).
It records every request so tests can check what went over the wire.
"""

from __future__ import annotations

import json
import select
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from veoui.kie.client import KieClient

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "kie"
KEY = "test-kie-key-DO-NOT-LEAK-7f3a"


def load_fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    action: str = "answer"  # or "hang", "drop"


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class FakeKie:
    base_url: str
    answers: dict[str, list[Answer]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def fixture(self, path: str, name: str, status: int = 200) -> None:
        self.raw(path, (FIXTURES / name).read_bytes(), status=status)

    def json(self, path: str, body: object, status: int = 200) -> None:
        self.raw(path, json.dumps(body).encode(), status=status)

    def raw(self, path: str, body: bytes, status: int = 200, content_type: str = "application/json") -> None:
        self.answers.setdefault(path, []).append(Answer(status, body, content_type))

    def hang(self, path: str) -> None:
        self.answers.setdefault(path, []).append(Answer(action="hang"))

    def drop(self, path: str) -> None:
        self.answers.setdefault(path, []).append(Answer(action="drop"))


def _handler(fake: FakeKie) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            fake.seen.append(Seen(self.command, parts.path, parse_qs(parts.query), dict(self.headers), body))
            queue = fake.answers.get(parts.path) or [Answer(404, b'{"code":404,"msg":"no such path"}')]
            answer = queue.pop(0) if len(queue) > 1 else queue[0]
            if answer.action == "hang":
                fake.release.wait(10)
                self.close_connection = True
                return
            if answer.action == "drop":
                self.close_connection = True
                return
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        do_GET = do_POST = _serve

        def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
            pass

    return Handler


@pytest.fixture
def kie_server() -> Iterator[FakeKie]:
    fake = FakeKie(base_url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield fake
    fake.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def kie_client(kie_server: FakeKie) -> Iterator[KieClient]:
    with KieClient(KEY, kie_server.base_url, kie_server.base_url, connect_timeout=0.5, read_timeout=0.5) as kie:
        yield kie


@pytest.fixture
def refused_port() -> int:
    """A loopback port with nothing listening: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def unaccepting_port() -> Iterator[int]:
    """A loopback port whose listen queue is full, so a new connection hangs in connect until it times out.

    Linux keeps backlog + 1 completed connections; once they are queued and never accepted, further SYNs are
    dropped. The fillers are added until one of them no longer completes, so the trick does not depend on
    the exact queue length.
    """
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    for _ in range(16):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
        _, writable, _ = select.select([], [filler], [], 0.2)
        if not writable:
            break
    else:
        pytest.fail("could not fill the listen queue on this platform")
    yield port
    for filler in fillers:
        filler.close()
    server.close()
