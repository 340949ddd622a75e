"""Sample videos in a new demo workspace: one per mode, made once, by the admin, for the team; never for real."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult
from PIL import Image

from tests.people import make_user
from veoui.studio import guidance, rules, samples, services
from veoui.studio.models import Generation, Status


@pytest.fixture
def demo(settings, tmp_path):
    settings.DEMO_MODE = True
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings


@pytest.fixture
def first_admin(db, demo, capsys) -> object:
    call_command("ensure_admin")
    capsys.readouterr()
    return get_user_model().objects.get(username="admin")


def test_it_queues_one_sample_per_mode_for_the_team(first_admin) -> None:
    made = samples.make_samples()

    assert sorted(g.mode for g in made) == sorted(rules.MODES)
    for generation in Generation.objects.all():
        assert generation.owner == first_admin
        assert generation.visibility == Generation.Visibility.TEAM
        assert generation.status == Status.QUEUED
        assert generation.prompt == str(guidance.guide_for(generation.mode).try_prompt)
        assert generation.model == rules.FAST
    assert DBTaskResult.objects.filter(task_path__endswith="submit_generation").count() == 3


def test_it_gives_the_picture_modes_real_pictures(first_admin) -> None:
    samples.make_samples()
    for mode_key in (rules.FRAMES, rules.REFERENCE):
        image = Generation.objects.get(mode=mode_key).images.get()
        with image.file.open("rb") as handle, Image.open(handle) as picture:
            assert picture.format == "PNG"
            assert min(picture.size) >= 256
        assert image.role == rules.role_for(mode_key, 0, 1)
    assert not Generation.objects.get(mode=rules.TEXT).images.exists()


def test_it_makes_them_only_once(first_admin) -> None:
    assert len(samples.make_samples()) == 3
    assert samples.make_samples() == []
    assert Generation.objects.count() == 3


def test_it_does_not_bring_deleted_samples_back(first_admin) -> None:
    samples.make_samples()
    for generation in Generation.objects.all():
        Generation.objects.filter(pk=generation.pk).update(status=Status.SUCCEEDED)
        generation.refresh_from_db()
        services.delete_generation(generation, by=first_admin)

    assert samples.make_samples() == []
    assert Generation.objects.filter(deleted_at__isnull=True).count() == 0


def test_it_makes_none_with_a_real_key(first_admin, settings) -> None:
    settings.DEMO_MODE = False
    assert samples.make_samples() == []
    assert not Generation.objects.exists()


def test_it_makes_none_in_a_workspace_that_already_has_videos(first_admin) -> None:
    Generation.objects.create(
        owner=first_admin,
        mode=rules.TEXT,
        model=rules.FAST,
        prompt="Our own first video",
        aspect_ratio=rules.LANDSCAPE,
        submission_token="0b5f7c1e-0000-4000-8000-000000000001",
        estimated_credits=60,
    )
    assert samples.make_samples() == []
    assert Generation.objects.count() == 1


def test_it_makes_none_without_the_first_admin(db, demo) -> None:
    make_user("maya")
    assert samples.make_samples() == []
    assert not Generation.objects.exists()


def test_the_worker_makes_them_with_the_simulator(demo, worker, kie, capsys) -> None:
    call_command("ensure_admin")
    made = samples.make_samples()

    def all_done() -> bool:
        return Generation.objects.filter(status=Status.SUCCEEDED).count() == len(made)

    worker.wait_for(all_done, timeout=60)
    assert {body["generationType"] for body in (e["body"] for e in kie.control.requests("generate"))} == set(
        rules.MODES
    )
    assert all(g.video for g in Generation.objects.all())


def test_starting_veoui_twice_makes_the_samples_once(db, demo, monkeypatch, capsys) -> None:
    from contextlib import nullcontext

    from veoui.kie.simulator import process
    from veoui.ops.management.commands import start

    monkeypatch.setattr(process, "running_simulator", lambda **options: nullcontext())
    monkeypatch.setattr(start.subprocess, "Popen", lambda *args, **options: None)
    monkeypatch.setattr(start.Command, "supervise", lambda self, children: None)

    call_command("start")
    assert "sample videos are being made" in capsys.readouterr().out
    call_command("start")
    assert "sample videos" not in capsys.readouterr().out

    admin = get_user_model().objects.get(username="admin")
    assert Generation.objects.filter(owner=admin).count() == 3
