"""The pictures in the README, taken at 1280 px the way a member and an admin see veoui: the studio (light and dark),
a video in the making, a finished video, a group of variations, the gallery and the usage page. ``make screenshots``
keeps them in tests/browser/screenshots/; a plain test run checks the same path and keeps its pictures in
test-artifacts/.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.a11y import DESKTOP, keep_picture, photo
from tests.browser.conftest import login_context, screenshot
from tests.people import make_generation, make_user
from veoui.studio.models import Generation
from veoui.team.models import Role

pytestmark = pytest.mark.browser


def make_video(page: Page, tmp_path, slug: str, prompt: str, skies: list[tuple[str, str]]) -> None:
    page.goto(f"/studio/{slug}/")
    page.get_by_label("Prompt", exact=True).fill(prompt)
    if skies:
        files = [photo(tmp_path / f"{slug}{i}.jpg", *sky, size=(1280, 720)) for i, sky in enumerate(skies)]
        page.locator("[data-picker]").set_input_files(files)
        expect(page.locator(".thumb")).to_have_count(len(skies))
    page.get_by_role("button", name="Generate").click()
    card = page.locator(".recent-list .gen-card", has_text=prompt)
    expect(card).to_have_attribute("data-status", "succeeded", timeout=45_000)


SETTLED = """() => [...document.querySelectorAll("video")].every(v => v.readyState >= 2 && v.networkState !== 2)
  && [...document.querySelectorAll("img")].every(i => i.complete)"""


def both(page: Page, name: str, *, full_page: bool = False) -> None:
    """A picture once the players show their frame instead of a loading spinner, with no focus ring in sight."""
    page.evaluate("() => document.activeElement?.blur()")
    page.wait_for_function(SETTLED, timeout=15_000)
    page.wait_for_timeout(1200)  # the players' loading spinners fade out
    screenshot(page, f"readme-{name}-1280")
    keep_picture(page, name, full_page=full_page)


def test_it_takes_the_readme_pictures(playwright_browser, live_server, person, worker, kie, tmp_path) -> None:
    kie.control.configure(min_seconds=1, max_seconds=1.5)
    context = login_context(playwright_browser, live_server, person, viewport=DESKTOP)
    page = context.new_page()
    make_video(
        page,
        tmp_path,
        "frames",
        "Morning turns to night over the hills",
        [("#7cc3f0", "#f2b134"), ("#1e3a8a", "#0f172a")],
    )
    make_video(page, tmp_path, "reference", "A hill at dawn and at dusk, side by side", [("#f9a8d4", "#fde68a")])
    make_video(page, tmp_path, "text", "Fireworks over a harbour, reflected in the water", [])

    # The studio with a prompt typed, then the new video in the making beside the form.
    kie.control.configure(min_seconds=120, max_seconds=120)
    page.goto("/studio/text/")
    page.get_by_label("Prompt", exact=True).fill("A paper boat sails down a rainy street, close-up, soft evening light")
    page.get_by_label("Fast").check()
    expect(page.locator("[data-cost-credits]")).to_contain_text("60 credits")
    both(page, "studio")
    page.emulate_media(color_scheme="dark")  # the dark theme, as a system set to dark shows it
    both(page, "studio-dark")
    page.emulate_media(color_scheme="light")
    page.get_by_role("button", name="Generate").click()
    card = page.locator(".recent-list .gen-card", has_text="A paper boat")
    expect(card.locator(".stage")).to_contain_text("Generating", timeout=20_000)
    page.evaluate("() => window.scrollTo(0, 0)")
    both(page, "running")

    generation = Generation.objects.get(prompt__startswith="A paper boat")
    kie.control.complete(generation.kie_task_id)
    page.goto(f"/videos/{generation.uuid}/")
    video = page.locator(".gen-card video").first
    expect(video).to_be_visible(timeout=30_000)
    video.evaluate("v => { v.muted = true; return v.play(); }")
    page.wait_for_function("v => v.currentTime > 2.5", arg=video.element_handle(), timeout=15_000)
    video.evaluate("v => v.pause()")
    both(page, "finished")

    # Two variations of one prompt, side by side on the video's page, playing together.
    kie.control.configure(min_seconds=1, max_seconds=1.5)
    page.goto("/studio/text/")
    page.get_by_label("Prompt", exact=True).fill("Two paper lanterns rising over a lake at dusk")
    page.get_by_text("More settings").click()
    page.get_by_label("How many").select_option("2")
    page.get_by_role("button", name="Generate").click()
    ready = page.locator('.recent-list .gen-card[data-status="succeeded"]', has_text="paper lanterns")
    expect(ready).to_have_count(2, timeout=45_000)
    first = Generation.objects.filter(prompt__startswith="Two paper lanterns").order_by("pk").first()
    page.goto(f"/videos/{first.uuid}/")
    group = page.get_by_role("region", name="One of 2 variations")
    expect(group.locator("video")).to_have_count(2)
    group.get_by_role("button", name="Play all").click()
    for index in range(2):
        page.wait_for_function("v => v.currentTime > 2", arg=group.locator("video").nth(index).element_handle())
    group.get_by_role("button", name="Pause all").click()
    group.evaluate("g => g.scrollIntoView({block: 'start'})")
    both(page, "variations")

    page.get_by_role("link", name="Gallery").click()
    expect(page.locator(".gallery-item")).to_have_count(6)
    both(page, "gallery")
    context.close()

    # The admin's usage page, with what two members spent this month.
    tom = make_user("tom", "Tom")
    for credits in (250, 60, 30):
        make_generation(tom, credits)
    alex = make_user("alex", "Alex", role=Role.ADMIN)
    context = login_context(playwright_browser, live_server, alex, viewport=DESKTOP)
    page = context.new_page()
    page.goto("/usage/")
    expect(page.locator(".usage-bars__row")).to_have_count(3)
    both(page, "usage")
    context.close()
