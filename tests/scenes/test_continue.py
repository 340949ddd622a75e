"""Continue from the last frame of a scene's shot: the new video joins the scene right after that shot, once done.

Through the scene's page, the studio's form and the worker (the simulator making the video); then what happens
when "done" is seen twice, when the scene or the shot went meanwhile, and for someone who may not change it.
"""

from __future__ import annotations

import html
import re
import uuid

import pytest

from tests.people import client_for, make_user, text
from tests.scenes.making import stored_video
from tests.studio.test_flow import finished
from veoui.scenes import continuing
from veoui.scenes.models import PendingShot, Scene, Shot
from veoui.studio import hooks
from veoui.studio.models import Generation, Status


def scene_with(owner, clips, **fields) -> Scene:
    scene = Scene.objects.create(owner=owner, title="Spring launch", **fields)
    for position, clip in enumerate(clips):
        Shot.objects.create(scene=scene, position=position, generation=stored_video(owner, clip))
    return scene


def unsettled():
    return PendingShot.objects.filter(settled_at__isnull=True)


def order(scene: Scene) -> list[int]:
    return list(scene.shots.order_by("position", "pk").values_list("generation_id", flat=True))


def continue_links(page: str) -> list[str]:
    found = re.findall(r'<a class="button button--small" href="([^"]+)"[^>]*>Continue from the last frame</a>', page)
    return [html.unescape(address) for address in found]


def send(client, form: str, prompt: str) -> object:
    token = re.search(r'name="submission_token" value="([^"]+)"', form).group(1)
    data = {"submission_token": token, "prompt": prompt, "model": "veo3_fast", "aspect_ratio": "16:9"}
    data["image_url_1"] = html.unescape(re.search(r'name="image_url_1" id="id_image_url_1" value="([^"]*)"', form)[1])
    data |= dict(re.findall(r'<input type="hidden" name="(scene|after)" value="([^"]*)"', form))
    return client.post("/studio/frames/", data)


def test_the_new_video_joins_the_scene_after_its_shot_once_done(worker, kie, clips) -> None:
    maya = make_user("maya", "Maya")
    scene = scene_with(maya, clips)
    first, second, third = order(scene)
    client = client_for(maya)
    links = continue_links(text(client.get(f"/scenes/{scene.uuid}/")))
    assert len(links) == 3
    middle = scene.shots.get(generation_id=second)
    assert f"scene={scene.uuid}" in links[1] and f"after={middle.pk}" in links[1]

    form = text(client.get(links[1]))
    assert "When it is done, this video joins the scene “Spring launch” right after shot 2." in form
    assert Generation.objects.count() == 3 and not PendingShot.objects.exists()  # opening it spent nothing
    response = send(client, form, "The lighthouse keeper walks down the stairs")
    assert response.status_code == 302
    new = Generation.objects.get(prompt="The lighthouse keeper walks down the stairs")
    assert PendingShot.objects.get(settled_at__isnull=True).generation == new
    assert order(scene) == [first, second, third]  # not before it is done

    worker.wait_for(finished(new))
    assert new.status == Status.SUCCEEDED, new.error_message
    worker.wait_for(lambda: not unsettled().exists())
    assert order(scene) == [first, second, new.pk, third]
    joined = scene.shots.get(generation=new)
    assert joined.rendition is None and joined.clip_seconds is not None

    hooks.video_finished(new.pk)  # "done" seen again: nothing more
    continuing.join(new.pk)
    assert order(scene) == [first, second, new.pk, third]
    assert Shot.objects.filter(generation=new).count() == 1


@pytest.fixture
def maya(db):
    return make_user("maya", "Maya")


def test_a_video_already_done_joins_at_once_and_only_once(media, maya, clips) -> None:
    scene = scene_with(maya, clips[:2])
    first, second = order(scene)
    new = stored_video(maya, clips[2])
    shot = scene.shots.get(generation_id=first)
    continuing.remember(maya, new, str(scene.uuid), str(shot.pk))
    continuing.remember(maya, new, str(scene.uuid), str(shot.pk))  # the same form sent again
    hooks.video_finished(new.pk)
    assert order(scene) == [first, new.pk, second]
    assert not unsettled().exists()


def test_after_the_last_shot_it_goes_at_the_end(media, maya, clips) -> None:
    scene = scene_with(maya, clips[:2])
    first, second = order(scene)
    new = stored_video(maya, clips[2])
    continuing.remember(maya, new, str(scene.uuid), str(scene.shots.get(generation_id=second).pk))
    assert order(scene) == [first, second, new.pk]


def waiting(maya, scene: Scene, clip) -> Generation:
    """A video still being made, continued from the scene's first shot."""
    new = stored_video(maya, clip)
    Generation.objects.filter(pk=new.pk).update(status=Status.RUNNING)
    new.refresh_from_db()
    continuing.remember(maya, new, str(scene.uuid), str(scene.shots.order_by("position").first().pk))
    assert unsettled().count() == 1
    return new


def finish(new: Generation) -> None:
    Generation.objects.filter(pk=new.pk).update(status=Status.SUCCEEDED)
    hooks.video_finished(new.pk)


def test_a_shot_removed_meanwhile_puts_it_at_the_end(media, maya, clips) -> None:
    scene = scene_with(maya, clips[:2])
    first, second = order(scene)
    new = waiting(maya, scene, clips[2])
    scene.shots.filter(generation_id=first).delete()
    finish(new)
    assert order(scene) == [second, new.pk]


def test_a_scene_deleted_meanwhile_takes_nothing(media, maya, clips) -> None:
    scene = scene_with(maya, clips[:2])
    new = waiting(maya, scene, clips[2])
    Scene.objects.filter(pk=scene.pk).update(deleted_at="2026-01-01T00:00Z")
    finish(new)
    assert not Shot.objects.filter(generation=new).exists() and not unsettled().exists()


def test_a_failed_video_joins_nothing(media, maya, clips) -> None:
    scene = scene_with(maya, clips[:2])
    new = waiting(maya, scene, clips[2])
    Generation.objects.filter(pk=new.pk).update(status=Status.FAILED)
    hooks.video_finished(new.pk)
    assert not Shot.objects.filter(generation=new).exists() and not unsettled().exists()


def test_someone_who_may_not_change_the_scene_adds_nothing_to_it(media, maya, clips) -> None:
    tom = make_user("tom", "Tom")
    scene = scene_with(maya, clips[:2])  # the team sees it; only Maya changes it
    shot = scene.shots.order_by("position").first()
    client = client_for(tom)
    page = text(client.get(f"/scenes/{scene.uuid}/"))
    assert continue_links(page) == []  # the tools of a scene are its owner's
    form = text(client.get("/studio/frames/", {"picture": f"/videos/{shot.generation.uuid}/last-frame.png",
                                               "scene": str(scene.uuid), "after": str(shot.pk)}))  # fmt: skip
    assert "joins the scene" not in form and 'name="scene"' not in form
    data = {"submission_token": str(uuid.uuid4()), "prompt": "Sneaking in", "model": "veo3_fast",
            "aspect_ratio": "16:9", "image_url_1": f"/videos/{shot.generation.uuid}/last-frame.png",
            "scene": str(scene.uuid), "after": str(shot.pk)}  # fmt: skip
    assert client.post("/studio/frames/", data).status_code == 302
    assert Generation.objects.filter(owner=tom).count() == 1
    assert not PendingShot.objects.exists()
    continuing.join(Generation.objects.get(owner=tom).pk)
    assert scene.shots.count() == 2


def test_a_shot_of_another_scene_or_nonsense_is_ignored(media, maya, clips) -> None:
    scene = scene_with(maya, clips[:1])
    other = scene_with(maya, clips[1:2])
    new = stored_video(maya, clips[2])
    for scene_id, shot_id in [
        (str(scene.uuid), str(other.shots.get().pk)),
        ("not-a-scene", "1"),
        (str(scene.uuid), "x"),
        (str(uuid.uuid4()), str(scene.shots.get().pk)),
    ]:
        continuing.remember(maya, new, scene_id, shot_id)
    assert not PendingShot.objects.exists()
    assert scene.shots.count() == 1 and other.shots.count() == 1


def test_a_version_shot_continues_from_that_version(media, maya, clips) -> None:
    from tests.studio.test_last_frame import finished_version

    scene = scene_with(maya, clips[:1])
    shot = scene.shots.get()
    version = finished_version(shot.generation, "4k", media)
    Shot.objects.filter(pk=shot.pk).update(rendition=version)
    [address] = continue_links(text(client_for(maya).get(f"/scenes/{scene.uuid}/")))
    assert f"version%3D{version.uuid}" in address
