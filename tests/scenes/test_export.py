"""A scene exported through the export queue's own worker: one file of the planned length, size, codecs and pictures,
asked for once however often Export is pressed, cancellable without a trace, and served only to those who may see
every shot."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django_tasks_db.models import DBTaskResult
from PIL import Image

from tests import frames
from tests.people import client_for, make_user
from tests.scenes.making import EXPECTED_SECONDS, finished, make_scene, stored_exports
from tests.waiting import wait_for
from veoui.kie.simulator.cards import read_stamp
from veoui.kie.simulator.probe import probe
from veoui.kie.simulator.render import FRAME_RATES
from veoui.scenes import exporting
from veoui.scenes.models import SceneExport
from veoui.studio import scene_export
from veoui.studio.models import Generation, Rendition, Status

CLIP_FPS = FRAME_RATES["360p"]
SAME_FRAME = 1.5
SAME_PICTURE = 3.0


def press_export(client, scene, token: uuid.UUID | None = None):
    token = token or uuid.uuid4()
    return client.post(f"/scenes/{scene.uuid}/export/", {"request_token": str(token)})


@pytest.fixture
def maya(db):
    return make_user("maya", "Maya")


@pytest.fixture
def tom(db):
    return make_user("tom", "Tom")


def test_it_exports_the_scene_once_on_its_own_queue_as_planned(exporter, maya, clips, media):
    scene = make_scene(maya, clips)
    client = client_for(maya)
    token = uuid.uuid4()
    first = press_export(client, scene, token)
    again = press_export(client, scene, token)  # a double click
    assert first.status_code == again.status_code == 302
    export = SceneExport.objects.get()
    assert DBTaskResult.objects.filter(task_path__endswith="export_scene").count() == 1
    assert DBTaskResult.objects.get(task_path__endswith="export_scene").queue_name == "export"
    assert export.plan["resolution"] == "720p" and export.owner == maya
    assert [shot["start"] for shot in export.plan["shots"]] == [1, 2, 0]
    assert export.plan["joins"] == [0.5, 0.5] and export.plan["end_card"]["seconds"] == 2
    assert set(export.generations.values_list("pk", flat=True)) == set(scene.shots.values_list("generation", flat=True))

    wait_for(lambda: finished(export), 120, "the export to finish")
    assert export.status == SceneExport.Status.SUCCEEDED, export.error_message
    assert export.attempts == 1 and export.progress == 1
    output = Path(default_storage.path(export.file.name))
    found = probe(output)
    assert abs(found["duration"] - EXPECTED_SECONDS) < 0.1
    assert abs(export.duration_seconds - EXPECTED_SECONDS) < 0.1 and export.file_size == output.stat().st_size
    assert (found["width"], found["height"]) == (1280, 720)
    assert (found["video_codec"], found["audio_codec"]) == ("h264", "aac")
    data = output.read_bytes()
    assert 0 < data.find(b"moov") < data.find(b"mdat")  # faststart

    # The middle of each shot is its clip's frame at the same point: (moment in the export, shot, moment in the clip).
    for moment, shot, source_moment in ((2.5, 0, 3.5), (7.5, 1, 5.0), (12.0, 2, 2.0)):
        frame = frames.frame_at(output, moment)
        number = read_stamp(frame)
        assert number == round(source_moment * CLIP_FPS)
        assert frames.difference(frame, frames.frame_number(clips[shot], number)) < SAME_FRAME
    assert frames.difference(frames.frame_at(output, 15.5), card_picture()) < SAME_PICTURE

    page = client.get(f"/scenes/{scene.uuid}/exports/")
    assert f"/scenes/exports/{export.uuid}/video.mp4" in page.content.decode()
    played = client.get(f"/scenes/exports/{export.uuid}/video.mp4", headers={"Range": "bytes=0-99"})
    assert played.status_code == 206 and played["Content-Range"].endswith(f"/{export.file_size}")
    download = client.get(f"/scenes/exports/{export.uuid}/download/")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    kept = Path(export.file.name).relative_to("scenes/exports")
    assert stored_exports() == sorted([str(kept), str(kept.with_suffix(".jpg"))])  # the file and its still
    assert not exporting.work_folder(export).exists()


def card_picture():
    """The end card as the engine draws it: the logo on the colour, at 720p."""
    path = Path(default_storage.path("scenes/cards/logo.png"))
    assert path.is_file()
    return scene_export.end_card_picture(scene_export.EndCard(2, picture=path, colour="#223344"), (1280, 720))


def test_a_cancelled_export_leaves_no_file(exporter, maya, clips, media):
    scene = make_scene(maya, clips)
    client = client_for(maya)
    press_export(client, scene)
    export = SceneExport.objects.get()
    wait_for(lambda: SceneExport.objects.filter(pk=export.pk, progress__gt=0).exists(), 120, "the export under way")
    response = client.post(f"/scenes/exports/{export.uuid}/cancel/")
    assert response.status_code == 302
    wait_for(lambda: finished(export), 60, "the export to stop")
    assert export.status == SceneExport.Status.CANCELLED and export.cancel_requested_at is not None
    assert not export.file and stored_exports() == []
    assert not exporting.work_folder(export).exists()
    assert client.get(f"/scenes/exports/{export.uuid}/video.mp4").status_code == 404


def test_a_waiting_export_cancelled_never_starts(transactional_db, maya, clips, media):
    scene = make_scene(maya, clips)
    client = client_for(maya)
    press_export(client, scene)
    export = SceneExport.objects.get()
    client.post(f"/scenes/exports/{export.uuid}/cancel/")
    export.refresh_from_db()
    assert export.status == SceneExport.Status.CANCELLED
    exporting.run(export.pk)  # its task, when a worker gets to it
    export.refresh_from_db()
    assert export.status == SceneExport.Status.CANCELLED and export.attempts == 0 and stored_exports() == []


def test_only_the_owner_or_an_admin_exports_and_a_teammate_watches(db, maya, tom, clips, media):
    scene = make_scene(maya, clips[:1], end_card=False)
    assert press_export(client_for(tom), scene).status_code == 403
    assert SceneExport.objects.count() == 0
    admin = make_user("alex", role="admin")
    assert press_export(client_for(admin), scene).status_code == 302
    assert SceneExport.objects.get().owner == admin
    page = client_for(tom).get(f"/scenes/{scene.uuid}/exports/").content.decode()
    assert "Waiting to start" in page and "/export/" not in page  # no Export button for a teammate


def test_a_bad_token_or_an_empty_scene_says_so_and_makes_nothing(db, maya, clips, media):
    scene = make_scene(maya, clips[:1], end_card=False)
    client = client_for(maya)
    response = client.post(f"/scenes/{scene.uuid}/export/", {"request_token": "nope"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "press Export again" in response.content.decode()
    scene.shots.all().delete()
    response = press_export(client, scene)
    assert response.status_code == 302
    assert "Add at least one shot" in client.get(response["Location"]).content.decode()
    assert SceneExport.objects.count() == 0


def test_the_export_size_follows_the_shots_versions(db, maya, clips, media):
    scene = make_scene(maya, clips[:2], end_card=False)
    shots = list(scene.shots.all())
    assert exporting.resolution_for(shots) == "720p"

    def upgrade(shot, kind):
        rendition = Rendition.objects.create(
            generation=shot.generation, owner=maya, kind=kind, request_token=uuid.uuid4(), status=Status.SUCCEEDED
        )
        Rendition.objects.filter(pk=rendition.pk).update(video=shot.generation.video.name)

    upgrade(shots[0], "4k")
    assert exporting.resolution_for(list(scene.shots.all())) == "720p"
    upgrade(shots[1], "1080p")
    assert exporting.resolution_for(list(scene.shots.all())) == "1080p"
    upgrade(shots[1], "4k")
    assert exporting.resolution_for(list(scene.shots.all())) == "4k"


def test_an_export_stops_being_served_once_a_shot_turns_private(db, maya, tom, clips, media):
    scene = make_scene(maya, clips[:1], end_card=False)
    export = finished_export(scene, maya)
    teammate = client_for(tom)
    for path in ("video.mp4", "download/", "still.jpg"):
        assert teammate.get(f"/scenes/exports/{export.uuid}/{path}").status_code == 200
    video = scene.shots.get().generation
    response = client_for(maya).post(f"/videos/{video.uuid}/visibility/", {"visibility": "private"})
    assert response.status_code == 302
    assert Generation.objects.get(pk=video.pk).visibility == "private"
    for path in ("video.mp4", "download/", "still.jpg"):
        assert teammate.get(f"/scenes/exports/{export.uuid}/{path}").status_code == 404
    assert teammate.get(f"/scenes/{scene.uuid}/exports/").status_code == 404
    assert client_for(maya).get(f"/scenes/exports/{export.uuid}/video.mp4").status_code == 200
    admin = make_user("alex", role="admin")
    assert client_for(admin).get(f"/scenes/exports/{export.uuid}/video.mp4").status_code == 200


def finished_export(scene, owner) -> SceneExport:
    """An export made by the task itself, run here."""
    export = exporting.ask_export(scene, owner, uuid.uuid4())
    exporting.run(export.pk)
    export.refresh_from_db()
    assert export.status == SceneExport.Status.SUCCEEDED, export.error_message
    return export


@pytest.mark.parametrize(("kind", "size"), [("square", (720, 720)), ("4:5", (576, 720))])
def test_a_social_format_is_cropped_around_the_chosen_point(db, maya, clips, media, kind, size):
    scene = make_scene(maya, clips[:1], end_card=False)
    export = finished_export(scene, maya)
    client = client_for(maya)
    response = client.post(
        f"/scenes/exports/{export.uuid}/formats/",
        {"kind": kind, "focus_x": "0", "focus_y": "50", "request_token": str(uuid.uuid4())},
    )
    assert response.status_code == 302
    made = SceneExport.objects.get(source=export)
    assert (made.kind, made.focus_x, made.focus_y) == (kind, 0.0, 0.5)
    assert set(made.generations.all()) == set(export.generations.all())
    exporting.run(made.pk)
    made.refresh_from_db()
    assert made.status == SceneExport.Status.SUCCEEDED, made.error_message
    output = Path(default_storage.path(made.file.name))
    found = probe(output)
    assert (found["width"], found["height"]) == size  # cropped from the 1280x720 export
    # Pushed against the left edge: the crop is the export's left part.
    source = frames.frame_at(Path(default_storage.path(export.file.name)), 2.0)
    cropped = frames.frame_at(output, 2.0)
    assert frames.difference(cropped, source.crop((0, 0, found["width"], found["height"]))) < SAME_PICTURE


def test_a_gif_preview_is_short_and_small(db, maya, clips, media):
    scene = make_scene(maya, clips[:1], end_card=False)
    export = finished_export(scene, maya)
    client = client_for(maya)
    client.post(f"/scenes/exports/{export.uuid}/formats/", {"kind": "gif", "request_token": str(uuid.uuid4())})
    made = SceneExport.objects.get(source=export)
    exporting.run(made.pk)
    made.refresh_from_db()
    assert made.status == SceneExport.Status.SUCCEEDED and made.file.name.endswith(".gif")
    with Image.open(default_storage.path(made.file.name)) as gif:
        assert gif.format == "GIF" and gif.width == scene_export.GIF_WIDTH
        assert 35 <= gif.n_frames <= 41  # 4 s at 10 frames a second
    shown = client.get(f"/scenes/exports/{made.uuid}/preview.gif")
    assert shown.status_code == 200 and shown["Content-Type"] == "image/gif"
    assert client.get(f"/scenes/exports/{made.uuid}/video.mp4").status_code == 404


def test_a_format_of_an_unfinished_export_is_refused(db, maya, clips, media):
    scene = make_scene(maya, clips[:1], end_card=False)
    export = exporting.ask_export(scene, maya, uuid.uuid4())
    response = client_for(maya).post(
        f"/scenes/exports/{export.uuid}/formats/",
        {"kind": "square", "request_token": str(uuid.uuid4())},
        headers={"HX-Request": "true"},
    )
    # A queued export is not served: to everyone but its people it doesn't exist, to them it isn't ready.
    assert response.status_code == 200 and "not ready yet" in response.content.decode()
    assert SceneExport.objects.count() == 1


def test_the_sweep_asks_again_for_a_waiting_export_whose_task_was_lost(db, maya, clips, media, settings):
    scene = make_scene(maya, clips[:1], end_card=False)
    export = exporting.ask_export(scene, maya, uuid.uuid4())  # here its task is never queued: as if lost
    assert DBTaskResult.objects.count() == 0
    assert exporting.recover() == 0  # too recent to call lost
    SceneExport.objects.filter(pk=export.pk).update(
        created_at=export.created_at - timedelta(seconds=settings.VEOUI_ORPHAN_SECONDS + 1)
    )
    assert exporting.recover() == 1
    assert exporting.recover() == 0  # its new task is waiting: not asked twice
    task = DBTaskResult.objects.get()
    assert task.queue_name == "export" and task.args_kwargs["kwargs"] == {"export_id": export.pk}


def test_an_export_that_cannot_be_made_says_why(db, maya, clips, media):
    scene = make_scene(maya, clips[:1], end_card=False)
    scene.shots.update(end_seconds=9)  # the clip is 8 s long
    export = exporting.ask_export(scene, maya, uuid.uuid4())
    exporting.run(export.pk)
    export.refresh_from_db()
    assert export.status == SceneExport.Status.FAILED and "ends at 9 s" in export.error_message
    assert stored_exports() == [] and not exporting.work_folder(export).exists()
    page = client_for(maya).get(f"/scenes/{scene.uuid}/exports/").content.decode()
    assert "This export could not be made." in page
