"""A member makes a video in each mode, as a person would: by label, by clicking, watching it appear."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.support import picture
from veoui.kie.simulator.probe import probe
from veoui.studio.models import Generation

pytestmark = pytest.mark.browser


def picture_file(tmp_path, name: str, width: int = 1280, height: int = 720, color: str = "#3366cc") -> str:
    path = tmp_path / name
    path.write_bytes(picture(width, height, color=color).getvalue())
    return str(path)


def watch_until_playing(page: Page) -> None:
    """The new tile goes from Generating to Ready; pointed at, it plays its video."""
    card = page.locator(".recent-list .gen-card").first
    expect(card.locator(".stage")).to_contain_text("Generating", timeout=20_000)
    expect(card).to_have_attribute("data-status", "succeeded", timeout=45_000)
    card.hover()
    video = card.locator("video")
    expect(video).to_be_visible()
    page.wait_for_function("v => v.currentTime > 0.5", arg=video.element_handle(), timeout=15_000)


def download(page: Page, tmp_path) -> None:
    card = page.locator(".recent-list .gen-card").first
    with page.expect_download() as info:
        card.get_by_role("link", name="Download").click()
    target = tmp_path / "downloaded.mp4"
    info.value.save_as(target)
    assert 7.5 <= probe(str(target))["duration"] <= 8.5


def test_it_goes_from_an_empty_text_form_to_a_playing_video(desktop: Page, tmp_path) -> None:
    page = desktop
    page.goto("/")
    expect(page.get_by_role("tab", name="Text to video")).to_have_attribute("aria-selected", "true")
    page.get_by_label("Prompt", exact=True).fill("A paper boat sails down a rainy street, close-up")
    page.get_by_label("Lite").check()
    expect(page.locator("[data-cost-credits]")).to_contain_text("30 credits")
    page.get_by_label("Fast").check()
    expect(page.locator("[data-cost-credits]")).to_contain_text("60 credits (about $0.30)")
    page.get_by_text("More settings").click()
    page.get_by_role("button", name="Random").click()
    seed = int(page.get_by_label("Seed").input_value())
    assert 10000 <= seed <= 99999
    url_before = page.url
    screenshot(page, "studio-text-1280")
    page.get_by_role("button", name="Generate").click()
    watch_until_playing(page)
    assert page.url == url_before  # no reload, no navigation
    screenshot(page, "studio-text-done-1280")
    download(page, tmp_path)
    assert Generation.objects.get().seed == seed


def test_it_blocks_a_missing_prompt_before_sending(desktop: Page) -> None:
    desktop.goto("/studio/text/")
    desktop.get_by_role("button", name="Generate").click()
    expect(desktop.locator('[data-error-for="prompt"]')).to_contain_text("Describe the video you want")
    assert not Generation.objects.exists()


@pytest.mark.parametrize("count", [1, 2])
def test_it_makes_a_video_from_first_and_last_frames(desktop: Page, tmp_path, count: int) -> None:
    page = desktop
    page.goto("/studio/frames/")
    page.get_by_label("Prompt", exact=True).fill("The sky turns from day to night over a city")
    page.get_by_role("button", name="Generate").click()
    expect(page.locator('[data-error-for="images"]')).to_contain_text("Add at least 1 picture")
    files = [picture_file(tmp_path, f"frame{i}.png", color=c) for i, c in enumerate(["#ffcc00", "#002244"][:count])]
    page.locator("[data-picker]").set_input_files(files)
    expect(page.locator(".thumb")).to_have_count(count)
    expect(page.locator(".thumb__role").first).to_have_text("First frame")
    if count == 2:
        expect(page.locator(".thumb__role").nth(1)).to_have_text("Last frame")
        page.get_by_role("button", name="Move later: First frame").click()
        expect(page.locator(".thumb img").first).to_have_attribute("alt", "First frame")
    page.get_by_label("Auto").check()
    expect(page.locator("[data-auto-hint]")).to_contain_text("closer to 16:9")
    screenshot(page, f"studio-frames-{count}-1280")
    page.get_by_role("button", name="Generate").click()
    watch_until_playing(page)
    assert Generation.objects.get().images.count() == count


def test_it_makes_a_video_from_reference_images(desktop: Page, tmp_path) -> None:
    page = desktop
    page.goto("/studio/reference/")
    expect(page.get_by_label("Quality")).to_be_disabled()
    expect(page.get_by_text("Quality can't use reference images. Choose Fast or Lite.")).to_be_visible()
    page.get_by_label("Prompt", exact=True).fill("A product shot of a blue mug on a wooden table")
    colors = ["#aa0000", "#00aa00", "#0000aa", "#777777"]
    files = [picture_file(tmp_path, f"ref{i}.png", color=c) for i, c in enumerate(colors)]
    page.locator("[data-picker]").set_input_files(files)
    page.get_by_role("button", name="Generate").click()
    expect(page.locator('[data-error-for="images"]')).to_contain_text("Use at most 3 pictures here: remove 1")
    assert not Generation.objects.exists()
    page.get_by_role("button", name="Remove: Reference 4").click()
    expect(page.locator(".thumb")).to_have_count(3)
    page.get_by_label("9:16").check()
    page.get_by_role("button", name="Generate").click()
    watch_until_playing(page)
    screenshot(page, "studio-reference-done-1280")
    generation = Generation.objects.get()
    assert (generation.mode, generation.aspect_ratio, generation.images.count()) == ("REFERENCE_2_VIDEO", "9:16", 3)


def test_it_creates_one_generation_for_a_double_click(desktop: Page, kie) -> None:
    page = desktop
    page.goto("/studio/text/")
    page.get_by_label("Prompt", exact=True).fill("Fireworks over a harbour")
    page.get_by_role("button", name="Generate").dblclick()
    watch_until_playing(page)
    assert Generation.objects.count() == 1
    assert len(kie.control.requests("generate")) == 1
    expect(page.locator(".recent-list .gen-card")).to_have_count(1)


def test_it_works_on_a_phone(phone: Page, tmp_path) -> None:
    page = phone
    page.goto("/studio/frames/")
    page.get_by_label("Prompt", exact=True).fill("A cat wakes up and stretches in the sun")
    page.locator("[data-picker]").set_input_files([picture_file(tmp_path, "cat.png", 720, 1280)])
    page.get_by_label("9:16").check()
    screenshot(page, "studio-frames-390")
    page.get_by_role("button", name="Generate").click()
    card = page.locator(".recent-list .gen-card").first
    expect(card).to_be_in_viewport()
    expect(card).to_have_attribute("data-status", "succeeded", timeout=45_000)
    screenshot(page, "studio-frames-done-390")
    card.locator(".tile__link").tap()  # a tap opens the video, to play there
    video = page.locator(".gen-card video")
    expect(video).to_be_visible()
    assert video.get_attribute("playsinline") is not None


def test_it_blocks_a_seed_out_of_range_before_sending(desktop: Page) -> None:
    desktop.goto("/studio/text/")
    desktop.get_by_label("Prompt", exact=True).fill("Waves at night")
    desktop.get_by_text("More settings").click()
    desktop.get_by_label("Seed").fill("123")
    desktop.get_by_role("button", name="Generate").click()
    expect(desktop.locator('[data-error-for="seed"]')).to_contain_text("10000 to 99999")
    expect(desktop.get_by_label("Seed")).to_be_focused()
    assert not Generation.objects.exists()
