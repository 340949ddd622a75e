"""An overall deadline for an HTTP exchange, and connections pinned to an address that was checked.

``requests`` (and urllib3 under it) bound each wait for data, not a whole answer: a server that sends one byte
every few seconds, in its headers or its body, holds the caller for as long as it likes. Inside ``with
Deadline(seconds)``, every connection that sends a request is watched, and when the time is up its socket is
shut down, which ends any read blocked on it at once; ``Deadline.passed`` then tells the caller why it failed.

The watch is made by connection classes that urllib3 lets a pool choose (``ConnectionCls``) and a pool manager
choose (``pool_classes_by_scheme``): ``WatchedAdapter`` mounts them in a ``requests.Session``, ``pinned_pool``
opens one host at one address that the caller has checked (see ``veoui.common.addresses``).
"""

from __future__ import annotations

import contextvars
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import SplitResult

import requests.certs
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_current: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar("veoui_http_deadline", default=None)


class Deadline:
    """The time one exchange may take in all: connect, send, and the answer's headers and body."""

    def __init__(self, seconds: float) -> None:
        if seconds <= 0:
            raise ValueError("a deadline must be positive")
        self.seconds = float(seconds)
        self.ends_at = time.monotonic() + self.seconds
        self.passed = False
        self._watched: list[HTTPConnection] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(self.seconds, self._expire)
        self._timer.daemon = True
        self._token: contextvars.Token | None = None

    def __enter__(self) -> Deadline:
        self._token = _current.set(self)
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()
        if self._token is not None:
            _current.reset(self._token)

    def remaining(self) -> float:
        return self.ends_at - time.monotonic()

    def check(self) -> None:
        """Raise ``DeadlinePassed`` once the time is up (between chunks, say)."""
        if self.passed or self.remaining() <= 0:
            self.passed = True
            raise DeadlinePassed(self.seconds)

    def watch(self, connection: HTTPConnection) -> None:
        with self._lock:
            if connection not in self._watched:
                self._watched.append(connection)
            late = self.passed
        if late:
            _shut(connection)

    def _expire(self) -> None:
        with self._lock:
            self.passed = True
            watched = list(self._watched)
        for connection in watched:
            _shut(connection)


class DeadlinePassed(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"no complete answer within {seconds:g} s")


def _shut(connection: HTTPConnection) -> None:
    sock = connection.sock
    if sock is None:
        return
    try:
        # The plain socket's shutdown, also for a TLS socket: it wakes the thread blocked reading it, while
        # closing (or SSLSocket.shutdown) would pull the socket from under that thread.
        if isinstance(sock, socket.socket):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
        else:
            sock.close()
    except OSError:
        pass


class _Watched:
    """A connection that the current deadline, if any, may cut."""

    def connect(self) -> None:
        deadline = _current.get()
        if deadline is not None:
            deadline.watch(self)  # type: ignore[arg-type]
        super().connect()  # type: ignore[misc]
        if deadline is not None and deadline.passed:
            _shut(self)  # type: ignore[arg-type]

    def request(self, *args: Any, **kwargs: Any) -> None:
        deadline = _current.get()
        if deadline is not None:
            deadline.watch(self)  # type: ignore[arg-type]
        super().request(*args, **kwargs)  # type: ignore[misc]


class WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class WatchedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = WatchedHTTPConnection


class WatchedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = WatchedHTTPSConnection


WATCHED_POOLS = {"http": WatchedHTTPConnectionPool, "https": WatchedHTTPSConnectionPool}


class WatchedAdapter(HTTPAdapter):
    """requests' adapter, with connections a ``Deadline`` can cut (also through an HTTP proxy)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = WATCHED_POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> urllib3.PoolManager:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if isinstance(manager, urllib3.ProxyManager):  # a SOCKS manager keeps its own pools
            manager.pool_classes_by_scheme = WATCHED_POOLS
        return manager


def pinned_pool(
    scheme: str,
    host: str,
    address: str,
    port: int,
    connect_timeout: float,
    read_timeout: float,
    ca_certs: str | None = None,
) -> HTTPConnectionPool:
    """A one-connection pool to ``host`` that connects to ``address`` only; TLS still checks the name ``host``."""
    timeout = urllib3.Timeout(connect=connect_timeout, read=read_timeout)
    if scheme == "https":
        return WatchedHTTPSConnectionPool(
            address,
            port,
            timeout=timeout,
            retries=False,
            cert_reqs="CERT_REQUIRED",
            ca_certs=ca_certs or requests.certs.where(),
            assert_hostname=host,
            server_hostname=host,
        )
    return WatchedHTTPConnectionPool(address, port, timeout=timeout, retries=False)


class NoConnection(Exception):
    """None of the checked addresses of a host accepted a connection in time."""


@contextmanager
def pinned_get(
    parts: SplitResult, target: Any, headers: dict[str, str], connect_timeout: float, read_timeout: float
) -> Iterator[urllib3.BaseHTTPResponse]:
    """One streamed GET of a URL (``parts``) whose host was checked (``target``, from addresses.check), from its
    checked addresses in turn until one connects. Redirects and retries are the caller's to decide, hop by hop.
    Raises NoConnection when none connected."""
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    for address in target.addresses:
        pool = pinned_pool(parts.scheme.lower(), target.host, str(address), target.port, connect_timeout, read_timeout)
        try:
            try:
                response = pool.urlopen(
                    "GET",
                    path,
                    headers=headers,
                    redirect=False,
                    retries=False,
                    preload_content=False,
                    assert_same_host=False,
                )
            except urllib3.exceptions.ConnectTimeoutError:  # refused or timed out: try the name's next address
                continue
            try:
                yield response
            finally:
                response.close()
            return
        finally:
            pool.close()
    raise NoConnection(target.host)
