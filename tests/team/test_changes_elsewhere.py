"""An open card's next check sees what another program changed (the worker, an admin in a database shell; here a
connection of the test's own): a session ended, a password changed, an account switched off, the video itself.

Run on SQLite and, in CI's second run, on PostgreSQL.
"""

from __future__ import annotations

import html
import re
import sqlite3

import psycopg
import pytest
from django.db import connection

from tests.people import client_for, make_generation, make_user
from veoui.studio.models import Generation

pytestmark = pytest.mark.django_db(transaction=True)


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


def unchanged_check(client, generation: Generation) -> str:
    card = client.get(f"/status/?shown={generation.uuid}:0", HTTP_HX_REQUEST="true")
    shown = html.unescape(re.search(r'data-shown="([^"]+)"', card.content.decode()).group(1))
    return f"/status/?shown={shown}&seen={generation.uuid}"


@pytest.mark.parametrize(
    ("change", "answer"),
    [
        ("DELETE FROM django_session WHERE session_key = %(session)s", "login"),
        ("UPDATE auth_user SET password = 'changed' WHERE id = %(person)s", "login"),
        ("UPDATE auth_user SET is_active = FALSE WHERE id = %(person)s", "login"),
        ("UPDATE studio_generation SET status = 'succeeded' WHERE id = %(video)s", 200),
        ("UPDATE studio_generation SET deleted_at = CURRENT_TIMESTAMP WHERE id = %(video)s", "gone"),
        ("UPDATE studio_generation SET owner_id = %(other)s, visibility = 'private' WHERE id = %(video)s", "gone"),
        ("UPDATE team_membership SET language = 'es' WHERE user_id = %(person)s", 200),
    ],
)
def test_it_shows_an_open_card_a_change_made_elsewhere_at_its_next_check(change: str, answer: int | str) -> None:
    maya, tom = make_user("maya", "Maya"), make_user("tom", "Tom")
    video = make_generation(maya, 0, status="running")
    client = client_for(maya)
    check = unchanged_check(client, video)
    assert client.get(check, HTTP_HX_REQUEST="true").status_code == 204
    values = {"session": client.session.session_key, "person": maya.pk, "video": video.pk, "other": tom.pk}
    another_program(
        re.sub(r"%\((\w+)\)s", "%s", change), *[values[name] for name in re.findall(r"%\((\w+)\)s", change)]
    )
    response = client.get(check, HTTP_HX_REQUEST="true")
    if answer == "login":
        assert response.status_code == 302 and response["Location"].startswith("/login/"), response
    elif answer == "gone":  # the card is not sent again: the page keeps what it showed, and hears of no more
        assert response.status_code == 200 and f'id="generation-{video.uuid}"' not in response.text
    else:
        assert response.status_code == answer
