"""kie.ai's callback endpoint. A callback is only a hint: it is authenticated, then confirmed with record-info."""

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
from veoui.studio import services
from veoui.studio.models import Generation, Status

log = logging.getLogger(__name__)


@csrf_exempt
@login_not_required
@require_POST
def kie_callback(request: HttpRequest, public_id: uuid.UUID, token: str) -> HttpResponse:
    generation = Generation.objects.filter(uuid=public_id).first()
    if generation is None or not constant_time_compare(token, generation.callback_token):
        return HttpResponse(status=404)
    if settings.KIE_WEBHOOK_HMAC_KEY and not verify_signature(
        settings.KIE_WEBHOOK_HMAC_KEY,
        generation.kie_task_id,
        request.headers.get("X-Webhook-Timestamp", ""),
        request.headers.get("X-Webhook-Signature", ""),
    ):
        log.warning("callback refused id=%s reason=signature", generation.uuid)
        return HttpResponse(status=403)
    try:
        hint = parse_callback(request.body)
    except KieError:
        return JsonResponse({"received": False}, status=400)
    if hint.task_id != generation.kie_task_id:
        # Not about this generation's task (or it arrived before the task id was saved): polling covers it.
        return JsonResponse({"received": True})
    if generation.status == Status.RUNNING:
        services.enqueue_refresh(generation)
    log.info("callback accepted id=%s code=%s", generation.uuid, hint.code)
    return JsonResponse({"received": True})
