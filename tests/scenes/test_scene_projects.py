"""Scenes in projects: a scene is in at most one project, chosen when it is made or on its page (a change audited
like a move of videos); a members-only project hides its scenes from everyone outside it on every page and
address; a project's page lists its scenes, only those the viewer may see."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tests.people import client_for, make_generation, make_user, text
from tests.projects.helpers import make_project
from veoui.projects.models import Project
from veoui.review.models import Comment
from veoui.scenes import exporting
from veoui.scenes.models import Scene, SceneExport, Shot
from veoui.studio.models import Generation
from veoui.team.audit_log import project_change_text
from veoui.team.models import AuditEntry, Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def priya(db) -> object:
    """Priya, a teammate in the members-only project (not its maker)."""
    return make_user("priya", "Priya")


@pytest.fixture
def projects(maya, priya) -> dict[str, Project]:
    return {
        "open": make_project("Spring launch", maya),
        "secret": make_project("Secret client", maya, members=[priya], visibility=Project.Visibility.MEMBERS),
    }


def video(owner, prompt: str = "A lighthouse", **fields) -> Generation:
    generation = make_generation(owner, 60, prompt=prompt, **fields)
    generation.video.save("v.mp4", ContentFile(b"not really a video"), save=False)
    generation.poster.save("p.jpg", ContentFile(b"poster"), save=True)
    return generation


def scene_of(owner, *videos: Generation, title: str = "Spring ad", **fields) -> Scene:
    scene = Scene.objects.create(owner=owner, title=title, **fields)
    for position, generation in enumerate(videos):
        Shot.objects.create(
            scene=scene, position=position, generation=generation, end_seconds=Decimal(4), clip_seconds=Decimal(8)
        )
    return scene


def settings_of(scene: Scene, project: Project | None, **overrides: str) -> dict:
    return {
        "title": scene.title,
        "aspect_ratio": scene.aspect_ratio,
        "visibility": scene.visibility,
        "project": str(project.uuid) if project else "",
        **overrides,
    }


def moves() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(kind=AuditEntry.Kind.PROJECT_CHANGED, details__action="moved"))


def project_of(scene: Scene) -> int | None:
    return Scene.objects.values_list("project", flat=True).get(pk=scene.pk)


# --- choosing a scene's project ------------------------------------------------------------------------------


def test_new_scene_offers_the_projects_a_person_sees_and_starts_on_the_remembered_one(tom, projects) -> None:
    Membership.objects.filter(user=tom).update(last_project=projects["open"])
    page = text(client_for(tom).get("/scenes/new/"))
    assert '<label for="id_scene_project">Project</label>' in page
    assert f'<option value="{projects["open"].uuid}" selected>Spring launch</option>' in page
    assert "Secret client" not in page and str(projects["secret"].uuid) not in page
    assert '<option value="">No project</option>' in page


def test_a_new_scene_goes_in_the_chosen_project_and_the_choice_is_remembered(priya, projects) -> None:
    secret = projects["secret"]
    fields = {"title": "Client teaser", "aspect_ratio": "16:9", "visibility": "team", "project": str(secret.uuid)}
    response = client_for(priya).post("/scenes/new/", fields)
    scene = Scene.objects.get()
    assert response["Location"] == f"/scenes/{scene.uuid}/"
    assert (scene.owner, scene.project, scene.title) == (priya, secret, "Client teaser")
    assert Membership.objects.get(user=priya).last_project == secret
    assert AuditEntry.objects.filter(kind=AuditEntry.Kind.PROJECT_CHANGED, details__action="moved").count() == 0

    response = client_for(priya).post("/scenes/new/", fields | {"title": "Loose", "project": ""})
    assert response.status_code == 302 and Scene.objects.count() == 2
    assert Scene.objects.get(title="Loose").project is None
    assert Membership.objects.get(user=priya).last_project is None


@pytest.mark.parametrize("project", ["secret", "made-up", "not-a-uuid"])
def test_a_project_the_person_may_not_see_is_refused_next_to_the_field(tom, projects, project) -> None:
    chosen = {"secret": str(projects["secret"].uuid), "made-up": str(uuid.uuid4()), "not-a-uuid": "nope"}[project]
    fields = {"title": "Client teaser", "aspect_ratio": "16:9", "visibility": "team", "project": chosen}
    response = client_for(tom).post("/scenes/new/", fields)
    page = text(response)
    assert response.status_code == 200 and Scene.objects.count() == 0
    assert (
        '<p class="field-error" id="scene-project-error">Choose one of the projects in the list, or No project.</p>'
        in page
    )
    assert 'aria-describedby="scene-project-error"' in page and "Secret client" not in page


def test_moving_a_scene_is_one_conditional_update_audited_like_a_move_of_videos(media, maya, tom, projects) -> None:
    scene = scene_of(maya, video(maya))
    client = client_for(maya)
    page = text(client.get(f"/scenes/{scene.uuid}/"))
    assert '<option value="" selected>No project</option>' in page and "Secret client" in page

    response = client.post(f"/scenes/{scene.uuid}/settings/", settings_of(scene, projects["open"]))
    assert response["Location"] == f"/scenes/{scene.uuid}/"
    assert project_of(scene) == projects["open"].pk
    [entry] = moves()
    assert (entry.actor, entry.what, entry.object_type, entry.object_id) == (
        maya, "Spring launch", "project", str(projects["open"].uuid)
    )  # fmt: skip
    assert entry.details == {"action": "moved", "scenes": [str(scene.uuid)]}
    assert project_change_text(entry) == "1 scene moved here"  # the audit log's "What changed"
    page = text(client.get(f"/scenes/{scene.uuid}/"))
    assert f'<a href="/projects/{projects["open"].uuid}/">' in page
    assert f'<option value="{projects["open"].uuid}" selected>Spring launch</option>' in page

    # Saved again unchanged (a new title only): no move, no entry.
    client.post(f"/scenes/{scene.uuid}/settings/", settings_of(scene, projects["open"], title="Spring ad 2"))
    assert project_of(scene) == projects["open"].pk and len(moves()) == 1
    assert Scene.objects.get(pk=scene.pk).title == "Spring ad 2"

    # Taken out of any project: an entry naming no project.
    client.post(f"/scenes/{scene.uuid}/settings/", settings_of(scene, None, title="Spring ad 2"))
    assert project_of(scene) is None and len(moves()) == 2
    assert (moves()[-1].what, moves()[-1].object_id, moves()[-1].details["scenes"]) == ("", "", [str(scene.uuid)])
    assert project_change_text(moves()[-1]) == "1 scene taken out of its project"

    # A teammate who sees the scene may not move it; a project he cannot see is refused by the form.
    response = client_for(tom).post(f"/scenes/{scene.uuid}/settings/", settings_of(scene, projects["open"]))
    assert response.status_code == 403 and project_of(scene) is None and len(moves()) == 2
    response = client.post(f"/scenes/{scene.uuid}/settings/", settings_of(scene, None) | {"project": str(uuid.uuid4())})
    assert response.status_code == 200 and "Choose one of the projects in the list, or No project." in text(response)
    assert project_of(scene) is None and len(moves()) == 2


def test_an_admin_moves_a_scene_and_the_owner_outside_a_project_keeps_its_choice(media, maya, admin, projects) -> None:
    secret = projects["secret"]
    scene = scene_of(maya, video(maya))
    response = client_for(admin).post(f"/scenes/{scene.uuid}/settings/", settings_of(scene, secret))
    assert response.status_code == 302 and project_of(scene) == secret.pk
    assert moves()[-1].actor == admin and Scene.objects.get(pk=scene.pk).visibility == "team"

    # Maya leaves the project: her scene stays hers and in it, and saving its title does not take it out.
    secret.members.remove(maya)
    page = text(client_for(maya).get(f"/scenes/{scene.uuid}/"))
    assert f'<option value="{secret.uuid}" selected>Secret client</option>' in page
    client_for(maya).post(f"/scenes/{scene.uuid}/settings/", settings_of(scene, secret, title="Renamed"))
    assert project_of(scene) == secret.pk and Scene.objects.get(pk=scene.pk).title == "Renamed"
    assert len(moves()) == 1


def test_a_scene_started_from_a_video_joins_that_videos_project(media, maya, projects) -> None:
    shown = video(maya, project=projects["open"])
    response = client_for(maya).post(f"/scenes/add/?video={shown.uuid}", {"scene": "new", "title": "From the video"})
    scene = Scene.objects.get()
    assert response["Location"] == f"/scenes/{scene.uuid}/"
    assert scene.project == projects["open"] and scene.shots.count() == 1


def test_deleting_a_project_leaves_its_scenes_in_no_project(media, maya, projects) -> None:
    scene = scene_of(maya, video(maya), project=projects["open"])
    page = text(client_for(maya).get(f"/projects/{projects['open'].uuid}/delete/"))
    assert "Its 0 videos stay in the gallery" in page and "Its 1 scene stays in Scenes, in no project." in page
    assert Project.objects.filter(pk=projects["open"].pk).count() == 1 and project_of(scene) == projects["open"].pk
    response = client_for(maya).post(f"/projects/{projects['open'].uuid}/delete/")
    assert response["Location"] == "/projects/"
    assert Project.objects.filter(pk=projects["open"].pk).count() == 0
    scene.refresh_from_db()
    assert scene.project is None and scene.deleted_at is None and scene.shots.count() == 1
    entry = AuditEntry.objects.filter(details__action="deleted").get()
    assert entry.details == {"action": "deleted", "videos": 0, "scenes": 1}


# --- who sees a scene in a members-only project ------------------------------------------------------------


@pytest.fixture
def secret_scene(media, maya, projects) -> dict:
    """A team-visible scene of Maya's in the members-only project, made of a team video outside any project, with
    an end card and a finished export."""
    shown = video(maya, prompt="An open lighthouse")
    scene = scene_of(maya, shown, title="Client teaser", project=projects["secret"], end_card="picture")
    scene.end_card_picture.save("card.png", ContentFile(b"png"), save=True)
    export = SceneExport.objects.create(
        scene=scene, owner=maya, request_token=uuid.uuid4(), status=SceneExport.Status.SUCCEEDED
    )
    export.file.save("scene.mp4", ContentFile(b"scene"), save=True)
    default_storage.save(exporting.still_name(export), ContentFile(b"still"))
    export.generations.set([shown])
    return {"scene": scene, "export": export, "video": shown}


def addresses(found: dict) -> list[str]:
    s, x = found["scene"].uuid, found["export"].uuid
    return [
        f"/scenes/{s}/",
        f"/scenes/{s}/preview/",
        f"/scenes/{s}/end-card.img",
        f"/scenes/{s}/exports/",
        f"/scenes/exports/{x}/video.mp4",
        f"/scenes/exports/{x}/still.jpg",
        f"/scenes/exports/{x}/download/",
    ]


def test_a_teammate_outside_the_project_finds_no_trace_of_its_scene(secret_scene, tom, projects) -> None:
    client = client_for(tom)
    for address in addresses(secret_scene):
        assert client.get(address).status_code == 404, address
    for listing in ("/scenes/", f"/scenes/?project={projects['secret'].uuid}", "/projects/", "/gallery/"):
        page = text(client.get(listing))
        assert "Client teaser" not in page and str(secret_scene["scene"].uuid) not in page, listing
    assert client.get(f"/projects/{projects['secret'].uuid}/").status_code == 404
    # Nothing he sends reaches it either.
    scene = secret_scene["scene"]
    assert client.post(f"/scenes/{scene.uuid}/comments/", {"text": "Hm"}).status_code == 404
    assert client.post(f"/scenes/{scene.uuid}/export/", {"request_token": str(uuid.uuid4())}).status_code == 404
    assert Comment.objects.count() == 0 and SceneExport.objects.count() == 1
    # The video it shows is the team's: he still sees that on its own.
    assert client.get(f"/videos/{secret_scene['video'].uuid}/").status_code == 200


@pytest.mark.parametrize("who", ["maya", "priya", "admin"])
def test_the_projects_members_its_owner_and_admins_see_it(secret_scene, projects, who, request) -> None:
    client = client_for(request.getfixturevalue(who))
    for address in addresses(secret_scene):
        assert client.get(address).status_code == 200, address
    assert "Client teaser" in text(client.get("/scenes/"))
    assert "Client teaser" in text(client.get(f"/projects/{projects['secret'].uuid}/"))


def test_once_out_of_the_project_the_team_sees_it_again(secret_scene, maya, tom) -> None:
    scene = secret_scene["scene"]
    assert client_for(tom).get(f"/scenes/{scene.uuid}/").status_code == 404
    client_for(maya).post(f"/scenes/{scene.uuid}/settings/", settings_of(scene, None))
    assert project_of(scene) is None
    assert client_for(tom).get(f"/scenes/{scene.uuid}/").status_code == 200


# --- the project's page and the scenes' filter --------------------------------------------------------------


def test_the_project_page_lists_its_scenes_the_viewer_may_see(media, maya, tom, projects) -> None:
    launch = projects["open"]
    shown = scene_of(maya, video(maya), video(maya), title="Teaser cut", project=launch)
    scene_of(maya, video(maya), title="Maya's draft", project=launch, visibility="private")
    scene_of(maya, video(maya), title="Elsewhere")
    scene_of(maya, video(maya, visibility="private"), title="Private shots", project=launch)

    page = text(client_for(tom).get(f"/projects/{launch.uuid}/"))
    scenes = page[page.index('id="scenes-heading"') :]
    assert "1 scene</p>" in scenes
    assert f'href="/scenes/{shown.uuid}/"' in scenes and "Teaser cut" in scenes
    assert "2 shots · 8.0 s" in scenes  # two shots of 4 s each
    for hidden in ("Maya's draft", "Elsewhere", "Private shots"):
        assert hidden not in page, hidden

    page = text(client_for(maya).get(f"/projects/{launch.uuid}/"))
    scenes = page[page.index('id="scenes-heading"') :]
    assert "3 scenes</p>" in scenes and "Maya's draft" in scenes and "Private shots" in scenes
    assert "Elsewhere" not in scenes


def test_the_projects_list_counts_the_scenes_each_viewer_sees(media, maya, tom, projects) -> None:
    launch = projects["open"]
    scene_of(maya, video(maya), title="Teaser cut", project=launch)
    scene_of(maya, video(maya), title="Maya's draft", project=launch, visibility="private")
    scene_of(maya, video(maya), title="Client cut", project=projects["secret"])
    assert "2 scenes" in text(client_for(maya).get("/projects/"))
    page = text(client_for(tom).get("/projects/"))
    assert "1 scene ·" in page and "2 scenes" not in page and "Secret client" not in page


def test_the_project_page_says_when_it_has_no_scenes(maya, projects) -> None:
    page = text(client_for(maya).get(f"/projects/{projects['open'].uuid}/"))
    scenes = page[page.index('id="scenes-heading"') :]
    assert "0 scenes</p>" in scenes and "No scenes in this project yet." in scenes


def test_the_scenes_list_filters_by_project(media, maya, projects) -> None:
    scene_of(maya, video(maya), title="In the launch", project=projects["open"])
    scene_of(maya, video(maya), title="In the secret", project=projects["secret"])
    scene_of(maya, video(maya), title="In none")
    client = client_for(maya)
    everything = text(client.get("/scenes/"))
    assert all(title in everything for title in ("In the launch", "In the secret", "In none"))
    launch = text(client.get(f"/scenes/?project={projects['open'].uuid}"))
    assert "In the launch" in launch and "In the secret" not in launch and "In none" not in launch
    assert f'<option value="{projects["open"].uuid}" selected>Spring launch</option>' in launch
    loose = text(client.get("/scenes/?project=none"))
    assert "In none" in loose and "In the launch" not in loose and "In the secret" not in loose
    for odd in (f"?project={uuid.uuid4()}", "?project=nonsense"):
        response = client.get("/scenes/" + odd)
        assert response.status_code == 200 and "In the launch" not in text(response), odd
        assert "No scenes in this project." in text(response)
