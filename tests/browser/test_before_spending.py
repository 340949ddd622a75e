"""Before spending, in the browser: what's left next to the cost (amber when it won't fit), Cancel of a video still
in veoui's queue, "Try this" in a picture mode, and a pasted picture address checked at once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import Page, expect

from tests.browser.a11y import axe_problems, overflow
from tests.browser.conftest import login_context, screenshot
from tests.people import make_generation, make_user
from tests.waiting import wait_for
from veoui.studio import ratelimit
from veoui.studio.models import CANCELLED, Generation, Status, SubmitSlot
from veoui.team.models import Membership

pytestmark = pytest.mark.browser


# The conftest's laptop and phone, with the page's script policy lifted for axe-core's inline script.
@pytest.fixture
def desktop(playwright_browser, live_server, person, worker, slow_kie) -> Iterator[Page]:
    context = login_context(
        playwright_browser, live_server, person, viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(playwright_browser, live_server, person, worker, slow_kie) -> Iterator[Page]:
    context = login_context(
        playwright_browser,
        live_server,
        person,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        bypass_csp=True,
    )
    yield context.new_page()
    context.close()


def test_it_shows_the_credits_left_and_turns_amber_when_the_cost_exceeds_them(desktop: Page, person) -> None:
    Membership.objects.update_or_create(user=person, defaults={"monthly_budget": 100})
    page = desktop
    page.goto("/studio/text/")
    left = page.locator("[data-credits-left]")
    expect(left).to_contain_text("You have 100 credits left this month.")
    expect(left).to_contain_text("That is what is left of your budget.")
    page.get_by_label("Fast").check()
    expect(left).not_to_have_class("credits-left credits-left--over")
    page.get_by_label("Quality").check()
    expect(left).to_have_class("credits-left credits-left--over")
    expect(left).to_contain_text("This would cost 250 credits, more than the 100 you have left")
    page.get_by_label("Fast").check()
    expect(left).not_to_contain_text("This would cost")
    page.get_by_text("More settings").click()  # How many is folded under it
    page.get_by_label("How many").select_option("2")
    expect(left).to_contain_text("This would cost 120 credits, more than the 100 you have left")
    screenshot(page, "credits-left-over-1280")
    assert axe_problems(page, "studio, over what is left") == []
    assert not Generation.objects.exists()


def test_on_a_phone_the_amber_reason_fits_the_screen(phone: Page, person) -> None:
    Membership.objects.update_or_create(user=person, defaults={"monthly_budget": 50})
    page = phone
    page.goto("/studio/text/")
    left = page.locator("[data-credits-left]")
    expect(left).to_have_class("credits-left credits-left--over")  # Fast, 60 credits, is the default
    expect(left).to_contain_text("This would cost 60 credits, more than the 50 you have left")
    page.get_by_label("Lite").check()
    expect(left).not_to_contain_text("This would cost")
    page.get_by_label("Fast").check()
    left.scroll_into_view_if_needed()
    screenshot(page, "credits-left-over-390")
    assert overflow(page) == 0
    assert axe_problems(page, "studio on a phone, over what is left") == []


def test_cancel_leaves_nothing_sent_to_the_simulator(desktop: Page, person, slow_kie) -> None:
    Membership.objects.update_or_create(user=person, defaults={"monthly_budget": 1000})
    tom = make_user("tom")
    earlier = timezone.now() - timedelta(minutes=1)
    for n in range(2):  # two of Tom's go first (held back, never sent: no task of theirs is queued)
        make_generation(tom, 60, status=Status.QUEUED, created_at=earlier + timedelta(seconds=n))
    # kie.ai's limit is full for the next few seconds, so Maya's video waits in veoui's queue.
    full_since = timezone.now() - timedelta(seconds=2)
    slots = [SubmitSlot(owner_id=tom.pk, taken_at=full_since) for _ in range(ratelimit.PER_WINDOW)]
    SubmitSlot.objects.bulk_create(slots)
    page = desktop
    page.goto("/studio/text/")
    page.get_by_label("Prompt", exact=True).fill("A paper boat on a rainy street, never made")
    page.get_by_role("button", name="Generate").click()
    card = page.locator(".recent-list .gen-card").first
    expect(card).to_contain_text("2 ahead of yours")
    card.get_by_role("button", name="Cancel").click()
    expect(page.locator(".recent-list .gen-card").first.locator(".badge")).to_have_text("Cancelled")
    mine = Generation.objects.get(owner=person)
    assert (mine.status, mine.error_category) == (Status.FAILED, CANCELLED)
    assert axe_problems(page, "studio with a cancelled video") == []

    def settled() -> bool:
        pending = DBTaskResult.objects.filter(status__in=["READY", "RUNNING"])
        return not pending.filter(args_kwargs__kwargs__generation_id=mine.pk).exists()

    wait_for(settled, 30, "the worker's tasks for the cancelled video")
    assert slow_kie.control.requests("generate") == []
    assert Generation.objects.get(pk=mine.pk).status == Status.FAILED


def test_try_this_in_a_picture_mode_then_generate_makes_the_video(desktop: Page, person) -> None:
    Membership.objects.update_or_create(user=person, defaults={"monthly_budget": 1000})
    page = desktop
    page.goto("/studio/frames/")
    page.get_by_role("link", name="Try this").click()
    expect(page.get_by_label("Prompt", exact=True)).not_to_have_value("")
    expect(page.locator("[data-thumbs] img")).to_have_count(1)
    screenshot(page, "try-this-frames-1280")
    page.get_by_role("button", name="Generate").click()
    card = page.locator(".recent-list .gen-card").first
    expect(card.locator("video")).to_be_visible(timeout=60_000)
    made = Generation.objects.get(owner=person)
    assert made.status == Status.SUCCEEDED and made.images.count() == 1


def test_a_pasted_private_address_is_explained_before_generate(desktop: Page, person) -> None:
    page = desktop
    page.goto("/studio/frames/")
    page.get_by_label("Or paste a picture's web address").fill("http://10.0.0.7/holiday.png")
    expect(page.locator("#picture-check")).to_contain_text("kie.ai can't reach pictures on a private network")
    screenshot(page, "picture-check-private-1280")
    assert axe_problems(page, "studio with a refused picture address") == []
    assert not Generation.objects.exists()
