"""A member on a phone (390 x 844, touch) makes a video in each mode: pictures come from the phone's own picker
(which offers the gallery and the camera), the new tile updates in sight, its video plays inline, and the gallery
shows it. No page may scroll sideways.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.a11y import keep_picture, overflow, photo
from tests.browser.conftest import screenshot
from veoui.studio.models import Generation

pytestmark = pytest.mark.browser

MODES = {
    "text": ("A red kite rises over a windy beach, seen from below", []),
    "frames": ("The sun sets behind the hill and the sky turns dark", [("#7cc3f0", "#f2b134"), ("#1e3a8a", "#0f172a")]),
    "reference": ("A hill at dawn and at dusk, side by side", [("#f9a8d4", "#fde68a"), ("#f2b134", "#c2410c")]),
}


def fits(page: Page, where: str) -> None:
    assert overflow(page) <= 0, f"{where}: the page is {overflow(page)} px wider than the phone"


def pick_pictures(page: Page, tmp_path, colors: list[tuple[str, str]]) -> None:
    """Through the phone's own file picker: tapping "Choose files" opens it, as a person would."""
    picker = page.locator("[data-picker]")
    accept = picker.get_attribute("accept") or ""
    assert accept and all(kind.startswith("image/") for kind in accept.split(",")), accept
    # Without `capture` the phone offers both its photo gallery and its camera.
    assert picker.get_attribute("capture") is None
    files = []
    for i, (top, bottom) in enumerate(colors):
        files.append(photo(tmp_path / f"photo{i}.jpg", top, bottom))
    with page.expect_file_chooser() as chooser:
        page.locator("label[for=picker]").tap()
    assert chooser.value.is_multiple()
    chooser.value.set_files(files)
    expect(page.locator(".thumb")).to_have_count(len(colors))


@pytest.mark.parametrize("slug", list(MODES))
def test_it_makes_a_video_on_a_phone(phone: Page, kie, tmp_path, slug: str) -> None:
    kie.control.configure(min_seconds=1, max_seconds=1.5)
    page = phone
    prompt, colors = MODES[slug]
    page.goto(f"/studio/{slug}/")
    fits(page, f"the {slug} form")
    for tab in page.get_by_role("tab").all():  # every mode in sight, none scrolled away
        box = tab.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, tab.text_content()
    page.get_by_label("Prompt", exact=True).fill(prompt)
    if colors:
        pick_pictures(page, tmp_path, colors)
    page.get_by_label("9:16").check()
    fits(page, f"the {slug} form, filled in")
    if colors:
        page.locator(".thumbs").scroll_into_view_if_needed()
    else:
        page.evaluate("() => { document.activeElement.blur(); window.scrollTo(0, 0); }")
    keep_picture(page, f"phone-{slug}-form", full_page=False)
    screenshot(page, f"phone-{slug}-form-390")

    page.get_by_role("button", name="Generate").tap()
    card = page.locator(".recent-list .gen-card").first
    expect(card).to_be_in_viewport()  # the new tile is brought into sight under the form
    expect(card).to_have_attribute("data-status", "succeeded", timeout=45_000)
    fits(page, f"the {slug} studio with the finished video")
    keep_picture(page, f"phone-{slug}-video", full_page=False)
    screenshot(page, f"phone-{slug}-done-390")
    card.locator(".tile__link").tap()  # the tile opens the video, which plays in the page
    video = page.locator(".gen-card video")
    expect(video).to_be_visible()
    assert video.get_attribute("playsinline") is not None
    assert video.get_attribute("controls") is not None
    assert video.get_attribute("aria-label")
    video.evaluate("v => { v.muted = true; return v.play(); }")
    page.wait_for_function("v => v.currentTime > 1.5", arg=video.element_handle(), timeout=15_000)
    assert page.evaluate("() => document.fullscreenElement") is None  # it plays in the page
    box = video.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390
    video.evaluate("v => v.pause()")
    fits(page, f"the {slug} video page")
    generation = Generation.objects.get()
    assert (generation.aspect_ratio, generation.images.count()) == ("9:16", len(colors))

    page.get_by_role("link", name="Gallery").tap()
    expect(page.locator(".gallery-item__prompt")).to_have_text([prompt])
    fits(page, "the gallery")
    screenshot(page, f"phone-{slug}-gallery-390")
