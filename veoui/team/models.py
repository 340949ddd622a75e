"""The people of the team, their roles and budgets, the team's own settings, and what guards the login."""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

INVITE_VALID_FOR = timedelta(days=7)
# A balance older than this is shown as "not checked lately": the worker may be stopped.


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    MEMBER = "member", _("Member")


def budget_field(verbose_name: str) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, null=True, blank=True)


class Membership(models.Model):
    """One per user. The role is mirrored on ``user.is_staff`` (which the views check) by ``people.set_role``."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    role = models.CharField(_("Role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    monthly_budget = budget_field(_("Monthly budget (credits)"))
    must_change_password = models.BooleanField(default=False)
    # One of settings.LANGUAGES, chosen with the language switcher; empty follows the browser.
    language = models.CharField(_("Language"), max_length=10, blank=True)
    # The project last chosen in the studio, offered first next time.
    last_project = models.ForeignKey(
        "projects.Project", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("member")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def of(cls, user: AbstractBaseUser) -> Membership | None:
        """The membership read with the person by the login backend (no query then), or None without one."""
        try:
            return user.membership
        except cls.DoesNotExist:
            return None

    @classmethod
    def for_user(cls, user: AbstractBaseUser) -> Membership:
        membership, _created = cls.objects.get_or_create(
            user=user, defaults={"role": Role.ADMIN if user.is_staff else Role.MEMBER}
        )
        return membership

    @property
    def name(self) -> str:
        return display_name(self.user)


def display_name(user: AbstractBaseUser) -> str:
    return user.get_full_name() or user.get_username()


class TeamSettings(models.Model):
    """One row: the team's monthly budget and when to warn about kie.ai's balance."""

    monthly_budget = budget_field(_("Team monthly budget (credits)"))
    low_balance_threshold = models.DecimalField(
        _("Warn when the kie.ai balance is below (credits)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        default=Decimal(1000),
    )

    class Meta:
        verbose_name = _("team settings")
        verbose_name_plural = _("team settings")

    def __str__(self) -> str:
        return str(_("Team settings"))

    @classmethod
    def current(cls) -> TeamSettings:
        row, _created = cls.objects.get_or_create(pk=1)
        return row


class KieBalance(models.Model):
    """One row: kie.ai's credit balance as the worker last read it. Pages only ever read this row."""

    credits = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    # When a worker last asked for a refresh: several workers agree on one refresh through this column.
    requested_at = models.DateTimeField(null=True, blank=True)
    error_message = models.TextField(blank=True)
    error_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("kie.ai balance")

    def __str__(self) -> str:
        return f"{self.credits} credits at {self.checked_at}"

    @classmethod
    def current(cls) -> KieBalance:
        row, _created = cls.objects.get_or_create(pk=1)
        return row

    def is_low(self, threshold: Decimal | None) -> bool:
        return self.credits is not None and threshold is not None and self.credits < threshold


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invite(models.Model):
    """A one-time link to join the team. Only a hash of its token is kept: the link is shown once."""

    class State(models.TextChoices):
        OPEN = "open", _("Waiting")
        USED = "used", _("Used")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True)
    note = models.CharField(_("Who is it for?"), max_length=100, blank=True)
    role = models.CharField(_("Role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    monthly_budget = budget_field(_("Monthly budget (credits)"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.note or str(self.uuid)

    @property
    def state(self) -> str:
        if self.used_at:
            return self.State.USED
        if self.cancelled_at:
            return self.State.CANCELLED
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.OPEN


class LoginAttempt(models.Model):
    """A failed login. Kept in the database so every web process counts the same attempts."""

    username = models.CharField(max_length=150)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["username", "at"]), models.Index(fields=["ip", "at"])]

    def __str__(self) -> str:
        return f"{self.username} from {self.ip} at {self.at}"


AUDIT_WHAT_LENGTH = 200


class AuditEntry(models.Model):
    """One thing someone did that an admin may need to account for later: a spend, a deletion, a change of who
    sees or pays what. Written in the transaction of the action itself (``audit.record``), so a row exists
    exactly when the action happened. Kept for at least a year: nothing in veoui deletes these rows."""

    class Kind(models.TextChoices):
        SPENT = "spent", _("Spent credits")
        ORDERED_VERSION = "ordered_version", _("Ordered a version")
        DELETED = "deleted", _("Deleted a video")
        VISIBILITY_CHANGED = "visibility_changed", _("Changed who sees a video")
        ROLE_CHANGED = "role_changed", _("Changed a role")
        BUDGET_CHANGED = "budget_changed", _("Changed a budget")
        PRICES_CHANGED = "prices_changed", _("Changed the prices")
        PROJECT_CHANGED = "project_changed", _("Changed a project")
        SHARE_LINK_CREATED = "share_link_created", _("Made a share link")
        SHARE_LINK_REVOKED = "share_link_revoked", _("Revoked a share link")

    created_at = models.DateTimeField(_("When"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The name as it was: the entry still says who it was after the account is gone.
    actor_name = models.CharField(_("Who"), max_length=150)
    kind = models.CharField(_("What happened"), max_length=30, choices=Kind.choices)
    what = models.CharField(max_length=AUDIT_WHAT_LENGTH, blank=True)
    object_type = models.CharField(max_length=30, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    credits = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [
            models.Index(fields=["created_at"]),
            models.Index(fields=["actor", "created_at"]),
            models.Index(fields=["kind", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.kind} {self.what}"
