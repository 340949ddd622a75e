"""Who a session belongs to, request by request: Django's database sessions and login code, with the person's
membership read alongside them (veoui/team/backends.py). A change made elsewhere ends a session at its next
request; sessions opened before an upgrade keep their person logged in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.hashers import MD5PasswordHasher
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.people import PASSWORD, client_for, make_user, text

pytestmark = pytest.mark.django_db


def sent_to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/login/")


def test_it_ends_the_session_when_the_password_is_changed_elsewhere() -> None:
    maya = make_user("maya", "Maya")
    client = client_for(maya)
    assert client.get("/gallery/").status_code == 200
    maya.set_password("a-new-password-for-maya")
    maya.save()
    assert sent_to_login(client.get("/gallery/"))


def test_it_refuses_an_account_switched_off_at_the_next_request() -> None:
    maya = make_user("maya", "Maya")
    client = client_for(maya)
    assert client.get("/gallery/").status_code == 200
    get_user_model().objects.filter(pk=maya.pk).update(is_active=False)
    assert sent_to_login(client.get("/gallery/"))


def test_it_ends_a_session_ended_elsewhere() -> None:
    maya = make_user("maya", "Maya")
    client = client_for(maya)
    assert client.get("/gallery/").status_code == 200
    SessionStore(client.cookies[settings.SESSION_COOKIE_NAME].value).delete()
    assert sent_to_login(client.get("/gallery/"))


def test_it_ends_the_session_at_logout() -> None:
    maya = make_user("maya", "Maya")
    client = client_for(maya)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get("/gallery/").status_code == 200
    client.post("/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    stolen = Client()
    stolen.cookies[settings.SESSION_COOKIE_NAME] = key  # the old cookie, kept by someone
    assert sent_to_login(stolen.get("/gallery/"))
    assert sent_to_login(client.get("/gallery/"))


def test_it_ends_a_session_past_its_expiry() -> None:
    maya = make_user("maya", "Maya")
    client = client_for(maya)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert sent_to_login(client.get("/gallery/"))


def test_it_reads_the_person_with_their_membership_in_one_query() -> None:
    maya = make_user("maya", "Maya")
    client = client_for(maya)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/gallery/").status_code == 200
    people = [query["sql"] for query in queries if 'FROM "auth_user"' in query["sql"]]
    assert len(people) == 1 and '"team_membership"' in people[0]
    assert not [
        query for query in queries if query["sql"].startswith("SELECT") and 'FROM "team_membership"' in query["sql"]
    ]


@pytest.mark.parametrize(
    "backend",
    [
        "veoui.team.backends.MemberBackend",  # what every login recorded before the upgrade
        "django.contrib.auth.backends.ModelBackend",  # and the oldest sessions, from before veoui had its own
    ],
)
def test_it_keeps_people_logged_in_across_the_upgrade(backend: str) -> None:
    maya = make_user("maya", "Maya")
    # The session row as the store before the upgrade wrote it (Django's database store, signed the same way).
    before = SessionStore()
    before.update(
        {SESSION_KEY: str(maya.pk), BACKEND_SESSION_KEY: backend, HASH_SESSION_KEY: maya.get_session_auth_hash()}
    )
    before.create()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = before.session_key
    page = client.get("/gallery/")
    assert page.status_code == 200 and page.context["user"] == maya
    assert '<span class="user-menu__name">Maya</span>' in text(page)
    assert client.cookies[settings.SESSION_COOKIE_NAME].value == before.session_key
    # A new login works beside it, and records the backend that made it.
    again = Client()
    assert again.post("/login/", {"username": "maya", "password": PASSWORD}).status_code == 302
    assert again.get("/gallery/").context["user"] == maya
    assert again.session[BACKEND_SESSION_KEY] == "veoui.team.backends.MemberBackend"
    assert Session.objects.count() == 2


def test_it_checks_a_wrong_password_once(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    make_user("maya", "Maya")
    hashed: list[str] = []
    encode = MD5PasswordHasher.encode

    def counted(self, password, salt):
        hashed.append(password)
        return encode(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counted)
    for username in ("maya", "nobody-of-that-name"):
        hashed.clear()
        response = client.post("/login/", {"username": username, "password": "not-the-password"})
        assert response.status_code == 200 and "don't match" in text(response)
        assert hashed == ["not-the-password"]
