"""“Send it again”: unconfirmed work sent to kie.ai once more, at the member's word, as a spend of its own.

kie.ai may have taken the first request (only its answer was lost), so the second one may be billed too. The
button shows what it costs, the budget is checked and reserved as for any new spend, and a ``Resend`` row books
it, keyed by the button's one-time token: a double click or a resent form sends nothing twice.
"""

from __future__ import annotations

import logging
import uuid

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from veoui.studio import renditions, services
from veoui.studio.models import Generation, Rendition, Resend
from veoui.team import budgets

log = logging.getLogger(__name__)


class NotUnconfirmed(Exception):
    """Nothing to send again: it was sent again already, given up on, or confirmed by kie.ai meanwhile."""


def booked_with(token: uuid.UUID, person: AbstractBaseUser, work: Generation | Rendition) -> bool:
    """Whether this button's token already sent this work again; a token used for anything else is refused."""
    resend = Resend.objects.filter(token=token).first()
    if resend is None:
        return False
    if resend.owner_id != person.pk or resend.work != work:
        raise services.DuplicateTokenError
    return True


def send_again(work: Generation | Rendition, person: AbstractBaseUser, token: uuid.UUID) -> bool:
    """Send ``work`` again once for this token; False when the token already did. Raises NotUnconfirmed,
    budgets.OverBudget or services.DuplicateTokenError, and then nothing is sent nor booked."""
    if booked_with(token, person, work):
        return False
    credits = renditions.cost_of(work)
    is_rendition = isinstance(work, Rendition)
    try:
        with transaction.atomic():
            budgets.lock(person)
            if booked_with(token, person, work):
                return False
            budgets.reserve(person, credits)
            if not work.send_again():
                raise NotUnconfirmed
            Resend.objects.create(
                token=token,
                owner=person,
                generation=work.generation if is_rendition else work,
                rendition=work if is_rendition else None,
                estimated_credits=credits,
            )
            if is_rendition:
                services.enqueue("submit_rendition", rendition_id=work.pk)
            else:
                services.enqueue("submit_generation", generation_id=work.pk)
    except IntegrityError:
        if booked_with(token, person, work):  # the same button, pressed twice at the same moment
            return False
        raise
    log.info("sent again id=%s credits=%s", work.uuid, credits)
    return True
