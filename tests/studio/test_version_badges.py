"""Versions in view: a video's finished 1080P, 4K and extended versions as badges that open them."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.people import make_generation, text
from veoui.studio.models import Generation, Rendition, Status

pytestmark = pytest.mark.django_db


def version(generation: Generation, kind: str, status: str = Status.SUCCEEDED) -> Rendition:
    return Rendition.objects.create(
        generation=generation,
        owner=generation.owner,
        kind=kind,
        status=status,
        request_token=uuid.uuid4(),
        estimated_credits=Decimal(5),
    )


def badge(rendition: Rendition, label: str) -> str:
    return f'href="/videos/{rendition.generation.uuid}/#rendition-{rendition.uuid}" aria-label="Open the {label}">'


def test_the_gallery_shows_each_finished_version_as_a_link(member_client, member) -> None:
    video = make_generation(member, 60)
    hd, uhd, longer = version(video, "1080p"), version(video, "4k"), version(video, "extend")
    page = text(member_client.get("/gallery/"))
    assert badge(hd, "1080P version") + "1080P</a>" in page
    assert badge(uhd, "4K version") + "4K</a>" in page
    assert badge(longer, "Extension") + "Extended</a>" in page


def test_versions_in_the_making_or_failed_have_no_badge(member_client, member) -> None:
    video = make_generation(member, 60)
    version(video, "1080p", Status.RUNNING)
    version(video, "4k", Status.FAILED)
    for address in ("/gallery/", "/studio/text/"):
        assert 'class="badge badge--version"' not in text(member_client.get(address))


def test_the_videos_tile_in_the_studio_shows_its_versions(member_client, member) -> None:
    video = make_generation(member, 60)
    hd = version(video, "1080p")
    page = text(member_client.get("/studio/text/"))
    assert badge(hd, "1080P version") + "1080P</a>" in page
    # and the video's page opens it where it plays
    assert f'id="rendition-{hd.uuid}"' in text(member_client.get(f"/videos/{video.uuid}/"))


def test_the_gallery_asks_the_same_queries_with_many_versions(member_client, member) -> None:
    video = make_generation(member, 60)
    version(video, "1080p")
    member_client.get("/gallery/")
    with CaptureQueriesContext(connection) as few:
        member_client.get("/gallery/")
    for _n in range(10):
        more = make_generation(member, 60)
        version(more, "1080p"), version(more, "4k"), version(more, "extend")
    with CaptureQueriesContext(connection) as many:
        page = text(member_client.get("/gallery/"))
    assert page.count('class="badge badge--version"') == 31
    assert len(many) == len(few)


def test_the_1080p_offer_says_the_video_cant_be_extended_after_it(member_client, member) -> None:
    video = make_generation(member, 60, kie_task_id="task-1")
    page = " ".join(text(member_client.get(f"/videos/{video.uuid}/")).split())
    assert "After a 1080P version, this video can no longer be extended" in page
    version(video, "extend")
    version(video, "1080p")  # made: no more extensions, so nothing to warn about
    page = " ".join(text(member_client.get(f"/videos/{video.uuid}/")).split())
    assert "can no longer be extended" not in page
