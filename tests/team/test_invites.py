"""Invite links: made by an admin, shown once, used once by the invitee, and refused plainly when stale."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from tests.people import text
from veoui.team import people
from veoui.team.models import Invite, Membership, Role, hash_token

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "violet-harbour-42"


def make_invite(admin_client: Client, **fields: str) -> str:
    """Make an invite as the admin does and return the link's path, read from the page that shows it."""
    data = {"note": "Sam from sales", "role": Role.MEMBER, "monthly_budget": ""} | fields
    response = admin_client.post("/people/invite/", data)
    assert response.status_code == 302 and response["Location"] == "/people/created/"
    page = admin_client.get("/people/created/").content.decode()
    return re.search(r'value="http://testserver(/join/[^"/]+/)"', page).group(1)


def join(client: Client, path: str, **fields: str):
    data = {"first_name": "Sam", "username": "sam", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD} | fields
    return client.post(path, data)


def test_it_makes_an_invite_link_and_shows_it_only_once(admin_client: Client, admin) -> None:
    path = make_invite(admin_client, monthly_budget="300")
    invite = Invite.objects.get()
    token = path.split("/")[2]
    assert invite.token_hash == hash_token(token) and token not in invite.token_hash
    assert (invite.note, invite.role, invite.monthly_budget, invite.created_by) == (
        "Sam from sales",
        Role.MEMBER,
        Decimal(300),
        admin,
    )
    assert timedelta(days=6, hours=23) < invite.expires_at - timezone.now() <= timedelta(days=7)
    again = admin_client.get("/people/created/")
    assert again["Location"] == "/people/"
    assert token not in admin_client.get("/people/").content.decode()


def test_it_lets_the_invitee_choose_a_username_and_password_and_go_to_the_studio(admin_client, admin) -> None:
    path = make_invite(admin_client, monthly_budget="300")
    visitor = Client()
    page = visitor.get(path)
    assert page.status_code == 200
    assert "Join your team on veoui" in text(page)

    response = join(visitor, path)
    assert response.status_code == 302 and response["Location"] == "/"
    user = get_user_model().objects.get(username="sam")
    membership = Membership.objects.get(user=user)
    assert (membership.role, membership.monthly_budget, membership.added_by) == (Role.MEMBER, Decimal(300), admin)
    assert not membership.must_change_password and not user.is_staff
    assert user.check_password(NEW_PASSWORD) and user.first_name == "Sam"
    invite = Invite.objects.get()
    assert invite.used_by == user and invite.used_at is not None
    studio = visitor.get("/studio/text/")
    assert studio.status_code == 200 and "Welcome to veoui, Sam!" in text(studio)


def test_it_makes_an_admin_from_an_admin_invite(admin_client: Client) -> None:
    path = make_invite(admin_client, role=Role.ADMIN)
    join(Client(), path)
    user = get_user_model().objects.get(username="sam")
    assert user.is_staff and user.membership.role == Role.ADMIN


def test_it_says_plainly_that_a_used_link_was_used(admin_client: Client) -> None:
    path = make_invite(admin_client)
    join(Client(), path)
    second = Client()
    page = second.get(path)
    assert page.status_code == 410
    assert "This invite link has already been used" in text(page)
    response = join(second, path, username="sam2")
    assert response.status_code == 410
    assert not get_user_model().objects.filter(username="sam2").exists()


def test_it_says_plainly_that_an_expired_link_expired(admin_client: Client) -> None:
    path = make_invite(admin_client)
    Invite.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    page = Client().get(path)
    assert page.status_code == 410
    assert "This invite link has expired" in text(page)
    join(Client(), path)
    assert not get_user_model().objects.filter(username="sam").exists()
    assert Invite.objects.get().used_at is None


def test_it_says_plainly_that_an_unknown_link_is_not_valid(db) -> None:
    page = Client().get("/join/not-a-real-token/")
    assert page.status_code == 404
    assert "This invite link isn't valid" in text(page)


def test_it_cancels_an_open_invite(admin_client: Client) -> None:
    path = make_invite(admin_client)
    invite = Invite.objects.get()
    assert "Sam from sales" in admin_client.get("/people/").content.decode()
    response = admin_client.post(f"/people/invites/{invite.uuid}/cancel/")
    assert response.status_code == 302
    invite.refresh_from_db()
    assert invite.cancelled_at is not None
    assert "was cancelled" in Client().get(path).content.decode()
    join(Client(), path)
    assert not get_user_model().objects.filter(username="sam").exists()


def test_it_explains_a_taken_username_and_a_weak_password_and_keeps_the_link(admin_client, member) -> None:
    path = make_invite(admin_client)
    taken = join(Client(), path, username="MAYA")
    assert taken.status_code == 200 and "Someone already has that username" in text(taken)
    weak = join(Client(), path, password1="12345678", password2="12345678")
    assert weak.status_code == 200 and "This password is entirely numeric" in text(weak)
    different = join(Client(), path, password2="something-else-99")
    assert "The two passwords are different" in text(different)
    assert get_user_model().objects.count() == 2
    assert Invite.objects.get().used_at is None


def test_it_lets_only_one_person_use_a_link(admin) -> None:
    invite, _token = people.create_invite(note="", role=Role.MEMBER, monthly_budget=None, by=admin)
    stale = Invite.objects.get(pk=invite.pk)
    people.accept_invite(invite, username="sam", first_name="", password=NEW_PASSWORD)
    with pytest.raises(people.PeopleError, match="already been used"):
        people.accept_invite(stale, username="kim", first_name="", password=NEW_PASSWORD)
    assert not get_user_model().objects.filter(username="kim").exists()
