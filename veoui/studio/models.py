from __future__ import annotations

import hashlib
import math
import secrets
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from veoui.common.search import SearchTextField
from veoui.kie.errors import Category
from veoui.studio import rules


class Pricing(models.Model):
    """What kie.ai charges, in credits. One row, edited by an admin; nothing in code assumes a price."""

    usd_per_credit = models.DecimalField(max_digits=8, decimal_places=5, default=Decimal("0.005"))
    quality = models.DecimalField(_("Quality video"), max_digits=8, decimal_places=2, default=Decimal(250))
    fast = models.DecimalField(_("Fast video"), max_digits=8, decimal_places=2, default=Decimal(60))
    lite = models.DecimalField(_("Lite video"), max_digits=8, decimal_places=2, default=Decimal(30))
    upgrade_1080p = models.DecimalField(_("1080P version"), max_digits=8, decimal_places=2, default=Decimal(5))
    upgrade_4k = models.DecimalField(_("4K version"), max_digits=8, decimal_places=2, default=Decimal(120))

    class Meta:
        verbose_name = _("price table")
        verbose_name_plural = _("price table")

    def __str__(self) -> str:
        return str(_("kie.ai prices"))

    @classmethod
    def current(cls) -> Pricing:
        pricing, _created = cls.objects.get_or_create(pk=1)
        return pricing

    def for_model(self, model_key: str) -> Decimal:
        return {rules.QUALITY: self.quality, rules.FAST: self.fast, rules.LITE: self.lite}[model_key]

    def usd(self, credits: Decimal) -> Decimal:
        return (credits * self.usd_per_credit).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    def as_json(self) -> dict:
        return {
            "usdPerCredit": float(self.usd_per_credit),
            "models": {key: float(self.for_model(key)) for key in rules.MODELS},
        }


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SUBMITTING = "submitting", _("Sending to kie.ai")
    RUNNING = "running", _("Generating")
    ARCHIVING = "archiving", _("Saving the video")
    UNCONFIRMED = "unconfirmed", _("Needs your decision")
    SUCCEEDED = "succeeded", _("Ready")
    FAILED = "failed", _("Failed")


TERMINAL = {Status.SUCCEEDED, Status.FAILED}
# Work whose request may have reached kie.ai without its answer being saved yet (or ever).
ADOPTABLE = {Status.SUBMITTING, Status.UNCONFIRMED}
KIE_RETENTION_DAYS = 14

UNCONFIRMED_MESSAGE = _(
    "kie.ai did not answer in time, so veoui can't tell whether it started this. "
    "It has not been sent again, so you won't pay twice by accident."
)
UNCONFIRMED_NEXT_STEP = _("Send it again (this may cost a second time), or give up on it.")
# A video its member cancelled while it waited in veoui's queue: failed, with nothing charged.
CANCELLED = "cancelled"
CANCELLED_MESSAGE = _("You cancelled this video before it was sent to kie.ai, so nothing was spent.")


def new_callback_token() -> str:
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class Failure:
    """What went wrong, as it is stored on the row: ``message`` and ``next_step`` in the words the code has
    (each page translates them for its reader), kie.ai's own words for admins."""

    category: str
    message: str | Promise
    next_step: str | Promise = ""
    code: int | None = None
    upstream_message: str = ""
    transient: bool = False

    def fields(self, status: str) -> dict[str, object]:
        now = timezone.now()
        with translation.override(None):
            message, next_step = str(self.message), str(self.next_step)
        fields: dict[str, object] = {
            "status": status,
            "error_category": str(self.category),
            "error_code": self.code,
            "error_message": message,
            "error_next_step": next_step,
            "error_transient": self.transient,
            "upstream_message": self.upstream_message[:500],
            "error_at": now,
        }
        if status in TERMINAL:
            fields.update(finished_at=now, next_check_at=None)
        return fields


NO_ERROR = {
    "error_category": "",
    "error_code": None,
    "error_message": "",
    "error_next_step": "",
    "error_transient": False,
    "upstream_message": "",
    "error_at": None,
}


class TrackedWork(models.Model):
    """What a generation and a rendition share: one kie.ai task, its status, its archived video, its cost.

    Status moves only forward. Every change of status is one of the methods below: a conditional UPDATE that
    names the fields it owns and the status it expects, so nothing ever writes back a row read seconds ago (a
    visibility change made meanwhile stays) and a step that lost a race changes nothing.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    kie_task_id = models.CharField(max_length=64, blank=True, db_index=True)
    callback_token = models.CharField(max_length=64, default=new_callback_token, editable=False)
    submit_attempts = models.PositiveSmallIntegerField(default=0)
    # Set, and committed, just before a paid request leaves: after a crash it tells "maybe sent" apart from
    # "certainly not sent", which decides between sending it now and asking the member.
    request_sent_at = models.DateTimeField(null=True, blank=True)
    # When the worker should act next (submit again or check the status); a row far past it has lost its
    # task chain (a crash) and the recovery sweep picks it up.
    next_check_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=80, blank=True)
    poll_count = models.PositiveIntegerField(default=0)
    # Status checks in a row that kie.ai answered "no such task" (veoui.studio.lost_tasks).
    unknown_answers = models.PositiveSmallIntegerField(default=0)
    # The number of the one status check that counts: each scheduled check carries it, and a check whose number
    # is no longer this one (overtaken by a callback's or by recovery) does nothing. One video, one check.
    check_number = models.PositiveIntegerField(default=0)
    # The last check a callback brought forward (see hurry_check).
    hurried_check = models.PositiveIntegerField(default=0)

    result_urls = models.JSONField(default=list, blank=True)
    video = models.FileField(upload_to="videos/%Y/%m/", blank=True)
    video_sha256 = models.CharField(max_length=64, blank=True)
    video_size = models.PositiveBigIntegerField(null=True, blank=True)
    poster = models.FileField(upload_to="posters/%Y/%m/", blank=True)
    archive_attempts = models.PositiveSmallIntegerField(default=0)
    # kie.ai answered that its copy no longer exists: archiving stops trying.
    archive_gone = models.BooleanField(default=False)

    estimated_credits = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(0))
    actual_credits = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)

    error_category = models.CharField(max_length=20, blank=True)
    error_code = models.IntegerField(null=True, blank=True)
    error_message = models.TextField(blank=True)
    error_next_step = models.TextField(blank=True)
    error_transient = models.BooleanField(default=False)
    upstream_message = models.TextField(blank=True)
    error_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL

    @property
    def is_watchable(self) -> bool:
        """Whether the worker is still moving it on by itself, so the status card keeps checking."""
        return self.status not in TERMINAL and self.status != Status.UNCONFIRMED

    @property
    def typical_seconds(self) -> int:
        raise NotImplementedError

    @property
    def elapsed(self) -> timedelta:
        return (self.finished_at or timezone.now()) - self.created_at

    @property
    def elapsed_seconds(self) -> int:
        return max(0, int(self.elapsed.total_seconds()))

    @property
    def progress_seconds(self) -> float:
        """How long kie.ai has been at it (or, before that, since it was asked for): what progress is estimated from."""
        return max(0.0, (timezone.now() - (self.submitted_at or self.created_at)).total_seconds())

    @property
    def progress_percent(self) -> int:
        """A progress estimate from the typical duration; it never claims 100% before the end.

        static/js/veoui.js moves the bar on between checks with the same formula.
        """
        if self.status == Status.SUCCEEDED:
            return 100
        return max(3, min(95, int(self.progress_seconds / self.typical_seconds * 90)))

    @property
    def status_label(self) -> str:
        """The status in words (as get_status_display, without looking through every choice each time)."""
        if self.error_category == CANCELLED:
            return str(_("Cancelled"))
        return str(Status(self.status).label)

    def fingerprint(self) -> str:
        """What the status card of work in progress says, apart from the time counting up, in a few characters.

        The card sends it back with each check; while it still matches, nothing is re-rendered or sent (the browser
        moves the clock and the progress bar on by itself). Status, stage in words, a passing problem, language.
        """
        shown = (self.status, self.stage_text, self.error_transient, self.error_message, translation.get_language())
        return hashlib.blake2s(repr(shown).encode(), digest_size=8).hexdigest()

    @property
    def expires_at(self) -> datetime:
        """When kie.ai deletes its copy (it keeps results 14 days)."""
        return (self.finished_at or self.created_at) + timedelta(days=KIE_RETENTION_DAYS)

    @property
    def is_only_on_kie(self) -> bool:
        """Finished, but our own copy is missing: the video lives on kie.ai until it expires."""
        return self.status == Status.SUCCEEDED and not self.video and bool(self.result_urls)

    @property
    def days_left_on_kie(self) -> int:
        return max(0, math.ceil((self.expires_at - timezone.now()).total_seconds() / 86400))

    @property
    def playable_url(self) -> str:
        return self.result_urls[0] if self.result_urls else ""

    # --- status changes ------------------------------------------------------------------------------------

    def update_if(self, where: dict[str, object], **fields: object) -> bool:
        """UPDATE this row SET ``fields`` WHERE ``where`` holds; True when it did. The values set (not the
        database expressions) are kept on this instance too."""
        moved = type(self).objects.filter(pk=self.pk, **where).update(**fields) == 1
        if moved:
            for name, value in fields.items():
                if not hasattr(value, "resolve_expression"):
                    setattr(self, name, value)
        return moved

    def claim(self, from_status: str, *, by: str, **fields: object) -> bool:
        """The worker ``by`` moves it on from ``from_status``, unless someone else already did."""
        return self.update_if({"status": from_status}, claimed_by=by, **fields)

    def mark_request_sent(self) -> bool:
        """Committed just before the paid request leaves (see ``request_sent_at``)."""
        return self.update_if({"status": Status.SUBMITTING}, request_sent_at=timezone.now())

    def requeue(self, delay: float, failure: Failure) -> bool:
        """kie.ai certainly did not take it: queued again, to be sent after ``delay`` seconds."""
        return self.update_if(
            {"status": Status.SUBMITTING},
            request_sent_at=None,
            claimed_by="",
            next_check_at=timezone.now() + timedelta(seconds=delay),
            **failure.fields(Status.QUEUED),
        )

    def release(self, **where: object) -> bool:
        """Recovery: its worker died before the request left, so it goes back to the queue, to be sent now."""
        return self.update_if(
            {"status": Status.SUBMITTING, **where}, status=Status.QUEUED, claimed_by="", next_check_at=timezone.now()
        )

    def postpone(self, delay: float) -> bool:
        """Still queued, to be sent after ``delay`` seconds (kie.ai's rate limit is the team's)."""
        return self.update_if({"status": Status.QUEUED}, next_check_at=timezone.now() + timedelta(seconds=delay))

    def fail(self, failure: Failure) -> bool:
        """Failed, if it is still where this worker last saw it: a failure that comes after a success, or from a
        status check another one overtook (a callback's), changes nothing."""
        where: dict[str, object] = {"status": self.status}
        if self.status == Status.RUNNING:
            where["check_number"] = self.check_number
        return self.update_if(where, **failure.fields(Status.FAILED))

    def mark_unconfirmed(self, upstream_message: str = "", **where: object) -> bool:
        """The paid request left and no answer came back: the member decides (``where``: what recovery saw)."""
        failure = Failure(
            Category.UNKNOWN, UNCONFIRMED_MESSAGE, UNCONFIRMED_NEXT_STEP, upstream_message=upstream_message
        )
        return self.update_if(
            {"status": Status.SUBMITTING, **where}, claimed_by="", **failure.fields(Status.UNCONFIRMED)
        )

    def save_task_id(self, task_id: str) -> bool:
        """kie.ai's answer, saved before anything else: from here on the task is only ever watched."""
        return self.update_if({"kie_task_id": ""}, kie_task_id=task_id)

    def mark_submitted(
        self, delay: float, *, statuses: Collection[str] = (Status.SUBMITTING,), **where: object
    ) -> int | None:
        """kie.ai took it: running, its first status check due in ``delay`` seconds. Returns that check's number
        (for the task that makes it), or None when someone else moved it on."""
        now = timezone.now()
        number = self.check_number + 1
        moved = self.update_if(
            {"status__in": list(statuses), "check_number": self.check_number, **where},
            status=Status.RUNNING,
            claimed_by="",
            submitted_at=now,
            next_check_at=now + timedelta(seconds=delay),
            check_number=number,
            **NO_ERROR,
        )
        return number if moved else None

    def schedule_refresh(self, delay: float) -> int | None:
        """Still running after the check this worker made: the next one in ``delay`` seconds. Returns its number,
        or None when this check was overtaken (then the check that overtook it goes on)."""
        number = self.check_number + 1
        moved = self.update_if(
            {"status": Status.RUNNING, "check_number": self.check_number},
            check_number=number,
            poll_count=F("poll_count") + 1,
            next_check_at=timezone.now() + timedelta(seconds=delay),
        )
        return number if moved else None

    def hurry_check(self) -> int | None:
        """A callback says kie.ai is done: the next check is now, instead of the one scheduled (which then does
        nothing). Not again for the check that one schedules, so replayed callbacks add at most one check per
        poll interval. Returns the new check's number, or None."""
        hurried_last = self.hurried_check and self.hurried_check >= self.check_number - 1
        if self.status != Status.RUNNING or hurried_last:
            return None
        number = self.check_number + 1
        moved = self.update_if(
            {"status": Status.RUNNING, "check_number": self.check_number, "hurried_check": self.hurried_check},
            check_number=number,
            hurried_check=number,
            next_check_at=timezone.now(),
        )
        return number if moved else None

    def restart_checks(self) -> int | None:
        """Recovery: the scheduled check was lost (or is very late); a new one now, and the old one is void."""
        number = self.check_number + 1
        moved = self.update_if(
            {"status": Status.RUNNING, "check_number": self.check_number},
            check_number=number,
            next_check_at=timezone.now(),
        )
        return number if moved else None

    def mark_finished(self, result_urls: list[str], *, by: str, **fields: object) -> bool:
        """kie.ai made it (RUNNING to ARCHIVING), once: the caller that wins archives the video."""
        return self.claim(
            Status.RUNNING,
            by=by,
            status=Status.ARCHIVING,
            result_urls=result_urls,
            actual_credits=F("estimated_credits"),
            next_check_at=None,
            **fields,
        )

    def claim_owner_notice(self) -> bool:
        """Whether this caller is the one that tells its person it has ended: once, whichever worker gets there first
        (both kinds of work have ``owner_notified_at``)."""
        return self.update_if({"owner_notified_at__isnull": True}, owner_notified_at=timezone.now())

    def mark_archived(self, *, video: str, poster: str, sha256: str, size: int) -> bool:
        """Our own copy is saved: ready, from our storage."""
        return self.update_if(
            {"status__in": [Status.ARCHIVING, Status.SUCCEEDED]},
            status=Status.SUCCEEDED,
            video=video,
            poster=poster,
            video_sha256=sha256,
            video_size=size,
            finished_at=self.finished_at or timezone.now(),
            next_check_at=None,
        )

    def mark_archive_failed(self, *, gone: bool, retry_in: float) -> bool:
        """Ready, but only on kie.ai for now: saved again in ``retry_in`` seconds, unless kie.ai's copy is gone."""
        now = timezone.now()
        return self.update_if(
            {"status__in": [Status.ARCHIVING, Status.SUCCEEDED]},
            status=Status.SUCCEEDED,
            finished_at=self.finished_at or now,
            archive_gone=gone,
            next_check_at=None if gone else now + timedelta(seconds=retry_in),
        )

    def mark_archive_refused(self, failure: Failure) -> bool:
        """kie.ai's links lead where veoui won't fetch from, or to something that isn't a video: failed, for good."""
        return self.update_if(
            {"status__in": [Status.ARCHIVING, Status.SUCCEEDED], "video": ""},
            **{**failure.fields(Status.FAILED), "finished_at": self.finished_at or timezone.now()},
        )

    def send_again(self) -> bool:
        """The member chose to send unconfirmed work again, accepting that it may cost twice."""
        return self.update_if(
            {"status": Status.UNCONFIRMED},
            status=Status.QUEUED,
            request_sent_at=None,
            claimed_by="",
            submit_attempts=0,
            next_check_at=timezone.now(),
            **NO_ERROR,
        )

    def cancel(self) -> bool:
        """The member took it back while it still waited in veoui's queue; False once a worker had taken it to send.

        It ends as failed without a charge, so its reserved credits count for nothing (veoui.team.budgets), and the
        worker's claim (from queued only) never finds it again.
        """
        return self.update_if(
            {"status": Status.QUEUED, "request_sent_at__isnull": True},
            claimed_by="",
            **Failure(CANCELLED, CANCELLED_MESSAGE).fields(Status.FAILED),
        )

    def dismiss(self) -> bool:
        """The member gave up on unconfirmed work."""
        return self.update_if(
            {"status": Status.UNCONFIRMED}, status=Status.FAILED, finished_at=timezone.now(), next_check_at=None
        )

    def poll_deadline_passed(self) -> bool:
        started = self.submitted_at or self.created_at
        return timezone.now() - started > timedelta(seconds=settings.VEOUI_POLL_DEADLINE)


class Generation(TrackedWork):
    class Visibility(models.TextChoices):
        TEAM = "team", _("Team")
        PRIVATE = "private", _("Only me")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="generations")
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.TEAM)
    # Variations made together ("How many" above 1) share a group; a single video has none.
    group = models.UUIDField(null=True, blank=True, db_index=True)
    # The one variation of its group the team picked (set on one member at a time; picking another moves it).
    picked_at = models.DateTimeField(null=True, blank=True)
    # When the owner was emailed that it finished (claimed with a conditional UPDATE: at most once).
    owner_notified_at = models.DateTimeField(null=True, blank=True)
    # Deleted by its owner or an admin: files gone, hidden everywhere, but still counted in the month's spend.
    deleted_at = models.DateTimeField(null=True, blank=True)
    # The project it is in now (moves change it), and the one it was made in, which its cost stays with.
    project = models.ForeignKey(
        "projects.Project", on_delete=models.SET_NULL, null=True, blank=True, related_name="generations"
    )
    spend_project = models.ForeignKey(
        "projects.Project", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    mode = models.CharField(max_length=40, choices=[(m.key, _(m.label)) for m in rules.MODES.values()])
    model = models.CharField(max_length=20, choices=[(m.key, _(m.label)) for m in rules.MODELS.values()])
    prompt = models.TextField()
    # The prompt as the gallery's search reads it (veoui.common.search).
    search_text = SearchTextField(source="prompt")
    aspect_ratio = models.CharField(max_length=8)
    seed = models.PositiveIntegerField(null=True, blank=True)
    watermark = models.CharField(max_length=rules.WATERMARK_MAX_LENGTH, blank=True)
    enable_translation = models.BooleanField(default=True)
    submission_token = models.UUIDField(unique=True)

    result_seed = models.PositiveIntegerField(null=True, blank=True)
    has_audio = models.BooleanField(null=True, blank=True)
    resolution = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_check_at"]),
            models.Index(fields=["owner", "-created_at"]),
            # The gallery: the team's videos newest first, and the same filtered by status.
            models.Index(fields=["visibility", "-created_at"], name="gallery_visible"),
            models.Index(fields=["status", "-created_at"], name="gallery_status"),
            # The gallery's count of what a person may see, read from this index alone (no table rows).
            models.Index(fields=["visibility", "owner"], condition=Q(deleted_at__isnull=True), name="gallery_count"),
        ]

    def __str__(self) -> str:
        return f"{self.get_mode_display()}: {self.prompt[:40]}"

    def get_absolute_url(self) -> str:
        return reverse("generation", args=[self.uuid])

    def siblings(self) -> models.QuerySet[Generation]:
        """The other variations made together with this one (none for a single video)."""
        if self.group is None:
            return Generation.objects.none()
        return Generation.objects.filter(group=self.group, deleted_at__isnull=True).exclude(pk=self.pk)

    def pick(self) -> bool:
        """This variation becomes its group's pick, for everyone; the pick moves off any other member.

        The group's rows are locked while the pick moves, so two people picking at once leave exactly one pick.
        False when this one can't be picked (no group, not ready, deleted)."""
        if self.group is None:
            return False
        with transaction.atomic():
            members = Generation.objects.filter(group=self.group)
            list(members.select_for_update().values_list("pk", flat=True))
            if not members.filter(pk=self.pk, status=Status.SUCCEEDED, deleted_at__isnull=True).exists():
                return False
            members.exclude(pk=self.pk).filter(picked_at__isnull=False).update(picked_at=None)
            return self.update_if({"group": self.group, "status": Status.SUCCEEDED}, picked_at=timezone.now())

    @property
    def mode_rules(self) -> rules.Mode:
        return rules.MODES[self.mode]

    @property
    def typical_seconds(self) -> int:
        return rules.MODELS[self.model].typical_seconds

    # How many waiting videos go before this one: counted where the page is built (ratelimit.note_places).
    queue_ahead = 0
    # On the studio's list: the variations this one stands for, when it leads its group (views.grouped).
    group_members: list[Generation] | tuple = ()

    @property
    def stage_text(self) -> str:
        """The stage in words for the status card."""
        if self.status == Status.QUEUED and self.error_transient:
            return str(_("Waiting for kie.ai"))
        if self.status == Status.QUEUED:
            if self.queue_ahead:
                return str(_("Queued: %(n)s ahead of yours") % {"n": self.queue_ahead})
            return str(_("Queued: starting in a moment"))
        if self.status == Status.RUNNING:
            minutes = max(1, round(self.typical_seconds / 60))
            return ngettext(
                "Generating, usually about %(n)s minute", "Generating, usually about %(n)s minutes", minutes
            ) % {"n": minutes}
        return str(self.get_status_display())

    @property
    def shown_seed(self) -> int | None:
        """The seed kie.ai used (it says which), else the one asked for."""
        return self.result_seed or self.seed

    @property
    def seed_differs(self) -> bool:
        """kie.ai used another seed than the one asked for."""
        return self.seed is not None and self.result_seed is not None and self.seed != self.result_seed

    def adopt_task(self, task_id: str) -> bool:
        """A callback named the task of a request whose answer was lost, and kie.ai confirmed it: running."""
        now = timezone.now()
        return self.update_if(
            {"kie_task_id": "", "status__in": list(ADOPTABLE)},
            kie_task_id=task_id,
            status=Status.RUNNING,
            claimed_by="",
            submitted_at=now,
            next_check_at=now + timedelta(seconds=settings.VEOUI_POLL_INTERVAL),
            **NO_ERROR,
        )

    def next_poll_delay(self) -> float:
        """About every poll interval for the first minutes, then slower, so long jobs cost few calls."""
        base = settings.VEOUI_POLL_INTERVAL
        return base if self.poll_count < 30 else base * 3

    @property
    def can_extend(self) -> bool:
        """kie.ai extends only videos it made that were not upgraded to 1080P."""
        return self.status == Status.SUCCEEDED and not any(
            r.kind == Rendition.Kind.HD and r.status != Status.FAILED for r in self.renditions.all()
        )


# kie.ai deletes uploaded files after 3 days; an upload older than this is made again before a send.
UPLOAD_KEPT = timedelta(hours=48)


class InputImage(models.Model):
    generation = models.ForeignKey(Generation, on_delete=models.CASCADE, related_name="images")
    position = models.PositiveSmallIntegerField()
    role = models.CharField(max_length=12)
    file = models.FileField(upload_to="inputs/%Y/%m/", blank=True)
    source_url = models.URLField(max_length=2000, blank=True)
    uploaded_url = models.URLField(max_length=2000, blank=True)
    # When veoui's copy was uploaded to kie.ai, which deletes uploads after 3 days.
    uploaded_at = models.DateTimeField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["generation", "position"], name="one_image_per_position")]

    def __str__(self) -> str:
        return f"{self.role} {self.position + 1}"

    @property
    def needs_upload(self) -> bool:
        """A picture of ours that kie.ai has no copy of, or one it may have deleted by the time it renders."""
        if self.source_url:
            return False
        return not self.uploaded_url or self.uploaded_at is None or timezone.now() - self.uploaded_at > UPLOAD_KEPT

    @property
    def role_label(self) -> str:
        from django.utils.translation import gettext

        if self.role == "reference":
            return gettext("Reference %(number)d") % {"number": self.position + 1}
        return gettext(rules.ROLE_LABELS[self.role])


class WorkerHeartbeat(models.Model):
    """One row per worker process, touched every few seconds: tells live workers from dead ones."""

    worker_id = models.CharField(max_length=80, primary_key=True)
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return self.worker_id


class Rendition(TrackedWork):
    """A paid follow-up of a finished generation: its 1080P or 4K version, or an extension (8 more seconds)."""

    class Kind(models.TextChoices):
        HD = "1080p", _("1080P version")
        UHD = "4k", _("4K version")
        EXTEND = "extend", _("Extension")

    generation = models.ForeignKey(Generation, on_delete=models.CASCADE, related_name="renditions")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="renditions")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    prompt = models.TextField(blank=True)
    model = models.CharField(max_length=20, blank=True)
    request_token = models.UUIDField(unique=True)
    # The project its video was in when it was ordered: its cost stays there when the video moves.
    spend_project = models.ForeignKey(
        "projects.Project", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # When the person who ordered it was emailed that it finished (claimed with a conditional UPDATE: once).
    owner_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "next_check_at"])]
        constraints = [
            # However many people press at once: one 1080P and one 4K of a video, in the making or made.
            models.UniqueConstraint(
                fields=["generation", "kind"],
                condition=Q(kind__in=["1080p", "4k"]) & ~Q(status="failed"),
                name="one_upgrade_of_each_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.generation_id}"

    def get_absolute_url(self) -> str:
        return f"{self.generation.get_absolute_url()}#rendition-{self.uuid}"

    @property
    def badge_label(self) -> str:
        """The version's name on a video's tile and in the gallery."""
        return str({self.Kind.HD: _("1080P"), self.Kind.UHD: _("4K"), self.Kind.EXTEND: _("Extended")}[self.kind])

    @property
    def news_title(self) -> str:
        """What the notification and the email say when it has ended."""
        if self.status == Status.SUCCEEDED:
            titles = {
                self.Kind.HD: _("Your 1080P version is ready"),
                self.Kind.UHD: _("Your 4K version is ready"),
                self.Kind.EXTEND: _("Your extended video is ready"),
            }
        else:
            titles = {
                self.Kind.HD: _("Your 1080P version could not be made"),
                self.Kind.UHD: _("Your 4K version could not be made"),
                self.Kind.EXTEND: _("Your extension could not be made"),
            }
        return str(titles[self.kind])

    @property
    def typical_seconds(self) -> int:
        if self.kind == self.Kind.HD:
            return 90
        if self.kind == self.Kind.UHD:
            return 420
        return rules.MODELS.get(self.model, rules.MODELS[rules.FAST]).typical_seconds * 2

    @property
    def stage_text(self) -> str:
        if self.status == Status.QUEUED:
            return str(_("Waiting for kie.ai") if self.error_transient else _("Queued: starting in a moment"))
        if self.status == Status.RUNNING:
            minutes = max(1, round(self.typical_seconds / 60))
            return ngettext(
                "Working on it, usually about %(n)s minute", "Working on it, usually about %(n)s minutes", minutes
            ) % {"n": minutes}
        return str(self.get_status_display())

    def next_poll_delay(self) -> float:
        """kie.ai asks for 1080P to be checked every 20 to 30 s; 4K takes minutes; extensions poll as videos do."""
        if self.kind == self.Kind.EXTEND:
            return settings.VEOUI_POLL_INTERVAL
        return settings.VEOUI_UPGRADE_POLL_INTERVAL


class Resend(models.Model):
    """One "Send it again" of unconfirmed work: a paid request of its own, which kie.ai may bill on top of the
    first. Booked as a spend of whoever pressed it (team/budgets.py), and keyed by the button's one-time token."""

    token = models.UUIDField(unique=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="resends")
    generation = models.ForeignKey(Generation, on_delete=models.CASCADE, related_name="resends")
    # Set when a version (1080P, 4K, extension) of the video was sent again, not the video itself.
    rendition = models.ForeignKey(Rendition, on_delete=models.CASCADE, null=True, blank=True, related_name="resends")
    estimated_credits = models.DecimalField(max_digits=10, decimal_places=2)
    # Charged where the work it sends again was charged.
    spend_project = models.ForeignKey(
        "projects.Project", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"resend of {self.rendition_id or self.generation_id}"

    @property
    def work(self) -> TrackedWork:
        return self.rendition or self.generation


class SubmitLimiter(models.Model):
    """One row, locked while a slot is taken: serialises slot-taking across worker processes (see ratelimit.py)."""

    def __str__(self) -> str:
        return "kie.ai submission limiter"


class SubmitSlot(models.Model):
    """One new video sent to kie.ai (or about to be): counted over the last window of kie.ai's rate limit."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    taken_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"slot of {self.owner_id} at {self.taken_at:%H:%M:%S.%f}"


class KieContact(models.Model):
    """One row: when a call to kie.ai last succeeded, so /health/ can tell an admin how long it has been."""

    last_success_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "core_kiecontact"  # made by the operations app before the studio owned it

    def __str__(self) -> str:
        return f"last kie.ai success: {self.last_success_at or 'never'}"


class Favourite(models.Model):
    """A video one person starred: their own list, unlike a variation's pick, which the whole team shares."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favourites")
    generation = models.ForeignKey(Generation, on_delete=models.CASCADE, related_name="favourites")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "generation"], name="one_favourite_per_person")]

    def __str__(self) -> str:
        return f"favourite of {self.person_id}: {self.generation_id}"

    @classmethod
    def starred_by(cls, person_id: int | None) -> models.Exists:
        """For a query of generations: whether this person starred each one (one EXISTS in the same query)."""
        return models.Exists(cls.objects.filter(person_id=person_id, generation=models.OuterRef("pk")))
