"""CSRF: every endpoint refuses a POST without a CSRF token, except kie.ai's callbacks and a share link's comments
and review (token-authenticated, no session)."""

from __future__ import annotations

import re
import uuid

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from tests.people import PASSWORD

# Called by kie.ai's servers, which have no session: authenticated by the per-video token (and the signature).
CSRF_EXEMPT = {"kie_callback", "kie_rendition_callback"}
# What outside reviewers post on a share link: no session and no cookie, the link's token (in the address) is the
# only authority, and a forged post would need that token, with which anyone may post anyway. Nothing of the
# person's own session is used there (tests/sharing).
CSRF_EXEMPT |= {"share_video_comment", "share_video_review", "share_scene_comment", "share_scene_review"}
SAMPLES = {"uuid": str(uuid.uuid4()), "slug": "text", "int": "1", "str": "sample", "path": "sample"}
ROUTE_PARAM = re.compile(r"<(?:(\w+):)?\w+>")


def _route(pattern) -> str | None:
    if isinstance(pattern, RoutePattern):
        return ROUTE_PARAM.sub(lambda m: SAMPLES.get(m.group(1) or "str", "sample"), str(pattern))
    if isinstance(pattern, RegexPattern):
        text = str(pattern).removeprefix("^").removesuffix("$").removesuffix(r"\Z")
        # The admin's regex routes: fill the named groups with a value their pattern accepts.
        text = re.sub(r"\(\?P<\w+>[^)]*\)", "auth", text)
        return None if any(c in text for c in "()[]*+?\\|") else text
    return None


def endpoints(resolver: URLResolver | None = None, prefix: str = "") -> list[tuple[str, str, object]]:
    """(name, path, view) of every URL pattern, with sample values for its parameters."""
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        part = _route(entry.pattern)
        if part is None:
            continue
        if isinstance(entry, URLResolver):
            found += endpoints(entry, prefix + part)
        elif isinstance(entry, URLPattern):
            found.append((entry.name or "", "/" + prefix + part, entry.callback))
    return found


def test_it_enumerates_every_app_endpoint() -> None:
    names = {name for name, _path, _view in endpoints()}
    assert {"studio", "generation_resubmit", "rendition_create", "people_invite", "login", "logout"} <= names
    assert names >= CSRF_EXEMPT
    assert len(endpoints()) > 50  # the admin's pages are in too


def test_only_the_callbacks_are_exempt_by_design() -> None:
    exempt = {name for name, _path, view in endpoints() if getattr(view, "csrf_exempt", False)}
    assert exempt == CSRF_EXEMPT


@pytest.mark.django_db
def test_it_refuses_every_post_without_a_csrf_token() -> None:
    admin = get_user_model().objects.create_superuser("ada", password=PASSWORD)
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(admin)
    # With a valid CSRF cookie, so the refusals are about the missing token, not the cookie.
    client.cookies[settings.CSRF_COOKIE_NAME] = _get_new_csrf_string()
    anonymous = Client(enforce_csrf_checks=True, raise_request_exception=False)
    checked, answers = 0, {}
    for name, path, _view in endpoints():
        if name in CSRF_EXEMPT:
            continue
        for who in (client, anonymous):
            response = who.post(path, {"prompt": "x", "submission_token": str(uuid.uuid4())})
            answers[(name or path, who is client)] = response.status_code
            checked += 1
    refused = {key: code for key, code in answers.items() if code != 403}
    assert not refused, refused
    print(f"\nCSRF: {checked} POSTs without a token to {checked // 2} endpoints, all 403")


@pytest.mark.django_db
def test_the_callbacks_answer_without_csrf_but_refuse_a_wrong_token() -> None:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    for path in (f"/hooks/kie/{uuid.uuid4()}/forged/", f"/hooks/kie/r/{uuid.uuid4()}/forged/"):
        response = client.post(path, b"{}", content_type="application/json")
        assert response.status_code != 403 or b"CSRF" not in response.content
        assert response.status_code in {400, 401, 403, 404}
