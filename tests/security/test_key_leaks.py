"""The whole-suite key watch (tests/security/leaks.py, installed by tests/conftest.py) is really watching."""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from tests.conftest import TEST_KIE_API_KEY
from tests.security import leaks


def leaky(request) -> HttpResponse:
    response = HttpResponse("nothing to see")
    response["X-Debug"] = f"Bearer {TEST_KIE_API_KEY}"
    return response


urlpatterns = [path("leaky/", leaky)]


def test_it_catches_the_key_in_a_log_record() -> None:
    logging.getLogger("veoui.anything").warning("calling kie.ai with %s", TEST_KIE_API_KEY)
    found, leaks.LEAKS[:] = list(leaks.LEAKS), []
    assert found and "log record veoui.anything:WARNING" in found[0]


def test_it_catches_the_key_in_a_response_header(db, settings) -> None:
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    client.force_login(get_user_model().objects.create_user("k"))
    client.get("/leaky/")
    found, leaks.LEAKS[:] = list(leaks.LEAKS), []
    assert any("(headers)" in entry for entry in found), found


def test_the_watch_counts_what_it_searched() -> None:
    before = dict(leaks.seen)
    logging.getLogger("veoui.anything").info("nothing secret")
    assert leaks.seen["records"] == before["records"] + 1
