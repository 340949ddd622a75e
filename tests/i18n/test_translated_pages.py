"""What the worker wrote down in English (a failure, a waiting video) reads in the member's language on every page,
including the status card htmx refreshes, and the messages the server builds (errors, budgets) are translated."""

from __future__ import annotations

import uuid
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from tests.i18n import po
from tests.i18n.test_marked_templates import READ_ATTRIBUTES
from tests.people import make_generation, make_user
from veoui.kie import errors as kie_errors
from veoui.studio.models import Failure, Status
from veoui.team.models import KieBalance, Membership, Role

pytestmark = pytest.mark.django_db

CATALOGUES = Path(__file__).resolve().parents[2] / "veoui" / "locale"


@pytest.fixture
def maya(db) -> object:
    return make_user("maya", "Maya")


def reading_in(user: object, language: str) -> Client:
    Membership.objects.filter(user=user).update(language=language)
    client = Client()
    client.force_login(user)
    return client


def failed(owner: object, info: kie_errors.FailureInfo) -> object:
    generation = make_generation(owner, 60, status=Status.QUEUED)
    generation.fail(
        Failure(category=str(info.category), message=info.message, next_step=info.next_step, transient=info.transient)
    )
    return generation


@pytest.mark.parametrize(
    ("language", "message", "next_step", "status"),
    [
        ("en", "kie.ai is down for maintenance right now.", "Try again later", "Failed"),
        ("es", "kie.ai está en mantenimiento ahora mismo.", "Inténtalo de nuevo más tarde", "Falló"),
        ("zh-hans", "kie.ai 正在维护中。", "请稍后再试", "失败"),
    ],
)
def test_it_explains_a_failure_in_the_members_language(
    maya, language: str, message: str, next_step: str, status: str
) -> None:
    generation = failed(maya, kie_errors.MAINTENANCE)
    assert generation.error_message == "kie.ai is down for maintenance right now."  # stored once, in English
    client = reading_in(maya, language)
    for page in (client.get(f"/videos/{generation.uuid}/"), client.get("/studio/text/")):
        assert message in page.text and next_step in page.text
    card = client.get(f"/status/?shown={generation.uuid}:0", headers={"HX-Request": "true"}).text
    assert message in card and f">{status}</span>" in card


def test_the_status_card_htmx_refreshes_is_translated(maya) -> None:
    generation = make_generation(maya, 60, status=Status.RUNNING)
    card = reading_in(maya, "zh-hans").get(f"/status/?shown={generation.uuid}:0", headers={"HX-Request": "true"})
    assert "生成中，通常约需 1 分钟" in card.text and 'aria-label="进度"' in card.text
    card = reading_in(maya, "es").get(f"/status/?shown={generation.uuid}:0", headers={"HX-Request": "true"})
    assert "Generando, suele tardar 1 minuto" in card.text


def test_the_unconfirmed_choice_is_translated(maya) -> None:
    generation = make_generation(maya, 60, status=Status.SUBMITTING)
    from veoui.studio import tasks

    tasks.mark_unconfirmed(generation)
    page = reading_in(maya, "es").get(f"/videos/{generation.uuid}/").text
    assert (
        "kie.ai no respondió a tiempo" in page and "Reenviar (60 créditos, unos $0,30)" in page and "Descartar" in page
    )


def test_the_studios_form_errors_are_translated(maya) -> None:
    client = reading_in(maya, "es")
    response = client.post(
        "/studio/reference/",
        {"submission_token": uuid.uuid4(), "prompt": "Un faro", "model": "veo3", "aspect_ratio": "16:9"},
    )
    assert response.status_code == 200
    assert "Calidad no puede usar imágenes de referencia. Elige Rápido o Lite." in response.text
    assert "Añade al menos 1 imagen." in response.text
    empty = client.post("/studio/text/", {"submission_token": uuid.uuid4(), "prompt": " ", "model": "veo3_fast"})
    assert "Describe el video que quieres" in empty.text


def test_the_budget_refusal_names_the_month_in_the_language(maya) -> None:
    Membership.objects.filter(user=maya).update(monthly_budget=Decimal(10))
    response = reading_in(maya, "es").post(
        "/studio/text/",
        {"submission_token": uuid.uuid4(), "prompt": "Un faro", "model": "veo3_fast", "aspect_ratio": "16:9"},
    )
    assert "Este video costaría 60 créditos, pero solo quedan 10 créditos de tu presupuesto para" in response.text
    month = timezone.localtime().strftime("%m")
    spanish_months = "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
    assert spanish_months.split()[int(month) - 1] in response.text


def test_the_browser_notification_is_translated(maya) -> None:
    generation = make_generation(maya, 60, status=Status.SUCCEEDED)
    answer = reading_in(maya, "zh-hans").get(f"/status/?seen={generation.uuid}").text
    assert 'data-title="你的视频已完成"' in answer


def test_the_balance_problem_is_translated_for_admins(db) -> None:
    alex = make_user("alex", "Alex", role=Role.ADMIN)
    KieBalance.objects.update_or_create(
        pk=1, defaults={"error_message": str(kie_errors.ACCESS.message), "error_at": timezone.now()}
    )
    page = reading_in(alex, "zh-hans").get("/team/settings/").text
    assert "veoui 无法登录 kie.ai：API 密钥缺失或已失效。" in page


class ShownText(HTMLParser):
    """The text nodes and read-out attributes of a page, outside scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self.skipping += 1
        self.texts += [value.strip() for name, value in attrs if name in READ_ATTRIBUTES and value]

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping and data.strip():
            self.texts.append(" ".join(data.split()))


def english_left_on(html: str, english: set[str]) -> list[str]:
    parser = ShownText()
    parser.feed(html)
    return sorted({text for text in parser.texts if text in english})


def test_no_page_shows_english_to_someone_reading_chinese(maya) -> None:
    """Every English sentence of the catalogue that has a Chinese translation must not reach a Chinese page as is."""
    english = {
        entry.msgid
        for entry in po.parse(CATALOGUES / "zh_Hans" / "LC_MESSAGES" / "django.po")[1:]
        if entry.msgid_plural is None and "%" not in entry.msgid and entry.msgstr != entry.msgid
    }
    alex = make_user("alex", "Alex", role=Role.ADMIN)
    failed(maya, kie_errors.HIGH_TRAFFIC)
    make_generation(maya, 60, status=Status.RUNNING)
    done = make_generation(maya, 60, status=Status.SUCCEEDED)
    membership = Membership.objects.get(user=maya)
    admin = reading_in(alex, "zh-hans")
    pages = [
        "/studio/text/",
        "/studio/frames/",
        "/studio/reference/",
        "/gallery/",
        f"/videos/{done.uuid}/",
        "/people/",
        f"/people/{membership.uuid}/",
        "/usage/",
        "/team/settings/",
        "/account/password/",
    ]
    found = {path: english_left_on(admin.get(path).text, english) for path in pages}
    member = reading_in(maya, "zh-hans")
    for generation in maya.generations.all():
        found[f"/videos/{generation.uuid}/ (owner)"] = english_left_on(
            member.get(f"/videos/{generation.uuid}/").text, english
        )
    anonymous = Client(headers={"accept_language": "zh-CN"})
    for path in ("/login/", "/join/not-an-invite/"):
        found[path] = english_left_on(anonymous.get(path).text, english)
    assert not any(found.values()), {path: texts for path, texts in found.items() if texts}
    # The same page read in English shows plenty of them: the check sees what it looks for.
    assert len(english_left_on(reading_in(maya, "en").get("/studio/text/").text, english)) > 20
