"""A video's page: re-run, vary, delete, who sees it, and copying the seed."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tests.people import client_for, make_user, text
from veoui.studio.models import Generation, InputImage, Rendition, Status
from veoui.team.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def source(owner, **fields) -> Generation:
    values = {
        "mode": "FIRST_AND_LAST_FRAMES_2_VIDEO",
        "model": "veo3_lite",
        "prompt": "A paper boat on a river",
        "aspect_ratio": "9:16",
        "seed": 24680,
        "watermark": "ACME",
        "enable_translation": False,
        "status": Status.SUCCEEDED,
        "estimated_credits": Decimal(30),
    }
    values.update(fields)
    return Generation.objects.create(owner=owner, submission_token=uuid.uuid4(), **values)


def with_files(generation: Generation) -> list[str]:
    generation.video.save("v.mp4", ContentFile(b"video"), save=False)
    generation.poster.save("p.jpg", ContentFile(b"poster"), save=False)
    generation.save()
    image = InputImage(generation=generation, position=0, role="first")
    image.file.save("first.png", ContentFile(b"png"), save=True)
    rendition = Rendition.objects.create(
        generation=generation, owner=generation.owner, kind="1080p", request_token=uuid.uuid4(), status="succeeded"
    )
    rendition.video.save("r.mp4", ContentFile(b"hd"), save=True)
    return [generation.video.name, generation.poster.name, image.file.name, rendition.video.name]


def test_it_reruns_with_the_same_settings_for_whoever_asks(media, maya, tom) -> None:
    original = source(tom)
    with_files(original)
    token = str(uuid.uuid4())
    response = client_for(maya).post(f"/videos/{original.uuid}/rerun/", {"submission_token": token})
    new = Generation.objects.exclude(pk=original.pk).get()
    assert response["Location"] == f"/videos/{new.uuid}/"
    assert new.owner == maya and new.status == Status.QUEUED
    same = ("mode", "model", "prompt", "aspect_ratio", "seed", "watermark", "enable_translation", "visibility")
    assert all(getattr(new, f) == getattr(original, f) for f in same)
    assert [i.role for i in new.images.all()] == ["first"]
    assert new.images.get().file.read() == b"png"
    # The same button pressed twice (a double click, a resent form): still one new video.
    client_for(maya).post(f"/videos/{original.uuid}/rerun/", {"submission_token": token})
    assert Generation.objects.count() == 2


def test_it_varies_the_seed(media, maya) -> None:
    original = source(maya)
    client = client_for(maya)
    for _ in range(3):
        client.post(f"/videos/{original.uuid}/vary/", {"submission_token": str(uuid.uuid4())})
    seeds = [g.seed for g in Generation.objects.exclude(pk=original.pk)]
    assert len(seeds) == 3 and 24680 not in seeds
    assert all(10000 <= seed <= 99999 for seed in seeds)
    assert {g.prompt for g in Generation.objects.all()} == {original.prompt}


def test_it_refuses_a_rerun_over_budget_with_a_message(media, maya) -> None:
    original = source(maya)
    Membership.objects.filter(user=maya).update(monthly_budget=40)
    response = client_for(maya).post(
        f"/videos/{original.uuid}/rerun/", {"submission_token": str(uuid.uuid4())}, follow=True
    )
    assert Generation.objects.count() == 1
    assert "budget" in text(response).lower()


def test_it_shows_the_actions_with_their_cost_and_a_copy_seed_button(maya) -> None:
    page = text(client_for(maya).get(f"/videos/{source(maya).uuid}/"))
    assert "Re-run (30 credits, about $0.15)" in page and "Vary the seed (30 credits, about $0.15)" in page
    assert 'data-copy="24680"' in page and "Copy seed" in page
    assert "Delete it for good" in page


def test_it_deletes_files_and_hides_the_video_but_keeps_its_cost(media, maya) -> None:
    generation = source(maya)
    names = with_files(generation)
    assert all(default_storage.exists(name) for name in names)
    client = client_for(maya)
    response = client.post(f"/videos/{generation.uuid}/delete/")
    assert response["Location"] == "/gallery/"
    assert not any(default_storage.exists(name) for name in names)
    generation.refresh_from_db()
    assert generation.deleted_at is not None and not generation.video
    assert client.get(f"/videos/{generation.uuid}/").status_code == 404
    assert client.get(f"/videos/{generation.uuid}/inputs/0/").status_code == 404
    assert str(generation.uuid) not in client.get("/gallery/").content.decode()
    assert str(generation.uuid) not in client.get("/studio/text/").content.decode()
    # Still counted this month: deleting must not give credits back.
    from veoui.team import budgets

    assert budgets.spent(since=budgets.month_start(), until=budgets.next_month(budgets.month_start()), user=maya) == 30


def test_it_lets_only_the_owner_or_an_admin_delete(media, maya, tom) -> None:
    generation = source(maya)
    names = with_files(generation)
    assert client_for(tom).post(f"/videos/{generation.uuid}/delete/").status_code == 403
    assert all(default_storage.exists(name) for name in names)
    alex = make_user("alex", "Alex", role="admin")
    client_for(alex).post(f"/videos/{generation.uuid}/delete/")
    generation.refresh_from_db()
    assert generation.deleted_at is not None


def test_it_does_not_delete_a_video_still_being_made(maya) -> None:
    generation = source(maya, status=Status.RUNNING)
    client_for(maya).post(f"/videos/{generation.uuid}/delete/")
    generation.refresh_from_db()
    assert generation.deleted_at is None


def test_it_lets_the_owner_make_a_video_private_and_back(maya, tom) -> None:
    generation = source(maya)
    owner, teammate = client_for(maya), client_for(tom)
    assert teammate.get(f"/videos/{generation.uuid}/").status_code == 200
    assert teammate.post(f"/videos/{generation.uuid}/visibility/", {"visibility": "private"}).status_code == 403
    owner.post(f"/videos/{generation.uuid}/visibility/", {"visibility": "private"})
    generation.refresh_from_db()
    assert generation.visibility == "private"
    assert teammate.get(f"/videos/{generation.uuid}/").status_code == 404
    assert (
        teammate.post(f"/videos/{generation.uuid}/rerun/", {"submission_token": str(uuid.uuid4())}).status_code == 404
    )
    owner.post(f"/videos/{generation.uuid}/visibility/", {"visibility": "team"})
    assert teammate.get(f"/videos/{generation.uuid}/").status_code == 200


def test_it_saves_the_visibility_chosen_on_the_form(maya) -> None:
    client = client_for(maya)
    page = text(client.get("/studio/text/"))
    assert "Visible to" in page and "Only me" in page
    data = {"submission_token": str(uuid.uuid4()), "prompt": "A quiet lake", "model": "veo3_fast"}
    client.post("/studio/text/", {**data, "aspect_ratio": "16:9", "visibility": "private"})
    assert Generation.objects.get().visibility == "private"
    client.post("/studio/text/", {**data, "submission_token": str(uuid.uuid4()), "aspect_ratio": "16:9"})
    assert Generation.objects.filter(visibility="team").count() == 1


def real_png() -> bytes:
    from tests.support import picture

    return picture(640, 360).getvalue()


def test_it_fills_the_form_from_a_video_for_edit_and_rerun(media, maya) -> None:
    original = source(maya, visibility="private")
    image = InputImage(generation=original, position=0, role="first")
    image.file.save("first.png", ContentFile(real_png()), save=True)
    page = text(client_for(maya).get(f"/studio/frames/?from={original.uuid}"))
    assert "A paper boat on a river</textarea>" in page
    assert 'value="24680"' in page and 'value="ACME"' in page
    assert f'value="/videos/{original.uuid}/inputs/0/"' in page
    assert 'value="veo3_lite" checked' in page and 'value="9:16" checked' in page
    assert 'value="private" checked' in page


def test_it_reuses_a_picture_of_an_earlier_video_without_uploading_it_again(media, maya) -> None:
    original = source(maya)
    image = InputImage(generation=original, position=0, role="first")
    image.file.save("first.png", ContentFile(real_png()), save=True)
    data = {"submission_token": str(uuid.uuid4()), "prompt": "Onwards", "model": "veo3_fast", "aspect_ratio": "16:9"}
    response = client_for(maya).post("/studio/frames/", {**data, "image_url_1": f"/videos/{original.uuid}/inputs/0/"})
    assert response.status_code == 302
    new = Generation.objects.exclude(pk=original.pk).get()
    reused = new.images.get()
    assert reused.file.name != image.file.name and reused.file.read() == real_png() and not reused.source_url


def test_it_never_reuses_what_the_person_may_not_see(media, maya, tom) -> None:
    private = source(maya, visibility="private")
    image = InputImage(generation=private, position=0, role="first")
    image.file.save("first.png", ContentFile(real_png()), save=True)
    private.poster.save("p.png", ContentFile(real_png()), save=True)
    teammate = client_for(tom)
    assert teammate.get(f"/studio/frames/?from={private.uuid}").status_code == 404
    page = text(teammate.get(f"/studio/frames/?picture=/videos/{private.uuid}/poster.jpg"))
    assert str(private.uuid) not in page
    data = {"submission_token": str(uuid.uuid4()), "prompt": "Mine now", "model": "veo3_fast", "aspect_ratio": "16:9"}
    for address in (f"/videos/{private.uuid}/inputs/0/", f"/videos/{private.uuid}/poster.jpg"):
        assert teammate.post("/studio/frames/", {**data, "image_url_1": address}).status_code == 200
    assert Generation.objects.count() == 1
