"""veoui's session store: Django's database sessions, with the one read every request makes prepared once.

Sessions are rows of Django's own table, written, renewed, ended and cleared exactly as by
``django.contrib.sessions.backends.db``; only looking one up by its key skips rebuilding the query each time.
"""

from __future__ import annotations

import logging

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone

from veoui.core.prepared import PreparedRead

# Django's lookup, word for word: the row with this key, unless it has expired.
LIVE_SESSION = PreparedRead(
    lambda key, now: Session.objects.filter(session_key=key, expire_date__gt=now),
    key=Session._meta.get_field("session_key"),
    now=Session._meta.get_field("expire_date"),
)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Session | None:
        try:
            session = LIVE_SESSION.get(key=self.session_key, now=timezone.now())
        except SuspiciousOperation as error:
            logging.getLogger(f"django.security.{error.__class__.__name__}").warning(str(error))
            session = None
        if session is None:
            self._session_key = None
        return session
