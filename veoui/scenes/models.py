"""Scenes: finished videos and versions put in order, trimmed and joined, exported to one MP4 without credits.

A scene belongs to a person and is seen by the team or by its owner only, like a video; it is in at most one
project, and a members-only project hides it from all but its members, its owner and admins, as it hides a video.
Its shots point at the video (and the version of it) they show; a video deleted later leaves its shot in place
as a gap that says so.
An export is work for the worker's export queue: its status moves forward by conditional updates only, like a
video's, and it remembers which videos it was made from so that it stops being served to anyone who may no
longer see one of them.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from veoui.studio.models import Generation, Rendition

SECONDS = {"max_digits": 7, "decimal_places": 3}


class Scene(models.Model):
    class Visibility(models.TextChoices):
        TEAM = "team", _("Team")
        PRIVATE = "private", _("Only me")

    class AspectRatio(models.TextChoices):
        LANDSCAPE = "16:9", _("Landscape (16:9)")
        PORTRAIT = "9:16", _("Portrait (9:16)")

    class EndCard(models.TextChoices):
        NONE = "", _("No end card")
        PICTURE = "picture", _("A picture")
        TEXT = "text", _("A line of text")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="scenes")
    title = models.CharField(_("Title"), max_length=120)
    aspect_ratio = models.CharField(_("Aspect ratio"), max_length=8, choices=AspectRatio.choices, default="16:9")
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.TEAM)
    end_card = models.CharField(_("End card"), max_length=8, choices=EndCard.choices, blank=True, default="")
    end_card_picture = models.FileField(upload_to="scenes/cards/%Y/%m/", blank=True)
    end_card_text = models.CharField(_("Text"), max_length=200, blank=True)
    end_card_colour = models.CharField(_("Colour"), max_length=7, default="#000000")
    end_card_seconds = models.DecimalField(_("Shown for (seconds)"), max_digits=3, decimal_places=1, default=Decimal(2))
    # At most one project, as a video: deleting the project leaves the scene in none.
    project = models.ForeignKey(
        "projects.Project", on_delete=models.SET_NULL, null=True, blank=True, related_name="scenes"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("scene", args=[self.uuid])


class Shot(models.Model):
    """One clip of a scene: a video (or one of its versions) between an in and an out point, and the join after it."""

    class Join(models.TextChoices):
        CUT = "cut", _("Cut")
        CROSSFADE = "crossfade", _("Crossfade")

    scene = models.ForeignKey(Scene, on_delete=models.CASCADE, related_name="shots")
    position = models.PositiveIntegerField()
    generation = models.ForeignKey(Generation, on_delete=models.CASCADE, related_name="shots")
    rendition = models.ForeignKey(Rendition, on_delete=models.SET_NULL, null=True, blank=True, related_name="shots")
    start_seconds = models.DecimalField(**SECONDS, default=Decimal(0))
    end_seconds = models.DecimalField(**SECONDS, null=True, blank=True)  # None: to the end of the clip
    # The clip's own length, read from its file when the shot was added (None: the file could not be read).
    clip_seconds = models.DecimalField(**SECONDS, null=True, blank=True)
    muted = models.BooleanField(default=False)
    join = models.CharField(max_length=10, choices=Join.choices, default=Join.CUT)  # the join after this shot
    crossfade_seconds = models.DecimalField(max_digits=3, decimal_places=1, default=Decimal("0.5"))
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["scene", "position"])]

    def __str__(self) -> str:
        return f"Shot {self.position} of scene {self.scene_id}"


class SceneExport(models.Model):
    """One MP4 made from a scene (or a social format made from an export), by the worker's export queue."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Exporting")
        SUCCEEDED = "succeeded", _("Ready")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    class Kind(models.TextChoices):
        SCENE = "scene", _("Scene")
        SQUARE = "square", _("Square (1:1)")
        PORTRAIT_45 = "4:5", _("Portrait (4:5)")
        GIF = "gif", _("GIF preview")

    class Resolution(models.TextChoices):
        HD_720 = "720p", "720p"
        HD_1080 = "1080p", "1080P"
        UHD = "4k", "4K"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    scene = models.ForeignKey(Scene, on_delete=models.CASCADE, related_name="exports")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="scene_exports")
    # The same request sent twice (a double click, a retry) makes one export.
    request_token = models.UUIDField(unique=True)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.SCENE)
    resolution = models.CharField(max_length=8, choices=Resolution.choices, default=Resolution.HD_1080)
    # A social format is made from a finished export, cropped around a point given as fractions of the frame.
    source = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="formats")
    focus_x = models.FloatField(default=0.5)
    focus_y = models.FloatField(default=0.5)
    # What the export was made from, frozen when it was asked for: its plan and the videos it shows.
    plan = models.JSONField(default=dict, blank=True)
    generations = models.ManyToManyField(Generation, related_name="+", blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.FloatField(default=0)  # 0 to 1, from ffmpeg's progress reports
    claimed_by = models.CharField(max_length=80, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    cancel_requested_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(upload_to="scenes/exports/%Y/%m/", blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    error_message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of scene {self.scene_id}"


class PendingShot(models.Model):
    """A video made with "Continue from the last frame" of a scene's shot: it joins the scene right after that
    shot once it is done (at the end, if that shot was removed meanwhile). ``settled_at`` says it was dealt with
    (joined, or not: failed, scene gone): set once, by a conditional update, so it joins once however often it is
    told "done" or its form is sent again."""

    generation = models.OneToOneField(Generation, on_delete=models.CASCADE, related_name="pending_shot")
    scene = models.ForeignKey(Scene, on_delete=models.CASCADE, related_name="pending_shots")
    after_shot = models.ForeignKey(Shot, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    settled_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Video {self.generation_id} waiting to join scene {self.scene_id}"
