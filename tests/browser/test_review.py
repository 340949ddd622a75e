"""Review in the browser: Tom comments on Maya's video at a moment, the comment's timecode seeks the player there,
he sets In review and then Approved; Maya sees the unread count in her account menu and opens her notices."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import imageio_ffmpeg
import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import Page, expect

from tests.browser.a11y import DESKTOP, PHONE, axe_problems, overflow
from tests.browser.conftest import login_context, screenshot
from tests.people import make_generation, make_user
from veoui.review.models import Comment, Notice, Review

pytestmark = pytest.mark.browser


def six_seconds_of_video(path: Path) -> bytes:
    """A real, seekable MP4 (a test pattern), so that the player has moments to seek to."""
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        *("-loglevel", "error", "-f", "lavfi", "-i", "testsrc=duration=6:size=320x180:rate=25"),
        *("-pix_fmt", "yuv420p", "-movflags", "+faststart", str(path)),
    ]
    subprocess.run(command, check=True)
    return path.read_bytes()


@pytest.fixture
def video(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    maya = make_user("maya", "Maya")
    generation = make_generation(maya, 60, prompt="A lighthouse beam sweeping over the sea")
    generation.video.save("review.mp4", ContentFile(six_seconds_of_video(tmp_path / "made.mp4")), save=True)
    return generation


@pytest.fixture
def tom_page(playwright_browser, live_server, video) -> Iterator[Page]:
    tom = make_user("tom", "Tom")
    context = login_context(playwright_browser, live_server, tom, viewport=DESKTOP, bypass_csp=True)
    yield context.new_page()
    context.close()


def open_as(playwright_browser, live_server, user, viewport: dict):
    return login_context(playwright_browser, live_server, user, viewport=viewport, bypass_csp=True)


def player_time(page: Page) -> float:
    return page.locator(".player video").evaluate("v => v.currentTime")


def test_a_teammate_reviews_and_the_owner_is_told(tom_page: Page, playwright_browser, live_server, video) -> None:
    page = tom_page
    page.goto(f"/videos/{video.uuid}/")
    player = page.locator(".player video")
    player.evaluate("v => new Promise(done => v.readyState >= 1 ? done() : v.addEventListener('loadedmetadata', done))")
    expect(page.get_by_label("Second of the video")).to_be_hidden()  # with scripts, the player says the moment
    player.evaluate("v => new Promise(seeked => { v.onseeked = seeked; v.currentTime = 3.2 })")

    page.get_by_label("Comment", exact=True).fill("The beam is too fast here <b>slow it</b> https://example.com")
    page.get_by_label("At this moment").check()
    page.get_by_role("button", name="Post comment").click()
    comments = page.locator(".comment-list")
    expect(comments.get_by_role("button", name="Play from 0:03")).to_be_visible()
    expect(comments).to_contain_text("The beam is too fast here <b>slow it</b> https://example.com")
    expect(comments.get_by_role("link")).to_have_count(0)  # a link in a comment is text, never followed
    expect(page.get_by_label("Second of the video")).to_be_hidden()  # the panel came back through htmx, enhanced
    comment = Comment.objects.get()
    assert (comment.author.username, comment.at_seconds) == ("tom", Decimal("3.20"))
    assert Notice.objects.filter(recipient=video.owner, kind="comment").count() == 1

    player.evaluate("v => { v.currentTime = 0; }")
    comments.get_by_role("button", name="Play from 0:03").click()
    page.wait_for_function("v => Math.abs(v.currentTime - 3.2) < 0.05", arg=player.element_handle())

    page.get_by_role("button", name="In review").click()
    expect(page.locator(".badge--review-in_review")).to_have_text("In review")
    assert Review.objects.get().state == "in_review"
    page.get_by_role("button", name="Approved").click()
    expect(page.locator(".badge--review-approved")).to_have_text("Approved")
    expect(page.get_by_role("button", name="Approved")).to_have_attribute("aria-pressed", "true")
    assert Review.objects.get().state == "approved"
    assert Notice.objects.filter(recipient=video.owner).count() == 3
    assert axe_problems(page, "a reviewed video") == []
    screenshot(page, "review-video-1280")

    # Without a moment, and too long: said next to the field, nothing saved.
    page.get_by_label("Comment", exact=True).fill("x" * 2000)
    page.get_by_label("Comment", exact=True).evaluate("t => { t.removeAttribute('maxlength'); t.value += 'yz'; }")
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".field-error")).to_contain_text("at most 2000 characters")
    assert Comment.objects.count() == 1

    for name, viewport in (("1280", DESKTOP), ("390", PHONE)):
        context = open_as(playwright_browser, live_server, video.owner, viewport)
        owner = context.new_page()
        owner.goto("/gallery/")
        expect(owner.locator(".gallery-item").first.locator(".badge--review-approved")).to_have_text("Approved")
        menu = owner.locator(".user-menu")
        if name == "1280":
            expect(menu.locator("summary .count-badge")).to_have_text("3")
            menu.locator("summary").click()
            expect(menu.get_by_role("link", name="Notices 3 unread notices")).to_be_visible()
            screenshot(owner, "review-menu-1280")
            menu.get_by_role("link", name="Notices 3 unread notices").click()
        else:
            expect(menu.locator("summary .count-badge")).to_have_count(0)  # read on the wide screen already
            owner.goto("/notices/")
        expect(owner.get_by_role("heading", name="Notices")).to_be_visible()
        items = owner.locator(".notice-item")
        expect(items).to_have_count(3)
        expect(items.nth(2)).to_contain_text("Tom commented at 0:03")
        expect(items.first).to_contain_text("Tom set the review to Approved")
        assert overflow(owner) == 0
        assert axe_problems(owner, f"the notices page at {name} px") == []
        screenshot(owner, f"review-notices-{name}")
        assert Notice.objects.filter(read_at__isnull=True).count() == 0
        expect(owner.locator(".user-menu summary .count-badge")).to_have_count(0)

        # The notice opens the video at the comment's moment.
        items.nth(2).get_by_role("link").click()
        owner.wait_for_function(
            "v => Math.abs(v.currentTime - 3.2) < 0.05", arg=owner.locator(".player video").element_handle()
        )
        expect(owner.locator(f"#comment-{comment.uuid}")).to_be_visible()
        assert overflow(owner) == 0
        screenshot(owner, f"review-owner-video-{name}")
        context.close()
