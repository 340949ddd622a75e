"""A scene built in the browser from three simulator clips: added from the gallery and a video's page, ordered by
drag and drop and by keyboard, trimmed with the player's buttons, and previewed with its timeline strip."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import login_context, screenshot
from tests.people import make_generation, make_user
from tests.waiting import wait_for
from veoui.kie.simulator.cards import RenderSpec
from veoui.kie.simulator.render import render_clip
from veoui.scenes.models import Scene
from veoui.studio.models import Generation

pytestmark = pytest.mark.browser


@pytest.fixture
def clips(settings, tmp_path, transactional_db) -> tuple[object, list[Generation]]:
    settings.MEDIA_ROOT = tmp_path / "media"
    folder = Path(settings.MEDIA_ROOT) / "videos"
    folder.mkdir(parents=True)
    maya = make_user("maya", "Maya")
    made = []
    for name in ("Harbour", "Bakery", "Bicycle"):
        spec = RenderSpec(task_id=f"scene-{name}", prompt=name, mode="TEXT_2_VIDEO", model="veo3_fast",
                          aspect_ratio="16:9", seed=1)  # fmt: skip
        render_clip(spec, "360p", folder / f"{name}.mp4", folder / f"{name}.jpg")
        made.append(make_generation(maya, 60, prompt=f"{name} at dawn", video=f"videos/{name}.mp4",
                                    poster=f"videos/{name}.jpg"))  # fmt: skip
    return maya, made


def order(scene: Scene) -> list[int]:
    return list(scene.shots.order_by("position", "pk").values_list("generation_id", flat=True))


def seek(page: Page, video, seconds: float) -> None:
    """The player moved to ``seconds``, as a person dragging its bar would; returns once it has seeked."""
    expect(video).to_be_visible()
    page.wait_for_function("v => v.readyState >= 1", arg=video.element_handle())
    video.evaluate(
        "(v, t) => new Promise(done => {"
        " v.addEventListener('seeked', () => done(), { once: true }); v.currentTime = t; })",
        seconds,
    )


def settled(page: Page) -> None:
    """The list of shots swapped in and working (its buttons answer through htmx again)."""
    expect(page.locator("#shots[data-ready]")).to_have_count(1)


def drag(page: Page, source, target) -> None:
    """HTML5 drag and drop as the browser sends it: dragstart, dragover the target's top half, drop, dragend."""
    moved = page.evaluate_handle("() => new DataTransfer()")
    box = target.bounding_box()
    source.dispatch_event("dragstart", {"dataTransfer": moved})
    target.dispatch_event("dragover", {"dataTransfer": moved, "clientX": box["x"] + 20, "clientY": box["y"] + 5})
    target.dispatch_event("drop", {"dataTransfer": moved})
    source.dispatch_event("dragend", {"dataTransfer": moved})


def test_it_builds_trims_and_previews_a_scene(playwright_browser, live_server, clips) -> None:
    maya, (harbour, bakery, bicycle) = clips
    context = login_context(playwright_browser, live_server, maya, viewport={"width": 1280, "height": 900})
    page = context.new_page()

    page.goto("/gallery/")
    page.get_by_role("link", name="Add to scene: Harbour at dawn").click()
    page.get_by_label("Title of the new scene").fill("Spring ad")
    page.get_by_role("button", name="Add to scene").click()
    expect(page.get_by_role("heading", name="Spring ad")).to_be_visible()
    scene = Scene.objects.get()
    for generation in (bakery, bicycle):  # from each video's own page, into the scene just made
        page.goto(f"/videos/{generation.uuid}/")
        page.get_by_role("link", name="Add to scene").click()
        expect(page.get_by_label("Spring ad")).to_be_checked()
        page.get_by_role("button", name="Add to scene").click()
        expect(page.get_by_role("heading", name="Spring ad")).to_be_visible()
    assert order(scene) == [harbour.pk, bakery.pk, bicycle.pk]

    # Drag and drop: the bicycle onto the top of the first shot.
    shots = page.locator(".shot")
    drag(page, shots.nth(2), shots.nth(0))
    wait_for(lambda: order(scene) == [bicycle.pk, harbour.pk, bakery.pk], 10, "the dragged order saved")
    settled(page)
    expect(page.locator(".shot").first).to_contain_text("Shot 1")
    expect(page.locator(f"#shot-{scene.shots.get(generation=bicycle).pk}")).to_contain_text("Shot 1")

    # The keyboard: Move down twice takes the bicycle back to the end; the focus stays on the shot's button.
    down = page.get_by_role("button", name="Move down").first
    down.focus()
    page.keyboard.press("Enter")
    wait_for(lambda: order(scene) == [harbour.pk, bicycle.pk, bakery.pk], 10, "moved down once")
    settled(page)
    bicycle_shot = scene.shots.get(generation=bicycle).pk
    expect(page.locator(f"#shot-{bicycle_shot}-down")).to_be_focused()
    page.keyboard.press("Enter")
    wait_for(lambda: order(scene) == [harbour.pk, bakery.pk, bicycle.pk], 10, "moved down twice")
    settled(page)
    expect(page.locator(f"#shot-{bicycle_shot}-up")).to_be_focused()  # last now: Move down is gone
    page.keyboard.press("Enter")
    wait_for(lambda: order(scene) == [harbour.pk, bicycle.pk, bakery.pk], 10, "moved up")
    settled(page)
    page.locator(f"#shot-{bicycle_shot}-down").press("Enter")
    wait_for(lambda: order(scene) == [harbour.pk, bakery.pk, bicycle.pk], 10, "back at the end")
    settled(page)

    # Trims from the player: seek, then Set start here / Set end here.
    first = scene.shots.get(generation=harbour)
    row = page.locator(f"#shot-{first.pk}")
    seek(page, row.locator("video"), 1.0)
    row.get_by_role("button", name="Set start here").click()
    wait_for(lambda: scene.shots.get(pk=first.pk).start_seconds == Decimal(1), 10, "the start saved")
    settled(page)
    row = page.locator(f"#shot-{first.pk}")
    seek(page, row.locator("video"), 2.5)
    row.get_by_role("button", name="Set end here").click()
    wait_for(lambda: scene.shots.get(pk=first.pk).end_seconds == Decimal("2.5"), 10, "the end saved")
    settled(page)
    expect(page.get_by_text("Total length: 17.5 s")).to_be_visible()
    expect(page.locator(f"#id_shot-{first.pk}-start_seconds")).to_have_value("1")
    # A trim that can't be: a message next to the field, nothing saved.
    page.locator(f"#id_shot-{first.pk}-end_seconds").fill("1.2")
    page.locator(f"#shot-{first.pk}").get_by_role("button", name="Save").click()
    expect(page.locator(f"#shot-{first.pk}").get_by_role("alert")).to_have_text(
        "Keep at least half a second of the shot."
    )
    assert scene.shots.get(pk=first.pk).end_seconds == Decimal("2.5")
    screenshot(page, "scene-1280")

    # The preview plays the first shot from its in point, then moves on; the strip follows.
    page.goto(f"/scenes/{scene.uuid}/preview/")
    items = page.locator(".timeline__item")
    expect(items).to_have_count(3)
    page.get_by_role("button", name="Play the scene").click()
    expect(items.nth(0)).to_have_class("timeline__item timeline__item--current")
    player = page.locator("[data-preview-player]")
    assert 0.9 <= player.evaluate("v => v.currentTime") <= 2.6
    expect(items.nth(1)).to_have_class("timeline__item timeline__item--current", timeout=10_000)
    page.wait_for_function("v => !v.paused && v.currentTime > 0.2", arg=player.element_handle())
    page.get_by_role("button", name="Shot 3, 8.0 s").click()
    expect(items.nth(2)).to_have_class("timeline__item timeline__item--current")
    expect(page.get_by_role("button", name="Shot 3, 8.0 s")).to_have_attribute("aria-current", "true")
    screenshot(page, "scene-preview-1280")
    context.close()

    phone = login_context(playwright_browser, live_server, maya, viewport={"width": 390, "height": 844},
                          is_mobile=True, has_touch=True, device_scale_factor=2)  # fmt: skip
    page = phone.new_page()
    page.goto(f"/scenes/{scene.uuid}/")
    expect(page.get_by_role("button", name="Set start here").first).to_be_visible()
    screenshot(page, "scene-390")
    page.goto(f"/scenes/{scene.uuid}/preview/")
    page.get_by_role("button", name="Play the scene").click()
    expect(page.locator(".timeline__item").nth(0)).to_have_class("timeline__item timeline__item--current")
    screenshot(page, "scene-preview-390")
    page.goto("/scenes/")
    screenshot(page, "scenes-390")
    phone.close()
