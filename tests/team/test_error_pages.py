"""veoui's own 400, 403, 404 and 500 pages: in veoui's layout and the person's language, with a way back to the
studio; a link to a video someone can't see says the video is not available; a refusal logs no traceback."""

from __future__ import annotations

import logging
import uuid

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone, translation

from tests.people import client_for, make_generation, text
from tests.projects.helpers import make_project
from veoui.projects.models import Project
from veoui.studio.models import Generation
from veoui.team.models import Membership

pytestmark = pytest.mark.django_db


def test_it_shows_a_404_in_spanish_with_veouis_header_and_a_spanish_way_back(member, member_client: Client) -> None:
    Membership.objects.filter(user=member).update(language="es")
    response = member_client.get("/no-such-page/")
    page = text(response)
    assert response.status_code == 404
    assert '<html lang="es">' in page
    assert 'class="site-header"' in page and "Galería" in page  # veoui's header, with the person's menu
    assert "Página no encontrada" in page
    assert '<a class="button button--primary" href="/">Ir al estudio</a>' in page
    assert "Not Found" not in page


def test_it_shows_a_404_to_someone_logged_out_in_their_browsers_language() -> None:
    response = Client(headers={"accept-language": "zh-hans"}).get("/no-such-page/")
    assert response.status_code == 404
    assert "找不到页面" in text(response) and "前往工作室" in text(response)


def test_it_says_a_private_video_is_not_available(maya, tom) -> None:
    video = make_generation(maya, 60, visibility=Generation.Visibility.PRIVATE)
    response = client_for(tom).get(f"/videos/{video.uuid}/")
    page = text(response)
    assert response.status_code == 404
    assert "This video is not available" in page
    assert "It was deleted, or its owner keeps it private." in page
    assert "Page not found" not in page and video.prompt not in page


def test_it_says_a_project_closed_to_the_person_or_deleted_is_not_available(maya, tom) -> None:
    closed = make_project("Secret launch", maya, visibility=Project.Visibility.MEMBERS)
    for path in (f"/projects/{closed.uuid}/", f"/projects/{closed.uuid}/edit/", f"/projects/{uuid.uuid4()}/"):
        response = client_for(tom).get(path)
        page = text(response)
        assert response.status_code == 404, path
        assert "This project is not available" in page and "only its members see it" in page, path
        assert "Secret launch" not in page and "Page not found" not in page, path


def test_it_says_a_deleted_video_is_not_available(member, member_client: Client) -> None:
    video = make_generation(member, 60)
    Generation.objects.filter(pk=video.pk).update(deleted_at=timezone.now())
    for path in (f"/videos/{video.uuid}/", f"/videos/{video.uuid}/download/"):
        response = member_client.get(path)
        assert response.status_code == 404 and "This video is not available" in text(response), path


def test_it_shows_a_403_in_veouis_layout_and_logs_no_traceback(member_client: Client, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = member_client.get("/people/")
    page = text(response)
    assert response.status_code == 403
    assert 'class="site-header"' in page and "You can't open this" in page and "Go to the studio" in page
    refusals = [record for record in caplog.records if record.getMessage() == "Forbidden (Permission denied): /people/"]
    assert len(refusals) == 1
    assert refusals[0].exc_info is None and refusals[0].exc_text is None
    assert "Traceback" not in caplog.text


def test_it_renders_the_500_page_without_a_request_or_the_database(django_assert_num_queries) -> None:
    with translation.override("es"), django_assert_num_queries(0):
        page = render_to_string("500.html")
    assert "Algo salió mal" in page and 'href="/">Ir al estudio</a>' in page
    assert 'class="site-header"' in page
    assert "language-form" not in page  # no form to post without a request


def test_it_answers_a_crash_with_veouis_500_page(member, monkeypatch) -> None:
    video = make_generation(member, 60)

    def broken(generation: Generation) -> dict:
        raise RuntimeError("a fault in the page")

    monkeypatch.setattr("veoui.studio.views.detail_context", broken)
    client = client_for(member)
    client.raise_request_exception = False
    response = client.get(f"/videos/{video.uuid}/")
    assert response.status_code == 500
    assert "Something went wrong" in text(response) and "Go to the studio" in text(response)
    assert "a fault in the page" not in text(response)


def test_it_renders_the_400_page_in_veouis_layout() -> None:
    page = render_to_string("400.html")
    assert "Something in that request was wrong" in page and "Go to the studio" in page
