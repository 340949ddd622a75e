"""Around every page: the language applies as soon as it is chosen, no button wraps its label in Chinese or
Spanish on a laptop or a phone, and a model that can't be chosen explains why in the muted colour, not the error
colour, with its name in the reader's language."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.a11y import DESKTOP, PHONE, axe_problems, overflow
from tests.browser.conftest import login_context, screenshot
from tests.people import make_generation, make_user
from veoui.team.models import Membership, Role

pytestmark = pytest.mark.browser

# Every visible button's label, measured: how many lines it takes (its content height over its line height).
WRAPPED_BUTTONS = """() => {
  const found = [];
  for (const element of document.querySelectorAll("button, .button, input[type=submit]")) {
    const box = element.getBoundingClientRect();
    if (box.width < 2 || box.height < 2 || element.closest(".visually-hidden")) continue;
    const hidden = element.querySelector(".visually-hidden");
    if (hidden && !element.textContent.replace(hidden.textContent, "").trim()) continue;  // an icon: nothing to wrap
    const style = getComputedStyle(element);
    const lineHeight = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.2;
    const content = box.height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom)
      - parseFloat(style.borderTopWidth) - parseFloat(style.borderBottomWidth);
    if (content > lineHeight * 1.5) {
      found.push(`"${element.textContent.trim().replace(/\\s+/g, " ")}" is ${Math.round(content)} px high, `
        + `its line ${Math.round(lineHeight)} px`);
    }
  }
  return found;
}"""

# What sticks out of a phone's width: the innermost elements past the right edge.
STICKING_OUT = """() => {
  const out = [...document.querySelectorAll("body *")].filter((element) => {
    const box = element.getBoundingClientRect();
    return box.width > 0 && box.right > window.innerWidth + 0.5 && !element.closest(".visually-hidden");
  });
  return out.filter((element) => !out.some((other) => other !== element && element.contains(other)))
    .slice(0, 4).map((element) => `${element.tagName.toLowerCase()}.${element.className} `
      + `"${element.textContent.trim().slice(0, 40)}"`);
}"""

MUTED = """() => {
  const probe = document.createElement("span");
  probe.style.color = "var(--muted)";
  document.body.append(probe);
  const colour = getComputedStyle(probe).color;
  probe.remove();
  return colour;
}"""


@pytest.fixture
def alex(transactional_db) -> object:
    return make_user("alex", "Alex", role=Role.ADMIN)


@pytest.fixture
def admin_page(playwright_browser, live_server, alex) -> Iterator[Page]:
    context = login_context(playwright_browser, live_server, alex, viewport=DESKTOP)
    page = context.new_page()
    yield page
    context.close()


def test_it_applies_the_language_as_soon_as_it_is_chosen(admin_page: Page, alex) -> None:
    page = admin_page
    page.goto("/gallery/")
    page.locator(".user-menu > summary").click()
    expect(page.get_by_role("link", name="Change password")).to_be_visible()
    expect(page.get_by_role("button", name="Change", exact=True)).to_be_hidden()  # kept for browsers without scripts
    page.get_by_label("Language", exact=True).select_option("zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", name="作品库", level=1)).to_be_visible()
    assert page.url.endswith("/gallery/")
    assert Membership.objects.get(user=alex).language == "zh-hans"

    page.locator(".user-menu > summary").click()
    page.get_by_label("语言", exact=True).select_option("es")
    expect(page.get_by_role("heading", name="Galería", level=1)).to_be_visible()
    assert Membership.objects.get(user=alex).language == "es"


def pages_of(alex) -> list[str]:
    # Quality: the dearest, so the longest labels ("Otra semilla (250 créditos, unos $1,25)").
    video = make_generation(alex, 250, model="veo3", prompt="A lighthouse at dawn", seed=12345)
    membership = Membership.objects.get(user=alex)
    return [
        "/studio/text/",
        "/studio/frames/",
        "/studio/reference/",
        "/gallery/",
        f"/videos/{video.uuid}/",
        "/people/",
        f"/people/{membership.uuid}/",
        "/usage/",
        "/team/settings/",
        "/account/password/",
        "/no-such-page/",
    ]


@pytest.mark.parametrize("language", ["zh-hans", "es"])
def test_it_wraps_no_button_label_in_chinese_or_spanish(admin_page: Page, alex, language: str) -> None:
    Membership.objects.filter(user=alex).update(language=language)
    page = admin_page
    problems = []
    for path in pages_of(alex):
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", language)
        for size, width in ((DESKTOP, 1280), (PHONE, 390)):
            page.set_viewport_size(size)
            problems += [f"{path} at {width}: {problem}" for problem in page.evaluate(WRAPPED_BUTTONS)]
            if width == 390 and overflow(page) > 0:
                wider = f"{overflow(page)} px wider than the phone: {', '.join(page.evaluate(STICKING_OUT))}"
                problems.append(f"{path} at 390: {wider}")
        page.set_viewport_size(DESKTOP)
    page.set_viewport_size(PHONE)
    page.goto("/people/")
    screenshot(page, f"everywhere-people-{language}-390")
    page.set_viewport_size(DESKTOP)
    page.goto("/studio/reference/")
    screenshot(page, f"everywhere-studio-reference-{language}-1280")
    assert not problems, "\n".join(problems)


def test_it_explains_a_disabled_model_in_the_muted_colour_with_its_translated_name(admin_page: Page, alex) -> None:
    Membership.objects.filter(user=alex).update(language="zh-hans")
    page = admin_page
    page.goto("/studio/reference/")
    reason = page.locator("#model-veo3-reason")
    expect(reason).to_have_text("高品质 不支持参考图片。请选择“快速”或“轻量”。")
    expect(page.get_by_role("radio", name="高品质")).to_be_disabled()
    muted = page.evaluate(MUTED)
    expect(reason).to_have_css("color", muted)
    danger = page.evaluate(MUTED.replace("--muted", "--danger"))
    assert muted != danger


def test_it_shows_veouis_404_in_spanish_with_the_header_and_a_way_back(playwright_browser, live_server, alex) -> None:
    maya = make_user("maya", "Maya")
    Membership.objects.filter(user=maya).update(language="es")
    private = make_generation(alex, 60, visibility="private")
    context = login_context(playwright_browser, live_server, maya, viewport=DESKTOP, bypass_csp=True)
    page = context.new_page()
    problems = []
    pages = (
        ("/no-such-page/", "Página no encontrada", "No hay nada en esta dirección."),
        (f"/videos/{private.uuid}/", "Este video no está disponible", "Se eliminó, o su autor lo mantiene privado."),
        ("/people/", "No puedes abrir esto", "Es para los administradores de tu equipo"),
    )
    for path, heading, why in pages:
        response = page.goto(path)
        assert response.status in (403, 404), path
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        expect(page.get_by_text(why)).to_be_visible()
        expect(page.get_by_role("navigation", name="Principal")).to_be_visible()  # veoui's header and menu
        for size, width in ((DESKTOP, 1280), (PHONE, 390)):
            page.set_viewport_size(size)
            problems += axe_problems(page, f"{path} at {width}")
            if width == 390 and overflow(page) > 0:
                problems.append(f"{path} at 390: {overflow(page)} px wider than the phone")
            screenshot(page, f"everywhere-{response.status}-es-{width}")
        page.set_viewport_size(DESKTOP)
    page.get_by_role("link", name="Ir al estudio").click()
    expect(page.get_by_role("button", name="Generar", exact=True)).to_be_visible()
    context.close()
    assert not problems, "\n".join(problems)
