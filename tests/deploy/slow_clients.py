"""Clients that send on purpose slowly (slowloris), as many as asked, for as long as asked.

Half send their request's headers one line every 2 s and never finish them; the other half send complete headers,
then a body one byte every 2 s. A connection the server closes is opened again at once, so that ``count`` are
dripping at every moment. One thread drives them all.
"""

from __future__ import annotations

import socket
import ssl
import threading
from dataclasses import dataclass, field

DRIP_EVERY = 2.0


@dataclass
class SlowClients:
    host: str
    port: int
    count: int
    tls: bool = False
    server_name: str = "localhost"
    slow_bodies: bool = True  # False: all of them drip headers
    opened: int = 0
    closed_by_server: int = 0
    refused: int = 0
    _sockets: list[tuple[socket.socket, bool]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _all_open: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> SlowClients:
        self._thread = threading.Thread(target=self._drip, daemon=True)
        self._thread.start()
        if not self._all_open.wait(60):
            raise AssertionError(f"could not open {self.count} slow connections")
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        for sock, _ in self._sockets:
            sock.close()

    def _connect(self, slow_body: bool) -> socket.socket:
        sock = socket.create_connection((self.host, self.port), timeout=10)
        if self.tls:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            sock = context.wrap_socket(sock, server_hostname=self.server_name)
        # With a Referer and a CSRF cookie (anyone gets one from the login page), Django's CSRF check reads the
        # form, the slow body, instead of refusing the post at once.
        start = (
            f"POST /studio/text/ HTTP/1.1\r\nHost: {self.server_name}\r\nReferer: https://{self.server_name}/\r\n"
            f"Cookie: csrftoken={'a' * 32}\r\n"
        )
        if slow_body:
            start += "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000000\r\n\r\n"
        sock.sendall(start.encode())
        sock.setblocking(False)
        self.opened += 1
        return sock

    def _drip(self) -> None:
        kinds = [self.slow_bodies and number % 2 == 1 for number in range(self.count)]
        self._sockets = [(self._connect(slow_body), slow_body) for slow_body in kinds]
        self._all_open.set()
        while not self._stop.wait(DRIP_EVERY):
            for index, (sock, slow_body) in enumerate(self._sockets):
                if self._still_open(sock, b"a" if slow_body else b"X-Slow: 1\r\n"):
                    continue
                sock.close()
                self.closed_by_server += 1
                try:
                    self._sockets[index] = (self._connect(slow_body), slow_body)
                except OSError:
                    self.refused += 1  # tried again at the next drip

    @staticmethod
    def _still_open(sock: socket.socket, drip: bytes) -> bool:
        """Send one more drip; False once the server has answered or closed the connection."""
        try:
            sock.recv(4096)
            return False  # an answer (e.g. 408) or the end of the connection: the server is done with it
        except (BlockingIOError, ssl.SSLWantReadError):
            pass  # nothing to read: the server is still waiting for us
        except OSError:
            return False
        try:
            sock.send(drip)
        except (BlockingIOError, ssl.SSLWantWriteError):
            return True
        except OSError:
            return False
        return True
