"""The exporter as shipped (the Procfile's `exporter:`), killed with SIGKILL mid-export: another one picks the export
up again through the recovery sweep and makes it once. And the default queue's worker never takes an export."""

from __future__ import annotations

import signal
import uuid
from pathlib import Path

from django_tasks_db.management.commands.db_worker import Worker

from tests.deploy.servers import base_environment, procfile, running, wait_for
from tests.people import client_for, make_user
from tests.scenes.making import finished, make_scene, stored_exports
from veoui.scenes import exporting
from veoui.scenes.models import SceneExport

QUICK_RECOVERY = {"VEOUI_HEARTBEAT_SECONDS": "0.5", "VEOUI_WORKER_TIMEOUT": "2", "VEOUI_SWEEP_SECONDS": "1"}


def under_way(export: SceneExport) -> bool:
    return SceneExport.objects.filter(pk=export.pk, status=SceneExport.Status.RUNNING, progress__gt=0).exists()


def test_an_export_killed_mid_way_is_made_again_once(transactional_db, clips, media, tmp_path: Path):
    maya = make_user("maya")
    scene = make_scene(maya, clips)
    client_for(maya).post(f"/scenes/{scene.uuid}/export/", {"request_token": str(uuid.uuid4())})
    export = SceneExport.objects.get()
    environment = base_environment(media, **QUICK_RECOVERY)
    first_log, second_log = tmp_path / "exporter-1.log", tmp_path / "exporter-2.log"
    with running(procfile()["exporter"], environment, first_log) as first:
        wait_for(lambda: under_way(export), 120, "the export under way", first_log)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    export.refresh_from_db()
    assert export.status == SceneExport.Status.RUNNING and export.attempts == 1
    assert not export.file and stored_exports() == []  # nothing half made is in storage

    with running(procfile()["exporter"], environment, second_log):
        wait_for(lambda: finished(export), 180, "the export made again", second_log)
    assert export.status == SceneExport.Status.SUCCEEDED, export.error_message
    assert export.attempts == 2 and export.progress == 1
    kept = Path(export.file.name).relative_to("scenes/exports")
    assert stored_exports() == sorted([str(kept), str(kept.with_suffix(".jpg"))])  # one file (and its still)
    assert not exporting.work_folder(export).exists()
    assert "recovery picked up 1 scene export(s)" in second_log.read_text()
    assert "Traceback" not in second_log.read_text()


def test_the_default_queues_worker_never_takes_an_export(transactional_db, clips, media):
    maya = make_user("maya")
    scene = make_scene(maya, clips[:1], end_card=False)
    client_for(maya).post(f"/scenes/{scene.uuid}/export/", {"request_token": str(uuid.uuid4())})
    default = Worker(
        queue_names=["default", "archive"], interval=0.05, batch=True, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id="test-default", excluded_queue_names=[],
    )  # fmt: skip
    default.run()  # everything it would take, then it stops
    assert SceneExport.objects.get().status == SceneExport.Status.QUEUED
