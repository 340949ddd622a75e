"""A member reads the studio in Chinese and in Spanish, chosen with the switcher in the account menu."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from veoui.studio.models import Generation
from veoui.team.models import Membership

pytestmark = pytest.mark.browser


def choose_language(page: Page, label: str, language: str) -> None:
    """The choice applies at once: the page comes back in that language, with no button to press."""
    page.locator(".user-menu > summary").click()
    screenshot(page, f"language-menu-{language}-1280")
    page.get_by_label(label, exact=True).select_option(language)


def test_it_switches_the_studio_to_chinese_and_to_spanish(desktop: Page, person) -> None:
    page = desktop
    page.goto("/studio/text/")
    expect(page.get_by_role("button", name="Generate")).to_be_visible()

    choose_language(page, "Language", "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("tab", name="文字生成视频")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tab", name="首尾帧")).to_be_visible()
    expect(page.get_by_role("link", name="作品库")).to_be_visible()
    expect(page.get_by_role("heading", name="你最近的视频")).to_be_visible()
    expect(page.locator("#prompt-help")).to_contain_text("任何语言都可以")
    expect(page.locator("[data-cost-credits]")).to_contain_text("60 积分（约 $0.30）")
    page.get_by_label("提示词", exact=True).fill("海边的灯塔，暴风雨中，镜头慢慢推近")
    page.get_by_role("button", name="生成", exact=True).click()
    card = page.locator(".recent-list .gen-card").first
    # The status card refreshes itself over htmx, in the member's language.
    expect(card.locator(".stage")).to_contain_text("生成中", timeout=20_000)
    expect(card.locator(".badge")).to_have_text("已完成", timeout=45_000)
    expect(card.get_by_role("link", name="下载")).to_be_visible()
    screenshot(page, "studio-zh-hans-1280")
    assert Membership.objects.get(user=person).language == "zh-hans"

    choose_language(page, "语言", "es")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("tab", name="Texto a video")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("button", name="Generar", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Tus últimos videos")).to_be_visible()
    expect(page.get_by_role("link", name="Galería")).to_be_visible()
    expect(page.locator("[data-cost-credits]")).to_contain_text("60 créditos (unos $0,30)")
    expect(card.locator(".badge")).to_have_text("Listo")
    page.get_by_label("Prompt", exact=True).fill("Un faro en la tormenta, la cámara se acerca despacio")
    page.get_by_text("Más ajustes").click()
    page.get_by_label("Cuántos").select_option("2")
    expect(page.locator("[data-cost-credits]")).to_contain_text("120 créditos (unos $0,60)")
    page.get_by_label("Cuántos").select_option("1")
    page.get_by_role("button", name="Generar", exact=True).click()
    newest = page.locator(".recent-list .gen-card").first
    expect(newest.locator(".stage")).to_contain_text("Generando", timeout=20_000)
    expect(newest.locator(".badge")).to_have_text("Listo", timeout=45_000)
    screenshot(page, "studio-es-1280")
    assert Generation.objects.count() == 2
    assert Membership.objects.get(user=person).language == "es"

    page.goto("/gallery/")
    expect(page.get_by_role("heading", name="Galería", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Borrar filtros", exact=True)).to_be_visible()


def test_it_switches_the_login_page_before_login_on_a_phone(playwright_browser, live_server) -> None:
    context = playwright_browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("Language", exact=True).select_option("es")
    expect(page.get_by_role("heading", name="Inicia sesión en veoui")).to_be_visible()
    expect(page.get_by_label("Usuario", exact=True)).to_be_visible()
    page.get_by_label("Idioma", exact=True).select_option("zh-hans")
    expect(page.get_by_role("heading", name="登录 veoui")).to_be_visible()
    screenshot(page, "login-zh-hans-390")
    context.close()
