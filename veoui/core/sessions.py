"""veoui's session store: Django's database sessions, read together with the person they belong to.

Sessions are rows of Django's own table, written, renewed, ended and cleared exactly as by
``django.contrib.sessions.backends.db``. Three things make reading one cheaper, and every signed-in request reads
one (each open status card, every second):

- the lookup by key is a PreparedRead (its SQL is written once, not on every request), as is the login backend's
  read of the person (``person``, veoui/team/backends.py); both are kept in memory until anything is written to
  the sessions or the people (veoui/core/changes.py), so an unchanged session costs no query at all. The expiry
  is checked on each use, as Django's lookup does;
- once a process has seen whose a session is, it reads the session row and that person (with their membership)
  in one query. Whose it is is only a guess for what to read alongside: Django's login code still decides from
  the session's own data, checked as always (the person's password hash, an account switched off), and the
  person handed to it was read in the same query as the session, in this request;
- the row's data, signed text, is checked and decoded once per process for each text it holds: the same text
  always decodes to the same data (a new session or any change writes new text).
"""

from __future__ import annotations

import copy
import logging
import threading

from django.conf import settings
from django.contrib.auth import SESSION_KEY as PERSON_KEY
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.core.exceptions import SuspiciousOperation
from django.core.signals import request_finished, request_started
from django.db.models import QuerySet, Subquery
from django.utils import timezone

from veoui.core.prepared import PreparedRead, remember

User = get_user_model()
KEY = Session._meta.get_field("session_key")


def session_row(key: str) -> QuerySet[Session]:
    """The row with this key. Django's lookup also leaves out an expired one: ``live()`` does that here."""
    return Session.objects.filter(session_key=key)


def live(session: Session | None, now: object) -> Session | None:
    return session if session is not None and session.expire_date > now else None


def person(user_id: int) -> QuerySet:
    """The person by their id, with their membership (None when they have none), as select_related reads them."""
    return User._default_manager.select_related("membership").filter(pk=user_id)


def _person_with_session(user_id: int, key: str) -> QuerySet:
    row = session_row(key)
    return person(user_id).annotate(
        session_data=Subquery(row.values("session_data")[:1]), session_expires=Subquery(row.values("expire_date")[:1])
    )


# Both kept in memory while nothing changes (veoui/core/changes.py): a session ended, renewed or written anywhere,
# or its person changed, is read from the database again.
SESSION = PreparedRead(session_row, kept=True, key=KEY)
# The person with their membership, and the session's data and expiry beside them (None when there is no such row).
PERSON_WITH_SESSION = PreparedRead(_person_with_session, kept=True, user_id=User._meta.pk, key=KEY)

# Session key -> the person this process last saw it belong to: only which person to read alongside.
_owners: dict[str, str] = {}
# Signed session text (with the key it was checked with) -> its data, as decoded before.
_decoded: dict[tuple[str, str], dict] = {}


def _copy(value: object) -> object:
    """A deep copy of decoded session data: what JSON gives (dicts, lists, text, numbers) copied directly, three
    times as fast as ``copy.deepcopy``; anything else by it."""
    if type(value) is dict:
        return {key: _copy(item) for key, item in value.items()}
    if type(value) is list:
        return [_copy(item) for item in value]
    if type(value) in (str, int, float, bool) or value is None:
        return value
    return copy.deepcopy(value)


# The person read with this thread's session during the current request, for the login backend to take.
_read_alongside = threading.local()


def _forget_alongside(**kwargs: object) -> None:
    _read_alongside.person = None


request_started.connect(_forget_alongside, dispatch_uid="veoui-sessions-start")
request_finished.connect(_forget_alongside, dispatch_uid="veoui-sessions-finish")


def person_read_alongside(user_id: object) -> object | None:
    """The person with this id if they were read with this request's session (once: it is handed over)."""
    person = getattr(_read_alongside, "person", None)
    _read_alongside.person = None
    return person if person is not None and str(person.pk) == str(user_id) else None


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Session | None:
        now = timezone.now()
        _read_alongside.person = None
        owner = _owners.get(self.session_key or "")
        try:
            person = PERSON_WITH_SESSION.get(user_id=owner, key=self.session_key) if owner else None
            if person is not None:
                data, expires = person.__dict__.pop("session_data"), person.__dict__.pop("session_expires")
                found = Session(session_key=self.session_key, session_data=data, expire_date=expires)
                session = live(found if data is not None else None, now)
                _read_alongside.person = person if session is not None else None
            else:  # not seen yet in this process (or its person is gone): the session alone
                session = live(SESSION.get(key=self.session_key), now)
        except SuspiciousOperation as error:
            logging.getLogger(f"django.security.{error.__class__.__name__}").warning(str(error))
            session = None
        if session is None:
            self._session_key = None
        return session

    def decode(self, session_data: str) -> dict:
        memo = (session_data, settings.SECRET_KEY)
        data = _decoded.get(memo)
        if data is None:
            data = super().decode(session_data)
            if not data:  # a signature that doesn't hold (logged by Django) or nothing in it: decoded again next time
                return data
            remember(_decoded, memo, data)
        return _copy(data)  # each request changes its own copy

    def load(self) -> dict:
        key = self.session_key
        data = super().load()
        owner = data.get(PERSON_KEY)
        if key and owner:
            remember(_owners, key, str(owner))
        person = getattr(_read_alongside, "person", None)
        if person is not None and str(person.pk) != str(owner):
            _read_alongside.person = None  # the session is someone else's now: the backend reads them itself
        return data
