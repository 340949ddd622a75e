"""The language switcher: each person's choice is kept on them, on every device; before login, in a cookie."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from tests.people import PASSWORD, make_user
from veoui.studio import tasks
from veoui.studio.models import Generation, Status
from veoui.team.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def maya(db) -> object:
    return make_user("maya", "Maya")


def logged_in(user: object, **headers: str) -> Client:
    client = Client(headers=headers)
    client.force_login(user)
    return client


def switch(client: Client, language: str, next_url: str = "/gallery/") -> object:
    return client.post("/account/language/", {"language": language, "next": next_url})


def test_it_remembers_the_choice_on_the_person_in_every_new_session(maya) -> None:
    response = switch(logged_in(maya), "es")
    assert response.status_code == 302 and response["Location"] == "/gallery/"
    assert Membership.objects.get(user=maya).language == "es"

    elsewhere = logged_in(maya)  # another browser: no cookie, a new session
    page = elsewhere.get("/gallery/")
    assert page["Content-Language"] == "es"
    assert "<h1>Galería</h1>" in page.text and '<html lang="es">' in page.text
    studio = elsewhere.get("/studio/text/")
    assert "Generar</button>" in studio.text and "Texto a video" in studio.text


def test_a_choice_made_on_one_device_reaches_a_session_already_open_on_another(maya) -> None:
    phone, laptop = logged_in(maya), logged_in(maya)
    assert laptop.get("/gallery/")["Content-Language"] == "en"
    switch(phone, "zh-hans")
    assert laptop.get("/gallery/")["Content-Language"] == "zh-hans"  # at its very next request, no new login


def test_the_login_page_keeps_the_persons_language_after_logging_out(maya) -> None:
    Membership.objects.filter(user=maya).update(language="es")
    client = logged_in(maya)
    page = client.get("/gallery/")
    assert page.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert settings.LANGUAGE_COOKIE_NAME not in client.get("/gallery/").cookies  # set once, not on every page
    client.post("/logout/")
    assert "Inicia sesión en veoui" in client.get("/login/").text


def test_it_switches_back_and_forth(maya) -> None:
    client = logged_in(maya)
    switch(client, "zh-hans")
    assert "<h1>作品库</h1>" in client.get("/gallery/").text
    switch(client, "en")
    assert "<h1>Gallery</h1>" in client.get("/gallery/").text
    assert Membership.objects.get(user=maya).language == "en"


def test_the_persons_choice_beats_the_browser_and_the_cookie(maya) -> None:
    Membership.objects.filter(user=maya).update(language="es")
    client = logged_in(maya, accept_language="zh-CN,zh;q=0.9")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "<h1>Galería</h1>" in client.get("/gallery/").text


def test_without_a_choice_the_browser_decides(maya) -> None:
    assert "<h1>作品库</h1>" in logged_in(maya, accept_language="zh-CN,zh;q=0.9").get("/gallery/").text
    assert "<h1>Galería</h1>" in logged_in(maya, accept_language="es-MX,es;q=0.9").get("/gallery/").text
    assert "<h1>Gallery</h1>" in logged_in(maya, accept_language="fr-FR,fr;q=0.9").get("/gallery/").text


def test_it_works_before_login_with_a_cookie(maya) -> None:
    client = Client()
    response = switch(client, "zh-hans", "/login/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME]["max-age"] == settings.LANGUAGE_COOKIE_AGE
    page = client.get("/login/")
    assert "登录 veoui" in page.text and '<option value="zh-hans" lang="zh-hans" selected>' in page.text
    # Logging in keeps the language, and the login form is explained in it.
    wrong = client.post("/login/", {"username": "maya", "password": "wrong"})
    assert "用户名和密码不匹配" in wrong.text
    client.post("/login/", {"username": "maya", "password": PASSWORD})
    assert "<h1>作品库</h1>" in client.get("/gallery/").text


def test_it_shows_the_switcher_with_each_language_in_itself(maya) -> None:
    page = logged_in(maya).get("/gallery/").text
    assert '<label for="language-select">Language</label>' in page
    for code, name in [("en", "English"), ("zh-hans", "简体中文"), ("es", "Español")]:
        assert f'<option value="{code}" lang="{code}"' in page and f">{name}</option>" in page
    assert 'action="/account/language/"' in page and 'name="csrfmiddlewaretoken"' in page


def test_it_ignores_a_language_veoui_does_not_have(maya) -> None:
    Membership.objects.filter(user=maya).update(language="es")
    response = switch(logged_in(maya), "fr")
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"  # the saved choice, unchanged
    assert Membership.objects.get(user=maya).language == "es"


def test_it_needs_the_forms_csrf_token(maya) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(maya)
    assert switch(client, "es").status_code == 403
    assert Membership.objects.get(user=maya).language == ""


def test_it_only_goes_back_to_veoui_itself(maya) -> None:
    assert switch(logged_in(maya), "es", "https://elsewhere.example/phish")["Location"] == "/"
    assert switch(logged_in(maya), "es", "")["Location"] == "/"


def test_it_offers_the_page_without_its_query_and_not_after_a_post(maya) -> None:
    client = logged_in(maya)
    assert '<input type="hidden" name="next" value="/gallery/">' in client.get("/gallery/?q=secret").text
    invalid = client.post("/account/password/", {"current": "wrong"})
    assert '<input type="hidden" name="next" value="">' in invalid.text


def test_it_only_takes_a_post(maya) -> None:
    assert logged_in(maya).get("/account/language/?language=es").status_code == 405
    assert Membership.objects.get(user=maya).language == ""


def test_someone_with_a_temporary_password_can_switch_first(maya) -> None:
    Membership.objects.filter(user=maya).update(must_change_password=True)
    client = logged_in(maya)
    response = switch(client, "es", "/account/password/")
    assert response["Location"] == "/account/password/"
    assert "Elige una contraseña nueva" in client.get("/account/password/").text


def test_it_emails_the_owner_in_their_language(maya, settings) -> None:
    settings.VEOUI_EMAIL_OWNERS = True
    maya.email = "maya@example.com"
    maya.save()
    Membership.objects.filter(user=maya).update(language="zh-hans")
    generation = Generation.objects.create(
        owner=maya,
        mode="TEXT_2_VIDEO",
        model="veo3_fast",
        prompt="A lighthouse in a storm",
        aspect_ratio="16:9",
        submission_token=uuid.uuid4(),
        status=Status.SUCCEEDED,
        estimated_credits=Decimal(60),
    )
    tasks.email_owner_if_finished(generation.pk)
    [message] = mail.outbox
    assert message.subject == "你的视频已完成"
    assert "“A lighthouse in a storm”已完成" in message.body
