"""Share links: a read-only look at hand-picked videos and scenes for people outside the team, with no login.

A link is a long random token that expires (14 days by default, at most 90) and can be revoked at any time. It
shows only its items, and each only while its owner keeps it visible to the team and undeleted.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from veoui.scenes.models import Scene
from veoui.studio.models import Generation

DEFAULT_DAYS = 14
MAX_DAYS = 90


def new_token() -> str:
    return secrets.token_urlsafe(24)


def default_expiry():
    return timezone.now() + timedelta(days=DEFAULT_DAYS)


class ShareLink(models.Model):
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="share_links")
    title = models.CharField(_("Title"), max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=default_expiry)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    allow_download = models.BooleanField(_("Allow download"), default=False)
    hide_prompt = models.BooleanField(_("Hide the prompt"), default=False)
    show_names = models.BooleanField(_("Show names"), default=False)
    allow_approve = models.BooleanField(_("Let them approve"), default=False)
    views = models.PositiveIntegerField(default=0)
    last_viewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["revoked_at", "expires_at"])]

    def __str__(self) -> str:
        return self.title or f"Share link {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("share", args=[self.token])

    @classmethod
    def open_links(cls) -> models.QuerySet[ShareLink]:
        return cls.objects.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ShareItem(models.Model):
    """One video or one scene of a link, in the order they were chosen."""

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    generation = models.ForeignKey(Generation, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    scene = models.ForeignKey(Scene, on_delete=models.CASCADE, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(generation__isnull=False, scene__isnull=True)
                | Q(generation__isnull=True, scene__isnull=False),
                name="share_item_is_a_video_or_a_scene",
            )
        ]

    def __str__(self) -> str:
        return f"Item {self.position} of {self.link_id}"
