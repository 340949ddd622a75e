"""Media on S3-compatible storage: a local S3 (moto in server mode) over real HTTP, the worker really running."""

from __future__ import annotations

import tarfile
import uuid
from collections.abc import Iterator

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client, RequestFactory

from tests.ops.databases import empty_database_like_default
from tests.people import make_user
from tests.support import picture
from veoui.common.storage import S3MediaStorage
from veoui.studio.media import serve_file
from veoui.studio.models import Generation, Status

BUCKET = "veoui-media"
KEYS = {"access_key": "test-s3-access-key", "secret_key": "test-s3-secret-key"}


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint: str, settings):
    """veoui's media in a fresh bucket, as S3_BUCKET and friends configure it; the raw S3 client beside it."""
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
    )
    client.create_bucket(Bucket=BUCKET)
    use_bucket(settings, s3_endpoint, "team")
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def use_bucket(settings, endpoint: str, prefix: str) -> None:
    """What S3_BUCKET, S3_ENDPOINT_URL, S3_REGION, S3_PREFIX, S3_ADDRESSING_STYLE and the keys configure."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "veoui.common.storage.S3MediaStorage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "location": prefix,
                "addressing_style": "path",
                **KEYS,
            },
        },
    }


def stored_keys(client) -> set[str]:
    return {item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def test_it_archives_plays_with_ranges_and_deletes_a_video_in_s3(s3, worker, kie, client: Client, django_user_model):
    member = make_user("maya")
    client.force_login(member)
    response = client.post(
        "/studio/frames/",
        {
            "submission_token": str(uuid.uuid4()),
            "prompt": "A kite over a beach",
            "model": "veo3_fast",
            "aspect_ratio": "16:9",
            "image_1": picture(1280, 720, name="kite.png"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:1000]
    generation = Generation.objects.get()
    assert isinstance(default_storage._wrapped, S3MediaStorage)

    # The picture went to the bucket, and the worker read it back from there to upload it to kie.ai.
    image = generation.images.get()
    assert f"team/{image.file.name}" in stored_keys(s3)
    worker.wait_for(lambda: Generation.objects.get(pk=generation.pk).status in {Status.SUCCEEDED, Status.FAILED})
    generation.refresh_from_db()
    assert generation.status == Status.SUCCEEDED, generation.error_message
    assert len(kie.control.requests("upload-stream")) == 1

    # The archived video and its poster are objects in the bucket, not files on disk.
    video_key, poster_key = f"team/{generation.video.name}", f"team/{generation.poster.name}"
    assert {video_key, poster_key} <= stored_keys(s3)
    whole = s3.get_object(Bucket=BUCKET, Key=video_key)["Body"].read()
    assert len(whole) == generation.video_size > 100_000

    # Played through veoui's view (access checked), a Range request fetches only that range from the bucket.
    asked: list[str] = []
    events = default_storage.connection.meta.client.meta.events
    events.register("before-parameter-build.s3.GetObject", lambda params, **kw: asked.append(params.get("Range", "")))
    response = client.get(f"/videos/{generation.uuid}/video.mp4", headers={"Range": "bytes=100000-100999"})
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 100000-100999/{len(whole)}"
    assert b"".join(response.streaming_content) == whole[100000:101000]
    assert asked == ["bytes=100000-"]
    tail = client.get(f"/videos/{generation.uuid}/video.mp4", headers={"Range": "bytes=-500"})
    assert b"".join(tail.streaming_content) == whole[-500:]
    full = client.get(f"/videos/{generation.uuid}/video.mp4")
    assert full.status_code == 200 and b"".join(full.streaming_content) == whole
    poster = client.get(f"/videos/{generation.uuid}/poster.jpg")
    assert poster.status_code == 200 and poster["Content-Type"] == "image/jpeg"

    # Deleted from storage, it is gone from the bucket and from the page.
    generation.video.delete(save=True)
    assert video_key not in stored_keys(s3)
    assert client.get(f"/videos/{generation.uuid}/video.mp4").status_code == 404


def test_it_streams_from_the_bucket_itself_even_with_media_accel_redirect_set(s3, settings) -> None:
    # nginx can't reach the bucket, and a presigned link would outlive a permission change: veoui keeps streaming.
    settings.MEDIA_ACCEL_REDIRECT = "/protected-media/"
    name = default_storage.save("videos/2026/12/clip.mp4", ContentFile(bytes(range(256)) * 16))
    response = serve_file(RequestFactory().get("/f", HTTP_RANGE="bytes=10-19"), name)
    assert response.status_code == 206 and b"".join(response.streaming_content) == bytes(range(10, 20))
    assert not response.has_header("X-Accel-Redirect")


def test_it_gives_a_second_upload_of_the_same_name_its_own_key(s3) -> None:
    first = default_storage.save("inputs/picture.png", ContentFile(b"first"))
    second = default_storage.save("inputs/picture.png", ContentFile(b"second"))
    assert first != second
    with default_storage.open(first) as handle:
        assert handle.read() == b"first"
    with default_storage.open(second) as handle:
        handle.seek(2)
        assert handle.read(3) == b"con"
    with pytest.raises(FileNotFoundError):
        default_storage.open("inputs/missing.png")


def test_it_backs_up_and_restores_media_kept_in_a_bucket(s3, s3_endpoint, transactional_db, settings, tmp_path):
    videos = {default_storage.save(f"videos/2026/11/{n}.mp4", ContentFile(bytes([n]) * 70_000)): n for n in range(3)}
    archive = tmp_path / "backup.tar.gz"
    call_command("veoui_backup", str(archive))
    with tarfile.open(archive) as tar:
        assert {f"media/{name}" for name in videos} <= set(tar.getnames())

    use_bucket(settings, s3_endpoint, "restored")
    with empty_database_like_default("restored", tmp_path) as alias:
        call_command("veoui_restore", str(archive), database=alias)
    assert {key for key in stored_keys(s3) if key.startswith("restored/")} == {f"restored/{name}" for name in videos}
    for name, number in videos.items():
        with default_storage.open(name) as handle:
            assert handle.read() == bytes([number]) * 70_000
