"""Knowing, without asking the database, that rows read a moment ago still hold.

Every open video card asks each second whether anything on it changed, and each of those requests reads the same
three rows again: the session, the person with their membership, and the video. On PostgreSQL each read is a round
trip to the server (and Django adds one more, a health check, before the first). This module lets such a read be
answered from what the same process read before, for exactly as long as the database says nothing was written to
the tables involved since:

- PostgreSQL tells: a trigger on each watched table (migration core 0002) sends a notice on the ``veoui_changes``
  channel when a write to it commits, whichever program made it (veoui's web processes, its worker, an admin in
  psql). Each process listens on a connection of its own.
- SQLite is asked: ``PRAGMA data_version`` on a connection of its own changes whenever another connection commits
  anything to the file. A few microseconds, no round trip, but the question lets the process's other threads run
  and the asker then waits for its turn again: it is asked at most once every ``SQLITE_ASK_EVERY`` seconds.
- Writes through this process's own connections are noted as they commit (an execute wrapper on each connection).

While a process can't listen (before its listening connection is up, or after it broke, until it is back), nothing
is taken from memory: every read goes to the database as before. Reads inside a transaction are never kept, as
they may see writes that are later rolled back.

A change made by another process reaches this one when its notice arrives, a few milliseconds after the commit on
PostgreSQL, and at the next question (2 ms at most) on SQLite; a change made through this process counts at once.
"""

from __future__ import annotations

import logging
import math
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connections
from django.db.backends.signals import connection_created

log = logging.getLogger(__name__)

CHANNEL = "veoui_changes"
LISTENER_NAME = "veoui changes"  # the listening connections' application_name, as pg_stat_activity shows them
# The tables whose rows may be answered from memory: each has a trigger on PostgreSQL (migration core 0002).
WATCHED = frozenset({"django_session", "auth_user", "team_membership", "studio_generation"})
# Statements that never write: everything else that names a watched table counts as a change to it.
READ_ONLY = ("SELECT", "SAVEPOINT", "RELEASE", "SHOW", "EXPLAIN", "SET ")
RECONNECT_SECONDS = 1.0
# Under wrk -c64, asking before every kept read (2 a status check) took 10% of the web threads' samples (py-spy),
# nearly all of it waiting to run again; once per 2 ms the status checks' p99 fell from 44-49 to 37-42 ms.
SQLITE_ASK_EVERY = 0.002
_monotonic = time.monotonic


class Clock:
    """A count of changes: a kept read holds when no table it read changed after the count it was read at."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count = 0
        self._changed_at: dict[str, int] = {}
        self._since = math.inf  # reads made before this count don't hold; infinite while nobody watches

    def mark(self) -> int:
        return self.count

    def note(self, tables: Iterable[str]) -> None:
        with self._lock:
            self.count += 1
            for table in tables:
                self._changed_at[table] = self.count

    def restart(self, watching: bool) -> None:
        """Everything read so far stops holding; from now on reads hold only if ``watching``."""
        with self._lock:
            self.count += 1
            # The changes noted stay: a read checks when it began and then what changed, and must never see a
            # state in between.
            self._since = self.count if watching else math.inf

    def holds(self, mark: int, tables: Iterable[str]) -> bool:
        if mark < self._since:
            return False
        changed_at = self._changed_at
        return all(changed_at.get(table, 0) <= mark for table in tables)


class Watcher:
    """How one process learns of other programs' writes to one database."""

    def __init__(self, alias: str, clock: Clock) -> None:
        self.alias = alias
        self.clock = clock

    def refresh(self) -> None:
        """Bring the clock up to date before a read is answered from memory."""


class SqliteWatcher(Watcher):
    def __init__(self, alias: str, clock: Clock) -> None:
        super().__init__(alias, clock)
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._version: int | None = None
        self._asked = -math.inf  # _monotonic() at the last question

    def _asked_lately(self) -> bool:
        return _monotonic() - self._asked < SQLITE_ASK_EVERY

    def refresh(self) -> None:
        if self._asked_lately():
            return
        with self._lock:
            if self._asked_lately():  # another thread asked while this one waited for the lock
                return
            self._asked = _monotonic()
            try:
                if self._connection is None:
                    name = str(connections[self.alias].settings_dict["NAME"])
                    if name == ":memory:" or "mode=memory" in name:
                        return  # private to each connection: nothing to watch, nothing ever kept
                    self._connection = sqlite3.connect(name, check_same_thread=False, timeout=5)
                version = self._connection.execute("PRAGMA data_version").fetchone()[0]
            except sqlite3.Error:
                log.warning("Can't watch the SQLite database for changes; reading every time", exc_info=True)
                self._close()
                self.clock.restart(watching=False)
                return
            if version != self._version:
                self._version = version
                self.clock.restart(watching=True)

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection, self._version, self._asked = None, None, -math.inf


class PostgresWatcher(Watcher):
    def __init__(self, alias: str, clock: Clock) -> None:
        super().__init__(alias, clock)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._stop = threading.Event()

    def _listening(self) -> bool:
        """Whether this process's listening thread runs (a forked process has none of its own yet)."""
        return self._thread is not None and self._pid == os.getpid() and self._thread.is_alive()

    def refresh(self) -> None:
        if self._listening():
            return
        with self._lock:
            if not self._stop.is_set() and not self._listening():
                self.clock.restart(watching=False)
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._listen, name=f"veoui-changes-{self.alias}", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        with self._lock:
            self._stop.set()
            thread = self._thread
        if thread is not None and thread.is_alive():
            thread.join(timeout=10)
        self.clock.restart(watching=False)

    def _listen(self) -> None:
        while not self._stop.is_set():
            wrapper = connections.create_connection(self.alias)
            try:
                wrapper.ensure_connection()
                listening = wrapper.connection
                listening.autocommit = True
                listening.execute(f"SET application_name = '{LISTENER_NAME}'")
                listening.execute(f"LISTEN {CHANNEL}")
                self.clock.restart(watching=True)
                checked = time.monotonic()
                while not self._stop.is_set():
                    for notice in listening.notifies(timeout=1.0):
                        self.clock.note((notice.payload,))
                    if time.monotonic() - checked > 30:  # quiet for a while: make sure the connection still stands
                        listening.execute("SELECT 1")
                        checked = time.monotonic()
            except Exception:
                log.info("Lost the database's change notices; reading every time until they are back", exc_info=True)
            finally:
                self.clock.restart(watching=False)
                try:
                    wrapper.close()
                except Exception:
                    log.debug("Closing the listening connection failed", exc_info=True)
            self._stop.wait(RECONNECT_SECONDS)


CLOCK = Clock()
_watchers: dict[str, Watcher] = {}
_watchers_lock = threading.Lock()


def watcher(alias: str) -> Watcher | None:
    found = _watchers.get(alias)
    if found is None:
        vendor = connections[alias].vendor
        kind = {"sqlite": SqliteWatcher, "postgresql": PostgresWatcher}.get(vendor)
        if kind is None:
            return None
        with _watchers_lock:
            found = _watchers.setdefault(alias, kind(alias, CLOCK))
    return found


def stop_watching() -> None:
    """Close the listening connections for good (before the database they listen to is dropped, say)."""
    for found in list(_watchers.values()):
        if isinstance(found, PostgresWatcher):
            found.stop()


def tables_of(sql: str) -> frozenset[str]:
    return frozenset(table for table in WATCHED if table in sql)


def _note_writes(execute: Callable, sql: str, params: Any, many: bool, context: dict) -> Any:
    try:
        return execute(sql, params, many, context)
    finally:
        if not sql.lstrip()[:9].upper().startswith(READ_ONLY):
            tables = tables_of(sql)
            if tables:
                CLOCK.note(tables)  # now, and again when the transaction it is part of commits
                connection = context["connection"]
                if connection.in_atomic_block:
                    connection.on_commit(lambda: CLOCK.note(tables))


def _watch_writes(sender: object, connection: Any, **kwargs: object) -> None:
    if _note_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_note_writes)


connection_created.connect(_watch_writes, dispatch_uid="veoui-changes-writes")
