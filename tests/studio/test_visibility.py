"""Who may see a video: its owner, the whole team unless it is private, admins everything; nobody a deleted one.
Its page and its card's check follow that one rule (``visible_to``)."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from tests.people import client_for, make_generation, make_user
from veoui.studio.models import Generation
from veoui.studio.views import visible_to
from veoui.team.models import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.MEMBER, Role.ADMIN])
def test_it_shows_a_video_to_whoever_the_visibility_rule_names(role: str) -> None:
    maya, tom = make_user("maya", "Maya", role=role), make_user("tom", "Tom")
    videos = [
        make_generation(tom, 0, visibility="team"),
        make_generation(tom, 0, visibility="private"),
        make_generation(maya, 0, visibility="private"),
        make_generation(tom, 0, visibility="team", deleted_at=timezone.now()),
    ]
    client = client_for(maya)
    rule = set(visible_to(maya.pk, maya.is_staff).values_list("uuid", flat=True))
    shown = {video.uuid for video in videos if client.get(f"/videos/{video.uuid}/").status_code == 200}
    assert shown == rule
    everything = ",".join(f"{video.uuid}:0" for video in videos)
    answer = client.get(f"/status/?shown={everything}").text
    assert {video.uuid for video in videos if f'id="generation-{video.uuid}"' in answer} == rule
    assert rule == {videos[0].uuid, videos[2].uuid} | ({videos[1].uuid} if role == Role.ADMIN else set())
    assert client.get(f"/videos/{uuid.uuid4()}/").status_code == 404
    assert Generation.objects.count() == 4
