"""All of veoui's data, out of one database and into another: for backups (`veoui_backup`, `veoui_restore`) and
for moving an installation from SQLite to PostgreSQL (`veoui_move_database`).

The rows travel as Django's JSON Lines serialization of every model (`dumpdata`/`loaddata`), which every
database Django supports can read: a backup of a SQLite installation restores into PostgreSQL and back. Primary
keys are kept, so links between rows (and the task queue's references to generations) survive the trip.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dj_database_url
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import ConnectionDoesNotExist, load_backend

SNAPSHOT_ALIAS = "veoui_snapshot"
# Written as JSON Lines with times to the microsecond, read back by Django's own "jsonl" (veoui.ops.serializer).
DUMP_FORMAT = "jsonl-exact"
serializers.register_serializer(DUMP_FORMAT, "veoui.ops.serializer")
# Which worker processes were alive says nothing about the place the data goes to.
EXCLUDED_MODELS = ["studio.WorkerHeartbeat"]
# `migrate` makes these for every model; the copied rows replace them, with the ids the data refers to.
MADE_BY_MIGRATE = (ContentType, Permission)


def database_config(url: str) -> dict:
    try:
        return dj_database_url.parse(url)
    except ValueError as error:
        raise CommandError(f"That is not a database address Django understands: {error}") from None


def add_database(alias: str, config: dict) -> None:
    """Make another database reachable as ``connections[alias]`` in this thread, until ``remove_database``.

    The connection is made directly rather than added to settings.DATABASES, so nothing else in the process
    (closing old connections, checks) ever sees it.
    """
    configured = connections.configure_settings({DEFAULT_DB_ALIAS: {}, alias: dict(config)})[alias]
    connections[alias] = load_backend(configured["ENGINE"]).DatabaseWrapper(configured, alias)


def remove_database(alias: str) -> None:
    try:
        connection = connections[alias]
    except ConnectionDoesNotExist:
        return
    connection.close()
    del connections[alias]


def describe(using: str) -> str:
    """Where a database is, without its password, for messages."""
    config = connections[using].settings_dict
    if connections[using].vendor == "sqlite":
        return f"SQLite {config['NAME']}"
    return f"{connections[using].display_name} {config['NAME']} on {config['HOST'] or 'localhost'}"


def applied_migrations(using: str) -> list[list[str]]:
    return sorted([app, name] for app, name in MigrationRecorder(connections[using]).applied_migrations())


def unapplied_migrations(using: str) -> list[str]:
    executor = MigrationExecutor(connections[using])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, backwards in plan if not backwards]


@contextmanager
def snapshot(using: str) -> Iterator[str]:
    """A database alias that shows ``using`` as it was at one moment, while veoui may go on writing to it.

    SQLite: a copy made with SQLite's backup API (one step, so it is consistent). PostgreSQL: one transaction
    in REPEATABLE READ, which sees a single snapshot for all of its reads.
    """
    connection = connections[using]
    if connection.vendor == "sqlite":
        with tempfile.TemporaryDirectory(prefix="veoui-snapshot-") as folder:
            copy = Path(folder) / "snapshot.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(copy)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
            add_database(SNAPSHOT_ALIAS, {"ENGINE": "django.db.backends.sqlite3", "NAME": copy})
            try:
                yield SNAPSHOT_ALIAS
            finally:
                remove_database(SNAPSHOT_ALIAS)
        return
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield using


def dump(path: Path, using: str = DEFAULT_DB_ALIAS) -> list[list[str]]:
    """Write every row of every model to ``path`` (.jsonl); returns the migrations the rows belong to."""
    excluded = [label for label in EXCLUDED_MODELS if _model_exists(label)]
    with snapshot(using) as alias:
        migrations = applied_migrations(alias)
        call_command(
            "dumpdata",
            format=DUMP_FORMAT,
            output=str(path),
            database=alias,
            exclude=excluded,
            use_base_manager=True,
            verbosity=0,
        )
    return migrations


def dumped_counts(path: Path) -> Counter:
    counts: Counter = Counter()
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                counts[json.loads(line)["model"]] += 1
    return counts


def row_counts(using: str, labels: list[str]) -> Counter:
    return Counter({label: apps.get_model(label)._base_manager.using(using).count() for label in labels})


def load(path: Path, migrations: list[list[str]], using: str) -> None:
    """Fill a database that holds no data yet with the rows of ``dump``.

    Its tables are first brought to the migrations the rows were dumped at (so a backup made by an older veoui
    loads into the tables it was made from), then filled, then migrated to this version of veoui.
    """
    ensure_no_data(using)
    with pinned_to(using):
        migrate_to(migrations, using)
        call_command("flush", database=using, interactive=False, inhibit_post_migrate=True, verbosity=0)
        call_command("loaddata", str(path), database=using, verbosity=0)
        call_command("migrate", database=using, interactive=False, verbosity=0)


class _PinnedRouter:
    def __init__(self, alias: str) -> None:
        self.alias = alias

    def db_for_read(self, model: type, **hints: object) -> str:
        return self.alias

    def db_for_write(self, model: type, **hints: object) -> str:
        return self.alias


@contextmanager
def pinned_to(alias: str) -> Iterator[None]:
    """Send queries that name no database to ``alias``: some data migrations (django-tasks-db's 0016) forget
    ``.using()``, and while another database is being migrated they must not touch the default one."""
    if alias == DEFAULT_DB_ALIAS:
        yield
        return
    pin = _PinnedRouter(alias)
    router.routers.insert(0, pin)
    try:
        yield
    finally:
        router.routers.remove(pin)


def ensure_no_data(using: str) -> None:
    connection = connections[using]
    tables = set(connection.introspection.table_names())
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or model in MADE_BY_MIGRATE or meta.db_table not in tables:
            continue
        if model._base_manager.using(using).exists():
            raise CommandError(
                f"{describe(using)} already holds data ({meta.label}). veoui only fills an empty database: "
                "create a new one (and don't start veoui on it first)."
            )


def migrate_to(migrations: list[list[str]], using: str) -> None:
    executor = MigrationExecutor(connections[using])
    graph = executor.loader.graph
    recorded = {(app, name) for app, name in migrations}
    unknown = sorted(recorded - set(graph.nodes))
    if unknown:
        raise CommandError(
            "This data comes from a newer version of veoui (it has migrations this one doesn't know: "
            f"{', '.join(f'{app}.{name}' for app, name in unknown[:5])}). Install that version first."
        )
    targets = []
    for app in sorted({app for app, _name in graph.nodes}):
        mine = [node for node in recorded if node[0] == app]
        # The app's latest recorded migration: the one whose history includes all the others.
        targets.append(max(mine, key=lambda node: len(graph.forwards_plan(node))) if mine else (app, None))
    executor.migrate(targets)


def _model_exists(label: str) -> bool:
    try:
        apps.get_model(label)
    except LookupError:
        return False
    return True
