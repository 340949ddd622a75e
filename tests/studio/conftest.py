"""Fixtures for the studio's tests: a logged-in member, and the personas Maya (owner) and Tom (teammate)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client


@pytest.fixture
def member(db) -> object:
    return get_user_model().objects.create_user("maya", password="correct-horse-battery")


@pytest.fixture
def member_client(client: Client, member) -> Client:
    client.force_login(member)
    return client


@pytest.fixture
def maya(db) -> object:
    from tests.team.conftest import make_user

    return make_user("maya", "Maya")


@pytest.fixture
def tom(db) -> object:
    from tests.team.conftest import make_user

    return make_user("tom", "Tom")
