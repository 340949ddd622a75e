"""Sharing kie.ai's limit fairly: at most ``PER_WINDOW`` new videos (generations and extensions) per
``WINDOW_SECONDS`` for the whole team, people taking turns.

kie.ai accepts 20 new generations per 10 s per account and drops the rest with 429; veoui keeps a margin below
that. Every submission first takes a slot: a row in ``SubmitSlot``, counted over the last window, with the one
``SubmitLimiter`` row locked so that workers on several machines take slots one at a time. A generation may take
a slot when the window has room and it is its turn: no other person's waiting generation comes first, ordered by
(when that person was last given a slot, how long it has waited). So a person with ten videos queued gets one
slot, then the others get theirs, and so on (round robin); nobody waits for someone else's whole batch. With no
contention a slot is granted at once: a single video is not slowed down.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from veoui.studio.models import Generation, Status, SubmitLimiter, SubmitSlot

PER_WINDOW = 18
WINDOW_SECONDS = 10.0
HISTORY_SECONDS = 120.0  # how long who-was-served-when is remembered, for taking turns
NEVER = datetime.min.replace(tzinfo=UTC)
TURN_DELAY = 0.25  # how soon a generation that must let someone else go first asks again


def waiting() -> object:
    """Generations waiting for a slot (not those pausing after kie.ai said it was busy)."""
    return Generation.objects.filter(status=Status.QUEUED, error_transient=False, deleted_at__isnull=True)


def take_slot(*, owner_id: int, waiting_since: datetime, exclude_pk: int | None = None) -> float | None:
    """Take a slot now and return None, or return how many seconds to wait before asking again."""
    with transaction.atomic():
        SubmitLimiter.objects.select_for_update().get_or_create(pk=1)
        now = timezone.now()
        SubmitSlot.objects.filter(taken_at__lt=now - timedelta(seconds=HISTORY_SECONDS)).delete()
        in_window = SubmitSlot.objects.filter(taken_at__gte=now - timedelta(seconds=WINDOW_SECONDS))
        if in_window.count() >= PER_WINDOW:
            oldest = in_window.order_by("taken_at").values_list("taken_at", flat=True).first()
            free_in = (oldest + timedelta(seconds=WINDOW_SECONDS) - now).total_seconds()
            return max(0.05, free_in) + random.uniform(0, TURN_DELAY)
        # Round robin: whoever was served least recently goes first; never served (lately), the longest waiting.
        last_served = dict(
            SubmitSlot.objects.values("owner_id").annotate(last=Max("taken_at")).values_list("owner_id", "last")
        )
        mine = (last_served.get(owner_id, NEVER), waiting_since)
        others = (
            waiting()
            .exclude(owner_id=owner_id)
            .exclude(pk=exclude_pk)
            .values("owner_id")
            .annotate(since=Min("created_at"))
            .values_list("owner_id", "since")
        )
        if any((last_served.get(other, NEVER), since) < mine for other, since in others):
            return TURN_DELAY + random.uniform(0, TURN_DELAY)
        SubmitSlot.objects.create(owner_id=owner_id, taken_at=now)
        return None


def give_back(owner_id: int) -> None:
    """The slot was not used after all (someone else had already sent this generation)."""
    slot = SubmitSlot.objects.filter(owner_id=owner_id).order_by("-taken_at").first()
    if slot is not None:
        slot.delete()


def note_places(generations: Iterable[Generation]) -> None:
    """Tell each waiting generation how many go before it, roughly (those waiting longer), for its status card:
    one query for all the cards of a page."""
    queued = [g for g in generations if g.status == Status.QUEUED and not g.error_transient]
    if not queued:
        return
    ahead = waiting().aggregate(
        **{f"ahead_{n}": Count("pk", filter=Q(created_at__lt=g.created_at)) for n, g in enumerate(queued)}
    )
    for n, generation in enumerate(queued):
        generation.queue_ahead = ahead[f"ahead_{n}"]
