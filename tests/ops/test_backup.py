"""veoui_backup and veoui_restore: a round trip into an empty database and media folder reproduces everything."""

from __future__ import annotations

import io
import tarfile
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tests.ops.databases import checksums, empty_database_like_default, rows
from tests.people import PASSWORD
from tests.support import picture
from veoui.studio.models import Generation, InputImage, Status, WorkerHeartbeat
from veoui.studio.tasks import refresh_generation

COMPARED = ["auth.User", "studio.Generation", "studio.InputImage", "django_tasks_database.DBTaskResult"]


def every_model_label() -> list[str]:
    return [
        model._meta.label
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and model is not WorkerHeartbeat
    ]


def make_installation() -> None:
    """Two people, generations in several states with archived videos, posters and input pictures, a task."""
    User = get_user_model()
    maya = User.objects.create_user("maya", password=PASSWORD, first_name="Maya")
    User.objects.create_superuser("ada", password=PASSWORD)
    for number, status in enumerate([Status.SUCCEEDED, Status.SUCCEEDED, Status.FAILED, Status.RUNNING]):
        generation = Generation.objects.create(
            owner=maya,
            mode="FIRST_AND_LAST_FRAMES_2_VIDEO",
            model="veo3_fast",
            prompt=f"Video number {number}: a lighthouse, ünïcödé 🌊",
            aspect_ratio="16:9",
            seed=10000 + number,
            submission_token=uuid.uuid4(),
            status=status,
            kie_task_id=f"{number:032x}",
            result_urls=[f"https://files.example.com/{number}.mp4"],
            created_at=timezone.now() - timedelta(days=number),
        )
        if status == Status.SUCCEEDED:
            generation.video.save(f"{generation.uuid.hex}.mp4", ContentFile(bytes([number]) * 300_000), save=False)
            generation.poster.save(f"{generation.uuid.hex}.jpg", ContentFile(picture(fmt="JPEG").getvalue()))
        for position in range(2):
            image = InputImage(generation=generation, position=position, role="first" if position == 0 else "last")
            image.file.save("picture.png", ContentFile(picture(color=f"#00{number}0{position}0").getvalue()))
    running = Generation.objects.get(status=Status.RUNNING)
    refresh_generation.using(run_after=timezone.now() + timedelta(hours=1)).enqueue(generation_id=running.pk)
    WorkerHeartbeat.objects.create(worker_id="old-machine-1")


@pytest.fixture
def installation(transactional_db, settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "simulator").mkdir(parents=True)
    (tmp_path / "media" / "simulator" / "demo-only.mp4").write_bytes(b"not veoui's")
    make_installation()
    return tmp_path / "media"


def test_it_restores_every_generation_and_file_into_an_empty_database(installation, settings, tmp_path) -> None:
    archive = tmp_path / "veoui-backup.tar.gz"
    call_command("veoui_backup", str(archive))
    assert archive.stat().st_mode & 0o077 == 0  # password hashes inside: for the owner's eyes only

    restored_media = tmp_path / "restored-media"
    settings.MEDIA_ROOT = restored_media
    with empty_database_like_default("restored", tmp_path) as alias:
        call_command("veoui_restore", str(archive), database=alias)
        for label in every_model_label():
            assert rows(label, alias) == rows(label, "default"), label
        for label in COMPARED:
            assert rows(label, alias), label
        assert len(rows("studio.Generation", alias)) == 4
        assert len(rows("django_tasks_database.DBTaskResult", alias)) == 1
        assert rows("studio.WorkerHeartbeat", alias) == []
        # Restored rows keep working: their files open, new rows get new ids.
        generation = Generation.objects.using(alias).filter(status=Status.SUCCEEDED).first()
        with generation.video.open("rb") as handle:
            assert handle.read() == Generation.objects.get(pk=generation.pk).video.read()
        newcomer = Generation.objects.using(alias).create(
            owner_id=generation.owner_id, prompt="new", aspect_ratio="16:9", submission_token=uuid.uuid4()
        )
        assert newcomer.pk > max(row["id"] for row in rows("studio.Generation", "default"))

    original = checksums(installation)
    del original["simulator/demo-only.mp4"]
    assert checksums(restored_media) == original
    assert len(original) == 4 * 2 + 2 * 2  # pictures, videos and posters


def test_it_refuses_to_restore_over_existing_data(installation, tmp_path) -> None:
    archive = tmp_path / "veoui-backup.tar.gz"
    call_command("veoui_backup", str(archive))
    with pytest.raises(CommandError, match="not empty"):
        call_command("veoui_restore", str(archive))  # the media folder still holds the originals
    with pytest.raises(CommandError, match="already exists"):
        call_command("veoui_backup", str(archive))
    assert Generation.objects.count() == 4


def test_it_notices_a_damaged_backup(installation, settings, tmp_path) -> None:
    archive = tmp_path / "veoui-backup.tar.gz"
    call_command("veoui_backup", str(archive))
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source:
            data = source.extractfile(member).read()
            if member.name.startswith("media/videos/"):
                data = data[:-1] + b"!"
            target.addfile(member, fileobj=io.BytesIO(data))
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    with (
        empty_database_like_default("restored", tmp_path) as alias,
        pytest.raises(CommandError, match="Checksums differ for media/videos/"),
    ):
        call_command("veoui_restore", str(damaged), database=alias)
