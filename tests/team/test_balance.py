"""kie.ai's balance: read by the worker from the simulator, stored, and shown to admins only."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.people import client_for, make_user, text
from tests.waiting import wait_for
from veoui.ops.management.commands import db_worker
from veoui.team import balance
from veoui.team.models import KieBalance, Role, TeamSettings

TASK_PATH = "veoui.team.tasks.refresh_balance"


def stored() -> KieBalance:
    return KieBalance.objects.get(pk=1)


def test_it_refreshes_the_balance_through_the_worker(worker, kie) -> None:
    kie.control.configure(balance=1234.5)
    assert balance.schedule_refresh()
    worker.wait_for(lambda: stored().checked_at is not None)
    row = stored()
    assert row.credits == Decimal("1234.50") and row.error_message == ""
    assert len(kie.control.requests("credit")) == 1
    # Within the next five minutes no worker asks again, however often the housekeeping loop runs.
    assert not balance.schedule_refresh()
    KieBalance.objects.update(requested_at=timezone.now() - balance.REFRESH_EVERY - timedelta(seconds=1))
    assert balance.schedule_refresh()


def test_it_keeps_the_last_balance_and_says_why_when_kie_fails(worker, kie) -> None:
    KieBalance.objects.update_or_create(pk=1, defaults={"credits": Decimal(900), "checked_at": timezone.now()})
    kie.control.add_fault("credit", "body_code", code=401)
    balance.schedule_refresh()
    worker.wait_for(lambda: stored().error_at is not None)
    row = stored()
    assert row.credits == 900 and row.error_message


def test_it_is_scheduled_by_the_workers_housekeeping(transactional_db, kie) -> None:
    stop = threading.Event()
    thread = threading.Thread(target=db_worker.housekeeping, args=(stop,), daemon=True)
    thread.start()
    try:
        queued = DBTaskResult.objects.filter(task_path=TASK_PATH)
        wait_for(queued.exists, 10, "the balance check queued by the housekeeping")
    finally:
        stop.set()
        thread.join(timeout=15)
    assert DBTaskResult.objects.filter(task_path=TASK_PATH).count() == 1


@pytest.mark.django_db
def test_it_shows_the_balance_to_admins_with_a_warning_below_the_threshold(admin_client: Client, member_client) -> None:
    TeamSettings.objects.update_or_create(pk=1, defaults={"low_balance_threshold": Decimal(1000)})
    KieBalance.objects.update_or_create(pk=1, defaults={"credits": Decimal(1500), "checked_at": timezone.now()})
    page = text(admin_client.get("/studio/text/"))
    assert "kie.ai: 1,500 credits" in page and "Low balance" not in page
    KieBalance.objects.update(credits=Decimal(750))
    page = text(admin_client.get("/studio/text/"))
    assert "Low balance!" in page and "kie.ai: 750 credits" in page and "balance--low" in page
    member_page = text(member_client.get("/studio/text/"))
    assert "kie.ai: 750" not in member_page and "Low balance" not in member_page


@pytest.mark.django_db
def test_it_says_when_the_balance_was_never_checked(admin_client: Client) -> None:
    KieBalance.objects.all().delete()
    assert "kie.ai balance: not checked yet" in text(admin_client.get("/studio/text/"))


@pytest.mark.django_db(transaction=True)
def test_it_never_asks_kie_for_a_page_view(kie) -> None:
    admin = make_user("alex", "Alex", role=Role.ADMIN)
    client = client_for(admin)
    for url in ("/studio/text/", "/people/", "/usage/", "/team/settings/"):
        assert client.get(url).status_code == 200
    assert kie.control.requests("credit") == []
    assert not DBTaskResult.objects.filter(task_path=TASK_PATH).exists()


@pytest.mark.django_db
def test_it_asks_the_worker_when_the_admin_presses_check_now(admin_client: Client, kie) -> None:
    response = admin_client.post("/team/balance/refresh/")
    assert response["Location"] == "/team/settings/"
    assert DBTaskResult.objects.filter(task_path=TASK_PATH).count() == 1
    assert kie.control.requests("credit") == []  # the worker, not the page, talks to kie.ai
