import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_settings(**env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("KIE_", "DATABASE_URL"))}
    environment.update(env)
    code = "import veoui.settings as s; print(s.DEMO_MODE, s.KIE_API_BASE_URL, s.DATABASES['default']['ENGINE'])"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


def test_it_runs_in_demo_mode_against_the_simulator_without_a_key() -> None:
    result = load_settings(VEOUI_SIMULATOR_PORT="9123")
    assert result.stdout.split() == ["True", "http://127.0.0.1:9123", "django.db.backends.sqlite3"]


def test_it_talks_to_kie_when_a_key_is_set() -> None:
    result = load_settings(KIE_API_KEY="k")
    assert result.stdout.split()[:2] == ["False", "https://api.kie.ai"]


def test_it_uses_postgresql_when_database_url_is_set() -> None:
    result = load_settings(DATABASE_URL="postgres://postgres@127.0.0.1:5432/test")
    assert result.stdout.split()[2] == "django.db.backends.postgresql"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBUG", "maybe"),
        ("KIE_READ_TIMEOUT", "soon"),
        ("KIE_API_BASE_URL", "ftp://example.com"),
        ("VEOUI_SIMULATOR_PORT", "-3"),
        ("PUBLIC_BASE_URL", "example.com"),
    ],
)
def test_it_stops_on_a_bad_value_naming_the_variable(name: str, value: str) -> None:
    result = load_settings(**{name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr


def test_it_has_a_migration_for_every_model_change() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
