"""Variations together: the videos of one prompt as one group, with one pick kept on the video for the whole team."""

from __future__ import annotations

import uuid

import pytest

from tests.people import client_for, make_generation, make_user, text
from tests.studio.spending import together
from veoui.studio.models import Generation, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(member) -> list[Generation]:
    together = uuid.uuid4()
    return [make_generation(member, 60, group=together, seed=seed, prompt="A fox") for seed in (11111, 22222, 33333)]


def picked() -> list[int]:
    return list(Generation.objects.filter(picked_at__isnull=False).values_list("pk", flat=True))


def test_it_shows_the_group_side_by_side_with_a_pick_button_each(member_client, group) -> None:
    page = text(member_client.get(f"/videos/{group[0].uuid}/"))
    assert "One of 3 variations" in page and "Play all" in page
    assert page.count("Pick this one") == 3
    assert "variation-others" not in page  # nothing folded before a pick


def test_it_keeps_the_pick_on_the_video_and_folds_the_others(member_client, group) -> None:
    response = member_client.post(f"/videos/{group[1].uuid}/pick/", {"next": f"/videos/{group[0].uuid}/"})
    assert response.status_code == 302 and response["Location"] == f"/videos/{group[0].uuid}/"
    assert picked() == [group[1].pk]
    page = text(member_client.get(f"/videos/{group[0].uuid}/"))
    assert "2 other versions" in page and page.count("Pick this one") == 2


def test_picking_another_moves_the_pick(member_client, group) -> None:
    member_client.post(f"/videos/{group[1].uuid}/pick/")
    assert picked() == [group[1].pk]
    member_client.post(f"/videos/{group[2].uuid}/pick/")
    assert picked() == [group[2].pk]  # one pick per group
    member_client.post(f"/videos/{group[2].uuid}/pick/")
    assert picked() == [group[2].pk]


def test_the_pick_is_the_same_for_everyone_on_the_team(member_client, group, tom, admin) -> None:
    member_client.post(f"/videos/{group[0].uuid}/pick/")
    for person in (tom, admin):
        page = text(client_for(person).get(f"/videos/{group[2].uuid}/"))
        assert "2 other versions" in page and "Picked" in page
    # A teammate sees the pick but doesn't move it; an admin may.
    assert client_for(tom).post(f"/videos/{group[2].uuid}/pick/").status_code == 403
    assert picked() == [group[0].pk]
    client_for(admin).post(f"/videos/{group[2].uuid}/pick/")
    assert picked() == [group[2].pk]


def test_groups_keep_their_own_picks(member_client, group, member) -> None:
    other = make_generation(member, 60, group=uuid.uuid4())
    make_generation(member, 60, group=other.group)
    member_client.post(f"/videos/{group[0].uuid}/pick/")
    member_client.post(f"/videos/{other.uuid}/pick/")
    assert sorted(picked()) == sorted([group[0].pk, other.pk])


def test_it_picks_only_finished_variations_of_a_group(member_client, group, member) -> None:
    Generation.objects.filter(pk=group[2].pk).update(status=Status.RUNNING)
    response = member_client.post(f"/videos/{group[2].uuid}/pick/", follow=True)
    assert "Only a finished variation can be picked." in text(response)
    alone = make_generation(member, 60)
    member_client.post(f"/videos/{alone.uuid}/pick/")
    assert picked() == []


def test_it_ignores_a_next_address_elsewhere(member_client, group) -> None:
    response = member_client.post(f"/videos/{group[0].uuid}/pick/", {"next": "https://evil.example.com/"})
    assert response["Location"] == f"/videos/{group[0].uuid}/"


def test_the_studio_list_shows_the_group_as_one_with_the_others_folded(member_client, group) -> None:
    page = text(member_client.get("/studio/text/"))
    assert "3 variations" in page and page.count("Pick this one") == 3 and "variation-others" not in page
    member_client.post(f"/videos/{group[1].uuid}/pick/")
    page = text(member_client.get("/studio/text/"))
    assert "2 other versions" in page and page.count("Pick this one") == 2
    assert page.index(f'id="generation-{group[1].uuid}"') < page.index("2 other versions")


def test_a_single_video_is_no_group(member_client, member) -> None:
    alone = make_generation(member, 60)
    page = text(member_client.get(f"/videos/{alone.uuid}/"))
    assert "Pick this one" not in page and "Play all" not in page


@pytest.mark.django_db(transaction=True)
def test_people_picking_at_once_leave_exactly_one_pick() -> None:
    maya = make_user("maya", "Maya")
    together_id = uuid.uuid4()
    members = [make_generation(maya, 60, group=together_id) for _ in range(4)]
    clients = [client_for(maya) for _ in range(12)]

    def press(index: int) -> int:
        return clients[index].post(f"/videos/{members[index % 4].uuid}/pick/").status_code

    assert set(together(12, press)) == {302}
    assert len(picked()) == 1
