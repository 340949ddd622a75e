"""kie.ai's credit balance: read by the worker every few minutes, stored in one row, shown to admins."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone, translation

from veoui.kie import errors as kie_errors
from veoui.kie.client import get_client
from veoui.team.models import KieBalance

log = logging.getLogger(__name__)

REFRESH_EVERY = timedelta(minutes=5)


def refresh() -> KieBalance:
    """Ask kie.ai for the balance and store it; on failure keep the last known one and note why."""
    row = KieBalance.current()
    try:
        with get_client() as client:
            credits = client.credit_balance()
    except kie_errors.KieError as error:
        log.warning("balance check failed code=%s", error.code)
        with translation.override(None):  # kept as the code writes it; the settings page translates it
            message = str(error.message)
        KieBalance.objects.filter(pk=row.pk).update(error_message=message, error_at=timezone.now())
    else:
        KieBalance.objects.filter(pk=row.pk).update(
            credits=credits, checked_at=timezone.now(), error_message="", error_at=None
        )
    row.refresh_from_db()
    return row


def schedule_refresh() -> bool:
    """Enqueue a refresh if none was asked for lately. Called by every worker every few seconds: the
    conditional update lets exactly one of them enqueue it each period."""
    from veoui.team.tasks import refresh_balance

    now = timezone.now()
    KieBalance.current()
    due = Q(requested_at__isnull=True) | Q(requested_at__lte=now - REFRESH_EVERY)
    if not KieBalance.objects.filter(due, pk=1).update(requested_at=now):
        return False
    refresh_balance.enqueue()
    return True


def request_refresh_now() -> None:
    """An admin pressed "Check now": the worker does it within seconds."""
    from veoui.team.tasks import refresh_balance

    KieBalance.current()
    KieBalance.objects.filter(pk=1).update(requested_at=timezone.now())
    refresh_balance.enqueue()
