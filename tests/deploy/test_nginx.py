"""veoui on a public address, as README "Running on a server" sets it up: Debian's nginx with the shipped
veoui/deploy/nginx.conf, over TLS, in front of gunicorn with the shipped veoui/gunicorn.conf.py and the production
settings of veoui.env.example. Clients sending slowly on purpose don't freeze it, and the login throttle counts each
person at the address nginx saw."""

from __future__ import annotations

import re
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from requests.adapters import HTTPAdapter
from urllib3.exceptions import InsecureRequestWarning

from tests.deploy import proxy
from tests.deploy.servers import collect_static, listening_address, procfile, running, server_environment
from tests.deploy.slow_clients import SlowClients
from tests.ops.test_production import documented_production_environment
from tests.people import PASSWORD
from veoui.team import throttle
from veoui.team.models import LoginAttempt

SLOW_CLIENTS = 50
HOLD_FOR = 30.0  # seconds
# Far beyond what a page takes; a page waiting behind slow clients would never answer at all.
PAGE_TIMEOUT = 20.0
PAGES = ["/studio/text/", "/gallery/", "/studio/frames/", "/studio/reference/"]


@contextmanager
def served_behind_nginx(kie, tmp_path: Path) -> Iterator[tuple[proxy.Nginx, Path]]:
    production = documented_production_environment(tmp_path)
    environment = server_environment(
        kie,
        tmp_path / "media",
        **{
            name: production[name]
            for name in ("SECRET_KEY", "PUBLIC_BASE_URL", "ALLOWED_HOSTS", "BEHIND_PROXY", "MEDIA_ACCEL_REDIRECT")
        },
        STATIC_ROOT=str(tmp_path / "static"),
        HOST="127.0.0.1",
        PORT="0",
        WEB_CONCURRENCY="2",
        WEB_THREADS="2",
    )
    collect_static(environment)
    web_log = tmp_path / "web.log"
    (tmp_path / "nginx").mkdir()
    with running(procfile()["web"], environment, web_log):
        upstream = listening_address(web_log).removeprefix("http://")
        with proxy.running_nginx(tmp_path / "nginx", upstream, tmp_path / "static") as nginx:
            nginx.upstream = upstream
            yield nginx, web_log


class FromAddress(HTTPAdapter):
    """Connections from another loopback address (127.0.0.2...), as from another person's machine."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: object, **kwargs: object) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def browser(address: str = "127.0.0.1") -> requests.Session:
    """A browser naming the site as members do (the certificate is self-signed, so it isn't checked)."""
    session = requests.Session()
    session.trust_env = False  # else REQUESTS_CA_BUNDLE, if set, wins over verify=False
    session.verify = False
    session.headers["Host"] = proxy.HOST_NAME
    session.mount("https://", FromAddress(address))
    return session


def log_in(session: requests.Session, nginx: proxy.Nginx, username: str, password: str, **headers: str):
    page = session.get(f"{nginx.url}/login/", timeout=PAGE_TIMEOUT)
    assert page.status_code == 200, page.text[:500]
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    # Over HTTPS Django wants the page the form came from, as a browser always says.
    headers = {"Referer": f"https://{proxy.HOST_NAME}/login/", **headers}
    credentials = {"username": username, "password": password, "csrfmiddlewaretoken": csrf}
    return session.post(f"{nginx.url}/login/", data=credentials, headers=headers, timeout=PAGE_TIMEOUT)


def make_person(username: str, **fields: object) -> None:
    # gunicorn checks passwords with Django's default hasher (the suite's own is MD5, for speed).
    hashed = PBKDF2PasswordHasher().encode(PASSWORD, "veouisalt1234567", iterations=1000)
    get_user_model().objects.create(username=username, password=hashed, **fields)


def browse(member: requests.Session, nginx: proxy.Nginx, seconds: float) -> list[tuple[str, int]]:
    """The member opens the pages one after another for ``seconds``: each page and the status it answered with."""
    answered: list[tuple[str, int]] = []
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        for page in PAGES:
            try:
                answered.append((page, member.get(f"{nginx.url}{page}", timeout=PAGE_TIMEOUT).status_code))
            except requests.Timeout:
                raise AssertionError(f"{page} didn't answer within {PAGE_TIMEOUT} s, after {answered}") from None
    return answered


def test_it_is_accepted_by_debians_nginx(tmp_path: Path) -> None:
    nginx = proxy.configure(tmp_path, "127.0.0.1:8000", tmp_path)
    tested = proxy.check(nginx)
    assert tested.returncode == 0, tested.stderr
    assert "test is successful" in tested.stderr


def test_it_answers_every_page_a_member_asks_for_while_50_slow_clients_hold_on(
    transactional_db, kie, tmp_path: Path
) -> None:
    make_person("maya", first_name="Maya")
    warnings.simplefilter("ignore", InsecureRequestWarning)
    with served_behind_nginx(kie, tmp_path) as (nginx, web_log):
        member = browser()
        assert log_in(member, nginx, "maya", PASSWORD).url.endswith("/studio/text/")
        with SlowClients("127.0.0.1", nginx.https_port, SLOW_CLIENTS, tls=True, server_name=proxy.HOST_NAME) as slow:
            answered = browse(member, nginx, HOLD_FOR)
            opened, closed = slow.opened, slow.closed_by_server
        print(f"{len(answered)} pages answered; {opened} slow connections opened, {closed} closed by nginx")
    assert {status for _, status in answered} == {200}, answered
    assert len(answered) >= 2 * len(PAGES)
    assert opened >= SLOW_CLIENTS
    # nginx never passed on a slow request: gunicorn saw only the member's (the slow ones all post to the studio).
    assert "POST /studio/text/" not in web_log.read_text()


def test_it_counts_wrong_passwords_at_the_address_nginx_saw_not_a_forged_one(
    transactional_db, kie, tmp_path: Path
) -> None:
    make_person("alex", first_name="Alex", is_staff=True)
    stranger, admin = "127.0.0.2", "127.0.0.3"
    warnings.simplefilter("ignore", InsecureRequestWarning)
    with served_behind_nginx(kie, tmp_path) as (nginx, _):
        for number in range(1, throttle.MAX_PER_ACCOUNT_AND_ADDRESS + 1):
            forged = {"X-Forwarded-For": f"{admin}, 10.0.0.{number}"}
            wrong = log_in(browser(stranger), nginx, "alex", "guess", **forged)
            assert wrong.status_code == 200 and "/login/" in wrong.url
            assert list(LoginAttempt.objects.values_list("username", "ip")) == [("alex", stranger)] * number
        refused = log_in(browser(stranger), nginx, "alex", PASSWORD, **{"X-Forwarded-For": admin})
        assert refused.status_code == 429
        assert LoginAttempt.objects.count() == throttle.MAX_PER_ACCOUNT_AND_ADDRESS
        # The admin, from their own machine, is not locked out by the stranger.
        assert log_in(browser(admin), nginx, "alex", PASSWORD).url.endswith("/studio/text/")
        assert set(LoginAttempt.objects.values_list("ip", flat=True)) == {stranger}


def test_nginx_sends_a_members_video_after_veouis_check_and_nobody_elses(
    transactional_db, kie, tmp_path: Path, settings
) -> None:
    from django.core.files.base import ContentFile

    from tests.people import make_generation

    make_person("maya", first_name="Maya")
    make_person("sam", first_name="Sam")
    maya = get_user_model().objects.get(username="maya")
    generation = make_generation(maya, 80, visibility="private")
    video = bytes(range(256)) * 4096  # 1 MiB
    settings.MEDIA_ROOT = tmp_path / "media"  # where gunicorn and nginx find it
    generation.video.save("clip.mp4", ContentFile(video), save=True)
    warnings.simplefilter("ignore", InsecureRequestWarning)
    with served_behind_nginx(kie, tmp_path) as (nginx, web_log):
        address = f"/videos/{generation.uuid}/video.mp4"
        member = browser()
        assert log_in(member, nginx, "maya", PASSWORD).url.endswith("/studio/text/")
        part = member.get(f"{nginx.url}{address}", headers={"Range": "bytes=100-199"}, timeout=PAGE_TIMEOUT)
        assert part.status_code == 206 and part.content == video[100:200]
        assert part.headers["Content-Type"] == "video/mp4" and part.headers["X-Content-Type-Options"] == "nosniff"
        assert "X-Accel-Redirect" not in part.headers
        download = member.get(f"{nginx.url}/videos/{generation.uuid}/download/", timeout=PAGE_TIMEOUT)
        assert download.status_code == 200 and download.content == video
        assert download.headers["Content-Disposition"] == f'attachment; filename="veoui-{generation.uuid.hex[:8]}.mp4"'

        # What gunicorn itself answered: where to find the file, and no body.
        cookie = "; ".join(f"{name}={value}" for name, value in member.cookies.items())
        headers = {"Host": proxy.HOST_NAME, "X-Forwarded-Proto": "https", "Cookie": cookie}
        direct = requests.get(f"http://{nginx.upstream}{address}", headers=headers, timeout=PAGE_TIMEOUT)
        assert direct.status_code == 200 and direct.content == b""
        assert direct.headers["X-Accel-Redirect"].startswith("/protected-media/videos/")

        outsider = browser()
        assert log_in(outsider, nginx, "sam", PASSWORD).url.endswith("/studio/text/")
        refused = outsider.get(f"{nginx.url}{address}", headers={"Range": "bytes=0-99"}, timeout=PAGE_TIMEOUT)
        assert refused.status_code == 404 and video[:100] not in refused.content
        logged_out = browser().get(f"{nginx.url}{address}", allow_redirects=False, timeout=PAGE_TIMEOUT)
        assert logged_out.status_code == 302 and video[:100] not in logged_out.content
        internal = browser().get(f"{nginx.url}{direct.headers['X-Accel-Redirect']}", timeout=PAGE_TIMEOUT)
        assert internal.status_code == 404 and video[:100] not in internal.content
