"""The worker's pipeline (`manage.py db_worker`): every call to kie.ai, from submitting to archiving, and recovery.

Each step moves its row on with one of TrackedWork's status changes (models.py), a conditional UPDATE that must
touch exactly one row, so a step that runs twice (a duplicate task, a second worker, a sweep after a crash) does
nothing the second time, and nothing writes back a row it read before talking to kie.ai. Each video and version
has one status check at a time (``check_number``).

Versions (1080P, 4K, extensions) take the same steps. kie.ai's three follow-ups behave differently, and the
version steps hide that:
- 1080P: a GET that starts the work and answers "processing" (body code 400) until ready, then ``resultUrl``.
  Asking again is how one checks, so an unanswered request is simply asked again.
- 4K: a POST whose first answer is 200, then 422 "processing", then 422 "generated successfully" with URLs.
  Also safe to repeat.
- Extend: a new paid task, polled with record-info like a generation; an unanswered request is "unconfirmed".

The tasks at the end take ids only and are safe to run twice.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F
from django.tasks import Task, task
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from veoui.kie import errors as kie_errors
from veoui.kie.client import KieClient, get_client
from veoui.kie.records import ExtendRequest, GenerateRequest, TaskRecord
from veoui.studio import archive, heartbeat, hooks, ratelimit, rules
from veoui.studio.kie_contact import note_kie_success
from veoui.studio.models import ADOPTABLE, Failure, Generation, InputImage, Rendition, Status, TrackedWork
from veoui.team.language import language_of

log = logging.getLogger(__name__)

# Downloads of finished videos (up to gigabytes) have a queue of their own, with workers of their own, so that
# no download ever holds up a submit or a status check.
ARCHIVE_QUEUE = "archive"
ARCHIVABLE = (Status.ARCHIVING, Status.SUCCEEDED)

Kind = Rendition.Kind

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


# --- what comes next ------------------------------------------------------------------------------------------


def later(step: Task, delay: float = 0, **kwargs: object) -> None:
    if delay:
        step = step.using(run_after=timezone.now() + timedelta(seconds=delay))
    step.enqueue(**kwargs)


def ids_of(work: TrackedWork) -> dict[str, int]:
    return {"rendition_id": work.pk} if isinstance(work, Rendition) else {"generation_id": work.pk}


def submit_later(work: TrackedWork, delay: float = 0) -> None:
    later(submit_rendition if isinstance(work, Rendition) else submit_generation, delay, **ids_of(work))


def check_later(work: TrackedWork, delay: float, check: int) -> None:
    later(refresh_rendition if isinstance(work, Rendition) else refresh_generation, delay, check=check, **ids_of(work))


def archive_later(work: TrackedWork, delay: float = 0) -> None:
    later(archive_rendition if isinstance(work, Rendition) else archive_generation, delay, **ids_of(work))


def callback_url(work: TrackedWork, route: str = "kie_callback") -> str | None:
    if not settings.PUBLIC_BASE_URL:
        return None
    return settings.PUBLIC_BASE_URL + reverse(route, args=[work.uuid, work.callback_token])


# --- shared by videos and versions --------------------------------------------------------------------


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


def requeue(work: TrackedWork, error: kie_errors.KieError) -> None:
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
        log.info("requeued id=%s code=%s delay=%ss", work.uuid, error.code, delay)
        submit_later(work, delay)


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


def started(work: TrackedWork, task_id: str) -> None:
    """kie.ai answered with its task: saved first (a crash from here on only leaves it to be watched), then
    running, with its first status check."""
    work.save_task_id(task_id)
    delay = work.next_poll_delay()
    check = work.mark_submitted(delay, statuses=ADOPTABLE, kie_task_id=task_id)
    if check is not None:
        check_later(work, delay, check)


def schedule_refresh(work: TrackedWork) -> None:
    delay = work.next_poll_delay()
    check = work.schedule_refresh(delay)
    if check is not None:
        check_later(work, delay, check)


def hurry_check(work: TrackedWork) -> bool:
    """A callback said the task ended: check now, unless a callback just did (see TrackedWork.hurry_check)."""
    check = work.hurry_check()
    if check is not None:
        check_later(work, 0, check)
    return check is not None


def is_current_check(work: TrackedWork, check: int | None) -> bool:
    """Whether a status check task is still the one that counts (``None``: queued before checks had numbers)."""
    return work.status == Status.RUNNING and (check is None or check == work.check_number)


def mark_finished_upstream(work: TrackedWork, result_urls: list[str], **changes: object) -> bool:
    """RUNNING to ARCHIVING, once: the caller that wins has the video archived."""
    moved = work.mark_finished(result_urls, by=heartbeat.worker_id(), **changes)
    if moved:
        log.info("finished upstream id=%s task=%s", work.uuid, work.kie_task_id)
    return moved


def archive_retry_delay(attempts: int) -> float:
    return min(3600.0, settings.VEOUI_ARCHIVE_RETRY_BASE * 2 ** max(0, attempts - 1))


def archive_work(work: TrackedWork) -> None:
    """Copy the finished video into our own storage at once: kie.ai's links expire. Retried until it works
    or kie.ai's copy is gone (after 14 days)."""
    model = type(work)
    attempts = work.archive_attempts
    taken = model.objects.filter(
        pk=work.pk, archive_attempts=attempts, video="", archive_gone=False, status__in=ARCHIVABLE
    ).update(archive_attempts=attempts + 1)
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
            archive_later(work, delay)
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


# --- videos -------------------------------------------------------------------------------------------


def submit_video(generation_id: int) -> None:
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
        submit_later(generation, wait)
        return
    if not generation.claim(
        Status.QUEUED, by=heartbeat.worker_id(), status=Status.SUBMITTING, submit_attempts=F("submit_attempts") + 1
    ):
        ratelimit.give_back(generation.owner_id)
        return
    generation.refresh_from_db()
    try:
        with get_client() as client:
            send(generation, client)
    except Exception:
        settle_after_crash(generation)
        raise


def send(generation: Generation, client: KieClient) -> None:
    try:
        image_urls = upload_inputs(generation, client)
    except kie_errors.KieError as error:
        # Uploads cost nothing, so any upload trouble that may pass is simply retried; a lasting refusal
        # (a bad key, a picture kie.ai won't take) is the member's to see.
        if isinstance(error, kie_errors.Refused) and not error.transient:
            fail(generation, error.failure, error)
        else:
            requeue(generation, error)
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
        requeue(generation, error)
    except kie_errors.Refused as error:
        fail(generation, error.failure, error)
    except kie_errors.UnknownOutcome as error:
        mark_unconfirmed(generation, error.upstream_message)
    else:
        started(generation, task_id)
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


def check_video(generation_id: int, check: int | None = None) -> None:
    """Ask kie.ai how the task is doing, and act on the answer: only if this is the check that counts."""
    generation = Generation.objects.get(pk=generation_id)
    if not is_current_check(generation, check):
        return
    try:
        with get_client() as client:
            record = client.record_info(generation.kie_task_id)
    except kie_errors.KieError as error:
        log.info("status check failed id=%s code=%s", generation.uuid, error.code)
        if counts_as_lost(generation, error):
            fail(generation, kie_errors.TASK_LOST, error)
        elif generation.poll_deadline_passed():
            fail(generation, error.failure, error)
        else:
            schedule_refresh(generation)
        return
    note_kie_success()
    known(generation)
    apply_record(generation, record)


def adopt(generation_id: int, task_id: str) -> None:
    """kie.ai called back about a task of a generation whose generate answer was lost (a crash, a timeout).

    The callback only names the task: kie.ai itself must confirm that the task exists and asked for this very
    prompt before the generation takes it as its own and goes on (saved, archived) as if the answer had arrived.
    """
    generation = Generation.objects.get(pk=generation_id)
    if generation.kie_task_id == task_id and generation.status == Status.RUNNING:
        # The answer was saved meanwhile: the callback still means "it has ended".
        hurry_check(generation)
        return
    if (
        not can_adopt(generation, task_id)
        or Generation.objects.filter(kie_task_id=task_id).exclude(pk=generation.pk).exists()
    ):
        return
    if generation.status == Status.SUBMITTING and generation.claimed_by in heartbeat.live_worker_ids():
        # Its worker may still be saving the answer itself; look again in a moment.
        later(adopt_generation, ADOPT_RECHECK_SECONDS, generation_id=generation.pk, task_id=task_id)
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
            schedule_refresh(generation)
    elif record.status == "failed":
        fail_from_record(generation, record)
    elif mark_finished_upstream(
        generation,
        list(record.full_result_urls or record.result_urls),
        result_seed=used_seed(record),
        has_audio=record.has_audio[0] if record.has_audio else None,
        resolution=record.resolution or "",
    ):
        archive_later(generation)


def used_seed(record: TaskRecord) -> int | None:
    """The seed kie.ai says it used, if it is one a seed can be (its answer is not trusted blindly)."""
    seed = record.seeds[0] if record.seeds else None
    return seed if seed is not None and rules.SEED_MIN <= seed <= rules.SEED_MAX else None


def email_owner_if_finished(generation_id: int) -> None:
    """Tell the owner by email that their video is done (or failed), once, whichever worker gets there first."""
    if not settings.VEOUI_EMAIL_OWNERS:
        return
    generation = Generation.objects.select_related("owner").filter(pk=generation_id).first()
    if generation is None or not generation.is_terminal or not generation.owner.email:
        return
    if not generation.claim_owner_notice():
        return
    if generation.status == Status.SUCCEEDED:
        subject = _("Your video is ready")
        body = _("Your video “%(prompt)s” is ready. Watch and download it here: %(link)s")
    else:
        subject = _("Your video could not be made")
        body = _("veoui could not make your video “%(prompt)s”. See why and what to do here: %(link)s")
    send_notice(generation.owner, subject, body, generation.prompt, generation.get_absolute_url(), generation.uuid)


def email_orderer_if_version_finished(rendition_id: int) -> None:
    """The same for a 1080P, 4K or extended version, to the person who ordered it: once, when it has ended."""
    if not settings.VEOUI_EMAIL_OWNERS:
        return
    rendition = Rendition.objects.select_related("owner", "generation").filter(pk=rendition_id).first()
    if rendition is None or not rendition.is_terminal or not rendition.owner.email:
        return
    if not rendition.claim_owner_notice():
        return
    with translation.override(language_of(rendition.owner)):
        subject = rendition.news_title  # the notification's words, in the orderer's language
    if rendition.status == Status.SUCCEEDED:
        body = _("%(title)s: “%(prompt)s”. Watch and download it here: %(link)s")
    else:
        body = _("%(title)s: “%(prompt)s”. See why and what to do here: %(link)s")
    prompt, link = rendition.generation.prompt, rendition.get_absolute_url()
    send_notice(rendition.owner, subject, body, prompt, link, rendition.uuid, title=subject)


def send_notice(
    person: object, subject: object, body: object, prompt: str, path: str, public_id: object, **more: object
) -> None:
    """One email, written in the person's language; a broken mail server is logged, never raised."""
    link = (settings.PUBLIC_BASE_URL or "") + path
    with translation.override(language_of(person)):
        subject, body = str(subject), str(body) % {"prompt": prompt[:200], "link": link, **more}
    try:
        send_mail(subject, body, None, [person.email])
    except OSError as error:
        # Mail is a courtesy: the video is on its page anyway, and a broken mail server must not stop the worker.
        log.warning("could not email id=%s error=%s", public_id, error.__class__.__name__)
    else:
        log.info("owner emailed id=%s", public_id)


# --- versions: 1080P, 4K and extensions ---------------------------------------------------------------


def submit_version(rendition_id: int) -> None:
    rendition = Rendition.objects.select_related("generation").get(pk=rendition_id)
    if rendition.status != Status.QUEUED:
        return
    if rendition.kind == Kind.EXTEND:
        # An extension is a new video for kie.ai's rate limit: it waits for a slot like a generation.
        wait = ratelimit.take_slot(owner_id=rendition.owner_id, waiting_since=rendition.created_at)
        if wait is not None:
            rendition.postpone(wait)
            submit_later(rendition, wait)
            return
    if not rendition.claim(
        Status.QUEUED, by=heartbeat.worker_id(), status=Status.SUBMITTING, submit_attempts=F("submit_attempts") + 1
    ):
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
            requeue(rendition, error)
        except kie_errors.Refused as error:
            if error.transient and rendition.kind != Kind.EXTEND:
                # Asking for 1080P or 4K again costs nothing extra, so a passing refusal is retried.
                requeue(rendition, error)
            else:
                fail(rendition, error.failure, error)
        except kie_errors.UnknownOutcome as error:
            if rendition.kind == Kind.EXTEND:
                mark_unconfirmed(rendition, error.upstream_message)
            else:
                start_polling(rendition)  # asking again is how 1080P and 4K are checked: no double charge
        except Exception:
            settle_after_crash(rendition)
            raise


def ask(rendition: Rendition, client: KieClient, *, first: bool) -> None:
    """One request to kie.ai about this rendition, and what its answer means."""
    callback = callback_url(rendition, "kie_rendition_callback")
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
        started(rendition, task_id)
    else:
        record = client.record_info(rendition.kie_task_id)
        if record.status == "pending":
            keep_polling(rendition)
        elif record.status == "failed":
            fail_from_record(rendition, record)
        else:
            finished(rendition, list(record.full_result_urls or record.result_urls))


def start_polling(rendition: Rendition) -> None:
    delay = rendition.next_poll_delay()
    check = rendition.mark_submitted(delay)
    if check is not None:
        check_later(rendition, delay, check)


def keep_polling(rendition: Rendition) -> None:
    if rendition.poll_deadline_passed():
        fail(rendition, NEVER_FINISHED)
    else:
        schedule_refresh(rendition)


def finished(rendition: Rendition, urls: list[str]) -> None:
    # kie.ai may answer "ready" to the very first request (it was asked before, or it was quick).
    if rendition.status == Status.SUBMITTING:
        rendition.mark_submitted(0)
    if mark_finished_upstream(rendition, [u for u in urls if u]):
        archive_later(rendition)


def check_version(rendition_id: int, check: int | None = None) -> None:
    rendition = Rendition.objects.select_related("generation").get(pk=rendition_id)
    if not is_current_check(rendition, check):
        return
    try:
        with get_client() as client:
            ask(rendition, client, first=False)
    except kie_errors.KieError as error:
        # 501 while checking means the upgrade itself failed; other passing troubles are checked again.
        if isinstance(error, kie_errors.Refused) and (not error.transient or error.code == 501):
            fail(rendition, error.failure, error)
        else:
            log.info("rendition check failed id=%s code=%s", rendition.uuid, error.code)
            keep_polling(rendition)


# --- a task kie.ai no longer knows -----------------------------------------------------------------------
# kie.ai's status check answers "record is null." for a task it doesn't know (kie.ai lost it, or in demo mode the
# simulator was restarted). Right after creating a task it may say so for a moment, so one such answer proves
# nothing; GIVE_UP_AFTER of them in a row do. Any real answer about the task ends the run.

GIVE_UP_AFTER = 3


def counts_as_lost(work: TrackedWork, error: kie_errors.KieError) -> bool:
    """Note a status check that failed with ``error``: True when it was the last "no such task" allowed."""
    if not kie_errors.is_unknown_task(error):
        return False
    running = type(work).objects.filter(pk=work.pk, status=Status.RUNNING)
    running.update(unknown_answers=F("unknown_answers") + 1)
    lost = running.filter(unknown_answers__gte=GIVE_UP_AFTER).exists()
    if lost:
        log.warning("kie.ai doesn't know the task id=%s task=%s", work.uuid, work.kie_task_id)
    return lost


def known(work: TrackedWork) -> None:
    """kie.ai answered about the task: a run of "no such task" answers, if there was one, is over."""
    if work.unknown_answers:
        type(work).objects.filter(pk=work.pk).update(unknown_answers=0)


# --- recovery ---------------------------------------------------------------------------------------------


def take_over(work: TrackedWork, **changes: object) -> bool:
    """Move a dead worker's row on, unless someone else (another sweep) already did."""
    return work.update_if(
        {"status": work.status, "claimed_by": work.claimed_by, "next_check_at": work.next_check_at}, **changes
    )


def recover_model(model: type[TrackedWork]) -> int:
    """Pick up every unfinished row of ``model`` whose worker died or whose next step was lost."""
    now = timezone.now()
    live = heartbeat.live_worker_ids()
    # A row this far past its next check has lost its task chain (a crash) and is picked up again.
    overdue = now - timedelta(seconds=settings.VEOUI_ORPHAN_SECONDS)
    picked = []
    for work in model.objects.filter(status=Status.QUEUED, next_check_at__lt=overdue):
        if take_over(work, next_check_at=now):
            picked.append(work)
            submit_later(work)
    for work in model.objects.filter(status=Status.RUNNING, next_check_at__lt=overdue):
        # A new check, and the lost (or very late) one is void: still one check at a time.
        if (check := work.restart_checks()) is not None:
            picked.append(work)
            check_later(work, 0, check)
    for work in model.objects.filter(status=Status.SUBMITTING).exclude(claimed_by__in=live):
        if work.kie_task_id:
            # The answer was saved, the rest of that step was not: kie.ai has the task, so it is only watched.
            if (check := work.mark_submitted(0, claimed_by=work.claimed_by)) is not None:
                picked.append(work)
                check_later(work, 0, check)
        elif work.request_sent_at is not None:
            # The paid request may have reached kie.ai: never send it again without the member's say.
            if mark_unconfirmed(work, claimed_by=work.claimed_by):
                picked.append(work)
        elif work.release(claimed_by=work.claimed_by):
            # The worker died before the request left: sending it now is the first and only time.
            picked.append(work)
            submit_later(work)
    for work in model.objects.filter(status=Status.ARCHIVING).exclude(claimed_by__in=live):
        if take_over(work, claimed_by=heartbeat.worker_id()):
            picked.append(work)
            archive_later(work)
    for work in model.objects.filter(
        status=Status.SUCCEEDED, video="", archive_gone=False, next_check_at__lt=overdue
    ).exclude(result_urls=[]):
        if take_over(work, next_check_at=now + timedelta(seconds=archive_retry_delay(work.archive_attempts))):
            picked.append(work)
            archive_later(work)
    return len(picked)


def recover() -> int:
    """Everything a crash or restart could have left unfinished is picked up again. Returns how many."""
    count = recover_model(Generation) + recover_model(Rendition)
    if count:
        log.info("recovery picked up %d item(s)", count)
    return count


# --- the tasks ------------------------------------------------------------------------------------------------


@task()
def submit_generation(*, generation_id: int) -> None:
    submit_video(generation_id)
    email_owner_if_finished(generation_id)  # a refusal ends it at once


@task()
def refresh_generation(*, generation_id: int, check: int | None = None) -> None:
    # ``check``: the number of the status check this task makes; one that was overtaken does nothing.
    check_video(generation_id, check)
    email_owner_if_finished(generation_id)


@task()
def adopt_generation(*, generation_id: int, task_id: str) -> None:
    adopt(generation_id, task_id)
    email_owner_if_finished(generation_id)


@task(queue_name=ARCHIVE_QUEUE)
def archive_generation(*, generation_id: int) -> None:
    archive_work(Generation.objects.get(pk=generation_id))
    email_owner_if_finished(generation_id)
    hooks.video_finished(generation_id)  # a video continued from a scene's shot joins that scene


@task()
def submit_rendition(*, rendition_id: int) -> None:
    submit_version(rendition_id)
    email_orderer_if_version_finished(rendition_id)  # a refusal ends it at once


@task()
def refresh_rendition(*, rendition_id: int, check: int | None = None) -> None:
    check_version(rendition_id, check)
    email_orderer_if_version_finished(rendition_id)


@task(queue_name=ARCHIVE_QUEUE)
def archive_rendition(*, rendition_id: int) -> None:
    archive_work(Rendition.objects.get(pk=rendition_id))
    email_orderer_if_version_finished(rendition_id)
