"""Scenes: made, filled from videos, reordered, trimmed, joined, muted, given an end card, seen by whom, deleted."""

from __future__ import annotations

import io
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.people import client_for, make_generation, make_user, text
from veoui.kie.simulator.cards import RenderSpec
from veoui.kie.simulator.render import render_clip
from veoui.scenes.models import Scene, Shot
from veoui.studio.models import Generation, Rendition, Status
from veoui.team.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db) -> dict:
    return {
        "maya": make_user("maya", "Maya"),
        "tom": make_user("tom", "Tom"),
        "alex": make_user("alex", "Alex", role=Role.ADMIN),
    }


def video(owner, prompt: str = "A lighthouse", **fields) -> Generation:
    generation = make_generation(owner, 60, prompt=prompt, **fields)
    generation.video.save("v.mp4", ContentFile(b"not really a video"), save=False)
    generation.poster.save("p.jpg", ContentFile(b"poster"), save=True)
    return generation


def scene_of(owner, *videos: Generation, **fields) -> Scene:
    scene = Scene.objects.create(owner=owner, title="Spring ad", **fields)
    for position, generation in enumerate(videos):
        Shot.objects.create(scene=scene, position=position, generation=generation)
    return scene


def order(scene: Scene) -> list[int]:
    return list(scene.shots.order_by("position", "pk").values_list("generation_id", flat=True))


def test_it_makes_a_scene_and_lists_it(media, people) -> None:
    client = client_for(people["maya"])
    response = client.post("/scenes/new/", {"title": "Spring ad", "aspect_ratio": "9:16", "visibility": "private"})
    scene = Scene.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/scenes/{scene.uuid}/"
    assert (scene.owner, scene.aspect_ratio, scene.visibility) == (people["maya"], "9:16", "private")
    assert "Spring ad" in text(client.get("/scenes/"))
    assert "Spring ad" not in text(client_for(people["tom"]).get("/scenes/"))  # only hers
    assert "Spring ad" in text(client_for(people["alex"]).get("/scenes/"))  # admins see everything


def test_it_refuses_a_scene_without_a_title(media, people) -> None:
    response = client_for(people["maya"]).post(
        "/scenes/new/", {"title": " ", "aspect_ratio": "16:9", "visibility": "team"}
    )
    assert response.status_code == 200 and "Give the scene a title." in text(response)
    assert Scene.objects.count() == 0


def test_it_adds_finished_videos_at_the_end_whole(media, people) -> None:
    maya = people["maya"]
    first, second = video(maya, "First"), video(maya, "Second")
    client = client_for(maya)
    response = client.post(f"/scenes/add/?video={first.uuid}", {"scene": "new", "title": "Launch"})
    scene = Scene.objects.get()
    assert response.status_code == 302 and scene.title == "Launch"
    client.post(f"/scenes/add/?video={second.uuid}", {"scene": str(scene.uuid)})
    assert order(scene) == [first.pk, second.pk]
    shot = scene.shots.get(generation=second)
    assert (shot.start_seconds, shot.end_seconds, shot.position) == (0, None, 1)
    page = text(client.get(f"/scenes/{scene.uuid}/"))
    assert "Total length: 16.0 s" in page and "Shot 2" in page


def test_it_adds_a_version_of_a_video(media, people) -> None:
    maya = people["maya"]
    generation = video(maya)
    hd = Rendition.objects.create(generation=generation, owner=maya, kind="1080p", request_token=uuid.uuid4(),
                                  status=Status.SUCCEEDED)  # fmt: skip
    hd.video.save("hd.mp4", ContentFile(b"hd"), save=True)
    client_for(maya).post(f"/scenes/add/?video={generation.uuid}&version={hd.uuid}", {"title": "HD"})
    assert Shot.objects.get().rendition == hd


def test_it_adds_only_finished_videos_one_may_see(media, people) -> None:
    maya, tom = people["maya"], people["tom"]
    running = make_generation(maya, 60, status=Status.RUNNING)
    private = video(maya, visibility="private")
    client = client_for(tom)
    assert "Only a finished video" in text(client.post(f"/scenes/add/?video={running.uuid}", {"title": "X"}))
    assert client.post(f"/scenes/add/?video={private.uuid}", {"title": "X"}).status_code == 404
    assert Scene.objects.count() == 0 and Shot.objects.count() == 0


def test_it_never_adds_to_someone_elses_scene(media, people) -> None:
    maya, tom = people["maya"], people["tom"]
    scene = scene_of(maya)
    theirs = video(tom)
    response = client_for(tom).post(f"/scenes/add/?video={theirs.uuid}", {"scene": str(scene.uuid)})
    assert response.status_code == 404 and Shot.objects.count() == 0


def test_it_moves_shots_up_and_down(media, people) -> None:
    maya = people["maya"]
    a, b, c = video(maya, "A"), video(maya, "B"), video(maya, "C")
    scene = scene_of(maya, a, b, c)
    client = client_for(maya)
    shot_c = scene.shots.get(generation=c)
    client.post(f"/scenes/{scene.uuid}/shots/{shot_c.pk}/up/")
    assert order(scene) == [a.pk, c.pk, b.pk]
    response = client.post(f"/scenes/{scene.uuid}/shots/{shot_c.pk}/up/", headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'id="shots"' in response.content.decode()
    assert order(scene) == [c.pk, a.pk, b.pk]
    client.post(f"/scenes/{scene.uuid}/shots/{shot_c.pk}/up/")  # already first: nothing moves
    assert order(scene) == [c.pk, a.pk, b.pk]
    client.post(f"/scenes/{scene.uuid}/shots/{shot_c.pk}/down/")
    assert order(scene) == [a.pk, c.pk, b.pk]


def test_it_reorders_by_the_dragged_order_and_refuses_a_stale_one(media, people) -> None:
    maya = people["maya"]
    a, b, c = video(maya, "A"), video(maya, "B"), video(maya, "C")
    scene = scene_of(maya, a, b, c)
    ids = {shot.generation_id: shot.pk for shot in scene.shots.all()}
    client = client_for(maya)
    client.post(f"/scenes/{scene.uuid}/order/", {"shot": [ids[c.pk], ids[a.pk], ids[b.pk]]})
    assert order(scene) == [c.pk, a.pk, b.pk]
    assert list(scene.shots.order_by("position").values_list("position", flat=True)) == [0, 1, 2]
    # An order missing a shot (made before one was added in another tab) changes nothing.
    response = client.post(f"/scenes/{scene.uuid}/order/", {"shot": [ids[a.pk], ids[c.pk]]}, follow=True)
    assert order(scene) == [c.pk, a.pk, b.pk] and "The scene changed meanwhile" in text(response)


def test_it_trims_and_checks_the_trims(media, people) -> None:
    maya = people["maya"]
    scene = scene_of(maya, video(maya), video(maya))
    first = scene.shots.order_by("position").first()
    client = client_for(maya)
    url = f"/scenes/{scene.uuid}/shots/{first.pk}/"
    p = f"shot-{first.pk}-"

    def post(start, end, **more):
        data = {p + "start_seconds": start, p + "end_seconds": end, p + "join": "cut", p + "crossfade_seconds": "0.5"}
        return client.post(url, data | {p + key: value for key, value in more.items()})

    assert post("1", "6").status_code == 302
    first.refresh_from_db()
    assert (first.start_seconds, first.end_seconds) == (Decimal(1), Decimal(6))
    for start, end, message in [
        ("6", "5", "Start before the end."),
        ("1", "1.3", "Keep at least half a second of the shot."),
        ("0", "9", "The clip is 8 seconds long"),
        ("-1", "4", "Ensure this value is greater than or equal to 0."),
        ("a", "4", "Enter a number."),
    ]:
        response = post(start, end)
        assert response.status_code == 200 and message in text(response), (start, end)
        first.refresh_from_db()
        assert (first.start_seconds, first.end_seconds) == (Decimal(1), Decimal(6))
    post("1", "6", join="crossfade", crossfade_seconds="0.5", muted="on")
    first.refresh_from_db()
    assert (first.join, first.crossfade_seconds, first.muted) == ("crossfade", Decimal("0.5"), True)
    # 5 s + 8 s less the 0.5 s crossfade
    assert "Total length: 12.5 s" in text(client.get(f"/scenes/{scene.uuid}/"))
    response = post("1", "6", join="crossfade", crossfade_seconds="3")
    assert "Ensure this value is less than or equal to 2." in text(response)


def test_it_reads_a_real_clips_length(media, people) -> None:
    maya = people["maya"]
    generation = make_generation(maya, 60, prompt="Real clip")
    folder = Path(media) / "videos"
    folder.mkdir(parents=True)
    spec = RenderSpec(
        task_id="real", prompt="Real", mode="TEXT_2_VIDEO", model="veo3_fast", aspect_ratio="16:9", seed=1
    )
    render_clip(spec, "360p", folder / "real.mp4")
    Generation.objects.filter(pk=generation.pk).update(video="videos/real.mp4")
    client_for(maya).post(f"/scenes/add/?video={generation.uuid}", {"title": "Real"})
    assert abs(Shot.objects.get().clip_seconds - Decimal(8)) < Decimal("0.2")


def test_it_removes_a_shot(media, people) -> None:
    maya = people["maya"]
    a, b = video(maya), video(maya)
    scene = scene_of(maya, a, b)
    shot = scene.shots.get(generation=a)
    client_for(maya).post(f"/scenes/{scene.uuid}/shots/{shot.pk}/remove/")
    assert order(scene) == [b.pk] and Generation.objects.filter(pk=a.pk, deleted_at__isnull=True).exists()


def picture(size=(600, 400)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buffer, "PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


def test_it_keeps_an_end_card_picture_or_text(media, people) -> None:
    maya = people["maya"]
    scene = scene_of(maya, video(maya))
    client = client_for(maya)
    url = f"/scenes/{scene.uuid}/end-card/"
    base = {"colour": "#112233", "seconds": "3"}
    response = client.post(
        url, base | {"end_card": "picture", "picture": SimpleUploadedFile("x.png", b"not a picture")}
    )
    assert response.status_code == 200 and 'id="end-card-picture-error"' in response.content.decode()
    assert Scene.objects.get().end_card == ""
    response = client.post(url, base | {"end_card": "picture", "picture": picture((100, 100))})
    assert response.status_code == 200 and Scene.objects.get().end_card == ""  # too small
    client.post(url, base | {"end_card": "picture", "picture": picture()})
    scene.refresh_from_db()
    assert scene.end_card == "picture" and scene.end_card_picture and scene.end_card_seconds == 3
    assert client.get(f"/scenes/{scene.uuid}/end-card.img").status_code == 200
    assert "Total length: 11.0 s" in text(client.get(f"/scenes/{scene.uuid}/"))
    response = client.post(url, base | {"end_card": "text", "text": ""})
    assert "Write the line the end card shows." in text(response)
    response = client.post(url, base | {"end_card": "text", "text": "Spring sale", "seconds": "6"})
    assert "less than or equal to 5" in text(response)
    client.post(url, base | {"end_card": "text", "text": "Spring sale"})
    scene.refresh_from_db()
    assert (scene.end_card, scene.end_card_text, scene.end_card_colour) == ("text", "Spring sale", "#112233")


def test_it_shows_a_teams_scene_read_only(media, people) -> None:
    maya, tom = people["maya"], people["tom"]
    a, b = video(maya), video(maya)
    scene = scene_of(maya, a, b)
    client = client_for(tom)
    page = text(client.get(f"/scenes/{scene.uuid}/"))
    assert "Only its owner (or an admin) can change it." in page and "Set start here" not in page
    shot = scene.shots.get(generation=a)
    assert client.post(f"/scenes/{scene.uuid}/shots/{shot.pk}/down/").status_code == 403
    assert client.post(f"/scenes/{scene.uuid}/delete/").status_code == 403
    assert order(scene) == [a.pk, b.pk] and Scene.objects.get().deleted_at is None
    assert client_for(people["alex"]).post(f"/scenes/{scene.uuid}/shots/{shot.pk}/down/").status_code == 302
    assert order(scene) == [b.pk, a.pk]


def test_it_hides_a_scene_showing_someone_elses_private_video(media, people) -> None:
    maya, tom = people["maya"], people["tom"]
    scene = scene_of(maya, video(maya), video(maya, visibility="private"))
    assert client_for(tom).get(f"/scenes/{scene.uuid}/").status_code == 404
    assert client_for(tom).get(f"/scenes/{scene.uuid}/preview/").status_code == 404
    assert "Spring ad" not in text(client_for(tom).get("/scenes/"))
    assert client_for(maya).get(f"/scenes/{scene.uuid}/").status_code == 200


def test_it_lets_only_the_owner_switch_who_sees_it(media, people) -> None:
    maya, alex = people["maya"], people["alex"]
    scene = scene_of(maya)
    data = {"title": "Renamed", "aspect_ratio": "16:9", "visibility": "private"}
    client_for(alex).post(f"/scenes/{scene.uuid}/settings/", data)
    scene.refresh_from_db()
    assert (scene.title, scene.visibility) == ("Renamed", "team")
    client_for(maya).post(f"/scenes/{scene.uuid}/settings/", data)
    scene.refresh_from_db()
    assert scene.visibility == "private"
    assert client_for(people["tom"]).get(f"/scenes/{scene.uuid}/").status_code == 404


def test_it_warns_before_deleting_a_video_used_in_scenes_and_leaves_a_gap(media, people) -> None:
    maya, tom = people["maya"], people["tom"]
    used, other = video(maya, "Used"), video(maya, "Other")
    first, second = scene_of(maya, used, other), scene_of(maya, used)
    client = client_for(maya)
    assert "This video is used in 2 scenes." in text(client.get(f"/videos/{used.uuid}/"))
    client.post(f"/videos/{used.uuid}/delete/")
    assert Generation.objects.get(pk=used.pk).deleted_at is not None
    assert Shot.objects.filter(generation=used).count() == 2  # the shots stay, as gaps
    page = text(client.get(f"/scenes/{first.uuid}/"))
    assert "This shot's video was deleted." in page and "Total length: 8.0 s" in page
    assert client_for(tom).get(f"/scenes/{second.uuid}/").status_code == 200  # a gap hides nothing
    preview = text(client.get(f"/scenes/{first.uuid}/preview/"))
    assert f"/videos/{used.uuid}/video.mp4" not in preview and f"/videos/{other.uuid}/video.mp4" in preview


def test_it_deletes_a_scene_softly(media, people) -> None:
    maya = people["maya"]
    generation = video(maya)
    scene = scene_of(maya, generation)
    client = client_for(maya)
    response = client.post(f"/scenes/{scene.uuid}/delete/")
    assert response.status_code == 302 and Scene.objects.get().deleted_at is not None
    assert client.get(f"/scenes/{scene.uuid}/").status_code == 404
    assert Shot.objects.count() == 1 and Generation.objects.filter(pk=generation.pk, deleted_at=None).exists()


def test_it_offers_the_export_sizes_every_shot_allows(media, people) -> None:
    maya = people["maya"]
    a, b = video(maya), video(maya, resolution="1080p")
    scene = scene_of(maya, a, b)
    client = client_for(maya)

    def sizes() -> list[str]:
        """The size Export offers: the largest every shot has."""
        page = client.get(f"/scenes/{scene.uuid}/").content.decode()
        return [size for size in ("720p", "1080P", "4K") if f"One MP4 at {size}," in page]

    assert sizes() == ["720p"]
    uhd = Rendition.objects.create(generation=a, owner=maya, kind="4k", request_token=uuid.uuid4(), video=a.video.name,
                                   status=Status.SUCCEEDED)  # fmt: skip
    assert sizes() == ["1080P"]
    Shot.objects.filter(generation=b).update(rendition=None)
    Rendition.objects.create(generation=b, owner=maya, kind="4k", request_token=uuid.uuid4(), video=b.video.name,
                             status=Status.SUCCEEDED)  # fmt: skip
    assert sizes() == ["4K"] and uhd.kind == "4k"
