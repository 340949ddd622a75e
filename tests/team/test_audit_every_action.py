"""Every action the audit log is for writes exactly one entry, and the Audit log page and its CSV show it.

A day of a team's work, through the real pages (forms as the pages render them, with their one-time tokens), with
the worker really running and the simulator playing kie.ai: Alex (admin) makes a members-only project, renames it,
changes its members and its budget; Maya generates into it, orders a 1080P and a 4K version, makes it private,
moves it, deletes it, then makes two variations and deletes both from the gallery at once; Alex changes Maya's
role and budget, the team's budget and the prices. After each POST the log holds exactly one new entry (one per
video for the gallery's Delete) of the right kind, person, object and credits. Then every entry is found on the
Audit log page filtered by its person, its kind and today's date, and in the CSV of those same filters.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import dateformat, timezone

from tests.people import client_for, make_user, text
from tests.projects.helpers import generate_fields
from tests.studio.spending import form_posting_to
from tests.team.test_audit_log import Log
from tests.team.test_prices import shown_form
from tests.waiting import wait_for
from veoui.projects.models import Project
from veoui.studio.models import Generation, Pricing, Rendition, Status
from veoui.team.models import AuditEntry, Membership, Role, TeamSettings

Kind = AuditEntry.Kind


@pytest.fixture
def quick_versions(settings) -> None:
    settings.VEOUI_UPGRADE_POLL_INTERVAL = 0.3


def finished(generation: Generation) -> Generation:
    def done() -> bool:
        generation.refresh_from_db()
        return generation.status == Status.SUCCEEDED and bool(generation.video)

    return wait_for(done, 30, f"the video {generation.prompt!r} finished and archived") and generation


def version_finished(rendition: Rendition) -> None:
    def done() -> bool:
        rendition.refresh_from_db()
        return rendition.status == Status.SUCCEEDED and bool(rendition.video)

    wait_for(done, 30, f"the {rendition.kind} version finished and archived")


def studio_post(client: Client, project: Project, prompt: str, **fields: str) -> list[Generation]:
    before = set(Generation.objects.values_list("pk", flat=True))
    response = client.post("/studio/text/", generate_fields(project, prompt=prompt, **fields))
    assert response.status_code == 302, text(response)[:2000]
    return list(Generation.objects.exclude(pk__in=before).order_by("pk"))


def project_fields(project: Project, **changes: object) -> dict:
    """The project's edit form as its page shows it, with ``changes``."""
    fields = {
        "name": project.name,
        "colour": project.colour,
        "description": project.description,
        "visibility": project.visibility,
        "members": [str(pk) for pk in project.members.values_list("pk", flat=True)],
        "monthly_budget": "" if project.monthly_budget is None else str(project.monthly_budget),
    }
    return {**fields, **changes}


def csv_of(client: Client, query: dict) -> list[dict]:
    response = client.get("/team/audit/export.csv", query)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.mark.django_db(transaction=True)
def test_every_action_writes_one_entry_that_the_log_and_its_csv_show(worker, kie, quick_versions) -> None:
    alex = make_user("alex", "Alex", role=Role.ADMIN)
    maya, tom = make_user("maya", "Maya"), make_user("tom", "Tom")
    admin, member = client_for(alex), client_for(maya)
    log = Log()
    done: list[AuditEntry] = []

    def one(kind: str, actor: object, object_id: object = "", credits: object = None) -> AuditEntry:
        entry = log.one(kind, actor, object_id)
        assert entry.credits == (None if credits is None else Decimal(credits)), entry
        done.append(entry)
        return entry

    # --- Alex: a members-only project, renamed, with a new member and a budget ------------------------------
    response = admin.post(
        "/projects/new/",
        {
            "name": "Harbour campaign",
            "colour": "teal",
            "description": "For the harbour's summer festival",
            "visibility": Project.Visibility.MEMBERS,
            "members": [str(maya.pk)],
            "monthly_budget": "900",
        },
    )
    assert response.status_code == 302
    project = Project.objects.get()
    assert set(project.members.all()) == {alex, maya} and project.monthly_budget == 900
    made, budget = log.new()  # the project, and its budget from nothing to 900
    assert [(e.kind, e.actor, e.object_id) for e in (made, budget)] == [
        (Kind.PROJECT_CHANGED, alex, str(project.uuid)),
        (Kind.BUDGET_CHANGED, alex, str(project.uuid)),
    ]
    assert (made.what, made.object_type, made.details["action"]) == ("Harbour campaign", "project", "created")
    assert (budget.details["from"], budget.details["to"], budget.credits) == (None, "900", None)
    done += [made, budget]

    admin.post(f"/projects/{project.uuid}/edit/", project_fields(project, name="Harbour festival"))
    project.refresh_from_db()
    assert project.name == "Harbour festival"
    entry = one(Kind.PROJECT_CHANGED, alex, project.uuid)
    assert entry.details["fields"] == ["name"] and entry.details["members_added"] == []

    members = [str(alex.pk), str(maya.pk), str(tom.pk)]
    admin.post(f"/projects/{project.uuid}/edit/", project_fields(project, members=members))
    assert set(project.members.all()) == {alex, maya, tom}
    entry = one(Kind.PROJECT_CHANGED, alex, project.uuid)
    assert (entry.details["fields"], entry.details["members_added"]) == ([], [tom.pk])

    admin.post(f"/projects/{project.uuid}/edit/", project_fields(project, monthly_budget="1200"))
    project.refresh_from_db()
    assert project.monthly_budget == 1200
    entry = one(Kind.BUDGET_CHANGED, alex, project.uuid)
    assert (entry.object_type, entry.what) == ("project", "Harbour festival")
    assert (entry.details["from"], entry.details["to"]) == ("900", "1200")
    admin.post(f"/projects/{project.uuid}/edit/", project_fields(project))  # saved again unchanged
    log.none()

    # --- Maya: a video in it, two versions, private, moved, deleted -------------------------------------------
    fast = Pricing.current().fast
    [video] = studio_post(member, project, "Fishing boats at dawn in the harbour")
    assert (video.project, video.spend_project, video.estimated_credits) == (project, project, fast)
    entry = one(Kind.SPENT, maya, video.uuid, credits=fast)
    assert entry.details == {"how": "studio", "model": "veo3_fast", "count": 1}
    finished(video)
    log.none()  # the worker's sending, checking and archiving are not actions of a person

    page = f"/videos/{video.uuid}/"
    for kind, price in (("1080p", Pricing.current().upgrade_1080p), ("4k", Pricing.current().upgrade_4k)):
        order = form_posting_to(member, page, f"/videos/{video.uuid}/renditions/", kind=kind)
        member.post(order["action"], order["fields"])
        rendition = Rendition.objects.get(generation=video, kind=kind)
        entry = one(Kind.ORDERED_VERSION, maya, video.uuid, credits=price)
        assert (entry.details["version"], entry.details["version_id"]) == (kind, str(rendition.uuid))
        member.post(order["action"], order["fields"])  # the same button pressed again
        assert Rendition.objects.filter(generation=video, kind=kind).count() == 1
        log.none()
        version_finished(rendition)
    log.none()

    member.post(f"/videos/{video.uuid}/visibility/", {"visibility": "private"})
    assert Generation.objects.get(pk=video.pk).visibility == "private"
    assert one(Kind.VISIBILITY_CHANGED, maya, video.uuid).details == {"from": "team", "to": "private"}

    elsewhere = Project.objects.create(name="Autumn fair", created_by=alex)
    member.post("/projects/move/", {"videos": [str(video.uuid)], "project": str(elsewhere.uuid), "next": page})
    assert Generation.objects.get(pk=video.pk).project == elsewhere
    entry = one(Kind.PROJECT_CHANGED, maya, elsewhere.uuid)
    assert entry.details == {"action": "moved", "into": True, "videos": [str(video.uuid)]}
    member.post("/projects/move/", {"videos": [str(video.uuid)], "project": "", "next": page})
    assert Generation.objects.get(pk=video.pk).project is None
    entry = one(Kind.PROJECT_CHANGED, maya)  # taken out of any project
    assert (entry.object_id, entry.details["videos"]) == ("", [str(video.uuid)])

    assert member.post(f"/videos/{video.uuid}/delete/").status_code == 302
    assert Generation.objects.get(pk=video.pk).deleted_at is not None
    one(Kind.DELETED, maya, video.uuid)
    assert member.post(f"/videos/{video.uuid}/delete/").status_code == 404  # pressed again: gone already
    log.none()

    # --- Maya: two variations, then both deleted from the gallery at once ----------------------------------------
    pair = studio_post(member, project, "Gulls over the lighthouse", count="2")
    assert len(pair) == 2
    one(Kind.SPENT, maya, pair[0].uuid, credits=2 * fast)
    for generation in pair:
        finished(generation)
    chosen = {"videos": [str(g.uuid) for g in pair], "next": "/gallery/"}
    asked = member.post("/gallery/delete/", chosen)
    assert "Delete 2 videos?" in text(asked)
    log.none()  # asking deletes nothing
    member.post("/gallery/delete/", {**chosen, "confirm": "1"})
    assert Generation.objects.filter(pk__in=[g.pk for g in pair], deleted_at__isnull=False).count() == 2
    entries = log.new()
    assert sorted((e.kind, e.actor, e.object_id) for e in entries) == sorted(
        (Kind.DELETED, maya, str(g.uuid)) for g in pair
    )
    done += entries
    member.post("/gallery/delete/", {**chosen, "confirm": "1"})  # the same form sent twice
    log.none()

    # --- Alex: Maya's role and budget, the team's budget, the prices ---------------------------------------------
    person = f"/people/{Membership.objects.get(user=maya).uuid}/"
    membership_id = Membership.objects.get(user=maya).uuid
    admin.post(person, {"role": Role.ADMIN, "monthly_budget": ""})
    assert Membership.objects.get(user=maya).role == Role.ADMIN
    assert one(Kind.ROLE_CHANGED, alex, membership_id).details == {"from": "member", "to": "admin"}
    admin.post(person, {"role": Role.ADMIN, "monthly_budget": "500"})
    assert one(Kind.BUDGET_CHANGED, alex, membership_id).details == {"from": None, "to": "500"}

    admin.post("/team/settings/", {"monthly_budget": "5000", "low_balance_threshold": "1000"})
    assert TeamSettings.current().monthly_budget == 5000
    entry = one(Kind.BUDGET_CHANGED, alex)
    assert (entry.object_type, entry.details) == ("team", {"from": None, "to": "5000"})

    admin.post("/team/settings/prices/", {**shown_form(admin), "fast": "61"})
    assert Pricing.current().fast == 61
    assert one(Kind.PRICES_CHANGED, alex).details == {"fast": [f"{fast.normalize():f}", "61"]}

    assert admin.post(f"/projects/{elsewhere.uuid}/delete/").status_code == 302
    assert not Project.objects.filter(pk=elsewhere.pk).exists()
    assert one(Kind.PROJECT_CHANGED, alex, elsewhere.uuid).details == {"action": "deleted", "videos": 0, "scenes": 0}

    # Every kind the log offers but the share links (made and revoked on their own pages) was done above.
    assert {e.kind for e in done} == set(Kind.values) - {Kind.SHARE_LINK_CREATED, Kind.SHARE_LINK_REVOKED}
    assert AuditEntry.objects.count() == len(done) == 20

    # --- the Audit log page and its CSV, filtered by person, kind and date, show each one ------------------------
    today = str(timezone.localdate())
    for entry in done:
        query = {"person": str(entry.actor.pk), "kind": entry.kind, "since": today, "until": today}
        same = AuditEntry.objects.filter(actor=entry.actor, kind=entry.kind)
        shown = text(admin.get("/team/audit/", query))
        when = dateformat.format(timezone.localtime(entry.created_at), "c")
        assert f'datetime="{when}"' in shown, (entry, query)
        assert f"{same.count()} entr" in shown, (entry, query)
        assert entry.get_kind_display() in shown and entry.actor_name in shown
        if entry.what:
            assert entry.what in shown, entry
        rows = csv_of(admin, query)
        assert len(rows) == same.count(), (entry, rows)
        assert {(r["username"], r["kind"]) for r in rows} == {(entry.actor.get_username(), entry.kind)}
        wanted = (entry.object_id, "" if entry.credits is None else f"{entry.credits:.2f}", entry.what)
        assert wanted in {(r["object_id"], r["credits"], r["what"]) for r in rows}, (entry, rows)
        assert timezone.localtime(entry.created_at).isoformat(timespec="seconds") in {r["when"] for r in rows}

    # What each change reads as on the page: the budget of a project from what to what, as a person's does.
    budgets = text(admin.get("/team/audit/", {"kind": Kind.BUDGET_CHANGED}))
    assert (
        "No limit → 900" in budgets
        and "900 → 1200" in budgets
        and "No limit → 500" in budgets
        and "No limit → 5000" in budgets
    )

    # And what each change of a project reads as.
    projects = text(admin.get("/team/audit/", {"kind": Kind.PROJECT_CHANGED}))
    assert "6 entries" in projects
    for said in (
        "Made the project",
        "Deleted the project",
        "Name: Harbour campaign → Harbour festival",
        "1 member added",
        "1 video moved here",
        "1 video taken out of its project",
    ):
        assert said in projects, said
    assert "No project" in projects  # what the video was taken out into

    # A day that holds none of them shows none, on the page and in the CSV.
    tomorrow = str(timezone.localdate() + timedelta(days=1))
    assert "0 entries" in text(admin.get("/team/audit/", {"since": tomorrow}))
    assert csv_of(admin, {"since": tomorrow}) == []


@pytest.mark.django_db
def test_letting_someone_in_logs_the_role_and_budget_they_were_given() -> None:
    alex = make_user("alex", "Alex", role=Role.ADMIN)
    admin, log = client_for(alex), Log()
    # Added by hand, as an admin with a budget: from nothing to admin, from no limit to 300.
    response = admin.post(
        "/people/add/", {"username": "bea", "first_name": "Bea", "role": Role.ADMIN, "monthly_budget": "300"}
    )
    assert response.status_code == 302
    bea = Membership.objects.get(user__username="bea")
    assert (bea.role, bea.monthly_budget, bea.user.is_staff) == (Role.ADMIN, 300, True)
    entries = log.new()
    assert [(e.kind, e.actor, e.object_id, e.what, e.details) for e in entries] == [
        (Kind.ROLE_CHANGED, alex, str(bea.uuid), "Bea", {"from": None, "to": "admin", "how": "added"}),
        (Kind.BUDGET_CHANGED, alex, str(bea.uuid), "Bea", {"from": None, "to": "300", "how": "added"}),
    ]
    page = text(admin.get("/team/audit/", {"person": str(alex.pk)}))
    assert "Joined as Admin" in page and "No limit → 300" in page
    response = admin.post("/people/add/", {"username": "bea", "first_name": "Bea 2", "role": Role.MEMBER})
    assert response.status_code == 200  # the username is taken: nobody added, nothing logged
    log.none()

    # Invited as a member without a budget: logged when the invite is used, as Alex's choice; once.
    admin.post("/people/invite/", {"note": "Carl from sales", "role": Role.MEMBER, "monthly_budget": ""})
    link = admin.get("/people/created/").content.decode()
    join = re.search(r"/join/[\w-]+/", link)[0]
    log.none()  # an invite not used yet lets nobody in
    fields = {
        "username": "carl",
        "first_name": "Carl",
        "password1": "harbour-ferry-91",
        "password2": "harbour-ferry-91",
    }
    assert Client().post(join, fields).status_code == 302
    carl = Membership.objects.get(user__username="carl")
    entry = log.one(Kind.ROLE_CHANGED, alex, carl.uuid)
    assert entry.details == {"from": None, "to": "member", "how": "invite"}
    assert Client().post(join, {**fields, "username": "carl2"}).status_code == 410  # used already: gone
    log.none()
