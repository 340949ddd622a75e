"""Share outside the team, in the browser: Maya makes a link on her video's page; someone with no account opens it
in a fresh browser (no session, no cookie), plays and seeks the video, comments with a name at a moment and
approves; Maya sees both on her video's page and in her notices; she revokes the link and it answers 410."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import Page, expect

from tests.browser.a11y import DESKTOP, PHONE, axe_problems, overflow
from tests.browser.conftest import login_context, screenshot
from tests.browser.test_review import six_seconds_of_video
from tests.people import make_generation, make_user
from veoui.review.models import Comment, Notice, Review
from veoui.sharing.models import ShareLink
from veoui.team.models import AuditEntry

pytestmark = pytest.mark.browser


def shoot(page: Page, name: str) -> None:
    """The page at 1280 and at 390 px, into test-artifacts/."""
    for width, viewport in (("1280", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(viewport)
        screenshot(page, f"{name}-{width}")
    page.set_viewport_size(DESKTOP)


def checked(page: Page, label: str) -> list[str]:
    problems = axe_problems(page, f"{label} at 1280")
    page.set_viewport_size(PHONE)
    problems += axe_problems(page, f"{label} at 390")
    if overflow(page) > 0:
        problems.append(f"{label} at 390 scrolls sideways")
    page.set_viewport_size(DESKTOP)
    return problems


def test_someone_outside_the_team_watches_comments_and_approves(
    playwright_browser, live_server, transactional_db, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    maya = make_user("maya", "Maya")
    video = make_generation(maya, 60, prompt="A lighthouse beam sweeping over the sea")
    video.video.save("share.mp4", ContentFile(six_seconds_of_video(tmp_path / "made.mp4")), save=True)
    other = make_generation(maya, 60, prompt="A second video nobody shared")

    # Maya makes the link on her video's page.
    owner = login_context(playwright_browser, live_server, maya, viewport=DESKTOP, bypass_csp=True)
    page = owner.new_page()
    page.goto(f"/videos/{video.uuid}/")
    page.locator("#share summary").click()
    days = page.get_by_label("Expires after (days)")
    expect(days).to_have_value("14")
    days.fill("7")
    page.get_by_label("Allow download").check()
    page.get_by_label("Let them approve").check()
    page.locator("#share").scroll_into_view_if_needed()
    shoot(page, "share-form")
    problems = checked(page, "video page with the share form")
    page.get_by_role("button", name="Make the link").click()
    expect(page).to_have_url(f"{live_server.url}/share/{ShareLink.objects.get().pk}/")
    link = ShareLink.objects.get()
    assert (link.allow_download, link.allow_approve, link.hide_prompt, link.show_names) == (True, True, False, False)
    assert AuditEntry.objects.filter(kind=AuditEntry.Kind.SHARE_LINK_CREATED).count() == 1
    address = page.locator("#share-address").input_value()
    assert address == f"{live_server.url}/s/{link.token}/"
    problems += checked(page, "the link's page")
    shoot(page, "share-link")

    # Someone outside the team, in a browser that never logged in (CSP bypassed only so that axe can be injected).
    guest = playwright_browser.new_context(viewport=DESKTOP, bypass_csp=True)
    guest.set_default_timeout(15_000)
    outside = guest.new_page()
    media_answers: list[int] = []
    outside.on("response", lambda r: media_answers.append(r.status) if r.url.endswith("/video.mp4") else None)
    opened = outside.goto(address)
    assert opened.status == 200 and "script-src" in opened.headers["content-security-policy"]
    assert opened.headers["x-robots-tag"].startswith("noindex") and opened.headers["referrer-policy"] == "no-referrer"
    expect(outside.get_by_role("heading", name="Shared video", exact=True)).to_be_visible()
    expect(outside.locator("video")).to_have_count(1)
    assert "A second video" not in outside.content() and str(other.uuid) not in outside.content()
    links = outside.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert all(href.startswith(f"/s/{link.token}/") or href == "#main" for href in links), links
    expect(outside.locator("meta[name=robots]")).to_have_attribute("content", "noindex")
    player = outside.locator("video")
    player.evaluate("v => new Promise(done => v.readyState >= 1 ? done() : v.addEventListener('loadedmetadata', done))")
    player.evaluate("v => { v.muted = true; return v.play(); }")
    outside.wait_for_function("() => document.querySelector('video').currentTime > 0.3")
    player.evaluate("v => new Promise(seeked => { v.pause(); v.onseeked = seeked; v.currentTime = 4.2 })")
    assert 206 in media_answers, media_answers
    assert guest.cookies() == [], "the page needs no cookie and sets none"
    shoot(outside, "share-page")

    # A comment without a name is refused beside the field; with one, at the player's moment, it is kept.
    outside.locator(".comment-form").get_by_label("Comment", exact=True).fill("Slow the beam here")
    outside.get_by_role("button", name="Post comment").click()
    expect(outside.locator(".comment-form .field-error")).to_contain_text("Give your name first")
    assert Comment.objects.count() == 0
    problems += checked(outside, "share page with a mistake")
    shoot(outside, "share-page-errors")
    player = outside.locator("video")
    player.evaluate("v => new Promise(done => v.readyState >= 1 ? done() : v.addEventListener('loadedmetadata', done))")
    player.evaluate("v => new Promise(seeked => { v.onseeked = seeked; v.currentTime = 4.2 })")
    outside.locator(".comment-form").get_by_label("Your name").fill("Ines from the agency")
    outside.locator(".comment-form").get_by_label("Comment", exact=True).fill("Slow the beam here")
    outside.get_by_label("At this moment").check()
    outside.get_by_role("button", name="Post comment").click()
    expect(outside.locator(".comment-list .comment")).to_contain_text("Slow the beam here")
    comment = Comment.objects.get()
    assert (comment.guest_name, comment.author, comment.share_link) == ("Ines from the agency", None, link)
    assert abs(comment.at_seconds - Decimal("4.2")) < Decimal("0.3")
    assert Notice.objects.filter(recipient=maya, comment=comment).count() == 1
    # Its timecode seeks the player back there.
    outside.locator("video").evaluate("v => new Promise(seeked => { v.onseeked = seeked; v.currentTime = 0.5 })")
    outside.locator(".comment-list .timecode").click()
    outside.wait_for_function("() => Math.abs(document.querySelector('video').currentTime - 4.2) < 0.4")

    # The name given once is already in every other "Your name" of the page, after its reload too.
    expect(outside.locator(".shared-review").get_by_label("Your name")).to_have_value("Ines from the agency")
    outside.get_by_role("button", name="Approved").click()
    expect(outside.locator(".badge--review-approved")).to_be_visible()
    review = Review.objects.get()
    assert (review.state, review.changed_by_guest) == ("approved", "Ines from the agency")
    assert Notice.objects.filter(recipient=maya).count() == 2
    problems += checked(outside, "share page with a comment")
    shoot(outside, "share-page-reviewed")
    assert guest.cookies() == []

    # Maya sees it all; then revokes the link from her video's page.
    page.goto(f"/videos/{video.uuid}/")
    expect(page.locator(".comment-list")).to_contain_text("Ines from the agency")
    expect(page.locator(".badge--review-approved").first).to_be_visible()
    page.goto("/notices/")
    expect(page.locator(".notice-item")).to_have_count(2)
    page.goto(f"/videos/{video.uuid}/")
    # Three views: the first opening, and the page again after the comment and after the approval.
    expect(page.locator(".share-links__item")).to_contain_text("3 views")
    assert ShareLink.objects.get().views == 3
    page.locator("#share").get_by_role("button", name="Revoke").click()
    expect(page.locator(".share-links__item")).to_have_count(0)
    link.refresh_from_db()
    assert link.revoked_by == maya
    assert AuditEntry.objects.filter(kind=AuditEntry.Kind.SHARE_LINK_REVOKED).count() == 1

    gone = outside.goto(address)
    assert gone.status == 410
    expect(outside.get_by_role("heading", name="This link no longer works")).to_be_visible()
    shoot(outside, "share-gone")
    problems += checked(outside, "revoked link")
    guest.close()
    owner.close()
    assert not problems, "\n".join(problems)
