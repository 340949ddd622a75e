"""Pasted picture addresses: refused when they point into a private network, and never fetched by veoui."""

from __future__ import annotations

import socket
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client

from tests.people import make_user
from veoui.studio.forms import refuse_private_address
from veoui.studio.models import Generation, Status

REFUSAL = "kie.ai can&#x27;t reach pictures on a private network"
PRIVATE = [
    "http://127.0.0.1/a.png",
    "https://127.0.0.1:8443/a.png",
    "http://localhost/a.png",
    "http://LOCALHOST/a.png",
    "http://10.1.2.3/a.png",
    "http://172.16.0.9/a.png",
    "http://192.168.1.20/a.png",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/a.png",
    "http://[fe80::1]/a.png",
    "http://[fc00::1]/a.png",
    "http://[::ffff:127.0.0.1]/a.png",
    "http://0.0.0.0/a.png",
    "http://224.0.0.1/a.png",
    "http://240.0.0.1/a.png",
    "http://100.64.0.1/a.png",  # carrier-grade NAT
    "http://[::7f00:1]/a.png",  # IPv4-compatible IPv6 forms of 127.0.0.1, 10.0.0.1 and 8.8.8.8: all deprecated
    "http://[::a00:1]/a.png",
    "http://[::808:808]/a.png",
    "http://[64:ff9b::7f00:1]/a.png",  # NAT64 of 127.0.0.1, 10.0.0.1 and 169.254.169.254
    "http://[64:ff9b::a00:1]/a.png",
    "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
    "http://[64:ff9b:1::a00:1]/a.png",  # the local-use NAT64 prefix
]


def post_frames(client: Client, url: str):
    data = {
        "submission_token": str(uuid.uuid4()),
        "prompt": "A lighthouse in a storm",
        "model": "veo3_fast",
        "aspect_ratio": "16:9",
        "image_url_1": url,
    }
    return client.post("/studio/frames/", data)


@pytest.mark.parametrize("url", PRIVATE)
def test_it_refuses_private_loopback_and_link_local_addresses(member_client: Client, settings, url: str) -> None:
    settings.KIE_API_BASE_URL = "http://127.0.0.1:8765"
    response = post_frames(member_client, url)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-error-for="images"' in page and REFUSAL in page, page[:500]
    assert not Generation.objects.exists()


@pytest.mark.parametrize("url", ["http://2130706433/a.png", "http://0x7f.1/a.png", "http://localhost./a.png"])
def test_odd_spellings_of_loopback_are_refused_too(member_client: Client, url: str) -> None:
    response = post_frames(member_client, url)
    assert response.status_code == 200 and 'data-error-for="images"' in response.content.decode()
    assert "Picture 1:" in response.content.decode()
    assert not Generation.objects.exists()


@pytest.mark.parametrize(
    "url", ["https://93.184.215.14/a.png", "https://[2606:4700::1111]/a.png", "https://[64:ff9b::5db8:d70e]/a.png"]
)
def test_it_accepts_public_addresses(member_client: Client, url: str) -> None:
    assert post_frames(member_client, url).status_code == 302
    assert Generation.objects.get().images.get().source_url == url


def test_a_name_that_does_not_resolve_here_is_left_to_kie(settings) -> None:
    assert refuse_private_address("https://pictures.invalid/a.png") == ""


def test_it_refuses_a_name_that_resolves_to_a_private_address(settings, monkeypatch) -> None:
    def resolve(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    assert "private network" in refuse_private_address("https://intranet.example.com/a.png")


def test_it_refuses_a_name_whose_lookup_takes_too_long(member_client: Client, settings, monkeypatch) -> None:
    settings.VEOUI_NAME_LOOKUP_TIMEOUT = 0.2
    release = threading.Event()

    def never_answers(host, port, *args, **kwargs):
        release.wait(30)
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", never_answers)
    try:
        response = post_frames(member_client, "https://pictures.example.com/a.png")
    finally:
        release.set()
    page = response.content.decode()
    assert response.status_code == 200 and 'data-error-for="images"' in page
    assert "veoui couldn&#x27;t check this address in time" in page
    assert not Generation.objects.exists()


def test_it_refuses_a_name_the_resolver_failed_on(settings, monkeypatch) -> None:
    def resolver_down(host, port, *args, **kwargs):
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", resolver_down)
    assert "couldn't check this address" in refuse_private_address("https://pictures.example.com/a.png")


def test_the_simulator_and_listed_hosts_are_allowed_by_setting(settings) -> None:
    settings.DEMO_MODE = True
    settings.KIE_API_BASE_URL = "http://127.0.0.1:8765"
    settings.VEOUI_ALLOWED_IMAGE_HOSTS = ["pictures.internal", "10.0.0.5:9000"]
    assert refuse_private_address("http://127.0.0.1:8765/files/a.png") == ""
    assert "private network" in refuse_private_address("http://127.0.0.1:8000/a.png")
    assert refuse_private_address("http://10.0.0.5:9000/a.png") == ""
    assert "private network" in refuse_private_address("http://10.0.0.5:9001/a.png")
    settings.DEMO_MODE = False
    assert "private network" in refuse_private_address("http://127.0.0.1:8765/files/a.png")


class Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        Recorder.hits.append(f"{self.headers.get('User-Agent')} {self.path}")
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_veoui_never_fetches_a_pasted_address_itself(settings, worker, kie, django_user_model, monkeypatch) -> None:
    """The address goes to kie.ai as it is; no process of veoui (web or worker) opens a connection to it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    settings.VEOUI_ALLOWED_IMAGE_HOSTS = [f"127.0.0.1:{port}"]
    connections: list[object] = []
    original = socket.socket.connect

    def connect(self, address):
        connections.append(address)
        return original(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    client = Client(raise_request_exception=False)
    client.force_login(make_user("maya"))
    try:
        response = post_frames(client, f"http://127.0.0.1:{port}/holiday.png")
        assert response.status_code == 302, response.content.decode()[:1000]
        generation = Generation.objects.get()
        worker.wait_for(lambda: Generation.objects.get(pk=generation.pk).status != Status.QUEUED, timeout=20)
        worker.wait_for(lambda: kie.control.requests("generate"), timeout=20)
    finally:
        server.shutdown()
        server.server_close()
    [body] = [entry["body"] for entry in kie.control.requests("generate")]
    assert body["imageUrls"] == [f"http://127.0.0.1:{port}/holiday.png"]
    assert not [a for a in connections if isinstance(a, tuple) and a[1] == port], connections
    assert not [hit for hit in Recorder.hits if "veoui" in (hit or "").lower()]
