"""kie.ai's callback endpoints. A callback is only a hint: it is authenticated, then confirmed with kie.ai.

Each generation and rendition has its own secret token in its callback address; with a webhook HMAC key
configured, kie.ai's signature (over the task id and a timestamp less than 5 minutes old) is checked too. The
body is never trusted: the worker asks kie.ai itself, so a duplicate, late or lying callback changes nothing. A
callback only brings the next status check forward; it never starts a second one.
"""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from veoui.kie.errors import KieError
from veoui.kie.records import parse_callback
from veoui.kie.signing import verify_signature
from veoui.studio import tasks
from veoui.studio.models import Generation, Rendition, Status, TrackedWork

log = logging.getLogger(__name__)


def accept(request: HttpRequest, work: TrackedWork | None, token: str) -> HttpResponse:
    if work is None or not constant_time_compare(token, work.callback_token):
        return HttpResponse(status=404)
    try:
        hint = parse_callback(request.body)
    except KieError:
        hint = None
    # A generation whose generate answer was lost has no task id yet: the callback's own is what kie.ai signed.
    task_id = work.kie_task_id or (hint.task_id if hint else "")
    if settings.KIE_WEBHOOK_HMAC_KEY and not verify_signature(
        settings.KIE_WEBHOOK_HMAC_KEY,
        task_id,
        request.headers.get("X-Webhook-Timestamp", ""),
        request.headers.get("X-Webhook-Signature", ""),
    ):
        log.warning("callback refused id=%s reason=signature", work.uuid)
        return HttpResponse(status=403)
    if hint is None:
        return JsonResponse({"received": False}, status=400)
    if hint.task_id == work.kie_task_id and work.status == Status.RUNNING:
        # The next check comes now instead of when it was due (the answer, not this body, decides); a
        # replayed or duplicate callback finds it already brought forward and adds nothing.
        tasks.hurry_check(work)
    elif isinstance(work, Generation) and hint.task_id and tasks.can_adopt(work, hint.task_id):
        # The answer to the request is not saved (yet, or lost): the worker sorts out whose task this is.
        tasks.adopt_generation.enqueue(generation_id=work.pk, task_id=hint.task_id)
    log.info("callback received id=%s code=%s", work.uuid, hint.code)
    return JsonResponse({"received": True})


@csrf_exempt
@login_not_required
@require_POST
def kie_callback(request: HttpRequest, public_id: uuid.UUID, token: str) -> HttpResponse:
    return accept(request, Generation.objects.filter(uuid=public_id).first(), token)


@csrf_exempt
@login_not_required
@require_POST
def kie_rendition_callback(request: HttpRequest, public_id: uuid.UUID, token: str) -> HttpResponse:
    return accept(request, Rendition.objects.filter(uuid=public_id).first(), token)
