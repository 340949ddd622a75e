"""Projects in a browser, as a person uses them: make a project, choose it in the studio, filter the gallery by
it, and move a video into it from the video's page; at 1280 and 390 px."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.a11y import axe_problems, overflow
from tests.browser.conftest import login_context, screenshot
from tests.people import make_generation
from tests.waiting import wait_for
from veoui.projects.models import Project
from veoui.studio.models import Generation
from veoui.team.models import AuditEntry, Membership

pytestmark = pytest.mark.browser

WIDTHS = {"1280": {"width": 1280, "height": 800}, "390": {"width": 390, "height": 844}}


@pytest.fixture(params=list(WIDTHS))
def page(request, playwright_browser, live_server, person) -> Iterator[Page]:
    context = login_context(playwright_browser, live_server, person, viewport=WIDTHS[request.param], bypass_csp=True)
    page = context.new_page()
    page.width_name = request.param
    yield page
    context.close()


def test_a_person_makes_a_project_uses_it_and_moves_a_video_into_it(page: Page, person) -> None:
    width = page.width_name
    older = make_generation(person, 60, prompt="An older video of a harbour")
    page.goto("/gallery/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Projects").click()
    page.get_by_role("link", name="New project").first.click()
    page.get_by_label("Name").fill("Spring launch")
    page.get_by_label("Teal").check()
    page.get_by_label("Description").fill("Videos for the spring campaign of the bakery")
    page.get_by_label("Monthly budget (credits)").fill("600")
    screenshot(page, f"project-new-{width}")
    assert axe_problems(page, f"new project ({width} px)") == []
    page.get_by_role("button", name="Make the project").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Spring launch")
    project = Project.objects.get()
    assert (project.colour, project.monthly_budget, project.created_by) == ("teal", 600, person)

    page.goto("/studio/text/")
    page.get_by_label("Prompt", exact=True).fill("Fresh bread coming out of the oven at dawn")
    page.get_by_label("Project", exact=True).select_option(label="Spring launch")
    screenshot(page, f"project-studio-{width}")
    page.get_by_role("button", name="Generate").click()
    expect(page.locator("#generate-form, .gen-card").first).to_be_visible()
    made = Generation.objects.exclude(pk=older.pk)
    expect_count(made, 1)
    assert made.get().project == project and made.get().spend_project == project
    assert Membership.objects.get(user=person).last_project == project

    page.goto("/gallery/")
    page.get_by_label("Project", exact=True).select_option(label="Spring launch")
    expect(page.locator(".gallery-item__prompt")).to_have_text(["Fresh bread coming out of the oven at dawn"])
    expect(page).to_have_url(re.compile(rf"[?&]project={project.uuid}(&|$)"))
    screenshot(page, f"project-gallery-{width}")
    assert overflow(page) == 0

    page.goto(f"/videos/{older.uuid}/")
    page.get_by_label("Project", exact=True).select_option(label="Spring launch")
    page.get_by_role("button", name="Move").click()
    expect(page.get_by_text("1 video was moved to Spring launch.")).to_be_visible()
    screenshot(page, f"project-moved-{width}")
    older.refresh_from_db()
    assert older.project == project and older.spend_project is None
    assert AuditEntry.objects.filter(kind="project_changed", details__action="moved").count() == 1

    page.goto("/projects/")
    expect(page.get_by_text("2 videos")).to_be_visible()
    screenshot(page, f"project-list-{width}")
    page.goto(project.get_absolute_url())
    expect(page.locator(".gallery-item__prompt")).to_have_count(2)
    screenshot(page, f"project-page-{width}")
    assert axe_problems(page, f"project page ({width} px)") == []


def expect_count(queryset, count: int) -> None:
    """Wait for the database to hold ``count`` rows (the studio's form is sent by htmx, in the background)."""
    wait_for(lambda: queryset.count() == count, 15, f"{count} videos")
