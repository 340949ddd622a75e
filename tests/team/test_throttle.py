"""Login throttling: wrong passwords are counted in the database per account and address, and too many pause
further tries from that address only; many accounts tried from one address pause that address."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.people import PASSWORD, text
from veoui.team import throttle
from veoui.team.models import LoginAttempt

pytestmark = pytest.mark.django_db

STRANGER, OFFICE, HOME = "203.0.113.7", "198.51.100.20", "192.0.2.44"
NGINX = "127.0.0.1"


def attempt(username: str, password: str, ip: str = STRANGER, url: str = "/login/", **headers: str):
    # A fresh client each time, as separate browsers or processes would be: only the database remembers.
    return Client(REMOTE_ADDR=ip, headers=headers).post(url, {"username": username, "password": password})


def through_nginx(username: str, password: str, client_address: str, forged: str = "", url: str = "/login/"):
    """A POST as the shipped nginx passes it on: from nginx's own address, with the client's address appended to
    whatever X-Forwarded-For the client itself sent ($proxy_add_x_forwarded_for)."""
    forwarded = f"{forged}, {client_address}" if forged else client_address
    return attempt(username, password, ip=NGINX, url=url, x_forwarded_for=forwarded)


def logged_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def failures() -> list[tuple[str, str | None]]:
    return list(LoginAttempt.objects.order_by("at", "pk").values_list("username", "ip"))


def username_error(response) -> str:
    """The message shown under the Username field, as a person reads it."""
    match = re.search(r'<p class="field-error" id="username-error"[^>]*>(.*?)</p>', text(response), re.S)
    assert match, "no message next to the Username field"
    return match.group(1)


def test_it_lets_the_admin_in_from_their_address_while_a_stranger_is_paused_from_theirs(admin) -> None:
    for number in range(1, throttle.MAX_PER_ACCOUNT_AND_ADDRESS + 1):
        wrong = attempt("alex", "guess", ip=STRANGER)
        assert wrong.status_code == 200 and "don't match" in text(wrong)
        assert failures() == [("alex", STRANGER)] * number
    # The stranger's sixth try is refused without even checking the password, and is not counted.
    for password in ("guess", PASSWORD):
        refused = attempt("alex", password, ip=STRANGER)
        assert refused.status_code == 429 and "_auth_user_id" not in refused.client.session
        assert "Too many wrong passwords for this account" in username_error(refused)
        assert "about 15 minutes" in username_error(refused)
        assert len(failures()) == throttle.MAX_PER_ACCOUNT_AND_ADDRESS
    # The admin, at the office, is not locked out by it.
    assert logged_in(attempt("alex", PASSWORD, ip=OFFICE))
    assert failures() == [("alex", STRANGER)] * throttle.MAX_PER_ACCOUNT_AND_ADDRESS
    assert attempt("alex", "guess", ip=STRANGER).status_code == 429


def test_it_counts_the_account_in_any_letter_case_and_the_owner_elsewhere_still_gets_in(member) -> None:
    for name in ("Maya", "MAYA", " maya", "maYa", "maya "):
        attempt(name, "guess", ip=HOME)
    assert failures() == [("maya", HOME)] * throttle.MAX_PER_ACCOUNT_AND_ADDRESS
    assert attempt("maya", PASSWORD, ip=HOME).status_code == 429
    assert logged_in(attempt("maya", PASSWORD, ip=OFFICE))


def test_it_pauses_an_address_that_tries_many_usernames(member) -> None:
    for number in range(throttle.MAX_PER_ADDRESS):
        attempt(f"nobody{number}", "guess", ip=STRANGER)
        assert len(failures()) == number + 1
    refused = attempt("maya", PASSWORD, ip=STRANGER)
    assert refused.status_code == 429 and "Too many wrong passwords from your network" in username_error(refused)
    assert len(failures()) == throttle.MAX_PER_ADDRESS
    assert logged_in(attempt("maya", PASSWORD, ip=OFFICE))


def test_it_counts_the_address_nginx_saw_and_never_the_one_the_client_wrote(admin, settings) -> None:
    settings.BEHIND_PROXY = True
    # The stranger writes a new X-Forwarded-For of their own each time: nginx appends the address it saw.
    for number in range(throttle.MAX_PER_ACCOUNT_AND_ADDRESS):
        attempt_ = through_nginx("alex", "guess", STRANGER, forged=f"10.0.0.{number}, {OFFICE}")
        assert attempt_.status_code == 200
        assert failures() == [("alex", STRANGER)] * (number + 1)
    refused = through_nginx("alex", PASSWORD, STRANGER, forged=OFFICE)
    assert refused.status_code == 429 and "_auth_user_id" not in refused.client.session
    assert logged_in(through_nginx("alex", PASSWORD, OFFICE))
    assert set(failures()) == {("alex", STRANGER)}  # not nginx's own address, nor a forged one


def test_it_counts_everyone_behind_the_proxy_apart_not_as_the_proxy(member, admin, settings) -> None:
    settings.BEHIND_PROXY = True
    for _ in range(throttle.MAX_PER_ACCOUNT_AND_ADDRESS):
        through_nginx("maya", "typo", HOME)
    assert through_nginx("maya", PASSWORD, HOME).status_code == 429
    # A teammate's own typos at the office, and the admin logging in there, are untouched by Maya's.
    through_nginx("maya", "typo", OFFICE)
    assert logged_in(through_nginx("alex", PASSWORD, OFFICE))
    assert failures() == [("maya", HOME)] * throttle.MAX_PER_ACCOUNT_AND_ADDRESS + [("maya", OFFICE)]


def test_it_ignores_x_forwarded_for_when_not_behind_a_proxy(admin, settings) -> None:
    settings.BEHIND_PROXY = False
    for number in range(throttle.MAX_PER_ACCOUNT_AND_ADDRESS):
        attempt("alex", "guess", ip=STRANGER, x_forwarded_for=f"192.0.2.{number}")
    assert set(failures()) == {("alex", STRANGER)}
    assert attempt("alex", PASSWORD, ip=STRANGER, x_forwarded_for=OFFICE).status_code == 429


def test_it_lets_people_try_again_once_the_failures_are_old(member) -> None:
    for _ in range(throttle.MAX_PER_ACCOUNT_AND_ADDRESS):
        attempt("maya", "guess")
    assert attempt("maya", PASSWORD).status_code == 429
    oldest = LoginAttempt.objects.order_by("at").first()
    LoginAttempt.objects.filter(pk=oldest.pk).update(at=timezone.now() - throttle.WINDOW - timedelta(seconds=1))
    assert logged_in(attempt("maya", PASSWORD))


def test_it_forgets_the_owners_failures_from_where_they_logged_in(member) -> None:
    attempt("maya", "guess", ip=STRANGER)
    for _ in range(throttle.MAX_PER_ACCOUNT_AND_ADDRESS - 1):
        attempt("maya", "guess", ip=HOME)
    assert logged_in(attempt("maya", PASSWORD, ip=HOME))
    # Her own typos at home are forgotten; the stranger's try from elsewhere still counts.
    assert failures() == [("maya", STRANGER)]
    assert attempt("maya", "guess", ip=HOME).status_code == 200  # counting starts again


def test_it_guards_the_django_admin_login_too(admin) -> None:
    for _ in range(throttle.MAX_PER_ACCOUNT_AND_ADDRESS):
        attempt("alex", "guess", url="/admin/login/")
    assert failures() == [("alex", STRANGER)] * throttle.MAX_PER_ACCOUNT_AND_ADDRESS
    refused = attempt("alex", PASSWORD, url="/admin/login/")
    assert refused.status_code == 429
    assert "_auth_user_id" not in refused.client.session
    assert logged_in(attempt("alex", PASSWORD, ip=OFFICE, url="/admin/login/"))


def test_it_clears_old_history_as_new_failures_come_in(db) -> None:
    LoginAttempt.objects.create(username="old", at=timezone.now() - timedelta(days=2))
    attempt("maya", "guess")
    assert failures() == [("maya", STRANGER)]
