"""The studio as a studio: the prompt and Generate in view, the person's videos as a canvas of tiles that play on
hover, Generate answered at once, and the work kept when the mode changes. At 1280 x 800 and on a 390 x 844 phone.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.a11y import PHONE, photo
from tests.browser.conftest import ARTIFACTS, login_context, screenshot
from tests.people import make_generation
from veoui.studio.models import Generation, Status

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 800}
# How long after the click on Generate the new tile is wholly inside the window, in the page's own time.
SEEN_AFTER_CLICK = """() => document.querySelector("#generate-form button[type=submit]")
  .addEventListener("click", () => {
  const clicked = performance.now();
  const look = () => {
    const tile = document.querySelector("#recent-list .tile--new");
    const box = tile && tile.getBoundingClientRect();
    if (box && box.top >= 0 && box.bottom <= window.innerHeight) window.seenAfter = performance.now() - clicked;
    else requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
})"""


@pytest.fixture
def laptop(playwright_browser, live_server, person) -> Page:
    context = login_context(playwright_browser, live_server, person, viewport=LAPTOP)
    yield context.new_page()
    context.close()


@pytest.fixture
def small_phone(playwright_browser, live_server, person) -> Page:
    context = login_context(
        playwright_browser, live_server, person, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    yield context.new_page()
    context.close()


def first_screen(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def in_view(page: Page, locator, height: int) -> None:
    box = locator.bounding_box()
    assert box, locator
    assert box["y"] >= 0 and box["y"] + box["height"] <= height, (locator, box)


@pytest.mark.parametrize("slug", ["text", "frames", "reference"])
def test_the_prompt_model_cost_and_generate_are_in_view(laptop: Page, slug: str) -> None:
    page = laptop
    page.goto(f"/studio/{slug}/")
    assert page.evaluate("() => window.scrollY") == 0
    first_screen(page, f"canvas-studio-{slug}-1280x800")
    in_view(page, page.get_by_role("tab", name="Text to video"), 800)
    in_view(page, page.get_by_label("Prompt", exact=True), 800)
    in_view(page, page.locator("#cost-line"), 800)
    expect(page.locator("#cost-line")).to_contain_text("credits")
    in_view(page, page.get_by_role("button", name="Generate"), 800)
    # Each model with its price, above the bar that holds the cost and Generate (nothing hides under it).
    bar = page.locator(".generate-bar").bounding_box()
    assert bar and bar["y"] + bar["height"] <= 800
    for model in ("Fast", "Lite") if slug == "reference" else ("Quality", "Fast", "Lite"):
        price = page.locator(".choice", has=page.get_by_label(model)).locator(".choice__price").bounding_box()
        assert price and price["y"] >= 0 and price["y"] + price["height"] <= bar["y"], (model, price, bar)


def test_the_header_takes_at_most_a_fifth_of_a_phone(small_phone: Page) -> None:
    page = small_phone
    page.goto("/studio/text/")
    expect(page.get_by_role("status").filter(has_text="Demo mode")).to_be_visible()
    bottom = page.locator(".site-header").evaluate("h => h.getBoundingClientRect().bottom")
    assert bottom <= 844 / 5, bottom
    first_screen(page, "canvas-studio-text-390")


def test_more_settings_remembers_being_open(laptop: Page) -> None:
    page = laptop
    page.goto("/studio/text/")
    seed = page.get_by_label("Seed")
    expect(seed).to_be_hidden()
    page.get_by_text("More settings").click()
    for label in ("Seed", "Watermark", "Translate prompt to English", "How many", "Only me"):
        expect(page.get_by_label(label)).to_be_visible()
    page.reload()
    expect(seed).to_be_visible()
    page.get_by_role("tab", name="Reference images").click()
    expect(page.get_by_role("tab", name="Reference images")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_label("Seed")).to_be_visible()
    page.get_by_text("More settings").click()
    page.goto("/studio/frames/")
    expect(page.get_by_label("Seed")).to_be_hidden()


@pytest.fixture
def finished(person, worker, kie, laptop: Page) -> Generation:
    """One real video, made through the studio."""
    kie.control.configure(min_seconds=1, max_seconds=1.5)
    laptop.goto("/studio/text/")
    laptop.get_by_label("Prompt", exact=True).fill("A paper boat on a rainy street")
    laptop.get_by_role("button", name="Generate").click()
    expect(laptop.locator(".tile[data-status=succeeded]")).to_have_count(1, timeout=45_000)
    return Generation.objects.get()


def test_the_videos_are_a_canvas_of_tiles_with_one_player(laptop: Page, finished: Generation, person) -> None:
    page = laptop
    same = {"video": finished.video.name, "poster": finished.poster.name, "status": Status.SUCCEEDED}
    make_generation(person, 60, prompt="A tall lighthouse at night", aspect_ratio="9:16", **same)
    for n in range(4):
        make_generation(person, 60, prompt=f"A harbour at dawn, take {n}", **same)
    make_generation(person, 60, prompt="A kite, still in the making", status=Status.RUNNING)
    page.goto("/studio/text/")
    tiles = page.locator("#recent-list .tile")
    expect(tiles).to_have_count(7)
    expect(page.locator("video")).to_have_count(0)  # posters only, until a tile is looked at
    expect(tiles.filter(has_text="A kite")).to_contain_text("Generating")
    expect(tiles.filter(has_text="A harbour at dawn, take 0")).to_contain_text("Ready")
    # A tall video shows tall, whole: its picture is taller than wide and not cropped.
    tall = tiles.filter(has_text="A tall lighthouse").locator(".tile__media")
    box = tall.bounding_box()
    assert box and box["height"] > box["width"], box
    assert tall.locator("img").evaluate("i => getComputedStyle(i).objectFit") == "contain"

    # Hover plays the tile's video, muted; moving to another moves the one player.
    first = tiles.filter(has_text="A paper boat")
    first.hover()
    video = first.locator("video")
    expect(video).to_have_count(1)
    page.wait_for_function("v => v.currentTime > 0.3", arg=video.element_handle(), timeout=15_000)
    assert video.evaluate("v => v.muted && !v.paused")
    tiles.filter(has_text="take 2").hover()
    expect(tiles.filter(has_text="take 2").locator("video")).to_have_count(1)
    expect(page.locator("video")).to_have_count(1)
    screenshot(page, "canvas-tiles-1280x800")

    # The keyboard too: a tile in focus plays; Enter opens the video.
    tiles.filter(has_text="take 1").locator(".tile__link").focus()
    expect(tiles.filter(has_text="take 1").locator("video")).to_have_count(1)
    expect(page.locator("video")).to_have_count(1)
    page.keyboard.press("Enter")
    opened = Generation.objects.get(prompt__endswith="take 1")
    expect(page).to_have_url(re.compile(rf"/videos/{opened.uuid}/$"))


def test_generate_is_answered_at_once(laptop: Page, person, kie, worker) -> None:
    page = laptop
    kie.control.configure(min_seconds=30, max_seconds=30)
    for n in range(12):
        make_generation(person, 60, prompt=f"An older video, number {n}", status=Status.FAILED, error_message="x")
    page.goto("/studio/text/")
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    page.get_by_label("Prompt", exact=True).fill("A red balloon over the roofs")
    button = page.get_by_role("button", name="Generate")
    button.scroll_into_view_if_needed()
    page.evaluate(SEEN_AFTER_CLICK)
    button.click()
    sent = page.locator("#generate-form button[type=submit]")
    expect(sent).to_have_text("Sent")
    expect(sent).to_be_disabled()
    tile = page.locator("#recent-list .tile", has_text="A red balloon")
    expect(tile).to_be_in_viewport()
    page.wait_for_function("() => window.seenAfter !== undefined")
    assert page.evaluate("() => window.seenAfter") < 1_000
    expect(tile).to_have_class(re.compile(r"\btile--new\b"))
    expect(tile.locator(".tile__link")).to_be_focused()
    expect(page.locator("#live-status")).to_contain_text("A red balloon")
    expect(page.get_by_role("button", name="Generate")).to_be_enabled()
    assert Generation.objects.filter(prompt="A red balloon over the roofs").count() == 1


@pytest.mark.parametrize("where", ["laptop", "small_phone"])
def test_a_double_click_makes_one_video(request, where: str, kie, worker) -> None:
    page = request.getfixturevalue(where)
    kie.control.configure(min_seconds=30, max_seconds=30)
    page.goto("/studio/text/")
    page.get_by_label("Prompt", exact=True).fill("Fireworks over a harbour")
    page.get_by_role("button", name="Generate").dblclick()
    tile = page.locator("#recent-list .tile")
    expect(tile).to_have_count(1)
    expect(tile).to_be_in_viewport()
    expect(tile.locator(".tile__link")).to_be_focused()
    expect(tile).to_have_attribute("data-status", "running", timeout=20_000)
    assert Generation.objects.count() == 1
    assert len(kie.control.requests("generate")) == 1
    expect(tile).to_have_count(1)


def test_the_prompt_and_pictures_survive_a_change_of_tab(laptop: Page, tmp_path) -> None:
    page = laptop
    page.goto("/studio/frames/")
    page.get_by_label("Prompt", exact=True).fill("The sky turns from day to night")
    skies = ["#7cc3f0", "#f2b134"]
    files = [photo(tmp_path / f"sky{i}.jpg", top, "#0f172a", size=(1280, 720)) for i, top in enumerate(skies)]
    page.locator("[data-picker]").set_input_files(files)
    expect(page.locator(".thumb")).to_have_count(2)
    page.get_by_text("More settings").click()
    page.get_by_label("Watermark").fill("Acme")

    page.get_by_role("tab", name="Reference images").click()
    expect(page.get_by_role("tab", name="Reference images")).to_have_attribute("aria-selected", "true")
    expect(page).to_have_url(re.compile(r"/studio/reference/$"))
    expect(page.get_by_label("Prompt", exact=True)).to_have_value("The sky turns from day to night")
    expect(page.locator(".thumb")).to_have_count(2)
    expect(page.locator(".thumb__role").first).to_have_text("Reference 1")
    expect(page.get_by_label("Watermark")).to_have_value("Acme")

    page.get_by_role("tab", name="Text to video").click()
    expect(page.get_by_role("tab", name="Text to video")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_label("Prompt", exact=True)).to_have_value("The sky turns from day to night")
    expect(page.locator(".thumb")).to_have_count(0)

    # From the keyboard: Enter on a tab changes the mode, and the focus stays on the tab.
    page.get_by_role("tab", name="First and last frames").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("tab", name="First and last frames")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tab", name="First and last frames")).to_be_focused()
    expect(page.locator(".thumb__role")).to_have_text(["First frame", "Last frame"])
    expect(page.get_by_label("Prompt", exact=True)).to_have_value("The sky turns from day to night")
