"""`/health/`: is this installation able to make videos? For load balancers, uptime checks and admins.

200 when the database answers and a worker has shown a sign of life within the last minute; 503 otherwise.
The time since kie.ai last answered successfully is reported but never fails the check: a quiet weekend
makes no calls, and kie.ai being down is not something restarting veoui would fix.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from veoui.studio.kie_contact import last_kie_success
from veoui.studio.models import WorkerHeartbeat

log = logging.getLogger(__name__)

# Workers beat every 5 s: a minute of silence means none is running (or all are stuck).
WORKER_SILENT_AFTER = timedelta(seconds=60)


def seconds_since(moment: datetime | None, now: datetime) -> int | None:
    return None if moment is None else max(0, round((now - moment).total_seconds()))


@login_not_required
@never_cache
@require_safe
def health(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    try:
        beats = WorkerHeartbeat.objects.aggregate(newest=Max("seen_at"))
        live = WorkerHeartbeat.objects.filter(seen_at__gte=now - WORKER_SILENT_AFTER).count()
        kie_success = last_kie_success()
    except DatabaseError as error:
        log.warning("health: the database did not answer (%s)", type(error).__name__)
        body = {"status": "failing", "database": "unreachable", "worker": None, "kie": None}
        return JsonResponse(body, status=503)

    newest = beats["newest"]
    if newest is None:
        worker_status = "missing"
    elif now - newest > WORKER_SILENT_AFTER:
        worker_status = "silent"
    else:
        worker_status = "ok"
    healthy = worker_status == "ok"
    body = {
        "status": "ok" if healthy else "failing",
        "database": "ok",
        "worker": {
            "status": worker_status,
            "seconds_since_heartbeat": seconds_since(newest, now),
            "live_workers": live,
        },
        "kie": {
            "seconds_since_success": seconds_since(kie_success, now),
            "demo_mode": settings.DEMO_MODE,
        },
    }
    status = 200 if healthy else 503
    if request.method == "HEAD":  # the answer is the status; gunicorn warns about a body it must drop
        return HttpResponse(status=status, content_type="application/json")
    return JsonResponse(body, status=status)
