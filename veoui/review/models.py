"""Review: comments on a video or a scene (by team members, or by outside reviewers on a share link after giving
a name), each optionally at a moment of the video; a review state per video or scene; and the notices that tell
an owner what happened to their work (the list under the account menu, with an unread count).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from veoui.scenes.models import Scene
from veoui.sharing.models import ShareLink
from veoui.studio.models import Generation

ABOUT_ONE = Q(generation__isnull=False, scene__isnull=True) | Q(generation__isnull=True, scene__isnull=False)


class ReviewState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    CHANGES_REQUESTED = "changes", _("Changes requested")


class Comment(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    generation = models.ForeignKey(Generation, on_delete=models.CASCADE, null=True, blank=True, related_name="comments")
    scene = models.ForeignKey(Scene, on_delete=models.CASCADE, null=True, blank=True, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="comments"
    )
    # An outside reviewer: the name they gave, and the link they came through.
    guest_name = models.CharField(_("Your name"), max_length=80, blank=True)
    share_link = models.ForeignKey(ShareLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="comments")
    text = models.TextField(_("Comment"), max_length=2000)
    at_seconds = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)  # a moment of the video
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.CheckConstraint(condition=ABOUT_ONE, name="comment_is_about_a_video_or_a_scene")]

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def author_name(self) -> str:
        if self.author is not None:
            return self.author.get_full_name() or self.author.get_username()
        return self.guest_name

    @property
    def moment(self) -> str:
        """The moment as a timecode (1:05), for people to read."""
        return timecode(self.at_seconds) if self.at_seconds is not None else ""


class Review(models.Model):
    """The review state of one video or one scene, and who set it last."""

    generation = models.OneToOneField(
        Generation, on_delete=models.CASCADE, null=True, blank=True, related_name="review"
    )
    scene = models.OneToOneField(Scene, on_delete=models.CASCADE, null=True, blank=True, related_name="review")
    state = models.CharField(max_length=12, choices=ReviewState.choices, default=ReviewState.DRAFT)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_by_guest = models.CharField(max_length=80, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=ABOUT_ONE, name="review_is_of_a_video_or_a_scene")]

    def __str__(self) -> str:
        return self.get_state_display()


class Notice(models.Model):
    """Something a person is told about their work: a comment, a review state set by someone else."""

    class Kind(models.TextChoices):
        COMMENT = "comment", _("Comment")
        STATE = "state", _("Review state")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    generation = models.ForeignKey(Generation, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    scene = models.ForeignKey(Scene, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="notices")
    state = models.CharField(max_length=12, choices=ReviewState.choices, blank=True)
    by_name = models.CharField(max_length=150, blank=True)  # who did it, as the owner should read it
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # Claimed by the one email task that sends it (a conditional update), so a notice is emailed at most once.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        constraints = [
            # One notice per comment, however often the sending is retried.
            models.UniqueConstraint(fields=["recipient", "comment"], name="one_notice_per_comment")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient_id}"

    def get_absolute_url(self) -> str:
        """The video or scene, at the comment's moment (its page starts the player there) and at the comment."""
        url = self.target.get_absolute_url()
        if self.comment is None:
            return url
        if self.comment.at_seconds is not None:
            url += f"?t={self.comment.at_seconds.normalize():f}"
        return f"{url}#comment-{self.comment.uuid}"

    @property
    def target(self) -> Generation | Scene:
        return self.scene if self.scene_id is not None else self.generation


def timecode(seconds: Decimal) -> str:
    whole = int(seconds)
    minutes, rest = divmod(whole, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{rest:02d}" if hours else f"{minutes}:{rest:02d}"
