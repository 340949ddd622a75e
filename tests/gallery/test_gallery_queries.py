"""A gallery of 10,000 videos: the same few queries for every page, 10 or 200 tiles a page, filtered, searched or
not; a count read from an index; and failed tiles that say why in a line, from what is on the row already."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from tests.people import client_for, text
from veoui.kie import errors
from veoui.studio import gallery
from veoui.studio.models import Generation, Status

pytestmark = pytest.mark.django_db

REASONS = [errors.HIGH_TRAFFIC, errors.PROMPT_FLAGGED, errors.OUT_OF_CREDITS]
PAGES = [
    "/gallery/",
    "/gallery/?page=3",
    "/gallery/?whose=team&mode=TEXT_2_VIDEO&model=veo3_fast&status=succeeded&q=storm&page=2",
    "/gallery/?q=sea+STORM",
    "/gallery/?status=failed",
    "/gallery/?page=9999",
]


@pytest.fixture
def ten_thousand(maya, tom) -> None:
    now = timezone.now()
    rows = []
    for n in range(10_000):
        failed = n % 11 == 0
        reason = REASONS[n % len(REASONS)]
        with translation.override(None):
            message = str(reason.message) if failed else ""
        rows.append(
            Generation(
                owner=maya if n % 3 else tom,
                prompt=f"Video number {n} of a {'storm' if n % 7 else 'calm'} sea",
                mode="TEXT_2_VIDEO" if n % 2 else "REFERENCE_2_VIDEO",
                model="veo3_fast" if n % 5 else "veo3",
                aspect_ratio="16:9",
                status=Status.FAILED if failed else Status.SUCCEEDED,
                error_message=message,
                visibility="private" if n % 13 == 0 else "team",
                group=uuid.UUID(int=n // 4) if n % 17 == 0 else None,
                poster=f"posters/p{n}.jpg",
                submission_token=uuid.uuid4(),
                created_at=now - timedelta(seconds=n),
            )
        )
    Generation.objects.bulk_create(rows, batch_size=1000)


def queries_for(client, url: str, **headers: str) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return len(captured), response


@pytest.mark.parametrize("per_page", [10, 200])
def test_it_runs_the_same_few_queries_for_any_page_of_10000_videos(maya, ten_thousand, monkeypatch, per_page) -> None:
    monkeypatch.setattr(gallery, "PAGE_SIZE", per_page)
    client = client_for(maya)
    client.get("/gallery/")  # once: the session and the price table rows are made on a first visit
    counts = {}
    for url in PAGES:
        counts[url], response = queries_for(client, url)
        assert len(response.context["page"]) == per_page or "page=9999" in url or "status=failed" in url
    htmx, response = queries_for(client, PAGES[2], HX_Request="true")
    assert len(response.context["page"]) == per_page
    # session, person, count, page, versions, the projects of the filter, the notices of the account menu
    assert set(counts.values()) == {counts["/gallery/"]} and counts["/gallery/"] <= 7, counts
    assert htmx == counts["/gallery/"] - 1, htmx  # the account menu's count of notices is read on full pages only
    if connection.vendor == "sqlite":  # PostgreSQL's plan follows its table statistics: bench/gallery.py times it
        assert_counted_from_the_gallery_index(client)


def assert_counted_from_the_gallery_index(client) -> None:
    with CaptureQueriesContext(connection) as captured:
        client.get("/gallery/")
    (count,) = [q["sql"] for q in captured if "COUNT(*)" in q["sql"] and "review_notice" not in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {count}")
        plan = " ".join(row[-1] for row in cursor.fetchall())
    assert "gallery_count" in plan and "MULTI-INDEX OR" not in plan, plan


def test_it_filters_10000_videos_and_says_why_each_failed_one_failed(maya, tom, ten_thousand, monkeypatch) -> None:
    client = client_for(maya)
    response = client.get(PAGES[2])
    assert all(g.owner == tom and "storm" in g.prompt and g.model == "veo3_fast" for g in response.context["page"])
    assert (
        response.context["page"].paginator.count
        == Generation.objects.filter(
            owner=tom, mode="TEXT_2_VIDEO", model="veo3_fast", status=Status.SUCCEEDED, prompt__contains="storm"
        )
        .exclude(visibility="private")
        .count()
    )

    monkeypatch.setattr(gallery, "PAGE_SIZE", 200)
    response = client.get("/gallery/?status=failed")
    page = text(response)
    assert len(response.context["page"]) == 200
    assert page.count('class="gallery-item__reason"') == 200
    with translation.override("en"):
        assert all(str(reason.message) in page for reason in REASONS)

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    page = text(client.get("/gallery/?status=failed"))
    with translation.override("es"):
        assert all(str(reason.message) in page for reason in REASONS)
    with translation.override("en"):
        assert str(errors.HIGH_TRAFFIC.message) not in page
