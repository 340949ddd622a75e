"""Each flow of projects, choosing many, review and the audit log driven in a browser by the person whose job it is,
by the labels they read: Alex (admin) makes a members-only project and sets its budget; Maya, a member of it,
generates into it with the studio's Project choice; Tom, a teammate outside it, finds no trace of it; Maya stars
favourites, ticks a range with shift-click, downloads them as a ZIP, moves some to another project and deletes
others after the question that counts them; Tom comments on Maya's team video at a moment and sets In review, then
Approved; Maya sees the count and her Notices; Alex filters the audit log and downloads its CSV. The database is
read after every step. Pictures at 1280 and 390 px of the project page, the gallery with its bar, the notices and
the audit log (axe-core and no sideways scrolling at both widths)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.a11y import DESKTOP, PHONE, axe_problems, keep_picture, overflow
from tests.browser.conftest import ARTIFACTS, login_context, screenshot
from tests.browser.test_review import six_seconds_of_video
from tests.people import make_generation, make_user
from tests.waiting import wait_for
from veoui.projects.models import Project
from veoui.review.models import Comment, Notice, Review
from veoui.studio.models import Favourite, Generation, Status
from veoui.team.models import AuditEntry, Role

pytestmark = pytest.mark.browser

Kind = AuditEntry.Kind
SHOTS = ["Quay at dawn", "Quay at noon", "Quay at dusk"]  # made oldest first: shown newest first


def pictures(page: Page, name: str, *, full_page: bool = True) -> list[str]:
    """The page at 1280 and at 390 px: a picture of each (looked at), axe-core's problems, no sideways scroll.
    A page with the bar for ticked tiles is taken as the window shows it (a whole-page picture would draw the bar,
    which stays at the window's bottom, across the tiles further down)."""
    problems = []
    for width, viewport in (("1280", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(viewport)
        assert overflow(page) <= 0, f"{name} scrolls sideways at {width} px"
        problems += axe_problems(page, f"{name} at {width} px")
        if full_page:
            screenshot(page, f"roles-{name}-{width}")
        else:
            page.locator("input[data-select]:checked").first.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / f"roles-{name}-{width}.png"))
        keep_picture(page, f"roles-{name}-{width}", full_page=full_page)
    page.set_viewport_size(DESKTOP)
    return problems


def open_as(browser, live_server, user) -> Page:
    return login_context(browser, live_server, user, viewport=DESKTOP, bypass_csp=True).new_page()


def prompts(page: Page) -> list[str]:
    return page.locator(".gallery-item__prompt").all_inner_texts()


def tick(page: Page, prompt: str, **options) -> None:
    page.get_by_role("checkbox", name=f"Select: {prompt}").click(**options)


def test_each_flow_by_the_role_that_does_it(playwright_browser, live_server, worker, kie, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    alex = make_user("alex", "Alex", role=Role.ADMIN)
    maya, tom = make_user("maya", "Maya"), make_user("tom", "Tom")
    movie = ContentFile(six_seconds_of_video(tmp_path / "made.mp4"))
    problems: list[str] = []

    # --- Alex, the admin: a project only its members see, with a budget ----------------------------------------
    admin = open_as(playwright_browser, live_server, alex)
    admin.goto("/gallery/")
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Projects").click()
    admin.get_by_role("link", name="New project").first.click()
    admin.get_by_label("Name").fill("Harbour launch")
    admin.get_by_label("Teal").check()
    admin.get_by_label("Description").fill("The harbour's summer launch, before it is announced")
    admin.get_by_label("Only its members").check()
    admin.get_by_role("group", name="Members").get_by_label("Maya").check()
    admin.get_by_label("Monthly budget (credits)").fill("900")
    admin.get_by_role("button", name="Make the project").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Harbour launch")
    project = Project.objects.get()
    assert (project.visibility, project.monthly_budget, project.created_by) == ("members", 900, alex)
    assert set(project.members.all()) == {alex, maya}
    assert list(AuditEntry.objects.order_by("pk").values_list("kind", "actor", "object_id")) == [
        (Kind.PROJECT_CHANGED, alex.pk, str(project.uuid)),
        (Kind.BUDGET_CHANGED, alex.pk, str(project.uuid)),
    ]
    elsewhere = Project.objects.create(name="Open day", created_by=alex)  # the team's, to move videos to

    # Maya's earlier videos, finished and stored: three in the project, one for the whole team.
    now = timezone.now()
    for n, prompt in enumerate(SHOTS):
        shot = make_generation(maya, 60, prompt=prompt, project=project, created_at=now - timedelta(minutes=30 - n))
        shot.video.save("shot.mp4", movie, save=True)
    team_video = make_generation(maya, 60, prompt="Ferry leaving the quay", created_at=now - timedelta(minutes=40))
    team_video.video.save("team.mp4", movie, save=True)

    # --- Maya, a member: generates into the project with the studio's Project choice ----------------------------
    member = open_as(playwright_browser, live_server, maya)
    member.goto("/studio/text/")
    member.get_by_label("Prompt", exact=True).fill("Fireworks over the harbour launch")
    member.get_by_label("Project", exact=True).select_option(label="Harbour launch")
    member.get_by_role("button", name="Generate").click()
    made = wait_for(
        lambda: Generation.objects.filter(prompt="Fireworks over the harbour launch").first(), 15, "the new video"
    )
    assert (made.owner, made.project, made.spend_project) == (maya, project, project)
    spent = AuditEntry.objects.get(kind=Kind.SPENT)
    assert (spent.actor, spent.object_id, spent.credits) == (maya, str(made.uuid), Decimal(60))
    wait_for(lambda: Generation.objects.get(pk=made.pk).status == Status.SUCCEEDED, 30, "the video finished")

    member.goto(project.get_absolute_url())
    expect(member.get_by_text("60 of 900 credits spent this month.")).to_be_visible()
    expect(member.locator(".gallery-item__prompt")).to_have_count(4)
    # The project's page has the gallery's bar for ticked tiles too.
    tick(member, "Quay at dusk")
    tick(member, "Quay at dawn", modifiers=["Shift"])
    expect(member.get_by_role("form", name="Chosen videos").get_by_text("3 selected")).to_be_visible()
    problems += pictures(member, "project-page", full_page=False)
    member.get_by_role("form", name="Chosen videos").get_by_role("button", name="Clear").click()

    # --- Tom, a teammate outside it: no trace of it --------------------------------------------------------------
    outsider = open_as(playwright_browser, live_server, tom)
    outsider.goto("/gallery/")
    expect(outsider.locator(".gallery-item__prompt")).to_have_text(["Ferry leaving the quay"])
    expect(outsider.get_by_label("Project", exact=True).locator("option", has_text="Harbour launch")).to_have_count(0)
    outsider.get_by_role("navigation", name="Main").get_by_role("link", name="Projects").click()
    expect(outsider.get_by_role("link", name="Open day")).to_be_visible()
    expect(outsider.get_by_text("Harbour launch")).to_have_count(0)
    response = outsider.goto(project.get_absolute_url())
    assert response.status == 404
    expect(outsider.get_by_role("heading", name="This project is not available")).to_be_visible()
    outsider.goto(f"/videos/{made.uuid}/")
    expect(outsider.get_by_role("heading", name="This video is not available")).to_be_visible()

    # --- Maya: favourites, a range with shift-click, Download as ZIP, Move to project, Delete ---------------------
    member.goto("/gallery/")
    shown = ["Fireworks over the harbour launch", *SHOTS[::-1], "Ferry leaving the quay"]
    expect(member.locator(".gallery-item__prompt")).to_have_text(shown)
    for prompt in ("Quay at noon", "Ferry leaving the quay"):
        member.locator(".gallery-item", has_text=prompt).get_by_role("button", name="Add to favourites").click()
    wait_for(lambda: Favourite.objects.filter(person=maya).count() == 2, 10, "two stars saved")
    member.get_by_label("Favourites").check()
    expect(member.locator(".gallery-item__prompt")).to_have_text(["Quay at noon", "Ferry leaving the quay"])
    member.get_by_label("Favourites").uncheck()
    expect(member.locator(".gallery-item__prompt")).to_have_count(5)

    bar = member.get_by_role("form", name="Chosen videos")
    tick(member, "Fireworks over the harbour launch")
    tick(member, "Quay at noon", modifiers=["Shift"])  # the range: the new video, dusk and noon
    expect(bar.get_by_text("3 selected")).to_be_visible()
    boxes = [member.get_by_role("checkbox", name=f"Select: {prompt}") for prompt in shown]
    assert [b.is_checked() for b in boxes] == [True, True, True, False, False]
    problems += pictures(member, "gallery-bulk-bar", full_page=False)

    with member.expect_download() as caught:
        bar.get_by_role("button", name="Download as ZIP").click()
    with zipfile.ZipFile(caught.value.path()) as archive:
        names = archive.namelist()
        table = list(csv.DictReader(io.StringIO(archive.read("videos.csv").decode("utf-8-sig"))))
        sizes = [archive.getinfo(row["file"]).file_size for row in table]
    assert len(names) == 4 and names[-1] == "videos.csv"
    assert [row["prompt"] for row in table] == shown[:3]
    assert all(size > 1000 for size in sizes)  # real MP4s: the simulator's and the stored ones

    # Still ticked after the download: two of them to the team's project, then the third deleted.
    tick(member, "Fireworks over the harbour launch")  # unticked: dusk and noon stay chosen
    expect(bar.get_by_text("2 selected")).to_be_visible()
    bar.get_by_label("The project to move them to").select_option(label="Open day")
    bar.get_by_role("button", name="Move to project").click()
    expect(member.get_by_text("2 videos were moved to Open day.")).to_be_visible()
    moved = set(Generation.objects.filter(project=elsewhere).values_list("prompt", flat=True))
    assert moved == {"Quay at dusk", "Quay at noon"}
    move = AuditEntry.objects.get(kind=Kind.PROJECT_CHANGED, actor=maya)
    assert (move.details["action"], len(move.details["videos"])) == ("moved", 2)

    tick(member, "Quay at dawn")
    tick(member, "Quay at dusk", modifiers=["Shift"])  # dawn, noon and dusk (newest first: dusk, noon, dawn)
    expect(bar.get_by_text("3 selected")).to_be_visible()
    bar.get_by_role("button", name="Delete", exact=True).click()
    expect(member.get_by_role("heading", name="Delete 3 videos?")).to_be_visible()
    assert Generation.objects.filter(deleted_at__isnull=False).count() == 0
    member.get_by_role("button", name="Delete 3 videos").click()
    expect(member.get_by_text("3 videos were deleted.")).to_be_visible()
    deleted = set(Generation.objects.filter(deleted_at__isnull=False).values_list("prompt", flat=True))
    assert deleted == set(SHOTS)
    assert AuditEntry.objects.filter(kind=Kind.DELETED, actor=maya).count() == 3
    expect(member.locator(".gallery-item__prompt")).to_have_text(
        ["Fireworks over the harbour launch", "Ferry leaving the quay"]
    )

    # --- Tom reviews Maya's team video: a comment at a moment, In review, then Approved -------------------------
    outsider.goto("/gallery/")
    outsider.get_by_role("link", name="Ferry leaving the quay").first.click()
    player = outsider.locator(".player video")
    player.evaluate("v => new Promise(done => v.readyState >= 1 ? done() : v.addEventListener('loadedmetadata', done))")
    player.evaluate("v => new Promise(seeked => { v.onseeked = seeked; v.currentTime = 2.5 })")
    outsider.get_by_label("Comment", exact=True).fill("Hold the ferry a second longer here")
    outsider.get_by_label("At this moment").check()
    outsider.get_by_role("button", name="Post comment").click()
    expect(outsider.locator(".comment-list").get_by_role("button", name="Play from 0:02")).to_be_visible()
    comment = Comment.objects.get()
    assert (comment.author, comment.at_seconds) == (tom, Decimal("2.50"))
    outsider.get_by_role("button", name="In review").click()
    expect(outsider.locator(".badge--review-in_review")).to_have_text("In review")
    assert Review.objects.get().state == "in_review"
    outsider.get_by_role("button", name="Approved").click()
    expect(outsider.get_by_role("button", name="Approved")).to_have_attribute("aria-pressed", "true")
    assert Review.objects.get().state == "approved"
    assert Notice.objects.filter(recipient=maya, read_at__isnull=True).count() == 3

    # --- Maya, the owner: the count in her menu, then her Notices ----------------------------------------------
    member.goto("/gallery/")
    menu = member.locator(".user-menu")
    expect(menu.locator("summary .count-badge")).to_have_text("3")
    menu.locator("summary").click()
    menu.get_by_role("link", name="Notices 3 unread notices").click()
    expect(member.get_by_role("heading", name="Notices")).to_be_visible()
    items = member.locator(".notice-item")
    expect(items).to_have_count(3)
    expect(items.first).to_contain_text("Tom set the review to Approved")
    expect(items.nth(2)).to_contain_text("Tom commented at 0:02")
    assert Notice.objects.filter(recipient=maya, read_at__isnull=True).count() == 0
    problems += pictures(member, "notices")

    # --- Alex: the audit log, filtered to Maya's deletions today, and its CSV ------------------------------------
    admin.goto("/usage/")
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Audit log").click()
    table = admin.get_by_role("table")
    expect(table.get_by_role("row")).to_have_count(1 + AuditEntry.objects.count())
    admin.get_by_label("Person").select_option(label="Maya")
    admin.get_by_label("What happened").select_option(label="Deleted a video")
    today = str(timezone.localdate())
    admin.get_by_label("From").fill(today)
    admin.get_by_label("Until").fill(today)
    admin.get_by_role("button", name="Show").click()
    expect(admin.get_by_role("heading", name="3 entries")).to_be_visible()
    expect(table.get_by_role("row")).to_have_count(4)
    for prompt in SHOTS:
        expect(table.get_by_role("row", name=prompt)).to_contain_text("Deleted a video")
    problems += pictures(admin, "audit-log")
    with admin.expect_download() as caught:
        admin.get_by_role("link", name="Download CSV").click()
    rows = list(csv.DictReader(caught.value.path().open(encoding="utf-8")))
    assert sorted((r["username"], r["kind"], r["what"]) for r in rows) == sorted(
        ("maya", "deleted", prompt) for prompt in SHOTS
    )
    assert not problems, "\n".join(problems)
