"""A worker killed with SIGKILL at any stage loses nothing and sends nothing twice: real processes, real database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection

from tests.people import make_user
from tests.support import picture
from tests.waiting import wait_for
from veoui.studio import services
from veoui.studio.forms import ImageInput
from veoui.studio.models import Generation, Status

ROOT = Path(__file__).resolve().parents[2]


def database_environment() -> dict[str, str]:
    """Point a child process at the database this test uses."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return {"SQLITE_PATH": str(db["NAME"])}
    user = db["USER"] or "postgres"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return {"DATABASE_URL": f"postgres://{user}{password}@{host}/{db['NAME']}"}


def start_worker(kie, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KIE_", "DATABASE_URL", "SQLITE_PATH"))}
    env.update(database_environment())
    env.update(
        KIE_API_KEY=kie.api_key,
        KIE_API_BASE_URL=kie.url,
        KIE_UPLOAD_BASE_URL=kie.url,
        KIE_READ_TIMEOUT="5",
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        VEOUI_POLL_INTERVAL="0.5",
        VEOUI_HEARTBEAT_SECONDS="0.5",
        VEOUI_WORKER_TIMEOUT="2",
        VEOUI_SWEEP_SECONDS="1",
        VEOUI_ORPHAN_SECONDS="3",
    )
    command = [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.1", "--no-startup-delay"]
    handle = log.open("ab")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)


def create(owner, mode: str, images: int) -> Generation:
    data = {
        "submission_token": uuid.uuid4(),
        "model": "veo3_fast",
        "prompt": f"Recovery check {uuid.uuid4().hex[:6]}",
        "aspect_ratio": "16:9",
        "enable_translation": True,
    }
    pictures = [
        ImageInput(i, file=ContentFile(picture(640, 360).getvalue(), name=f"p{i}.png"), width=640, height=360)
        for i in range(images)
    ]
    return services.create_generation(owner=owner, mode=mode, data=data, images=pictures)[0]


def statuses() -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in Generation.objects.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def wait(condition, timeout: float) -> None:
    wait_for(condition, timeout, lambda: f"statuses {statuses()}")


@pytest.mark.django_db(transaction=True)
def test_it_finishes_everything_after_sigkills_and_submits_each_once(kie, django_user_model, tmp_path) -> None:
    owner = make_user("maya")
    kie.control.configure(min_seconds=2, max_seconds=3)
    # Slow uploads keep generations in "submitting" long enough to be killed there.
    kie.control.add_fault("upload-stream", "delay", seconds=0.6, times=0)
    modes = [("TEXT_2_VIDEO", 0), ("FIRST_AND_LAST_FRAMES_2_VIDEO", 2), ("REFERENCE_2_VIDEO", 3)]
    generations = [create(owner, *modes[i % 3]) for i in range(15)]
    log = tmp_path / "worker.log"
    seen_at_kill = []

    worker = start_worker(kie, log)
    for _ in range(3):
        # Kill once some generations are running while others are still queued or being submitted.
        def amid() -> bool:
            now = statuses()
            return now.get(Status.RUNNING, 0) >= 1 and now.get(Status.SUCCEEDED, 0) < 13 and len(now) >= 2

        wait(amid, 60)
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        seen_at_kill.append(statuses())
        worker = start_worker(kie, log)
    try:
        wait(lambda: statuses().get(Status.SUCCEEDED, 0) == len(generations), 120)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()

    assert any(len(kill) >= 2 for kill in seen_at_kill), seen_at_kill  # killed amid several stages
    sent = [entry["body"]["prompt"] for entry in kie.control.requests("generate")]
    assert sorted(sent) == sorted(g.prompt for g in generations)  # each exactly once
    for generation in Generation.objects.all():
        assert generation.video and generation.video_size == len(generation.video.read())
    print(f"\nstates at each kill: {seen_at_kill}; generate requests: {len(sent)} for {len(generations)}")
