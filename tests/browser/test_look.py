"""The look: a dark theme that follows the system setting, icons instead of characters, the logo in the header.

Every page here is checked with axe-core in the light and the dark theme, at 1280 px and at 390 px.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.a11y import PHONE, axe_problems, photo
from tests.browser.conftest import login_context, screenshot
from tests.people import make_busy_failure, make_generation, make_user
from veoui.team.models import Membership, Role

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 800}
ICON_CHARACTERS = "▶►→←↓↑✕✖×✓✔"
SCHEMES = ("light", "dark")


@pytest.fixture
def made(transactional_db) -> dict:
    maya = make_user("maya", "Maya")
    finished = make_generation(maya, 60, prompt="A neon boat drifts under a bridge at night")
    make_busy_failure(maya)
    return {"maya": maya, "alex": make_user("alex", "Alex", role=Role.ADMIN), "finished": finished}


def open_as(playwright_browser, live_server, user, scheme: str) -> Page:
    context = login_context(
        playwright_browser, live_server, user, viewport=LAPTOP, color_scheme=scheme, bypass_csp=True
    )
    return context.new_page()


@pytest.fixture(params=SCHEMES)
def scheme(request) -> str:
    return request.param


@pytest.fixture
def maya_page(playwright_browser, live_server, made, scheme) -> Iterator[Page]:
    page = open_as(playwright_browser, live_server, made["maya"], scheme)
    yield page
    page.context.close()


def colours(page: Page) -> dict:
    """The body's computed background and text colours, each as its relative luminance (0 black, 1 white)."""
    return page.evaluate(
        """() => {
          const luminance = (colour) => {
            const [r, g, b] = colour.match(/[\\d.]+/g).slice(0, 3).map((v) => {
              const c = Number(v) / 255;
              return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
            });
            return 0.2126 * r + 0.7152 * g + 0.0722 * b;
          };
          const style = getComputedStyle(document.body);
          return { background: luminance(style.backgroundColor), text: luminance(style.color) };
        }"""
    )


def visible_icon_characters(page: Page) -> list[str]:
    text = page.locator("body").inner_text()
    return [character for character in ICON_CHARACTERS if character in text]


def both_widths(page: Page, label: str) -> list[str]:
    problems = axe_problems(page, f"{label} at 1280")
    page.set_viewport_size(PHONE)
    problems += axe_problems(page, f"{label} at 390")
    page.set_viewport_size(LAPTOP)
    return problems


def test_it_follows_the_system_dark_setting(maya_page: Page, scheme: str) -> None:
    page = maya_page
    page.goto("/studio/text/")
    body = colours(page)
    if scheme == "dark":
        assert body["background"] < 0.05 and body["text"] > 0.6, body
    else:
        assert body["background"] > 0.8 and body["text"] < 0.05, body
    field = page.get_by_label("Prompt", exact=True)
    assert page.evaluate("(el) => getComputedStyle(el).colorScheme", field.element_handle()) == "light dark"
    screenshot(page, f"look-studio-{scheme}-1280")
    page.set_viewport_size(PHONE)
    screenshot(page, f"look-studio-{scheme}-390")


def test_it_shows_the_logo_in_the_header(maya_page: Page) -> None:
    page = maya_page
    page.goto("/gallery/")
    brand = page.get_by_role("banner").get_by_role("link", name="veoui", exact=True)
    expect(brand).to_be_visible()
    mark = brand.locator("svg.brand__mark")
    expect(mark).to_be_visible()
    expect(mark).to_have_attribute("aria-hidden", "true")
    assert mark.bounding_box()["width"] >= 24
    favicon = page.locator('link[rel="icon"]')
    expect(favicon).to_have_attribute("type", "image/svg+xml")
    answer = page.request.get(favicon.get_attribute("href"))
    assert answer.ok and "<svg" in answer.text()


def test_it_uses_icons_instead_of_characters(maya_page: Page, made, tmp_path) -> None:
    page = maya_page
    for path in ("/studio/text/", "/gallery/", f"/videos/{made['finished'].uuid}/"):
        page.goto(path)
        assert visible_icon_characters(page) == [], path
        for icon in page.locator("svg.icon").all():
            expect(icon).to_have_attribute("aria-hidden", "true")
            expect(icon).to_have_attribute("focusable", "false")
    expect(page.get_by_role("link", name="Back to the studio")).to_have_count(1)
    expect(page.get_by_role("link", name="Back to the studio").locator("svg.icon--arrow-left")).to_have_count(1)

    # The buttons the studio makes for each picture: icons, named by their label.
    page.goto("/studio/frames/")
    picture = photo(tmp_path / "first.jpg", "#ff9a5a", "#5a2a8a")
    page.locator("[data-picker]").set_input_files([picture, picture])
    expect(page.locator(".thumb")).to_have_count(2)
    remove = page.get_by_role("button", name="Remove: First frame")
    expect(remove.locator("svg.icon--x")).to_have_count(1)
    expect(page.get_by_role("button", name="Move later: First frame").locator("svg.icon--arrow-right")).to_have_count(1)
    assert visible_icon_characters(page) == []
    remove.click()
    expect(page.locator(".thumb")).to_have_count(1)


def test_it_passes_axe_in_both_themes(maya_page: Page, playwright_browser, live_server, made, scheme) -> None:
    page = maya_page
    problems = []
    for label, path in (
        ("studio", "/studio/text/"),
        ("studio-frames", "/studio/frames/"),
        ("gallery", "/gallery/"),
        ("video", f"/videos/{made['finished'].uuid}/"),
    ):
        page.goto(path)
        problems += both_widths(page, f"{label} ({scheme})")
    admin = open_as(playwright_browser, live_server, made["alex"], scheme)
    person = Membership.objects.get(user=made["maya"]).uuid
    for label, path in (
        ("people", "/people/"),
        ("person", f"/people/{person}/"),
        ("usage", "/usage/"),
        ("team-settings", "/team/settings/"),
    ):
        admin.goto(path)
        problems += both_widths(admin, f"{label} ({scheme})")
        screenshot(admin, f"look-{label}-{scheme}-1280")
    admin.context.close()
    visitor = playwright_browser.new_context(
        base_url=live_server.url, viewport=LAPTOP, color_scheme=scheme, bypass_csp=True
    ).new_page()
    visitor.goto("/login/")
    problems += both_widths(visitor, f"login ({scheme})")
    visitor.context.close()
    assert not problems, "\n".join(problems)
