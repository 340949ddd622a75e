"""The gallery, its search and filters, the ZIP of a selection and the usage CSVs never hold what a person may not
see: a video of a members-only project they are not in, or someone else's private video.

Maya and Alex (admin) are in "Secret launch", a members-only project; Tom is their teammate outside it. Maya also
has a private video, a team video outside any project, and one in the team's project "Open house"; Tom has his
own. Each list is read as a person reads it and compared with exactly what they may see.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from tests.people import client_for, make_generation, text
from tests.projects.helpers import make_project
from veoui.projects.models import Project
from veoui.studio.models import Favourite, Generation, Rendition, Status

pytestmark = pytest.mark.django_db

PROMPT = re.compile(r'<span class="gallery-item__prompt">(.*?)</span>', re.S)


def stored(owner, prompt: str, **fields) -> Generation:
    """A finished video with its file (its bytes name it) and a finished 1080P version."""
    generation = make_generation(owner, 60, prompt=prompt, kie_task_id=uuid.uuid4().hex, **fields)
    generation.video.save("v.mp4", ContentFile(f"original of {prompt}".encode()), save=False)
    Generation.objects.filter(pk=generation.pk).update(video=generation.video.name)
    rendition = Rendition.objects.create(
        generation=generation,
        owner=owner,
        kind="1080p",
        request_token=uuid.uuid4(),
        status=Status.SUCCEEDED,
        estimated_credits=5,
        spend_project=fields.get("project"),
    )
    rendition.video.save("r.mp4", ContentFile(f"1080p of {prompt}".encode()), save=False)
    Rendition.objects.filter(pk=rendition.pk).update(video=rendition.video.name)
    return generation


@pytest.fixture
def team(settings, tmp_path, admin, maya, tom) -> dict:
    settings.MEDIA_ROOT = tmp_path / "media"
    secret = make_project("Secret launch", admin, members=[maya], visibility=Project.Visibility.MEMBERS)
    open_house = make_project("Open house", admin)
    videos = {
        "secret_mayas": stored(maya, "Harbour rocket at night", project=secret),
        "secret_admins": stored(admin, "Harbour countdown clock", project=secret),
        "private": stored(maya, "Harbour diary, private", visibility="private"),
        "team": stored(maya, "Harbour market in the rain"),
        "open": stored(maya, "Harbour open house tour", project=open_house),
        "toms": stored(tom, "Harbour ferry with Tom"),
    }
    return {"secret": secret, "open_house": open_house, **videos}


TOM_SEES = ["toms", "open", "team"]  # newest first, as the gallery lists them
EVERYTHING = ["toms", "open", "team", "private", "secret_admins", "secret_mayas"]
HIDDEN_FROM_TOM = ["private", "secret_admins", "secret_mayas"]


def prompts(client: Client, path: str, **query: str) -> list[str]:
    response = client.get(path, query)
    assert response.status_code == 200, (path, query, response.status_code)
    return [text_of(match) for match in PROMPT.findall(response.content.decode())]


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


def named(team: dict, keys: list[str]) -> list[str]:
    return [team[key].prompt for key in keys]


def no_trace(team: dict, page: str, *, typed: bool = False) -> None:
    """Nothing of the hidden videos or project on the page (but the project's id where the person typed it)."""
    for key in HIDDEN_FROM_TOM:
        assert str(team[key].uuid) not in page and team[key].prompt not in page, key
    assert "Secret launch" not in page
    if typed:
        page = page.replace(f"?project={team['secret'].uuid}", "")
    assert str(team["secret"].uuid) not in page


def test_the_gallery_and_its_search_list_exactly_what_each_person_may_see(team, tom, maya, admin) -> None:
    client = client_for(tom)
    assert prompts(client, "/gallery/") == named(team, TOM_SEES)
    assert prompts(client, "/gallery/", q="harbour") == named(team, TOM_SEES)
    assert prompts(client, "/gallery/", q="rocket") == []  # a word only a hidden video's prompt has
    assert prompts(client, "/gallery/", q="diary") == []
    assert prompts(client, "/gallery/", whose="team") == named(team, ["open", "team"])
    assert prompts(client, "/gallery/", status="succeeded") == named(team, TOM_SEES)
    no_trace(team, client.get("/gallery/", {"q": "harbour"}).content.decode())

    # Maya sees her private video and the project she is in, not more; Alex sees everything.
    assert prompts(client_for(maya), "/gallery/") == named(team, [k for k in EVERYTHING])
    assert prompts(client_for(maya), "/gallery/", q="countdown") == named(team, ["secret_admins"])
    assert prompts(client_for(admin), "/gallery/", q="harbour") == named(team, EVERYTHING)


def test_the_project_filter_offers_and_finds_only_what_may_be_seen(team, tom, maya) -> None:
    client = client_for(tom)
    page = client.get("/gallery/").content.decode()
    no_trace(team, page)
    assert str(team["open_house"].uuid) in page  # the team's project is offered, to filter and to move to
    assert prompts(client, "/gallery/", project=str(team["open_house"].uuid)) == named(team, ["open"])
    assert prompts(client, "/gallery/", project="none") == named(team, ["toms", "team"])
    # The hidden project's id typed into the address: not a choice he has, so it filters nothing he can't see.
    asked = client.get("/gallery/", {"project": str(team["secret"].uuid)})
    assert asked.status_code == 200
    assert prompts(client, "/gallery/", project=str(team["secret"].uuid)) == named(team, TOM_SEES)
    assert "Choose one of the projects in the list, or No project." in text(asked)  # as for an id of nothing
    no_trace(team, asked.content.decode(), typed=True)
    assert client.get(f"/projects/{team['secret'].uuid}/").status_code == 404
    assert prompts(client_for(maya), "/gallery/", project=str(team["secret"].uuid)) == named(
        team, ["secret_admins", "secret_mayas"]
    )


def test_the_favourites_filter_drops_a_star_on_what_is_hidden_now(team, tom) -> None:
    client = client_for(tom)
    secret = team["secret"]
    secret.members.add(tom)  # in the project for a while, he stars two of its videos and one of the team's
    for key in ("secret_mayas", "secret_admins", "team"):
        assert client.post(f"/videos/{team[key].uuid}/favourite/", {"favourite": "1"}).status_code == 302
    assert prompts(client, "/gallery/", favourites="on") == named(team, ["team", "secret_admins", "secret_mayas"])
    secret.members.remove(tom)
    assert prompts(client, "/gallery/", favourites="on") == named(team, ["team"])
    no_trace(team, client.get("/gallery/", {"favourites": "on"}).content.decode())
    # His stars stay his (they come back if he is let in again), and he can't star what he can't see.
    assert Favourite.objects.filter(person=tom).count() == 3
    assert client.post(f"/videos/{team['private'].uuid}/favourite/", {"favourite": "1"}).status_code == 404
    assert Favourite.objects.filter(person=tom).count() == 3


def zip_of(client: Client, ids: list) -> zipfile.ZipFile:
    response = client.post("/gallery/download.zip", {"videos": [str(i) for i in ids]})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_a_zip_of_hand_picked_ids_drops_the_ones_the_person_may_not_see(team, tom, maya, admin) -> None:
    picked = [team[key].uuid for key in ("secret_mayas", "team", "private", "secret_admins", "toms")]
    picked.append(uuid.uuid4())  # an id of nothing
    archive = zip_of(client_for(tom), picked)
    names = archive.namelist()
    assert len(names) == 3 and names[-1] == "videos.csv"
    files = {archive.read(name).decode() for name in names[:-1]}
    assert files == {"1080p of Harbour market in the rain", "1080p of Harbour ferry with Tom"}
    table = archive.read("videos.csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(table)))
    assert [(r["file"], r["prompt"], r["owner"]) for r in rows] == [
        (names[0], "Harbour ferry with Tom", "Tom"),
        (names[1], "Harbour market in the rain", "Maya"),
    ]
    everything = b"".join(archive.read(name) for name in names).decode("utf-8", "replace")
    for key in HIDDEN_FROM_TOM:
        assert team[key].prompt not in everything and team[key].uuid.hex[:8] not in "".join(names)

    # Nothing but hidden ids: no ZIP at all, and a plain message.
    client = client_for(tom)
    refused = client.post("/gallery/download.zip", {"videos": [str(team[k].uuid) for k in HIDDEN_FROM_TOM]})
    assert refused.status_code == 302 and not refused.streaming
    assert "There is nothing to download" in text(client.get("/gallery/"))

    # Maya, a member: the project's two and her own private one, not more; Alex: all five.
    mine = {r["prompt"] for r in csv.DictReader(io.StringIO(zip_of(client_for(maya), picked).read("videos.csv")
                                                            .decode("utf-8-sig")))}  # fmt: skip
    assert mine == set(named(team, ["secret_mayas", "team", "private", "secret_admins", "toms"]))
    removed = team["secret"]
    removed.members.remove(maya)  # out of the project: her own video there stays hers, Alex's is gone
    mine = {r["prompt"] for r in csv.DictReader(io.StringIO(zip_of(client_for(maya), picked).read("videos.csv")
                                                            .decode("utf-8-sig")))}  # fmt: skip
    assert mine == set(named(team, ["secret_mayas", "team", "private", "toms"]))
    assert len(zip_of(client_for(admin), picked).namelist()) == 6


def test_moving_and_deleting_by_hand_picked_ids_touch_only_what_is_the_persons(team, tom) -> None:
    client = client_for(tom)
    hidden = [str(team[key].uuid) for key in HIDDEN_FROM_TOM]
    response = client.post("/projects/move/", {"videos": [*hidden, str(team["toms"].uuid)], "project": ""})
    assert response.status_code == 302
    assert Generation.objects.filter(project=team["secret"]).count() == 2  # his own was in no project: none moved
    refused = client.post("/projects/move/", {"videos": [str(team["toms"].uuid)], "project": str(team["secret"].uuid)})
    assert refused.status_code == 302
    assert Generation.objects.get(pk=team["toms"].pk).project is None
    assert "That project isn't one you can move videos to" in text(client.get("/gallery/"))
    client.post("/gallery/delete/", {"videos": hidden, "confirm": "1"})
    assert Generation.objects.filter(deleted_at__isnull=False).count() == 0


@pytest.mark.parametrize("path", ["/usage/export.csv", "/usage/export.csv?by=project", "/team/audit/export.csv"])
def test_a_teammate_may_download_no_usage_or_audit_csv(team, tom, maya, path) -> None:
    # The CSVs name every person's and project's spend: only admins download them, members in a project too.
    for person in (tom, maya):
        response = client_for(person).get(path)
        assert response.status_code == 403, (person, path)
        assert b"Secret launch" not in response.content and b"Harbour" not in response.content


def test_the_admins_usage_csvs_count_the_hidden_projects_spend(team, admin) -> None:
    for project in (team["secret"], team["open_house"]):
        Generation.objects.filter(project=project).update(spend_project=project)
    client = client_for(admin)
    by_project = list(csv.DictReader(io.StringIO(client.get("/usage/export.csv?by=project").content.decode())))
    spent = {(r["project"], r["username"]): (r["credits"], r["videos"]) for r in by_project}
    assert spent == {
        ("Secret launch", "alex"): ("65.00", "2"),  # each video and its 1080P version
        ("Secret launch", "maya"): ("65.00", "2"),
        ("Open house", "maya"): ("65.00", "2"),
        ("", "maya"): ("130.00", "4"),
        ("", "tom"): ("65.00", "2"),
    }
    by_person = list(csv.DictReader(io.StringIO(client.get("/usage/export.csv").content.decode())))
    assert {r["username"]: (r["credits"], r["videos"]) for r in by_person} == {
        "alex": ("65.00", "2"),
        "maya": ("260.00", "8"),
        "tom": ("65.00", "2"),
    }
