"""The status card's check: a card in progress says what it shows, and is sent again only when that changed.

The time counting up and the progress bar move on in the browser (static/js/veoui.js) from figures on the card;
an unchanged card is answered with 204 No Content, which htmx leaves in place.
"""

from __future__ import annotations

import html
import json
import re
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from tests.people import client_for, make_generation, make_user
from veoui.studio.models import Generation, Rendition, Status

pytestmark = pytest.mark.django_db


def make(owner, status: str = Status.RUNNING, **fields) -> Generation:
    fields.setdefault("submitted_at", timezone.now() - timedelta(seconds=30))
    fields.setdefault("created_at", timezone.now() - timedelta(seconds=75))
    return make_generation(owner, 60, status=status, **fields)


def polled_address(card: str, kind: str = "videos") -> str:
    match = re.search(rf'hx-get="(/{kind}/[^"]+/status/\?shown=[0-9a-f]+)"', card)
    assert match, card
    return html.unescape(match.group(1))


def test_an_unchanged_card_is_answered_with_no_content() -> None:
    maya = make_user("maya", "Maya")
    generation = make(maya)
    client = client_for(maya)
    card = client.get(f"/videos/{generation.uuid}/status/", headers={"HX-Request": "true"})
    assert card.status_code == 200
    address = polled_address(card.content.decode())
    for _ in range(3):
        again = client.get(address, headers={"HX-Request": "true"})
        assert again.status_code == 204 and again.content == b""
    # The clock is not part of what the card says: it is counted on in the browser from these figures.
    text = card.content.decode()
    assert 'data-elapsed-seconds="75"' in text
    assert re.search(r'data-progress-seconds="30\.\d"', text) and 'data-typical-seconds="70"' in text
    formats = json.loads(html.unescape(re.search(r'data-elapsed-formats="([^"]+)"', text).group(1)))
    assert formats == {"s": "%(s)d s", "ms": "%(m)d min %(s)d s", "sofar": "%(t)s so far"}
    assert "1 min 15 s so far" in text


def test_a_change_brings_the_new_card() -> None:
    maya = make_user("maya", "Maya")
    generation = make(maya, status=Status.QUEUED, submitted_at=None)
    client = client_for(maya)
    queued = polled_address(client.get(f"/videos/{generation.uuid}/status/").content.decode())
    assert client.get(queued).status_code == 204
    Generation.objects.filter(pk=generation.pk).update(status=Status.RUNNING, submitted_at=timezone.now())
    running = client.get(queued)
    assert running.status_code == 200 and "Generating, usually about 1 minute" in running.content.decode()
    assert polled_address(running.content.decode()) != queued
    Generation.objects.filter(pk=generation.pk).update(status=Status.SUCCEEDED, finished_at=timezone.now())
    finished = client.get(polled_address(running.content.decode()))
    assert finished.status_code == 200
    assert "hx-get" not in finished.content.decode() and "Ready" in finished.content.decode()


def test_a_passing_problem_and_the_queue_change_what_the_card_says() -> None:
    maya, tom = make_user("maya", "Maya"), make_user("tom", "Tom")
    ahead = make(tom, status=Status.QUEUED, submitted_at=None, created_at=timezone.now() - timedelta(minutes=5))
    mine = make(maya, status=Status.QUEUED, submitted_at=None)
    client = client_for(maya)
    card = client.get(f"/videos/{mine.uuid}/status/").content.decode()
    assert "Queued: 1 ahead of yours" in card
    address = polled_address(card)
    assert client.get(address).status_code == 204
    Generation.objects.filter(pk=ahead.pk).update(status=Status.RUNNING)
    moved = client.get(address)
    assert moved.status_code == 200 and "Queued: starting in a moment" in moved.content.decode()
    address = polled_address(moved.content.decode())
    Generation.objects.filter(pk=mine.pk).update(error_transient=True, error_message="kie.ai is busy")
    assert "Waiting for kie.ai" in client.get(address).content.decode()


def test_what_the_card_says_depends_on_the_language() -> None:
    generation = make(make_user("maya", "Maya"))
    with translation.override("en"):
        english = generation.fingerprint()
    with translation.override("es"):
        spanish = generation.fingerprint()
    assert english != spanish and len(english) == 16


def test_an_unchanged_token_never_hides_a_finished_or_unconfirmed_video() -> None:
    maya = make_user("maya", "Maya")
    client = client_for(maya)
    for status in (Status.SUCCEEDED, Status.FAILED, Status.UNCONFIRMED):
        generation = make(maya, status=status, finished_at=timezone.now())
        response = client.get(f"/videos/{generation.uuid}/status/?shown={generation.fingerprint()}")
        assert response.status_code == 200 and 'hx-trigger="every' not in response.content.decode()


def test_someone_who_may_not_see_the_video_gets_nothing_either_way() -> None:
    maya, tom = make_user("maya", "Maya"), make_user("tom", "Tom")
    private = make(maya, visibility="private")
    assert client_for(tom).get(f"/videos/{private.uuid}/status/?shown={private.fingerprint()}").status_code == 404


def test_a_rendition_in_progress_is_checked_the_same_way() -> None:
    maya = make_user("maya", "Maya")
    generation = make(maya, status=Status.SUCCEEDED, finished_at=timezone.now())
    rendition = Rendition.objects.create(
        generation=generation,
        owner=maya,
        kind=Rendition.Kind.HD,
        request_token=uuid.uuid4(),
        status=Status.RUNNING,
        submitted_at=timezone.now() - timedelta(seconds=10),
    )
    client = client_for(maya)
    card = client.get(f"/renditions/{rendition.uuid}/status/").content.decode()
    address = polled_address(card, "renditions")
    assert 'data-typical-seconds="90"' in card
    assert client.get(address).status_code == 204
    Rendition.objects.filter(pk=rendition.pk).update(status=Status.SUCCEEDED, finished_at=timezone.now())
    assert client.get(address).status_code == 200


def test_the_card_counts_in_the_readers_language() -> None:
    maya = make_user("maya", "Maya")
    generation = make(maya)
    client = client_for(maya)
    client.post("/account/language/", {"language": "zh-hans", "next": "/"})
    card = client.get(f"/videos/{generation.uuid}/status/").content.decode()
    formats = json.loads(html.unescape(re.search(r'data-elapsed-formats="([^"]+)"', card).group(1)))
    assert formats["s"] == "%(s)d 秒" and formats["sofar"] == "已用时 %(t)s"
    # The card written in Chinese is not mistaken for the English one.
    assert client.get(polled_address(card)).status_code == 204
    with translation.override("en"):
        assert polled_address(card).endswith(generation.fingerprint()) is False


@pytest.mark.parametrize("status", [Status.QUEUED, Status.SUBMITTING, Status.RUNNING])
def test_an_unchanged_check_reads_the_session_the_person_then_the_video(status: str) -> None:
    maya = make_user("maya", "Maya")
    generation = make(maya, status=status)
    client = client_for(maya)
    address = polled_address(client.get(f"/videos/{generation.uuid}/status/").content.decode())
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 204
    read = [sorted(set(re.findall(r'FROM "(\w+)"|JOIN "(\w+)"', query["sql"])) - {("", "")}) for query in queries]
    tables = [sorted({name for pair in found for name in pair if name}) for found in read]
    # A queued card also counts the videos ahead of it; nothing reads a field the video's read left out.
    queue = [["studio_generation"]] if status == Status.QUEUED else []
    person = ["auth_user", "team_membership"]  # with their membership, in one read
    assert tables == [["django_session"], person, ["studio_generation"], *queue], tables
