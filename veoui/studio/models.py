from __future__ import annotations

import hashlib
import math
import secrets
import uuid
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

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
KIE_RETENTION_DAYS = 14


def new_callback_token() -> str:
    return secrets.token_urlsafe(24)


class TrackedWork(models.Model):
    """What a generation and a rendition share: one kie.ai task, its status, its archived video, its cost.

    Status moves only forward, each step claimed with a conditional UPDATE by the worker (see services.py).
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
        return str(Status(self.status).label)

    def card_state(self) -> str:
        """A fingerprint of what the status card of work in progress says, apart from the time counting up.

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

    def record_failure(
        self,
        *,
        category: str,
        message: str,
        next_step: str = "",
        code: int | None = None,
        upstream_message: str = "",
        transient: bool = False,
        status: str = Status.FAILED,
    ) -> None:
        self.status = status
        self.error_category = category
        self.error_code = code
        with translation.override(None):  # kept as the code writes it; each page translates it for its reader
            self.error_message = str(message)
            self.error_next_step = str(next_step)
        self.error_transient = transient
        self.upstream_message = upstream_message[:500]
        self.error_at = timezone.now()
        if status in TERMINAL:
            self.finished_at = self.error_at
            self.next_check_at = None

    def poll_deadline_passed(self) -> bool:
        started = self.submitted_at or self.created_at
        return timezone.now() - started > timedelta(seconds=settings.VEOUI_POLL_DEADLINE)


class Generation(TrackedWork):
    class Visibility(models.TextChoices):
        TEAM = "team", _("Team")
        PRIVATE = "private", _("Only me")

    # All that card_state() reads of a generation (the stage in words counts the queue by created_at).
    CARD_STATE_FIELDS = ("uuid", "status", "error_transient", "error_message", "model", "created_at")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="generations")
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.TEAM)
    # Variations made together ("How many" above 1) share a group; a single video has none.
    group = models.UUIDField(null=True, blank=True, db_index=True)
    # When the owner was emailed that it finished (claimed with a conditional UPDATE: at most once).
    owner_notified_at = models.DateTimeField(null=True, blank=True)
    # Deleted by its owner or an admin: files gone, hidden everywhere, but still counted in the month's spend.
    deleted_at = models.DateTimeField(null=True, blank=True)

    mode = models.CharField(max_length=40, choices=[(m.key, _(m.label)) for m in rules.MODES.values()])
    model = models.CharField(max_length=20, choices=[(m.key, _(m.label)) for m in rules.MODELS.values()])
    prompt = models.TextField()
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

    @property
    def mode_rules(self) -> rules.Mode:
        return rules.MODES[self.mode]

    @property
    def typical_seconds(self) -> int:
        return rules.MODELS[self.model].typical_seconds

    @property
    def stage_text(self) -> str:
        """The stage in words for the status card."""
        if self.status == Status.QUEUED and self.error_transient:
            return str(_("Waiting for kie.ai"))
        if self.status == Status.QUEUED:
            from veoui.studio.fairuse import ahead_of

            ahead = ahead_of(self)
            if ahead:
                return str(_("Queued: %(n)s ahead of yours") % {"n": ahead})
            return str(_("Queued: starting in a moment"))
        if self.status == Status.RUNNING:
            minutes = max(1, round(self.typical_seconds / 60))
            return ngettext(
                "Generating, usually about %(n)s minute", "Generating, usually about %(n)s minutes", minutes
            ) % {"n": minutes}
        return str(self.get_status_display())

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


class InputImage(models.Model):
    generation = models.ForeignKey(Generation, on_delete=models.CASCADE, related_name="images")
    position = models.PositiveSmallIntegerField()
    role = models.CharField(max_length=12)
    file = models.FileField(upload_to="inputs/%Y/%m/", blank=True)
    source_url = models.URLField(max_length=2000, blank=True)
    uploaded_url = models.URLField(max_length=2000, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["generation", "position"], name="one_image_per_position")]

    def __str__(self) -> str:
        return f"{self.role} {self.position + 1}"

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

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "next_check_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.generation_id}"

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


class SubmitLimiter(models.Model):
    """One row, locked while a slot is taken: serialises slot-taking across worker processes (see fairuse.py)."""

    def __str__(self) -> str:
        return "kie.ai submission limiter"


class SubmitSlot(models.Model):
    """One new video sent to kie.ai (or about to be): counted over the last window of kie.ai's rate limit."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    taken_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"slot of {self.owner_id} at {self.taken_at:%H:%M:%S.%f}"
