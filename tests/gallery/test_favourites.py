"""Favourites: each person stars the videos they may see, on a tile or a video's page, with or without htmx; the
gallery's Favourites filter shows only their own; and the gallery's query count does not move."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.people import client_for, make_generation, make_user, text
from veoui.studio.models import Favourite
from veoui.team.models import Role

pytestmark = pytest.mark.django_db


def star(client, video, on: bool = True, **headers: str):
    return client.post(f"/videos/{video.uuid}/favourite/", {"favourite": "1" if on else "0"}, headers=headers)


def starred(person) -> set:
    return set(Favourite.objects.filter(person=person).values_list("generation__uuid", flat=True))


def test_it_stars_and_unstars_with_a_plain_post(maya) -> None:
    video = make_generation(maya, 60)
    client = client_for(maya)
    response = client.post(f"/videos/{video.uuid}/favourite/", {"favourite": "1", "next": "/gallery/?whose=mine"})
    assert response.status_code == 302 and response["Location"] == "/gallery/?whose=mine"
    assert starred(maya) == {video.uuid}
    assert star(client, video).status_code == 302  # pressed twice: still one
    assert Favourite.objects.count() == 1
    page = text(client.get(f"/videos/{video.uuid}/"))
    assert 'aria-pressed="true"' in page and "Remove from favourites" in page
    assert star(client, video, on=False).status_code == 302
    assert starred(maya) == set() and Favourite.objects.count() == 0
    assert "Add to favourites" in text(client.get(f"/videos/{video.uuid}/"))


def test_it_swaps_the_star_in_place_with_htmx(maya) -> None:
    video = make_generation(maya, 60)
    response = star(client_for(maya), video, HX_Request="true")
    assert response.status_code == 200
    body = text(response)
    assert body.lstrip().startswith("<form") and 'aria-pressed="true"' in body and "Remove from favourites" in body
    assert starred(maya) == {video.uuid}
    tile = client_for(maya).post(
        f"/videos/{video.uuid}/favourite/", {"favourite": "0", "small": "1"}, headers={"HX-Request": "true"}
    )
    assert "favourite--small" in text(tile) and 'aria-pressed="false"' in text(tile) and starred(maya) == set()


def test_it_keeps_each_persons_favourites_their_own(maya, tom) -> None:
    video = make_generation(maya, 60)
    star(client_for(tom), video)
    assert starred(tom) == {video.uuid} and starred(maya) == set()
    assert 'aria-pressed="true"' not in text(client_for(maya).get("/gallery/"))
    assert 'aria-pressed="true"' in text(client_for(tom).get("/gallery/"))


def test_it_never_stars_what_the_person_may_not_see(maya, tom) -> None:
    private = make_generation(maya, 60, visibility="private")
    assert star(client_for(tom), private).status_code == 404
    assert Favourite.objects.count() == 0
    admin = make_user("alex", "Alex", role=Role.ADMIN)
    assert star(client_for(admin), private).status_code == 302
    assert starred(admin) == {private.uuid}


def test_it_filters_the_gallery_to_my_favourites(maya, tom) -> None:
    liked, other = make_generation(maya, 60, prompt="A liked harbour"), make_generation(tom, 60, prompt="A plain field")
    tom_liked = make_generation(tom, 60, prompt="Tom's liked sunset")
    star(client_for(maya), liked)
    star(client_for(tom), tom_liked)
    response = client_for(maya).get("/gallery/?favourites=on")
    assert [g.uuid for g in response.context["page"]] == [liked.uuid]
    assert response.context["page"].paginator.count == 1
    everything = client_for(maya).get("/gallery/").context["page"]
    assert {g.uuid for g in everything} == {liked.uuid, other.uuid, tom_liked.uuid}
    assert "No videos match" in text(client_for(make_user("sam")).get("/gallery/?favourites=on"))


def test_it_reads_the_stars_without_a_query_per_tile(maya) -> None:
    client = client_for(maya)
    for n in range(3):
        star(client, make_generation(maya, 60, prompt=f"Video {n}"))
    client.get("/gallery/")
    with CaptureQueriesContext(connection) as few:
        client.get("/gallery/")
    for n in range(20):
        star(client, make_generation(maya, 60, prompt=f"More {n}"))
    with CaptureQueriesContext(connection) as many:
        page = client.get("/gallery/")
    assert len(many) == len(few)
    assert page.content.decode().count('aria-pressed="true"') == 23


def test_it_shows_the_star_on_the_studios_finished_tiles(maya) -> None:
    video = make_generation(maya, 60)
    star(client_for(maya), video)
    page = text(client_for(maya).get("/studio/text/"))
    assert f"/videos/{video.uuid}/favourite/" in page and 'aria-pressed="true"' in page
