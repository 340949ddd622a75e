"""Issue 19's journey, as a person makes a scene: New scene (in the project she used last), three simulator clips
added from the gallery and from their pages, one shot reordered by a real mouse drag and one by the keyboard, a
shot trimmed with its player's Set start here / Set end here, the preview played through, then Export on the
exporter (really running), its progress followed to the end and the exported video played in the page. The
database is checked after every step; screenshots at 1280 and 390 px."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from playwright.sync_api import Page, expect

from tests.browser.conftest import login_context, screenshot
from tests.people import make_generation, make_user
from tests.projects.helpers import make_project
from tests.scenes.making import ExportWorker
from tests.waiting import wait_for
from veoui.kie.simulator.cards import RenderSpec
from veoui.kie.simulator.render import render_clip
from veoui.scenes.models import Scene, SceneExport, Shot
from veoui.studio.models import Generation
from veoui.team.models import Membership

pytestmark = pytest.mark.browser

CLIP_SECONDS = Decimal(8)  # each simulator clip


@pytest.fixture
def studio(settings, tmp_path, transactional_db) -> dict:
    """Maya, the project she worked in last, and three finished simulator clips of hers, archived."""
    settings.MEDIA_ROOT = tmp_path / "media"
    folder = Path(settings.MEDIA_ROOT) / "videos"
    folder.mkdir(parents=True)
    maya = make_user("maya", "Maya")
    launch = make_project("Spring launch", maya)
    Membership.objects.filter(user=maya).update(last_project=launch)
    made = []
    for name in ("Harbour", "Bakery", "Bicycle"):
        spec = RenderSpec(task_id=f"journey-{name}", prompt=name, mode="TEXT_2_VIDEO", model="veo3_fast",
                          aspect_ratio="16:9", seed=1)  # fmt: skip
        render_clip(spec, "360p", folder / f"{name}.mp4", folder / f"{name}.jpg")
        made.append(make_generation(maya, 60, prompt=f"{name} at dawn", video=f"videos/{name}.mp4",
                                    poster=f"videos/{name}.jpg", project=launch))  # fmt: skip
    return {"maya": maya, "project": launch, "videos": made}


@pytest.fixture
def exporter(studio) -> Iterator[ExportWorker]:
    running = ExportWorker()
    running.start()
    yield running
    running.stop()


def order(scene: Scene) -> list[int]:
    return list(scene.shots.order_by("position", "pk").values_list("generation_id", flat=True))


def shot_of(scene: Scene, generation: Generation) -> Shot:
    return Shot.objects.get(scene=scene, generation=generation)


def settled(page: Page) -> None:
    """The list of shots swapped in and working again (htmx made its forms work once it settled)."""
    expect(page.locator("#shots[data-ready]")).to_have_count(1)


def seek(page: Page, video, seconds: float) -> None:
    """The shot's player moved to ``seconds``, as a person dragging its bar would; returns once it has seeked."""
    expect(video).to_be_visible()
    page.wait_for_function("v => v.readyState >= 1", arg=video.element_handle())
    video.evaluate(
        "(v, t) => new Promise(done => {"
        " v.addEventListener('seeked', () => done(), { once: true }); v.currentTime = t; })",
        seconds,
    )


def mouse_drag(page: Page, source, target) -> None:
    """Press the mouse on ``source``, move it in steps to the top edge of ``target`` and let go there."""
    source.scroll_into_view_if_needed()
    start = source.bounding_box()
    page.mouse.move(start["x"] + 10, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(start["x"] + 14, start["y"] + start["height"] / 2 + 6, steps=4)
    target.scroll_into_view_if_needed()
    end = target.bounding_box()
    page.mouse.move(end["x"] + 10, end["y"] + 2, steps=12)
    page.mouse.move(end["x"] + 12, end["y"] + 1, steps=2)
    page.mouse.up()


def playing(page: Page, video, *, past: float = 0.0) -> None:
    """The player has a picture (readyState >= 2) and its time moves on past ``past``."""
    page.wait_for_function("v => v.readyState >= 2", arg=video.element_handle(), timeout=20_000)
    start = max(past, video.evaluate("v => v.currentTime"))
    page.wait_for_function(
        "([v, t]) => !v.paused && v.currentTime > t + 0.3", arg=[video.element_handle(), start], timeout=20_000
    )


def test_a_person_builds_trims_previews_exports_and_plays_a_scene(playwright_browser, live_server, studio, exporter):
    maya, launch = studio["maya"], studio["project"]
    harbour, bakery, bicycle = studio["videos"]
    context = login_context(playwright_browser, live_server, maya, viewport={"width": 1280, "height": 900})
    page = context.new_page()

    # New scene: its Project starts on the one she used last.
    page.goto("/scenes/")
    page.get_by_role("link", name="New scene").first.click()
    page.get_by_label("Title").fill("Spring ad")
    expect(page.get_by_label("Project")).to_have_value(str(launch.uuid))
    screenshot(page, "scene-new-1280")
    page.get_by_role("button", name="Make the scene").click()
    expect(page.get_by_role("heading", name="Spring ad")).to_be_visible()
    scene = Scene.objects.get()
    assert (scene.owner, scene.project, scene.title, scene.shots.count()) == (maya, launch, "Spring ad", 0)

    # Three clips: the first from its gallery tile, the others from their own pages, each at the end.
    page.goto("/gallery/")
    page.get_by_role("link", name="Add to scene: Harbour at dawn").click()
    expect(page.get_by_label("Spring ad")).to_be_checked()
    page.get_by_role("button", name="Add to scene").click()
    expect(page.get_by_role("heading", name="Spring ad")).to_be_visible()
    assert order(scene) == [harbour.pk] and Scene.objects.count() == 1
    for generation in (bakery, bicycle):
        page.goto(f"/videos/{generation.uuid}/")
        page.get_by_role("link", name="Add to scene").click()
        expect(page.get_by_label("Spring ad")).to_be_checked()
        page.get_by_role("button", name="Add to scene").click()
        expect(page.get_by_role("heading", name="Spring ad")).to_be_visible()
    assert order(scene) == [harbour.pk, bakery.pk, bicycle.pk] and Scene.objects.count() == 1
    assert list(scene.shots.values_list("clip_seconds", flat=True)) == [CLIP_SECONDS] * 3
    expect(page.get_by_text("Total length: 24.0 s")).to_be_visible()

    # A real mouse drag: the bicycle's shot, held by its title, dropped on the top of the first shot.
    shots = page.locator(".shot")
    mouse_drag(page, shots.nth(2).locator(".shot__title"), shots.nth(0).locator(".shot__title"))
    wait_for(lambda: order(scene) == [bicycle.pk, harbour.pk, bakery.pk], 10, "the dragged order saved")
    settled(page)
    expect(page.locator(f"#shot-{shot_of(scene, bicycle).pk}")).to_contain_text("Shot 1")
    expect(page.locator(".shot").first).to_have_attribute("id", f"shot-{shot_of(scene, bicycle).pk}")

    # The keyboard: Move down with Enter, then with Space; the focus stays on the moved shot's buttons.
    bicycle_shot = shot_of(scene, bicycle).pk
    page.locator(f"#shot-{bicycle_shot}-down").focus()
    page.keyboard.press("Enter")
    wait_for(lambda: order(scene) == [harbour.pk, bicycle.pk, bakery.pk], 10, "moved down with Enter")
    settled(page)
    expect(page.locator(f"#shot-{bicycle_shot}-down")).to_be_focused()
    page.keyboard.press("Space")
    wait_for(lambda: order(scene) == [harbour.pk, bakery.pk, bicycle.pk], 10, "moved down with Space")
    settled(page)
    expect(page.locator(f"#shot-{bicycle_shot}-up")).to_be_focused()  # last now: Move down is gone
    assert list(scene.shots.order_by("position").values_list("position", flat=True)) == [0, 1, 2]

    # Trims from the first shot's player: seek, Set start here; seek, Set end here.
    first = shot_of(scene, harbour)
    row = page.locator(f"#shot-{first.pk}")
    seek(page, row.locator("video"), 1.0)
    row.get_by_role("button", name="Set start here").click()
    wait_for(lambda: Shot.objects.get(pk=first.pk).start_seconds == Decimal(1), 10, "the start saved")
    settled(page)
    row = page.locator(f"#shot-{first.pk}")
    seek(page, row.locator("video"), 3.0)
    row.get_by_role("button", name="Set end here").click()
    wait_for(lambda: Shot.objects.get(pk=first.pk).end_seconds == Decimal(3), 10, "the end saved")
    settled(page)
    first.refresh_from_db()
    assert (first.start_seconds, first.end_seconds, first.position) == (Decimal(1), Decimal(3), 0)
    # The shot's own length and the scene's total: 2 s + 8 s + 8 s.
    expect(page.locator(f"#shot-{first.pk} .shot__head")).to_contain_text("2.0 s")
    expect(page.get_by_text("Total length: 18.0 s")).to_be_visible()
    expect(page.locator(f"#id_shot-{first.pk}-start_seconds")).to_have_value("1")
    expect(page.locator(f"#id_shot-{first.pk}-end_seconds")).to_have_value("3")
    # A trim that cannot be: a message next to the field, nothing saved.
    page.locator(f"#id_shot-{first.pk}-end_seconds").fill("1.2")
    page.locator(f"#shot-{first.pk}").get_by_role("button", name="Save").click()
    expect(page.locator(f"#shot-{first.pk}").get_by_role("alert")).to_have_text(
        "Keep at least half a second of the shot."
    )
    assert Shot.objects.get(pk=first.pk).end_seconds == Decimal(3)
    page.reload()
    screenshot(page, "scene-1280")

    # The preview plays the first shot from its in point, moves on by itself, and plays through to the end.
    page.goto(f"/scenes/{scene.uuid}/preview/")
    items = page.locator(".timeline__item")
    expect(items).to_have_count(3)
    player = page.locator("[data-preview-player]")
    # Every moment the player shows while on the first shot's clip, to check it kept within its trims.
    player.evaluate(
        "(v, id) => { window.firstShot = []; v.addEventListener('timeupdate', () => {"
        " if ((v.getAttribute('src') || '').includes(id) && !v.paused) window.firstShot.push(v.currentTime); }); }",
        str(harbour.uuid),
    )
    page.get_by_role("button", name="Play the scene").click()
    expect(items.nth(0)).to_have_class("timeline__item timeline__item--current")
    expect(items.nth(1)).to_have_class("timeline__item timeline__item--current", timeout=15_000)
    seen = page.evaluate("() => window.firstShot")
    assert seen and min(seen) >= 0.9 and max(seen) <= 3.1 and max(seen) - min(seen) > 0.5, seen
    playing(page, player)
    screenshot(page, "scene-preview-1280")
    page.get_by_role("button", name="Shot 3, 8.0 s").click()  # the strip jumps to the last shot
    expect(page.get_by_role("button", name="Shot 3, 8.0 s")).to_have_attribute("aria-current", "true")
    expect(page.locator("[data-scene-preview][data-finished='true']")).to_have_count(1, timeout=20_000)

    # Export, on the exporter: the progress until it is done, then the video plays in the page.
    page.goto(f"/scenes/{scene.uuid}/")
    page.get_by_role("button", name="Export", exact=True).click()
    expect(page.get_by_role("progressbar", name="Export progress")).to_be_visible()
    export = SceneExport.objects.get()
    assert (export.scene_id, export.owner, export.kind) == (scene.pk, maya, SceneExport.Kind.SCENE)
    # It is made of the shots in the order and with the trims the page shows.
    assert [(shot["generation"], shot["start"], shot["end"]) for shot in export.plan["shots"]] == [
        (harbour.pk, 1.0, 3.0), (bakery.pk, 0.0, None), (bicycle.pk, 0.0, None)
    ]  # fmt: skip
    assert set(export.generations.values_list("pk", flat=True)) == {harbour.pk, bakery.pk, bicycle.pk}
    screenshot(page, "scene-export-progress-1280")
    video = page.locator(f"#scene-export-{export.uuid} video").first
    expect(video).to_be_visible(timeout=180_000)
    expect(page.get_by_role("progressbar")).to_have_count(0)
    export.refresh_from_db()
    assert export.status == SceneExport.Status.SUCCEEDED and export.progress == 1
    assert export.file and export.file_size and export.file_size > 10_000
    assert abs(export.duration_seconds - 18.0) < 0.5
    assert SceneExport.objects.count() == 1
    with translation.override("en"):
        size = filesizeformat(export.file_size)
    expect(page.locator(f"#scene-export-{export.uuid}")).to_contain_text(f"{export.duration_seconds:.1f} s · {size}")
    video.evaluate("v => { v.muted = true; return v.play(); }")
    playing(page, video)
    screenshot(page, "scene-exported-1280")
    # Nothing moved meanwhile: the shots as they were left.
    assert order(scene) == [harbour.pk, bakery.pk, bicycle.pk]
    assert list(scene.shots.order_by("position").values_list("start_seconds", "end_seconds")) == [
        (Decimal(1), Decimal(3)), (Decimal(0), None), (Decimal(0), None)
    ]  # fmt: skip

    # The project's page lists the scene under its videos.
    page.goto(f"/projects/{launch.uuid}/")
    scenes = page.get_by_role("region", name="Scenes")
    expect(scenes.get_by_role("link", name="Spring ad")).to_have_attribute("href", f"/scenes/{scene.uuid}/")
    expect(scenes).to_contain_text("3 shots · 18.0 s")
    screenshot(page, "project-scenes-1280")
    page.goto(f"/scenes/?project={launch.uuid}")
    expect(page.get_by_label("Project")).to_have_value(str(launch.uuid))
    expect(page.get_by_role("link", name="Spring ad")).to_be_visible()
    screenshot(page, "scenes-1280")
    context.close()

    # The same on a phone.
    phone = login_context(playwright_browser, live_server, maya, viewport={"width": 390, "height": 844},
                          is_mobile=True, has_touch=True, device_scale_factor=2)  # fmt: skip
    page = phone.new_page()
    page.goto(f"/scenes/{scene.uuid}/")
    expect(page.get_by_role("button", name="Set start here").first).to_be_visible()
    exported = page.locator(f"#scene-export-{export.uuid} video").first
    expect(exported).to_be_visible()
    screenshot(page, "scene-390")
    exported.scroll_into_view_if_needed()
    exported.evaluate("v => { v.muted = true; return v.play(); }")
    playing(page, exported)
    page.goto(f"/scenes/{scene.uuid}/preview/")
    page.get_by_role("button", name="Play the scene").click()
    expect(page.locator(".timeline__item").nth(0)).to_have_class("timeline__item timeline__item--current")
    screenshot(page, "scene-preview-390")
    page.goto("/scenes/new/")
    screenshot(page, "scene-new-390")
    page.goto("/scenes/")
    screenshot(page, "scenes-390")
    page.goto(f"/projects/{launch.uuid}/")
    screenshot(page, "project-scenes-390")
    phone.close()
