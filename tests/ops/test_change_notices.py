"""An existing PostgreSQL database loses the change notices of core 0002 (a trigger on four tables and its
function) when it migrates forward; nothing is there to drop on SQLite."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL only: SQLite never had them"),
]
TABLES = importlib.import_module("veoui.ops.migrations.0002_change_notices").TABLES


def migrate(*targets: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(list(targets) or executor.loader.graph.leaf_nodes())


def notices() -> tuple[set[str], bool]:
    """The tables with the notice trigger, and whether its function exists."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = 'veoui_note_change'")
        tables = {name.strip('"') for (name,) in cursor.fetchall()}
        cursor.execute("SELECT count(*) FROM pg_proc WHERE proname = 'veoui_note_change'")
        return tables, cursor.fetchone()[0] > 0


@pytest.fixture
def latest_schema_after() -> Iterator[None]:
    yield
    migrate()


@pytest.mark.usefixtures("latest_schema_after")
def test_it_drops_the_change_notices_from_an_existing_database() -> None:
    migrate(("core", "0002_change_notices"))  # the schema databases have today
    assert notices() == (set(TABLES), True)
    migrate(("core", "0003_drop_change_notices"))
    assert notices() == (set(), False)
    migrate(("core", "0002_change_notices"))  # undone, they are back
    assert notices() == (set(TABLES), True)
