"""Playwright in Debian's Chromium against the live app, with the simulator and a real worker behind it."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tests.people import client_for, make_user

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def playwright_browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get install chromium).")
    # Playwright keeps an event loop in this thread; the tests still use the ORM synchronously.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def person(transactional_db) -> object:
    return make_user("maya", "Maya")


def login_context(browser, live_server, user, **options):
    """A browser context already logged in as ``user`` (the session cookie of a real login)."""
    client = client_for(user)
    context = browser.new_context(base_url=live_server.url, accept_downloads=True, **options)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def slow_kie(kie):
    """Tasks that last long enough for a person (and the test) to watch the status change."""
    kie.control.configure(min_seconds=3, max_seconds=4)
    return kie


@pytest.fixture
def desktop(playwright_browser, live_server, person, worker, slow_kie) -> Iterator[object]:
    context = login_context(playwright_browser, live_server, person, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(playwright_browser, live_server, person, worker, slow_kie) -> Iterator[object]:
    context = login_context(
        playwright_browser,
        live_server,
        person,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
