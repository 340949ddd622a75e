"""A project's monthly budget, checked with the person's and the team's under the same lock: twenty people
pressing Generate at once against a project with room for five videos get exactly five."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.people import client_for, make_generation, make_user, text
from tests.projects.helpers import generate_fields, make_project
from tests.studio.spending import together
from veoui.studio.models import Generation, Rendition
from veoui.team import budgets
from veoui.team.models import Membership, TeamSettings

pytestmark = pytest.mark.django_db
PRESSES = 20


def project_spent(project) -> Decimal:
    start = budgets.month_start()
    return budgets.spent(since=start, until=budgets.next_month(start), project=project)


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_submits_with_room_for_five_make_exactly_five() -> None:
    people = [make_user(f"person{n}", f"Person {n}") for n in range(PRESSES)]
    launch = make_project("Launch", people[0], monthly_budget=Decimal(60 * 5))
    clients = [client_for(person) for person in people]

    def press(index: int) -> int:
        return clients[index].post("/studio/text/", generate_fields(launch)).status_code

    codes = together(PRESSES, press)
    assert sorted(codes) == [200] * 15 + [302] * 5, codes
    assert Generation.objects.filter(spend_project=launch).count() == 5
    assert project_spent(launch) == 300


def test_the_refusal_names_the_project_budget_next_to_generate(maya) -> None:
    launch = make_project("Launch", maya, monthly_budget=Decimal(100))
    make_generation(maya, 60, project=launch, spend_project=launch)
    response = client_for(maya).post("/studio/text/", generate_fields(launch))
    page = text(response)
    assert response.status_code == 200 and Generation.objects.count() == 1
    assert "but only 40 credits are left of the budget of the project Launch for" in page
    assert 'class="form-error over-budget"' in response.content.decode()
    # The same video outside the project is not limited by it.
    assert client_for(maya).post("/studio/text/", generate_fields(None)).status_code == 302
    assert Generation.objects.count() == 2


@pytest.mark.parametrize("strictest", ["person", "team", "project"])
def test_the_strictest_budget_wins(maya, strictest) -> None:
    launch = make_project("Launch", maya, monthly_budget=Decimal(1000))
    Membership.objects.filter(user=maya).update(monthly_budget=1000)
    TeamSettings.objects.update_or_create(pk=1, defaults={"monthly_budget": 1000})
    tight = {"person": Membership.objects.filter(user=maya), "team": TeamSettings.objects.all()}
    if strictest == "project":
        type(launch).objects.filter(pk=launch.pk).update(monthly_budget=30)
    else:
        tight[strictest].update(monthly_budget=30)
    response = client_for(maya).post("/studio/text/", generate_fields(launch))
    assert response.status_code == 200 and Generation.objects.count() == 0
    words = {"person": "of your budget", "team": "of the team's budget", "project": "of the project Launch"}
    assert words[strictest] in text(response)


def test_a_videos_cost_stays_with_the_project_it_was_made_in(maya) -> None:
    launch, later = make_project("Launch", maya), make_project("Later", maya, monthly_budget=Decimal(60))
    client = client_for(maya)
    client.post("/studio/text/", generate_fields(launch))
    video = Generation.objects.get()
    client.post("/projects/move/", {"videos": str(video.uuid), "project": str(later.uuid)})
    video.refresh_from_db()
    assert (video.project, video.spend_project) == (later, launch)
    assert project_spent(launch) == 60 and project_spent(later) == 0
    # A version ordered after the move is charged to the project the video is in when it is ordered.
    Generation.objects.filter(pk=video.pk).update(status="succeeded", actual_credits=60, kie_task_id="k" * 32)
    page = client.get(f"/videos/{video.uuid}/").content.decode()
    token = page.split('name="request_token" value="')[1].split('"')[0]
    client.post(f"/videos/{video.uuid}/renditions/", {"kind": "1080p", "request_token": token})
    rendition = Rendition.objects.get()
    assert rendition.spend_project == later and project_spent(later) == rendition.estimated_credits
    client.post("/projects/move/", {"videos": str(video.uuid), "project": ""})
    assert project_spent(later) == rendition.estimated_credits and project_spent(launch) == 60


def test_the_usage_page_and_csv_break_spend_down_by_project_and_person(admin, maya, tom) -> None:
    launch = make_project("Launch", maya)
    make_generation(maya, 60, project=launch, spend_project=launch)
    make_generation(tom, 120, project=launch, spend_project=launch)
    make_generation(tom, 30)
    client = client_for(admin)
    page = text(client.get("/usage/"))
    assert "Credits per project and person in" in page and "No project" in page
    rows = client.get("/usage/export.csv?by=project").content.decode().splitlines()
    month = f"{budgets.month_start():%Y-%m}"
    assert rows[0] == "month,project,username,name,credits,dollars,videos"
    assert rows[1:] == [
        f"{month},Launch,maya,Maya,60.00,{rows[1].split(',')[5]},1",
        f"{month},Launch,tom,Tom,120.00,{rows[2].split(',')[5]},1",
        f"{month},,tom,Tom,30.00,{rows[3].split(',')[5]},1",
    ]
    assert Decimal(rows[2].split(",")[5]) == 2 * Decimal(rows[1].split(",")[5]) > 0
