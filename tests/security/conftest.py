"""Fixtures for the security checks: a logged-in member."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client


@pytest.fixture
def member(db) -> object:
    return get_user_model().objects.create_user("maya", password="correct-horse-battery")


@pytest.fixture
def member_client(member) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(member)
    return client
