"""The client's transport: an overall deadline however slowly an answer comes, and connections pinned to a checked
address that still check the server's certificate for the name. Real sockets on 127.0.0.1."""

from __future__ import annotations

import json
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import urllib3

from tests.hostile import HostileKie, drip, hostile_kie, huge_json, nested_json
from tests.kie.conftest import KEY
from veoui.kie.client import KieClient
from veoui.kie.errors import MalformedResponse, UnknownOutcome
from veoui.kie.transport import pinned_pool

RECORD_INFO = "/api/v1/veo/record-info"


@pytest.fixture
def hostile() -> Iterator[HostileKie]:
    with hostile_kie() as server:
        yield server


def in_thread(call) -> dict:
    """Run ``call`` in a thread; what it returned or raised, or nothing if it is still running after 20 s."""
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["result"] = call()
        except Exception as error:  # noqa: BLE001 - the test looks at it
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=20)
    return outcome


@pytest.mark.parametrize("every", [2.0, 0.2], ids=["a-byte-every-2-s", "a-byte-every-0.2-s"])
def test_it_ends_a_call_at_its_deadline_however_the_answer_drips(hostile: HostileKie, every: float) -> None:
    body = json.dumps({"code": 200, "msg": "success", "data": {"taskId": "t", "successFlag": 0}}).encode()
    hostile.on(RECORD_INFO, drip(body, every=every))
    with KieClient(KEY, hostile.url, hostile.url, read_timeout=3.0, call_deadline=1.0) as kie:
        outcome = in_thread(lambda: kie.record_info("t"))
    assert isinstance(outcome.get("error"), UnknownOutcome), outcome
    assert outcome["error"].upstream_message == "no complete answer within 1 s"


def test_it_refuses_an_answer_over_a_megabyte(hostile: HostileKie) -> None:
    hostile.on(RECORD_INFO, huge_json(50 * 1024 * 1024, declare_length=False))
    with KieClient(KEY, hostile.url, hostile.url) as kie, pytest.raises(MalformedResponse) as raised:
        kie.record_info("hostile-task-1")
    assert "larger than 1024 KB" in raised.value.upstream_message
    assert hostile.sent[RECORD_INFO] < 16 * 1024 * 1024


def test_it_reads_deeply_nested_json_as_malformed(hostile: HostileKie) -> None:
    hostile.on(RECORD_INFO, nested_json(100_000))
    with KieClient(KEY, hostile.url, hostile.url) as kie, pytest.raises(MalformedResponse):
        kie.record_info("t")


def test_it_takes_the_key_out_of_every_text_of_a_result(hostile: HostileKie) -> None:
    from tests.hostile import json_answer

    data = {
        "taskId": "t",
        "successFlag": 3,
        "errorCode": 400,
        "errorMessage": f"bad request from {KEY}, Authorization: Bearer {KEY}",
        "response": {"resultUrls": [f"https://files.example/{KEY}.mp4"]},
    }
    hostile.on(RECORD_INFO, json_answer({"code": 200, "msg": "success", "data": data}))
    with KieClient(KEY, hostile.url, hostile.url) as kie:
        record = kie.record_info("t")
    assert record.error_message == "bad request from [redacted], Authorization: Bearer [redacted]"
    assert record.result_urls == ("https://files.example/[redacted].mp4",)


# --- pinned connections ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=files.test",
         "-addext", "subjectAltName=DNS:files.test", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[tuple[int, list[str]]]:
    """An HTTPS server on 127.0.0.1 with a certificate for ``files.test``; it notes the name each client asked for."""
    names: list[str] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    context.sni_callback = lambda _sock, name, _context: names.append(name)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(self.headers["Host"].encode()[:2])

        def log_message(self, format: str, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request: object, client_address: object) -> None:
            pass  # a client that refuses the certificate hangs up mid-handshake: expected here

    server = Server(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield server.server_address[1], names
    server.shutdown()
    server.server_close()


def test_a_pinned_connection_goes_to_the_checked_address_and_checks_the_name(tls_server, certificate) -> None:
    port, names = tls_server
    pool = pinned_pool("https", "files.test", "127.0.0.1", port, 2.0, 2.0, ca_certs=str(certificate[0]))
    response = pool.urlopen("GET", "/", headers={"Host": "files.test"}, retries=False)
    assert response.status == 200 and names == ["files.test"]


def test_a_pinned_connection_refuses_a_certificate_for_another_name(tls_server, certificate) -> None:
    port, _names = tls_server
    pool = pinned_pool("https", "other.test", "127.0.0.1", port, 2.0, 2.0, ca_certs=str(certificate[0]))
    with pytest.raises(urllib3.exceptions.SSLError):
        pool.urlopen("GET", "/", headers={"Host": "other.test"}, retries=False)
