""" "Try this" in the picture modes brings sample pictures too, served by veoui, so Generate then succeeds."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from django.test import Client
from PIL import Image

from tests.people import client_for, text
from veoui.studio.models import Generation, Status
from veoui.team.models import Membership

PICTURE_MODES = {"frames": "/samples/sunrise.png", "reference": "/samples/mug.png"}


def test_it_serves_the_sample_pictures_to_members(maya) -> None:
    client = client_for(maya)
    for address in PICTURE_MODES.values():
        response = client.get(address)
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        with Image.open(io.BytesIO(response.content)) as picture:
            assert min(picture.size) >= 300
    assert client.get("/samples/nothing.png").status_code == 404


def test_the_sample_pictures_need_a_login(db) -> None:
    assert Client().get("/samples/mug.png").status_code == 302


@pytest.mark.parametrize("slug", list(PICTURE_MODES))
def test_try_this_without_javascript_fills_in_the_sample_picture(maya, slug) -> None:
    page = text(client_for(maya).get(f"/studio/{slug}/?try=1"))
    assert re.search(rf'name="image_url_1"[^>]*value="{re.escape(PICTURE_MODES[slug])}"', page)
    assert f'data-try-pictures="http://testserver{PICTURE_MODES[slug]}"' in page


def test_text_mode_brings_no_pictures(maya) -> None:
    page = text(client_for(maya).get("/studio/text/?try=1"))
    assert 'data-try-pictures=""' in page


@pytest.mark.parametrize("slug", list(PICTURE_MODES))
def test_generate_after_try_this_makes_the_video(slug, worker, kie, client) -> None:
    from tests.people import make_user

    maya = make_user("maya")
    Membership.objects.update_or_create(user=maya, defaults={"monthly_budget": 1000})
    client.force_login(maya)
    data = {
        "submission_token": str(uuid.uuid4()),
        "prompt": "The scene slowly comes to life.",
        "model": "veo3_fast",
        "aspect_ratio": "16:9",
        "count": "1",
        "visibility": "team",
        "image_url_1": f"http://testserver{PICTURE_MODES[slug]}",
    }
    response = client.post(f"/studio/{slug}/", data)
    assert response.status_code == 302, text(response)[:3000]
    generation = Generation.objects.get(uuid=response["Location"].rstrip("/").split("/")[-1])
    [image] = generation.images.all()
    assert image.file and not image.source_url  # veoui's own picture, uploaded to kie.ai by the worker
    worker.wait_for(lambda: Generation.objects.get(pk=generation.pk).status in (Status.SUCCEEDED, Status.FAILED))
    generation.refresh_from_db()
    assert generation.status == Status.SUCCEEDED, generation.error_message
    [body] = [entry["body"] for entry in kie.control.requests("generate")]
    assert len(body["imageUrls"]) == 1
