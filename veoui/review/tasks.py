"""The email that tells an owner of a notice, sent by the worker: once per notice, whichever worker runs it."""

from __future__ import annotations

from django.conf import settings
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from veoui.review.models import Notice, ReviewState
from veoui.studio.tasks import send_notice


def email_once(notice_id: int) -> bool:
    """Email the notice's person when the site sends email and they have an address; True when it was sent now."""
    if not settings.VEOUI_EMAIL_OWNERS:
        return False
    notice = Notice.objects.select_related("recipient", "comment", "generation", "scene").filter(pk=notice_id).first()
    if notice is None or not notice.recipient.email:
        return False
    if not Notice.objects.filter(pk=notice.pk, emailed_at__isnull=True).update(emailed_at=timezone.now()):
        return False  # a duplicate task or a second worker got there first
    scene = notice.scene_id is not None
    name = notice.scene.title if scene else notice.generation.prompt
    # Lazy texts, put into words in the person's own language by send_notice.
    if notice.kind == Notice.Kind.COMMENT:
        subject = _("A new comment on your scene") if scene else _("A new comment on your video")
        body = _("%(who)s commented on “%(prompt)s”:\n\n%(text)s\n\nSee it here: %(link)s")
        more = {"text": notice.comment.text[:500]}
    else:
        subject = _("The review of your scene changed") if scene else _("The review of your video changed")
        body = _("%(who)s set the review of “%(prompt)s” to %(state)s. See it here: %(link)s")
        more = {"state": ReviewState(notice.state).label}
    send_notice(notice.recipient, subject, body, name, notice.get_absolute_url(), notice.pk, who=notice.by_name, **more)
    return True


@task()
def email_notice(*, notice_id: int) -> None:
    email_once(notice_id)
