"""A request's objects are freed as soon as its response is closed, not at Python's next cycle collection.

Driven through Django's WSGI application as gunicorn drives it (Django's test client keeps each response's
template context, and with it the request, for its assertions). Pages rendered from templates still leave their
template context (and what it holds) to the collector, as Django's templates make cycles of their own; status
checks render nothing while nothing changed, and nothing of theirs is left.
"""

from __future__ import annotations

import gc
import html
import io
import re
import sys
import weakref
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from tests.team.conftest import client_for, make_generation, make_user

pytestmark = pytest.mark.django_db

RELEASE = "veoui.core.middleware.ReleaseRequestMiddleware"


class Watched(WSGIRequest):
    seen: list[weakref.ref] = []

    def __init__(self, environ: dict) -> None:
        super().__init__(environ)
        Watched.seen.append(weakref.ref(self))


class Application(WSGIHandler):
    request_class = Watched


@pytest.fixture
def no_cycle_collection() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def serve(path: str, cookie: str = "", **headers: str) -> tuple[str, weakref.ref]:
    """One request as a WSGI server makes it: the body read to its end, the response closed and let go."""
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "HTTP_COOKIE": cookie,
        "QUERY_STRING": "",
        **headers,
    }
    answer: list[str] = []
    Watched.seen.clear()
    # As Django's test client does: the test's database connection (and its transaction) stays open.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = Application()(environ, lambda status, headers, exc_info=None: answer.append(status))
        b"".join(response)
        response.close()
        del response
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    [request] = Watched.seen
    return answer[0], request


def signed_in_cookie(user: object) -> str:
    client = client_for(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def unchanged_check(person: object) -> str:
    """The address an open card of a running video polls while nothing on it changes (answered 204)."""
    generation = make_generation(person, 0, status="running")
    card = client_for(person).get(f"/videos/{generation.uuid}/status/", HTTP_HX_REQUEST="true")
    return html.unescape(re.search(r'hx-get="([^"]+)"', card.content.decode()).group(1))


@pytest.mark.usefixtures("no_cycle_collection")
def test_a_status_check_is_freed_when_its_response_closes() -> None:
    maya = make_user("maya", "Maya")
    path, _, query = unchanged_check(maya).partition("?")
    status, request = serve(path, signed_in_cookie(maya), HTTP_HX_REQUEST="true", QUERY_STRING=query)
    assert status.startswith("204")
    assert request() is None


@pytest.mark.usefixtures("no_cycle_collection")
def test_a_visitor_sent_to_the_login_page_is_freed_when_the_response_closes() -> None:
    status, request = serve("/gallery/")
    assert status.startswith("302")
    assert request() is None


@pytest.mark.usefixtures("no_cycle_collection")
def test_without_it_django_leaves_the_request_to_the_cycle_collector(settings) -> None:
    """Why it exists: Django's middleware points back at the request (and the reason this test can fail)."""
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != RELEASE]
    maya = make_user("maya", "Maya")
    path, _, query = unchanged_check(maya).partition("?")
    status, request = serve(path, signed_in_cookie(maya), HTTP_HX_REQUEST="true", QUERY_STRING=query)
    assert status.startswith("204")
    assert request() is not None
    gc.collect()
    assert request() is None


def test_it_comes_first_so_it_sees_every_response() -> None:
    assert settings.MIDDLEWARE[0] == RELEASE
