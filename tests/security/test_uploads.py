"""Uploaded files are never served as a page or a script: refused at the form, and served only as media."""

from __future__ import annotations

import io
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client, RequestFactory

from tests.support import picture
from veoui.studio.media import serve_file
from veoui.studio.models import Generation

HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512"><script>alert(1)</script></svg>'


def upload(content: bytes, name: str) -> io.BytesIO:
    buffer = io.BytesIO(content)
    buffer.name = name
    return buffer


def post_frames(client: Client, file: io.BytesIO):
    data = {
        "submission_token": str(uuid.uuid4()),
        "prompt": "A lighthouse in a storm",
        "model": "veo3_fast",
        "aspect_ratio": "16:9",
        "image_1": file,
    }
    return client.post("/studio/frames/", data)


@pytest.mark.parametrize(
    "content, name",
    [
        (HTML, "holiday.png"),
        (HTML, "page.html"),
        (SVG, "logo.svg"),
        (SVG, "logo.png"),
        (b"GIF89a" + HTML, "polyglot.jpg"),
    ],
)
def test_it_refuses_pages_and_svg_dressed_as_pictures(member_client: Client, content: bytes, name: str) -> None:
    response = post_frames(member_client, upload(content, name))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-error-for="images"' in page and "isn&#x27;t a picture veoui can use" in page
    assert not Generation.objects.exists()


def test_it_accepts_a_real_picture_as_the_control(member_client: Client) -> None:
    response = post_frames(member_client, picture(640, 360, name="real.png"))
    assert response.status_code == 302
    assert Generation.objects.count() == 1


@pytest.fixture
def stored(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    names = {}
    for name, content in {
        "x/page.html": HTML,
        "x/logo.svg": SVG,
        "x/script.js": b"alert(1)",
        "x/page.htm": HTML,
        "x/noext": HTML,
        "x/holiday.png": HTML,
        "x/video.mp4": b"\x00" * 64,
        "x/poster.jpg": b"\xff\xd8",
        "x/p.webp": b"RIFF",
    }.items():
        names[name] = default_storage.save(name, ContentFile(content))
    return names


@pytest.mark.parametrize(
    "name, expected",
    [
        ("x/page.html", "application/octet-stream"),
        ("x/page.htm", "application/octet-stream"),
        ("x/logo.svg", "application/octet-stream"),
        ("x/script.js", "application/octet-stream"),
        ("x/noext", "application/octet-stream"),
        ("x/holiday.png", "image/png"),
        ("x/video.mp4", "video/mp4"),
        ("x/poster.jpg", "image/jpeg"),
        ("x/p.webp", "image/webp"),
    ],
)
@pytest.mark.parametrize("ranged", [False, True])
def test_media_serves_only_whitelisted_types_with_nosniff(stored, name: str, expected: str, ranged: bool) -> None:
    headers = {"HTTP_RANGE": "bytes=0-3"} if ranged else {}
    response = serve_file(RequestFactory().get("/f", **headers), stored[name])
    assert response.status_code == (206 if ranged else 200)
    assert response["Content-Type"] == expected
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "html" not in response["Content-Type"] and "svg" not in response["Content-Type"]
    response.close()
