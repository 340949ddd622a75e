"""Sessions read with their person: one query instead of two once a process knows whose a session is, and every
check of Django's login code still made on what that query read."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.signals import request_finished
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext

from tests.team.conftest import client_for, make_user
from veoui.core import sessions
from veoui.team.backends import MemberBackend

pytestmark = pytest.mark.django_db


def queries_of(client, path: str = "/gallery/") -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path).status_code
    return status, [query["sql"] for query in queries]


def session_reads(sql: list[str]) -> list[str]:
    return [query for query in sql if '"django_session"' in query]


def test_once_a_session_is_known_it_is_read_with_its_person_in_one_query() -> None:
    maya = make_user("maya", "Maya")
    client = client_for(maya)
    sessions._owners.clear()
    status, first = queries_of(client)
    assert status == 200
    assert len(session_reads(first)) == 1 and '"auth_user"' not in session_reads(first)[0]
    status, second = queries_of(client)
    assert status == 200
    [together] = session_reads(second)
    assert '"auth_user"' in together and '"team_membership"' in together
    assert len(second) == len(first) - 1
    assert not [query for query in second if query.lstrip().startswith("SELECT") and '"auth_user"' in query][1:]


def test_a_password_changed_elsewhere_ends_the_session_at_the_next_request() -> None:
    maya = make_user("maya", "Maya")
    client = client_for(maya)
    assert client.get("/gallery/").status_code == 200
    assert client.get("/gallery/").status_code == 200  # read together from here on
    maya.set_password("a-new-password-for-maya")
    maya.save()
    response = client.get("/gallery/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_an_account_switched_off_is_refused_at_the_next_request() -> None:
    maya = make_user("maya", "Maya")
    client = client_for(maya)
    client.get("/gallery/")
    get_user_model().objects.filter(pk=maya.pk).update(is_active=False)
    assert client.get("/gallery/").status_code == 302


def test_a_session_ended_elsewhere_is_over_although_this_process_knew_it() -> None:
    maya = make_user("maya", "Maya")
    client = client_for(maya)
    client.get("/gallery/")
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert key in sessions._owners
    sessions.SessionStore(key).delete()
    assert client.get("/gallery/").status_code == 302


def test_a_wrong_guess_of_whose_session_it_is_reads_the_right_person() -> None:
    maya, tom = make_user("maya", "Maya"), make_user("tom", "Tom")
    client = client_for(maya)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    sessions._owners[key] = str(tom.pk)
    response = client.get("/gallery/")
    assert response.status_code == 200 and response.context["user"].username == "maya"
    assert sessions._owners[key] == str(maya.pk)


def test_what_was_read_alongside_never_outlives_its_request() -> None:
    maya = make_user("maya", "Maya")
    client = client_for(maya)
    client.get("/gallery/")
    store = sessions.SessionStore(client.cookies[settings.SESSION_COOKIE_NAME].value)
    store.load()  # reads maya with the session, for this "request"
    request_finished.disconnect(close_old_connections)  # the test's database stays open
    try:
        request_finished.send(sender=None)
    finally:
        request_finished.connect(close_old_connections)
    with CaptureQueriesContext(connection) as queries:
        assert MemberBackend().get_user(maya.pk).username == "maya"
    assert len(queries) == 1  # read anew, not taken from the request before
    store.load()
    assert sessions.person_read_alongside(maya.pk + 1) is None  # another person's id: nothing handed over
    assert sessions.person_read_alongside(maya.pk) is None  # and only once


def test_the_same_signed_text_is_decoded_once_and_each_request_gets_its_own_copy() -> None:
    store = sessions.SessionStore()
    store["cart"] = {"items": [1, 2]}
    store.create()
    text = sessions.Session.objects.get(pk=store.session_key).session_data
    first, second = sessions.SessionStore(store.session_key), sessions.SessionStore(store.session_key)
    first.load()["cart"]["items"].append(3)
    assert second.load() == {"cart": {"items": [1, 2]}}
    assert (text, settings.SECRET_KEY) in sessions._decoded
    # A text whose signature doesn't hold is refused every time, never kept.
    tampered = text[:-3] + ("abc" if not text.endswith("abc") else "xyz")
    assert sessions.SessionStore().decode(tampered) == {}
    assert (tampered, settings.SECRET_KEY) not in sessions._decoded
