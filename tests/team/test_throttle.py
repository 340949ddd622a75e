"""Login throttling: wrong passwords are counted in the database, and too many pause further tries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.team.conftest import PASSWORD, text
from veoui.team import throttle
from veoui.team.models import LoginAttempt

pytestmark = pytest.mark.django_db


def attempt(username: str, password: str, ip: str = "203.0.113.7", url: str = "/login/"):
    # A fresh client each time, as separate browsers or processes would be: only the database remembers.
    return Client(REMOTE_ADDR=ip).post(url, {"username": username, "password": password})


def logged_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def test_it_refuses_a_sixth_try_for_an_account_even_with_the_right_password(member, admin) -> None:
    for _ in range(throttle.MAX_PER_USERNAME):
        wrong = attempt("maya", "guess")
        assert wrong.status_code == 200 and "don't match" in text(wrong)
    refused = attempt("maya", PASSWORD)
    assert refused.status_code == 429
    page = text(refused)
    assert "Too many wrong passwords for this account" in page and "about 15 minutes" in page
    assert "_auth_user_id" not in refused.client.session
    assert LoginAttempt.objects.filter(username="maya").count() == throttle.MAX_PER_USERNAME
    # The pause is per account: a teammate at the same address logs in as usual.
    assert logged_in(attempt("alex", PASSWORD))


def test_it_pauses_tries_for_the_account_from_any_address_and_in_any_letter_case(member) -> None:
    for number in range(throttle.MAX_PER_USERNAME):
        attempt("Maya", "guess", ip=f"198.51.100.{number}")
    assert attempt("maya", PASSWORD, ip="192.0.2.1").status_code == 429


def test_it_lets_people_try_again_once_the_failures_are_old(member) -> None:
    for _ in range(throttle.MAX_PER_USERNAME):
        attempt("maya", "guess")
    assert attempt("maya", PASSWORD).status_code == 429
    oldest = LoginAttempt.objects.order_by("at").first()
    LoginAttempt.objects.filter(pk=oldest.pk).update(at=timezone.now() - throttle.WINDOW - timedelta(seconds=1))
    assert logged_in(attempt("maya", PASSWORD))


def test_it_forgets_failures_after_a_successful_login(member) -> None:
    for _ in range(throttle.MAX_PER_USERNAME - 1):
        attempt("maya", "guess")
    assert logged_in(attempt("maya", PASSWORD))
    assert not LoginAttempt.objects.filter(username="maya").exists()
    assert attempt("maya", "guess").status_code == 200  # counting starts again


def test_it_limits_guessing_many_usernames_from_one_address(member) -> None:
    for number in range(throttle.MAX_PER_IP):
        attempt(f"nobody{number}", "guess")
    refused = attempt("maya", PASSWORD)
    assert refused.status_code == 429 and "from your network" in text(refused)
    assert logged_in(attempt("maya", PASSWORD, ip="192.0.2.99"))


def test_it_guards_the_django_admin_login_too(admin) -> None:
    for _ in range(throttle.MAX_PER_USERNAME):
        attempt("alex", "guess", url="/admin/login/")
    refused = attempt("alex", PASSWORD, url="/admin/login/")
    assert refused.status_code == 429
    assert "_auth_user_id" not in refused.client.session


def test_it_clears_old_history_as_new_failures_come_in(db) -> None:
    LoginAttempt.objects.create(username="old", at=timezone.now() - timedelta(days=2))
    attempt("maya", "guess")
    assert list(LoginAttempt.objects.values_list("username", flat=True)) == ["maya"]
