"""veoui's settings plus the bench-only baseline view; only the benches point DJANGO_SETTINGS_MODULE here."""

from veoui.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
