"""Monthly credit budgets: what each person and the team spent this month, and reserving more, atomically.

What counts as spent: every paid piece of work (a "spend source", see ``SOURCES``) created this calendar month
(in settings.TIME_ZONE), at what kie.ai charged once that is known (``actual_credits``), else at the estimate,
except work that failed without a charge: kie.ai refuses or refunds it, so it must not eat the budget. Work that is
queued, running or "unconfirmed" counts at its estimate: it may well be charged.

Renditions (1080P, 4K, extensions) and anything else paid join by adding a ``SpendSource`` to ``SOURCES``; the
budget check and the usage page then count them with no other change. A "Send it again" of unconfirmed work is
such a source of its own: kie.ai may bill the first send and the second, so both are counted, each once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, models
from django.db.models import Case, Count, F, Q, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.template.defaultfilters import floatformat
from django.utils import formats, timezone
from django.utils.dateformat import format as date_format
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from veoui.team.models import KieBalance, Membership, Role, TeamSettings

FAILED = "failed"
MONEY = models.DecimalField(max_digits=14, decimal_places=2)


@dataclass(frozen=True)
class SpendSource:
    """A model whose rows cost credits. It needs ``status``, ``estimated_credits`` and ``actual_credits``."""

    model: str
    owner_field: str = "owner"
    created_field: str = "created_at"
    # The project its cost is charged to (set once, when the work is made: moves of the video don't change it).
    project_field: str = "spend_project"
    # False for a spend that stands once made, whatever happens to the work it was for (a "Send it again"):
    # counted at its estimate, and its model needs only ``estimated_credits``.
    tracked: bool = True

    def cost(self) -> Case | F:
        return charged() if self.tracked else F("estimated_credits")

    def paid(self) -> Q:
        return counted() if self.tracked else Q(pk__isnull=False)

    def rows(self, since: datetime, until: datetime) -> models.QuerySet:
        model = apps.get_model(self.model)
        window = {f"{self.created_field}__gte": since, f"{self.created_field}__lt": until}
        return model.objects.filter(**window).order_by()


SOURCES: list[SpendSource] = [
    SpendSource("studio.Generation"),
    SpendSource("studio.Rendition"),
    SpendSource("studio.Resend", tracked=False),
]


def charged() -> Case:
    """What one row costs the budget, as a database expression (see the module's docstring)."""
    return Case(
        When(actual_credits__isnull=False, then=F("actual_credits")),
        When(status=FAILED, then=Value(Decimal(0))),
        default=F("estimated_credits"),
        output_field=MONEY,
    )


def counted() -> Q:
    return ~Q(status=FAILED) | Q(actual_credits__isnull=False)


def month_start(moment: datetime | None = None) -> datetime:
    local = timezone.localtime(moment)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month(start: datetime) -> datetime:
    year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
    return start.replace(year=year, month=month)


def spent(
    *, since: datetime, until: datetime, user: AbstractBaseUser | None = None, project: models.Model | None = None
) -> Decimal:
    total = Decimal(0)
    for source in SOURCES:
        rows = source.rows(since, until)
        if user is not None:
            rows = rows.filter(**{source.owner_field: user})
        if project is not None:
            rows = rows.filter(**{source.project_field: project})
        total += rows.aggregate(credits=Sum(source.cost()))["credits"] or Decimal(0)
    return total


@dataclass
class Usage:
    credits: Decimal = Decimal(0)
    items: int = 0


def monthly_usage(since: datetime, until: datetime) -> dict[tuple[int, date], Usage]:
    """Credits and paid items per (user id, first day of the month), summed by the database."""
    result: dict[tuple[int, date], Usage] = {}
    for source in SOURCES:
        rows = (
            source.rows(since, until)
            .annotate(month=TruncMonth(source.created_field, output_field=models.DateField()))
            .values(source.owner_field, "month")
            .annotate(credits=Sum(source.cost()), items=Count("pk", filter=source.paid()))
        )
        for row in rows:
            usage = result.setdefault((row[source.owner_field], row["month"]), Usage())
            usage.credits += row["credits"] or Decimal(0)
            usage.items += row["items"]
    return result


def project_usage(since: datetime, until: datetime) -> dict[tuple[int | None, int, date], Usage]:
    """Credits and paid items per (project id, user id, first day of the month), summed by the database; a project
    id of None is what was charged to no project."""
    result: dict[tuple[int | None, int, date], Usage] = {}
    for source in SOURCES:
        rows = (
            source.rows(since, until)
            .annotate(month=TruncMonth(source.created_field, output_field=models.DateField()))
            .values(source.project_field, source.owner_field, "month")
            .annotate(credits=Sum(source.cost()), items=Count("pk", filter=source.paid()))
        )
        for row in rows:
            key = (row[source.project_field], row[source.owner_field], row["month"])
            usage = result.setdefault(key, Usage())
            usage.credits += row["credits"] or Decimal(0)
            usage.items += row["items"]
    return result


class OverBudget(Exception):
    """The spend does not fit in what is left this month; ``message`` says so in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def credits_text(value: Decimal) -> str:
    return floatformat(value, "-2g")


def lock(user: AbstractBaseUser) -> tuple[TeamSettings, Membership]:
    """Take the budget rows' locks until this transaction ends, and return them.

    Spending code takes them first and only then looks whether the spend was already made (a resent form):
    from here on it sees everything that the spends before it saved.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("the budget is locked inside the transaction that saves the work it pays for")
    team, _made = TeamSettings.objects.select_for_update().get_or_create(pk=1)
    membership, _made = Membership.objects.select_for_update().get_or_create(
        user=user, defaults={"role": Role.ADMIN if user.is_staff else Role.MEMBER}
    )
    return team, membership


def reserve(user: AbstractBaseUser, credits: Decimal, *, count: int = 1, project_id: int | None = None) -> None:
    """Check that ``count`` items of ``credits`` each fit in this month's budgets (the person's, the team's and,
    charged to a project, the project's), or raise OverBudget.

    Call it inside the transaction that saves the paid work, before saving it. The team settings row and the
    person's membership row stay locked until that transaction ends, so simultaneous reservations queue here
    and each one counts what the ones before it saved: together they can never exceed a budget. (PostgreSQL:
    SELECT ... FOR UPDATE. SQLite: IMMEDIATE transactions already let one writer in at a time.) A project's row
    is locked the same way, after those two, always in that order.
    """
    wanted = Decimal(credits) * count
    team, membership = lock(user)
    start = month_start()
    until = next_month(start)
    if membership.monthly_budget is not None:
        used = spent(since=start, until=until, user=user)
        if used + wanted > membership.monthly_budget:
            raise OverBudget(over_message(user, wanted, count, membership.monthly_budget - used, start, team=False))
    if team.monthly_budget is not None:
        used = spent(since=start, until=until)
        if used + wanted > team.monthly_budget:
            raise OverBudget(over_message(user, wanted, count, team.monthly_budget - used, start, team=True))
    if project_id is not None:
        locked = apps.get_model("projects", "Project").objects.select_for_update().filter(pk=project_id).first()
        if locked is not None and locked.monthly_budget is not None:
            used = spent(since=start, until=until, project=locked)
            if used + wanted > locked.monthly_budget:
                left = locked.monthly_budget - used
                raise OverBudget(over_message(user, wanted, count, left, start, team=False, project=locked.name))


def admin_names(exclude: AbstractBaseUser | None = None) -> list[str]:
    admins = get_user_model().objects.filter(is_active=True, is_staff=True).order_by("first_name", "username")
    if exclude is not None:
        admins = admins.exclude(pk=exclude.pk)
    return [admin.get_full_name() or admin.get_username() for admin in admins]


def over_message(
    user: AbstractBaseUser,
    wanted: Decimal,
    count: int,
    left: Decimal,
    start: datetime,
    *,
    team: bool,
    project: str = "",
) -> str:
    params = {
        "project": project,
        "cost": credits_text(wanted),
        "left": credits_text(max(left, Decimal(0))),
        "month": date_format(start, "F"),
        "next": formats.date_format(next_month(start), "MONTH_DAY_FORMAT"),
        "count": count,
    }
    what = (
        ngettext(
            "This video would cost %(cost)s credits",
            "These %(count)d videos would cost %(cost)s credits",
            count,
        )
        % params
    )
    if project:
        left_text = _("but only %(left)s credits are left of the budget of the project %(project)s for %(month)s.")
        left_text %= params
    elif team:
        left_text = _("but only %(left)s credits are left of the team's budget for %(month)s.") % params
    else:
        left_text = _("but only %(left)s credits are left of your budget for %(month)s.") % params
    if user.is_staff and project:
        ask = _("As an admin, you can raise it on the project's page.")
    elif user.is_staff:
        ask = (
            _("As an admin, you can raise it in Team settings.")
            if team
            else _("As an admin, you can raise it on the People page.")
        )
    else:
        names = admin_names(exclude=user)
        ask = (
            _("Ask %(names)s to raise it, or wait until %(next)s.") % {**params, "names": get_text_list(names, _("or"))}
            if names
            else _("Ask your team's admin to raise it, or wait until %(next)s.") % params
        )
    # Translators: one sentence from three parts: what it would cost, what is left, and whom to ask.
    return _("%(cost)s, %(left)s %(ask)s") % {"cost": what, "left": left_text, "ask": ask}


@dataclass(frozen=True)
class Left:
    """What a person can still spend this month: the lowest of their budget, the team's and kie.ai's balance."""

    credits: Decimal
    limit: str  # which one is lowest: "person", "team" or "kie"

    def limit_text(self) -> str:
        if self.limit == "person":
            return _("That is what is left of your budget.")
        if self.limit == "team":
            return _("That is what is left of the team's budget.")
        return _("That is kie.ai's balance, as veoui last saw it.")


def left_for(user: AbstractBaseUser) -> Left | None:
    """What ``user`` has left to spend, read without locking (``reserve`` decides); None when nothing limits it."""
    start = month_start()
    until = next_month(start)
    found: list[tuple[Decimal, str]] = []
    membership = Membership.objects.filter(user=user).only("monthly_budget").first()
    if membership is not None and membership.monthly_budget is not None:
        found.append((membership.monthly_budget - spent(since=start, until=until, user=user), "person"))
    team = TeamSettings.objects.filter(pk=1).only("monthly_budget").first()
    if team is not None and team.monthly_budget is not None:
        found.append((team.monthly_budget - spent(since=start, until=until), "team"))
    balance = KieBalance.objects.filter(pk=1).values_list("credits", flat=True).first()
    if balance is not None:
        found.append((balance, "kie"))
    if not found:
        return None
    credits, limit = min(found, key=lambda item: item[0])
    return Left(max(credits, Decimal(0)), limit)
