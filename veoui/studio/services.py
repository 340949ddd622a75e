"""What spans several models or the upstream: create, submit, refresh, archive and recover generations.

Views call ``create_generation`` (database only); the worker's tasks call the rest, which talk to kie.ai.
Every step moves its row on with one of TrackedWork's status changes (models.py), a conditional UPDATE that must
touch exactly one row, so a step that runs twice (a duplicate task, a second worker, a sweep after a crash) does
nothing the second time, and nothing writes back a row it read before talking to kie.ai. Each video has one status
check at a time (``check_number``). Renditions (1080P, 4K, extensions) follow the same discipline in
``renditions.py`` and share the helpers here.
"""

from __future__ import annotations

import logging
import random
import secrets
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from veoui.kie import errors as kie_errors
from veoui.kie.client import KieClient, get_client
from veoui.kie.records import GenerateRequest, TaskRecord
from veoui.studio import archive, heartbeat, lost_tasks, ratelimit, rules
from veoui.studio.forms import ImageInput
from veoui.studio.kie_contact import note_kie_success
from veoui.studio.models import ADOPTABLE, Failure, Generation, InputImage, Pricing, Status, TrackedWork
from veoui.team import budgets
from veoui.team.language import language_of

log = logging.getLogger(__name__)

# A submission kie.ai certainly did not take (busy, rate limited, unreachable) is retried this many times, with
# growing pauses (about 20 minutes in all), before the member is told to try again later.
MAX_SUBMIT_ATTEMPTS = 12

WAITING_FOR_KIE = _("Waiting for kie.ai: it is busy or unreachable right now. veoui keeps trying by itself.")
NEVER_FINISHED = kie_errors.FailureInfo(
    kie_errors.Category.KIE_ERROR,
    _("kie.ai has been working on this for much longer than usual and never finished it."),
    kie_errors.TRY_LATER,
    True,
)


CRASHED_BEFORE_SENDING = kie_errors.FailureInfo(
    kie_errors.Category.UNKNOWN,
    _("veoui ran into a problem of its own before sending this to kie.ai, so nothing was spent."),
    kie_errors.TRY_LATER,
    True,
)


class DuplicateTokenError(Exception):
    """The form's one-time token already made something else (someone else's, or for another video or kind):
    nothing is made, and the form must be reloaded."""


# --- creating (web) -------------------------------------------------------------------------------------


def variation_seeds(seed: int | None, count: int) -> list[int | None]:
    """Distinct seeds for ``count`` videos: seed, seed+1... from a given one, else random ones (kie.ai picks one
    itself for a single video without a seed)."""
    if count == 1:
        return [seed]
    span = rules.SEED_MAX - rules.SEED_MIN + 1
    if seed is None:
        return [rules.SEED_MIN + n for n in random.SystemRandom().sample(range(span), count)]
    return [rules.SEED_MIN + (seed - rules.SEED_MIN + n) % span for n in range(count)]


def group_token(token: uuid.UUID, index: int) -> uuid.UUID:
    """The first video keeps the form's token; its siblings get tokens derived from it, so the whole group is
    keyed by that one token (a double submit finds the first and creates nothing)."""
    return token if index == 0 else uuid.uuid5(token, f"variation-{index}")


def create_generation(
    *, owner: AbstractBaseUser, mode: str, data: dict, images: list[ImageInput]
) -> tuple[Generation, bool]:
    """Save the generation(s) and their tasks in one transaction; the same token twice gives the first one back.

    With ``data["count"]`` above 1, that many variations are saved together as one group, with distinct seeds.
    """
    token = data["submission_token"]
    existing = made_with(token, owner)
    if existing is not None:
        return existing, False
    pricing = Pricing.current()
    count = int(data.get("count") or 1)
    seeds = variation_seeds(data.get("seed"), count)
    group = uuid.uuid4() if count > 1 else None
    try:
        with transaction.atomic():
            # Simultaneous submits queue here, so together they can't spend more than is left, and the same form
            # sent twice at once finds the first one's videos once it is its turn.
            budgets.lock(owner)
            existing = made_with(token, owner)
            if existing is not None:
                return existing, False
            budgets.reserve(owner, pricing.for_model(data["model"]), count=count)  # raises budgets.OverBudget
            made = [
                save_generation(owner, mode, data, images, pricing, seed, group_token(token, index), group)
                for index, seed in enumerate(seeds)
            ]
            generation = made[0]
    except IntegrityError:
        # Two requests with the same token raced; the first one won and is the member's generation.
        return made_with(token, owner), False
    log.info("generation created id=%s mode=%s model=%s count=%d", generation.uuid, mode, generation.model, count)
    return generation, True


def made_with(token: uuid.UUID, owner: AbstractBaseUser) -> Generation | None:
    """The generation a form's one-time token already made, if any; someone else's is refused."""
    existing = Generation.objects.filter(submission_token=token).first()
    if existing is not None and existing.owner_id != owner.pk:
        raise DuplicateTokenError
    return existing


def save_generation(
    owner: AbstractBaseUser,
    mode: str,
    data: dict,
    images: list[ImageInput],
    pricing: Pricing,
    seed: int | None,
    token: uuid.UUID,
    group: uuid.UUID | None,
) -> Generation:
    generation = Generation.objects.create(
        owner=owner,
        mode=mode,
        model=data["model"],
        prompt=data["prompt"],
        aspect_ratio=data["aspect_ratio"],
        seed=seed,
        watermark=data.get("watermark", ""),
        enable_translation=data.get("enable_translation", False),
        visibility=data.get("visibility") or Generation.Visibility.TEAM,
        submission_token=token,
        group=group,
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
            image.file.seek(0)
            row.file.save(image.file.name or "picture", image.file, save=False)
        row.save()
    # The task row lives in the same database, so it commits (or not) together with the generation:
    # a crash can't leave a generation that no worker will ever pick up.
    enqueue("submit_generation", generation_id=generation.pk)
    return generation


def enqueue(task_name: str, delay: float = 0, **ids: int) -> None:
    from veoui.studio import tasks

    task = getattr(tasks, task_name)
    if delay:
        task = task.using(run_after=timezone.now() + timedelta(seconds=delay))
    task.enqueue(**ids)


def callback_url(work: TrackedWork, route: str = "kie_callback") -> str | None:
    if not settings.PUBLIC_BASE_URL:
        return None
    return settings.PUBLIC_BASE_URL + reverse(route, args=[work.uuid, work.callback_token])


# --- shared by generations and renditions ------------------------------------------------------------------


def failure_of(info: kie_errors.FailureInfo, error: kie_errors.KieError | None = None) -> Failure:
    return Failure(
        category=str(info.category),
        message=info.message,
        next_step=info.next_step,
        code=error.code if error else None,
        upstream_message=error.upstream_message if error else "",
        transient=info.transient,
    )


def retry_delay(attempts: int) -> float:
    return min(300.0, 5.0 * 2 ** (attempts - 1))


def requeue(work: TrackedWork, error: kie_errors.KieError, task_name: str, **ids: int) -> None:
    """kie.ai certainly did not take it: wait and send again, unless it has been refused for too long."""
    if work.submit_attempts >= MAX_SUBMIT_ATTEMPTS:
        fail(work, error.failure, error)
        return
    delay = retry_delay(work.submit_attempts)
    waiting = Failure(
        category=str(error.category),
        message=WAITING_FOR_KIE,
        code=error.code,
        upstream_message=error.upstream_message,
        transient=True,
    )
    if work.requeue(delay, waiting):
        log.info("requeued %s id=%s code=%s delay=%ss", task_name, work.uuid, error.code, delay)
        enqueue(task_name, delay, **ids)


def fail(work: TrackedWork, info: kie_errors.FailureInfo, error: kie_errors.KieError | None = None) -> None:
    if work.fail(failure_of(info, error)):
        log.info("failed id=%s category=%s code=%s", work.uuid, info.category, work.error_code)


def fail_from_record(work: TrackedWork, record: TaskRecord) -> None:
    """kie.ai accepted the task and then failed it (moderation, busy models...): applied once."""
    info = record.failure
    failure = Failure(
        category=str(info.category),
        message=info.message,
        next_step=info.next_step,
        code=record.error_code,
        upstream_message=record.error_message or "",
        transient=info.transient,
    )
    if work.fail(failure):
        log.info("failed upstream id=%s code=%s", work.uuid, record.error_code)


def mark_unconfirmed(work: TrackedWork, upstream_message: str = "", **where: object) -> bool:
    moved = work.mark_unconfirmed(upstream_message, **where)
    if moved:
        log.warning("unconfirmed id=%s", work.uuid)
    return moved


def started(work: TrackedWork, task_id: str, task_name: str, **ids: int) -> None:
    """kie.ai answered with its task: saved first (a crash from here on only leaves it to be watched), then
    running, with its first status check."""
    work.save_task_id(task_id)
    delay = work.next_poll_delay()
    check = work.mark_submitted(delay, statuses=ADOPTABLE, kie_task_id=task_id)
    if check is not None:
        enqueue(task_name, delay, check=check, **ids)


def schedule_refresh(work: TrackedWork, task_name: str, **ids: int) -> None:
    delay = work.next_poll_delay()
    check = work.schedule_refresh(delay)
    if check is not None:
        enqueue(task_name, delay, check=check, **ids)


def hurry_check(work: TrackedWork, task_name: str, **ids: int) -> bool:
    """A callback said the task ended: check now, unless a callback just did (see TrackedWork.hurry_check)."""
    check = work.hurry_check()
    if check is not None:
        enqueue(task_name, check=check, **ids)
    return check is not None


def is_current_check(work: TrackedWork, check: int | None) -> bool:
    """Whether a status check task is still the one that counts (``None``: queued before checks had numbers)."""
    return work.status == Status.RUNNING and (check is None or check == work.check_number)


def mark_finished_upstream(work: TrackedWork, result_urls: list[str], **changes: object) -> bool:
    """RUNNING to ARCHIVING, once: the caller that wins archives the video."""
    moved = work.mark_finished(result_urls, **changes)
    if moved:
        log.info("finished upstream id=%s task=%s", work.uuid, work.kie_task_id)
    return moved


def archive_retry_delay(attempts: int) -> float:
    return min(3600.0, settings.VEOUI_ARCHIVE_RETRY_BASE * 2 ** max(0, attempts - 1))


def archive_work(work: TrackedWork, task_name: str, **ids: int) -> None:
    """Copy the finished video into our own storage at once: kie.ai's links expire. Retried until it works
    or kie.ai's copy is gone (after 14 days)."""
    model = type(work)
    attempts = work.archive_attempts
    taken = model.objects.filter(pk=work.pk, archive_attempts=attempts, video="", archive_gone=False).update(
        archive_attempts=attempts + 1
    )
    if not taken or not work.result_urls:
        return
    url = work.result_urls[0]
    name = f"{work.uuid.hex}.mp4"
    refused = None
    try:
        saved = archive.archive_video(url, name)
    except archive.ArchiveError as error:
        saved = None
        reason = str(error)
        # kie.ai's links sometimes die long before 14 days; its download-url endpoint hands out a fresh one.
        try:
            with get_client() as client:
                saved = archive.archive_video(client.download_url(url), name)
        except (kie_errors.KieError, archive.ArchiveError) as second:
            reason = f"{reason}; fresh link: {second}"
            refused = second if isinstance(second, archive.Refused) else None
    if saved is None and refused is not None:
        refuse_archive(work, refused, reason)
        return
    if saved is None:
        gone = timezone.now() > work.expires_at
        delay = archive_retry_delay(attempts + 1)
        work.mark_archive_failed(gone=gone, retry_in=delay)
        log.warning("archive failed id=%s attempt=%d reason=%s", work.uuid, attempts + 1, reason)
        if not gone:
            enqueue(task_name, delay, **ids)
        return
    work.mark_archived(video=saved.video_name, poster=saved.poster_name or "", sha256=saved.sha256, size=saved.size)
    log.info("archived id=%s bytes=%s sha256=%s", work.uuid, saved.size, saved.sha256[:12])


def refuse_archive(work: TrackedWork, error: archive.Refused, reason: str) -> None:
    """Both of kie.ai's links lead where veoui won't fetch from, or to something that isn't a video: the member
    is told in plain words, and veoui stops trying (the same links would give the same answer)."""
    failure = Failure(
        category=str(kie_errors.Category.KIE_ERROR),
        message=error.message,
        next_step=kie_errors.CONTACT_ADMIN,
        upstream_message=reason,
    )
    if work.mark_archive_refused(failure):
        log.warning("archive refused id=%s reason=%s", work.uuid, reason)


def retry_archive_now(work: TrackedWork, task_name: str, **ids: int) -> None:
    """The member asked: try again at once (the automatic retries go on regardless)."""
    if work.is_only_on_kie and not work.archive_gone:
        enqueue(task_name, **ids)


# --- generations (worker) ---------------------------------------------------------------------------------


def submit(generation_id: int) -> None:
    """Upload the pictures and send the generate request, exactly once."""
    generation = Generation.objects.get(pk=generation_id)
    if generation.status != Status.QUEUED:
        return
    # kie.ai's rate limit is the team's: wait for a slot, in turn with the others (see ratelimit.py).
    wait = ratelimit.take_slot(
        owner_id=generation.owner_id, waiting_since=generation.created_at, exclude_pk=generation.pk
    )
    if wait is not None:
        generation.postpone(wait)
        enqueue("submit_generation", wait, generation_id=generation.pk)
        return
    if not generation.claim(Status.QUEUED, status=Status.SUBMITTING, submit_attempts=F("submit_attempts") + 1):
        ratelimit.give_back(generation.owner_id)
        return
    generation.refresh_from_db()
    try:
        with get_client() as client:
            send(generation, client)
    except Exception:
        settle_after_crash(generation)
        raise


def settle_after_crash(work: TrackedWork) -> None:
    """A submit step crashed midway: never leave the work in "submitting", where nothing moves it on.

    If the paid request may have left, the member decides (unconfirmed); if kie.ai's task id was saved, the
    recovery sweep watches it; if nothing was sent, nothing was spent and the member is told so.
    """
    work.refresh_from_db()
    if work.status != Status.SUBMITTING:
        return
    if work.kie_task_id:
        take_over(work, claimed_by="")
    elif work.request_sent_at is not None:
        mark_unconfirmed(work, "veoui crashed after sending")
    else:
        fail(work, CRASHED_BEFORE_SENDING)


def send(generation: Generation, client: KieClient) -> None:
    ids = {"generation_id": generation.pk}
    try:
        image_urls = upload_inputs(generation, client)
    except kie_errors.KieError as error:
        # Uploads cost nothing, so any upload trouble that may pass is simply retried; a lasting refusal
        # (a bad key, a picture kie.ai won't take) is the member's to see.
        if isinstance(error, kie_errors.Refused) and not error.transient:
            fail(generation, error.failure, error)
        else:
            requeue(generation, error, "submit_generation", **ids)
        return

    if not generation.mark_request_sent():
        return
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
        requeue(generation, error, "submit_generation", **ids)
    except kie_errors.Refused as error:
        fail(generation, error.failure, error)
    except kie_errors.UnknownOutcome as error:
        mark_unconfirmed(generation, error.upstream_message)
    else:
        started(generation, task_id, "refresh_generation", **ids)
        log.info("generation submitted id=%s task=%s", generation.uuid, task_id)
        note_kie_success()


def upload_inputs(generation: Generation, client: KieClient) -> list[str]:
    """kie.ai needs public addresses: local pictures go through its upload API, pasted ones as they are.

    kie.ai deletes uploads after 3 days, so a picture uploaded long ago (a video sent again, or queued while
    kie.ai was busy) is uploaded again from veoui's own copy.
    """
    urls = []
    for image in generation.images.all():
        if image.source_url:
            urls.append(image.source_url)
            continue
        if image.needs_upload:
            with image.file.open("rb") as handle:
                name = f"{generation.uuid.hex}-{image.position}{Path(image.file.name).suffix.lower()}"
                uploaded = client.upload_stream(handle, upload_path="veoui/inputs", file_name=name)
            note_kie_success()
            image.uploaded_url, image.uploaded_at = uploaded.download_url, timezone.now()
            InputImage.objects.filter(pk=image.pk).update(
                uploaded_url=image.uploaded_url, uploaded_at=image.uploaded_at
            )
        urls.append(image.uploaded_url)
    return urls


def refresh(generation_id: int, check: int | None = None) -> None:
    """Ask kie.ai how the task is doing, and act on the answer: only if this is the check that counts."""
    generation = Generation.objects.get(pk=generation_id)
    if not is_current_check(generation, check):
        return
    try:
        with get_client() as client:
            record = client.record_info(generation.kie_task_id)
    except kie_errors.KieError as error:
        log.info("status check failed id=%s code=%s", generation.uuid, error.code)
        if lost_tasks.counts_as_lost(generation, error):
            fail(generation, kie_errors.TASK_LOST, error)
        elif generation.poll_deadline_passed():
            fail(generation, error.failure, error)
        else:
            schedule_refresh(generation, "refresh_generation", generation_id=generation.pk)
        return
    note_kie_success()
    lost_tasks.known(generation)
    apply_record(generation, record)


def adopt(generation_id: int, task_id: str) -> None:
    """kie.ai called back about a task of a generation whose generate answer was lost (a crash, a timeout).

    The callback only names the task: kie.ai itself must confirm that the task exists and asked for this very
    prompt before the generation takes it as its own and goes on (saved, archived) as if the answer had arrived.
    """
    generation = Generation.objects.get(pk=generation_id)
    if generation.kie_task_id == task_id and generation.status == Status.RUNNING:
        # The answer was saved meanwhile: the callback still means "it has ended".
        hurry_check(generation, "refresh_generation", generation_id=generation.pk)
        return
    if (
        not can_adopt(generation, task_id)
        or Generation.objects.filter(kie_task_id=task_id).exclude(pk=generation.pk).exists()
    ):
        return
    if generation.status == Status.SUBMITTING and generation.claimed_by in heartbeat.live_worker_ids():
        # Its worker may still be saving the answer itself; look again in a moment.
        enqueue("adopt_generation", ADOPT_RECHECK_SECONDS, generation_id=generation.pk, task_id=task_id)
        return
    if generation.kie_task_id:
        return  # the answer was saved and its worker died: recovery watches the task from here
    try:
        with get_client() as client:
            record = client.record_info(task_id)
    except kie_errors.KieError as error:
        log.info("callback task not confirmed id=%s code=%s", generation.uuid, error.code)
        return
    if record.task_id != task_id or record.params.get("prompt") != generation.prompt:
        log.warning("callback task does not match id=%s", generation.uuid)
        return
    if generation.adopt_task(task_id):
        log.info("generation confirmed by callback id=%s task=%s", generation.uuid, task_id)
        generation.refresh_from_db()
        apply_record(generation, record)


ADOPT_RECHECK_SECONDS = 1.0


def can_adopt(work: TrackedWork, task_id: str) -> bool:
    """Whether a callback about ``task_id`` may concern this work before its answer was saved: the request left,
    and no other task id was saved for it."""
    return work.request_sent_at is not None and work.status in ADOPTABLE and work.kie_task_id in ("", task_id)


def apply_record(generation: Generation, record: TaskRecord) -> None:
    """Apply record-info's verdict once."""
    if record.status == "pending":
        if generation.poll_deadline_passed():
            fail(generation, NEVER_FINISHED)
        else:
            schedule_refresh(generation, "refresh_generation", generation_id=generation.pk)
    elif record.status == "failed":
        fail_from_record(generation, record)
    elif mark_finished_upstream(
        generation,
        list(record.full_result_urls or record.result_urls),
        result_seed=used_seed(record),
        has_audio=record.has_audio[0] if record.has_audio else None,
        resolution=record.resolution or "",
    ):
        generation.refresh_from_db()
        archive_work(generation, "archive_generation", generation_id=generation.pk)


def used_seed(record: TaskRecord) -> int | None:
    """The seed kie.ai says it used, if it is one a seed can be (its answer is not trusted blindly)."""
    seed = record.seeds[0] if record.seeds else None
    return seed if seed is not None and rules.SEED_MIN <= seed <= rules.SEED_MAX else None


def archive_generation(generation_id: int) -> None:
    generation = Generation.objects.get(pk=generation_id)
    if generation.status in (Status.ARCHIVING, Status.SUCCEEDED):
        archive_work(generation, "archive_generation", generation_id=generation.pk)


# --- the member's choices -----------------------------------------------------------------------------------


def dismiss(work: TrackedWork) -> None:
    work.dismiss()


# --- recovery -----------------------------------------------------------------------------------------------


def take_over(work: TrackedWork, **changes: object) -> bool:
    """Move a dead worker's row on, unless someone else (another sweep) already did."""
    return work.update_if(
        {"status": work.status, "claimed_by": work.claimed_by, "next_check_at": work.next_check_at}, **changes
    )


def recover_model(model: type[TrackedWork], tasks: dict[str, str], id_name: str) -> int:
    """Pick up every unfinished row of ``model`` whose worker died or whose next step was lost."""
    now = timezone.now()
    live = heartbeat.live_worker_ids()
    # A row this far past its next check has lost its task chain (a crash) and is picked up again.
    overdue = now - timedelta(seconds=settings.VEOUI_ORPHAN_SECONDS)
    count = 0

    def again(work: TrackedWork, task_name: str, **check: int) -> None:
        nonlocal count
        count += 1
        enqueue(task_name, **{id_name: work.pk}, **check)

    for work in model.objects.filter(status=Status.QUEUED, next_check_at__lt=overdue):
        if take_over(work, next_check_at=now):
            again(work, tasks["submit"])
    for work in model.objects.filter(status=Status.RUNNING, next_check_at__lt=overdue):
        # A new check, and the lost (or very late) one is void: still one check at a time.
        if (check := work.restart_checks()) is not None:
            again(work, tasks["refresh"], check=check)
    for work in model.objects.filter(status=Status.SUBMITTING).exclude(claimed_by__in=live):
        if work.kie_task_id:
            # The answer was saved, the rest of that step was not: kie.ai has the task, so it is only watched.
            if (check := work.mark_submitted(0, claimed_by=work.claimed_by)) is not None:
                again(work, tasks["refresh"], check=check)
        elif work.request_sent_at is not None:
            # The paid request may have reached kie.ai: never send it again without the member's say.
            if mark_unconfirmed(work, claimed_by=work.claimed_by):
                count += 1
        elif work.release(claimed_by=work.claimed_by):
            # The worker died before the request left: sending it now is the first and only time.
            again(work, tasks["submit"])
    for work in model.objects.filter(status=Status.ARCHIVING).exclude(claimed_by__in=live):
        if take_over(work, claimed_by=heartbeat.worker_id()):
            again(work, tasks["archive"])
    for work in model.objects.filter(
        status=Status.SUCCEEDED, video="", archive_gone=False, next_check_at__lt=overdue
    ).exclude(result_urls=[]):
        if take_over(work, next_check_at=now + timedelta(seconds=archive_retry_delay(work.archive_attempts))):
            again(work, tasks["archive"])
    return count


def recover() -> int:
    """Everything a crash or restart could have left unfinished is picked up again. Returns how many."""
    from veoui.studio.models import Rendition

    count = recover_model(
        Generation,
        {"submit": "submit_generation", "refresh": "refresh_generation", "archive": "archive_generation"},
        "generation_id",
    )
    count += recover_model(
        Rendition,
        {"submit": "submit_rendition", "refresh": "refresh_rendition", "archive": "archive_rendition"},
        "rendition_id",
    )
    if count:
        log.info("recovery picked up %d item(s)", count)
    return count


def reuse_images(generation: Generation) -> list[ImageInput]:
    """The pictures of an earlier generation, for a new one with the same settings."""
    images = []
    for image in generation.images.all():
        if image.file:
            with image.file.open("rb") as handle:
                content = ContentFile(handle.read(), name=Path(image.file.name).name)
            images.append(ImageInput(image.position, file=content, width=image.width, height=image.height))
        else:
            images.append(ImageInput(image.position, url=image.source_url))
    return images


def rerun_data(generation: Generation, token: object, *, vary: bool = False) -> dict:
    """The settings of ``generation`` for a new one; ``vary`` picks a new random seed (never the same one)."""
    seed = generation.seed
    if vary:
        previous = generation.seed or generation.result_seed
        seed = previous
        while seed == previous:
            seed = secrets.randbelow(rules.SEED_MAX - rules.SEED_MIN + 1) + rules.SEED_MIN
    return {
        "submission_token": token,
        "model": generation.model,
        "prompt": generation.prompt,
        "aspect_ratio": generation.aspect_ratio,
        "seed": seed,
        "watermark": generation.watermark,
        "enable_translation": generation.enable_translation,
        "visibility": generation.visibility,
    }


def can_delete(generation: Generation) -> bool:
    """Only work the worker no longer touches: otherwise a file could be written after its removal."""
    settled = {Status.SUCCEEDED, Status.FAILED, Status.UNCONFIRMED}
    return generation.status in settled and all(r.status in settled for r in generation.renditions.all())


def delete_generation(generation: Generation) -> None:
    """Remove the video, poster, pictures and versions' files from storage, then the rows.

    The spend stays counted: budgets sum what was charged this month, and deleting must not give credits back.
    That is why the row is kept (hidden everywhere, ``deleted_at`` set) with its files gone.
    """
    names = [generation.video.name, generation.poster.name]
    names += [image.file.name for image in generation.images.all()]
    for rendition in generation.renditions.all():
        names += [rendition.video.name, rendition.poster.name]
    with transaction.atomic():
        generation.update_if({}, deleted_at=timezone.now(), video="", poster="")
        generation.renditions.update(video="", poster="")
        generation.images.update(file="")
    storage = generation.video.storage
    for name in filter(None, names):
        try:
            storage.delete(name)
        except OSError:
            log.warning("could not delete file id=%s name=%s", generation.uuid, name)
    log.info("deleted id=%s files=%d", generation.uuid, len([n for n in names if n]))


def email_owner_if_finished(generation_id: int) -> None:
    """Tell the owner by email that their video is done (or failed), once, whichever worker gets there first."""
    if not settings.VEOUI_EMAIL_OWNERS:
        return
    generation = Generation.objects.select_related("owner").filter(pk=generation_id).first()
    if generation is None or not generation.is_terminal or not generation.owner.email:
        return
    claimed = Generation.objects.filter(pk=generation.pk, owner_notified_at__isnull=True).update(
        owner_notified_at=timezone.now()
    )
    if claimed != 1:
        return
    link = (settings.PUBLIC_BASE_URL or "") + generation.get_absolute_url()
    if generation.status == Status.SUCCEEDED:
        subject = _("Your video is ready")
        body = _("Your video “%(prompt)s” is ready. Watch and download it here: %(link)s")
    else:
        subject = _("Your video could not be made")
        body = _("veoui could not make your video “%(prompt)s”. See why and what to do here: %(link)s")
    with translation.override(language_of(generation.owner)):  # written in the owner's language
        subject, body = str(subject), str(body) % {"prompt": generation.prompt[:200], "link": link}
    try:
        send_mail(subject, body, None, [generation.owner.email])
    except OSError as error:
        # Mail is a courtesy: the video is on its page anyway, and a broken mail server must not stop the worker.
        log.warning("could not email id=%s error=%s", generation.uuid, error.__class__.__name__)
    else:
        log.info("owner emailed id=%s", generation.uuid)
