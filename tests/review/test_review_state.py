"""A video's review state: Draft, In review, Approved, Changes requested, set by anyone on the team who may see it;
the owner is told when someone else sets it, and it shows on the video's page and on its tiles."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.people import client_for, make_generation
from veoui.review import services
from veoui.review.models import Notice, Review

pytestmark = pytest.mark.django_db


@pytest.fixture
def video(maya):
    return make_generation(maya, 60, prompt="A paper boat on a river")


def set_state(client, video, state: str, *, htmx: bool = False):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(f"/videos/{video.uuid}/review/", {"state": state}, headers=headers)


def test_it_moves_through_the_states_and_tells_the_owner_of_each_change(maya, tom, video) -> None:
    page = client_for(maya).get(f"/videos/{video.uuid}/").content.decode()
    assert 'badge--review-draft">Draft</span>' in page
    for name in ("Draft", "In review", "Approved", "Changes requested"):
        assert f">{name}</button>" in page

    response = set_state(client_for(tom), video, "in_review")
    assert response.status_code == 302 and response["Location"] == f"/videos/{video.uuid}/#review"
    review = Review.objects.get()
    assert (review.generation, review.state, review.changed_by) == (video, "in_review", tom)
    assert list(Notice.objects.values_list("recipient", "kind", "state", "by_name")) == [
        (maya.pk, "state", "in_review", "Tom")
    ]

    response = set_state(client_for(tom), video, "approved", htmx=True)
    assert response.status_code == 200 and 'badge--review-approved">Approved</span>' in response.content.decode()
    assert Review.objects.get().state == "approved" and Notice.objects.count() == 2

    set_state(client_for(tom), video, "approved")  # already there: nothing changes, nobody is told again
    assert Review.objects.count() == 1 and Notice.objects.count() == 2


def test_the_owners_own_changes_tell_nobody(maya, video) -> None:
    set_state(client_for(maya), video, "in_review")
    set_state(client_for(maya), video, "changes")
    assert Review.objects.get().state == "changes" and Notice.objects.count() == 0


def test_an_unknown_state_changes_nothing(tom, video) -> None:
    assert set_state(client_for(tom), video, "shipped").status_code == 302
    assert set_state(client_for(tom), video, "shipped", htmx=True).status_code == 200
    assert not Review.objects.filter(state="shipped").exists() and Notice.objects.count() == 0


def test_the_state_shows_on_the_tiles_of_the_studio_and_the_gallery(maya, tom, video) -> None:
    draft = make_generation(maya, 60, prompt="Still a draft")
    services.set_state(video, "approved", by=tom)
    for path in ("/studio/text/", "/gallery/"):
        page = client_for(maya).get(path).content.decode()
        assert page.count('badge--review-approved">Approved</span>') == 1, path
        assert "badge--review-draft" not in page, path  # a draft tile says nothing of review
    assert draft.pk  # listed on both pages, without a badge


def test_the_gallery_reads_the_states_in_its_own_queries(maya, tom) -> None:
    client = client_for(maya)
    client.get("/gallery/")
    videos = [make_generation(maya, 60, prompt=f"Video {n}") for n in range(2)]
    with CaptureQueriesContext(connection) as few:
        client.get("/gallery/")
    for n in range(12):
        services.set_state(make_generation(maya, 60, prompt=f"More {n}"), "in_review", by=tom)
    services.set_state(videos[0], "approved", by=tom)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/gallery/").content.decode()
    assert page.count("badge--review-in_review") == 12 and len(many) == len(few)


def test_a_tile_the_status_check_brings_back_shows_its_state_in_the_same_queries(maya, tom) -> None:
    client = client_for(maya)
    plain, reviewed = make_generation(maya, 60, prompt="Plain"), make_generation(maya, 60, prompt="Reviewed")
    services.set_state(reviewed, "changes", by=tom)

    def answer(video) -> tuple[int, str]:
        query = {"shown": f"{video.uuid}:stale", "seen": "", "known": f"{video.uuid}:stale"}
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/status/", query, headers={"HX-Request": "true"})
        assert response.status_code == 200
        return len(captured), response.content.decode()

    (few, _plain_page), (same, page) = answer(plain), answer(reviewed)
    assert 'badge--review-changes">Changes requested</span>' in page and 'class="gen-card tile' in page
    assert few == same
