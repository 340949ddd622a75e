"""The gallery: who sees what, the filters, and pages that keep them (search: test_search.py; 10,000 videos:
test_gallery_queries.py)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from tests.people import client_for, make_user
from veoui.studio.models import Generation, Status

pytestmark = pytest.mark.django_db


def make(owner, prompt: str = "A lighthouse", **fields) -> Generation:
    values = {
        "mode": "TEXT_2_VIDEO",
        "model": "veo3_fast",
        "aspect_ratio": "16:9",
        "status": Status.SUCCEEDED,
        "estimated_credits": Decimal(60),
    }
    values.update(fields)
    return Generation.objects.create(owner=owner, prompt=prompt, submission_token=uuid.uuid4(), **values)


def shown(response) -> list[str]:
    return [str(g.uuid) for g in response.context["page"]]


@pytest.fixture
def people(db) -> dict:
    return {"maya": make_user("maya", "Maya"), "tom": make_user("tom", "Tom"), "alex": make_user("alex", "Alex")}


def test_it_shows_team_videos_and_own_private_ones_newest_first(people) -> None:
    maya, tom = people["maya"], people["tom"]
    older = make(tom, "Tom's harbour", created_at=timezone.now() - timedelta(hours=1))
    newer = make(maya, "Maya's forest")
    private = make(tom, "Tom's secret", visibility="private")
    deleted = make(maya, "Gone", deleted_at=timezone.now())
    response = client_for(maya).get("/gallery/")
    assert response.status_code == 200
    assert shown(response) == [str(newer.uuid), str(older.uuid)]
    assert "Tom's secret" not in response.content.decode()
    assert str(private.uuid) in shown(client_for(tom).get("/gallery/"))
    people["alex"].is_staff = True
    people["alex"].save()
    assert str(private.uuid) in shown(client_for(people["alex"]).get("/gallery/"))
    assert str(deleted.uuid) not in shown(client_for(people["alex"]).get("/gallery/"))


def test_it_filters_by_owner_mode_model_status_and_prompt(people) -> None:
    maya, tom = people["maya"], people["tom"]
    mine = make(maya, "Red balloon over Paris")
    frames = make(tom, "A cat jumps", mode="FIRST_AND_LAST_FRAMES_2_VIDEO", model="veo3_lite")
    failed = make(tom, "Broken dream", status=Status.FAILED, model="veo3")
    running = make(tom, "Still cooking", status=Status.RUNNING)
    client = client_for(maya)
    assert shown(client.get("/gallery/?whose=mine")) == [str(mine.uuid)]
    assert set(shown(client.get("/gallery/?whose=team"))) == {str(g.uuid) for g in (frames, failed, running)}
    assert shown(client.get("/gallery/?mode=FIRST_AND_LAST_FRAMES_2_VIDEO")) == [str(frames.uuid)]
    assert shown(client.get("/gallery/?model=veo3")) == [str(failed.uuid)]
    assert shown(client.get("/gallery/?status=failed")) == [str(failed.uuid)]
    assert shown(client.get("/gallery/?status=running")) == [str(running.uuid)]
    assert shown(client.get("/gallery/?q=balloon")) == [str(mine.uuid)]
    assert shown(client.get("/gallery/?q=BALLOON&whose=team")) == []


def test_it_pages_with_links_that_keep_the_filters(people) -> None:
    for n in range(30):
        make(people["tom"], f"Boat {n}")
    response = client_for(people["maya"]).get("/gallery/?q=Boat")
    assert len(shown(response)) == 24
    assert 'href="?q=Boat&amp;page=2"' in response.content.decode()
    assert len(shown(client_for(people["maya"]).get("/gallery/?q=Boat&page=2"))) == 6


def test_it_links_the_gallery_for_everyone(people) -> None:
    assert 'href="/gallery/"' in client_for(people["maya"]).get("/studio/text/").content.decode()


def test_it_asks_anonymous_visitors_to_log_in(client: Client) -> None:
    assert client.get("/gallery/")["Location"].startswith("/login/")


def test_it_answers_a_filter_change_with_the_results_alone(people) -> None:
    make(people["tom"], "A neon boat")
    client = client_for(people["maya"])
    response = client.get("/gallery/?q=neon", headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 200 and "HX-Request" in response["Vary"]
    assert page.lstrip().startswith('<div id="gallery-results">') and "A neon boat" in page
    assert 'role="search"' not in page and '<span hx-swap-oob="innerHTML:#live-status">1 video</span>' in page
    restored = client.get("/gallery/?q=neon", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert 'role="search"' in restored.content.decode() and "hx-swap-oob" not in restored.content.decode()
    whole = client.get("/gallery/?q=neon").content.decode()
    assert 'hx-get="/gallery/"' in whole and "hx-swap-oob" not in whole
