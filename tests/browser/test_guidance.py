"""A new person is guided: "Try this" fills in an example, and Auto shows which part of a picture the video keeps."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.support import picture
from veoui.studio import guidance, rules

pytestmark = pytest.mark.browser

PREVIEW = "Preview of the part of your picture the video keeps"


def picture_file(tmp_path, name: str, width: int, height: int) -> str:
    path = tmp_path / name
    path.write_bytes(picture(width, height, color="#ffcc00").getvalue())
    return str(path)


def brightness(page: Page, x: float, y: float) -> int:
    """The red channel of the preview at a point given as fractions of its width and height."""
    return page.get_by_role("img", name=PREVIEW).evaluate(
        "(canvas, [x, y]) => canvas.getContext('2d')"
        ".getImageData(Math.floor(canvas.width * x), Math.floor(canvas.height * y), 1, 1).data[0]",
        [x, y],
    )


def test_it_fills_the_prompt_with_an_example(desktop: Page) -> None:
    page = desktop
    page.goto("/studio/text/")
    expect(page.get_by_text(str(guidance.guide_for(rules.TEXT).summary))).to_be_visible()
    page.get_by_role("link", name="Try this").click()
    expect(page.get_by_label("Prompt", exact=True)).to_have_value(str(guidance.guide_for(rules.TEXT).try_prompt))
    expect(page.get_by_label("Prompt", exact=True)).to_be_focused()
    assert "try=1" not in page.url  # filled in place, the page was not reloaded

    tips = page.get_by_text("Tips for good prompts")
    expect(page.get_by_text(str(guidance.TIPS[0][1]))).to_be_hidden()
    tips.click()
    expect(page.get_by_text(str(guidance.TIPS[0][1]))).to_be_visible()
    screenshot(page, "guidance-studio-text-1280")


def test_it_shows_what_auto_keeps_of_a_wide_and_a_tall_picture(phone: Page, tmp_path) -> None:
    page = phone
    page.goto("/studio/frames/")
    page.get_by_role("link", name="Try this").click()
    expect(page.get_by_label("Prompt", exact=True)).to_have_value(str(guidance.guide_for(rules.FRAMES).try_prompt))
    expect(page.locator(".thumb")).to_have_count(1)  # the sample picture "Try this" brings, made way for here
    page.get_by_role("button", name="Remove: First frame").click()
    expect(page.locator(".thumb")).to_have_count(0)

    page.locator("[data-picker]").set_input_files(picture_file(tmp_path, "tall.png", 600, 1200))
    expect(page.locator(".thumb")).to_have_count(1)
    preview = page.get_by_role("img", name=PREVIEW)
    expect(preview).to_be_hidden()
    page.get_by_label("Auto").check()
    hint = page.locator("[data-auto-hint]")
    expect(hint).to_contain_text("closer to 9:16 (tall)")
    expect(hint).to_contain_text("the darker edges are cut off")
    expect(preview).to_be_visible()
    box = preview.bounding_box()
    assert box["height"] > box["width"]
    # A tall picture loses its top and bottom: darkened there, untouched in the middle.
    assert brightness(page, 0.5, 0.02) < 120 < brightness(page, 0.5, 0.5)
    screenshot(page, "guidance-auto-tall-390")

    page.get_by_role("button", name="Remove: First frame").click()
    expect(preview).to_be_hidden()
    page.locator("[data-picker]").set_input_files(picture_file(tmp_path, "wide.png", 1600, 600))
    expect(hint).to_contain_text("closer to 16:9 (wide)")
    expect(preview).to_be_visible()
    box = preview.bounding_box()
    assert box["width"] > box["height"]
    # A very wide picture loses its sides.
    assert brightness(page, 0.02, 0.5) < 120 < brightness(page, 0.5, 0.5)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.get_by_label("16:9").check()
    expect(preview).to_be_hidden()
    expect(hint).to_be_hidden()


def test_it_leads_from_an_empty_gallery_to_a_filled_in_first_video(phone: Page) -> None:
    page = phone
    page.goto("/gallery/")
    expect(page.get_by_text("No videos yet. Make the first one in the studio")).to_be_visible()
    screenshot(page, "guidance-gallery-empty-390")
    page.get_by_role("link", name="Make your first video").click()
    expect(page).to_have_url(re.compile(r"/studio/text/\?try=1"))
    expect(page.get_by_label("Prompt", exact=True)).to_have_value(str(guidance.guide_for(rules.TEXT).try_prompt))
    expect(page.get_by_text("Nothing yet. Write a prompt and press Generate")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "guidance-studio-text-390")
