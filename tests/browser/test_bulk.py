"""Favourites and choosing many videos in a browser: the star toggles in place, shift-click and shift+Space tick a
range, Space one box, the bar counts them; Download as ZIP gives a ZIP that opens with exactly the chosen videos;
Delete asks once ("Delete 3 videos?") and then deletes them. At 1280 and 390 px, with axe-core on each step."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.a11y import axe_problems, overflow
from tests.browser.conftest import login_context, screenshot
from tests.people import make_generation
from tests.waiting import wait_for
from veoui.studio.models import Favourite, Generation
from veoui.team.models import AuditEntry

pytestmark = pytest.mark.browser

PROMPTS = [f"Harbour at dawn, shot {n}" for n in range(1, 6)]  # made oldest first: shown newest first


@pytest.fixture
def videos(person, settings, tmp_path) -> list[Generation]:
    settings.MEDIA_ROOT = tmp_path / "media"
    made = []
    for n, prompt in enumerate(PROMPTS):
        generation = make_generation(
            person, 60, prompt=prompt, seed=20000 + n, created_at=timezone.now() - timedelta(minutes=10 - n)
        )
        generation.video.save("v.mp4", ContentFile(f"video of {prompt}".encode()), save=False)
        Generation.objects.filter(pk=generation.pk).update(video=generation.video.name)
        made.append(generation)
    return made[::-1]  # as the gallery shows them


@contextmanager
def gallery(playwright_browser, live_server, person, **options) -> Iterator[Page]:
    context = login_context(playwright_browser, live_server, person, bypass_csp=True, **options)
    page = context.new_page()
    page.goto("/gallery/")
    yield page
    context.close()


def box(page: Page, n: int):
    return page.get_by_role("checkbox", name=f"Select: {PROMPTS[-n]}")


def ticked(page: Page) -> list[int]:
    return [n for n in range(1, 6) if box(page, n).is_checked()]


def test_it_stars_selects_downloads_and_deletes(playwright_browser, live_server, person, videos) -> None:
    with gallery(playwright_browser, live_server, person, viewport={"width": 1280, "height": 800}) as page:
        page.evaluate("window.__samePage = true")
        bar = page.get_by_role("form", name="Chosen videos")
        expect(bar.get_by_role("button", name="Download as ZIP")).to_be_disabled()

        # The star: pressed in place, the person's own.
        first_star = page.get_by_role("button", name="Add to favourites").first
        first_star.click()
        expect(page.get_by_role("button", name="Remove from favourites")).to_have_attribute("aria-pressed", "true")
        wait_for(lambda: Favourite.objects.filter(person=person, generation=videos[0]).exists(), 10, "the star saved")
        assert page.evaluate("window.__samePage") is True

        # Shift-click ticks the range from the box last changed.
        box(page, 1).click()
        box(page, 3).click(modifiers=["Shift"])
        assert ticked(page) == [1, 2, 3]
        expect(bar.get_by_text("3 selected")).to_be_visible()
        # The keyboard: Space one box, Clear, then Space and shift+Space for a range.
        box(page, 5).focus()
        page.keyboard.press("Space")
        assert ticked(page) == [1, 2, 3, 5]
        bar.get_by_role("button", name="Clear").click()
        assert ticked(page) == []
        expect(bar.get_by_text("Tick videos to download or delete several at once.")).to_be_visible()
        box(page, 2).focus()
        page.keyboard.press("Space")
        box(page, 4).focus()
        page.keyboard.press("Shift+Space")
        assert ticked(page) == [2, 3, 4]
        expect(bar.get_by_text("3 selected")).to_be_visible()
        screenshot(page, "gallery-selected-1280")
        assert axe_problems(page, "the gallery with 3 chosen") == []
        page.set_viewport_size({"width": 390, "height": 844})
        assert overflow(page) <= 0
        screenshot(page, "gallery-selected-390")
        assert axe_problems(page, "the gallery with 3 chosen, 390 px") == []
        page.set_viewport_size({"width": 1280, "height": 800})

        # Download as ZIP: the three chosen videos and the CSV.
        with page.expect_download() as caught:
            bar.get_by_role("button", name="Download as ZIP").click()
        download = caught.value
        assert download.suggested_filename.startswith("veoui-videos-") and download.suggested_filename.endswith(".zip")
        with zipfile.ZipFile(download.path()) as archive:
            names = archive.namelist()
            table = list(csv.DictReader(io.StringIO(archive.read("videos.csv").decode("utf-8-sig"))))
            contents = {archive.read(row["file"]).decode() for row in table}
        assert len(names) == 4 and names[-1] == "videos.csv"
        assert contents == {f"video of {PROMPTS[-n]}" for n in (2, 3, 4)}
        assert page.evaluate("window.__samePage") is True  # the download left the page as it was

        # Delete: one question saying how many, then gone.
        bar.get_by_role("button", name="Delete", exact=True).click()
        expect(page.get_by_role("heading", name="Delete 3 videos?")).to_be_visible()
        assert Generation.objects.filter(deleted_at__isnull=False).count() == 0
        screenshot(page, "gallery-delete-confirm-1280")
        assert axe_problems(page, "the question before deleting 3 videos") == []
        page.get_by_role("button", name="Delete 3 videos").click()
        expect(page.get_by_text("3 videos were deleted.")).to_be_visible()
        deleted = set(Generation.objects.filter(deleted_at__isnull=False).values_list("uuid", flat=True))
        assert deleted == {videos[n].uuid for n in (1, 2, 3)}
        assert AuditEntry.objects.filter(kind=AuditEntry.Kind.DELETED).count() == 3
        expect(page.locator(".gallery-item__prompt")).to_have_text([PROMPTS[-1], PROMPTS[0]])

        # The Favourites filter: only the one starred.
        page.get_by_label("Favourites").check()
        expect(page.locator(".gallery-item__prompt")).to_have_text([PROMPTS[-1]])
        screenshot(page, "gallery-favourites-1280")


def test_it_asks_before_deleting_on_a_phone(playwright_browser, live_server, person, videos) -> None:
    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
    with gallery(playwright_browser, live_server, person, **phone) as page:
        bar = page.get_by_role("form", name="Chosen videos")
        bar.get_by_role("button", name="Select all on this page").tap()
        expect(bar.get_by_text("5 selected")).to_be_visible()
        assert ticked(page) == [1, 2, 3, 4, 5]
        bar.get_by_role("button", name="Clear").tap()
        assert ticked(page) == []
        box(page, 1).tap()
        box(page, 2).tap()
        expect(bar.get_by_text("2 selected")).to_be_visible()
        screenshot(page, "gallery-selected-phone-390")
        bar.get_by_role("button", name="Delete", exact=True).click()
        expect(page.get_by_role("heading", name="Delete 2 videos?")).to_be_visible()
        assert overflow(page) <= 0
        screenshot(page, "gallery-delete-confirm-390")
        assert axe_problems(page, "the question before deleting, 390 px") == []
        page.get_by_role("link", name="Cancel").click()
        expect(page.get_by_role("heading", name="Gallery")).to_be_visible()
        assert Generation.objects.filter(deleted_at__isnull=False).count() == 0


def test_it_works_without_javascript(playwright_browser, live_server, person, videos) -> None:
    with gallery(playwright_browser, live_server, person, java_script_enabled=False) as page:
        page.get_by_role("button", name="Add to favourites").first.click()
        expect(page.get_by_role("button", name="Remove from favourites")).to_have_count(1)
        assert Favourite.objects.filter(person=person).count() == 1
        box(page, 1).check()
        box(page, 5).check()
        page.get_by_role("button", name="Delete", exact=True).click()
        expect(page.get_by_role("heading", name="Delete 2 videos?")).to_be_visible()
        page.get_by_role("button", name="Delete 2 videos").click()
        expect(page.get_by_text("2 videos were deleted.")).to_be_visible()
        assert Generation.objects.filter(deleted_at__isnull=False).count() == 2


@pytest.mark.parametrize("width", [1280, 390])
def test_it_stars_from_the_video_page_and_the_studio(playwright_browser, live_server, person, videos, width) -> None:
    with gallery(playwright_browser, live_server, person, viewport={"width": width, "height": 844}) as page:
        page.goto(f"/videos/{videos[0].uuid}/")
        star = page.get_by_role("button", name="Add to favourites")
        star.click()
        expect(page.get_by_role("button", name="Remove from favourites")).to_have_attribute("aria-pressed", "true")
        wait_for(lambda: Favourite.objects.filter(person=person, generation=videos[0]).exists(), 10, "the star saved")
        screenshot(page, f"video-favourite-{width}")
        assert axe_problems(page, f"a starred video's page, {width} px") == []
        page.goto("/studio/text/")
        tile = page.locator(f"#generation-{videos[0].uuid}")
        expect(tile.get_by_role("button", name="Remove from favourites")).to_have_attribute("aria-pressed", "true")
        page.locator(f"#generation-{videos[1].uuid}").get_by_role("button", name="Add to favourites").click()
        wait_for(lambda: Favourite.objects.filter(person=person).count() == 2, 10, "the second star saved")
        assert overflow(page) <= 0
        screenshot(page, f"studio-favourite-{width}")
