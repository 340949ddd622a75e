"""The gallery's search: every word of the query, in any order, whatever the case and the accents, on SQLite and
on PostgreSQL alike (the suite runs on both); videos made before search was folded are found too."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.people import client_for
from veoui.common.search import search_words, searchable
from veoui.studio.models import Generation, Status

pytestmark = pytest.mark.django_db

PROMPTS = [
    "A neon boat drifts through the harbour at night",
    "Café terrace at dawn, steam rising from the cups",
    "CRÈME BRÛLÉE cracked with a spoon, close up",
    "Ein Straßenfest in München",
    "海边的猫在看日落",
    "A boat made of paper on a quiet pond",
    "Fullwidth ＢＯＡＴ sign over the pier",
    "100% organic: snake_case_labels on jars",
]


@pytest.fixture
def videos(maya) -> dict[str, Generation]:
    return {
        prompt: Generation.objects.create(
            owner=maya,
            prompt=prompt,
            mode="TEXT_2_VIDEO",
            model="veo3_fast",
            aspect_ratio="16:9",
            status=Status.SUCCEEDED,
            estimated_credits=Decimal(60),
            submission_token=uuid.uuid4(),
        )
        for prompt in PROMPTS
    }


def found(client, query: str) -> list[str]:
    response = client.get("/gallery/", {"q": query})
    assert response.status_code == 200
    return sorted(g.prompt for g in response.context["page"])


def test_it_folds_case_accents_and_width_but_keeps_chinese() -> None:
    assert searchable("Café CRÈME Straße") == "cafe creme strasse"
    assert searchable("ＢＯＡＴ") == "boat"
    assert searchable("海边的猫") == "海边的猫"
    assert search_words("  Neon   BOAT ") == ["neon", "boat"]
    assert search_words("   ") == []


def test_it_keeps_the_folded_prompt_on_every_new_video(videos) -> None:
    assert {g.search_text for g in Generation.objects.all()} == {searchable(p) for p in PROMPTS}
    bulk = Generation.objects.bulk_create(
        [Generation(**{**_fields(videos), "prompt": "Ötzi im Schnee", "submission_token": uuid.uuid4()})]
    )
    assert Generation.objects.get(pk=bulk[0].pk).search_text == "otzi im schnee"


def _fields(videos: dict[str, Generation]) -> dict[str, object]:
    first = next(iter(videos.values()))
    return {
        "owner": first.owner,
        "mode": first.mode,
        "model": first.model,
        "aspect_ratio": first.aspect_ratio,
        "status": first.status,
    }


def test_it_finds_every_word_in_any_order(maya, videos) -> None:
    client = client_for(maya)
    assert found(client, "boat neon") == [PROMPTS[0]]
    assert found(client, "neon boat") == [PROMPTS[0]]
    assert found(client, "boat") == sorted([PROMPTS[0], PROMPTS[5], PROMPTS[6]])
    assert found(client, "boat pond paper") == [PROMPTS[5]]
    assert found(client, "boat submarine") == []


def test_it_ignores_case_and_accents_both_ways(maya, videos) -> None:
    client = client_for(maya)
    assert found(client, "cafe") == [PROMPTS[1]]
    assert found(client, "CAFÉ") == [PROMPTS[1]]
    assert found(client, "café TERRACE") == [PROMPTS[1]]
    assert found(client, "creme brulee") == [PROMPTS[2]]
    assert found(client, "Crème Brûlée") == [PROMPTS[2]]
    assert found(client, "strasse munchen") == [PROMPTS[3]]
    assert found(client, "STRASSENFEST") == [PROMPTS[3]]


def test_it_finds_chinese_text_inside_a_prompt(maya, videos) -> None:
    client = client_for(maya)
    assert found(client, "猫") == [PROMPTS[4]]
    assert found(client, "日落 海边") == [PROMPTS[4]]
    assert found(client, "狗") == []


def test_it_takes_wildcards_as_plain_characters(maya, videos) -> None:
    client = client_for(maya)
    assert found(client, "100%") == [PROMPTS[7]]
    assert found(client, "snake_case") == [PROMPTS[7]]
    assert found(client, "%") == [PROMPTS[7]]
    assert found(client, "_") == [PROMPTS[7]]


def test_it_searches_only_what_the_person_may_see(maya, tom, videos) -> None:
    Generation.objects.filter(prompt=PROMPTS[0]).update(visibility="private")
    assert found(client_for(tom), "neon boat") == []
    assert found(client_for(maya), "neon boat") == [PROMPTS[0]]


def test_it_tells_what_the_search_box_is_for_and_keeps_it(maya, videos) -> None:
    page = client_for(maya).get("/gallery/", {"q": "Neon  boat"}).content.decode()
    assert 'type="search"' in page and 'value="Neon  boat"' in page


@pytest.mark.django_db(transaction=True)
def test_it_finds_videos_made_before_search_was_folded(maya) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([("studio", "0006_kiecontact")])
    try:
        old = MigrationExecutor(connection).loader.project_state([("studio", "0006_kiecontact")]).apps
        old.get_model("studio", "Generation").objects.create(
            owner_id=maya.pk,
            prompt="Un CAFÉ au lait, vapeur",
            mode="TEXT_2_VIDEO",
            model="veo3_fast",
            aspect_ratio="16:9",
            status=Status.SUCCEEDED,
            submission_token=uuid.uuid4(),
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert Generation.objects.get().search_text == "un cafe au lait, vapeur"
    assert found(client_for(maya), "cafe lait") == ["Un CAFÉ au lait, vapeur"]


def test_it_says_what_is_wrong_with_a_search_and_keeps_the_other_filters(maya, videos) -> None:
    Generation.objects.filter(prompt=PROMPTS[5]).update(status=Status.FAILED)
    response = client_for(maya).get("/gallery/", {"q": "boat " * 50, "status": "failed"})
    assert response.status_code == 200
    assert [g.prompt for g in response.context["page"]] == [PROMPTS[5]]
    assert "Ensure this value has at most 200 characters" in response.content.decode()
    response = client_for(maya).get("/gallery/", {"q": "boat\x00neon"})
    assert response.status_code == 200 and "Null characters are not allowed" in response.content.decode()
