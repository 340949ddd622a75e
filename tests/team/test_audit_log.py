"""The audit log: every spend, version ordered, deletion and change of who sees or pays what writes exactly one entry.

Each action is performed through the real views, as the member or the admin would (forms taken from the pages, with
their one-time tokens), and the log is read after every POST: one new entry with the right kind, person and object,
and none for a refused action, a replayed token or an action whose transaction rolled back. Then the Audit log page
itself: its filters, its CSV, and who may open it. Alex is the admin, Maya and Tom are members.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, transaction
from django.test import Client
from django.utils import timezone

from tests.people import client_for, make_generation, make_user, text
from tests.studio.spending import form_posting_to
from tests.team.test_prices import shown_form
from veoui.ops import maintenance
from veoui.studio.models import Generation, Rendition, Status
from veoui.team import audit, throttle
from veoui.team.models import AuditEntry, Membership, Role, TeamSettings

pytestmark = pytest.mark.django_db

Kind = AuditEntry.Kind


def finished(owner, **fields) -> Generation:
    return make_generation(owner, 60, status=Status.SUCCEEDED, actual=60, kie_task_id="a" * 32, **fields)


def page_of(generation: Generation) -> str:
    return f"/videos/{generation.uuid}/"


class Log:
    """The entries written since the last look."""

    def __init__(self) -> None:
        self.last = 0

    def new(self) -> list[AuditEntry]:
        entries = list(AuditEntry.objects.filter(pk__gt=self.last).order_by("pk"))
        if entries:
            self.last = entries[-1].pk
        return entries

    def one(self, kind: str, actor: object, object_id: object = "") -> AuditEntry:
        entries = self.new()
        assert [(e.kind, e.actor, e.actor_name) for e in entries] == [
            (kind, actor, actor.get_full_name() or actor.get_username())
        ], entries
        if object_id:
            assert entries[0].object_id == str(object_id)
        return entries[0]

    def none(self) -> None:
        assert self.new() == []


@pytest.fixture
def log() -> Log:
    return Log()


def studio_post(client: Client, token: str, **fields: str) -> object:
    data = {"submission_token": token, "prompt": "A fox in the snow", "model": "veo3_fast", "aspect_ratio": "16:9"}
    return client.post("/studio/text/", {**data, **fields})


# --- each action, once -------------------------------------------------------------------------------------


def test_it_logs_a_new_video_once_per_token(maya, log) -> None:
    client = client_for(maya)
    token = str(uuid.uuid4())
    studio_post(client, token)
    generation = Generation.objects.get()
    entry = log.one(Kind.SPENT, maya, generation.uuid)
    assert (entry.credits, entry.object_type, entry.what) == (Decimal(60), "video", "A fox in the snow")
    assert entry.details == {"how": "studio", "model": "veo3_fast", "count": 1}

    studio_post(client, token)  # the same form sent again
    assert Generation.objects.count() == 1
    log.none()


def test_it_logs_variations_as_one_spend_of_all_of_them(maya, log) -> None:
    studio_post(client_for(maya), str(uuid.uuid4()), count="3")
    assert Generation.objects.count() == 3
    entry = log.one(Kind.SPENT, maya)
    assert (entry.credits, entry.details["count"]) == (Decimal(180), 3)


def test_it_logs_nothing_for_a_video_over_budget(maya, log) -> None:
    Membership.objects.filter(user=maya).update(monthly_budget=Decimal(10))
    response = studio_post(client_for(maya), str(uuid.uuid4()))
    assert response.status_code == 200 and Generation.objects.count() == 0
    log.none()


def test_it_logs_try_again_once(maya, log) -> None:
    failed = make_generation(maya, 60, status=Status.FAILED, error_transient=True, error_message="Busy")
    client = client_for(maya)
    form = form_posting_to(client, page_of(failed), f"/videos/{failed.uuid}/retry/")
    client.post(form["action"], form["fields"])
    new = Generation.objects.exclude(pk=failed.pk).get()
    entry = log.one(Kind.SPENT, maya, new.uuid)
    assert entry.details["how"] == "retry" and entry.details["from"] == str(failed.uuid)
    client.post(form["action"], form["fields"])
    log.none()


@pytest.mark.parametrize("action", ["rerun", "vary"])
def test_it_logs_a_re_run_by_whoever_pays_for_it(maya, tom, log, action) -> None:
    video = finished(maya)
    client = client_for(tom)
    form = form_posting_to(client, page_of(video), f"/videos/{video.uuid}/{action}/")
    client.post(form["action"], form["fields"])
    new = Generation.objects.exclude(pk=video.pk).get()
    entry = log.one(Kind.SPENT, tom, new.uuid)
    assert entry.details["how"] == action and entry.credits == 60
    client.post(form["action"], form["fields"])
    log.none()


def test_it_logs_send_it_again_once(maya, log) -> None:
    unconfirmed = make_generation(maya, 60, status=Status.UNCONFIRMED, kie_task_id="")
    client = client_for(maya)
    form = form_posting_to(client, page_of(unconfirmed), f"/videos/{unconfirmed.uuid}/resubmit/")
    client.post(form["action"], form["fields"])
    entry = log.one(Kind.SPENT, maya, unconfirmed.uuid)
    assert entry.details == {"how": "send_again"} and entry.credits == 60
    client.post(form["action"], form["fields"])
    log.none()


@pytest.mark.parametrize(
    ("kind", "extra", "credits"),
    [("1080p", {}, 5), ("4k", {}, 120), ("extend", {"prompt": "Then it rains", "model": "veo3_fast"}, 60)],
)
def test_it_logs_a_version_ordered_once(maya, tom, log, kind, extra, credits) -> None:
    video = finished(maya)
    client = client_for(tom)
    form = form_posting_to(client, page_of(video), f"/videos/{video.uuid}/renditions/", kind=kind)
    client.post(form["action"], {**form["fields"], **extra})
    rendition = Rendition.objects.get()
    entry = log.one(Kind.ORDERED_VERSION, tom, video.uuid)
    assert entry.credits == credits
    assert (entry.details["version"], entry.details["version_id"]) == (kind, str(rendition.uuid))
    client.post(form["action"], {**form["fields"], **extra})
    log.none()


def test_it_logs_nothing_when_a_version_is_already_ordered(maya, tom, log) -> None:
    video = finished(maya)
    first = form_posting_to(client_for(maya), page_of(video), f"/videos/{video.uuid}/renditions/", kind="4k")
    second = form_posting_to(client_for(tom), page_of(video), f"/videos/{video.uuid}/renditions/", kind="4k")
    client_for(maya).post(first["action"], first["fields"])
    log.one(Kind.ORDERED_VERSION, maya, video.uuid)
    client_for(tom).post(second["action"], second["fields"])
    assert Rendition.objects.count() == 1
    log.none()


def test_it_logs_a_deletion_by_the_owner_or_an_admin(maya, admin, log) -> None:
    mine, theirs = finished(maya), finished(maya)
    client_for(maya).post(f"/videos/{mine.uuid}/delete/")
    assert log.one(Kind.DELETED, maya, mine.uuid).details == {}
    assert client_for(maya).post(f"/videos/{mine.uuid}/delete/").status_code == 404
    log.none()

    client_for(admin).post(f"/videos/{theirs.uuid}/delete/")
    assert log.one(Kind.DELETED, admin, theirs.uuid).details == {"owner": "maya"}


def test_it_logs_nothing_for_a_refused_deletion(maya, tom, log) -> None:
    video = finished(maya)
    assert client_for(tom).post(f"/videos/{video.uuid}/delete/").status_code == 403
    running = make_generation(maya, 60, status=Status.RUNNING)
    client_for(maya).post(f"/videos/{running.uuid}/delete/")
    assert Generation.objects.filter(deleted_at__isnull=False).count() == 0
    log.none()


def test_it_logs_a_change_of_who_sees_a_video(maya, admin, log) -> None:
    video = finished(maya)
    client = client_for(maya)
    client.post(f"/videos/{video.uuid}/visibility/", {"visibility": "private"})
    entry = log.one(Kind.VISIBILITY_CHANGED, maya, video.uuid)
    assert entry.details == {"from": "team", "to": "private"}
    client.post(f"/videos/{video.uuid}/visibility/", {"visibility": "private"})  # already private: no change
    assert client_for(admin).post(f"/videos/{video.uuid}/visibility/", {"visibility": "team"}).status_code == 403
    assert Generation.objects.get(pk=video.pk).visibility == "private"
    log.none()


def test_it_logs_role_and_budget_changes_of_a_person(admin, maya, log) -> None:
    url = f"/people/{Membership.objects.get(user=maya).uuid}/"
    client = client_for(admin)
    client.post(url, {"role": Role.ADMIN, "monthly_budget": ""})
    assert log.one(Kind.ROLE_CHANGED, admin).details == {"from": "member", "to": "admin"}
    client.post(url, {"role": Role.ADMIN, "monthly_budget": "500"})
    entry = log.one(Kind.BUDGET_CHANGED, admin, Membership.objects.get(user=maya).uuid)
    assert (entry.what, entry.object_type, entry.details) == ("Maya", "person", {"from": None, "to": "500"})
    client.post(url, {"role": Role.MEMBER, "monthly_budget": "750.50"})  # both at once: two changes, two entries
    assert [(e.kind, e.details) for e in log.new()] == [
        (Kind.ROLE_CHANGED, {"from": "admin", "to": "member"}),
        (Kind.BUDGET_CHANGED, {"from": "500", "to": "750.5"}),
    ]
    client.post(url, {"role": Role.MEMBER, "monthly_budget": "750.50"})  # saved again unchanged
    log.none()


def test_it_logs_nothing_for_a_refused_change_of_role(admin, maya, log) -> None:
    own = f"/people/{Membership.objects.get(user=admin).uuid}/"
    response = client_for(admin).post(own, {"role": Role.MEMBER, "monthly_budget": "5"})  # the only admin
    assert response.status_code == 200 and Membership.objects.get(user=admin).role == Role.ADMIN
    other = f"/people/{Membership.objects.get(user=maya).uuid}/"
    assert client_for(maya).post(other, {"role": Role.ADMIN, "monthly_budget": ""}).status_code == 403
    log.none()


def test_it_logs_a_change_of_the_team_budget(admin, log) -> None:
    client = client_for(admin)
    client.post("/team/settings/", {"monthly_budget": "5000", "low_balance_threshold": "1000"})
    entry = log.one(Kind.BUDGET_CHANGED, admin)
    assert (entry.object_type, entry.details) == ("team", {"from": None, "to": "5000"})
    assert TeamSettings.current().monthly_budget == 5000
    client.post("/team/settings/", {"monthly_budget": "5000", "low_balance_threshold": "800"})  # not a budget
    client.post("/team/settings/", {"monthly_budget": "-1", "low_balance_threshold": "800"})  # refused
    log.none()


def test_it_logs_a_change_of_prices(admin, log) -> None:
    client = client_for(admin)
    shown = shown_form(client)
    client.post("/team/settings/prices/", {**shown, "fast": "61", "upgrade_4k": "100"})
    entry = log.one(Kind.PRICES_CHANGED, admin)
    assert entry.details == {"fast": ["60", "61"], "upgrade_4k": ["120", "100"]}
    client.post("/team/settings/prices/", shown_form(client))  # saved again unchanged
    client.post("/team/settings/prices/", {**shown_form(client), "fast": "0"})  # refused
    log.none()


# --- in the action's own transaction ------------------------------------------------------------------------


def test_it_leaves_no_entry_when_the_action_rolls_back(maya, log) -> None:
    video = finished(maya)
    client = client_for(maya)
    form = form_posting_to(client, page_of(video), f"/videos/{video.uuid}/renditions/", kind="4k")
    with (
        mock.patch("veoui.studio.tasks.submit_rendition") as task,
        pytest.raises(DatabaseError),
    ):
        task.enqueue.side_effect = DatabaseError("disk full")  # the version's task can't be queued
        client.post(form["action"], form["fields"])
    assert Rendition.objects.count() == 0
    log.none()


def test_it_does_not_act_when_the_entry_cannot_be_written(maya, log) -> None:
    with (
        mock.patch.object(AuditEntry.objects, "create", side_effect=DatabaseError("disk full")),
        pytest.raises(DatabaseError),
    ):
        studio_post(client_for(maya), str(uuid.uuid4()))
    assert Generation.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_it_refuses_an_entry_outside_a_transaction() -> None:
    maya = make_user("maya", "Maya")  # a real database outside any transaction, as a caller that forgot one is
    with pytest.raises(RuntimeError):
        audit.record(Kind.SPENT, actor=maya)
    assert AuditEntry.objects.count() == 0
    with transaction.atomic():
        assert audit.record(Kind.SPENT, actor=maya, what="x" * 500).what.endswith("…")


# --- the page -----------------------------------------------------------------------------------------------


def entry(actor, kind: str, days_ago: int = 0, **fields) -> AuditEntry:
    with transaction.atomic():
        made = audit.record(kind, actor=actor, **fields)
    AuditEntry.objects.filter(pk=made.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return made


def test_it_shows_admins_the_log_from_their_menu(admin, maya) -> None:
    video = finished(maya)
    entry(maya, Kind.SPENT, what=video.prompt, object_type="video", object_id=video.uuid, credits=Decimal(60))
    entry(admin, Kind.ROLE_CHANGED, what="Maya", object_type="person", details={"from": "member", "to": "admin"})
    client = client_for(admin)
    assert 'href="/team/audit/"' in client.get("/usage/").content.decode()
    page = text(client.get("/team/audit/"))
    assert "2 entries" in page and "Spent credits" in page and "Changed a role" in page
    assert "Member → Admin" in page and f'href="/videos/{video.uuid}/"' in page


def test_it_filters_by_person_kind_and_dates(admin, maya, tom) -> None:
    entry(maya, Kind.SPENT, what="recent spend by Maya")
    entry(maya, Kind.DELETED, what="recent deletion by Maya")
    entry(tom, Kind.SPENT, what="recent spend by Tom")
    entry(maya, Kind.SPENT, days_ago=40, what="old spend by Maya")
    client = client_for(admin)

    def shown(**query: str) -> set[str]:
        page = text(client.get("/team/audit/", query))
        return {e.what for e in AuditEntry.objects.all() if e.what in page}

    assert shown(person=str(maya.pk)) == {"recent spend by Maya", "recent deletion by Maya", "old spend by Maya"}
    assert shown(kind=Kind.SPENT, person=str(maya.pk)) == {"recent spend by Maya", "old spend by Maya"}
    today = timezone.localdate()
    assert shown(since=str(today - timedelta(days=7))) == {
        "recent spend by Maya",
        "recent deletion by Maya",
        "recent spend by Tom",
    }
    old = str(today - timedelta(days=40))
    assert shown(since=old, until=old) == {"old spend by Maya"}


def test_it_explains_a_bad_filter_next_to_its_field(admin, maya) -> None:
    entry(maya, Kind.SPENT, what="a spend")
    response = client_for(admin).get("/team/audit/", {"since": "yesterday", "person": "99999", "kind": "bribe"})
    page = text(response)
    assert response.status_code == 200
    assert "Enter a date, like 2026-01-31." in page and "That person isn't in the list" in page
    assert "Choose one of the kinds in the list." in page
    response = client_for(admin).get("/team/audit/", {"since": "2026-03-02", "until": "2026-03-01"})
    assert "This date is before the From date." in text(response)


def test_it_pages_through_many_entries(admin, maya) -> None:
    for number in range(55):
        entry(maya, Kind.SPENT, what=f"spend {number}")
    client = client_for(admin)
    first = text(client.get("/team/audit/", {"kind": Kind.SPENT}))
    assert "Page 1 of 2" in first and "spend 54" in first and "spend 4<" not in first
    assert "?kind=spent&amp;page=2" in client.get("/team/audit/", {"kind": Kind.SPENT}).content.decode()
    second = text(client.get("/team/audit/", {"kind": Kind.SPENT, "page": "2"}))
    assert "spend 4<" in second and "spend 54" not in second
    assert client.get("/team/audit/", {"page": "lots"}).status_code == 200


def test_it_downloads_the_filtered_entries_as_csv(admin, maya, tom) -> None:
    video = finished(maya)
    entry(maya, Kind.SPENT, what="=HYPERLINK(1)", object_type="video", object_id=video.uuid, credits=Decimal(60))
    entry(tom, Kind.SPENT, what="Tom's")
    entry(maya, Kind.DELETED, what="gone")
    response = client_for(admin).get("/team/audit/export.csv", {"person": str(maya.pk), "kind": Kind.SPENT})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="veoui-audit-')
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 1
    row = rows[0]
    assert (row["username"], row["name"], row["kind"], row["credits"]) == ("maya", "Maya", "spent", "60.00")
    assert (row["what"], row["object_type"], row["object_id"]) == ("'=HYPERLINK(1)", "video", str(video.uuid))


def test_it_keeps_the_name_of_someone_whose_account_is_gone(admin) -> None:
    leaver = get_user_model().objects.create_user("lee", first_name="Lee")
    entry(leaver, Kind.SPENT, what="their last video")
    leaver.delete()
    kept = AuditEntry.objects.get()
    assert (kept.actor, kept.actor_name) == (None, "Lee")
    assert "(account removed)" in text(client_for(admin).get("/team/audit/"))


@pytest.mark.parametrize("path", ["/team/audit/", "/team/audit/export.csv"])
def test_it_refuses_members_and_sends_visitors_to_log_in(maya, path) -> None:
    assert client_for(maya).get(path).status_code == 403
    response = Client().get(path)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_it_keeps_entries_for_more_than_a_year_through_the_cleanups(maya, settings) -> None:
    settings.VEOUI_TASK_RESULTS_KEEP_DAYS = 1
    old = entry(maya, Kind.SPENT, days_ago=400)
    maintenance.prune_task_results()
    throttle.record_failure("maya", "10.0.0.1")  # a failed login prunes the old ones
    assert AuditEntry.objects.filter(pk=old.pk).exists()
