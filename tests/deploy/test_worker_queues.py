"""The Procfile's worker command runs the archive queue's workers beside the default one: one process, one heartbeat,
and a video whose file trickles in holds up no other; SIGTERM stops them all."""

from __future__ import annotations

import signal
from pathlib import Path

from django.test import Client
from django_tasks_db.models import DBTaskResult

from tests.deploy.servers import procfile, running, server_environment, wait_for
from tests.people import make_user
from tests.studio.test_flow import submit
from veoui.ops.management.commands import db_worker
from veoui.studio.models import Generation, Status, WorkerHeartbeat


def archived(generation: Generation):
    return lambda: Generation.objects.filter(pk=generation.pk, status=Status.SUCCEEDED).exclude(video="").exists()


def archive_task(generation: Generation) -> DBTaskResult | None:
    return DBTaskResult.objects.filter(
        task_path__endswith="archive_generation", args_kwargs__kwargs__generation_id=generation.pk
    ).first()


def test_the_shipped_worker_archives_beside_its_checks_and_stops_on_sigterm(transactional_db, kie, tmp_path: Path):
    member = Client()
    member.force_login(make_user("maya"))
    log = tmp_path / "worker.log"
    with running(procfile()["worker"], server_environment(kie, tmp_path / "media"), log) as worker:
        wait_for(lambda: WorkerHeartbeat.objects.exists(), 30, "the worker's heartbeat", log)
        kie.control.add_fault("files", "trickle", head_bytes=4096, every=0.1)
        first = submit(member, "text", prompt="A slow river")
        wait_for(lambda: any(e["fault"] == "trickle" for e in kie.control.requests("files")), 30, "the trickle", log)

        second = submit(member, "text", prompt="A quick fox")
        wait_for(archived(second), 30, "the second video saved while the first one trickles in", log)
        assert Generation.objects.get(pk=first.pk).status == Status.ARCHIVING
        held, quick = archive_task(first), archive_task(second)
        assert held.status == "RUNNING" and quick.status == "SUCCESSFUL"
        threads = {held.worker_ids[0].rpartition("-")[2], quick.worker_ids[0].rpartition("-")[2]}
        assert threads == {str(n) for n in range(db_worker.ARCHIVERS)}  # the two archive threads, one each
        assert WorkerHeartbeat.objects.count() == 1  # one process

        kie.control.release()
        wait_for(archived(first), 30, "the first video saved once its file came", log)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
    output = log.read_text()
    assert "Traceback" not in output and "archive worker failed" not in output
