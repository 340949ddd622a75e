"""Temporary passwords: made by an admin, shown once, and changed by their owner before anything else."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.people import PASSWORD, text
from veoui.team.models import Membership, Role

pytestmark = pytest.mark.django_db

OWN_PASSWORD = "violet-harbour-42"


def shown_password(admin_client: Client) -> str:
    page = admin_client.get("/people/created/").content.decode()
    return re.search(r'id="secret-value" class="secret" value="([^"]+)"', page).group(1)


def log_in(username: str, password: str) -> Client:
    client = Client()
    response = client.post("/login/", {"username": username, "password": password})
    assert response.status_code == 302, text(response)
    return client


def test_it_creates_an_account_with_a_temporary_password_shown_once(admin_client: Client, admin) -> None:
    response = admin_client.post(
        "/people/add/", {"username": "sam", "first_name": "Sam", "role": Role.MEMBER, "monthly_budget": "250"}
    )
    assert response["Location"] == "/people/created/"
    password = shown_password(admin_client)
    user = get_user_model().objects.get(username="sam")
    membership = Membership.objects.get(user=user)
    assert user.check_password(password) and user.first_name == "Sam" and not user.is_staff
    assert membership.must_change_password and membership.added_by == admin and membership.monthly_budget == 250
    assert admin_client.get("/people/created/")["Location"] == "/people/"


def test_it_refuses_a_username_someone_already_has(admin_client: Client, member) -> None:
    response = admin_client.post("/people/add/", {"username": "Maya", "role": Role.MEMBER})
    assert response.status_code == 200
    assert "Someone already has that username" in text(response)
    assert get_user_model().objects.filter(username__iexact="maya").count() == 1


def test_it_sends_a_temporary_password_to_the_change_page_until_changed(admin_client: Client) -> None:
    admin_client.post("/people/add/", {"username": "sam", "role": Role.MEMBER})
    sam = log_in("sam", shown_password(admin_client))
    for url in ("/", "/studio/text/", "/people/"):
        response = sam.get(url)
        assert response.status_code == 302 and response["Location"] == "/account/password/", url
    htmx = sam.get("/studio/text/", headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"] == "/account/password/"

    page = sam.get("/account/password/")
    assert page.status_code == 200 and "temporary password" in text(page)
    assert 'name="current"' not in text(page)
    response = sam.post("/account/password/", {"password1": OWN_PASSWORD, "password2": OWN_PASSWORD})
    assert response["Location"] == "/"
    user = get_user_model().objects.get(username="sam")
    assert user.check_password(OWN_PASSWORD)
    assert not Membership.objects.get(user=user).must_change_password
    assert sam.get("/studio/text/").status_code == 200  # still logged in, free to go
    assert Client().login(username="sam", password=OWN_PASSWORD)


def test_it_lets_someone_with_a_temporary_password_log_out(admin_client: Client) -> None:
    admin_client.post("/people/add/", {"username": "sam", "role": Role.MEMBER})
    sam = log_in("sam", shown_password(admin_client))
    assert sam.post("/logout/")["Location"] == "/login/"
    assert "_auth_user_id" not in sam.session


def test_it_resets_a_password_and_logs_the_person_out_everywhere(admin_client: Client, member, member_client) -> None:
    membership = Membership.objects.get(user=member)
    response = admin_client.post(f"/people/{membership.uuid}/password/")
    assert response["Location"] == "/people/created/"
    password = shown_password(admin_client)
    member.refresh_from_db()
    assert member.check_password(password) and not member.check_password(PASSWORD)
    assert Membership.objects.get(user=member).must_change_password
    assert member_client.get("/studio/text/")["Location"].startswith("/login/")
    again = log_in("maya", password)
    assert again.get("/studio/text/")["Location"] == "/account/password/"


def test_it_asks_for_the_current_password_when_not_forced(member_client: Client, member) -> None:
    page = member_client.get("/account/password/")
    assert 'name="current"' in text(page)
    wrong = member_client.post(
        "/account/password/", {"current": "nope", "password1": OWN_PASSWORD, "password2": OWN_PASSWORD}
    )
    assert wrong.status_code == 200 and "That isn't your current password" in text(wrong)
    member.refresh_from_db()
    assert member.check_password(PASSWORD)
    fields = {"current": PASSWORD, "password1": OWN_PASSWORD, "password2": OWN_PASSWORD}
    member_client.post("/account/password/", fields)
    member.refresh_from_db()
    assert member.check_password(OWN_PASSWORD)


def test_it_refuses_to_keep_the_temporary_password(admin_client: Client) -> None:
    admin_client.post("/people/add/", {"username": "sam", "role": Role.MEMBER})
    temporary = shown_password(admin_client)
    sam = log_in("sam", temporary)
    response = sam.post("/account/password/", {"password1": temporary, "password2": temporary})
    assert response.status_code == 200 and "different from the one you have now" in text(response)
    assert Membership.objects.get(user__username="sam").must_change_password
