"""Review on a scene, through the same service and panel as on a video: comments, review state, the owner's notices;
a scene its viewer may not see (private, or showing someone else's private video) answers 404 and changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from tests.people import client_for, make_generation
from veoui.review import services
from veoui.review.models import Comment, Notice, Review
from veoui.scenes.models import Scene, Shot

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def scene(maya):
    return Scene.objects.create(owner=maya, title="Spring campaign cut")


def test_a_teammate_comments_on_a_scene_and_sets_its_state(maya, tom, scene) -> None:
    client = client_for(tom)
    path = f"/scenes/{scene.uuid}/"
    data = {"text": "Shorter intro", "at_moment": "on", "at_seconds": "1.5"}
    response = client.post(path + "comments/", data, headers=HTMX)
    assert response.status_code == 200 and "Shorter intro" in response.content.decode()
    assert list(Comment.objects.values_list("scene", "generation", "at_seconds")) == [(scene.pk, None, Decimal("1.50"))]

    response = client.post(path + "review/", {"state": "in_review", "next": "/gallery/?page=2"})
    assert response.status_code == 302 and response["Location"] == "/gallery/?page=2#review"
    assert Review.objects.get(scene=scene).state == "in_review"
    assert list(Notice.objects.order_by("pk").values_list("recipient", "kind", "scene")) == [
        (maya.pk, "comment", scene.pk),
        (maya.pk, "state", scene.pk),
    ]


def test_a_plain_post_goes_back_to_its_page_on_this_site_only(maya, tom, scene) -> None:
    client = client_for(tom)
    wrong = client.post(f"/scenes/{scene.uuid}/comments/", {"text": " ", "next": "/gallery/?page=2"})
    assert wrong.status_code == 302 and wrong["Location"] == "/gallery/?page=2"  # the mistake is said as a message
    video = make_generation(maya, 60)
    away = client.post(f"/videos/{video.uuid}/comments/", {"text": "Hi", "next": "https://evil.example.com/"})
    assert away.status_code == 302 and away["Location"] == f"/videos/{video.uuid}/#comments"
    assert Comment.objects.count() == 1


def test_a_scene_hidden_from_the_viewer_answers_404(maya, tom, scene) -> None:
    private = Scene.objects.create(owner=maya, title="Private cut", visibility="private")
    showing_private = Scene.objects.create(owner=maya, title="Uses a private video")
    Shot.objects.create(scene=showing_private, position=0, generation=make_generation(maya, 60, visibility="private"))
    client = client_for(tom)
    for hidden in (private, showing_private):
        for path, data in (("comments/", {"text": "Peek"}), ("review/", {"state": "approved"})):
            for headers in ({}, HTMX):
                response = client.post(f"/scenes/{hidden.uuid}/{path}", data, headers=headers)
                assert response.status_code == 404, (hidden.title, path)
    assert Comment.objects.count() == 0 and Review.objects.count() == 0 and Notice.objects.count() == 0


def test_the_panel_renders_for_a_scene_page(maya, tom, scene) -> None:
    services.add_comment(scene, "Nice cut", at_seconds=Decimal(4), author=tom)
    request = RequestFactory().get(f"/scenes/{scene.uuid}/")
    request.user = maya
    html = render_to_string("review/_panel.html", {"target": scene}, request=request)
    assert f'action="/scenes/{scene.uuid}/comments/"' in html and f'action="/scenes/{scene.uuid}/review/"' in html
    assert 'data-player="main video"' in html and 'data-seek="4.00"' in html and "Nice cut" in html
