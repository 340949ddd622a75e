"""Around the video: the variations of one prompt as one group (Play all, Pick this one, the others folded away),
and the admin's Copy button for kie.ai's task id."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.a11y import DESKTOP, PHONE, axe_problems, overflow
from tests.browser.conftest import login_context, screenshot
from tests.browser.test_team_work import NOTIFICATION_STUB
from tests.people import make_generation, make_user
from veoui.studio.models import Generation, Rendition
from veoui.team.models import Role

pytestmark = pytest.mark.browser


@pytest.fixture
def desktop(playwright_browser, live_server, person, worker, slow_kie) -> Iterator[Page]:
    """Maya at 1280 wide; the page's policy is bypassed only so that axe-core can be added."""
    context = login_context(playwright_browser, live_server, person, viewport=DESKTOP, bypass_csp=True)
    yield context.new_page()
    context.close()


def test_variations_play_together_and_one_is_picked_for_everyone(desktop: Page, slow_kie) -> None:
    slow_kie.control.configure(min_seconds=1, max_seconds=1.5)
    page = desktop
    page.goto("/studio/text/")
    page.get_by_label("Prompt", exact=True).fill("Two paper boats on a pond")
    page.get_by_text("More settings").click()  # How many is folded under it
    page.get_by_label("How many").select_option("2")
    page.get_by_role("button", name="Generate").click()
    expect(page.locator('.recent-list .gen-card[data-status="succeeded"]')).to_have_count(2, timeout=45_000)
    first, second = Generation.objects.order_by("pk")

    page.goto(f"/videos/{first.uuid}/")
    group = page.get_by_role("region", name="One of 2 variations")
    expect(group.locator("video")).to_have_count(2)
    group.get_by_role("button", name="Play all").click()
    expect(group.get_by_role("button", name="Pause all")).to_be_visible()
    for index in range(2):
        page.wait_for_function(
            "v => v.currentTime > 0.2 && !v.paused", arg=group.locator("video").nth(index).element_handle()
        )
    group.get_by_role("button", name="Pause all").click()
    expect(group.get_by_role("button", name="Play all")).to_be_visible()
    assert axe_problems(page, "a group of variations") == []
    screenshot(page, "variations-1280")

    group.get_by_role("button", name="Pick this one").nth(1).click()
    group = page.get_by_role("region", name="One of 2 variations")
    expect(page.get_by_role("status").filter(has_text="Picked. Your team sees this version first")).to_be_visible()
    assert list(Generation.objects.filter(picked_at__isnull=False)) == [second]
    others = group.locator("details", has_text="1 other version")
    expect(others).not_to_have_attribute("open", "")
    expect(others.locator("video")).to_be_hidden()
    others.locator("summary").click()
    expect(others.locator("video")).to_be_visible()
    screenshot(page, "variations-picked-1280")

    # Picking the other one moves the pick: still one per group.
    others.get_by_role("button", name="Pick this one").click()
    assert list(Generation.objects.filter(picked_at__isnull=False)) == [first]

    # The studio's list shows them as one group: the pick, and the other folded away.
    page.goto("/studio/text/")
    listed = page.get_by_role("region", name="2 variations")
    expect(listed.locator("details summary")).to_have_text("1 other version")
    expect(listed.locator(f"#generation-{first.uuid}")).to_be_visible()
    expect(listed.locator(f"#generation-{second.uuid}")).to_be_hidden()
    expect(listed.get_by_role("button", name="Play all")).to_have_count(0)  # one player at a time on the studio
    assert axe_problems(page, "the studio with a group") == []
    screenshot(page, "variations-studio-1280")


def test_an_admin_copies_the_task_id(playwright_browser, live_server, person) -> None:
    alex = make_user("alex", "Alex", role=Role.ADMIN)
    video = make_generation(person, 60, kie_task_id="veo_task_7f3a9c")
    context = login_context(playwright_browser, live_server, alex, viewport=DESKTOP, bypass_csp=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.goto(f"/videos/{video.uuid}/")
    support = page.get_by_role("region", name="Support details")
    expect(support.locator("code")).to_have_text("veo_task_7f3a9c")
    assert support.locator("code").evaluate("c => getComputedStyle(c).userSelect") == "all"
    support.get_by_role("button", name="Copy").click()
    expect(support.get_by_role("button", name="Task id copied")).to_be_visible()
    assert page.evaluate("() => navigator.clipboard.readText()") == "veo_task_7f3a9c"
    assert axe_problems(page, "support details") == []
    screenshot(page, "support-details-1280")
    context.close()

    member = login_context(playwright_browser, live_server, person, viewport=PHONE)
    phone = member.new_page()
    phone.goto(f"/videos/{video.uuid}/")
    expect(phone.get_by_role("heading", name="Settings")).to_be_visible()
    expect(phone.get_by_text("veo_task_7f3a9c")).to_have_count(0)
    member.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_a_version_badge_in_the_gallery_opens_it(playwright_browser, live_server, person, viewport) -> None:
    video = make_generation(person, 60, prompt="A neon boat at night")
    hd = Rendition.objects.create(
        generation=video, owner=person, kind="1080p", status="succeeded", request_token=uuid.uuid4()
    )
    context = login_context(playwright_browser, live_server, person, viewport=viewport, bypass_csp=True)
    page = context.new_page()
    page.goto("/gallery/")
    badge = page.get_by_role("link", name="Open the 1080P version")
    expect(badge).to_have_text("1080P")
    assert axe_problems(page, "the gallery with versions") == [] and overflow(page) == 0
    screenshot(page, f"gallery-versions-{viewport['width']}")
    badge.click()
    expect(page).to_have_url(f"{live_server.url}/videos/{video.uuid}/#rendition-{hd.uuid}")
    expect(page.locator(f"#rendition-{hd.uuid}")).to_be_in_viewport()
    context.close()


def test_a_finished_version_counts_in_the_title_and_raises_a_notification(
    playwright_browser, live_server, person
) -> None:
    video = make_generation(person, 60, prompt="A lighthouse in a storm")
    uhd = Rendition.objects.create(
        generation=video, owner=person, kind="4k", status="running", request_token=uuid.uuid4()
    )
    context = login_context(playwright_browser, live_server, person, viewport=DESKTOP)
    context.add_init_script(
        NOTIFICATION_STUB.replace('window.__permission = "default"', 'window.__permission = "granted"')
    )
    page = context.new_page()
    page.goto("/gallery/")
    expect(page).to_have_title(re.compile(r"^\(1\) "))
    Rendition.objects.filter(pk=uhd.pk).update(status="succeeded")
    expect(page).to_have_title(re.compile(r"^Gallery"))
    page.wait_for_function("() => window.__notes.length === 1")
    [note] = page.evaluate("() => window.__notes")
    assert note == {
        "title": "Your 4K version is ready",
        "body": "A lighthouse in a storm",
        "tag": f"/videos/{video.uuid}/#rendition-{uhd.uuid}",
    }
    context.close()


def test_a_group_on_a_phone(playwright_browser, live_server, person) -> None:
    group = uuid.uuid4()
    members = [make_generation(person, 60, group=group, seed=seed) for seed in (11111, 22222, 33333)]
    context = login_context(playwright_browser, live_server, person, viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    page.goto(f"/videos/{members[0].uuid}/")
    region = page.get_by_role("region", name="One of 3 variations")
    expect(region.get_by_role("button", name="Pick this one")).to_have_count(3)
    assert overflow(page) == 0 and axe_problems(page, "a group on a phone") == []
    region.get_by_role("button", name="Pick this one").nth(2).click()
    expect(page.get_by_role("region", name="One of 3 variations").locator("summary")).to_have_text("2 other versions")
    assert overflow(page) == 0 and axe_problems(page, "a picked group on a phone") == []
    screenshot(page, "variations-picked-390")
    context.close()
