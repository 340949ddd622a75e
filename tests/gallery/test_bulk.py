"""Many videos at once from the gallery: Download as ZIP (exactly the chosen videos the person may see, each as its
best finished version, with a CSV that matches) and Delete (asked once, then only what the person may delete, one
audit entry each)."""

from __future__ import annotations

import csv
import io
import uuid
import zipfile

import pytest
from django.core.files.base import ContentFile

from tests.people import client_for, make_generation, make_user, text
from veoui.studio import bulk
from veoui.studio.models import Generation, Rendition, Status
from veoui.team.models import AuditEntry, Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def video(owner, prompt: str, *, versions: tuple[str, ...] = (), **fields) -> Generation:
    """A finished video with its file stored (its bytes name it), and finished versions of the given kinds."""
    generation = make_generation(owner, 60, prompt=prompt, **fields)
    generation.video.save("v.mp4", ContentFile(f"original of {prompt}".encode()), save=False)
    Generation.objects.filter(pk=generation.pk).update(video=generation.video.name)
    for kind in versions:
        rendition = Rendition.objects.create(
            generation=generation, owner=owner, kind=kind, request_token=uuid.uuid4(), status=Status.SUCCEEDED
        )
        rendition.video.save("r.mp4", ContentFile(f"{kind} of {prompt}".encode()), save=False)
        Rendition.objects.filter(pk=rendition.pk).update(video=rendition.video.name)
    return generation


def download(client, videos: list, **extra):
    return client.post("/gallery/download.zip", {"videos": [str(v.uuid) for v in videos], **extra})


def opened(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/zip" and response.streaming
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def rows(archive: zipfile.ZipFile) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read("videos.csv").decode("utf-8-sig"))))


def test_it_zips_exactly_the_ten_chosen_videos_with_a_csv_that_matches(maya, tom) -> None:
    chosen = [video(maya if n % 2 else tom, f"Harbour scene {n}", seed=10000 + n) for n in range(10)]
    left_out = [video(maya, f"Not chosen {n}") for n in range(3)]
    archive = opened(download(client_for(maya), chosen))
    names = archive.namelist()
    assert names[-1] == "videos.csv" and len(names) == 11 and len(set(names)) == 11
    contents = {archive.read(name).decode() for name in names[:-1]}
    assert contents == {f"original of Harbour scene {n}" for n in range(10)}
    assert all(info.compress_type == zipfile.ZIP_STORED for info in archive.infolist())
    table = rows(archive)
    assert [row["file"] for row in table] == names[:-1]
    by_prompt = {row["prompt"]: row for row in table}
    assert set(by_prompt) == {g.prompt for g in chosen}
    for generation in chosen:
        row = by_prompt[generation.prompt]
        assert archive.read(row["file"]).decode() == f"original of {generation.prompt}"
        assert row["seed"] == str(generation.seed) and row["owner"] == generation.owner.first_name
        assert (row["mode"], row["model"], row["aspect ratio"], row["version"]) == (
            "TEXT_2_VIDEO", "veo3_fast", "16:9", "original",
        )  # fmt: skip
    assert not any(g.prompt in archive.read("videos.csv").decode("utf-8-sig") for g in left_out)


def test_it_gives_each_videos_best_finished_version(maya) -> None:
    both = video(maya, "With 4K and 1080P", versions=("1080p", "4k"))
    hd = video(maya, "With 1080P", versions=("1080p",))
    plain = video(maya, "As made")
    failed_4k = video(maya, "4K failed", versions=("1080p",))
    Rendition.objects.create(generation=failed_4k, owner=maya, kind="4k", request_token=uuid.uuid4(), status="failed")
    archive = opened(download(client_for(maya), [both, hd, plain, failed_4k]))
    given = {row["prompt"]: (row["version"], archive.read(row["file"]).decode()) for row in rows(archive)}
    assert given == {
        "With 4K and 1080P": ("4K", "4k of With 4K and 1080P"),
        "With 1080P": ("1080P", "1080p of With 1080P"),
        "As made": ("original", "original of As made"),
        "4K failed": ("1080P", "1080p of 4K failed"),
    }


def test_it_never_includes_what_the_person_may_not_see_whatever_ids_are_posted(maya, tom) -> None:
    mine = video(tom, "Tom's own")
    secret = video(maya, "Maya's secret", visibility="private")
    gone = video(maya, "Deleted one")
    Generation.objects.filter(pk=gone.pk).update(deleted_at=gone.created_at)
    response = download(client_for(tom), [mine, secret, gone])
    archive = opened(response)
    everything = b"".join(archive.read(name) for name in archive.namelist()).decode("utf-8", "replace")
    assert [row["prompt"] for row in rows(archive)] == ["Tom's own"]
    assert "secret" not in everything and "Deleted" not in everything
    # Only ids of what he may not see: nothing to give, a message, no ZIP.
    client = client_for(tom)
    refused = download(client, [secret], next="/gallery/?q=x")
    assert refused.status_code == 302 and refused["Location"] == "/gallery/?q=x"
    assert "nothing to download" in text(client.get("/gallery/"))
    admin = make_user("alex", "Alex", role=Role.ADMIN)
    assert [row["prompt"] for row in rows(opened(download(client_for(admin), [secret])))] == ["Maya's secret"]


def test_it_refuses_more_than_the_limit_and_nothing_chosen_with_a_message(maya, monkeypatch) -> None:
    monkeypatch.setattr(bulk, "ZIP_LIMIT", 3)
    videos = [video(maya, f"Video {n}") for n in range(4)]
    client = client_for(maya)
    response = download(client, videos)
    assert response.status_code == 302 and not response.streaming
    assert "One ZIP holds at most 3 videos" in text(client.get("/gallery/"))
    response = client.post("/gallery/download.zip", {"videos": ["not-an-id"], "next": "https://elsewhere.example/"})
    assert response.status_code == 302 and response["Location"] == "/gallery/"
    assert "Choose the videos to download first" in text(client.get("/gallery/"))
    assert opened(download(client, videos[:3])).namelist()[-1] == "videos.csv"


def test_it_asks_once_then_deletes_only_the_persons_own_with_an_audit_entry_each(maya, tom) -> None:
    own = [video(maya, f"Maya's {n}") for n in range(3)]
    toms = video(tom, "Tom's")
    running = make_generation(maya, 60, prompt="Still running", status=Status.RUNNING)
    secret = video(tom, "Tom's secret", visibility="private")
    ids = [str(g.uuid) for g in [*own, toms, running, secret]]
    client = client_for(maya)

    asked = client.post("/gallery/delete/", {"videos": ids, "next": "/gallery/?whose=mine"})
    assert asked.status_code == 200
    page = text(asked)
    assert "Delete 3 videos?" in page and "2 of the chosen videos stay" in page and "Tom's secret" not in page
    assert Generation.objects.filter(deleted_at__isnull=False).count() == 0 and AuditEntry.objects.count() == 0

    done = client.post("/gallery/delete/", {"videos": ids, "confirm": "1", "next": "/gallery/?whose=mine"})
    assert done.status_code == 302 and done["Location"] == "/gallery/?whose=mine"
    assert set(Generation.objects.filter(deleted_at__isnull=False).values_list("pk", flat=True)) == {g.pk for g in own}
    assert set(Generation.objects.filter(deleted_at__isnull=False).values_list("video", flat=True)) == {""}
    entries = AuditEntry.objects.filter(kind=AuditEntry.Kind.DELETED)
    assert sorted(entries.values_list("object_id", flat=True)) == sorted(str(g.uuid) for g in own)
    assert set(entries.values_list("actor", flat=True)) == {maya.pk}
    assert "3 videos were deleted." in text(client.get("/gallery/"))

    again = client.post("/gallery/delete/", {"videos": ids, "confirm": "1"})  # the same form sent twice
    assert again.status_code == 302 and entries.count() == 3


def test_it_lets_an_admin_delete_anyones_and_a_teammate_none_of_maya(maya, tom) -> None:
    videos = [video(maya, "Maya's team one"), video(maya, "Maya's private one", visibility="private")]
    ids = [str(g.uuid) for g in videos]
    client = client_for(tom)
    refused = client.post("/gallery/delete/", {"videos": ids, "confirm": "1"})
    assert refused.status_code == 302
    assert Generation.objects.filter(deleted_at__isnull=False).count() == 0 and AuditEntry.objects.count() == 0
    assert "None of the chosen videos can be deleted by you" in text(client.get("/gallery/"))
    admin = make_user("alex", "Alex", role=Role.ADMIN)
    assert "Delete 2 videos?" in text(client_for(admin).post("/gallery/delete/", {"videos": ids}))
    client_for(admin).post("/gallery/delete/", {"videos": ids, "confirm": "1"})
    assert Generation.objects.filter(deleted_at__isnull=False).count() == 2
    entries = AuditEntry.objects.filter(kind=AuditEntry.Kind.DELETED, actor=admin)
    assert entries.count() == 2 and all(e.details == {"owner": "maya"} for e in entries)


def test_it_shows_the_selection_bar_that_works_without_javascript(maya) -> None:
    one = video(maya, "A tile")
    page = text(client_for(maya).get("/gallery/"))
    assert 'id="bulk-form"' in page and f'value="{one.uuid}" form="bulk-form"' in page
    assert 'formaction="/gallery/download.zip"' in page and 'formaction="/gallery/delete/"' in page
    assert "{# Move to project" not in page  # the place kept for it is a template comment
