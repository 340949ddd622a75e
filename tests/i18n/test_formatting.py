"""Dates, credits and prices are written the way each language writes them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.test import Client

from tests.people import make_generation, make_user
from veoui.team.models import Membership, Role

pytestmark = pytest.mark.django_db

MARCH_5 = datetime(2026, 3, 5, 14, 7, tzinfo=UTC)
NBSP = "\xa0"


@pytest.fixture
def alex(db) -> object:
    return make_user("alex", "Alex", role=Role.ADMIN)


@pytest.fixture
def maya(db) -> object:
    user = make_user("maya", "Maya")
    Membership.objects.filter(user=user).update(created_at=MARCH_5)
    return user


def reading_in(user: object, language: str) -> Client:
    Membership.objects.filter(user=user).update(language=language)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("language", "added"),
    [("en", "5 March 2026"), ("es", "5 de marzo de 2026"), ("zh-hans", "2026年3月5日")],
)
def test_it_writes_dates_for_the_language(alex, maya, language: str, added: str) -> None:
    membership = Membership.objects.get(user=maya)
    page = reading_in(alex, language).get(f"/people/{membership.uuid}/").text
    assert f"<dd>{added}" in page


@pytest.mark.parametrize(
    ("language", "made", "short"),
    [
        ("en", "Maya, 5 March 2026, 14:07", "03/05/2026"),
        ("es", "Maya, 5 de marzo de 2026 a las 14:07", "05/03/2026"),
        ("zh-hans", "Maya, 2026年3月5日 14:07", "2026年3月5日"),
    ],
)
def test_it_writes_when_a_video_was_made_for_the_language(maya, language: str, made: str, short: str) -> None:
    generation = make_generation(maya, "1250.5", created_at=MARCH_5)
    client = reading_in(maya, language)
    assert made in client.get(f"/videos/{generation.uuid}/").text
    assert f"· {short}</span>" in client.get("/gallery/").text


@pytest.mark.parametrize(
    ("language", "used", "cost"),
    [
        ("en", "The team used 1,250.50 credits.", "1250.50 credits"),
        ("es", f"El equipo ha usado 1{NBSP}250,50 créditos.", "1250,50 créditos"),
        ("zh-hans", "团队已使用 1,250.50 积分。", "1250.50 积分"),
    ],
)
def test_it_writes_credits_for_the_language(alex, maya, language: str, used: str, cost: str) -> None:
    generation = make_generation(maya, "1250.5")
    client = reading_in(alex, language)
    assert used in client.get("/usage/").text
    assert f"<dd>{cost}" in client.get(f"/videos/{generation.uuid}/").text


@pytest.mark.parametrize(
    ("language", "price"),
    [("en", "60 credits · $0.30"), ("es", "60 créditos · $0,30"), ("zh-hans", "60 积分 · $0.30")],
)
def test_it_writes_prices_for_the_language(maya, language: str, price: str) -> None:
    page = reading_in(maya, language).get("/studio/text/").text
    assert price in page


@pytest.mark.parametrize(
    ("language", "month_column"),
    [("en", r"[A-Z][a-z]{2} \d{4}"), ("es", r"[a-z]{3} \d{4}"), ("zh-hans", r"\d{4}年\d{1,2}月")],
)
def test_it_names_the_months_of_the_usage_table_for_the_language(alex, language: str, month_column: str) -> None:
    page = reading_in(alex, language).get("/usage/").text
    columns = re.findall(r'<th scope="col" class="num">([^<]+)</th>', page)
    assert len(columns) == 6 and all(re.fullmatch(month_column, column) for column in columns), columns


def test_it_says_prompts_in_any_language_work(maya) -> None:
    for language, words in [
        ("en", "Any language works."),
        ("es", "Puedes escribir en cualquier idioma."),
        ("zh-hans", "任何语言都可以。"),
    ]:
        page = reading_in(maya, language).get("/studio/text/").text
        help_text = re.search(r'<p class="help" id="prompt-help">(.*?)</p>', page, re.S).group(1)
        assert words in help_text


def test_it_keeps_numbers_a_machine_reads_unlocalized(alex, maya) -> None:
    make_generation(maya, "1250.5")
    page = reading_in(alex, "es").get("/usage/").text
    assert re.search(r'<meter class="usage-bars__bar" min="0" max="1250\.5[0]*" value="1250\.5[0]*"', page)
