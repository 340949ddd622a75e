"""A video in a members-only project is seen by its members and admins only, on every page and address: a
teammate outside it finds no trace of it, as with someone else's private video."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.people import client_for, make_generation
from tests.projects.helpers import make_project
from veoui.projects.models import Project
from veoui.studio.models import Rendition, Status
from veoui.studio.views import visible_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def secret(settings, tmp_path, maya, tom, admin) -> dict:
    settings.MEDIA_ROOT = tmp_path / "media"
    project = make_project("Secret launch", maya, visibility=Project.Visibility.MEMBERS)
    video = make_generation(maya, 60, prompt="A secret lighthouse", project=project, kie_task_id="s" * 32)
    video.video.save("v.mp4", ContentFile(b"video"), save=False)
    video.poster.save("p.jpg", ContentFile(b"poster"), save=True)
    rendition = Rendition.objects.create(
        generation=video, owner=maya, kind="1080p", request_token=uuid.uuid4(), status=Status.SUCCEEDED
    )
    rendition.video.save("r.mp4", ContentFile(b"hd"), save=True)
    return {"project": project, "video": video, "rendition": rendition}


def addresses(secret: dict) -> list[str]:
    g, r, p = secret["video"].uuid, secret["rendition"].uuid, secret["project"].uuid
    return [
        f"/videos/{g}/",
        f"/videos/{g}/video.mp4",
        f"/videos/{g}/poster.jpg",
        f"/videos/{g}/download/",
        f"/renditions/{r}/video.mp4",
        f"/renditions/{r}/download/",
        f"/projects/{p}/",
        f"/studio/text/?from={g}",
    ]


def test_a_teammate_outside_it_sees_no_trace_of_its_videos(secret, tom) -> None:
    client = client_for(tom)
    g = str(secret["video"].uuid)
    for path in addresses(secret):
        response = client.get(path)
        assert response.status_code == 404, path
    lists = [
        "/gallery/",
        "/gallery/?q=secret",
        f"/gallery/?project={secret['project'].uuid}",
        "/projects/",
        f"/status/?shown={g}:0,{secret['rendition'].uuid}:0&seen={g}&known=",
    ]
    for path in lists:
        page = client.get(path).content.decode()
        assert g not in page and "secret lighthouse" not in page.lower() and "Secret launch" not in page, path
    assert client.get("/usage/export.csv?by=project").status_code == 403
    assert secret["video"] not in visible_to(tom.pk, False)


def test_its_members_and_admins_see_it(secret, maya, admin) -> None:
    for person in (maya, admin):
        client = client_for(person)
        for path in addresses(secret):
            assert client.get(path).status_code == 200, (person, path)
        assert "secret lighthouse" in client.get("/gallery/?q=secret").content.decode().lower()


def test_a_new_member_sees_it_and_a_removed_one_no_longer(secret, tom) -> None:
    client = client_for(tom)
    secret["project"].members.add(tom)
    assert client.get(f"/videos/{secret['video'].uuid}/").status_code == 200
    secret["project"].members.remove(tom)
    assert client.get(f"/videos/{secret['video'].uuid}/").status_code == 404


def test_its_owner_keeps_seeing_her_own_video(secret, maya) -> None:
    secret["project"].members.remove(maya)
    assert client_for(maya).get(f"/videos/{secret['video'].uuid}/").status_code == 200


def test_the_gallery_costs_the_same_queries_with_or_without_projects(secret, tom, maya) -> None:
    client = client_for(tom)
    client.get("/gallery/")
    with CaptureQueriesContext(connection) as before:
        client.get("/gallery/")
    for n in range(5):
        make_project(f"More {n}", maya, visibility=Project.Visibility.MEMBERS if n % 2 else Project.Visibility.TEAM)
        make_generation(maya, 60, project=secret["project"])
    with CaptureQueriesContext(connection) as after:
        client.get("/gallery/")
    assert len(after) == len(before)
