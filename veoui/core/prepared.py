"""Reads that the busiest requests repeat many times a second, with their SQL written once instead of every time.

Every open video card asks for its status each second, and each of those requests reads the session, the person
and the video by their keys. Django's ORM builds and compiles a query's SQL anew on every use; for a read by one
key that is nearly all of its cost (about 0.5 ms here, against some 0.03 ms for the database itself). A
``PreparedRead`` is an ordinary queryset, built and compiled once per thread with stand-in values; each use runs
that SQL with the real values and turns the row into model instances as the ORM does (the same converters, the
same ``select_related`` objects). What is read, and every rule in the queryset, stays the queryset's own.

A read made with ``kept=True`` is also kept in memory, shared by the process's threads, and answered from there
while the database has had no write to any table it reads (veoui/core/changes.py says when that holds).
"""

from __future__ import annotations

import datetime
import decimal
import threading
import uuid
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.query import _get_from_db, get_related_populators

from veoui.core import changes

# Values a kept row may hold: ones nobody can change in place (each request builds its own instances from them).
UNCHANGEABLE = (
    str, int, float, bool, type(None), bytes, datetime.datetime, datetime.date, datetime.time,
    datetime.timedelta, decimal.Decimal, uuid.UUID,
)  # fmt: skip
KEPT = 10_000  # entries in each memory of kept things (rows per read here, sessions in sessions.py)


def remember(memo: dict, key: Hashable, value: object) -> None:
    """Put ``value`` in ``memo``, which starts over when it holds ``KEPT`` entries (so it never grows without end)."""
    if len(memo) >= KEPT:
        memo.clear()
    memo[key] = value


def _unchangeable(rows: list[tuple]) -> bool:
    return all(type(value) in UNCHANGEABLE for row in rows for value in row)


def _stand_in(field: models.Field, serial: int) -> Any:
    """A value of ``field``'s kind that no real row or other parameter has, to find where its column's value goes."""
    target = field.target_field if field.is_relation else field
    if isinstance(target, models.UUIDField):
        return uuid.UUID(int=0x5EED_0000_0000_0000_0000_0000_0000_0000 + serial)
    if isinstance(target, models.DateTimeField):
        return datetime.datetime(1901, 2, 3, 4, 5, 6, 700_000 + serial, tzinfo=datetime.UTC)
    if isinstance(target, models.IntegerField):
        return -987_654_000 - serial
    if isinstance(target, models.CharField | models.TextField):
        return f"\x00veoui-stand-in-{serial}\x00"
    raise TypeError(f"PreparedRead has no stand-in value for {type(target).__name__}")


@dataclass(frozen=True)
class _Plan:
    sql: str
    params: tuple
    slots: dict[str, tuple[int, ...]]  # parameter name -> positions of its value in params
    converters: list
    model: type[models.Model]
    init_list: list[str]
    model_slice: slice
    populators: list
    from_db: Callable
    annotations: dict[str, int]  # annotate()'s names -> their column
    tables: frozenset[str]  # every table the SQL reads


class PreparedRead:
    """At most one row of ``build(**values)`` (which must select by a unique key), without building it each time.

    ``fields`` names, for each value that changes from call to call, the model field whose column it is compared
    with. Any other keyword is a shape of the query (such as whether the reader is an admin): each shape is
    compiled on its own, so it must be hashable and take few values.

    ``kept``: answer from memory while nothing was written to the tables read (all must be in changes.WATCHED).
    """

    def __init__(self, build: Callable[..., models.QuerySet], *, kept: bool = False, **fields: models.Field) -> None:
        self.build = build
        self.fields = fields
        self.kept = kept
        self._local = threading.local()  # each thread keeps plans made with its own database connection
        # (database, SQL, values) -> (change count, rows, whether converted)
        self._rows: dict[tuple, tuple[int, list[tuple], bool]] = {}

    def get(self, using: str = DEFAULT_DB_ALIAS, **arguments: Any) -> models.Model | None:
        """The object, or None when no row matches. Raises MultipleObjectsReturned as QuerySet.get() does."""
        shape = tuple(sorted((k, v) for k, v in arguments.items() if k not in self.fields))
        plans = self._local.__dict__.setdefault("plans", {})
        plan = plans.get((using, shape))
        if plan is None:
            plan = plans[(using, shape)] = self._compile(using, dict(shape))
        connection = connections[using]
        params = list(plan.params)
        for name, positions in plan.slots.items():
            value = self.fields[name].get_db_prep_value(arguments[name], connection, prepared=False)
            for position in positions:
                params[position] = value
        rows = self._kept_rows(connection, plan, params) if self.kept else self._read(connection, plan, params)
        if not rows:
            return None
        if len(rows) > 1:
            raise plan.model.MultipleObjectsReturned("PreparedRead found more than one row")
        row = rows[0]
        instance = plan.from_db(using, plan.init_list, row[plan.model_slice])
        for populator in plan.populators:
            populator.populate(row, instance)
        for name, position in plan.annotations.items():
            setattr(instance, name, row[position])
        return instance

    @staticmethod
    def _fetch(connection: Any, plan: _Plan, params: list) -> list[tuple]:
        """At most two rows, as the database driver gives them."""
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, params)
            return cursor.fetchmany(2)

    @staticmethod
    def _convert(connection: Any, plan: _Plan, rows: list[tuple]) -> list[tuple]:
        """The rows' values converted as the ORM converts them (a text from SQLite to a date or a list, say)."""
        converted = []
        for row in rows:
            row = list(row)
            for position, (converters, expression) in plan.converters:
                value = row[position]
                for converter in converters:
                    value = converter(value, expression, connection)
                row[position] = value
            converted.append(tuple(row))
        return converted

    def _read(self, connection: Any, plan: _Plan, params: list) -> list[tuple]:
        return self._convert(connection, plan, self._fetch(connection, plan, params))

    def _kept_rows(self, connection: Any, plan: _Plan, params: list) -> list[tuple]:
        watcher = changes.watcher(connection.alias)
        if watcher is None or connection.in_atomic_block:  # a transaction may see writes that are rolled back
            return self._read(connection, plan, params)
        watcher.refresh()
        mark = changes.CLOCK.mark()
        key = (connection.alias, plan.sql, *params)
        kept = self._rows.get(key)
        if kept is not None and changes.CLOCK.holds(kept[0], plan.tables):
            _, rows, converted = kept
            return rows if converted else self._convert(connection, plan, rows)
        fetched = self._fetch(connection, plan, params)
        rows = self._convert(connection, plan, fetched)
        # Kept as converted when nothing in them can be changed in place; else (a list from a JSON column, say) as
        # the driver gave them, converted anew on each use, when those can't be.
        if _unchangeable(rows):
            remember(self._rows, key, (mark, rows, True))
        elif _unchangeable(fetched):
            remember(self._rows, key, (mark, fetched, False))
        return rows

    def _compile(self, using: str, shape: dict[str, Hashable]) -> _Plan:
        stand_ins = {name: _stand_in(field, serial) for serial, (name, field) in enumerate(self.fields.items())}
        queryset = self.build(**stand_ins, **shape)
        connection = connections[using]
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = {}
        for name, stand_in in stand_ins.items():
            prepared = self.fields[name].get_db_prep_value(stand_in, connection, prepared=False)
            positions = tuple(i for i, p in enumerate(params) if type(p) is type(prepared) and p == prepared)
            if positions:
                slots[name] = positions
            elif str(prepared) in sql:  # written into the SQL itself: these plans can't carry it
                raise TypeError(f"PreparedRead can't pass {name!r} as a parameter of {sql!r}")
        klass_info, select = compiler.klass_info, compiler.select
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        fetch_mode = queryset._fetch_mode
        tables = frozenset(
            table
            for table in {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
            if connection.ops.quote_name(table) in sql
        )
        if self.kept and not tables <= changes.WATCHED:
            raise TypeError(f"PreparedRead can't keep rows of {sorted(tables - changes.WATCHED)}: nothing watches them")
        return _Plan(
            sql=sql,
            params=tuple(params),
            slots=slots,
            converters=list(compiler.get_converters([column for column, _, _ in select]).items()),
            model=klass_info["model"],
            init_list=[column.target.attname for column, _, _ in select[start:end]],
            model_slice=slice(start, end),
            populators=get_related_populators(klass_info, select, using, fetch_mode),
            from_db=_get_from_db(klass_info["model"], fetch_mode),
            annotations=dict(compiler.annotation_col_map or {}),
            tables=tables,
        )
