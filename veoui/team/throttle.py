"""Login throttling: too many wrong passwords for one username, or from one address, pause further tries.

Failures are rows in the database, so every web process sees the same count. A refused try is not counted
itself, so the pause ends on time: about WINDOW after the failures that caused it.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from veoui.team.models import LoginAttempt

WINDOW = timedelta(minutes=15)
MAX_PER_USERNAME = 5
# Higher than per username: a whole office often shares one address, and one person's typos must not lock
# everyone out. Still low enough to stop a guessing run against many usernames.
MAX_PER_IP = 20
# Old rows are only history; they are cleared as new failures come in.
KEEP_FOR = timedelta(days=1)


def normalise(username: str) -> str:
    return username.strip().lower()[:150]


def client_ip(request: HttpRequest | None) -> str | None:
    # REMOTE_ADDR only: a forwarded header can be forged by the guesser. Behind a proxy this is the proxy's
    # address, which makes the per-address limit count everyone together (the per-username one still holds).
    return (request.META.get("REMOTE_ADDR") or None) if request is not None else None


def record_failure(username: str, ip: str | None) -> None:
    now = timezone.now()
    LoginAttempt.objects.filter(at__lt=now - KEEP_FOR).delete()
    LoginAttempt.objects.create(username=normalise(username), ip=ip, at=now)


def forget(username: str) -> None:
    LoginAttempt.objects.filter(username=normalise(username)).delete()


def _paused_until(times: list[datetime], limit: int) -> datetime | None:
    """With ``times`` the recent failures, oldest first: when a try is allowed again, or None if it is now."""
    if len(times) < limit:
        return None
    # Tries reopen once enough failures have aged out that fewer than `limit` remain in the window.
    return times[len(times) - limit] + WINDOW


def refusal(username: str, ip: str | None) -> str | None:
    """A plain message if this login attempt must be refused now, else None."""
    since = timezone.now() - WINDOW
    recent = LoginAttempt.objects.filter(at__gte=since).order_by("at")
    by_name = list(recent.filter(username=normalise(username)).values_list("at", flat=True))
    until = _paused_until(by_name, MAX_PER_USERNAME)
    whose = _("for this account")
    if until is None and ip:
        until = _paused_until(list(recent.filter(ip=ip).values_list("at", flat=True)), MAX_PER_IP)
        whose = _("from your network")
    if until is None:
        return None
    minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
    wait = ngettext("about %(n)d minute", "about %(n)d minutes", minutes) % {"n": minutes}
    return _(
        "Too many wrong passwords %(whose)s. To keep the account safe, veoui won't accept another try for "
        "%(wait)s. Forgot your password? Ask your team's admin to reset it."
    ) % {"whose": whose, "wait": wait}
