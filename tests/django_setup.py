"""Test-wide Django settings that differ from a served installation.

Loaded as a pytest plugin (see pyproject.toml) so it applies before any test module is imported.
"""

from pathlib import Path

import pytest
from django.conf import settings


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    # Pages rendered in-process find static files through the finders; no collectstatic manifest is needed.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    Path(settings.STATIC_ROOT).mkdir(exist_ok=True)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
