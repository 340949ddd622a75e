"""Every user has a membership whose role follows ``is_staff``, and failed logins are counted."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest

from veoui.team import throttle
from veoui.team.models import Membership, Role


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def keep_membership(sender: type, instance: object, created: bool, raw: bool = False, **kwargs: object) -> None:
    if raw:
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and "is_staff" not in update_fields:
        return  # e.g. last_login on every login
    role = Role.ADMIN if instance.is_staff else Role.MEMBER
    membership, made = Membership.objects.get_or_create(user=instance, defaults={"role": role})
    # Someone changed is_staff elsewhere (Django admin, a shell): the role follows, so both always agree.
    if not made and membership.role != role:
        Membership.objects.filter(pk=membership.pk).update(role=role)


@receiver(user_login_failed)
def count_failed_login(sender: object, credentials: dict, request: HttpRequest | None = None, **kwargs: object) -> None:
    throttle.record_failure(str(credentials.get("username", "")), throttle.client_ip(request))


@receiver(user_logged_in)
def forget_failed_logins(sender: object, request: HttpRequest | None, user: object, **kwargs: object) -> None:
    throttle.forget(user.get_username(), throttle.client_ip(request))
