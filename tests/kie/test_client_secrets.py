"""The kie.ai key goes to kie.ai in the Authorization header and nowhere else: not logs, not errors, not reprs."""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Callable, Iterator

import pytest

from tests.kie.conftest import KEY, FakeKie
from veoui.kie.client import KieClient
from veoui.kie.errors import KieError
from veoui.kie.records import ExtendRequest, GenerateRequest

REQUEST = GenerateRequest("a cat", "veo3_fast", "TEXT_2_VIDEO", "16:9", callback_url="https://h/hook/")
ECHO = f"you sent Authorization: Bearer {KEY} and api_key={KEY}"


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def test_it_never_leaks_the_key_in_logs_errors_or_reprs(
    kie_server: FakeKie, refused_port: int, unaccepting_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("urllib3", "urllib3.connectionpool", "requests", "veoui.kie"):
        caplog.set_level(logging.DEBUG, logger=name)

    api = "/api/v1/veo"
    # kie.ai (or a proxy) echoing the key back must not carry it into our errors.
    kie_server.json(f"{api}/generate", {"code": 401, "msg": ECHO}, status=401)
    kie_server.json(f"{api}/generate", {"code": 402, "msg": ECHO, "data": None})
    kie_server.json(f"{api}/generate", {"code": 429, "msg": ECHO}, status=429)
    kie_server.raw(f"{api}/generate", f"<html>{ECHO}</html>".encode(), status=502, content_type="text/html")
    kie_server.raw(f"{api}/generate", f'{{"code": 200, "msg": "{KEY}'.encode())
    kie_server.json(
        f"{api}/generate", {"code": 200, "msg": "success", "data": {"taskId": "4c9a31a5bb61db65d10f1210d78cc08a"}}
    )
    kie_server.json(f"{api}/extend", {"code": 422, "msg": "a" * 490 + KEY})  # across the 500 cut
    kie_server.json(f"{api}/record-info", {"code": 200, "msg": ECHO, "data": {"taskId": "x", "successFlag": 9}})
    kie_server.json(f"{api}/get-1080p-video", {"code": 500, "msg": ECHO})
    kie_server.json(f"{api}/get-4k-video", {"code": 422, "msg": ECHO, "data": {}})
    kie_server.raw("/api/v1/chat/credit", ("b" * 190 + KEY).encode(), status=403, content_type="text/plain")
    kie_server.json("/api/v1/common/download-url", {"code": 200, "msg": "success", "data": None})
    kie_server.raw("/api/file-stream-upload", f"<h1>403</h1>{ECHO}".encode(), status=403, content_type="text/html")
    kie_server.hang(f"{api}/get-4k-video")
    kie_server.drop(f"{api}/get-4k-video")

    errors: list[KieError] = []
    reprs: list[str] = []

    def attempt(call: Callable[[], object]) -> None:
        try:
            call()
        except KieError as error:
            errors.append(error)

    with KieClient(KEY, kie_server.base_url, kie_server.base_url, connect_timeout=0.3, read_timeout=0.3) as kie:
        reprs += [
            repr(kie),
            str(kie),
            repr(kie._session.headers),
            repr(kie._session.auth),
            repr(vars(kie)),
            repr(vars(kie._session.auth)),
        ]
        for _ in range(6):
            attempt(lambda: kie.generate(REQUEST))
        attempt(lambda: kie.extend(ExtendRequest("x", "more", "veo3_fast")))
        attempt(lambda: kie.record_info("x"))
        attempt(lambda: kie.get_1080p("x"))
        for _ in range(3):
            attempt(lambda: kie.get_4k("x"))
        attempt(kie.credit_balance)
        attempt(lambda: kie.download_url("https://tempfile.aiquickdraw.com/v/x.mp4"))
        attempt(lambda: kie.upload_stream(b"png", "a.png", "p"))
    for port in (refused_port, unaccepting_port):
        with KieClient(KEY, f"http://127.0.0.1:{port}", connect_timeout=0.3, read_timeout=0.3) as kie:
            attempt(lambda kie=kie: kie.generate(REQUEST))

    # The key did go where it belongs, so the checks below are not vacuous.
    assert {request.headers["Authorization"] for request in kie_server.seen} == {f"Bearer {KEY}"}
    assert len(errors) == 16  # every call above but the successful generate
    assert {error.outcome for error in errors} == {"not_accepted", "refused", "unknown"}

    texts = list(reprs)
    for error in errors:
        texts += ["".join(traceback.format_exception(error))]
        for link in _chain(error):
            texts += [str(link), repr(link), repr(link.args)]
        texts += [
            error.upstream_message,
            str(error.message),
            str(error.next_step),
            json.dumps(vars(error), default=str),
        ]
    for record in caplog.records:
        texts += [record.getMessage(), repr(record.args), record.exc_text or ""]
    texts.append(caplog.text)

    assert any("kie call endpoint=" in text for text in texts)
    assert any("urllib3" in record.name for record in caplog.records)  # its debug lines were captured too
    # Not even a piece of it: a message cut in the middle of the key must not keep its first half.
    pieces = {KEY[start : start + 8] for start in range(len(KEY) - 7)}
    assert [text for text in texts if any(piece in text for piece in pieces)] == []


def test_it_keeps_the_key_out_of_the_sessions_headers_dict() -> None:
    with KieClient(KEY) as kie:
        assert all(KEY not in value for value in kie._session.headers.values())
        assert KEY not in repr(kie) and "hidden" in repr(kie)


@pytest.mark.parametrize("bad_key", ["", "  ", f"{KEY}\nX-Injected: 1", f"{KEY} extra", f"{KEY}€"])
def test_it_refuses_to_start_with_an_empty_or_unusable_key(bad_key: str) -> None:
    with pytest.raises(ValueError) as caught:
        KieClient(bad_key)
    assert KEY not in str(caught.value)
