"""Remember when kie.ai last answered a call successfully (shown by /health/)."""

from __future__ import annotations

import logging
import time
from datetime import datetime

from django.db import DatabaseError, transaction
from django.utils import timezone

from veoui.studio.models import KieContact

log = logging.getLogger(__name__)

# Status checks run every few seconds per video: one write per process every few seconds is plenty.
NOTE_EVERY = 5.0

_last_noted: float | None = None


def note_kie_success() -> None:
    """Called right after a kie.ai call succeeded. Never raises: the call's own work matters more."""
    global _last_noted
    if _last_noted is not None and time.monotonic() - _last_noted < NOTE_EVERY:
        return
    now = timezone.now()
    try:
        with transaction.atomic():
            if not KieContact.objects.filter(pk=1).update(last_success_at=now):
                KieContact.objects.create(pk=1, last_success_at=now)
    except DatabaseError:  # e.g. two workers creating the row at once; the next call tries again
        log.warning("could not record a successful kie.ai call")
        return
    _last_noted = time.monotonic()


def last_kie_success() -> datetime | None:
    return KieContact.objects.filter(pk=1).values_list("last_success_at", flat=True).first()
