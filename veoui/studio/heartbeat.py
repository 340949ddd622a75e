"""Which worker process this is, and which ones are alive (their heartbeat is recent)."""

from __future__ import annotations

import os
import secrets
import socket
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from veoui.studio.models import WorkerHeartbeat

_worker_id = ""


def worker_id() -> str:
    """A name for this process, unique across restarts, stamped on every row it claims."""
    global _worker_id
    if not _worker_id:
        _worker_id = f"{socket.gethostname()[:40]}-{os.getpid()}-{secrets.token_hex(3)}"
    return _worker_id


def beat() -> None:
    WorkerHeartbeat.objects.update_or_create(worker_id=worker_id(), defaults={"seen_at": timezone.now()})


def live_worker_ids() -> list[str]:
    since = timezone.now() - timedelta(seconds=settings.VEOUI_WORKER_TIMEOUT)
    return list(WorkerHeartbeat.objects.filter(seen_at__gte=since).values_list("worker_id", flat=True))
