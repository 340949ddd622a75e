"""Every member's account menu has Change password; changing it keeps them logged in where they are, and logs
out their other sessions."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.people import PASSWORD, client_for, text

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "amber-lantern-harbour-9"


@pytest.mark.parametrize("persona", ["member", "admin"])
def test_it_offers_change_password_in_every_members_menu(persona: str, request) -> None:
    page = text(client_for(request.getfixturevalue(persona)).get("/studio/text/"))
    menu = page.split('class="user-menu__panel"', 1)[1].split("</details>", 1)[0]
    assert '<a href="/account/password/">Change password</a>' in menu


def test_it_changes_the_password_and_keeps_the_session(member) -> None:
    client = client_for(member)
    elsewhere = client_for(member)  # the same person on their phone
    page = client.get("/account/password/")
    assert page.status_code == 200 and 'name="current"' in text(page)

    fields = {"current": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    response = client.post("/account/password/", fields)
    assert response.status_code == 302 and response["Location"] == "/"
    user = get_user_model().objects.get(pk=member.pk)
    assert user.check_password(NEW_PASSWORD) and not user.check_password(PASSWORD)
    assert "Your new password is set." in text(client.get("/studio/text/", follow=True))
    assert client.get("/studio/text/").status_code == 200  # still logged in here
    assert elsewhere.get("/studio/text/")["Location"].startswith("/login/")  # logged out there
    assert Client().login(username=member.get_username(), password=NEW_PASSWORD)


def test_it_keeps_the_password_when_the_two_new_ones_differ(member, member_client: Client) -> None:
    fields = {"current": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"}
    response = member_client.post("/account/password/", fields)
    assert response.status_code == 200
    assert "The two passwords are different. Type the same one twice." in text(response)
    assert get_user_model().objects.get(pk=member.pk).check_password(PASSWORD)
