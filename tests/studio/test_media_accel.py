"""MEDIA_ACCEL_REDIRECT: behind nginx, after veoui's check, a local file is handed to nginx to send; without the
setting (the embedded default) and with S3 storage veoui streams it itself, Range included."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import RequestFactory

from veoui.studio.media import serve_file

VIDEO = bytes(range(256)) * 64


@pytest.fixture
def stored(settings, tmp_path) -> str:
    settings.MEDIA_ROOT = tmp_path / "media"
    return default_storage.save("videos/2026/12/a clip.mp4", ContentFile(VIDEO))


def test_with_the_setting_nginx_is_told_where_the_file_is_and_veoui_sends_no_body(settings, stored: str) -> None:
    settings.MEDIA_ACCEL_REDIRECT = "/protected-media/"
    response = serve_file(RequestFactory().get("/f", HTTP_RANGE="bytes=0-9"), stored, download_name="veoui-1.mp4")
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == "/protected-media/videos/2026/12/a%20clip.mp4"
    assert response["Content-Type"] == "video/mp4" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'attachment; filename="veoui-1.mp4"'


def test_without_the_setting_veoui_streams_the_range_itself(settings, stored: str) -> None:
    settings.MEDIA_ACCEL_REDIRECT = ""
    response = serve_file(RequestFactory().get("/f", HTTP_RANGE="bytes=0-9"), stored)
    assert response.status_code == 206 and b"".join(response.streaming_content) == VIDEO[:10]
    assert not response.has_header("X-Accel-Redirect")
