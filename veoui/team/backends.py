"""How veoui finds the person behind a session: Django's model backend, with their membership in the same read.

Every page and every htmx poll asks who is signed in, whether they must change a temporary password first, and
sometimes their saved language. Reading the membership with the person makes that one query instead of two; the
checks themselves are Django's (an account switched off, a password changed or a session ended is refused on the
very next request). Sessions name the backend that logged their person in, so this name stays.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied


class MemberBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and password is not None:
            # Django's backend, still listed for sessions opened before this one, would only check the same
            # password again (and pay for hashing it twice).
            raise PermissionDenied
        return user

    def get_user(self, user_id):
        user = get_user_model()._default_manager.select_related("membership").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
