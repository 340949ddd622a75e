"""An admin opens the Audit log from the menu, filters it by kind, and downloads what it shows as CSV."""

from __future__ import annotations

import csv
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.a11y import DESKTOP, PHONE, axe_problems, overflow
from tests.browser.conftest import login_context, screenshot
from tests.people import client_for, make_user
from veoui.team.models import AuditEntry, Membership, Role

pytestmark = pytest.mark.browser


def test_it_filters_the_audit_log_and_downloads_it(playwright_browser, live_server, person, tmp_path) -> None:
    alex = make_user("alex", "Alex", role=Role.ADMIN)
    # What the log records, done through the pages as Maya and Alex would: a video, then a new budget for Maya.
    client_for(person).post(
        "/studio/text/",
        {
            "submission_token": str(uuid.uuid4()),
            "prompt": "A paper boat on a rainy street",
            "model": "veo3_fast",
            "aspect_ratio": "16:9",
        },
    )
    membership = Membership.objects.get(user=person)
    client_for(alex).post(f"/people/{membership.uuid}/", {"role": Role.MEMBER, "monthly_budget": "500"})
    assert AuditEntry.objects.count() == 2

    context = login_context(playwright_browser, live_server, alex, viewport=DESKTOP, bypass_csp=True)
    page = context.new_page()
    page.goto("/usage/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log", level=1)).to_be_visible()
    table = page.get_by_role("table")
    expect(table.get_by_role("row")).to_have_count(3)  # the header and two entries
    expect(table).to_contain_text("A paper boat on a rainy street")

    page.get_by_label("What happened").select_option(label="Changed a budget")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(f"{live_server.url}/team/audit/?person=&kind=budget_changed&since=&until=")
    expect(table.get_by_role("row")).to_have_count(2)
    row = table.get_by_role("row").nth(1)
    expect(row).to_contain_text("Alex")
    expect(row).to_contain_text("Maya")
    expect(row).to_contain_text("No limit → 500")
    expect(page.get_by_role("link", name="Audit log")).to_have_attribute("aria-current", "page")

    problems = axe_problems(page, "audit log at 1280")
    screenshot(page, "audit-log-1280")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    target = tmp_path / "audit.csv"
    info.value.save_as(target)
    with target.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["username"], r["kind"], r["what"]) for r in rows] == [("alex", "budget_changed", "Maya")]

    page.set_viewport_size(PHONE)
    problems += axe_problems(page, "audit log at 390")
    assert overflow(page) <= 0, "the Audit log scrolls sideways on a phone"
    screenshot(page, "audit-log-390")
    assert not problems, "\n".join(problems)
    context.close()
