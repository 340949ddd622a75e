"""What spans several models or the upstream: create, submit, refresh, archive and recover generations.

Views call ``create_generation`` (database only); the worker's tasks call the rest, which talk to kie.ai.
Every step claims its row with a conditional UPDATE that must touch exactly one row, so a step that runs twice
(a duplicate task, a second worker, a sweep after a crash) does nothing the second time.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from veoui.kie import errors as kie_errors
from veoui.kie.client import KieClient, get_client
from veoui.kie.records import GenerateRequest, TaskRecord
from veoui.studio import archive, rules, worker_state
from veoui.studio.forms import ImageInput
from veoui.studio.models import Generation, InputImage, Pricing, Status

log = logging.getLogger(__name__)

# A submission kie.ai certainly did not take (busy, rate limited, unreachable) is retried this many times, with
# growing pauses (about 20 minutes in all), before the member is told to try again later.
MAX_SUBMIT_ATTEMPTS = 12
# Status checks that fail (kie.ai unreachable, an unreadable answer) are retried until the poll deadline.
ORPHAN_AFTER = timedelta(seconds=60)

WAITING_FOR_KIE = _("Waiting for kie.ai: it is busy or unreachable right now. veoui keeps trying by itself.")


class DuplicateTokenError(Exception):
    """The submission token belongs to someone else's generation: the form must be reloaded."""


def create_generation(
    *, owner: AbstractBaseUser, mode: str, data: dict, images: list[ImageInput]
) -> tuple[Generation, bool]:
    """Save the generation and its task in one transaction; the same token twice gives the first one back."""
    token = data["submission_token"]
    existing = Generation.objects.filter(submission_token=token).first()
    if existing is not None:
        if existing.owner_id != owner.pk:
            raise DuplicateTokenError
        return existing, False
    pricing = Pricing.current()
    try:
        with transaction.atomic():
            generation = Generation.objects.create(
                owner=owner,
                mode=mode,
                model=data["model"],
                prompt=data["prompt"],
                aspect_ratio=data["aspect_ratio"],
                seed=data.get("seed"),
                watermark=data.get("watermark", ""),
                enable_translation=data.get("enable_translation", False),
                submission_token=token,
                estimated_credits=pricing.for_model(data["model"]),
                next_check_at=timezone.now(),
            )
            for image in images:
                row = InputImage(
                    generation=generation,
                    position=image.position,
                    role=rules.role_for(mode, image.position, len(images)),
                    source_url=image.url,
                    width=image.width,
                    height=image.height,
                )
                if image.file is not None:
                    row.file.save(image.file.name or "picture", image.file, save=False)
                row.save()
            # The task row lives in the same database, so it commits (or not) together with the generation:
            # a crash can't leave a generation that no worker will ever pick up.
            enqueue_submit(generation)
    except IntegrityError:
        # Two requests with the same token raced; the first one won and is the member's generation.
        generation = Generation.objects.get(submission_token=token)
        if generation.owner_id != owner.pk:
            raise DuplicateTokenError from None
        return generation, False
    log.info("generation created id=%s mode=%s model=%s", generation.uuid, mode, generation.model)
    return generation, True


def enqueue_submit(generation: Generation, delay: float = 0) -> None:
    from veoui.studio.tasks import submit_generation

    task = submit_generation
    if delay:
        task = task.using(run_after=timezone.now() + timedelta(seconds=delay))
    task.enqueue(generation_id=generation.pk)


def enqueue_refresh(generation: Generation, delay: float = 0) -> None:
    from veoui.studio.tasks import refresh_generation

    task = refresh_generation
    if delay:
        task = task.using(run_after=timezone.now() + timedelta(seconds=delay))
    task.enqueue(generation_id=generation.pk)


def callback_url(generation: Generation) -> str | None:
    if not settings.PUBLIC_BASE_URL:
        return None
    path = reverse("kie_callback", args=[generation.uuid, generation.callback_token])
    return settings.PUBLIC_BASE_URL + path


def submit(generation_id: int) -> None:
    """Upload the pictures and send the generate request, exactly once."""
    claimed = Generation.objects.filter(pk=generation_id, status=Status.QUEUED).update(
        status=Status.SUBMITTING,
        claimed_by=worker_state.worker_id(),
        submit_attempts=F("submit_attempts") + 1,
        next_check_at=None,
    )
    if not claimed:
        return
    generation = Generation.objects.get(pk=generation_id)
    with get_client() as client:
        send(generation, client)


def send(generation: Generation, client: KieClient) -> None:
    try:
        image_urls = upload_inputs(generation, client)
    except kie_errors.KieError as error:
        # Uploads cost nothing, so any upload trouble short of a refusal is simply retried.
        if isinstance(error, kie_errors.Refused):
            fail(generation, error.failure, error)
        else:
            requeue(generation, error)
        return

    generation.generate_sent_at = timezone.now()
    generation.save(update_fields=["generate_sent_at"])
    request = GenerateRequest(
        prompt=generation.prompt,
        model=generation.model,
        generation_type=generation.mode,
        aspect_ratio=generation.aspect_ratio,
        image_urls=image_urls,
        seed=generation.seed,
        watermark=generation.watermark or None,
        enable_translation=generation.enable_translation,
        callback_url=callback_url(generation),
    )
    try:
        task_id = client.generate(request)
    except kie_errors.NotAccepted as error:
        requeue(generation, error)
    except kie_errors.Refused as error:
        fail(generation, error.failure, error)
    except kie_errors.UnknownOutcome as error:
        mark_unconfirmed(generation, error.upstream_message)
    else:
        now = timezone.now()
        generation.kie_task_id = task_id
        generation.status = Status.RUNNING
        generation.submitted_at = now
        generation.next_check_at = now + timedelta(seconds=settings.VEOUI_POLL_INTERVAL)
        generation.error_category = ""
        generation.error_message = ""
        generation.save()
        log.info("generation submitted id=%s task=%s", generation.uuid, task_id)
        enqueue_refresh(generation, settings.VEOUI_POLL_INTERVAL)


def upload_inputs(generation: Generation, client: KieClient) -> list[str]:
    """kie.ai needs public addresses: local pictures go through its upload API once, pasted ones as they are."""
    urls = []
    for image in generation.images.all():
        if image.source_url:
            urls.append(image.source_url)
            continue
        if not image.uploaded_url:
            with image.file.open("rb") as handle:
                name = f"{generation.uuid.hex}-{image.position}{Path(image.file.name).suffix.lower()}"
                uploaded = client.upload_stream(handle, upload_path="veoui/inputs", file_name=name)
            image.uploaded_url = uploaded.download_url
            image.save(update_fields=["uploaded_url"])
        urls.append(image.uploaded_url)
    return urls


def retry_delay(attempts: int) -> float:
    return min(300.0, 5.0 * 2 ** (attempts - 1))


def requeue(generation: Generation, error: kie_errors.KieError) -> None:
    """kie.ai certainly did not take it: wait and send again, unless it has been refused for too long."""
    if generation.submit_attempts >= MAX_SUBMIT_ATTEMPTS:
        fail(generation, error.failure, error)
        return
    delay = retry_delay(generation.submit_attempts)
    generation.status = Status.QUEUED
    generation.generate_sent_at = None
    generation.claimed_by = ""
    generation.next_check_at = timezone.now() + timedelta(seconds=delay)
    generation.record_failure(
        category=str(error.category),
        message=WAITING_FOR_KIE,
        code=error.code,
        upstream_message=error.upstream_message,
        transient=True,
        status=Status.QUEUED,
    )
    generation.save()
    log.info("generation requeued id=%s code=%s delay=%ss", generation.uuid, error.code, delay)
    enqueue_submit(generation, delay)


def fail(generation: Generation, info: kie_errors.FailureInfo, error: kie_errors.KieError | None = None) -> None:
    generation.record_failure(
        category=str(info.category),
        message=info.message,
        next_step=info.next_step,
        code=error.code if error else None,
        upstream_message=error.upstream_message if error else "",
        transient=info.transient,
    )
    generation.save()
    log.info("generation failed id=%s category=%s code=%s", generation.uuid, info.category, generation.error_code)


def mark_unconfirmed(generation: Generation, upstream_message: str = "") -> None:
    generation.record_failure(
        category=str(kie_errors.Category.UNKNOWN),
        message=_(
            "kie.ai did not answer in time, so veoui can't tell whether it started this video. "
            "It has not been sent again, so you won't pay twice by accident."
        ),
        next_step=_("Send it again (this may cost a second time), or give up on it."),
        upstream_message=upstream_message,
        status=Status.UNCONFIRMED,
    )
    generation.save()
    log.warning("generation unconfirmed id=%s", generation.uuid)


def refresh(generation_id: int) -> None:
    """Ask kie.ai how the task is doing, and act on the answer."""
    generation = Generation.objects.get(pk=generation_id)
    if generation.status != Status.RUNNING:
        return
    try:
        with get_client() as client:
            record = client.record_info(generation.kie_task_id)
    except kie_errors.KieError as error:
        log.info("status check failed id=%s code=%s", generation.uuid, error.code)
        if generation.poll_deadline_passed():
            fail(generation, error.failure, error)
        else:
            schedule_refresh(generation)
        return
    apply_record(generation, record)


def schedule_refresh(generation: Generation) -> None:
    delay = generation.next_poll_delay()
    Generation.objects.filter(pk=generation.pk, status=Status.RUNNING).update(
        poll_count=F("poll_count") + 1, next_check_at=timezone.now() + timedelta(seconds=delay)
    )
    enqueue_refresh(generation, delay)


def apply_record(generation: Generation, record: TaskRecord) -> None:
    """Apply record-info's verdict once: the conditional update lets only one caller move the row on."""
    if record.status == "pending":
        if generation.poll_deadline_passed():
            fail(
                generation,
                kie_errors.FailureInfo(
                    kie_errors.Category.KIE_ERROR,
                    _("kie.ai has been working on this video for much longer than usual and never finished it."),
                    kie_errors.TRY_LATER,
                    True,
                ),
            )
        else:
            schedule_refresh(generation)
        return
    if record.status == "failed":
        info = record.failure
        with transaction.atomic():
            locked = Generation.objects.select_for_update().get(pk=generation.pk)
            if locked.status != Status.RUNNING:
                return
            locked.record_failure(
                category=str(info.category),
                message=info.message,
                next_step=info.next_step,
                code=record.error_code,
                upstream_message=record.error_message or "",
                transient=info.transient,
            )
            locked.save()
        log.info("generation failed upstream id=%s code=%s", generation.uuid, record.error_code)
        return
    moved = Generation.objects.filter(pk=generation.pk, status=Status.RUNNING).update(
        status=Status.ARCHIVING,
        claimed_by=worker_state.worker_id(),
        result_urls=list(record.full_result_urls or record.result_urls),
        result_seed=record.seeds[0] if record.seeds else None,
        has_audio=record.has_audio[0] if record.has_audio else None,
        resolution=record.resolution or "",
        actual_credits=F("estimated_credits"),
        next_check_at=None,
    )
    if moved:
        log.info("generation finished upstream id=%s task=%s", generation.uuid, generation.kie_task_id)
        archive_generation(generation.pk)


def archive_generation(generation_id: int) -> None:
    """Copy the finished video into our storage at once: kie.ai's links expire."""
    generation = Generation.objects.get(pk=generation_id)
    if generation.status != Status.ARCHIVING or not generation.result_urls:
        return
    try:
        saved = archive.archive_video(generation.result_urls[0], f"{generation.uuid.hex}.mp4")
    except archive.ArchiveError as error:
        log.warning("archive failed id=%s reason=%s", generation.uuid, error)
        Generation.objects.filter(pk=generation.pk, status=Status.ARCHIVING).update(
            status=Status.SUCCEEDED,
            finished_at=timezone.now(),
            archive_attempts=F("archive_attempts") + 1,
        )
        return
    Generation.objects.filter(pk=generation.pk, status=Status.ARCHIVING).update(
        status=Status.SUCCEEDED,
        video=saved.video_name,
        poster=saved.poster_name or "",
        video_sha256=saved.sha256,
        video_size=saved.size,
        finished_at=timezone.now(),
        archive_attempts=F("archive_attempts") + 1,
    )
    log.info("generation archived id=%s bytes=%s", generation.uuid, saved.size)


def resubmit(generation: Generation) -> None:
    """The member chose to send an unconfirmed generation again, accepting that it may cost twice."""
    updated = Generation.objects.filter(pk=generation.pk, status=Status.UNCONFIRMED).update(
        status=Status.QUEUED, generate_sent_at=None, claimed_by="", submit_attempts=0, next_check_at=timezone.now()
    )
    if updated:
        enqueue_submit(generation)


def dismiss(generation: Generation) -> None:
    Generation.objects.filter(pk=generation.pk, status=Status.UNCONFIRMED).update(
        status=Status.FAILED, finished_at=timezone.now()
    )


def take_over(generation: Generation, **changes: object) -> bool:
    """Move a dead worker's row on, unless someone else already did."""
    rows = Generation.objects.filter(pk=generation.pk, status=generation.status, claimed_by=generation.claimed_by)
    return rows.update(**changes) == 1


def recover() -> int:
    """Pick up every unfinished generation whose worker died or whose next step was lost. Returns how many."""
    now = timezone.now()
    live = worker_state.live_worker_ids()
    count = 0
    overdue = now - ORPHAN_AFTER
    for generation in Generation.objects.filter(status=Status.QUEUED, next_check_at__lt=overdue):
        Generation.objects.filter(pk=generation.pk, status=Status.QUEUED).update(next_check_at=now)
        enqueue_submit(generation)
        count += 1
    for generation in Generation.objects.filter(status=Status.RUNNING, next_check_at__lt=overdue):
        Generation.objects.filter(pk=generation.pk, status=Status.RUNNING).update(next_check_at=now)
        enqueue_refresh(generation)
        count += 1
    for generation in Generation.objects.filter(status=Status.SUBMITTING).exclude(claimed_by__in=live):
        if generation.generate_sent_at is not None:
            mark_unconfirmed(generation)
        elif take_over(generation, status=Status.QUEUED, claimed_by="", next_check_at=now):
            # The worker died before the generate request left: sending it now is the first and only time.
            enqueue_submit(generation)
        count += 1
    for generation in Generation.objects.filter(status=Status.ARCHIVING).exclude(claimed_by__in=live):
        if take_over(generation, claimed_by=worker_state.worker_id()):
            archive_generation(generation.pk)
        count += 1
    if count:
        log.info("recovery picked up %d generation(s)", count)
    return count
