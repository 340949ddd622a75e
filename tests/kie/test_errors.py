"""From kie.ai's codes, messages and network failures to typed errors a worker can act on and a member can read.

The transport tests use real sockets on 127.0.0.1: a refused port, a listen queue that never accepts, a
server that reads the request and then says nothing, or closes the connection.
"""

from __future__ import annotations

import time

import pytest
from django.utils.functional import Promise

from tests.kie.conftest import KEY, FakeKie
from veoui.kie.client import KieClient
from veoui.kie.errors import (
    Category,
    KieError,
    MalformedResponse,
    NotAccepted,
    Outcome,
    Refused,
    UnknownOutcome,
    describe_task_failure,
    error_for_code,
    scrub,
)
from veoui.kie.records import GenerateRequest

REQUEST = GenerateRequest("a cat on a skateboard", "veo3_fast", "TEXT_2_VIDEO", "16:9")
GENERATE = "/api/v1/veo/generate"


@pytest.mark.parametrize(
    ("code", "msg", "kind", "category", "transient"),
    [
        (401, "You do not have access permissions", Refused, Category.ACCESS, False),
        (402, "The current credits are insufficient. Please top up.", Refused, Category.OUT_OF_CREDITS, False),
        (400, "prompt is required", Refused, Category.YOUR_INPUT, False),
        (404, "Not Found", Refused, Category.KIE_ERROR, False),
        (
            422,
            "Your request was rejected by Flow(some reason). You may consider...",
            Refused,
            Category.CONTENT_POLICY,
            False,
        ),
        (422, "aspect ratio not supported", Refused, Category.YOUR_INPUT, False),
        (429, "Too many requests", NotAccepted, Category.BUSY, True),
        (451, "Failed to fetch the image. Kindly verify any access limits", Refused, Category.YOUR_INPUT, False),
        (455, "Service Unavailable", NotAccepted, Category.BUSY, True),
        (500, "Internal Error, Please try again later.", Refused, Category.KIE_ERROR, True),
        (501, "generation failed", Refused, Category.KIE_ERROR, True),
        (505, "feature disabled", Refused, Category.KIE_ERROR, False),
        (599, "something new", Refused, Category.UNKNOWN, False),
    ],
)
def test_it_maps_each_body_code_to_an_outcome_and_category(
    code: int, msg: str, kind: type[KieError], category: Category, transient: bool
) -> None:
    error = error_for_code("generate", code, msg)
    assert type(error) is kind
    assert (error.code, error.category, error.transient, error.upstream_message) == (code, category, transient, msg)
    assert error.outcome == {NotAccepted: Outcome.NOT_ACCEPTED, Refused: Outcome.REFUSED}[kind]
    assert isinstance(error.message, Promise) and isinstance(error.next_step, Promise)  # marked for translation
    assert str(error.message) and str(error.next_step)


@pytest.mark.parametrize(
    ("code", "message", "category", "transient", "words"),
    [
        (
            400,
            "Your prompt was flagged by Website as violating content policies.",
            Category.CONTENT_POLICY,
            False,
            "prompt",
        ),
        (
            400,
            "Failed to fetch the image. Kindly verify any access limits set by you or your service provider.",
            Category.YOUR_INPUT,
            False,
            "pictures",
        ),
        (451, "Failed to fetch the image. Kindly verify any access limits.", Category.YOUR_INPUT, False, "download"),
        (400, "public error unsafe image upload.", Category.CONTENT_POLICY, False, "pictures"),
        (400, "Only English prompts are supported at this time.", Category.YOUR_INPUT, False, "English"),
        (
            400,
            "Request temporarily unavailable due to high traffic on Google models. Please try again later.",
            Category.BUSY,
            True,
            "overloaded",
        ),
        (400, "The Google model was unable to generate audio for this request.", Category.KIE_ERROR, True, "sound"),
        (422, "failed", Category.CONTENT_POLICY, False, "real person"),
        (500, "Internal Error, Please try again later.", Category.KIE_ERROR, True, "problem"),
        (500, "Internal Error - Timeout", Category.KIE_ERROR, True, "problem"),
        (500, "Timeout", Category.KIE_ERROR, True, "problem"),
        (
            408,
            "Upstream is currently experiencing service issues. No result has been returned for over 10 minutes.",
            Category.BUSY,
            True,
            "10 minutes",
        ),
        (501, "", Category.KIE_ERROR, True, "couldn't make"),
        (
            500,
            "The 4K version of this video is unavailable. Please try a different video.",
            Category.KIE_ERROR,
            False,
            "4K",
        ),
        (None, None, Category.KIE_ERROR, True, "couldn't make"),
        (
            "400",
            "Your prompt was flagged by Website as violating content policies.",
            Category.CONTENT_POLICY,
            False,
            "",
        ),
        (777, "something nobody has seen", Category.KIE_ERROR, True, "couldn't make"),
    ],
)
def test_it_describes_every_documented_task_failure(
    code: object, message: object, category: Category, transient: bool, words: str
) -> None:
    info = describe_task_failure(code, message)
    assert (info.category, info.transient) == (category, transient)
    assert words in str(info.message)
    assert str(info.next_step)


def test_it_tells_members_what_to_do_next() -> None:
    assert (
        str(describe_task_failure(400, "Your prompt was flagged by Website.").next_step)
        == "Edit your prompt and try again"
    )
    assert str(error_for_code("generate", 402, "").next_step) == "Ask your admin to top up kie.ai credits"
    assert str(error_for_code("generate", 429, "").next_step) == "Try again later"
    assert str(error_for_code("generate", 401, "").next_step) == "Contact your admin"


def test_it_keeps_the_malformed_response_a_kind_of_unknown_outcome() -> None:
    assert issubclass(MalformedResponse, UnknownOutcome) and issubclass(UnknownOutcome, KieError)
    assert MalformedResponse.outcome == Outcome.UNKNOWN


def test_it_scrubs_key_like_text_from_upstream_messages() -> None:
    text = 'bad key sk-123 Authorization: Bearer abc.def api_key=zzz "token": "ttt" for task 4c9a31a5'
    cleaned = scrub(text, "sk-123")
    for secret in ("sk-123", "abc.def", "zzz", "ttt"):
        assert secret not in cleaned
    assert "for task 4c9a31a5" in cleaned  # task ids and ordinary words stay readable


# --- transport: what was certainly not accepted, and what is unknown --------------------------------------


def test_it_reports_a_refused_connection_as_not_accepted(refused_port: int) -> None:
    with (
        KieClient(KEY, f"http://127.0.0.1:{refused_port}", connect_timeout=1, read_timeout=1) as kie,
        pytest.raises(NotAccepted) as caught,
    ):
        kie.generate(REQUEST)
    assert (caught.value.category, caught.value.transient, caught.value.code) == (Category.KIE_ERROR, True, None)


def test_it_reports_a_connect_timeout_as_not_accepted(unaccepting_port: int) -> None:
    started = time.monotonic()
    with (
        KieClient(KEY, f"http://127.0.0.1:{unaccepting_port}", connect_timeout=0.3, read_timeout=5) as kie,
        pytest.raises(NotAccepted) as caught,
    ):
        kie.generate(REQUEST)
    assert caught.value.upstream_message == "connect timeout"
    assert time.monotonic() - started < 3  # the connect timeout, not the read timeout, ended it


def test_it_reports_a_read_timeout_after_sending_as_unknown_and_not_retryable(kie_server: FakeKie) -> None:
    kie_server.hang(GENERATE)
    started = time.monotonic()
    with (
        KieClient(KEY, kie_server.base_url, connect_timeout=1, read_timeout=0.3) as kie,
        pytest.raises(UnknownOutcome) as caught,
    ):
        kie.generate(REQUEST)
    assert time.monotonic() - started < 3
    assert [request.path for request in kie_server.seen] == [GENERATE]  # it did reach kie.ai
    assert len(kie_server.seen[0].json()["prompt"]) > 0
    assert caught.value.outcome == Outcome.UNKNOWN and not isinstance(caught.value, NotAccepted)
    assert caught.value.category == Category.UNKNOWN


def test_it_reports_a_connection_dropped_after_sending_as_unknown(kie_client: KieClient, kie_server: FakeKie) -> None:
    kie_server.drop(GENERATE)
    with pytest.raises(UnknownOutcome) as caught:
        kie_client.generate(REQUEST)
    assert kie_server.seen and caught.value.upstream_message == "connection lost after sending"
    assert len(kie_server.seen) == 1  # the transport did not quietly send it again


def test_it_reports_an_http_429_status_as_not_accepted(kie_client: KieClient, kie_server: FakeKie) -> None:
    kie_server.raw(GENERATE, b"Too Many Requests", status=429, content_type="text/plain")
    with pytest.raises(NotAccepted) as caught:
        kie_client.generate(REQUEST)
    assert (caught.value.code, caught.value.http_status, caught.value.category) == (429, 429, Category.BUSY)


def test_it_reports_an_http_429_with_a_json_body_as_not_accepted(kie_client: KieClient, kie_server: FakeKie) -> None:
    kie_server.fixture(GENERATE, "generate_rate_limited.json", status=429)
    with pytest.raises(NotAccepted) as caught:
        kie_client.generate(REQUEST)
    assert caught.value.code == 429


def test_it_reports_an_http_401_status_as_an_access_problem(kie_client: KieClient, kie_server: FakeKie) -> None:
    kie_server.fixture(GENERATE, "generate_unauthorized.json", status=401)
    kie_server.raw("/api/v1/chat/credit", b"Unauthorized", status=401, content_type="text/plain")
    for call in (lambda: kie_client.generate(REQUEST), kie_client.credit_balance):
        with pytest.raises(Refused) as caught:
            call()
        assert (caught.value.code, caught.value.category) == (401, Category.ACCESS)
        assert str(caught.value.next_step) == "Contact your admin"


def test_it_reports_the_upload_firewalls_html_403_clearly(kie_client: KieClient, kie_server: FakeKie) -> None:
    page = b"<html><head><title>403 Forbidden</title></head><body><h1>Access denied</h1></body></html>"
    kie_server.raw("/api/file-stream-upload", page, status=403, content_type="text/html")
    with pytest.raises(Refused) as caught:
        kie_client.upload_stream(b"png", "a.png", "veoui/inputs")
    error = caught.value
    assert (error.code, error.http_status, error.category) == (403, 403, Category.KIE_ERROR)
    assert "non-JSON" in error.upstream_message and "403 Forbidden" in error.upstream_message
    assert "turned veoui's request away" in str(error.message)


@pytest.mark.parametrize(("status", "kind"), [(200, MalformedResponse), (502, UnknownOutcome)])
def test_it_reports_malformed_json_as_unknown(
    kie_client: KieClient, kie_server: FakeKie, status: int, kind: type[KieError]
) -> None:
    kie_server.raw(GENERATE, b'{"code": 200, "msg": "success", "data": {"taskId": "4c9a', status=status)
    with pytest.raises(kind) as caught:
        kie_client.generate(REQUEST)
    assert caught.value.outcome == Outcome.UNKNOWN


def test_it_reports_a_success_without_a_task_id_as_unknown(kie_client: KieClient, kie_server: FakeKie) -> None:
    kie_server.json(GENERATE, {"code": 200, "msg": "success", "data": {}})
    with pytest.raises(MalformedResponse):
        kie_client.generate(REQUEST)


def test_it_reports_a_500_with_a_body_on_generate_as_refused(kie_client: KieClient, kie_server: FakeKie) -> None:
    kie_server.json(GENERATE, {"code": 500, "msg": "Internal Error, Please try again later.", "data": None}, status=500)
    with pytest.raises(Refused) as caught:
        kie_client.generate(REQUEST)
    assert (caught.value.code, caught.value.transient) == (500, True)


def test_it_reports_a_request_that_cannot_be_sent_as_not_accepted() -> None:
    with KieClient(KEY, "http://127.0.0.1:99999") as kie, pytest.raises(NotAccepted) as caught:
        kie.generate(REQUEST)  # the port is out of range: requests refuses before anything is sent
    assert (caught.value.category, caught.value.transient) == (Category.ACCESS, False)
    assert str(caught.value.next_step) == "Contact your admin"


def test_it_does_not_follow_redirects(kie_client: KieClient, kie_server: FakeKie) -> None:
    kie_server.raw(GENERATE, b"", status=302)
    with pytest.raises(Refused) as caught:
        kie_client.generate(REQUEST)
    assert caught.value.code == 302
    assert len(kie_server.seen) == 1
