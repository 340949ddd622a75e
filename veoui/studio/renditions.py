"""1080P and 4K versions and extensions of a finished generation, each a tracked, paid, archived record.

kie.ai's three follow-ups behave differently, and this module hides that:
- 1080P: a GET that starts the work and answers "processing" (body code 400) until ready, then ``resultUrl``.
  Asking again is how one checks, so an unanswered request is simply asked again.
- 4K: a POST whose first answer is 200, then 422 "processing", then 422 "generated successfully" with URLs.
  Also safe to repeat.
- Extend: a new paid task, polled with record-info like a generation; an unanswered request is "unconfirmed".
"""

from __future__ import annotations

import logging
import uuid
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from veoui.kie import errors as kie_errors
from veoui.kie.client import KieClient, get_client
from veoui.kie.records import ExtendRequest
from veoui.studio import ratelimit, services
from veoui.studio.models import Generation, Pricing, Rendition, Status
from veoui.team import budgets

log = logging.getLogger(__name__)

Kind = Rendition.Kind


def price(kind: str, model: str = "") -> Decimal:
    pricing = Pricing.current()
    if kind == Kind.HD:
        return pricing.upgrade_1080p
    if kind == Kind.UHD:
        return pricing.upgrade_4k
    return pricing.for_model(model)


UPGRADES = (Kind.HD, Kind.UHD)


class AlreadyOrdered(Exception):
    """This video's 1080P or 4K version is already in the making or made; ``rendition`` is it."""

    def __init__(self, rendition: Rendition) -> None:
        super().__init__(str(rendition.uuid))
        self.rendition = rendition


def cost_of(work: Generation | Rendition) -> Decimal:
    """What the same work costs when it is asked for again now (Re-run, Try again, Send it again)."""
    if isinstance(work, Rendition):
        return price(work.kind, work.model)
    return Pricing.current().for_model(work.model)


def orderable(generation: Generation) -> set[str]:
    """What kie.ai can make from this video at all (counting a 1080P or 4K version already ordered)."""
    if generation.status != Status.SUCCEEDED or not generation.kie_task_id:
        return set()
    return {Kind.HD, Kind.UHD, *([Kind.EXTEND] if generation.can_extend else [])}


def in_the_making(generation: Generation, kind: str) -> Rendition | None:
    """The 1080P or 4K version of this video already in the making or made (there is at most one of each)."""
    if kind not in UPGRADES:
        return None
    return generation.renditions.filter(kind=kind).exclude(status=Status.FAILED).first()


def offers(generation: Generation) -> dict:
    """What can be made from this video now, with what it costs: only what kie.ai allows."""
    kinds = orderable(generation)
    existing = {r.kind for r in generation.renditions.all() if r.status != Status.FAILED}
    pricing = Pricing.current()
    result = {}
    for kind in UPGRADES:
        if kind in kinds and kind not in existing:
            credits = price(kind)
            result[kind] = {"credits": credits, "usd": pricing.usd(credits)}
    if Kind.EXTEND in kinds:
        result[Kind.EXTEND] = {
            model: {"credits": pricing.for_model(model), "usd": pricing.usd(pricing.for_model(model))}
            for model in (generation.model, *[m for m in ("veo3_fast", "veo3_lite", "veo3") if m != generation.model])
        }
    return result


def ordered_with(token: uuid.UUID, owner: AbstractBaseUser, generation: Generation, kind: str) -> Rendition | None:
    """What this one-time token already ordered: honoured only for the same person, video and kind."""
    existing = Rendition.objects.filter(request_token=token).first()
    if existing is not None and (existing.owner_id, existing.generation_id, existing.kind) != (
        owner.pk,
        generation.pk,
        kind,
    ):
        raise services.DuplicateTokenError
    return existing


def create_rendition(
    *, owner: AbstractBaseUser, generation: Generation, kind: str, token: uuid.UUID, prompt: str = "", model: str = ""
) -> tuple[Rendition, bool]:
    """Record the member's confirmed request and its task together; the same token twice gives the first one.

    Raises services.DuplicateTokenError, AlreadyOrdered (a 1080P or 4K someone ordered first) or budgets.OverBudget.
    """
    existing = ordered_with(token, owner, generation, kind)
    if existing is not None:
        return existing, False
    credits = price(kind, model)
    try:
        with transaction.atomic():
            # Simultaneous orders queue here (upgrades and extensions spend from the same monthly budgets), so
            # each one sees what the ones before it ordered.
            budgets.lock(owner)
            existing = ordered_with(token, owner, generation, kind)
            if existing is not None:
                return existing, False
            if (taken := in_the_making(generation, kind)) is not None:
                raise AlreadyOrdered(taken)
            budgets.reserve(owner, credits)
            rendition = Rendition.objects.create(
                generation=generation,
                owner=owner,
                kind=kind,
                prompt=prompt,
                model=model if kind == Kind.EXTEND else "",
                request_token=token,
                # 1080P and 4K are upgrades of kie.ai's task itself; an extension gets its own task id later.
                kie_task_id=generation.kie_task_id if kind != Kind.EXTEND else "",
                estimated_credits=credits,
                next_check_at=timezone.now(),
            )
            services.enqueue("submit_rendition", rendition_id=rendition.pk)
    except IntegrityError:
        # Lost a race the locks above did not settle: the database's own rules (one token, one upgrade) did.
        existing = ordered_with(token, owner, generation, kind)
        if existing is not None:
            return existing, False
        if (taken := in_the_making(generation, kind)) is not None:
            raise AlreadyOrdered(taken) from None
        raise
    log.info("rendition created id=%s kind=%s generation=%s", rendition.uuid, kind, generation.uuid)
    return rendition, True


def submit(rendition_id: int) -> None:
    rendition = Rendition.objects.select_related("generation").get(pk=rendition_id)
    if rendition.status != Status.QUEUED:
        return
    if rendition.kind == Kind.EXTEND:
        # An extension is a new video for kie.ai's rate limit: it waits for a slot like a generation.
        wait = ratelimit.take_slot(owner_id=rendition.owner_id, waiting_since=rendition.created_at)
        if wait is not None:
            rendition.postpone(wait)
            services.enqueue("submit_rendition", wait, rendition_id=rendition.pk)
            return
    if not rendition.claim(Status.QUEUED, status=Status.SUBMITTING, submit_attempts=F("submit_attempts") + 1):
        if rendition.kind == Kind.EXTEND:
            ratelimit.give_back(rendition.owner_id)
        return
    rendition.refresh_from_db()
    if not rendition.mark_request_sent():
        return
    with get_client() as client:
        try:
            ask(rendition, client, first=True)
        except kie_errors.NotAccepted as error:
            services.requeue(rendition, error, "submit_rendition", rendition_id=rendition.pk)
        except kie_errors.Refused as error:
            if error.transient and rendition.kind != Kind.EXTEND:
                # Asking for 1080P or 4K again costs nothing extra, so a passing refusal is retried.
                services.requeue(rendition, error, "submit_rendition", rendition_id=rendition.pk)
            else:
                services.fail(rendition, error.failure, error)
        except kie_errors.UnknownOutcome as error:
            if rendition.kind == Kind.EXTEND:
                services.mark_unconfirmed(rendition, error.upstream_message)
            else:
                start_polling(rendition)  # asking again is how 1080P and 4K are checked: no double charge
        except Exception:
            services.settle_after_crash(rendition)
            raise


def ask(rendition: Rendition, client: KieClient, *, first: bool) -> None:
    """One request to kie.ai about this rendition, and what its answer means."""
    callback = services.callback_url(rendition, "kie_rendition_callback")
    if rendition.kind == Kind.HD:
        answer = client.get_1080p(rendition.kie_task_id)
        if answer.ready:
            finished(rendition, [answer.result_url])
        elif first:
            start_polling(rendition)
        else:
            keep_polling(rendition)
    elif rendition.kind == Kind.UHD:
        answer = client.get_4k(rendition.kie_task_id, callback_url=callback if first else None)
        if answer.state == "done":
            finished(rendition, list(answer.result_urls))
        elif first:
            start_polling(rendition)
        else:
            keep_polling(rendition)
    elif first:
        generation = rendition.generation
        task_id = client.extend(
            ExtendRequest(
                task_id=generation.kie_task_id,
                prompt=rendition.prompt,
                model=rendition.model,
                watermark=generation.watermark or None,
                callback_url=callback,
            )
        )
        services.started(rendition, task_id, "refresh_rendition", rendition_id=rendition.pk)
    else:
        record = client.record_info(rendition.kie_task_id)
        if record.status == "pending":
            keep_polling(rendition)
        elif record.status == "failed":
            services.fail_from_record(rendition, record)
        else:
            finished(rendition, list(record.full_result_urls or record.result_urls))


def start_polling(rendition: Rendition) -> None:
    delay = rendition.next_poll_delay()
    check = rendition.mark_submitted(delay)
    if check is not None:
        services.enqueue("refresh_rendition", delay, rendition_id=rendition.pk, check=check)


def keep_polling(rendition: Rendition) -> None:
    if rendition.poll_deadline_passed():
        services.fail(rendition, services.NEVER_FINISHED)
    else:
        services.schedule_refresh(rendition, "refresh_rendition", rendition_id=rendition.pk)


def finished(rendition: Rendition, urls: list[str]) -> None:
    # kie.ai may answer "ready" to the very first request (it was asked before, or it was quick).
    if rendition.status == Status.SUBMITTING:
        rendition.mark_submitted(0)
    if services.mark_finished_upstream(rendition, [u for u in urls if u]):
        rendition.refresh_from_db()
        services.archive_work(rendition, "archive_rendition", rendition_id=rendition.pk)


def refresh(rendition_id: int, check: int | None = None) -> None:
    rendition = Rendition.objects.select_related("generation").get(pk=rendition_id)
    if not services.is_current_check(rendition, check):
        return
    try:
        with get_client() as client:
            ask(rendition, client, first=False)
    except kie_errors.KieError as error:
        # 501 while checking means the upgrade itself failed; other passing troubles are checked again.
        if isinstance(error, kie_errors.Refused) and (not error.transient or error.code == 501):
            services.fail(rendition, error.failure, error)
        else:
            log.info("rendition check failed id=%s code=%s", rendition.uuid, error.code)
            keep_polling(rendition)


def archive(rendition_id: int) -> None:
    rendition = Rendition.objects.get(pk=rendition_id)
    if rendition.status in (Status.ARCHIVING, Status.SUCCEEDED):
        services.archive_work(rendition, "archive_rendition", rendition_id=rendition.pk)
