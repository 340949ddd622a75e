"""Admins stay in veoui: the menu's Administration opens veoui's own pages, and Django's admin, still at /admin/
for superusers, says it is veoui's and leads back to the studio."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.people import text

pytestmark = pytest.mark.django_db


def account_menu(page: str) -> str:
    return page.split('class="user-menu__panel"', 1)[1].split("</details>", 1)[0]


def test_it_leads_administration_to_veouis_own_pages(admin_client: Client) -> None:
    menu = account_menu(text(admin_client.get("/studio/text/")))
    assert '<a href="/people/">Administration</a>' in menu
    assert "/admin/" not in menu
    assert admin_client.get("/people/").status_code == 200


def test_it_shows_no_administration_to_a_member(member_client: Client) -> None:
    assert "Administration" not in account_menu(text(member_client.get("/studio/text/")))


def test_it_keeps_djangos_admin_for_superusers_dressed_as_veoui(admin, admin_client: Client) -> None:
    assert admin.is_superuser
    page = text(admin_client.get("/admin/"))
    assert "<title>Site administration | veoui administration</title>" in page
    assert "veoui administration</a>" in page and "Django administration" not in page
    assert 'src="/static/img/favicon.svg"' in page
    assert '<a class="veoui-admin-back" href="/">Back to the studio</a>' in page
    assert "View site" not in page


def test_it_sends_a_member_from_djangos_admin_to_its_login(member_client: Client) -> None:
    response = member_client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
