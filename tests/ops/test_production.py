"""Production settings: `check --deploy` with the documented variables, a strict CSP on every page, upload limits."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, converters, get_resolver, reverse

from tests.people import PASSWORD, make_user
from tests.support import picture
from veoui.studio.models import Generation, InputImage, Status

ROOT = Path(__file__).resolve().parents[2]
ENV_EXAMPLE = ROOT / "veoui" / "deploy" / "veoui.env.example"


def documented_production_environment(tmp_path: Path) -> dict[str, str]:
    """The variables of veoui/deploy/veoui.env.example (what README "Running on a server" tells admins to set)."""
    environment = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            environment[name.strip()] = value.strip().replace("/var/lib/veoui", str(tmp_path))
    return environment


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # Not DJANGO_ALLOW_ASYNC_UNSAFE either, which the browser tests set in this process (check --deploy objects).
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KIE_", "DATABASE_URL", "S3_", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


def test_it_passes_check_deploy_with_the_documented_production_variables(tmp_path) -> None:
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=documented_production_environment(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout

    # The same check without them is not silent: it does look at what the variables set.
    bare = run_manage("check", "--deploy", "--fail-level", "WARNING", env={"SQLITE_PATH": str(tmp_path / "x.db")})
    assert bare.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in bare.stderr


def test_it_documents_every_production_variable_in_the_readme(tmp_path) -> None:
    readme = (ROOT / "README.md").read_text()
    first_cells = re.findall(r"^\| (`[^|]+)\|", readme, flags=re.MULTILINE)
    table = {name for cell in first_cells for name in re.findall(r"`([A-Z0-9_]+)`", cell)}
    for line in ENV_EXAMPLE.read_text().splitlines():
        name = line.lstrip("# ").partition("=")[0]
        if "=" in line and re.fullmatch(r"[A-Z0-9_]+", name):
            assert name in table, f"{name} is not in README's Configuration table"
    assert "## Running on a server" in readme


def load_settings(**env: str) -> subprocess.CompletedProcess:
    code = (
        "import veoui.settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS, getattr(s, 'SECURE_PROXY_SSL_HEADER', None) is not None, s.VEOUI_REQUEST_MAX_MB,"
        " s.STORAGES['default']['BACKEND'])"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("KIE_", "DATABASE_URL", "S3_", "HTTPS"))}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


def test_it_turns_on_https_only_settings_from_an_https_public_address() -> None:
    plain = load_settings().stdout.split()
    assert plain == ["False", "False", "False", "0", "False", "32", "django.core.files.storage.FileSystemStorage"]
    served = load_settings(PUBLIC_BASE_URL="https://video.example.com", BEHIND_PROXY="true").stdout.split()
    assert served[:5] == ["True", "True", "True", "31536000", "True"]
    assert load_settings(HTTPS="false", PUBLIC_BASE_URL="https://video.example.com").stdout.split()[:4] == (
        ["False", "False", "False", "0"]
    )
    s3 = load_settings(S3_BUCKET="media", VEOUI_UPLOAD_MAX_MB="20").stdout.split()
    assert s3[5:] == ["62", "veoui.common.storage.S3MediaStorage"]


@pytest.mark.parametrize(
    ("name", "value", "extra"),
    [
        ("HTTPS", "sometimes", {}),
        ("BEHIND_PROXY", "2", {}),
        ("SECURE_HSTS_SECONDS", "a year", {}),
        ("VEOUI_REQUEST_MAX_MB", "0", {}),
        ("S3_ENDPOINT_URL", "minio:9000", {"S3_BUCKET": "media"}),
        ("S3_ADDRESSING_STYLE", "sideways", {"S3_BUCKET": "media"}),
        ("S3_SECRET_ACCESS_KEY", "", {"S3_BUCKET": "media", "S3_ACCESS_KEY_ID": "AKIA"}),
    ],
)
def test_it_stops_on_a_bad_value_naming_the_variable(name: str, value: str, extra: dict) -> None:
    result = load_settings(**{name: value}, **extra)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr


# --- Content Security Policy -------------------------------------------------------------------------------

SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)


def named_routes(patterns=None, namespace: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace != "admin":  # Django's admin: staff only, checked below by its index alone
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                found += named_routes(entry.url_patterns, inner)
        elif entry.name:
            found.append((namespace + entry.name, entry))
    return found


def url_for(name: str, pattern: URLPattern, generation: Generation) -> str:
    kwargs = {}
    for key, converter in getattr(pattern.pattern, "converters", {}).items():
        if isinstance(converter, converters.UUIDConverter):
            kwargs[key] = generation.uuid
        elif isinstance(converter, converters.IntConverter):
            kwargs[key] = 0
        elif key == "mode_slug":
            kwargs[key] = "text"
        elif key == "token":
            kwargs[key] = generation.callback_token
        else:
            kwargs[key] = "x"
    return reverse(name, kwargs=kwargs)


def assert_strict_csp(response, url: str) -> None:
    policy = response.get("Content-Security-Policy", "")
    assert policy, f"{url} ({response.status_code}) has no Content-Security-Policy"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, url
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if " " in part.strip())
    assert directives["script-src"].split()[0] == "'self'", url
    if response.streaming or "html" not in response.get("Content-Type", ""):
        return
    # The nonce is made only when a page uses it; every script of the page must then carry it.
    nonce = re.search(r"'nonce-([^']+)'", directives["script-src"])
    html = response.content.decode()
    for tag in SCRIPT_TAG.findall(html):
        assert 'type="application/json"' in tag or (nonce and f'nonce="{nonce.group(1)}"' in tag), (url, tag)
    assert not INLINE_HANDLER.search(html), url
    assert not STYLE_ATTRIBUTE.search(html), url


@pytest.fixture
def finished_generation(db, settings, tmp_path) -> Generation:
    settings.MEDIA_ROOT = tmp_path / "media"
    member = make_user("maya")
    generation = Generation.objects.create(
        owner=member,
        mode="FIRST_AND_LAST_FRAMES_2_VIDEO",
        model="veo3_fast",
        prompt="A lighthouse",
        aspect_ratio="16:9",
        submission_token=uuid.uuid4(),
        status=Status.SUCCEEDED,
    )
    generation.video.save("v.mp4", ContentFile(b"\0" * 4096), save=False)
    generation.poster.save("v.jpg", ContentFile(picture(fmt="JPEG").getvalue()), save=False)
    generation.save()
    image = InputImage(generation=generation, position=0, role="first")
    image.file.save("first.png", ContentFile(picture().getvalue()))
    return generation


@pytest.mark.parametrize("persona", ["member", "admin"])
def test_it_sends_a_strict_csp_on_every_page(finished_generation: Generation, persona: str) -> None:
    client = Client()
    assert_strict_csp(client.get("/login/"), "/login/")
    user = finished_generation.owner
    if persona == "admin":
        user = get_user_model().objects.create_superuser("ada", password=PASSWORD)
    client.force_login(user)
    routes = named_routes()
    assert len(routes) >= 10
    for name, pattern in routes:
        url = url_for(name, pattern, finished_generation)
        assert_strict_csp(client.get(url, follow=True), url)
    if persona == "admin":
        assert_strict_csp(client.get("/admin/"), "/admin/")


def test_it_refuses_a_request_larger_than_the_limit_before_reading_it(client: Client, db, settings) -> None:
    settings.VEOUI_REQUEST_MAX_MB = 1
    member = make_user("maya")
    client.force_login(member)
    big = picture(3000, 3000, fmt="PNG", color="#123456", name="big.png")
    noise = ContentFile(os.urandom(1_200_000), name="noise.png")
    response = client.post(
        "/studio/frames/",
        {"submission_token": str(uuid.uuid4()), "prompt": "x", "model": "veo3_fast", "image_1": noise, "image_2": big},
    )
    assert response.status_code == 413
    assert "MB" in response.content.decode()
    assert not Generation.objects.exists()
