"""Reads kept in memory (the session, the person, a visible video) are answered from there only while the database
has had no write to what they read: writes through veoui itself, and writes by any other program (here a
connection of the test's own, as the worker or an admin in a database shell would make them).

Run on SQLite and, in CI's second run, on PostgreSQL (where the other program's writes arrive as notices).
"""

from __future__ import annotations

import html
import importlib
import re
import sqlite3
import time
from collections.abc import Callable
from decimal import Decimal

import psycopg
import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.team.conftest import client_for, make_generation, make_user
from veoui.core import changes
from veoui.core.prepared import PreparedRead
from veoui.studio.models import Generation
from veoui.studio.views import VISIBLE_GENERATION
from veoui.team.backends import PERSON
from veoui.team.models import KieBalance, Membership

pytestmark = pytest.mark.django_db(transaction=True)
trigger_migration = importlib.import_module("veoui.core.migrations.0002_change_notices")


def queries(read: Callable[[], object]) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as captured:
        result = read()
    return result, len(captured)


def another_program(sql: str, *params: object) -> None:
    """A write committed by a connection that isn't veoui's, as the worker or a database shell would make it."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        with sqlite3.connect(str(settings["NAME"])) as outside:
            outside.execute(sql.replace("%s", "?"), params)
        return
    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        autocommit=True,
    ) as outside:
        outside.execute(sql, params)


def until(condition: Callable[[], object], what: str, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.01)


def known(mark: int, table: str) -> bool:
    """Whether this process has learnt of a write to ``table`` made after ``mark``."""
    changes.watcher("default").refresh()
    return not changes.CLOCK.holds(mark, {table})


def kept(read: Callable[[], object]) -> object:
    """Read until the read is answered from memory (the first read of a process also starts its watching)."""
    until(lambda: queries(read)[1] == 0, "the read answered from memory")
    return read()


def test_the_clock_says_a_read_holds_until_a_table_it_read_changes() -> None:
    clock = changes.Clock()
    assert not clock.holds(clock.mark(), set())  # nobody watches yet
    clock.restart(watching=True)
    mark = clock.mark()
    assert clock.holds(mark, {"auth_user", "studio_generation"})
    clock.note({"studio_generation"})
    assert clock.holds(mark, {"auth_user"}) and not clock.holds(mark, {"auth_user", "studio_generation"})
    later = clock.mark()
    assert clock.holds(later, {"studio_generation"})
    clock.restart(watching=False)  # the notices stopped: nothing holds, not even what is read now
    assert not clock.holds(later, set()) and not clock.holds(clock.mark(), set())
    clock.restart(watching=True)  # back: only what is read from now on
    assert not clock.holds(later, {"auth_user"}) and clock.holds(clock.mark(), {"auth_user", "studio_generation"})


def test_a_read_is_kept_until_veoui_itself_writes_to_its_tables() -> None:
    maya = make_user("maya", "Maya")
    assert kept(lambda: PERSON.get(user_id=maya.pk)).membership.language == ""
    Membership.objects.filter(user=maya).update(language="es")
    person, count = queries(lambda: PERSON.get(user_id=maya.pk))
    assert count == 1 and person.membership.language == "es"
    # Kept again (on PostgreSQL once the database's own notice of that write has come too).
    assert kept(lambda: PERSON.get(user_id=maya.pk)).membership.language == "es"


def test_a_write_by_another_program_is_read_once_it_is_known() -> None:
    maya = make_user("maya", "Maya")
    assert kept(lambda: PERSON.get(user_id=maya.pk)).first_name == "Maya"
    mark = changes.CLOCK.mark()
    another_program("UPDATE auth_user SET first_name = %s WHERE id = %s", "Mia", maya.pk)
    until(lambda: known(mark, "auth_user"), "the write to auth_user known")
    person, count = queries(lambda: PERSON.get(user_id=maya.pk))
    assert count == 1 and person.first_name == "Mia"


def test_each_use_gets_its_own_instances() -> None:
    maya = make_user("maya", "Maya")
    first = kept(lambda: PERSON.get(user_id=maya.pk))
    first.first_name = "changed in one request only"
    second, count = queries(lambda: PERSON.get(user_id=maya.pk))
    assert count == 0 and second is not first and second.first_name == "Maya"


def test_a_kept_read_is_what_the_orm_reads_and_each_use_has_its_own_lists() -> None:
    maya = make_user("maya", "Maya")
    video = make_generation(maya, "60.5", status="running", result_urls=["https://example.com/a.mp4"])

    def card_state() -> Generation:  # what a status check reads: kept with its values converted
        return VISIBLE_GENERATION.get(
            public_id=video.uuid, viewer_id=maya.pk, staff=False, with_owner=False, fields=Generation.CARD_STATE_FIELDS
        )

    expected = Generation.objects.only(*Generation.CARD_STATE_FIELDS).get(pk=video.pk)
    lean = kept(card_state)
    assert {name: getattr(lean, name) for name in Generation.CARD_STATE_FIELDS} == {
        name: getattr(expected, name) for name in Generation.CARD_STATE_FIELDS
    }
    # The whole video holds a list (a JSON column): each use gets a list of its own.
    whole = VISIBLE_GENERATION.get(public_id=video.uuid, viewer_id=maya.pk, staff=False, with_owner=False)
    whole.result_urls.append("changed in one request only")
    again = VISIBLE_GENERATION.get(public_id=video.uuid, viewer_id=maya.pk, staff=False, with_owner=False)
    assert again.result_urls == ["https://example.com/a.mp4"] and again.estimated_credits == Decimal("60.5")


def test_reads_inside_a_transaction_are_never_kept() -> None:
    maya = make_user("maya", "Maya")
    kept(lambda: PERSON.get(user_id=maya.pk))
    with transaction.atomic():
        _, count = queries(lambda: PERSON.get(user_id=maya.pk))
        assert count == 1
        get_user_model().objects.filter(pk=maya.pk).update(first_name="Not kept")
        assert PERSON.get(user_id=maya.pk).first_name == "Not kept"
        transaction.set_rollback(True)
    person, count = queries(lambda: PERSON.get(user_id=maya.pk))
    assert count == 1 and person.first_name == "Maya"


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_when_the_sqlite_file_cannot_be_watched_reads_go_to_the_database_until_it_can() -> None:
    maya = make_user("maya", "Maya")
    kept(lambda: PERSON.get(user_id=maya.pk))
    changes.watcher("default")._connection.close()  # as if the file had gone away under it
    # Noticed at the next question (SQLite is asked at most every SQLITE_ASK_EVERY seconds), then read every time.
    until(lambda: queries(lambda: PERSON.get(user_id=maya.pk))[1] == 1, "the lost watch noticed")
    assert queries(lambda: PERSON.get(user_id=maya.pk))[1] == 1
    another_program("UPDATE auth_user SET first_name = %s WHERE id = %s", "Mia", maya.pk)
    assert kept(lambda: PERSON.get(user_id=maya.pk)).first_name == "Mia"


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_sqlite_is_asked_at_most_every_few_milliseconds(monkeypatch: pytest.MonkeyPatch) -> None:
    maya = make_user("maya", "Maya")
    kept(lambda: PERSON.get(user_id=maya.pk))
    watcher = changes.watcher("default")
    now = [time.monotonic() + changes.SQLITE_ASK_EVERY]  # a question is due; the clock stays near the real one
    monkeypatch.setattr(changes, "_monotonic", lambda: now[0])
    watcher.refresh()  # asked now
    mark = changes.CLOCK.mark()
    another_program("UPDATE auth_user SET first_name = %s WHERE id = %s", "Mia", maya.pk)
    now[0] += changes.SQLITE_ASK_EVERY / 2
    watcher.refresh()
    assert changes.CLOCK.holds(mark, {"auth_user"})  # not asked again yet: the write is not known
    person, count = queries(lambda: PERSON.get(user_id=maya.pk))
    assert count == 0 and person.first_name == "Maya"
    now[0] += changes.SQLITE_ASK_EVERY
    watcher.refresh()
    assert not changes.CLOCK.holds(mark, {"auth_user"})
    person, count = queries(lambda: PERSON.get(user_id=maya.pk))
    assert count == 1 and person.first_name == "Mia"


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_when_the_notices_stop_reads_go_to_the_database_until_they_are_back() -> None:
    maya = make_user("maya", "Maya")
    kept(lambda: PERSON.get(user_id=maya.pk))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = %s AND datname = current_database()",
            [changes.LISTENER_NAME],
        )
        assert cursor.fetchall(), "this process's listening connection"
    until(lambda: not changes.CLOCK.holds(changes.CLOCK.mark(), set()), "the lost notices noticed")
    _, count = queries(lambda: PERSON.get(user_id=maya.pk))
    assert count == 1
    another_program("UPDATE auth_user SET first_name = %s WHERE id = %s", "Mia", maya.pk)  # while nobody listened
    assert kept(lambda: PERSON.get(user_id=maya.pk)).first_name == "Mia"


def test_only_watched_tables_may_be_kept() -> None:
    balance = PreparedRead(lambda key: KieBalance.objects.filter(pk=key), kept=True, key=KieBalance._meta.pk)
    with pytest.raises(TypeError, match="kie_balance|nothing watches"):
        balance.get(key=1)


def test_every_watched_table_has_its_trigger() -> None:
    assert set(trigger_migration.TABLES) == changes.WATCHED
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT event_object_table FROM information_schema.triggers WHERE trigger_name = %s",
            ["veoui_note_change"],
        )
        assert {row[0] for row in cursor.fetchall()} == changes.WATCHED


# What an open card's checks see when something changes elsewhere: each change is read at the next check once
# known, whoever made it.


def unchanged_check(client, generation: Generation) -> str:
    card = client.get(f"/videos/{generation.uuid}/status/", HTTP_HX_REQUEST="true")
    return html.unescape(re.search(r'hx-get="([^"]+)"', card.content.decode()).group(1))


@pytest.mark.parametrize(
    ("table", "change", "answer"),
    [
        ("django_session", "DELETE FROM django_session WHERE session_key = %(session)s", "login"),
        ("auth_user", "UPDATE auth_user SET password = 'changed' WHERE id = %(person)s", "login"),
        ("auth_user", "UPDATE auth_user SET is_active = FALSE WHERE id = %(person)s", "login"),
        ("studio_generation", "UPDATE studio_generation SET status = 'succeeded' WHERE id = %(video)s", 200),
        ("studio_generation", "UPDATE studio_generation SET deleted_at = CURRENT_TIMESTAMP WHERE id = %(video)s", 404),
        (
            "studio_generation",
            "UPDATE studio_generation SET owner_id = %(other)s, visibility = 'private' WHERE id = %(video)s",
            404,
        ),
        ("team_membership", "UPDATE team_membership SET language = 'es' WHERE user_id = %(person)s", 200),
    ],
)
def test_an_open_card_sees_a_change_made_elsewhere_at_its_next_check(table: str, change: str, answer) -> None:
    maya, tom = make_user("maya", "Maya"), make_user("tom", "Tom")
    video = make_generation(maya, 0, status="running")
    client = client_for(maya)
    check = unchanged_check(client, video)
    kept(lambda: client.get(check, HTTP_HX_REQUEST="true"))
    assert client.get(check, HTTP_HX_REQUEST="true").status_code == 204
    mark = changes.CLOCK.mark()
    values = {"session": client.session.session_key, "person": maya.pk, "video": video.pk, "other": tom.pk}
    sql = re.sub(r"%\((\w+)\)s", "%s", change)
    another_program(sql, *[values[name] for name in re.findall(r"%\((\w+)\)s", change)])
    until(lambda: known(mark, table), f"the write to {table} known")
    response = client.get(check, HTTP_HX_REQUEST="true")
    if answer == "login":
        assert response.status_code == 302 and response["Location"].startswith("/login/"), response
    else:
        assert response.status_code == answer
