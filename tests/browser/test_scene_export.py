"""A scene's Export as a person uses it: the progress bar, the player, the download, and a square version cropped
around a point clicked on the still; at 1280 and 390 px."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.scenes.making import ExportWorker, make_scene, render_clips
from veoui.scenes.models import SceneExport

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> list[Path]:
    return render_clips(tmp_path_factory.mktemp("scene-clips"))


@pytest.fixture
def exporter(transactional_db) -> Iterator[ExportWorker]:
    running = ExportWorker()
    running.start()
    yield running
    running.stop()


def test_it_exports_plays_downloads_and_squares_a_scene(desktop: Page, person, clips, exporter, tmp_path) -> None:
    scene = make_scene(person, clips)
    page = desktop
    page.goto(f"/scenes/{scene.uuid}/exports/")
    expect(page.get_by_text("One MP4 at 720p")).to_be_visible()
    page.get_by_role("button", name="Export", exact=True).click()
    expect(page.get_by_role("progressbar", name="Export progress")).to_be_visible()
    export = SceneExport.objects.get()
    screenshot(page, "scene-export-progress-1280")

    video = page.locator(f"#scene-export-{export.uuid} video").first
    expect(video).to_be_visible(timeout=120_000)
    expect(page.get_by_role("progressbar")).to_have_count(0)
    video.evaluate("v => { v.muted = true; return v.play(); }")
    page.wait_for_function("v => v.currentTime > 0.5", arg=video.element_handle(), timeout=15_000)
    export.refresh_from_db()
    assert export.status == SceneExport.Status.SUCCEEDED
    expect(page.get_by_text(f"{export.duration_seconds:.1f} s")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download").first.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".mp4" and saved.stat().st_size == export.file_size

    still = page.get_by_role("img", name="A still of the export")
    expect(still).to_be_visible()
    box = still.bounding_box()
    still.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.5})
    expect(page.get_by_label("Across (%)")).to_have_value("25")
    expect(page.get_by_label("Down (%)")).to_have_value("50")
    page.get_by_role("button", name="Square (1:1)").click()
    expect(page.get_by_role("heading", name="Square (1:1)")).to_be_visible()
    square = SceneExport.objects.get(source=export)
    assert square.kind == "square" and abs(square.focus_x - 0.25) < 0.02 and square.focus_y == 0.5
    expect(page.locator(f"#scene-export-{square.uuid} video")).to_be_visible(timeout=120_000)
    expect(page.get_by_label("Across (%)")).to_have_value("25")  # kept for the next format
    screenshot(page, "scene-export-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator(f"#scene-export-{square.uuid} video")).to_be_visible()
    screenshot(page, "scene-export-390")
