"""A failed video: no cost shown as an estimate, Try again only when the failure can pass, else what to change."""

from __future__ import annotations

import pytest

from tests.people import make_generation, text
from veoui.studio.models import Status

pytestmark = pytest.mark.django_db


def failed(owner, *, transient: bool, next_step: str = "") -> object:
    return make_generation(
        owner,
        60,
        status=Status.FAILED,
        error_message="kie.ai couldn't make this video." if transient else "The safety check stopped this video.",
        error_next_step=next_step,
        error_transient=transient,
    )


def words(response) -> str:
    return " ".join(text(response).split())


def test_it_shows_no_estimate_for_a_failed_video(member_client, member) -> None:
    video = failed(member, transient=True)
    page = words(member_client.get(f"/videos/{video.uuid}/"))
    assert "(estimate)" not in page
    assert "Nothing: a video that could not be made is not charged." in page


def test_a_failure_that_can_pass_offers_try_again(member_client, member) -> None:
    video = failed(member, transient=True, next_step="Try again later")
    page = words(member_client.get(f"/videos/{video.uuid}/"))
    assert "Try again (60 credits, about $0.30)" in page
    assert "Change it and make it again" not in page
    assert "Re-run (" not in page and "Vary the seed (" not in page


def test_a_failure_that_would_repeat_says_what_to_change(member_client, member) -> None:
    video = failed(member, transient=False, next_step="Edit your prompt and try again")
    page = words(member_client.get(f"/videos/{video.uuid}/"))
    assert "Try again (" not in page and "Re-run (" not in page
    assert "What to do: Edit your prompt and try again" in page
    assert f'href="/studio/text/?from={video.uuid}">Change it and make it again</a>' in page


def test_without_a_next_step_it_still_says_what_to_change(member_client, member) -> None:
    video = failed(member, transient=False)
    page = words(member_client.get(f"/videos/{video.uuid}/"))
    assert "change the prompt or the pictures, then make it again" in page


def test_the_studio_tile_of_a_failure_says_the_same(member_client, member) -> None:
    failed(member, transient=False, next_step="Edit your prompt and try again")
    page = words(member_client.get("/studio/text/"))
    assert "Change it and make it again" in page and "Try again (" not in page


def test_a_teammate_sees_why_but_no_button_to_spend_on_it(client_for_tom, member) -> None:
    video = failed(member, transient=True)
    page = words(client_for_tom.get(f"/videos/{video.uuid}/"))
    assert "kie.ai couldn't make this video." in page and "Try again (" not in page


@pytest.fixture
def client_for_tom(tom):
    from tests.people import client_for

    return client_for(tom)
