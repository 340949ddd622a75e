"""Work the worker does for the team: kie.ai's credit balance, read and stored in one row. Safe to run twice."""

from __future__ import annotations

import logging

from django.tasks import task
from django.utils import timezone, translation

from veoui.kie import errors as kie_errors
from veoui.kie.client import get_client
from veoui.team.models import KieBalance

log = logging.getLogger(__name__)


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


@task()
def refresh_balance() -> None:
    refresh()
