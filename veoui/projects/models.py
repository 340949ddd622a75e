"""Projects: a campaign or a client, grouping a team's videos (and their versions) and scenes.

A project is seen by the whole team, or only by its members (and admins): a video in a members-only project is
then hidden from everyone else, as a private video is (``veoui.studio.views.visible_to``). Its optional monthly
budget is checked with the person's and the team's (``veoui.team.budgets.reserve``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from veoui.team.models import budget_field


class Colour(models.TextChoices):
    INDIGO = "indigo", _("Indigo")
    TEAL = "teal", _("Teal")
    GREEN = "green", _("Green")
    AMBER = "amber", _("Amber")
    ORANGE = "orange", _("Orange")
    RED = "red", _("Red")
    PINK = "pink", _("Pink")
    GREY = "grey", _("Grey")


class Project(models.Model):
    class Visibility(models.TextChoices):
        TEAM = "team", _("The whole team")
        MEMBERS = "members", _("Only its members")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("Name"), max_length=80)
    colour = models.CharField(_("Colour"), max_length=10, choices=Colour.choices, default=Colour.INDIGO)
    description = models.TextField(_("Description"), max_length=1000, blank=True)
    visibility = models.CharField(_("Who sees it"), max_length=10, choices=Visibility.choices, default=Visibility.TEAM)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="projects")
    monthly_budget = budget_field(_("Monthly budget (credits)"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = [Lower("name")]
        constraints = [models.UniqueConstraint(Lower("name"), name="one_project_per_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("project", args=[self.uuid])

    @property
    def members_only(self) -> bool:
        return self.visibility == self.Visibility.MEMBERS
