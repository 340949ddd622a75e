"""kie.ai's credit balance: asked for every few minutes (or when an admin presses "Check now"), read by the worker."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from veoui.team.models import KieBalance
from veoui.team.tasks import refresh_balance

REFRESH_EVERY = timedelta(minutes=5)


def schedule_refresh() -> bool:
    """Enqueue a refresh if none was asked for lately. Called by every worker every few seconds: the
    conditional update lets exactly one of them enqueue it each period."""
    now = timezone.now()
    KieBalance.current()
    due = Q(requested_at__isnull=True) | Q(requested_at__lte=now - REFRESH_EVERY)
    if not KieBalance.objects.filter(due, pk=1).update(requested_at=now):
        return False
    refresh_balance.enqueue()
    return True


def request_refresh_now() -> None:
    """An admin pressed "Check now": the worker does it within seconds."""
    KieBalance.current()
    KieBalance.objects.filter(pk=1).update(requested_at=timezone.now())
    refresh_balance.enqueue()
