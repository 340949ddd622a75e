"""Every form that spends carries its own one-time token: sent twice, it changes nothing and lands on the same result.

Owner (Maya), teammate (Tom). The forms are taken from the pages as a browser gets them; after every POST the
database says what was made and what the month has cost.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.people import client_for, make_generation, text
from tests.studio.spending import form_posting_to, forms, spent_this_month
from veoui.studio.models import Generation, Rendition, Status

pytestmark = pytest.mark.django_db


def finished(owner, **fields) -> Generation:
    return make_generation(owner, 60, status=Status.SUCCEEDED, actual=60, kie_task_id="a" * 32, **fields)


def page_of(generation: Generation) -> str:
    return f"/videos/{generation.uuid}/"


def test_it_gives_every_spending_form_of_a_video_its_own_token(maya) -> None:
    video = finished(maya)
    page = client_for(maya).get(page_of(video)).content.decode()
    tokens = {}
    for form in forms(page):
        if form["action"].endswith(("/rerun/", "/vary/")):
            tokens[form["action"]] = form["fields"]["submission_token"]
        elif form["action"].endswith("/renditions/"):
            tokens[form["fields"]["kind"]] = form["fields"]["request_token"]
    assert set(tokens) == {f"/videos/{video.uuid}/rerun/", f"/videos/{video.uuid}/vary/", "1080p", "4k", "extend"}
    assert len(set(tokens.values())) == 5  # one each: a token kept from one offer never buys another


def test_it_tries_again_once_however_often_the_form_is_sent(maya) -> None:
    failed = make_generation(maya, 60, status=Status.FAILED, error_transient=True, error_message="Busy")
    client = client_for(maya)
    form = form_posting_to(client, page_of(failed), f"/videos/{failed.uuid}/retry/")
    assert "submission_token" in form["fields"]

    first = client.post(form["action"], form["fields"])
    again = client.post(form["action"], form["fields"])  # a double click, or the form sent again

    new = Generation.objects.exclude(pk=failed.pk).get()
    assert first["Location"] == again["Location"] == page_of(new)
    assert Generation.objects.count() == 2 and new.status == Status.QUEUED
    assert spent_this_month(maya) == 60  # the failed one cost nothing; the new one is reserved once


@pytest.mark.parametrize("action", ["rerun", "vary"])
def test_it_makes_another_video_once_per_form(maya, tom, action) -> None:
    video = finished(maya)
    client = client_for(tom)
    form = form_posting_to(client, page_of(video), f"/videos/{video.uuid}/{action}/")
    responses = [client.post(form["action"], form["fields"]) for _ in range(3)]
    new = Generation.objects.exclude(pk=video.pk).get()
    assert {r["Location"] for r in responses} == {page_of(new)}
    assert new.owner == tom and spent_this_month(tom) == 60


@pytest.mark.parametrize(
    ("kind", "extra", "credits"),
    [("1080p", {}, 5), ("4k", {}, 120), ("extend", {"prompt": "Then it rains", "model": "veo3_fast"}, 60)],
)
def test_it_orders_a_version_once_and_lands_on_it_again(maya, kind, extra, credits) -> None:
    video = finished(maya)
    client = client_for(maya)
    form = form_posting_to(client, page_of(video), f"/videos/{video.uuid}/renditions/", kind=kind)
    first = client.post(form["action"], {**form["fields"], **extra})
    rendition = Rendition.objects.get()
    again = client.post(form["action"], {**form["fields"], **extra})
    assert first["Location"] == again["Location"] == f"{page_of(video)}#rendition-{rendition.uuid}"
    assert Rendition.objects.count() == 1
    assert spent_this_month(maya) == 60 + credits


def test_it_refuses_a_token_kept_from_one_offer_for_another(maya) -> None:
    """A page restored by the Back button: the 4K form's token, sent as a 1080P order, buys nothing."""
    video = finished(maya)
    client = client_for(maya)
    uhd = form_posting_to(client, page_of(video), f"/videos/{video.uuid}/renditions/", kind="4k")
    client.post(uhd["action"], uhd["fields"])
    assert spent_this_month(maya) == 180

    response = client.post(uhd["action"], {**uhd["fields"], "kind": "1080p"}, follow=True)

    assert list(Rendition.objects.values_list("kind", flat=True)) == ["4k"]
    assert "already used for something else, so nothing was ordered" in text(response)
    assert spent_this_month(maya) == 180


def test_it_honours_a_token_only_for_the_same_person_and_video(maya, tom) -> None:
    video, other = finished(maya), finished(maya, prompt="A second video")
    maya_client, tom_client = client_for(maya), client_for(tom)
    form = form_posting_to(maya_client, page_of(video), f"/videos/{video.uuid}/renditions/", kind="1080p")
    maya_client.post(form["action"], form["fields"])

    elsewhere = maya_client.post(f"/videos/{other.uuid}/renditions/", form["fields"], follow=True)
    someone_else = tom_client.post(form["action"], form["fields"], follow=True)

    assert Rendition.objects.count() == 1 and Rendition.objects.get().generation == video
    for response in (elsewhere, someone_else):
        assert "already used for something else" in text(response)
    assert spent_this_month(tom) == 0 and spent_this_month(maya) == 125


def test_it_refuses_a_spending_post_without_its_token(maya) -> None:
    failed = make_generation(maya, 60, status=Status.FAILED, error_transient=True)
    video = finished(maya)
    client = client_for(maya)
    for address in (f"/videos/{failed.uuid}/retry/", f"/videos/{video.uuid}/rerun/", f"/videos/{video.uuid}/vary/"):
        response = client.post(address, follow=True)
        assert "already used" in text(response)
    client.post(f"/videos/{video.uuid}/renditions/", {"kind": "4k"})
    assert Generation.objects.count() == 2 and not Rendition.objects.exists()
    assert spent_this_month(maya) == Decimal(60)


def test_it_keeps_an_over_budget_try_again_from_spending(maya) -> None:
    failed = make_generation(maya, 60, status=Status.FAILED, error_transient=True)
    from veoui.team.models import Membership

    Membership.objects.filter(user=maya).update(monthly_budget=50)
    client = client_for(maya)
    form = form_posting_to(client, page_of(failed), f"/videos/{failed.uuid}/retry/")
    response = client.post(form["action"], form["fields"], follow=True)
    assert Generation.objects.count() == 1 and "budget" in text(response)
    assert spent_this_month(maya) == 0
