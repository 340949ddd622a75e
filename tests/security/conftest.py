"""Fixtures for the security checks: Maya's client, showing error pages as a browser would see them."""

import pytest
from django.test import Client


@pytest.fixture
def member_client(member) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(member)
    return client
