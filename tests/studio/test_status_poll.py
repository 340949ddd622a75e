"""The page's one status check: it says what each card in progress shows, and gets back only what changed.

The time counting up and the progress bar move on in the browser (static/js/studio.js) from figures on the card;
cards that changed come back as htmx out-of-band swaps, and nothing at all (204 No Content) when none did.
"""

from __future__ import annotations

import html
import json
import re
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation

from tests.people import client_for, make_generation, make_user
from veoui.studio.models import Generation, Rendition, Status

pytestmark = pytest.mark.django_db


def make(owner, status: str = Status.RUNNING, **fields) -> Generation:
    fields.setdefault("submitted_at", timezone.now() - timedelta(seconds=30))
    fields.setdefault("created_at", timezone.now() - timedelta(seconds=75))
    return make_generation(owner, 60, status=status, **fields)


def shown(text: str) -> str:
    """What the cards of a page or an answer say they show, as the page sends it."""
    return ",".join(html.unescape(found) for found in re.findall(r'data-shown="([^"]+)"', text))


def ask(client, shown: str = "", seen=(), known=None):
    query = {"shown": shown, "seen": ",".join(str(i) for i in seen)}
    if known is not None:
        query["known"] = ",".join(str(i) for i in known)
    return client.get("/status/", query, headers={"HX-Request": "true"})


def cards(response) -> list[str]:
    return re.findall(r'<article id="(?:generation|rendition)-([0-9a-f-]+)"', response.content.decode())


def news(response) -> tuple[int, list[str]]:
    found = re.search(
        r'id="status-news" hx-swap-oob="true" hidden data-running="(\d+)" data-ids="([^"]*)"', response.text
    )
    assert found, response.text
    return int(found.group(1)), [i for i in found.group(2).split(",") if i]


def test_an_unchanged_card_is_answered_with_no_content() -> None:
    maya = make_user("maya", "Maya")
    generation = make(maya)
    client = client_for(maya)
    page = client.get(generation.get_absolute_url()).content.decode()
    for _ in range(3):
        again = ask(client, shown(page), seen=[generation.uuid])
        assert again.status_code == 204 and again.content == b""
    # The first check of a page that heard nothing yet gets the count for the title, and no card.
    first = ask(client, shown(page))
    assert first.status_code == 200 and cards(first) == [] and news(first) == (1, [str(generation.uuid)])
    # The clock is not part of what the card says: it is counted on in the browser from these figures.
    assert 'data-elapsed-seconds="75"' in page
    assert re.search(r'data-progress-seconds="30\.\d"', page) and 'data-typical-seconds="70"' in page
    formats = json.loads(html.unescape(re.search(r'data-elapsed-formats="([^"]+)"', page).group(1)))
    assert formats == {"s": "%(s)d s", "ms": "%(m)d min %(s)d s", "sofar": "%(t)s so far"}
    assert "1 min 15 s so far" in page


def test_only_the_cards_that_changed_come_back_out_of_band() -> None:
    maya = make_user("maya", "Maya")
    waiting, moving = make(maya, status=Status.QUEUED, submitted_at=None), make(maya)
    client = client_for(maya)
    page = client.get("/studio/text/").content.decode()
    both = shown(page)
    assert both.count(":") == 2
    Generation.objects.filter(pk=waiting.pk).update(status=Status.RUNNING, submitted_at=timezone.now())
    answer = ask(client, both, seen=[waiting.uuid, moving.uuid])
    assert answer.status_code == 200 and cards(answer) == [str(waiting.uuid)]
    assert f'<article id="generation-{waiting.uuid}"' in answer.text and 'hx-swap-oob="true"' in answer.text
    assert "Generating, usually about 1 minute" in answer.text
    moving_shows = next(pair for pair in both.split(",") if pair.startswith(str(moving.uuid)))
    now_shown = shown(answer.text) + "," + moving_shows
    assert ask(client, now_shown, seen=[waiting.uuid, moving.uuid]).status_code == 204
    # When it is done: the finished card, with its player, no longer says what it shows (nothing more to check);
    # the title's count goes down, and the ending is told to the tab that saw it run.
    Generation.objects.filter(pk=waiting.pk).update(status=Status.SUCCEEDED, finished_at=timezone.now())
    done = ask(client, shown(answer.text), seen=[waiting.uuid, moving.uuid])
    assert cards(done) == [str(waiting.uuid)] and "<video" in done.text and "data-shown" not in done.text
    assert news(done) == (1, [str(moving.uuid)])
    assert f'data-url="/videos/{waiting.uuid}/" data-title="Your video is ready"' in done.text
    Generation.objects.filter(pk=moving.pk).update(status=Status.FAILED, finished_at=timezone.now())
    failed = ask(client, "", seen=[moving.uuid])
    assert news(failed) == (0, []) and 'data-title="Your video failed"' in failed.text
    assert ask(client, "", seen=[]).status_code == 204


def test_a_passing_problem_and_the_queue_change_what_the_card_says() -> None:
    maya, tom = make_user("maya", "Maya"), make_user("tom", "Tom")
    ahead = make(tom, status=Status.QUEUED, submitted_at=None, created_at=timezone.now() - timedelta(minutes=5))
    mine = make(maya, status=Status.QUEUED, submitted_at=None)
    client = client_for(maya)
    card = client.get(mine.get_absolute_url()).content.decode()
    assert "Queued: 1 ahead of yours" in card
    assert ask(client, shown(card), seen=[mine.uuid]).status_code == 204
    Generation.objects.filter(pk=ahead.pk).update(status=Status.RUNNING)
    moved = ask(client, shown(card), seen=[mine.uuid])
    assert moved.status_code == 200 and "Queued: starting in a moment" in moved.text
    Generation.objects.filter(pk=mine.pk).update(error_transient=True, error_message="kie.ai is busy")
    assert "Waiting for kie.ai" in ask(client, shown(moved.text), seen=[mine.uuid]).text


def test_a_video_started_in_another_tab_joins_the_studio_list() -> None:
    maya = make_user("maya", "Maya")
    older = make(maya)
    client = client_for(maya)
    page = client.get("/studio/text/").content.decode()
    assert ask(client, shown(page), seen=[older.uuid], known=[older.uuid]).status_code == 204
    newer = make(maya, status=Status.QUEUED, submitted_at=None)
    answer = ask(client, shown(page), seen=[older.uuid], known=[older.uuid])
    assert cards(answer) == [str(newer.uuid)] and '<div hx-swap-oob="afterbegin:#recent-list">' in answer.text
    assert news(answer)[0] == 2
    # A page without the list (the gallery, a video's page) hears the count only.
    elsewhere = ask(client, shown(page), seen=[older.uuid])
    count, ids = news(elsewhere)
    assert cards(elsewhere) == [] and count == 2 and sorted(ids) == sorted([str(older.uuid), str(newer.uuid)])


def test_nobody_hears_of_what_they_may_not_see() -> None:
    maya, tom = make_user("maya", "Maya"), make_user("tom", "Tom")
    private, shared = make(maya, visibility="private"), make(maya)
    rendition = Rendition.objects.create(
        generation=private, owner=maya, kind=Rendition.Kind.HD, request_token=uuid.uuid4(), status=Status.RUNNING
    )
    stale = f"{private.uuid}:0,{rendition.uuid}:0,{shared.uuid}:0"
    answer = ask(client_for(tom), stale, seen=[private.uuid, shared.uuid], known=[])
    # Tom, a teammate, gets the shared card only: not the private one, nor its version, nor Maya's work as his.
    assert cards(answer) == [str(shared.uuid)] and news(answer) == (0, [])
    assert "Your video" not in answer.text
    assert client_for(maya).get("/status/", {"shown": stale}).text.count("<article") == 3
    logged_out = ask(Client(), stale)
    assert logged_out.status_code == 302 and str(private.uuid) not in logged_out.text


@pytest.mark.parametrize(
    "query",
    [
        {"shown": "not-an-id"},
        {"shown": ":::,,,"},
        {"seen": "x" * 5000},
        {"known": "0" * 36},
        {"shown": ",".join(f"{uuid.uuid4()}:abc" for _ in range(500))},
        {"shown": "\x00"},
    ],
)
def test_garbage_is_left_out(query) -> None:
    response = client_for(make_user("maya", "Maya")).get("/status/", query)
    assert response.status_code == 204


def test_the_ids_a_page_may_send_are_capped() -> None:
    maya = make_user("maya", "Maya")
    made = [make(maya) for _ in range(3)]
    client = client_for(maya)
    many = [f"{uuid.uuid4()}:0" for _ in range(60)] + [f"{g.uuid}:0" for g in made]
    assert cards(ask(client, ",".join(many), seen=[g.uuid for g in made])) == []


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
        response = ask(client, f"{generation.uuid}:{generation.fingerprint()}", seen=[])
        assert cards(response) == [str(generation.uuid)] and "data-shown" not in response.text


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
    page = client.get(generation.get_absolute_url()).content.decode()
    assert 'data-typical-seconds="90"' in page and shown(page).startswith(str(rendition.uuid))
    # The version counts among Maya's work in the making, so the page has heard of it running.
    assert ask(client, shown(page), seen=[rendition.uuid]).status_code == 204
    Rendition.objects.filter(pk=rendition.pk).update(status=Status.SUCCEEDED, finished_at=timezone.now())
    assert cards(ask(client, shown(page), seen=[rendition.uuid])) == [str(rendition.uuid)]


def test_the_card_counts_in_the_readers_language() -> None:
    maya = make_user("maya", "Maya")
    generation = make(maya)
    client = client_for(maya)
    client.post("/account/language/", {"language": "zh-hans", "next": "/"})
    page = client.get(generation.get_absolute_url()).content.decode()
    formats = json.loads(html.unescape(re.search(r'data-elapsed-formats="([^"]+)"', page).group(1)))
    assert formats["s"] == "%(s)d 秒" and formats["sofar"] == "已用时 %(t)s"
    # The card written in Chinese is not mistaken for the English one.
    assert ask(client, shown(page), seen=[generation.uuid]).status_code == 204
    with translation.override("en"):
        assert shown(page).endswith(generation.fingerprint()) is False
