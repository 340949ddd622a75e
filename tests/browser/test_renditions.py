"""From a finished video: 1080P, 4K and an extension, each with its cost shown before anything is spent."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from veoui.studio.models import Generation, Rendition

pytestmark = pytest.mark.browser


def play(page: Page, video) -> None:
    expect(video).to_be_visible(timeout=60_000)
    video.evaluate("v => { v.muted = true; return v.play(); }")
    page.wait_for_function("v => v.currentTime > 0.3", arg=video.element_handle(), timeout=15_000)


def test_it_upgrades_and_extends_a_finished_video(desktop: Page, settings, slow_kie) -> None:
    settings.VEOUI_UPGRADE_POLL_INTERVAL = 0.5
    slow_kie.control.configure(min_seconds=1, max_seconds=1.5)
    page = desktop
    page.goto("/studio/text/")
    page.get_by_label("Prompt", exact=True).fill("A red bicycle leaning on a yellow wall")
    page.get_by_role("button", name="Generate").click()
    card = page.locator(".recent-list .gen-card").first
    expect(card).to_have_attribute("data-status", "succeeded", timeout=45_000)
    card.get_by_role("link", name="A red bicycle").click()
    generation = Generation.objects.get()

    page.get_by_text("Extend by 8 seconds").click()
    page.get_by_label("What happens next?").fill("A cyclist rides it away down the street")
    page.get_by_role("button", name="Extend with Lite: 30 credits (about $0.15)").click()
    extension = Rendition.objects.get(kind="extend")
    play(page, page.locator(f"#rendition-{extension.uuid} video"))

    # kie.ai can't extend a video made into 1080P, so the extension comes first.
    for offer, confirm, cost in [
        ("1080P version", "Make it for 5 credits (about $0.03)", "costs 5 credits (about $0.03)"),
        ("4K version", "Make it for 120 credits (about $0.60)", "costs 120 credits (about $0.60)"),
    ]:
        page.get_by_text(offer, exact=True).first.click()
        expect(page.get_by_text(cost)).to_be_visible()
        before = Rendition.objects.filter(generation=generation).count()
        page.get_by_role("button", name=confirm).click()
        rendition = Rendition.objects.filter(generation=generation).latest("created_at")
        assert Rendition.objects.filter(generation=generation).count() == before + 1
        play(page, page.locator(f"#rendition-{rendition.uuid} video"))

    expect(page.get_by_text("Extend by 8 seconds")).to_have_count(0)
    screenshot(page, "renditions-1280")
    kinds = sorted(Rendition.objects.filter(status="succeeded").values_list("kind", flat=True))
    assert kinds == ["1080p", "4k", "extend"]
