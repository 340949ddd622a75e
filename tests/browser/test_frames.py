"""Save this frame and Continue from the last frame, in the browser: on a finished video's page, the player moved to
a moment, the frame saved as a PNG download; then the next shot started from the video's last frame, the studio's
form showing that picture, nothing spent until Generate."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.a11y import keep_picture
from tests.browser.conftest import login_context, screenshot
from tests.browser.test_scene_journey import seek
from tests.people import make_generation, make_user
from veoui.kie.simulator.cards import RenderSpec, read_stamp
from veoui.kie.simulator.render import render_clip
from veoui.studio.models import Generation

pytestmark = pytest.mark.browser


@pytest.fixture
def video(settings, tmp_path, transactional_db) -> Generation:
    settings.MEDIA_ROOT = tmp_path / "media"
    folder = Path(settings.MEDIA_ROOT) / "videos"
    folder.mkdir(parents=True)
    maya = make_user("maya", "Maya")
    spec = RenderSpec(task_id="frames-harbour", prompt="A harbour at dawn", mode="TEXT_2_VIDEO", model="veo3_fast",
                      aspect_ratio="16:9", seed=1)  # fmt: skip
    render_clip(spec, "720p", folder / "harbour.mp4", folder / "harbour.jpg")
    return make_generation(maya, 60, prompt="A harbour at dawn, boats leaving", video="videos/harbour.mp4",
                           poster="videos/harbour.jpg")  # fmt: skip


def pictures(page: Page, name: str) -> None:
    """At 1280 and at 390 px, into the run's artifacts (and tests/browser/screenshots/ with `make screenshots`)."""
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        screenshot(page, f"{name}-{width}")
        keep_picture(page, f"{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_save_this_frame_and_continue_from_the_last_frame(playwright_browser, live_server, video) -> None:
    context = login_context(playwright_browser, live_server, video.owner, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"/videos/{video.uuid}/")
    pictures(page, "frames-video")
    seek(page, page.locator(f"#generation-{video.uuid} video"), 3.2)
    page.get_by_role("button", name="Save this frame").click()
    expect(page).to_have_url(f"{live_server.url}/videos/{video.uuid}/frame/?t=3.200")
    frame = page.get_by_role("img", name="The video's frame at 3.2 seconds")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=frame.element_handle())
    pictures(page, "frames-saved")

    with page.expect_download() as arriving:
        page.get_by_role("link", name="Download").click()
    download = arriving.value
    assert download.suggested_filename == "a-harbour-at-dawn-boats-leaving-00m03.2s.png"
    saved = Image.open(io.BytesIO(Path(download.path()).read_bytes()))
    assert saved.format == "PNG" and saved.size == (1280, 720)
    assert read_stamp(saved.convert("RGB")) == 32

    page.goto(f"/videos/{video.uuid}/")
    page.get_by_role("link", name="Continue from the last frame").click()
    expect(page.get_by_role("tab", name="First and last frames")).to_have_attribute("aria-selected", "true")
    thumb = page.locator(".thumb img").first
    expect(page.locator(".thumb")).to_have_count(1)
    page.wait_for_function("img => img.complete && img.naturalWidth === 1280", arg=thumb.element_handle())
    expect(page.get_by_label("Prompt", exact=True)).to_have_value("A harbour at dawn, boats leaving")
    pictures(page, "frames-continue")
    assert Generation.objects.count() == 1  # nothing made, nothing spent, until Generate
    context.close()
