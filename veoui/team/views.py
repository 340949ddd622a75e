from __future__ import annotations

import csv
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import wraps

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, update_session_auth_hash
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from veoui.studio.models import Pricing
from veoui.team import balance, budgets, people
from veoui.team.forms import (
    AddPersonForm,
    ChangePasswordForm,
    InviteForm,
    JoinForm,
    PersonForm,
    PriceTableForm,
    TeamSettingsForm,
)
from veoui.team.models import Invite, KieBalance, Membership, TeamSettings, display_name

# A one-time secret (an invite link or a temporary password) waits here between the POST and the page
# that shows it, so the page can follow post/redirect/get and still show it exactly once.
SHOWN_ONCE = "team_shown_once"
USAGE_MONTHS = 6


def admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def whole(credits: Decimal | None) -> Decimal | None:
    """1000 rather than 1000.00 in a form field, when there are no cents to show."""
    if credits is not None and credits == credits.to_integral_value():
        return credits.to_integral_value()
    return credits


def absolute_url(request: HttpRequest, path: str) -> str:
    """The address to hand to someone else: the public one when veoui knows it."""
    return settings.PUBLIC_BASE_URL + path if settings.PUBLIC_BASE_URL else request.build_absolute_uri(path)


def get_membership(public_id: uuid.UUID) -> Membership:
    return get_object_or_404(Membership.objects.select_related("user"), uuid=public_id)


# --- people ------------------------------------------------------------------------------------------------


def people_context(request: HttpRequest, **forms: object) -> dict:
    start = budgets.month_start()
    used = budgets.monthly_usage(start, budgets.next_month(start))
    users = get_user_model().objects.select_related("membership").order_by("-is_active", "first_name", "username")
    rows = []
    for user in users:
        membership = getattr(user, "membership", None) or Membership.for_user(user)
        spent = used.get((user.pk, start.date()), budgets.Usage()).credits
        rows.append({"user": user, "membership": membership, "spent": spent})
    open_invites = Invite.objects.filter(used_at=None, cancelled_at=None, expires_at__gt=timezone.now())
    return {
        "rows": rows,
        "month": start,
        "invites": open_invites.select_related("created_by"),
        "invite_form": forms.get("invite_form") or InviteForm(),
        "add_form": forms.get("add_form") or AddPersonForm(),
    }


@require_GET
@admin_required
def people_list(request: HttpRequest) -> HttpResponse:
    return render(request, "team/people.html", people_context(request))


@require_POST
@admin_required
def people_invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if not form.is_valid():
        return render(request, "team/people.html", people_context(request, invite_form=form))
    invite, token = people.create_invite(**form.cleaned_data, by=request.user)
    request.session[SHOWN_ONCE] = {
        "kind": "invite",
        "link": absolute_url(request, reverse("join", args=[token])),
        "note": invite.note,
        "expires": formats.date_format(timezone.localtime(invite.expires_at), "DATETIME_FORMAT"),
    }
    return redirect("people_created")


@require_POST
@admin_required
def people_add(request: HttpRequest) -> HttpResponse:
    form = AddPersonForm(request.POST)
    if form.is_valid():
        try:
            user, password = people.add_person(**form.cleaned_data, by=request.user)
        except people.PeopleError as error:
            form.add_error("username", error.message)
        else:
            request.session[SHOWN_ONCE] = {"kind": "password", "username": user.get_username(), "password": password}
            return redirect("people_created")
    return render(request, "team/people.html", people_context(request, add_form=form))


@require_GET
@admin_required
def people_created(request: HttpRequest) -> HttpResponse:
    secret = request.session.pop(SHOWN_ONCE, None)
    if secret is None:
        messages.info(request, _("That link or password was shown only once. Make a new one if it was lost."))
        return redirect("people")
    response = render(request, "team/created.html", {"secret": secret, "login_url": absolute_url(request, "/")})
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@admin_required
def person(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    membership = get_membership(public_id)
    initial = {"role": membership.role, "monthly_budget": whole(membership.monthly_budget)}
    form = PersonForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            people.update_person(membership, **form.cleaned_data, by=request.user)
        except people.PeopleError as error:
            form.add_error("role", error.message)
        else:
            messages.success(request, _("Saved the changes for %(name)s.") % {"name": membership.name})
            return redirect("people")
    start = budgets.month_start()
    used = budgets.monthly_usage(start, budgets.next_month(start)).get((membership.user_id, start.date()))
    context = {
        "membership": membership,
        "person": membership.user,
        "form": form,
        "month": start,
        "used": used or budgets.Usage(),
        "is_self": membership.user_id == request.user.pk,
    }
    return render(request, "team/person.html", context)


@require_POST
@admin_required
def person_password(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    membership = get_membership(public_id)
    if not membership.user.is_active:
        messages.error(request, _("Reactivate %(name)s first.") % {"name": membership.name})
        return redirect("person", public_id=membership.uuid)
    password = people.reset_password(membership, by=request.user)
    request.session[SHOWN_ONCE] = {
        "kind": "reset",
        "username": membership.user.get_username(),
        "password": password,
    }
    return redirect("people_created")


@require_POST
@admin_required
def person_active(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    membership = get_membership(public_id)
    active = request.POST.get("active") == "1"
    try:
        people.set_active(membership, active, by=request.user)
    except people.PeopleError as error:
        messages.error(request, error.message)
    else:
        text = (
            _("%(name)s can log in again.")
            if active
            else _("%(name)s can no longer log in. Their videos stay in veoui.")
        )
        messages.success(request, text % {"name": membership.name})
    return redirect("person", public_id=membership.uuid)


@require_POST
@admin_required
def invite_cancel(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    invite = get_object_or_404(Invite, uuid=public_id)
    if people.cancel_invite(invite):
        messages.success(request, _("The invite link was cancelled: it no longer works."))
    return redirect("people")


# --- joining and passwords -----------------------------------------------------------------------------------


@login_not_required
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    invite = people.find_invite(token)
    problem = people.invite_problem(invite)
    if problem:
        return render(request, "team/join.html", {"problem": problem}, status=404 if invite is None else 410)
    form = JoinForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            user = people.accept_invite(
                invite, username=data["username"], first_name=data["first_name"], password=data["password1"]
            )
        except people.PeopleError as error:
            form.add_error(None, error.message)
        else:
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            messages.success(request, _("Welcome to veoui, %(name)s!") % {"name": display_name(user)})
            return redirect("home")
    return render(request, "team/join.html", {"form": form, "invite": invite})


@sensitive_post_parameters("current", "password1", "password2")
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    membership = Membership.for_user(request.user)
    forced = membership.must_change_password
    data = request.POST if request.method == "POST" else None
    form = ChangePasswordForm(data, user=request.user, ask_current=not forced)
    if request.method == "POST" and form.is_valid():
        request.user.set_password(form.cleaned_data["password1"])
        request.user.save(update_fields=["password"])
        update_session_auth_hash(request, request.user)
        Membership.objects.filter(pk=membership.pk).update(must_change_password=False)
        messages.success(request, _("Your new password is set."))
        return redirect("home")
    return render(request, "team/password.html", {"form": form, "forced": forced})


# --- usage ---------------------------------------------------------------------------------------------------


def parse_month(raw: str | None) -> datetime | None:
    try:
        year, month = (int(part) for part in (raw or "").split("-"))
        if not 2000 <= year <= 9000:
            return None
        return budgets.month_start(timezone.make_aware(datetime(year, month, 1, 12)))
    except ValueError:
        return None


def months_back_from(last: datetime, count: int) -> list[datetime]:
    """``last`` and the months before it, newest first (so a phone shows this month without scrolling)."""
    months = [last]
    for _i in range(count - 1):
        months.append(budgets.month_start(months[-1] - timedelta(days=1)))
    return months


def usage_table(months: list[datetime]) -> tuple[list[dict], list[Decimal]]:
    """A row per person who is active or spent something in ``months``, and the team's totals."""
    data = budgets.monthly_usage(months[-1], budgets.next_month(months[0]))
    spenders = {user_id for user_id, _month in data}
    users = get_user_model().objects.select_related("membership").order_by("first_name", "username")
    rows = []
    for user in users:
        if not user.is_active and user.pk not in spenders:
            continue
        cells = [data.get((user.pk, month.date()), budgets.Usage()) for month in months]
        membership = getattr(user, "membership", None)
        rows.append(
            {
                "user": user,
                "name": display_name(user),
                "cells": cells,
                "current": cells[0],
                "budget": membership.monthly_budget if membership else None,
            }
        )
    totals = [sum((row["cells"][i].credits for row in rows), Decimal(0)) for i in range(len(months))]
    return rows, totals


def project_table(since: datetime, until: datetime) -> list[dict]:
    """A row per project and person who spent in the window (what no project paid for last), with dollars, so an
    agency can bill each client."""
    data = budgets.project_usage(since, until)
    projects = apps.get_model("projects", "Project").objects.in_bulk({key[0] for key in data if key[0]})
    users = get_user_model().objects.in_bulk({key[1] for key in data})
    pricing = Pricing.current()
    rows = []
    for (project_id, user_id, month), usage in data.items():
        project = projects.get(project_id)
        rows.append(
            {
                "month": month,
                "project": project,
                "project_name": project.name if project else "",
                "user": users[user_id],
                "name": display_name(users[user_id]),
                "credits": usage.credits,
                "usd": pricing.usd(usage.credits),
                "items": usage.items,
            }
        )
    rows.sort(key=lambda row: (row["month"], row["project"] is None, row["project_name"].lower(), row["name"].lower()))
    return rows


@require_GET
@admin_required
def usage(request: HttpRequest) -> HttpResponse:
    selected = parse_month(request.GET.get("month")) or budgets.month_start()
    months = months_back_from(selected, USAGE_MONTHS)
    rows, totals = usage_table(months)
    context = {
        "by_project": project_table(selected, budgets.next_month(selected)),
        "selected": selected,
        "months": months,
        "rows": rows,
        "totals": totals,
        "chart": sorted(rows, key=lambda row: row["current"].credits, reverse=True),
        "chart_max": max([row["current"].credits for row in rows] + [Decimal(1)]),
        "team_budget": TeamSettings.current().monthly_budget,
        "team_spent": totals[0],
        "previous": months[1],
        "next": budgets.next_month(selected) if selected < budgets.month_start() else None,
    }
    return render(request, "team/usage.html", context)


def csv_cell(value: object) -> object:
    """Spreadsheets run cells that start with these as formulas; a leading quote keeps them text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@require_GET
@admin_required
def usage_csv(request: HttpRequest) -> HttpResponse:
    until = budgets.next_month(budgets.month_start())
    if request.GET.get("by") == "project":
        return usage_by_project_csv(until)
    data = budgets.monthly_usage(timezone.make_aware(datetime(2000, 1, 1)), until)
    users = get_user_model().objects.in_bulk({user_id for user_id, _month in data})
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="veoui-usage-{date.today():%Y-%m-%d}.csv"'
    writer = csv.writer(response)
    writer.writerow(["month", "username", "name", "credits", "videos"])
    for (user_id, month), row in sorted(data.items(), key=lambda item: (item[0][1], users[item[0][0]].get_username())):
        user = users[user_id]
        writer.writerow(
            [
                f"{month:%Y-%m}",
                csv_cell(user.get_username()),
                csv_cell(user.get_full_name()),
                f"{row.credits:.2f}",
                row.items,
            ]
        )
    return response


def usage_by_project_csv(until: datetime) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"veoui-usage-by-project-{date.today():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(["month", "project", "username", "name", "credits", "dollars", "videos"])
    for row in project_table(timezone.make_aware(datetime(2000, 1, 1)), until):
        writer.writerow(
            [
                f"{row['month']:%Y-%m}",
                csv_cell(row["project_name"]),
                csv_cell(row["user"].get_username()),
                csv_cell(row["user"].get_full_name()),
                f"{row['credits']:.2f}",
                f"{row['usd']:.2f}",
                row["items"],
            ]
        )
    return response


# --- team settings -------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@admin_required
def team_settings(request: HttpRequest) -> HttpResponse:
    form = team_settings_form(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        people.update_team_settings(**form.cleaned_data, by=request.user)
        messages.success(request, _("Team settings saved."))
        return redirect("team_settings")
    return render(request, "team/settings.html", settings_context(form=form))


def team_settings_form(data: object = None) -> TeamSettingsForm:
    team = TeamSettings.current()
    initial = {"monthly_budget": whole(team.monthly_budget), "low_balance_threshold": whole(team.low_balance_threshold)}
    return TeamSettingsForm(data, instance=team, initial=initial)


def settings_context(**forms: object) -> dict:
    """The Team settings page, with the form that was sent back showing its errors, and the other one fresh."""
    return {
        "form": forms.get("form") or team_settings_form(),
        "price_form": forms.get("price_form") or PriceTableForm.for_prices(Pricing.current()),
        "balance": KieBalance.current(),
    }


@require_POST
@admin_required
def team_prices(request: HttpRequest) -> HttpResponse:
    pricing = Pricing.current()
    form = PriceTableForm.for_prices(pricing, request.POST)
    if not form.is_valid():
        return render(request, "team/settings.html", settings_context(price_form=form))
    if form.save(pricing, by=request.user):
        messages.success(
            request, _("Prices saved: what is made from now on costs these. What was already spent keeps its price.")
        )
    return redirect(reverse("team_settings") + "#prices-heading")


@require_POST
@admin_required
def balance_refresh(request: HttpRequest) -> HttpResponse:
    balance.request_refresh_now()
    messages.info(request, _("veoui is checking kie.ai's balance now. Reload this page in a few seconds."))
    return redirect("team_settings")
