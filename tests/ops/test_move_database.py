"""Moving a SQLite installation to PostgreSQL with `veoui_move_database`, as an admin would run it."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management import call_command

from tests.ops.databases import new_postgres_database, require_postgres, rows
from tests.people import PASSWORD
from tests.support import picture
from veoui.ops import dataset
from veoui.studio.models import Generation, InputImage, Status, WorkerHeartbeat

ROOT = Path(__file__).resolve().parents[2]
SOURCE, TARGET = "move_source", "move_target"


def fill(using: str) -> None:
    User = get_user_model()
    maya = User(username="maya", first_name="Maya")
    maya.set_password(PASSWORD)
    [maya] = User.objects.using(using).bulk_create([maya])  # no signals: they would write to the default database
    for number in range(3):
        generation = Generation(
            owner=maya,
            mode="REFERENCE_2_VIDEO",
            model="veo3_fast",
            prompt=f"Product shot {number} — ünïcödé",
            aspect_ratio="9:16",
            submission_token=uuid.uuid4(),
            status=Status.SUCCEEDED if number else Status.FAILED,
            result_urls=[f"https://files.example.com/{number}.mp4"],
            estimated_credits="60.50",
        )
        generation.video.save(f"{generation.submission_token.hex}.mp4", ContentFile(b"\0" * 1000), save=False)
        generation.save(using=using)
        for position in range(3):
            image = InputImage(generation=generation, position=position, role="reference", width=640, height=360)
            image.file.save("picture.png", ContentFile(picture().getvalue()), save=False)
            image.save(using=using)
    WorkerHeartbeat(worker_id="this-machine-1").save(using=using)


def test_it_moves_a_sqlite_installation_into_a_new_postgresql_database(transactional_db, settings, tmp_path):
    require_postgres()
    settings.MEDIA_ROOT = tmp_path / "media"
    sqlite_file = tmp_path / "db.sqlite3"
    dataset.add_database(SOURCE, {"ENGINE": "django.db.backends.sqlite3", "NAME": sqlite_file})
    try:
        with dataset.pinned_to(SOURCE):
            call_command("migrate", database=SOURCE, verbosity=0)
        fill(SOURCE)
        dataset.remove_database(SOURCE)  # closed, as veoui is while it moves

        with new_postgres_database("veoui_test_move") as url:
            environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "KIE_API_KEY"}}
            environment.update(SQLITE_PATH=str(sqlite_file), MEDIA_ROOT=str(tmp_path / "media"))
            result = subprocess.run(
                [sys.executable, "manage.py", "veoui_move_database", "--to", url],
                cwd=ROOT,
                env=environment,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert result.returncode == 0, result.stdout + result.stderr
            assert "every count matches" in result.stdout
            assert "postgres://" not in result.stdout  # the address may hold a password

            dataset.add_database(SOURCE, {"ENGINE": "django.db.backends.sqlite3", "NAME": sqlite_file})
            dataset.add_database(TARGET, dataset.database_config(url))
            compared = 0
            for model in apps.get_models():
                if model._meta.proxy or not model._meta.managed or model is WorkerHeartbeat:
                    continue
                assert rows(model._meta.label, TARGET) == rows(model._meta.label, SOURCE), model._meta.label
                compared += len(rows(model._meta.label, SOURCE))
            assert len(rows("studio.InputImage", TARGET)) == 9 and compared > 100
            assert rows("studio.WorkerHeartbeat", TARGET) == []
            # The moved database goes on numbering after the copied rows.
            moved = Generation.objects.using(TARGET).get(status=Status.FAILED)
            newcomer = Generation.objects.using(TARGET).create(
                owner_id=moved.owner_id, prompt="new", aspect_ratio="16:9", submission_token=uuid.uuid4()
            )
            assert newcomer.pk == max(row["id"] for row in rows("studio.Generation", SOURCE)) + 1
            dataset.remove_database(TARGET)

            # A second move into the now filled database is refused, and changes nothing.
            again = subprocess.run(
                [sys.executable, "manage.py", "veoui_move_database", "--to", url],
                cwd=ROOT,
                env=environment,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert again.returncode != 0 and "already holds data" in again.stderr
    finally:
        dataset.remove_database(SOURCE)
        dataset.remove_database(TARGET)
