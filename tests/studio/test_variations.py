"""'How many': several videos from one press of Generate, each with its own seed, as one group, paid together."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from tests.people import client_for, make_user, text
from veoui.studio.models import Generation
from veoui.team.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def maya(db):
    return make_user("maya", "Maya")


def post(client: Client, token: str | None = None, headers: dict | None = None, **fields) -> object:
    data = {
        "submission_token": token or str(uuid.uuid4()),
        "prompt": "A fox in the snow",
        "model": "veo3_fast",
        "aspect_ratio": "16:9",
    }
    return client.post("/studio/text/", {**data, **fields}, headers=headers or {})


def test_it_makes_a_group_with_distinct_random_seeds(maya) -> None:
    response = post(client_for(maya), count="3")
    made = list(Generation.objects.order_by("pk"))
    assert len(made) == 3
    assert response["Location"] == f"/videos/{made[0].uuid}/"
    seeds = [g.seed for g in made]
    assert len(set(seeds)) == 3 and all(10000 <= s <= 99999 for s in seeds)
    assert made[0].group is not None and {g.group for g in made} == {made[0].group}
    assert len({g.submission_token for g in made}) == 3


def test_it_counts_up_from_a_given_seed(maya) -> None:
    post(client_for(maya), count="4", seed="99998")
    assert [g.seed for g in Generation.objects.order_by("pk")] == [99998, 99999, 10000, 10001]


def test_it_makes_one_video_without_a_group_by_default(maya) -> None:
    post(client_for(maya))
    generation = Generation.objects.get()
    assert generation.group is None and generation.seed is None


def test_it_makes_the_whole_group_once_for_one_token(maya) -> None:
    client = client_for(maya)
    token = str(uuid.uuid4())
    post(client, token, count="3")
    post(client, token, count="3")
    post(client, token, count="3", headers={"HX-Request": "true"})
    assert Generation.objects.count() == 3


def test_it_checks_the_budget_for_the_whole_group(maya) -> None:
    Membership.objects.filter(user=maya).update(monthly_budget=150)  # room for two Fast videos, not three
    response = post(client_for(maya), count="3")
    assert response.status_code == 200 and Generation.objects.count() == 0
    assert "budget" in text(response).lower()
    post(client_for(maya), count="2")
    assert Generation.objects.count() == 2


def test_it_refuses_more_than_four(maya) -> None:
    response = post(client_for(maya), count="5")
    assert response.status_code == 200 and Generation.objects.count() == 0


def test_it_shows_the_siblings_everywhere(maya) -> None:
    client = client_for(maya)
    post(client, count="3", seed="12345")
    first, second, third = Generation.objects.order_by("pk")
    page = text(client.get(f"/videos/{second.uuid}/"))
    assert "One of 3 variations" in page
    assert f"/videos/{first.uuid}/" in page and f"/videos/{third.uuid}/" in page
    assert "1 of 3 variations" in text(client.get("/gallery/"))
    assert "variation, seed 12346" in text(client.get("/studio/text/"))
    htmx = post(client, count="2", headers={"HX-Request": "true"})
    assert text(htmx).count('class="gen-card ') == 2
