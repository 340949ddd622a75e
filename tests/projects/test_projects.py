"""Making, changing and deleting projects, choosing one in the studio and moving videos: the database after every
POST, and one audit entry for each change."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.people import client_for, make_generation, text
from tests.projects.helpers import generate_fields, make_project
from veoui.projects.models import Project
from veoui.studio.models import Generation, Rendition
from veoui.team.models import AuditEntry, Membership

pytestmark = pytest.mark.django_db

Kind = AuditEntry.Kind


def entries(kind: str = Kind.PROJECT_CHANGED) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(kind=kind, object_type="project").order_by("pk"))


def test_it_makes_a_project_with_its_maker_as_a_member(maya, tom) -> None:
    response = client_for(maya).post(
        "/projects/new/",
        {
            "name": "Spring launch",
            "colour": "teal",
            "visibility": "members",
            "members": [tom.pk],
            "monthly_budget": "500",
        },
    )
    project = Project.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/projects/{project.uuid}/"
    assert (project.name, project.colour, project.visibility, project.monthly_budget) == (
        "Spring launch",
        "teal",
        "members",
        Decimal(500),
    )
    assert set(project.members.all()) == {maya, tom} and project.created_by == maya
    [entry] = entries()
    assert entry.details["action"] == "created" and entry.actor == maya and entry.object_id == str(project.uuid)


@pytest.mark.parametrize("name", ["spring LAUNCH", "  Spring   launch "])
def test_it_refuses_a_name_taken_whatever_its_case(maya, name) -> None:
    make_project("Spring launch", maya)
    response = client_for(maya).post("/projects/new/", {"name": name, "colour": "teal", "visibility": "team"})
    assert response.status_code == 200
    assert "There is already a project called" in text(response)
    assert Project.objects.count() == 1 and entries() == []


def test_it_says_what_is_wrong_next_to_the_field(maya) -> None:
    response = client_for(maya).post(
        "/projects/new/", {"name": "", "colour": "purple-ish", "visibility": "team", "monthly_budget": "-3"}
    )
    page = text(response)
    assert response.status_code == 200 and Project.objects.count() == 0
    assert "Give the project a name." in page
    assert "A budget can't be below zero. Leave it empty for no limit." in page
    assert 'class="field-error"' in page


def test_it_lists_projects_with_their_videos_and_spend(maya, tom) -> None:
    launch = make_project("Launch", maya, monthly_budget=Decimal(300))
    make_generation(maya, 60, project=launch, spend_project=launch)
    make_generation(maya, 60, project=launch, spend_project=launch, visibility="private")
    page = text(client_for(tom).get("/projects/"))
    assert "Launch" in page and "1 video" in page  # Maya's private one is not counted for Tom
    assert "120 of 300 credits this month" in page


def test_only_its_maker_and_admins_edit_it_and_each_change_is_logged(maya, tom, admin) -> None:
    launch = make_project("Launch", maya)
    fields = {"name": "Launch 2", "colour": "red", "visibility": "team", "members": [maya.pk]}
    assert client_for(tom).post(f"/projects/{launch.uuid}/edit/", fields).status_code == 403
    assert Project.objects.get().name == "Launch"

    response = client_for(maya).post(f"/projects/{launch.uuid}/edit/", {**fields, "members": [maya.pk, tom.pk]})
    assert response.status_code == 302
    launch.refresh_from_db()
    assert (launch.name, launch.colour) == ("Launch 2", "red") and set(launch.members.all()) == {maya, tom}
    changed = entries()[-1]
    assert changed.details["fields"] == ["name", "colour"] and changed.details["members_added"] == [tom.pk]

    client_for(admin).post(f"/projects/{launch.uuid}/edit/", {**fields, "monthly_budget": "250"})
    launch.refresh_from_db()
    assert launch.monthly_budget == 250 and set(launch.members.all()) == {maya}
    [budget] = entries(Kind.BUDGET_CHANGED)
    assert budget.details == {"from": None, "to": "250", "name": "Launch 2"}
    assert entries()[-1].details["members_removed"] == [tom.pk]


def test_saving_unchanged_writes_no_audit_entry(maya) -> None:
    launch = make_project("Launch", maya)
    before = AuditEntry.objects.count()
    fields = {"name": "Launch", "colour": launch.colour, "visibility": "team", "members": [maya.pk]}
    assert client_for(maya).post(f"/projects/{launch.uuid}/edit/", fields).status_code == 302
    assert AuditEntry.objects.count() == before


def test_deleting_asks_first_and_keeps_the_videos(maya, tom) -> None:
    launch = make_project("Launch", maya)
    video = make_generation(maya, 60, project=launch, spend_project=launch)
    page = text(client_for(maya).get(f"/projects/{launch.uuid}/delete/"))
    assert "Its 1 video stays in the gallery, in no project." in page and Project.objects.count() == 1
    assert client_for(tom).post(f"/projects/{launch.uuid}/delete/").status_code == 403
    assert Project.objects.count() == 1

    assert client_for(maya).post(f"/projects/{launch.uuid}/delete/")["Location"] == "/projects/"
    assert Project.objects.count() == 0
    video.refresh_from_db()
    assert video.project is None and video.deleted_at is None
    assert entries()[-1].details == {"action": "deleted", "videos": 1, "scenes": 0}


def test_the_studio_offers_the_projects_a_person_sees_and_remembers_the_choice(maya, tom) -> None:
    launch = make_project("Launch", maya)
    closed = make_project("Secret", maya, visibility=Project.Visibility.MEMBERS)
    page = text(client_for(tom).get("/studio/text/"))
    assert "Launch" in page and "Secret" not in page and "No project" in page

    response = client_for(tom).post("/studio/text/", generate_fields(launch))
    video = Generation.objects.get()
    assert response.status_code == 302 and (video.project, video.spend_project) == (launch, launch)
    assert Membership.objects.get(user=tom).last_project == launch
    assert f'<option value="{launch.uuid}" selected>' in client_for(tom).get("/studio/text/").content.decode()

    refused = client_for(tom).post("/studio/text/", generate_fields(closed))
    assert refused.status_code == 200 and Generation.objects.count() == 1
    assert "Choose one of the projects in the list, or No project." in text(refused)
    assert Membership.objects.get(user=tom).last_project == launch

    client_for(tom).post("/studio/text/", generate_fields(None))
    assert Generation.objects.latest("pk").project is None
    assert Membership.objects.get(user=tom).last_project is None


def test_the_gallery_filters_by_project(maya, tom) -> None:
    launch = make_project("Launch", maya)
    inside = make_generation(maya, 60, prompt="Inside the launch", project=launch)
    outside = make_generation(maya, 60, prompt="Outside any project")
    client = client_for(tom)
    page = text(client.get("/gallery/", {"project": str(launch.uuid)}))
    assert inside.prompt in page and outside.prompt not in page
    page = text(client.get("/gallery/", {"project": "none"}))
    assert outside.prompt in page and inside.prompt not in page
    page = text(client.get("/gallery/", {"project": "not-a-project"}))
    assert "Choose one of the projects in the list, or No project." in page
    assert inside.prompt in page and outside.prompt in page


def test_it_moves_one_video_and_its_versions_from_its_page(maya) -> None:
    launch = make_project("Launch", maya)
    video = make_generation(maya, 60)
    Rendition.objects.create(generation=video, owner=maya, kind="1080p", request_token=video.submission_token)
    page = client_for(maya).get(f"/videos/{video.uuid}/").content.decode()
    assert 'action="/projects/move/"' in page and "Launch" in page
    response = client_for(maya).post(
        "/projects/move/", {"videos": str(video.uuid), "project": str(launch.uuid), "next": f"/videos/{video.uuid}/"}
    )
    assert response["Location"] == f"/videos/{video.uuid}/"
    video.refresh_from_db()
    assert video.project == launch and video.spend_project is None
    assert list(Rendition.objects.filter(generation__project=launch)) == list(video.renditions.all())
    [moved] = [e for e in entries() if e.details["action"] == "moved"]
    assert moved.details["videos"] == [str(video.uuid)] and moved.object_id == str(launch.uuid)


def test_it_moves_many_but_only_those_the_person_may_change(maya, tom, admin) -> None:
    launch = make_project("Launch", maya)
    mine = [make_generation(tom, 60) for _ in range(2)]
    hers = make_generation(maya, 60)
    ids = [str(video.uuid) for video in [*mine, hers]] + ["not-a-uuid"]
    client = client_for(tom)
    response = client.post("/projects/move/", {"videos": ids, "project": str(launch.uuid)})
    assert response.status_code == 302
    assert set(Generation.objects.filter(project=launch)) == set(mine)
    assert "2 videos were moved to Launch." in text(client.get(response["Location"]))
    assert len([e for e in entries() if e.details["action"] == "moved"]) == 1

    client_for(admin).post("/projects/move/", {"videos": ids, "project": ""})
    assert Generation.objects.filter(project__isnull=False).count() == 0


def test_nobody_moves_videos_into_a_project_they_cannot_see(maya, tom) -> None:
    closed = make_project("Secret", maya, visibility=Project.Visibility.MEMBERS)
    video = make_generation(tom, 60)
    response = client_for(tom).post("/projects/move/", {"videos": str(video.uuid), "project": str(closed.uuid)})
    assert response.status_code == 302
    video.refresh_from_db()
    assert video.project is None and entries() == []


def test_a_teammate_moves_nothing_of_someone_elses(maya, tom) -> None:
    launch = make_project("Launch", maya)
    video = make_generation(maya, 60)
    client_for(tom).post("/projects/move/", {"videos": str(video.uuid), "project": str(launch.uuid)})
    video.refresh_from_db()
    assert video.project is None and entries() == []


def test_a_projects_page_shows_its_videos_as_tiles_page_by_page(maya, tom) -> None:
    launch = make_project("Launch", maya, description="For the spring campaign")
    for n in range(25):
        make_generation(maya, 60, prompt=f"Launch video {n}", project=launch)
    make_generation(maya, 60, prompt="Elsewhere")
    page = text(client_for(tom).get(f"/projects/{launch.uuid}/"))
    assert "For the spring campaign" in page and "25 videos" in page and "Elsewhere" not in page
    assert page.count('class="gallery-item"') == 24 and "Page 1 of 2" in page and "?page=2" in page
    assert "Launch video 0" in text(client_for(tom).get(f"/projects/{launch.uuid}/", {"page": 2}))
