"""What the open tabs of a person poll while their videos are being made: what is running, and what just ended.

Reads the database only, like every status endpoint. The browser asks only while something of theirs runs, and
passes the ids it saw running last time (``?seen=``), so each ending is reported exactly to the tabs that saw it run.
"""

from __future__ import annotations

import uuid

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from veoui.studio.models import TERMINAL, Generation, Status

MAX_SEEN = 20


@require_GET
def running(request: HttpRequest) -> JsonResponse:
    mine = Generation.objects.filter(owner=request.user, deleted_at__isnull=True).only(
        "uuid", "prompt", "status", "created_at"
    )
    active = list(mine.exclude(status__in=TERMINAL)[:MAX_SEEN])
    ended = mine.filter(status__in=TERMINAL, uuid__in=seen_ids(request))
    return JsonResponse(
        {
            "running": len(active) if len(active) < MAX_SEEN else mine.exclude(status__in=TERMINAL).count(),
            "ids": [str(g.uuid) for g in active],
            "ended": [
                {
                    "url": g.get_absolute_url(),
                    "title": _("Your video is ready") if g.status == Status.SUCCEEDED else _("Your video failed"),
                    "body": g.prompt[:120],
                }
                for g in ended
            ],
        }
    )


def seen_ids(request: HttpRequest) -> list[uuid.UUID]:
    ids = []
    for value in request.GET.get("seen", "").split(",")[:MAX_SEEN]:
        try:
            ids.append(uuid.UUID(value))
        except ValueError:
            continue
    return ids
