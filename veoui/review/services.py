"""Comments and review states, and the notices they send to the owner of the work.

A notice goes to the owner of the video or scene when someone else comments on it or sets its review state
(never for what the owner did themselves); one per comment, however often a step is retried.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from veoui.review import tasks
from veoui.review.models import Comment, Notice, Review, ReviewState
from veoui.scenes.models import Scene
from veoui.sharing.models import ShareLink
from veoui.studio.models import Generation

Target = Generation | Scene

NOTICES_SHOWN = 100  # the newest; older ones are long read


def about(target: Target) -> dict[str, Target]:
    """The keyword naming the target on comments, reviews and notices."""
    return {"scene": target} if isinstance(target, Scene) else {"generation": target}


def display_name(person: AbstractBaseUser) -> str:
    return person.get_full_name() or person.get_username()


def add_comment(
    target: Target,
    text: str,
    *,
    at_seconds: Decimal | None = None,
    author: AbstractBaseUser | None = None,
    guest_name: str = "",
    link: ShareLink | None = None,
) -> Comment:
    """A comment by a team member (``author``) or by an outside reviewer (``guest_name`` on ``link``)."""
    with transaction.atomic():
        comment = Comment.objects.create(
            **about(target), text=text, at_seconds=at_seconds, author=author, guest_name=guest_name, share_link=link
        )
        if author is None or author.pk != target.owner_id:
            tell_owner(
                target,
                kind=Notice.Kind.COMMENT,
                comment=comment,
                by_name=display_name(author) if author is not None else guest_name,
            )
    return comment


def state_of(target: Target) -> str:
    review = Review.objects.filter(**about(target)).only("state").first()
    return review.state if review is not None else ReviewState.DRAFT


def set_state(target: Target, state: str, *, by: AbstractBaseUser | None = None, guest_name: str = "") -> bool:
    """Move the review to ``state``; False when it was there already (nothing changes, nobody is told)."""
    if state not in ReviewState.values:
        raise ValueError(state)
    try:
        with transaction.atomic():
            Review.objects.get_or_create(**about(target))
    except IntegrityError:  # made at the same moment by someone else: it is there now
        pass
    with transaction.atomic():
        changed = (
            Review.objects.filter(**about(target))
            .filter(~Q(state=state))
            .update(
                state=state,
                changed_at=timezone.now(),
                changed_by=by,
                changed_by_guest="" if by is not None else guest_name,
            )
        )
        if changed and (by is None or by.pk != target.owner_id):
            tell_owner(
                target,
                kind=Notice.Kind.STATE,
                state=state,
                by_name=display_name(by) if by is not None else guest_name,
            )
    return bool(changed)


def tell_owner(target: Target, **fields: object) -> Notice:
    """The owner's notice, and its email once the change is saved (the task claims it, so it goes once)."""
    notice = Notice.objects.create(recipient_id=target.owner_id, **about(target), **fields)
    transaction.on_commit(partial(tasks.email_notice.enqueue, notice_id=notice.pk))
    return notice


def notices_for(person: AbstractBaseUser) -> QuerySet[Notice]:
    """A person's notices about work that still exists (a deleted video's notices lead nowhere)."""
    return Notice.objects.filter(recipient=person).exclude(
        Q(generation__deleted_at__isnull=False) | Q(scene__deleted_at__isnull=False)
    )


def unread_count(person: AbstractBaseUser) -> int:
    return notices_for(person).filter(read_at__isnull=True).count()


def mark_read(person: AbstractBaseUser) -> int:
    return Notice.objects.filter(recipient=person, read_at__isnull=True).update(read_at=timezone.now())
