"""Extra, throw-away databases for tests that move data between databases (backups, moving to PostgreSQL)."""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection

from veoui.ops import dataset

# The PostgreSQL these machines run (README: CI's second pass uses it); DATABASE_URL's server when it is one.
LOCAL_POSTGRES = {"USER": "postgres", "PASSWORD": "", "HOST": "127.0.0.1", "PORT": "5432"}


def postgres_server() -> dict:
    if connection.vendor == "postgresql":
        config = connection.settings_dict
        return {key: str(config.get(key) or "") for key in LOCAL_POSTGRES}
    return dict(LOCAL_POSTGRES)


def postgres_url(server: dict, name: str) -> str:
    password = f":{server['PASSWORD']}" if server["PASSWORD"] else ""
    return f"postgres://{server['USER']}{password}@{server['HOST']}:{server['PORT'] or 5432}/{name}"


def _admin_connection(server: dict):
    import psycopg

    return psycopg.connect(
        host=server["HOST"] or "127.0.0.1",
        port=int(server["PORT"] or 5432),
        user=server["USER"],
        password=server["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
        connect_timeout=3,
    )


def require_postgres() -> dict:
    server = postgres_server()
    try:
        _admin_connection(server).close()
    except Exception as error:
        pytest.skip(f"needs PostgreSQL on {server['HOST']}:{server['PORT']} (CI starts it): {error}")
    return server


@contextmanager
def new_postgres_database(prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database with a unique name; its URL. Dropped afterwards."""
    server = require_postgres()
    name = f"{prefix}_{secrets.token_hex(4)}"
    with _admin_connection(server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield postgres_url(server, name)
    finally:
        with _admin_connection(server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def empty_database_like_default(alias: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty database of the kind the suite runs on (SQLite file or PostgreSQL), as ``alias``."""
    if connection.vendor == "postgresql":
        with new_postgres_database("veoui_test_restore") as url:
            dataset.add_database(alias, dataset.database_config(url))
            try:
                yield alias
            finally:
                dataset.remove_database(alias)
    else:
        dataset.add_database(alias, {"ENGINE": "django.db.backends.sqlite3", "NAME": tmp_path / f"{alias}.sqlite3"})
        try:
            yield alias
        finally:
            dataset.remove_database(alias)


def rows(model_label: str, using: str) -> list[dict]:
    model = apps.get_model(model_label)
    return list(model._base_manager.using(using).order_by("pk").values())


def checksums(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` by relative name, with its SHA-256."""
    found = {}
    for root, _folders, files in os.walk(folder):
        for name in files:
            path = Path(root) / name
            found[path.relative_to(folder).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found
