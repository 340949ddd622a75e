import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, override_settings

from tests.people import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_it_sends_anonymous_visitors_to_the_login_page(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/")


def test_it_renders_a_clean_login_page(client: Client) -> None:
    response = client.get("/login/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Log in to veoui" in body
    assert 'autocomplete="current-password"' in body


def test_it_explains_a_wrong_password_in_plain_words(client: Client) -> None:
    make_user("maya")
    response = client.post("/login/", {"username": "maya", "password": "nope"})
    assert response.status_code == 200
    assert "don't match" in response.content.decode()


@override_settings(DEMO_MODE=True)
def test_it_shows_the_demo_banner_after_login(client: Client) -> None:
    make_user("maya")
    response = client.post("/login/", {"username": "maya", "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert "Demo mode: videos are simulated, no credits are spent" in response.content.decode()


@override_settings(DEMO_MODE=False)
def test_it_hides_the_demo_banner_when_connected_to_kie(client: Client) -> None:
    user = make_user("maya")
    client.force_login(user)
    assert "Demo mode" not in client.get("/").content.decode()


def test_it_creates_a_first_admin_whose_printed_password_works(client: Client, capsys) -> None:
    call_command("ensure_admin")
    out = capsys.readouterr().out
    password = out.split("password: ")[1].split()[0]
    assert client.login(username="admin", password=password)
    assert get_user_model().objects.get(username="admin").is_superuser


def test_it_creates_no_second_admin_once_someone_can_log_in(capsys) -> None:
    make_user("maya")
    call_command("ensure_admin")
    assert capsys.readouterr().out == ""
    assert not get_user_model().objects.filter(username="admin").exists()
