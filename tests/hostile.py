"""A hostile stand-in for kie.ai on 127.0.0.1: each path answers the way a test scripts it, however badly.

It can answer with a result URL pointing into the internal network, redirect there, send a 200 MB answer
(made as it is sent, never held in memory), drip one byte every two seconds, nest JSON a hundred thousand
deep, or echo the API key in a failure. It counts what it sent per path, so a test can tell how much of an
answer veoui read. ``InternalPage`` plays a page on the internal network that veoui must never fetch.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

Behaviour = Callable[[BaseHTTPRequestHandler, "HostileKie"], None]
CHUNK = 64 * 1024


@dataclass
class HostileKie:
    url: str = ""
    routes: dict[str, Behaviour] = field(default_factory=dict)
    seen: list[tuple[str, str]] = field(default_factory=list)
    sent: dict[str, int] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on(self, path: str, behaviour: Behaviour) -> None:
        self.routes[path] = behaviour

    def hits(self, path: str) -> int:
        with self.lock:
            return sum(1 for _method, seen_path in self.seen if seen_path == path)

    def count(self, path: str, size: int) -> None:
        with self.lock:
            self.sent[path] = self.sent.get(path, 0) + size


def write(handler: BaseHTTPRequestHandler, hostile: HostileKie, data: bytes) -> None:
    handler.wfile.write(data)
    handler.wfile.flush()
    hostile.count(urlsplit(handler.path).path, len(data))


def answer(status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> Behaviour:
    def behave(handler: BaseHTTPRequestHandler, hostile: HostileKie) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        write(handler, hostile, body)

    return behave


def json_answer(body: object, status: int = 200) -> Behaviour:
    return answer(status, json.dumps(body).encode(), "application/json")


def redirect(location: str, status: int = 302) -> Behaviour:
    return answer(status, b"", "text/plain", {"Location": location})


def huge_json(size: int = 200 * 1024 * 1024, declare_length: bool = True) -> Behaviour:
    """A valid generate answer of ``size`` bytes, padded out, made chunk by chunk as it is sent; without a
    declared length it simply goes on until the connection closes."""
    start = b'{"code": 200, "msg": "success", "data": {"taskId": "hostile-task-1", "padding": "'
    end = b'"}}'

    def behave(handler: BaseHTTPRequestHandler, hostile: HostileKie) -> None:
        handler.close_connection = True
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        if declare_length:
            handler.send_header("Content-Length", str(size))
        handler.send_header("Connection", "close")
        handler.end_headers()
        padding = b"a" * CHUNK
        left = size - len(start) - len(end)
        try:
            write(handler, hostile, start)
            while left > 0 and not hostile.stop.is_set():
                piece = padding[: min(CHUNK, left)]
                write(handler, hostile, piece)
                left -= len(piece)
            write(handler, hostile, end)
        except OSError:
            pass  # veoui hung up: the point

    return behave


def drip(body: bytes, content_type: str = "application/json", every: float = 2.0) -> Behaviour:
    """The whole answer, status line and headers included, one byte every ``every`` seconds."""
    head = (
        f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()

    def behave(handler: BaseHTTPRequestHandler, hostile: HostileKie) -> None:
        handler.close_connection = True
        try:
            for byte in head + body:
                write(handler, hostile, bytes([byte]))
                if hostile.stop.wait(every):
                    return
        except OSError:
            return

    return behave


def nested_json(depth: int = 100_000) -> Behaviour:
    return answer(200, b'{"code": 200, "data": ' + b"[" * depth + b"]" * depth + b"}", "application/json")


def _handler(hostile: HostileKie) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            path = urlsplit(self.path).path
            with hostile.lock:
                hostile.seen.append((self.command, path))
            behaviour = hostile.routes.get(path) or json_answer({"code": 404, "msg": "no such path"}, 404)
            behaviour(self, hostile)

        do_GET = do_POST = serve

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A threaded server on a free port of 127.0.0.1; its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def hostile_kie() -> Iterator[HostileKie]:
    hostile = HostileKie()
    with serving(_handler(hostile)) as url:
        hostile.url = url
        try:
            yield hostile
        finally:
            hostile.stop.set()  # lets every drip go


@dataclass
class InternalPage:
    """A server on the internal network (here: another port of 127.0.0.1) that serves a perfectly good video."""

    url: str = ""
    hits: list[str] = field(default_factory=list)


@contextmanager
def internal_page(video: bytes) -> Iterator[InternalPage]:
    page = InternalPage()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            page.hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "video/mp4")
            self.send_header("Content-Length", str(len(video)))
            self.end_headers()
            self.wfile.write(video)

        def log_message(self, format: str, *args: object) -> None:
            pass

    with serving(Handler) as url:
        page.url = url
        yield page
