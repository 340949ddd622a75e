"""Adding people, changing their role, (de)activating them and resetting passwords, with the team's rules.

Every change that could leave the team without an admin runs with the team settings row locked, so two admins
demoting each other at the same moment can't both succeed.
"""

from __future__ import annotations

import logging
import secrets
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from veoui.team import audit
from veoui.team.models import INVITE_VALID_FOR, Invite, Membership, Role, TeamSettings, display_name, hash_token

log = logging.getLogger(__name__)

# Easy to read aloud and to type from a note: no 0/O, 1/l/I.
READABLE_CHARACTERS = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class PeopleError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def temporary_password() -> str:
    groups = ["".join(secrets.choice(READABLE_CHARACTERS) for _ in range(4)) for _ in range(4)]
    return "-".join(groups)


def apply_role(user: AbstractBaseUser, role: str) -> None:
    """Admins are staff and superusers (veoui's views check ``is_staff``; Django's admin pages need both)."""
    admin = role == Role.ADMIN
    user.is_staff = admin
    user.is_superuser = admin
    user.save(update_fields=["is_staff", "is_superuser"])


def add_person(
    *, username: str, first_name: str, role: str, monthly_budget: Decimal | None, by: AbstractBaseUser
) -> tuple[AbstractBaseUser, str]:
    """A new account with a temporary password, to be changed at the first login. Returns the password."""
    password = temporary_password()
    try:
        with transaction.atomic():
            user = get_user_model().objects.create_user(username, password=password, first_name=first_name)
            apply_role(user, role)
            Membership.objects.filter(user=user).update(
                role=role, monthly_budget=monthly_budget, must_change_password=True, added_by=by
            )
            record_arrival(user, role=role, monthly_budget=monthly_budget, by=by, how="added")
    except IntegrityError:
        raise PeopleError(_("Someone already has that username. Choose another one.")) from None
    log.info("person added user=%s role=%s by=%s", user.pk, role, by.pk)
    return user, password


def create_invite(*, note: str, role: str, monthly_budget: Decimal | None, by: AbstractBaseUser) -> tuple[Invite, str]:
    """A one-time invite; returns it and its secret token (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invite = Invite.objects.create(
        token_hash=hash_token(token),
        note=note,
        role=role,
        monthly_budget=monthly_budget,
        created_by=by,
        created_at=now,
        expires_at=now + INVITE_VALID_FOR,
    )
    log.info("invite created id=%s role=%s by=%s", invite.uuid, role, by.pk)
    return invite, token


def find_invite(token: str) -> Invite | None:
    return Invite.objects.filter(token_hash=hash_token(token)).first()


def invite_problem(invite: Invite | None) -> str | None:
    """Why this invite link can't be used, in plain words; None if it can."""
    if invite is None:
        return _("This invite link isn't valid. Check that you copied all of it, or ask for a new one.")
    state = invite.state
    if state == Invite.State.USED:
        return _("This invite link has already been used. If that wasn't you, ask your team's admin for a new one.")
    if state == Invite.State.CANCELLED:
        return _("This invite link was cancelled. Ask your team's admin for a new one.")
    if state == Invite.State.EXPIRED:
        return _("This invite link has expired. Invite links work for 7 days: ask your team's admin for a new one.")
    return None


def accept_invite(invite: Invite, *, username: str, first_name: str, password: str) -> AbstractBaseUser:
    now = timezone.now()
    try:
        with transaction.atomic():
            # Claimed with a conditional update: of two people using the same link at once, one gets it.
            claimed = Invite.objects.filter(pk=invite.pk, used_at=None, cancelled_at=None, expires_at__gt=now).update(
                used_at=now
            )
            if not claimed:
                invite.refresh_from_db()
                raise PeopleError(invite_problem(invite) or _("This invite link can't be used any more."))
            user = get_user_model().objects.create_user(username, password=password, first_name=first_name)
            apply_role(user, invite.role)
            Membership.objects.filter(user=user).update(
                role=invite.role, monthly_budget=invite.monthly_budget, added_by=invite.created_by
            )
            Invite.objects.filter(pk=invite.pk).update(used_by=user)
            # The role and budget are the inviter's choice; taken on only now, by the invite's use.
            record_arrival(
                user,
                role=invite.role,
                monthly_budget=invite.monthly_budget,
                by=invite.created_by or user,
                how="invite",
            )
    except IntegrityError:
        raise PeopleError(_("Someone already has that username. Choose another one.")) from None
    log.info("invite used id=%s user=%s", invite.uuid, user.pk)
    return user


def cancel_invite(invite: Invite) -> bool:
    open_invite = Invite.objects.filter(pk=invite.pk, used_at=None, cancelled_at=None)
    return bool(open_invite.update(cancelled_at=timezone.now()))


def _other_active_admins(user: AbstractBaseUser) -> bool:
    return get_user_model().objects.filter(is_active=True, is_staff=True).exclude(pk=user.pk).exists()


def update_person(membership: Membership, *, role: str, monthly_budget: Decimal | None, by: AbstractBaseUser) -> None:
    with transaction.atomic():
        TeamSettings.objects.select_for_update().get_or_create(pk=1)
        user = membership.user
        user.refresh_from_db()
        if role != Role.ADMIN and user.is_staff and user.is_active and not _other_active_admins(user):
            raise PeopleError(
                _("%(name)s is the only admin. Make someone else an admin first, so the team always has one.")
                % {"name": membership.name}
            )
        was = Membership.objects.filter(pk=membership.pk).values("role", "monthly_budget").get()
        if (role == Role.ADMIN) != user.is_staff:
            apply_role(user, role)
        Membership.objects.filter(pk=membership.pk).update(role=role, monthly_budget=monthly_budget)
        about = {"what": membership.name, "object_type": "person", "object_id": membership.uuid}
        if was["role"] != role:
            audit.record(audit.Kind.ROLE_CHANGED, actor=by, details={"from": was["role"], "to": role}, **about)
        if was["monthly_budget"] != monthly_budget:
            change = {"from": budget_text(was["monthly_budget"]), "to": budget_text(monthly_budget)}
            audit.record(audit.Kind.BUDGET_CHANGED, actor=by, details=change, **about)
    log.info("person updated user=%s role=%s budget=%s by=%s", user.pk, role, monthly_budget, by.pk)


def record_arrival(
    user: AbstractBaseUser, *, role: str, monthly_budget: Decimal | None, by: AbstractBaseUser, how: str
) -> None:
    """A new person's role (and budget, if one was set) in the audit log, as a change from nothing: who let them
    in with which rights is what the log is for, as much as a later change of role."""
    about = {"what": display_name(user), "object_type": "person", "object_id": user.membership.uuid}
    audit.record(audit.Kind.ROLE_CHANGED, actor=by, details={"from": None, "to": role, "how": how}, **about)
    if monthly_budget is not None:
        change = {"from": None, "to": budget_text(monthly_budget), "how": how}
        audit.record(audit.Kind.BUDGET_CHANGED, actor=by, details=change, **about)


def budget_text(credits: Decimal | None) -> str | None:
    """A budget as the audit log keeps it: the number as text (JSON has no decimals), None for no limit."""
    return None if credits is None else f"{credits.normalize():f}"


def update_team_settings(
    *, monthly_budget: Decimal | None, low_balance_threshold: Decimal | None, by: AbstractBaseUser
) -> None:
    with transaction.atomic():
        team, _made = TeamSettings.objects.select_for_update().get_or_create(pk=1)
        TeamSettings.objects.filter(pk=team.pk).update(
            monthly_budget=monthly_budget, low_balance_threshold=low_balance_threshold
        )
        if team.monthly_budget != monthly_budget:
            change = {"from": budget_text(team.monthly_budget), "to": budget_text(monthly_budget)}
            audit.record(audit.Kind.BUDGET_CHANGED, actor=by, object_type="team", details=change)
    log.info("team settings updated budget=%s by=%s", monthly_budget, by.pk)


def set_active(membership: Membership, active: bool, *, by: AbstractBaseUser) -> None:
    """Deactivated people can't log in (and are logged out); everything they made stays."""
    with transaction.atomic():
        TeamSettings.objects.select_for_update().get_or_create(pk=1)
        user = membership.user
        user.refresh_from_db()
        if not active:
            if user.pk == by.pk:
                raise PeopleError(_("You can't deactivate yourself. Another admin can do it."))
            if user.is_staff and not _other_active_admins(user):
                raise PeopleError(
                    _("%(name)s is the only admin. Make someone else an admin first, so the team always has one.")
                    % {"name": membership.name}
                )
        user.is_active = active
        user.save(update_fields=["is_active"])
    log.info("person %s user=%s by=%s", "reactivated" if active else "deactivated", user.pk, by.pk)


def reset_password(membership: Membership, *, by: AbstractBaseUser) -> str:
    """A new temporary password (their sessions end: Django ties sessions to the password)."""
    password = temporary_password()
    with transaction.atomic():
        user = membership.user
        user.set_password(password)
        user.save(update_fields=["password"])
        Membership.objects.filter(pk=membership.pk).update(must_change_password=True)
    log.info("password reset user=%s by=%s", user.pk, by.pk)
    return password
