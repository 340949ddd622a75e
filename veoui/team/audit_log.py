"""The Audit log page for admins: who did what and when, filtered by person, kind and dates, and as CSV."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from veoui.projects.models import Project
from veoui.studio.models import Generation, Rendition
from veoui.team.forms import PriceTableForm
from veoui.team.models import AuditEntry, Role
from veoui.team.views import admin_required, csv_cell

PER_PAGE = 50


class AuditFilterForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("Person"),
        queryset=get_user_model().objects.order_by("first_name", "username"),
        required=False,
        empty_label=_("Everyone"),
        error_messages={"invalid_choice": _("That person isn't in the list. Choose one from it.")},
    )
    kind = forms.ChoiceField(
        label=_("What happened"),
        choices=[("", _("Anything")), *AuditEntry.Kind.choices],
        required=False,
        error_messages={"invalid_choice": _("Choose one of the kinds in the list.")},
    )
    since = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date, like 2026-01-31.")},
    )
    until = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date, like 2026-01-31.")},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].label_from_instance = lambda user: user.get_full_name() or user.get_username()

    def clean(self) -> dict:
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("This date is before the From date. Swap them."))
        return data


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def filtered(form: AuditFilterForm) -> QuerySet[AuditEntry]:
    """The entries the form's valid filters choose, newest first; a filter with an error is not applied."""
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    entries = AuditEntry.objects.order_by("-created_at", "-pk")
    if data.get("person"):
        entries = entries.filter(actor=data["person"])
    if data.get("kind"):
        entries = entries.filter(kind=data["kind"])
    if data.get("since"):
        entries = entries.filter(created_at__gte=day_start(data["since"]))
    if data.get("until"):
        entries = entries.filter(created_at__lt=day_start(data["until"] + timedelta(days=1)))
    return entries


HOW = {
    "studio": _("A new video"),
    "retry": _("Try again"),
    "rerun": _("Re-run"),
    "vary": _("Vary the seed"),
    "send_again": _("Send it again"),
}


def no_limit(credits: str | None) -> str:
    return str(_("No limit")) if credits is None else credits


def change_text(entry: AuditEntry) -> str:
    """The entry's details in the reader's language: what changed from what to what."""
    details, kinds = entry.details, AuditEntry.Kind
    labels: dict = {}
    if entry.kind == kinds.SPENT:
        text = str(HOW.get(details.get("how"), ""))
        count = details.get("count", 1)
        return text + (" " + ngettext("(%(n)d video)", "(%(n)d videos)", count) % {"n": count} if count > 1 else "")
    if entry.kind == kinds.ORDERED_VERSION:
        return str(Rendition.Kind(details["version"]).label) if details.get("version") in Rendition.Kind else ""
    if entry.kind == kinds.PRICES_CHANGED:
        fields = PriceTableForm.base_fields
        return "; ".join(
            f"{fields[name].label if name in fields else name}: {was} → {now}" for name, (was, now) in details.items()
        )
    if entry.kind == kinds.PROJECT_CHANGED:
        return project_change_text(entry)
    if entry.kind == kinds.VISIBILITY_CHANGED:
        labels = dict(Generation.Visibility.choices)
    elif entry.kind == kinds.ROLE_CHANGED:
        labels = dict(Role.choices)
        if details.get("from") is None and "to" in details:  # a new person, added or come by an invite
            return _("Joined as %(role)s") % {"role": labels.get(details["to"], details["to"])}
    elif entry.kind == kinds.BUDGET_CHANGED:
        # Older entries about a project's budget kept it as "before" and "after".
        was, now = details.get("from", details.get("before")), details.get("to", details.get("after"))
        return f"{no_limit(was)} → {no_limit(now)}"
    if "from" in details and "to" in details:
        return f"{labels.get(details['from'], details['from'])} → {labels.get(details['to'], details['to'])}"
    return ""


def project_change_text(entry: AuditEntry) -> str:
    """A project made, changed (which fields, who joined or left) or deleted, or videos moved into or out of one."""
    details, parts = entry.details, []
    action = details.get("action")
    if action == "created":
        return str(_("Made the project"))
    if action == "deleted":
        return str(_("Deleted the project"))
    if action == "moved" and details.get("scenes"):
        n = len(details["scenes"])
        if entry.object_id:
            return ngettext("%(n)d scene moved here", "%(n)d scenes moved here", n) % {"n": n}
        return ngettext("%(n)d scene taken out of its project", "%(n)d scenes taken out of their projects", n) % {
            "n": n
        }
    if action == "moved":
        n = len(details.get("videos", []))
        if details.get("into", bool(entry.object_id)):
            return ngettext("%(n)d video moved here", "%(n)d videos moved here", n) % {"n": n}
        return ngettext("%(n)d video taken out of its project", "%(n)d videos taken out of their projects", n) % {
            "n": n
        }
    described = {field.name: field.verbose_name for field in Project._meta.concrete_fields}
    if "renamed_from" in details:
        parts.append(f"{described['name']}: {details['renamed_from']} → {details.get('name', '')}")
    fields = [name for name in details.get("fields", []) if name in described]
    if fields := [name for name in fields if name != "name" or "renamed_from" not in details]:
        parts.append(_("Changed: %(fields)s") % {"fields": ", ".join(str(described[name]) for name in fields)})
    if added := len(details.get("members_added", [])):
        parts.append(ngettext("%(n)d member added", "%(n)d members added", added) % {"n": added})
    if removed := len(details.get("members_removed", [])):
        parts.append(ngettext("%(n)d member removed", "%(n)d members removed", removed) % {"n": removed})
    return "; ".join(parts)


@require_GET
@admin_required
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    page = Paginator(filtered(form).select_related("actor"), PER_PAGE).get_page(request.GET.get("page"))
    for entry in page:
        entry.change = change_text(entry)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "filtered": bool(query)}
    return render(request, "team/audit.html", context)


class Echo:
    """A file that hands back what is written: the csv writer makes one line, the response sends it."""

    def write(self, value: str) -> str:
        return value


CSV_HEADER = ["when", "username", "name", "kind", "what", "object_type", "object_id", "credits", "details"]


def csv_rows(entries: QuerySet[AuditEntry]) -> Iterator[str]:
    writer = csv.writer(Echo())
    yield writer.writerow(CSV_HEADER)
    for entry in entries.select_related("actor").iterator(chunk_size=500):
        yield writer.writerow(
            [
                timezone.localtime(entry.created_at).isoformat(timespec="seconds"),
                csv_cell(entry.actor.get_username() if entry.actor else ""),
                csv_cell(entry.actor_name),
                entry.kind,
                csv_cell(entry.what),
                entry.object_type,
                entry.object_id,
                "" if entry.credits is None else f"{entry.credits:.2f}",
                csv_cell(json.dumps(entry.details, ensure_ascii=False, sort_keys=True)) if entry.details else "",
            ]
        )


@require_GET
@admin_required
def audit_log_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The rows the page's filters choose, all of them (not one page), written as they are read."""
    entries = filtered(AuditFilterForm(request.GET))
    response = StreamingHttpResponse(csv_rows(entries), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="veoui-audit-{date.today():%Y-%m-%d}.csv"'
    return response
