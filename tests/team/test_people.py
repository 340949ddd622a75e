"""Roles, deactivation and the last admin: what an admin changes on veoui's own People pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from tests.people import PASSWORD, make_generation, make_user, text
from veoui.studio.models import Generation
from veoui.team.models import Membership, Role

pytestmark = pytest.mark.django_db


def membership(user) -> Membership:
    return Membership.objects.select_related("user").get(user=user)


def test_it_lists_everyone_with_role_budget_and_use_this_month(admin_client: Client, member, outsider) -> None:
    Membership.objects.filter(user=member).update(monthly_budget=500)
    make_generation(member, 60)
    page = text(admin_client.get("/people/"))
    assert "Maya" in page and "Otto" in page and "Deactivated" in page
    assert "500 credits" in page and "60 credits" in page


def test_it_deactivates_a_person_who_then_cannot_log_in_while_their_work_stays(admin_client, member, member_client):
    generation = make_generation(member, 60)
    response = admin_client.post(f"/people/{membership(member).uuid}/active/", {"active": "0"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert not member.is_active
    assert Generation.objects.filter(pk=generation.pk, owner=member).exists()
    assert member_client.get("/studio/text/")["Location"].startswith("/login/")  # logged out at once
    refused = Client().post("/login/", {"username": "maya", "password": PASSWORD})
    assert refused.status_code == 200 and "don't match" in text(refused)
    # Admins still see and can open what they made.
    assert admin_client.get(f"/videos/{generation.uuid}/").status_code == 200


def test_it_reactivates_a_person(admin_client: Client, outsider) -> None:
    admin_client.post(f"/people/{membership(outsider).uuid}/active/", {"active": "1"})
    outsider.refresh_from_db()
    assert outsider.is_active
    assert Client().login(username="otto", password=PASSWORD)


def test_it_changes_roles_and_keeps_staff_in_step(admin_client: Client, member) -> None:
    url = f"/people/{membership(member).uuid}/"
    admin_client.post(url, {"role": Role.ADMIN, "monthly_budget": "750"})
    member.refresh_from_db()
    assert member.is_staff and member.is_superuser
    assert (membership(member).role, membership(member).monthly_budget) == (Role.ADMIN, Decimal(750))
    admin_client.post(url, {"role": Role.MEMBER, "monthly_budget": ""})
    member.refresh_from_db()
    assert not member.is_staff and not member.is_superuser
    assert (membership(member).role, membership(member).monthly_budget) == (Role.MEMBER, None)


def test_it_never_removes_the_last_active_admin(admin_client: Client, admin, outsider) -> None:
    Membership.objects.filter(user=outsider).update(role=Role.ADMIN)
    get_user_model().objects.filter(pk=outsider.pk).update(is_staff=True)  # an admin, but deactivated
    response = admin_client.post(f"/people/{membership(admin).uuid}/", {"role": Role.MEMBER})
    assert response.status_code == 200
    assert "Alex is the only admin" in text(response)
    admin.refresh_from_db()
    assert admin.is_staff and membership(admin).role == Role.ADMIN


def test_it_lets_an_admin_step_down_when_another_admin_remains(admin_client: Client, admin) -> None:
    make_user("sam", "Sam", role=Role.ADMIN)
    admin_client.post(f"/people/{membership(admin).uuid}/", {"role": Role.MEMBER})
    admin.refresh_from_db()
    assert not admin.is_staff and membership(admin).role == Role.MEMBER
    assert admin_client.get("/people/").status_code == 403


def test_it_never_deactivates_the_last_admin_or_oneself(admin_client: Client, admin) -> None:
    sam = make_user("sam", "Sam", role=Role.ADMIN)
    refused = admin_client.post(f"/people/{membership(admin).uuid}/active/", {"active": "0"}, follow=True)
    assert "You can't deactivate yourself" in text(refused)
    admin.refresh_from_db()
    assert admin.is_active
    sam_client = Client()
    sam_client.force_login(sam)
    sam_client.post(f"/people/{membership(admin).uuid}/active/", {"active": "0"})
    admin.refresh_from_db()
    assert not admin.is_active  # Sam is still an admin, so Alex may go
    refused = sam_client.post(f"/people/{membership(sam).uuid}/", {"role": Role.MEMBER})
    assert "Sam is the only admin" in text(refused)
    sam.refresh_from_db()
    assert sam.is_staff


def test_it_gives_everyone_a_membership_that_follows_staff(db) -> None:
    user = get_user_model().objects.create_user("kim", password=PASSWORD)
    assert membership(user).role == Role.MEMBER
    user.is_staff = True
    user.save()
    assert membership(user).role == Role.ADMIN


def test_it_makes_the_first_account_an_admin_member(capsys, db) -> None:
    call_command("ensure_admin")
    user = get_user_model().objects.get(username="admin")
    assert user.is_staff and membership(user).role == Role.ADMIN
    assert not membership(user).must_change_password


def test_it_rejects_a_negative_budget(admin_client: Client, member) -> None:
    response = admin_client.post(f"/people/{membership(member).uuid}/", {"role": Role.MEMBER, "monthly_budget": "-5"})
    assert response.status_code == 200
    assert membership(member).monthly_budget is None
