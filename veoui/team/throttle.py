"""Login throttling: too many wrong passwords for one account from one address, or from one address for any
accounts, pause further tries from there.

Per account *and* address, so that a stranger guessing the admin's password pauses only their own tries: the
admin, on their own address, still gets in. Per address over all accounts, so that a guessing run through many
usernames stops too. Failures are rows in the database, so every web process sees the same count. A refused try is
not counted itself, so the pause ends on time: about WINDOW after the failures that caused it.
"""

from __future__ import annotations

import ipaddress
import math
from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from veoui.team.models import LoginAttempt

WINDOW = timedelta(minutes=15)
MAX_PER_ACCOUNT_AND_ADDRESS = 5
# Higher than per account: a whole office often shares one address, and one person's typos must not lock
# everyone out. Still low enough to stop a guessing run against many usernames.
MAX_PER_ADDRESS = 20
# Old rows are only history; they are cleared as new failures come in.
KEEP_FOR = timedelta(days=1)


def normalise(username: str) -> str:
    return username.strip().lower()[:150]


def client_ip(request: HttpRequest | None) -> str | None:
    """The address the person's request came from.

    Behind the proxy (BEHIND_PROXY) every request comes from nginx, which appends the address it saw to
    X-Forwarded-For (veoui/deploy/nginx.conf): the right-most entry. Anything left of it was sent by the client
    and may be forged, so it is never read.
    """
    if request is None:
        return None
    if settings.BEHIND_PROXY:
        seen_by_proxy = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        if address := _address(seen_by_proxy):
            return address
    return _address(request.META.get("REMOTE_ADDR", ""))


def _address(text: str) -> str | None:
    try:
        return ipaddress.ip_address(text).compressed
    except ValueError:
        return None


def record_failure(username: str, ip: str | None) -> None:
    now = timezone.now()
    LoginAttempt.objects.filter(at__lt=now - KEEP_FOR).delete()
    LoginAttempt.objects.create(username=normalise(username), ip=ip, at=now)


def forget(username: str, ip: str | None) -> None:
    """The account's owner got in from this address: their own typos there no longer count (a stranger's
    failures against the same account from elsewhere still do)."""
    LoginAttempt.objects.filter(username=normalise(username), ip=ip).delete()


def _paused_until(times: list[datetime], limit: int) -> datetime | None:
    """With ``times`` the recent failures, oldest first: when a try is allowed again, or None if it is now."""
    if len(times) < limit:
        return None
    # Tries reopen once enough failures have aged out that fewer than `limit` remain in the window.
    return times[len(times) - limit] + WINDOW


def refusal(username: str, ip: str | None) -> str | None:
    """A plain message if this login attempt must be refused now, else None."""
    recent = LoginAttempt.objects.filter(at__gte=timezone.now() - WINDOW, ip=ip).order_by("at")
    from_here = list(recent.filter(username=normalise(username)).values_list("at", flat=True))
    until = _paused_until(from_here, MAX_PER_ACCOUNT_AND_ADDRESS)
    whose = _("for this account")
    if until is None and ip:
        until = _paused_until(list(recent.values_list("at", flat=True)), MAX_PER_ADDRESS)
        whose = _("from your network")
    if until is None:
        return None
    minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
    wait = ngettext("about %(n)d minute", "about %(n)d minutes", minutes) % {"n": minutes}
    return _(
        "Too many wrong passwords %(whose)s. To keep the account safe, veoui won't accept another try for "
        "%(wait)s. Forgot your password? Ask your team's admin to reset it."
    ) % {"whose": whose, "wait": wait}
