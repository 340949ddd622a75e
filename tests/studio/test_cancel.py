"""Cancel: a video still waiting in veoui's queue (nothing sent to kie.ai) can be taken back; its place in the queue
is shown; the worker never sends it afterwards, and a cancel that comes too late says so."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.people import client_for, make_generation, text
from tests.studio.spending import spent_this_month
from veoui.studio import ratelimit
from veoui.studio.models import CANCELLED, Generation, Status, SubmitSlot
from veoui.team.models import Membership


def cancel(client: object, generation: Generation, **extra: object) -> object:
    return client.post(f"/videos/{generation.uuid}/cancel/", **extra)


def test_it_cancels_a_queued_video_and_gives_its_credits_back(maya) -> None:
    generation = make_generation(maya, 60, status=Status.QUEUED)
    assert spent_this_month(maya) == 60
    client = client_for(maya)
    response = cancel(client, generation)
    assert response.status_code == 302
    generation.refresh_from_db()
    assert (generation.status, generation.error_category) == (Status.FAILED, CANCELLED)
    assert generation.finished_at is not None and generation.next_check_at is None
    assert spent_this_month(maya) == 0
    page = text(client.get(response["Location"]))
    assert "Cancelled. Nothing was sent to kie.ai, so nothing was spent." in page


def test_it_answers_htmx_with_the_card_saying_cancelled(maya) -> None:
    generation = make_generation(maya, 60, status=Status.QUEUED)
    response = cancel(client_for(maya), generation, headers={"HX-Request": "true"})
    assert response.status_code == 200
    card = text(response)
    assert "Cancelled" in card and "You cancelled this video before it was sent to kie.ai" in card
    assert "could not be made" not in card
    generation.refresh_from_db()
    assert generation.status == Status.FAILED


def test_it_says_plainly_when_the_video_was_already_sent(maya) -> None:
    generation = make_generation(maya, 60, status=Status.SUBMITTING, request_sent_at=timezone.now())
    response = cancel(client_for(maya), generation, headers={"HX-Request": "true"})
    assert "Too late to cancel: veoui had already sent this video to kie.ai" in text(response)
    generation.refresh_from_db()
    assert generation.status == Status.SUBMITTING
    assert spent_this_month(maya) == 60


def test_a_cancel_from_a_second_tab_does_not_say_too_late(maya) -> None:
    generation = make_generation(maya, 60, status=Status.QUEUED)
    first, second = client_for(maya), client_for(maya)
    page = second.get("/studio/text/")  # the second tab loaded while it was still queued
    assert f"/videos/{generation.uuid}/cancel/" in text(page)
    cancel(first, generation)
    answer = cancel(second, generation, headers={"HX-Request": "true"})
    assert "Too late" not in text(answer)
    generation.refresh_from_db()
    assert (generation.status, generation.error_category) == (Status.FAILED, CANCELLED)


def test_a_second_cancel_changes_nothing(maya) -> None:
    generation = make_generation(maya, 60, status=Status.QUEUED)
    client = client_for(maya)
    cancel(client, generation)
    finished = Generation.objects.get(pk=generation.pk).finished_at
    response = cancel(client, generation)
    assert response.status_code == 302
    generation.refresh_from_db()
    assert generation.status == Status.FAILED and generation.finished_at == finished


def test_a_teammate_cannot_cancel_someone_elses_video(maya, tom) -> None:
    generation = make_generation(maya, 60, status=Status.QUEUED)
    assert cancel(client_for(tom), generation).status_code == 403
    generation.refresh_from_db()
    assert generation.status == Status.QUEUED
    assert spent_this_month(maya) == 60


def test_an_outsider_gets_not_found_for_a_private_video(maya, tom) -> None:
    generation = make_generation(maya, 60, status=Status.QUEUED, visibility=Generation.Visibility.PRIVATE)
    assert cancel(client_for(tom), generation).status_code == 404
    generation.refresh_from_db()
    assert generation.status == Status.QUEUED


def test_the_card_shows_cancel_and_the_place_in_the_queue(maya, tom) -> None:
    earlier = timezone.now() - timedelta(minutes=2)
    make_generation(tom, 60, status=Status.QUEUED, created_at=earlier)
    make_generation(tom, 60, status=Status.QUEUED, created_at=earlier + timedelta(seconds=1))
    mine = make_generation(maya, 60, status=Status.QUEUED)
    page = text(client_for(maya).get("/studio/text/"))
    assert "2 ahead of yours" in page
    assert f'action="/videos/{mine.uuid}/cancel/"' in page


def test_the_places_of_all_cards_take_one_query(maya, django_assert_num_queries) -> None:
    start = timezone.now() - timedelta(minutes=5)
    made = [make_generation(maya, 60, status=Status.QUEUED, created_at=start + timedelta(seconds=n)) for n in range(6)]
    with django_assert_num_queries(1):
        ratelimit.note_places(made)
    assert [g.queue_ahead for g in made] == [0, 1, 2, 3, 4, 5]


def test_the_worker_never_sends_a_cancelled_video(maya, worker, kie, client) -> None:
    Membership.objects.update_or_create(user=maya, defaults={"monthly_budget": 1000})
    client.force_login(maya)
    # kie.ai's limit is full for a few seconds, so the video waits in veoui's queue.
    full_since = timezone.now() - timedelta(seconds=7)
    SubmitSlot.objects.bulk_create(
        [SubmitSlot(owner_id=maya.pk, taken_at=full_since) for _ in range(ratelimit.PER_WINDOW)]
    )

    def generate(prompt: str) -> Generation:
        data = {
            "submission_token": str(uuid.uuid4()),
            "prompt": prompt,
            "model": "veo3_fast",
            "aspect_ratio": "16:9",
            "count": "1",
            "visibility": "team",
        }
        response = client.post("/studio/text/", data)
        assert response.status_code == 302, text(response)[:500]
        return Generation.objects.get(uuid=response["Location"].rstrip("/").split("/")[-1])

    waiting = generate("A lighthouse in a storm, cancelled")
    assert Generation.objects.get(pk=waiting.pk).status == Status.QUEUED
    assert cancel(client, waiting).status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == Status.FAILED and waiting.error_category == CANCELLED
    assert spent_this_month(maya) == 0

    # Every task the worker had for it has run (its wait for a slot included), and nothing left for kie.ai.
    def settled() -> bool:
        pending = DBTaskResult.objects.filter(status__in=["READY", "RUNNING"])
        return not pending.filter(args_kwargs__kwargs__generation_id=waiting.pk).exists()

    worker.wait_for(settled)
    # The worker really runs: the next video is made.
    made = generate("A lighthouse in calm weather")
    worker.wait_for(lambda: Generation.objects.get(pk=made.pk).status == Status.SUCCEEDED)
    prompts = [entry["body"]["prompt"] for entry in kie.control.requests("generate")]
    assert prompts == ["A lighthouse in calm weather"]
    assert Generation.objects.get(pk=waiting.pk).status == Status.FAILED
    assert spent_this_month(maya) == 60
