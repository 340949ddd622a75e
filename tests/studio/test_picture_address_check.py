"""A pasted picture address is checked at once, through the server with the same private-address guard: a
thumbnail, or a plain message why it can't be used (private address, not a picture, too big, unreachable)."""

from __future__ import annotations

import http.server
import io
import threading
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client
from PIL import Image

from tests.people import client_for, text


def png(width: int = 640, height: int = 360) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "#3366cc").save(buffer, "PNG")
    return buffer.getvalue()


class Pictures(http.server.BaseHTTPRequestHandler):
    routes: dict = {}

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        status, headers, body = self.routes.get(self.path, (404, {}, b"not here"))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def host(settings) -> Iterator[str]:
    """A picture host the configuration trusts (as VEOUI_ALLOWED_IMAGE_HOSTS would), on this machine."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Pictures)
    address = f"127.0.0.1:{server.server_port}"
    Pictures.routes = {
        "/ok.png": (200, {"Content-Type": "image/png"}, png()),
        "/page.html": (200, {"Content-Type": "text/html"}, b"<html>hello</html>"),
        "/tiny.png": (200, {"Content-Type": "image/png"}, png(40, 40)),
        "/big.png": (200, {"Content-Type": "image/png"}, b"\x89PNG" + b"0" * (1024 * 1024 + 10)),
        "/inside": (302, {"Location": "http://127.0.0.1:1/secret.png"}, b""),
        "/moved": (302, {"Location": "/ok.png"}, b""),
    }
    settings.VEOUI_ALLOWED_IMAGE_HOSTS = [address]
    settings.VEOUI_UPLOAD_MAX_MB = 1
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://{address}"
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def fresh_counts() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def check(client: Client, address: str) -> str:
    response = client.get("/pictures/check/", {"picture_address": address}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    return text(response)


def test_it_shows_a_thumbnail_of_a_picture(maya, host) -> None:
    answer = check(client_for(maya), f"{host}/ok.png")
    assert 'src="data:image/jpeg;base64,' in answer
    assert "640×360 pixels: it can be used" in answer


def test_it_follows_a_redirect_to_a_picture(maya, host) -> None:
    assert "data:image/jpeg;base64," in check(client_for(maya), f"{host}/moved")


@pytest.mark.parametrize("address", ["http://127.0.0.1:8000/x.png", "http://10.1.2.3/x.png", "http://[::1]/x.png"])
def test_it_refuses_a_private_address(maya, address) -> None:
    assert "kie.ai can't reach pictures on a private network" in check(client_for(maya), address)


def test_it_refuses_a_redirect_into_a_private_network(maya, host) -> None:
    answer = check(client_for(maya), f"{host}/inside")
    assert "private network" in answer and "data:image" not in answer


def test_it_says_when_it_is_not_a_picture(maya, host) -> None:
    assert "This file isn't a picture veoui can use" in check(client_for(maya), f"{host}/page.html")


def test_it_says_when_the_picture_is_too_small(maya, host) -> None:
    assert "only 40×40 pixels" in check(client_for(maya), f"{host}/tiny.png")


def test_it_says_when_the_picture_is_too_big(maya, host) -> None:
    assert "larger than 1 MB" in check(client_for(maya), f"{host}/big.png")


def test_it_says_when_the_address_cannot_be_opened(maya, host) -> None:
    assert "veoui couldn't open this address" in check(client_for(maya), f"{host}/missing.png")


def test_it_says_when_it_is_not_a_web_address(maya) -> None:
    assert "That isn't a web address" in check(client_for(maya), "ftp://example.com/x.png")


def test_an_empty_address_answers_nothing(maya) -> None:
    assert check(client_for(maya), "").strip() == ""


def test_it_needs_a_login(db) -> None:
    assert Client().get("/pictures/check/", {"picture_address": "http://10.0.0.1/x.png"}).status_code == 302


def test_it_limits_how_many_checks_a_person_makes(maya) -> None:
    client = client_for(maya)
    answers = [check(client, "http://10.0.0.1/x.png") for _ in range(21)]
    assert all("private network" in a for a in answers[:20])
    assert "Too many addresses checked in a minute" in answers[20]
