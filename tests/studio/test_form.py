"""Every server-side rule: a violating form gets a field-level message in plain words, never a 500."""

import html
import io
import json
import os
import re
import uuid

import pytest
from django.test import Client

from tests.support import picture
from veoui.studio.models import Generation

pytestmark = pytest.mark.django_db


def post(client: Client, mode: str, **fields) -> tuple[int, str]:
    data = {
        "submission_token": str(uuid.uuid4()),
        "prompt": "A red kite over green hills",
        "model": "veo3_fast",
        "aspect_ratio": "16:9",
        "enable_translation": "on",
    }
    data.update(fields)
    data = {k: v for k, v in data.items() if v is not None}
    response = client.post(f"/studio/{mode}/", data)
    return response.status_code, response.content.decode()


def error_next_to(body: str, field: str) -> str:
    """The text of the error element that belongs to ``field`` (the one the page shows beside it)."""
    marker = f'data-error-for="{field}"'
    assert marker in body, f"no error slot for {field}"
    start = body.index(">", body.index(marker)) + 1
    return " ".join(re.sub(r"<[^>]+>", " ", body[start : body.index("</p>", start)]).split())


def test_it_renders_every_mode_with_the_labels_people_see(member_client: Client) -> None:
    for mode, has_images in (("text", False), ("frames", True), ("reference", True)):
        body = member_client.get(f"/studio/{mode}/").content.decode()
        for label in ("Prompt", "Model", "Aspect ratio", "Seed", "Watermark", "Translate prompt to English"):
            assert label in body
        assert ('<legend class="field-label">Images</legend>' in body) is has_images
        for tab in ("Text to video", "First and last frames", "Reference images"):
            assert tab in body
        assert "Estimated cost:" in body and ">Generate<" in body


def test_it_disables_quality_in_reference_mode_with_the_reason(member_client: Client) -> None:
    body = member_client.get("/studio/reference/").content.decode()
    assert 'value="veo3" disabled' in body
    assert "Quality can&#x27;t use reference images" in body or "Quality can't use reference images" in body


def test_it_offers_auto_only_where_there_is_a_picture(member_client: Client) -> None:
    assert 'value="Auto"' not in member_client.get("/studio/text/").content.decode()
    assert 'value="Auto"' in member_client.get("/studio/frames/").content.decode()
    assert 'value="Auto"' not in member_client.get("/studio/reference/").content.decode()


@pytest.mark.parametrize(
    ("mode", "fields", "field", "words"),
    [
        ("text", {"prompt": "   "}, "prompt", "Describe the video you want"),
        ("text", {"prompt": "x" * 2001}, "prompt", "under 2000 characters"),
        ("text", {"prompt": "bad\x00byte"}, "prompt", ""),
        ("text", {"seed": "123"}, "seed", "10000 to 99999"),
        ("text", {"seed": "100000"}, "seed", "10000 to 99999"),
        ("text", {"seed": "twelve"}, "seed", "10000 to 99999"),
        ("text", {"watermark": "w" * 41}, "watermark", "under 40 characters"),
        ("text", {"model": "veo9"}, "model", "Choose Quality, Fast or Lite"),
        ("reference", {"model": "veo3", "image_url_1": "https://example.com/a.png"}, "model", "reference images"),
        ("text", {"aspect_ratio": "Auto"}, "aspect_ratio", "Auto needs a picture"),
        ("text", {"aspect_ratio": "4:3"}, "aspect_ratio", ""),
        (
            "reference",
            {"aspect_ratio": "Auto", "image_url_1": "https://x.example/a.png"},
            "aspect_ratio",
            "16:9 or 9:16",
        ),
        ("frames", {}, "images", "Add at least 1 picture"),
        ("reference", {}, "images", "Add at least 1 picture"),
        ("frames", {"image_url_1": "javascript:alert(1)"}, "images", "isn&#x27;t a web address"),
        ("frames", {"image_url_1": "ftp://example.com/a.png"}, "images", "web address"),
    ],
)
def test_it_explains_each_broken_rule_next_to_its_field(member_client, mode, fields, field, words) -> None:
    status, body = post(member_client, mode, **fields)
    assert status == 200
    message = error_next_to(body, field)
    assert message.strip(), f"no message next to {field}"
    assert words.replace("'", "&#x27;") in message or words in message
    assert not Generation.objects.exists()


def bad_files() -> dict[str, io.BytesIO]:
    html = io.BytesIO(b"<!doctype html><script>alert(1)</script>")
    html.name = "holiday.png"
    svg = io.BytesIO(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    svg.name = "logo.svg"
    truncated = picture(800, 600)
    truncated = io.BytesIO(truncated.getvalue()[:400])
    truncated.name = "cut.png"
    gif = picture(640, 360, "GIF")
    # A tiny PNG whose header claims 60000×60000 pixels: refused before any pixel is decoded.
    bomb = picture(300, 300)
    raw = bytearray(bomb.getvalue())
    raw[16:24] = (60000).to_bytes(4, "big") * 2
    bomb = io.BytesIO(bytes(raw))
    bomb.name = "bomb.png"
    return {
        "html": html,
        "svg": svg,
        "truncated": truncated,
        "gif": gif,
        "bomb": bomb,
        "tiny": picture(100, 100),
        "huge": picture(5000, 300),
    }


@pytest.mark.parametrize("kind", ["html", "svg", "truncated", "gif", "bomb", "tiny", "huge"])
def test_it_refuses_a_file_that_is_not_a_usable_picture(member_client, kind) -> None:
    status, body = post(member_client, "frames", image_1=bad_files()[kind])
    assert status == 200
    message = error_next_to(body, "images")
    assert message.startswith("Picture 1:")
    assert not Generation.objects.exists()


def test_it_refuses_a_picture_over_the_size_limit(member_client, settings) -> None:
    settings.VEOUI_UPLOAD_MAX_MB = 1
    noisy = io.BytesIO()
    from PIL import Image

    Image.frombytes("RGB", (1200, 1200), os.urandom(1200 * 1200 * 3)).save(noisy, "PNG")
    noisy.seek(0)
    noisy.name = "big.png"
    assert len(noisy.getvalue()) > 1024 * 1024
    status, body = post(member_client, "frames", image_1=noisy)
    assert status == 200
    assert "larger than 1 MB" in error_next_to(body, "images")


def test_it_refuses_a_file_and_an_address_in_the_same_slot(member_client) -> None:
    status, body = post(member_client, "frames", image_1=picture(), image_url_1="https://example.com/a.png")
    assert status == 200
    assert "either a file or an address" in error_next_to(body, "images")


def test_it_asks_to_reload_when_the_token_is_missing(member_client) -> None:
    status, body = post(member_client, "text", submission_token=None)
    assert status == 200
    assert "This form has expired" in body
    assert not Generation.objects.exists()


def test_it_answers_htmx_with_the_form_in_place(member_client) -> None:
    response = member_client.post(
        "/studio/text/", {"submission_token": str(uuid.uuid4()), "prompt": ""}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#generate-form"
    assert response.content.decode().lstrip().startswith('<form id="generate-form"')


def test_it_saves_a_valid_generation_with_its_pictures_and_estimate(member_client, member) -> None:
    token = str(uuid.uuid4())
    status, _ = post(
        member_client,
        "frames",
        submission_token=token,
        image_1=picture(1280, 720),
        image_2=picture(1280, 720, "JPEG"),
        aspect_ratio="Auto",
        seed="12345",
        watermark="ACME",
    )
    assert status == 302
    generation = Generation.objects.get()
    assert generation.owner == member
    assert (generation.mode, generation.aspect_ratio, generation.seed, generation.watermark) == (
        "FIRST_AND_LAST_FRAMES_2_VIDEO",
        "Auto",
        12345,
        "ACME",
    )
    assert generation.estimated_credits == 60
    assert [(i.role, i.width) for i in generation.images.all()] == [("first", 1280), ("last", 1280)]
    assert str(generation.submission_token) == token


def test_it_names_each_refused_picture_and_marks_its_slot(member_client) -> None:
    tiny = picture(100, 100, name="icon.png")
    status, body = post(
        member_client, "reference", image_1=picture(1280, 720), image_2=tiny, image_url_3="http://10.0.0.7/holiday.png"
    )
    assert status == 200
    message = html.unescape(error_next_to(body, "images"))
    assert "Picture 2: This picture is only 100×100 pixels; use one at least 256 on each side. (icon.png)" in message
    assert "Picture 3: kie.ai can't reach pictures on a private network." in message
    assert "(http://10.0.0.7/holiday.png)" in message
    assert "Picture 1" not in message
    # The page's script drops the refused pictures and keeps the first one.
    refused = re.findall(r'name="(image(?:_url)?_\d)"[^>]*data-refused', body)
    assert refused == ["image_2", "image_url_3"]
    assert "data-returned" in body
    assert not Generation.objects.exists()


def test_it_shortens_a_long_name_in_the_message(member_client) -> None:
    long_name = "a-very-long-holiday-picture-name-" * 4 + ".png"
    _status, body = post(member_client, "frames", image_1=picture(100, 100, name=long_name))
    message = html.unescape(error_next_to(body, "images"))
    assert long_name not in message
    assert f"({long_name[:59]}…)" in message


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", {"notPicture": "isn't a picture veoui can use", "named": "%(name)s: %(error)s"}),
        ("zh-hans", {"notPicture": "不是 veoui 可用的图片", "named": "%(name)s：%(error)s"}),
        ("es", {"notPicture": "no es una imagen que veoui pueda usar", "tooFewPixels": "mide solo %(w)d×%(h)d"}),
    ],
)
def test_it_gives_the_browser_the_refusals_in_the_persons_language(member_client, language, words) -> None:
    body = member_client.get("/studio/frames/", headers={"accept-language": language}).content.decode()
    config = json.loads(re.search(r'<script id="veoui-config" type="application/json">(.*?)</script>', body).group(1))
    for key, text in words.items():
        assert text in config["labels"][key]
    assert {"tooLarge", "tooManyPixels", "tooFewPixels"} <= set(config["labels"])
    assert config["pictureSides"] == {"min": 256, "max": 4096}
