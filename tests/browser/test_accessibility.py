"""Every page, as a member, as an admin and logged out, at 1280 px and at 390 px, checked with axe-core.

A page passes with no serious or critical violation and, on a phone, no sideways scrolling. The pages are also
visited in the states that matter: a form showing its errors, a video in the making, a finished one with its player,
a failed one, an empty gallery and a full one. The list of URLs comes from the resolver: a new page that is neither
visited here nor listed in ``NOT_PAGES`` fails ``test_it_checks_every_page``.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.urls import get_resolver, resolve
from playwright.sync_api import Page, expect

from tests.browser.a11y import DESKTOP, PHONE, axe_problems, overflow
from tests.browser.conftest import login_context, screenshot
from tests.people import make_user
from tests.projects.helpers import make_project
from tests.security.test_authorization_matrix import url_names
from veoui.scenes.models import Scene, Shot
from veoui.sharing import services as sharing
from veoui.studio.models import Generation, Rendition, Status
from veoui.team import people
from veoui.team.models import Membership, Role

pytestmark = pytest.mark.browser

# URLs that are not pages a person reads: files, JSON, partials inside pages, and POST-only actions (whose forms
# and answers are the pages checked here).
NOT_PAGES = {
    "home": "a redirect to the studio",
    "logout": "POST only, answers with a redirect",
    "set_language": "POST only: the language menu, checked on every page",
    "health": "JSON for monitoring",
    "status": "the page's status check: the cards that changed, inside the studio, the gallery and a video's page",
    "generation_video": "a video file",
    "generation_poster": "a picture file",
    "generation_download": "a video file",
    "input_image": "a picture file",
    "generation_last_frame": "a picture file",
    "generation_frame": "a picture file",
    "rendition_video": "a video file",
    "rendition_poster": "a picture file",
    "rendition_download": "a video file",
    "usage_csv": "a spreadsheet file",
    "audit_log_csv": "a spreadsheet file",
    "kie_callback": "kie.ai's callback",
    "kie_rendition_callback": "kie.ai's callback",
    "generation_resubmit": "POST only",
    "gallery_zip": "POST only: a ZIP file of the chosen videos",
    "gallery_delete": "POST only: the question before deleting the chosen videos, walked in tests/browser/test_bulk.py",
    "generation_favourite": "POST only: the star",
    "scene_delete": "POST only",
    "scene_end_card": "POST only",
    "scene_settings": "POST only",
    "shot_change": "POST only",
    "shot_down": "POST only",
    "shot_order": "POST only: the order after a drag and drop",
    "shot_remove": "POST only",
    "shot_up": "POST only",
    "scene_end_card_picture": "a picture file",
    "scene_export": "POST only",
    "scene_export_cancel": "POST only",
    "scene_export_format": "POST only",
    "scene_export_download": "a video file",
    "scene_export_video": "a video file",
    "scene_export_gif": "a picture file",
    "scene_export_still": "a picture file",
    "projects_move": "POST only: the gallery's selection and a video's Project choice",
    "generation_dismiss": "POST only",
    "generation_cancel": "POST only",
    "sample_picture": "a picture file",
    "picture_check": "a partial inside the studio's form",
    "generation_archive": "POST only",
    "generation_retry": "POST only",
    "generation_rerun": "POST only",
    "generation_vary": "POST only",
    "generation_pick": "POST only",
    "generation_visibility": "POST only",
    "generation_delete": "POST only",
    "rendition_create": "POST only",
    "rendition_resubmit": "POST only",
    "rendition_dismiss": "POST only",
    "rendition_archive": "POST only",
    "people_invite": "POST only; its errors show on the people page, checked",
    "people_add": "POST only; its answer is the created page, checked",
    "person_password": "POST only; its answer is the created page",
    "person_active": "POST only",
    "invite_cancel": "POST only",
    "balance_refresh": "POST only",
    "team_prices": "POST only: its form is on Team settings",
    "video_comment": "POST only: its form and its errors are on a video's page, checked",
    "video_review_state": "POST only: its buttons are on a video's page, checked",
    "scene_comment": "POST only: the same panel as on a video's page",
    "scene_review_state": "POST only: the same panel as on a video's page",
    "share_new": "POST only: the share form (a video's page, a scene's, the gallery's selection), in test_share.py",
    "share_revoke": "POST only",
    "share_video": "a video file",
    "share_video_poster": "a picture file",
    "share_video_download": "a video file",
    "share_video_comment": "POST only: its form and its errors are on the share page, checked",
    "share_video_review": "POST only: its buttons are on the share page, checked",
    "share_scene_video": "a video file",
    "share_scene_poster": "a picture file",
    "share_scene_download": "a video file",
    "share_scene_comment": "POST only: the same form as a shared video's",
    "share_scene_review": "POST only: the same buttons as a shared video's",
}


class Checker:
    """Checks the page as it is now at both widths, and remembers every problem and every URL name seen."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.seen: set[str] = set()

    def __call__(self, page: Page, label: str) -> None:
        match = resolve(urlsplit(page.url).path)
        self.seen.add(f"{match.namespaces[0]}:" if match.namespaces else match.url_name)
        page.set_viewport_size(DESKTOP)
        self.problems += axe_problems(page, f"{label} at 1280")
        screenshot(page, f"a11y-{label}-1280")
        page.set_viewport_size(PHONE)
        self.problems += axe_problems(page, f"{label} at 390")
        wider = overflow(page)
        if wider > 0:
            self.problems.append(f"{label} at 390: {wider} px wider than the phone, it scrolls sideways")
        screenshot(page, f"a11y-{label}-390")
        page.set_viewport_size(DESKTOP)

    def assert_clean(self) -> None:
        assert not self.problems, "\n".join(self.problems)


def new_page(playwright_browser, live_server, user=None) -> Page:
    options = {"viewport": DESKTOP, "bypass_csp": True}
    if user is None:
        context = playwright_browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(15_000)
    else:
        context = login_context(playwright_browser, live_server, user, **options)
    return context.new_page()


def settled(owner, prompt: str, status: str, **fields) -> Generation:
    values = {"mode": "TEXT_2_VIDEO", "model": "veo3_fast", "aspect_ratio": "16:9", "estimated_credits": Decimal(60)}
    return Generation.objects.create(
        owner=owner, prompt=prompt, status=status, submission_token=uuid.uuid4(), **(values | fields)
    )


def make_a_video(page: Page, kie, check: Checker) -> Generation:
    """Through the studio, checking the card while it runs; then kie.ai is told to finish it."""
    kie.control.configure(min_seconds=120, max_seconds=120)
    page.goto("/studio/text/")
    page.get_by_label("Prompt", exact=True).fill("A lighthouse keeper waves from the balcony at dawn")
    page.get_by_role("button", name="Generate").click()
    card = page.locator(".recent-list .gen-card").first
    expect(card.locator(".stage")).to_contain_text("Generating", timeout=20_000)
    expect(page.locator("#live-status")).to_contain_text("A lighthouse keeper")  # told to screen readers
    check(page, "studio-running")
    generation = Generation.objects.get(prompt__startswith="A lighthouse keeper")
    page.goto(f"/videos/{generation.uuid}/")
    expect(page.locator(".gen-card").first).to_have_attribute("data-status", "running")
    check(page, "video-running")
    kie.control.complete(generation.kie_task_id)
    expect(page.locator(".gen-card video").first).to_be_visible(timeout=30_000)
    expect(page.locator("#live-status")).to_contain_text("Your video is ready")
    generation.refresh_from_db()
    return generation


def test_it_checks_every_page(playwright_browser, live_server, person, worker, kie) -> None:
    check = Checker()
    alex = make_user("alex", "Alex", role=Role.ADMIN)

    # Logged out: the login page (plain and refused), an invite (plain, with errors, used up).
    page = new_page(playwright_browser, live_server)
    page.goto("/login/")
    check(page, "login")
    page.get_by_label("Username").fill("maya")
    page.get_by_label("Password").fill("not her password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    check(page, "login-refused")
    token = people.create_invite(note="Sam", role=Role.MEMBER, monthly_budget=None, by=alex)[1]
    page.goto(f"/join/{token}/")
    check(page, "join")
    page.get_by_role("button", name="Join the team").click()
    expect(page.locator(".field-error").first).to_be_visible()
    check(page, "join-errors")
    page.goto("/join/not-an-invite/")
    check(page, "join-unknown")
    page.context.close()

    # A member: the empty gallery and studio, each mode, a form with its errors, a video from start to finish.
    page = new_page(playwright_browser, live_server, person)
    page.goto("/gallery/")
    check(page, "gallery-empty")
    page.goto("/studio/text/")
    check(page, "studio-text-empty")
    for slug in ("frames", "reference"):
        page.goto(f"/studio/{slug}/")
        check(page, f"studio-{slug}")
    page.get_by_role("button", name="Generate").click()
    expect(page.locator('[data-error-for="prompt"]')).not_to_be_empty()
    check(page, "studio-reference-errors")
    finished = make_a_video(page, kie, check)

    failed = settled(
        person,
        "A storm over the harbour",
        Status.FAILED,
        error_message="kie.ai is very busy right now.",
        error_next_step="Try again in a few minutes.",
        error_transient=True,
    )
    unconfirmed = settled(
        person,
        "A snail crosses a leaf",
        Status.UNCONFIRMED,
        error_message="kie.ai didn't answer, so veoui can't tell whether the video was started.",
        error_next_step="Send it again, or give up if it appears in kie.ai's logs.",
    )
    settled(person, "A private sketch", Status.SUCCEEDED, visibility="private", video=finished.video.name)
    Rendition.objects.create(
        generation=finished,
        owner=person,
        kind="1080p",
        request_token=uuid.uuid4(),
        status=Status.SUCCEEDED,
        video=finished.video.name,
        poster=finished.poster.name,
    )
    Rendition.objects.create(
        generation=finished,
        owner=person,
        kind="4k",
        request_token=uuid.uuid4(),
        status=Status.FAILED,
        error_message="kie.ai couldn't make the 4K version.",
    )
    page.goto(f"/videos/{finished.uuid}/")
    check(page, "video-with-versions")
    page.goto(f"/videos/{failed.uuid}/")
    check(page, "video-failed")
    page.goto(f"/videos/{unconfirmed.uuid}/")
    check(page, "video-unconfirmed")
    page.goto("/studio/text/")
    check(page, "studio-text-with-videos")
    page.goto("/gallery/")
    check(page, "gallery")
    page.goto("/account/password/")
    check(page, "password")
    page.get_by_role("button", name="Save my new password").click()
    expect(page.locator(".field-error").first).to_be_visible()
    check(page, "password-errors")
    page.context.close()

    # An admin: the team's pages, with a form's errors and a new account's password, and a member's video.
    page = new_page(playwright_browser, live_server, alex)
    page.goto(f"/videos/{finished.uuid}/")
    check(page, "admin-video-finished")
    comment = page.get_by_label("Comment", exact=True)
    comment.evaluate("t => { t.removeAttribute('maxlength'); t.value = 'x'.repeat(2001); }")  # past the browser's stop
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".comment-form .field-error")).to_be_visible()
    check(page, "admin-video-comment-errors")
    page.get_by_label("Comment", exact=True).fill("The end comes too soon")
    page.get_by_label("At this moment").check()
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".comment-list .timecode")).to_be_visible()
    page.get_by_role("button", name="Changes requested").click()
    expect(page.locator(".badge--review-changes")).to_be_visible()
    check(page, "admin-video-reviewed")
    page.goto("/people/")
    check(page, "people")
    page.get_by_role("button", name="Create the account").click()
    expect(page.locator(".field-error").first).to_be_visible()
    check(page, "people-errors")
    page.get_by_label("Username").fill("sam")
    page.get_by_role("button", name="Create the account").click()
    expect(page).to_have_url(f"{live_server.url}/people/created/")
    check(page, "people-created")
    page.goto(f"/people/{Membership.objects.get(user=person).uuid}/")
    check(page, "person")
    page.goto("/usage/")
    check(page, "usage")
    page.goto("/team/settings/")
    check(page, "team-settings")
    page.goto("/team/audit/")
    check(page, "audit-log")
    page.goto("/team/audit/?since=yesterday")
    check(page, "audit-log-errors")
    page.goto("/admin/")
    check(page, "django-admin")
    page.context.close()

    # The member again: what the admin said, in her notices.
    page = new_page(playwright_browser, live_server, person)
    page.goto("/notices/")
    expect(page.locator(".notice-item")).to_have_count(2)
    check(page, "notices")
    # Her projects and scenes: the lists, the forms, one of each with the finished video in it.
    project = make_project("Spring launch", person)
    Generation.objects.filter(pk=finished.pk).update(project=project)
    scene = Scene.objects.create(owner=person, title="Lighthouse ad")
    Shot.objects.create(scene=scene, position=0, generation=finished)
    for path, name in [
        ("/projects/", "projects"),
        ("/projects/new/", "project-new"),
        (f"/projects/{project.uuid}/", "project"),
        (f"/projects/{project.uuid}/edit/", "project-edit"),
        (f"/projects/{project.uuid}/delete/", "project-delete"),
        ("/scenes/", "scenes"),
        ("/scenes/new/", "scene-new"),
        (f"/scenes/add/?video={finished.uuid}", "scene-add"),
        (f"/scenes/{scene.uuid}/", "scene"),
        (f"/scenes/{scene.uuid}/preview/", "scene-preview"),
        (f"/scenes/{scene.uuid}/exports/", "scene-exports"),
        (f"/videos/{finished.uuid}/frame/?t=3.2", "saved-frame"),
    ]:
        page.goto(path)
        check(page, name)
    # A share link of her finished video and her scene: its page for her, and what someone outside the team opens.
    Generation.objects.filter(pk=finished.pk).update(project=None)
    link = sharing.make_link(person, [finished], [scene], days=14, allow_download=True, allow_approve=True)
    page.goto(f"/share/{link.pk}/")
    check(page, "share-link")
    page.context.close()
    page = new_page(playwright_browser, live_server)
    page.goto(f"/s/{link.token}/")
    check(page, "share-page")
    page.locator(".comment-form").first.get_by_label("Comment", exact=True).fill("Without a name")
    page.get_by_role("button", name="Post comment").first.click()
    expect(page.locator(".field-error").first).to_be_visible()
    check(page, "share-page-errors")
    page.context.close()
    page = new_page(playwright_browser, live_server, alex)
    page.goto("/share/links/")
    check(page, "share-links")
    page.context.close()

    missing = url_names(get_resolver().url_patterns) - check.seen - NOT_PAGES.keys()
    assert not missing, f"pages nobody checked: {sorted(missing)}"
    check.assert_clean()
