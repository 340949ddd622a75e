"""Every team page for anonymous visitors (login), members (403, nothing changes) and admins (allowed)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from tests.people import PASSWORD
from veoui.studio.models import Pricing
from veoui.team import people
from veoui.team.models import Invite, Membership, Role, TeamSettings

pytestmark = pytest.mark.django_db


def team_urls(member, invite: Invite) -> list[tuple[str, str, dict]]:
    person = f"/people/{member.membership.uuid}/"
    return [
        ("get", "/people/", {}),
        ("post", "/people/invite/", {"note": "Sam", "role": Role.ADMIN}),
        ("post", "/people/add/", {"username": "sam", "role": Role.ADMIN}),
        ("get", "/people/created/", {}),
        ("get", person, {}),
        ("post", person, {"role": Role.ADMIN, "monthly_budget": "1"}),
        ("post", f"{person}password/", {}),
        ("post", f"{person}active/", {"active": "0"}),
        ("post", f"/people/invites/{invite.uuid}/cancel/", {}),
        ("get", "/usage/", {}),
        ("get", "/usage/export.csv", {}),
        ("get", "/team/settings/", {}),
        ("post", "/team/settings/", {"monthly_budget": "1", "low_balance_threshold": "1"}),
        ("post", "/team/settings/prices/", {"fast": "1", "initial-fast": "60", "usd_per_credit": "1"}),
        ("post", "/team/balance/refresh/", {}),
    ]


@pytest.fixture
def invite(admin) -> Invite:
    return people.create_invite(note="Sam", role=Role.MEMBER, monthly_budget=None, by=admin)[0]


def nothing_changed(member, invite: Invite) -> None:
    member.refresh_from_db()
    membership = Membership.objects.get(user=member)
    assert member.is_active and not member.is_staff and member.check_password(PASSWORD)
    assert membership.role == Role.MEMBER and membership.monthly_budget is None
    assert not membership.must_change_password
    assert Invite.objects.get() == invite and Invite.objects.get().cancelled_at is None
    assert TeamSettings.current().monthly_budget is None
    assert (Pricing.current().fast, Pricing.current().usd_per_credit) == (60, Decimal("0.005"))
    assert not Membership.objects.filter(user__username="sam").exists()


def test_it_sends_anonymous_visitors_to_the_login_page(client: Client, member, invite) -> None:
    for method, url, data in team_urls(member, invite):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"/login/?next={url}"), url
    nothing_changed(member, invite)


@pytest.mark.parametrize("htmx", [False, True])
def test_it_forbids_members(member_client: Client, member, invite, htmx: bool) -> None:
    headers = {"HX-Request": "true"} if htmx else {}
    for method, url, data in team_urls(member, invite):
        response = getattr(member_client, method)(url, data, headers=headers)
        assert response.status_code == 403, url
    nothing_changed(member, invite)


def test_it_forbids_a_former_admin_who_was_demoted(admin_client: Client, admin, member, invite) -> None:
    people.apply_role(member, Role.ADMIN)
    people.update_person(Membership.objects.get(user=admin), role=Role.MEMBER, monthly_budget=None, by=member)
    assert admin_client.get("/people/").status_code == 403


def test_it_lets_admins_open_every_page(admin_client: Client, member, invite) -> None:
    for method, url, _data in team_urls(member, invite):
        if method == "get" and url != "/people/created/":
            assert admin_client.get(url).status_code == 200, url
    # Shown only right after something was created; otherwise back to the list.
    assert admin_client.get("/people/created/")["Location"] == "/people/"


def test_it_shows_the_team_links_to_admins_only(admin_client: Client, member_client: Client) -> None:
    admin_page = admin_client.get("/studio/text/").content.decode()
    member_page = member_client.get("/studio/text/").content.decode()
    for link in ('href="/people/"', 'href="/usage/"', 'href="/team/settings/"'):
        assert link in admin_page
        assert link not in member_page


def test_it_keeps_deactivated_people_out(outsider) -> None:
    client = Client()
    client.force_login(outsider)
    response = client.get("/studio/text/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
