"""The client against kie.ai's real payloads (every file in tests/fixtures/kie/) and over real HTTP."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.kie.conftest import FIXTURES, KEY, FakeKie, load_fixture
from veoui.kie.client import USER_AGENT, KieClient, get_client
from veoui.kie.errors import Category, KieError, MalformedResponse, NotAccepted, Refused
from veoui.kie.records import (
    Callback,
    ExtendRequest,
    GenerateRequest,
    TaskRecord,
    Upgrade4k,
    parse_4k,
    parse_1080p,
    parse_balance,
    parse_callback,
    parse_download_url,
    parse_extend,
    parse_generate,
    parse_record_info,
    parse_upload,
)
from veoui.kie.signing import sign, verify_signature

TASK = "4c9a31a5bb61db65d10f1210d78cc08a"
TASK_4K = "2b1b13eca3e8b8bbd5a88610d29dfd51"
WIRE_VIDEO = f"https://tempfile.aiquickdraw.com/v/{TASK}_1776728273.mp4"

# One check per fixture file, keyed by its name; a test below proves the table covers the whole directory.
CHECKS: dict[str, Callable[[Any], None]] = {}


def check(name: str) -> Callable[[Callable[[Any], None]], Callable[[Any], None]]:
    def register(function: Callable[[Any], None]) -> Callable[[Any], None]:
        CHECKS[name] = function
        return function

    return register


def ms(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, tz=UTC)


@check("generate_ok.json")
def _generate_ok(body: Any) -> None:
    assert parse_generate(body) == TASK


@check("extend_ok.json")
def _extend_ok(body: Any) -> None:
    assert parse_extend(body) == "9e3a1f0c7b2d4e8f9a0b1c2d3e4f5a6b"


@check("generate_insufficient_credits.json")
def _generate_insufficient_credits(body: Any) -> None:
    with pytest.raises(Refused) as caught:
        parse_generate(body)
    assert (caught.value.code, caught.value.category, caught.value.transient) == (402, Category.OUT_OF_CREDITS, False)
    assert str(caught.value.next_step) == "Ask your admin to top up kie.ai credits"
    assert caught.value.upstream_message == "The current credits are insufficient. Please top up."


@check("generate_maintenance.json")
def _generate_maintenance(body: Any) -> None:
    with pytest.raises(NotAccepted) as caught:
        parse_generate(body)
    assert (caught.value.code, caught.value.category, caught.value.transient) == (455, Category.BUSY, True)


@check("generate_rate_limited.json")
def _generate_rate_limited(body: Any) -> None:
    with pytest.raises(NotAccepted) as caught:
        parse_generate(body)
    assert (caught.value.code, caught.value.category) == (429, Category.BUSY)
    assert str(caught.value.message) == "kie.ai is busy right now. Try again in a few minutes."


@check("generate_rejected_by_flow.json")
def _generate_rejected_by_flow(body: Any) -> None:
    with pytest.raises(Refused) as caught:
        parse_generate(body)
    assert (caught.value.code, caught.value.category) == (422, Category.CONTENT_POLICY)
    assert str(caught.value.next_step) == "Edit your prompt and try again"


@check("generate_unauthorized.json")
def _generate_unauthorized(body: Any) -> None:
    with pytest.raises(Refused) as caught:
        parse_generate(body)
    assert (caught.value.code, caught.value.category) == (401, Category.ACCESS)
    assert str(caught.value.next_step) == "Contact your admin"


@check("record_info_success_wire.json")
def _record_info_success_wire(body: Any) -> None:
    record = parse_record_info(body, expected_task_id=TASK)
    assert record == TaskRecord(
        task_id=TASK,
        status="succeeded",
        success_flag=1,
        result_urls=(WIRE_VIDEO,),
        resolution="720p",
        has_audio=(True,),
        seeds=(61668,),
        params={"aspectRatio": "16:9", "enableFallback": False, "model": "veo3_fast", "prompt": "..."},
    )
    assert record.video_url == WIRE_VIDEO and record.is_terminal and record.failure is None


@check("record_info_success_portrait.json")
def _record_info_success_portrait(body: Any) -> None:
    record = parse_record_info(body)
    assert record.status == "succeeded"
    assert record.result_urls == ("https://tempfile.aiquickdraw.com/v/bd1fc7df3b506351af0943841d15d22f_1770382104.mp4",)
    assert record.full_result_urls == ()
    assert (record.seeds, record.has_audio, record.params["aspectRatio"]) == ((18999,), (True,), "9:16")


@check("record_info_success_docs_legacy.json")
def _record_info_success_docs_legacy(body: Any) -> None:
    record = parse_record_info(body)
    assert record.status == "succeeded"
    assert record.full_result_urls == ("http://example.com/full_result.mp4",)
    assert record.video_url == "http://example.com/full_result.mp4"  # the stitched video wins
    assert (record.has_audio, record.seeds, record.error_message) == (None, (), None)
    assert record.params["waterMark"] == "KieAI"


@check("record_info_pending.json")
def _record_info_pending(body: Any) -> None:
    record = parse_record_info(body)
    assert (record.status, record.success_flag, record.is_terminal) == ("pending", 0, False)
    assert (record.result_urls, record.video_url) == ((), None)


@check("record_info_failed_high_traffic.json")
def _record_info_failed_high_traffic(body: Any) -> None:
    record = parse_record_info(body)
    assert body["msg"] == "success"  # the top-level msg says success; successFlag 3 says failed
    assert (record.status, record.success_flag, record.error_code) == ("failed", 3, 400)
    assert record.failure is not None
    assert (record.failure.category, record.failure.transient) == (Category.BUSY, True)


@check("record_info_failed_audio.json")
def _record_info_failed_audio(body: Any) -> None:
    record = parse_record_info(body)
    assert record.status == "failed" and record.failure is not None
    assert (record.failure.category, record.failure.transient) == (Category.KIE_ERROR, True)
    assert "sound" in str(record.failure.message)


@check("record_info_failed_policy_422.json")
def _record_info_failed_policy_422(body: Any) -> None:
    record = parse_record_info(body)
    assert (record.status, record.error_code, record.error_message) == ("failed", 422, "failed")
    assert record.failure is not None
    assert (record.failure.category, record.failure.transient) == (Category.CONTENT_POLICY, False)
    assert "celebrity" in str(record.failure.message)


@check("record_info_too_old.json")
def _record_info_too_old(body: Any) -> None:
    with pytest.raises(Refused) as caught:
        parse_record_info(body)
    assert (caught.value.code, caught.value.category) == (422, Category.KIE_ERROR)
    assert "14 days" in str(caught.value.message)


@check("record_info_unknown_task.json")
def _record_info_unknown_task(body: Any) -> None:
    with pytest.raises(Refused) as caught:
        parse_record_info(body)
    assert caught.value.upstream_message == "record is null."
    assert str(caught.value.message) == "kie.ai has no record of this video."


@check("get_1080p_ok.json")
def _get_1080p_ok(body: Any) -> None:
    upgrade = parse_1080p(body)
    assert upgrade.ready
    assert upgrade.result_url == "https://tempfile.aiquickdraw.com/p/42f4f8facbb040c0ade87c27cb2d5e58_1749711595.mp4"


@check("get_1080p_processing.json")
def _get_1080p_processing(body: Any) -> None:
    assert parse_1080p(body).ready is False


@check("get_4k_first_call.json")
def _get_4k_first_call(body: Any) -> None:
    assert parse_4k(body) == Upgrade4k("started", task_id=TASK_4K)


@check("get_4k_processing.json")
def _get_4k_processing(body: Any) -> None:
    assert parse_4k(body) == Upgrade4k("processing", task_id=TASK_4K)


@check("get_4k_done.json")
def _get_4k_done(body: Any) -> None:
    upgrade = parse_4k(body)
    assert body["code"] == 422  # 422 here means done
    assert upgrade.state == "done"
    assert upgrade.result_urls == (f"https://tempfile.aiquickdraw.com/v/{TASK_4K}_1750236843.mp4",)


@check("credit_ok.json")
def _credit_ok(body: Any) -> None:
    balance = parse_balance(body)
    assert isinstance(balance, Decimal) and balance == Decimal("35.95")


@check("download_url_ok.json")
def _download_url_ok(body: Any) -> None:
    assert parse_download_url(body) == (f"https://tempfile.aiquickdraw.com/d/{TASK}_1776728273.mp4?expires=1776729473")


@check("upload_ok.json")
def _upload_ok(body: Any) -> None:
    uploaded = parse_upload(body)
    assert uploaded.download_url == "https://tempfile.redpandaai.co/kieai/183531/images/user-uploads/uploaded-image.png"


@check("upload_bad_key.json")
def _upload_bad_key(body: Any) -> None:
    with pytest.raises(Refused) as caught:
        parse_upload(body)
    assert (caught.value.code, caught.value.category) == (401, Category.ACCESS)


@check("upload_missing_path.json")
def _upload_missing_path(body: Any) -> None:
    with pytest.raises(Refused) as caught:
        parse_upload(body)
    assert caught.value.code == 400
    assert caught.value.upstream_message == "Missing required parameter: uploadPath"
    assert str(caught.value.next_step) == "Contact your admin"  # veoui's bug, not the member's


@check("callback_success.json")
def _callback_success(body: Any) -> None:
    assert parse_callback(body) == Callback(TASK, 200)


@check("callback_success_string_urls.json")
def _callback_success_string_urls(body: Any) -> None:
    assert isinstance(body["data"]["info"]["resultUrls"], str)  # JSON-encoded on the wire
    assert parse_callback(body) == Callback(TASK, 200)


@check("callback_failure_policy.json")
def _callback_failure_policy(body: Any) -> None:
    assert parse_callback(body) == Callback(TASK, 400)


@check("callback_failure_internal.json")
def _callback_failure_internal(body: Any) -> None:
    assert parse_callback(body).code == 500


@check("callback_4k_camel.json")
def _callback_4k_camel(body: Any) -> None:
    assert parse_callback(body) == Callback(TASK_4K, 200)


@check("callback_4k_snake.json")
def _callback_4k_snake(body: Any) -> None:
    assert parse_callback(body) == Callback("bf3e7adb-fb6c-4257-bbcd-470787386fb0", 200)  # task_id, snake_case


@check("callback_4k_failure.json")
def _callback_4k_failure(body: Any) -> None:
    assert parse_callback(body) == Callback(TASK_4K, 500)


@check("webhook_signature.json")
def _webhook_signature(body: Any) -> None:
    timestamp = body["X-Webhook-Timestamp"]
    assert f"{body['taskId']}.{timestamp}" == body["message"]
    assert sign(body["webhookHmacKey"], body["taskId"], timestamp) == body["X-Webhook-Signature"]
    assert verify_signature(
        body["webhookHmacKey"], body["taskId"], timestamp, body["X-Webhook-Signature"], now=float(timestamp)
    )


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_it_parses_each_fixture_as_documented(name: str) -> None:
    CHECKS[name](load_fixture(name))


def test_it_has_a_check_for_every_fixture_file() -> None:
    files = {path.name for path in FIXTURES.iterdir() if path.name != "README.md"}
    assert files == set(CHECKS)


# --- requests ---------------------------------------------------------------------------------------------


def test_it_sends_only_the_contract_fields_for_text_to_video() -> None:
    request = GenerateRequest("a cat", "veo3_fast", "TEXT_2_VIDEO", "16:9")
    assert request.to_payload() == {
        "prompt": "a cat",
        "model": "veo3_fast",
        "generationType": "TEXT_2_VIDEO",
        "aspect_ratio": "16:9",
        "enableTranslation": True,
    }


def test_it_sends_images_seed_watermark_and_callback_only_when_given() -> None:
    request = GenerateRequest(
        "a cat",
        "veo3",
        "FIRST_AND_LAST_FRAMES_2_VIDEO",
        "Auto",
        image_urls=["https://x/first.png", "https://x/last.png"],
        seed=12345,
        watermark="ACME",
        enable_translation=False,
        callback_url="https://veoui.example/hooks/kie/t/",
    )
    payload = request.to_payload()
    assert payload == {
        "prompt": "a cat",
        "model": "veo3",
        "generationType": "FIRST_AND_LAST_FRAMES_2_VIDEO",
        "aspect_ratio": "Auto",
        "imageUrls": ["https://x/first.png", "https://x/last.png"],
        "seeds": 12345,
        "watermark": "ACME",
        "enableTranslation": False,
        "callBackUrl": "https://veoui.example/hooks/kie/t/",
    }
    assert request.image_urls == ("https://x/first.png", "https://x/last.png")  # immutable even from a list
    assert GenerateRequest("a", "veo3_fast", "TEXT_2_VIDEO", "16:9", watermark="").to_payload().get("watermark") is None


@pytest.mark.parametrize(("given_model", "sent"), [("veo3", "quality"), ("veo3_fast", "fast"), ("lite", "lite")])
def test_it_names_extend_models_the_way_the_extend_endpoint_wants(given_model: str, sent: str) -> None:
    request = ExtendRequest(TASK, "and then it rains", given_model)
    assert request.to_payload() == {"taskId": TASK, "prompt": "and then it rains", "model": sent}
    full = ExtendRequest(TASK, "p", given_model, seed=20000, watermark="W", callback_url="https://h/")
    assert full.to_payload() == {
        "taskId": TASK,
        "prompt": "p",
        "model": sent,
        "seeds": 20000,
        "watermark": "W",
        "callBackUrl": "https://h/",
    }


def test_it_rejects_an_unknown_extend_model() -> None:
    with pytest.raises(ValueError):
        ExtendRequest(TASK, "p", "veo2")


# --- defensive parsing ------------------------------------------------------------------------------------


def record(**data: Any) -> dict[str, Any]:
    return {"code": 200, "msg": "success", "data": {"taskId": TASK, **data}}


@pytest.mark.parametrize(
    "value",
    [
        1776728275000,
        "1776728275000",
        1776728275,
        1776728275000.0,
        "2025-06-06 10:30:00",
        "2025-06-06T10:30:00Z",
        "yesterday",
        "²",
        True,
        -5,
        10**30,
        {"t": 1},
        None,
    ],
)
def test_it_reads_a_record_whatever_its_times_look_like(value: object) -> None:
    # veoui keeps its own times; kie.ai's (epoch ms now, date strings in old docs) must never break a status check.
    parsed = parse_record_info(record(successFlag=0, createTime=value, completeTime=value))
    assert parsed.status == "pending"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (["https://a/1.mp4", "https://a/2.mp4"], ("https://a/1.mp4", "https://a/2.mp4")),
        ('["https://a/1.mp4"]', ("https://a/1.mp4",)),
        ("https://a/1.mp4", ("https://a/1.mp4",)),
        ("[not json", ()),
        (["https://a/1.mp4", None, 3, "", {"u": 1}], ("https://a/1.mp4",)),
        ({"url": "https://a/1.mp4"}, ()),
        (None, ()),
    ],
)
def test_it_accepts_url_lists_as_arrays_or_json_strings(value: object, expected: tuple[str, ...]) -> None:
    parsed = parse_record_info(record(successFlag=0, response={"resultUrls": value}))
    assert parsed.result_urls == expected


@pytest.mark.parametrize("flag", [1, "1", 1.0])
def test_it_reads_success_flag_numbers_in_any_spelling(flag: object) -> None:
    parsed = parse_record_info(record(successFlag=flag, response={"resultUrls": ["https://a/1.mp4"]}))
    assert parsed.status == "succeeded"


@pytest.mark.parametrize(
    "body",
    [
        record(),  # no successFlag
        record(successFlag=7),
        record(successFlag=True),
        record(successFlag="²"),
        record(successFlag=1, response=None),  # success with nothing to archive
        {"code": 200, "msg": "success", "data": None},
        {"code": 200, "msg": "success", "data": "oops"},
        {"msg": "success", "data": {}},
        ["not", "an", "object"],
        None,
    ],
)
def test_it_reports_an_unusable_record_as_malformed(body: object) -> None:
    with pytest.raises(MalformedResponse):
        parse_record_info(body)


def test_it_refuses_a_record_for_another_task() -> None:
    with pytest.raises(MalformedResponse):
        parse_record_info(load_fixture("record_info_success_wire.json"), expected_task_id="someone-else")


def test_it_fills_in_the_task_id_it_asked_for_when_kie_leaves_it_out() -> None:
    body = {"code": 200, "msg": "success", "data": {"successFlag": 0}}
    assert parse_record_info(body, expected_task_id=TASK).task_id == TASK


def test_it_reads_has_audio_only_when_it_is_a_list_of_booleans() -> None:
    assert parse_record_info(record(successFlag=0, response={"hasAudioList": [True, False]})).has_audio == (True, False)
    assert parse_record_info(record(successFlag=0, response={"hasAudioList": ["yes"]})).has_audio is None
    assert parse_record_info(record(successFlag=0, response={"hasAudioList": True})).has_audio is None


def test_it_takes_the_stitched_video_after_an_extend() -> None:
    parsed = parse_record_info(
        record(successFlag=1, response={"resultUrls": ["https://a/part.mp4"], "fullResultUrls": ["https://a/all.mp4"]})
    )
    assert parsed.video_url == "https://a/all.mp4"


def test_it_treats_an_unreadable_param_json_as_empty() -> None:
    assert parse_record_info(record(successFlag=0, paramJson="{broken")).params == {}
    assert parse_record_info(record(successFlag=0, paramJson="[1, 2]")).params == {}
    assert parse_record_info(record(successFlag=0, paramJson={"model": "veo3"})).params == {"model": "veo3"}


def test_it_tells_other_4k_422s_apart_from_processing_and_done() -> None:
    with pytest.raises(Refused) as caught:
        parse_4k({"code": 422, "msg": "record status is not success.", "data": None})
    assert caught.value.category == Category.YOUR_INPUT
    with pytest.raises(MalformedResponse):
        parse_4k({"code": 422, "msg": "The video has been generated successfully", "data": {"resultUrls": None}})
    done = parse_4k({"code": 422, "msg": "whatever", "data": {"resultUrls": '["https://a/4k.mp4"]'}})
    assert done.state == "done" and done.result_urls == ("https://a/4k.mp4",)


def test_it_treats_only_the_processing_400_of_1080p_as_not_ready() -> None:
    with pytest.raises(Refused):
        parse_1080p({"code": 400, "msg": "bad index", "data": None})
    with pytest.raises(Refused) as caught:
        parse_1080p(load_fixture("record_info_too_old.json"))
    assert caught.value.code == 422
    assert parse_1080p({"code": 200, "msg": "success", "data": None}).ready is False


@pytest.mark.parametrize(
    ("data", "expected"),
    [(35.95, Decimal("35.95")), (Decimal("0.10"), Decimal("0.10")), (12, 12), ("7.5", Decimal("7.5"))],
)
def test_it_keeps_the_balance_fractional(data: object, expected: Decimal) -> None:
    assert parse_balance({"code": 200, "msg": "success", "data": data}) == expected


@pytest.mark.parametrize("data", [None, True, "lots", "NaN", {"balance": 3}, [1]])
def test_it_reports_a_balance_that_is_not_a_number_as_malformed(data: object) -> None:
    with pytest.raises(MalformedResponse):
        parse_balance({"code": 200, "msg": "success", "data": data})


@pytest.mark.parametrize(
    "body", [b"\xff\xfe", b"{not json", "[]", {"code": 200, "data": {"info": {}}}, {"data": {"taskId": TASK}}]
)
def test_it_reports_an_unreadable_callback_as_malformed(body: object) -> None:
    with pytest.raises(MalformedResponse):
        parse_callback(body)  # type: ignore[arg-type]


def test_it_reads_a_callback_from_bytes_text_or_a_dict() -> None:
    raw = (FIXTURES / "callback_success.json").read_bytes()
    assert parse_callback(raw) == parse_callback(raw.decode()) == parse_callback(json.loads(raw))


PARSERS: dict[str, Callable[[Any], object]] = {
    "generate": parse_generate,
    "extend": parse_extend,
    "record_info": parse_record_info,
    "get_1080p": parse_1080p,
    "get_4k": parse_4k,
    "credit": parse_balance,
    "download_url": parse_download_url,
    "upload": parse_upload,
    "callback": parse_callback,
}


FUZZED = sorted(name for name in CHECKS if not name.startswith("webhook"))
DELETE = object()
WRONG_TYPES: tuple[object, ...] = (
    DELETE,
    None,
    "",
    "x",
    "²",
    "[",
    "{}",
    0,
    -1,
    2.5,
    10**30,
    float("nan"),
    float("inf"),
    True,
    [],
    [None],
    {},
    {"x": 1},
)


def _parser_for(name: str) -> Callable[[Any], object]:
    return next(function for prefix, function in PARSERS.items() if name.startswith(prefix))


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path into a nested dict, so a mutation can hit any of them."""
    paths = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            paths += _paths(child, (*prefix, key))
    return paths


def _replace(body: Any, path: tuple, replacement: object) -> Any:
    """``body`` with the value at ``path`` replaced (or deleted); paths that no longer exist are skipped."""
    if not path:
        return replacement
    parent = body
    for key in path[:-1]:
        parent = parent.get(key) if isinstance(parent, dict) else None
    if isinstance(parent, dict):
        if replacement is DELETE:
            parent.pop(path[-1], None)
        else:
            parent[path[-1]] = replacement
    return body


def _parses_or_raises_kie_error(parser: Callable[[Any], object], body: Any) -> None:
    with contextlib.suppress(KieError):  # a typed error is the other allowed answer
        parser(body)


@pytest.mark.parametrize("name", FUZZED)
def test_it_never_crashes_when_any_field_is_missing_or_of_the_wrong_type(name: str) -> None:
    parser = _parser_for(name)
    for path in _paths(load_fixture(name)):
        for replacement in WRONG_TYPES:
            _parses_or_raises_kie_error(parser, _replace(load_fixture(name), path, replacement))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_it_never_crashes_on_random_changes_to_real_payloads(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(FUZZED))
    body = load_fixture(name)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(body)))
        body = _replace(body, path, data.draw(JSON | st.just(DELETE)))
    _parses_or_raises_kie_error(_parser_for(name), body)


# --- over HTTP --------------------------------------------------------------------------------------------


def test_it_calls_every_generation_endpoint_as_the_contract_says(kie_client: KieClient, kie_server: FakeKie) -> None:
    kie_server.fixture("/api/v1/veo/generate", "generate_ok.json")
    kie_server.fixture("/api/v1/veo/extend", "extend_ok.json")
    kie_server.fixture("/api/v1/veo/record-info", "record_info_success_wire.json")
    kie_server.fixture("/api/v1/veo/get-1080p-video", "get_1080p_processing.json")
    kie_server.fixture("/api/v1/veo/get-4k-video", "get_4k_done.json")
    kie_server.fixture("/api/v1/chat/credit", "credit_ok.json")
    kie_server.fixture("/api/v1/common/download-url", "download_url_ok.json")

    assert kie_client.generate(GenerateRequest("a cat", "veo3_fast", "TEXT_2_VIDEO", "9:16", seed=10000)) == TASK
    assert kie_client.extend(ExtendRequest(TASK, "more", "veo3_fast")) == "9e3a1f0c7b2d4e8f9a0b1c2d3e4f5a6b"
    assert kie_client.record_info(TASK).status == "succeeded"
    assert kie_client.get_1080p(TASK).ready is False
    assert kie_client.get_4k(TASK_4K, callback_url="https://h/4k/").state == "done"
    assert kie_client.credit_balance() == Decimal("35.95")
    assert kie_client.download_url(WIRE_VIDEO).startswith("https://tempfile.aiquickdraw.com/d/")

    seen = {request.path: request for request in kie_server.seen}
    assert seen["/api/v1/veo/generate"].method == "POST"
    assert seen["/api/v1/veo/generate"].json() == {
        "prompt": "a cat",
        "model": "veo3_fast",
        "generationType": "TEXT_2_VIDEO",
        "aspect_ratio": "9:16",
        "seeds": 10000,
        "enableTranslation": True,
    }
    assert seen["/api/v1/veo/generate"].headers["Content-Type"] == "application/json"
    assert seen["/api/v1/veo/extend"].json() == {"taskId": TASK, "prompt": "more", "model": "fast"}
    assert (seen["/api/v1/veo/record-info"].method, seen["/api/v1/veo/record-info"].query) == (
        "GET",
        {"taskId": [TASK]},
    )
    assert seen["/api/v1/veo/get-1080p-video"].query == {"taskId": [TASK], "index": ["0"]}
    assert seen["/api/v1/veo/get-4k-video"].json() == {"taskId": TASK_4K, "index": 0, "callBackUrl": "https://h/4k/"}
    assert seen["/api/v1/chat/credit"].method == "GET"
    assert seen["/api/v1/common/download-url"].json() == {"url": WIRE_VIDEO}
    for request in kie_server.seen:
        assert request.headers["Authorization"] == f"Bearer {KEY}"
        assert request.headers["User-Agent"] == USER_AGENT == "veoui/0.1.0"


def test_it_uploads_a_picture_as_a_stream(kie_client: KieClient, kie_server: FakeKie) -> None:
    kie_server.fixture("/api/file-stream-upload", "upload_ok.json")
    expected = "https://tempfile.redpandaai.co/kieai/183531/images/user-uploads/uploaded-image.png"

    assert (
        kie_client.upload_stream(io.BytesIO(b"\x89PNG..."), "a.png", "veoui/inputs", "image/png").download_url
        == expected
    )

    (stream,) = kie_server.seen
    assert stream.headers["Content-Type"].startswith("multipart/form-data")
    assert b'name="uploadPath"\r\n\r\nveoui/inputs' in stream.body
    assert b'name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG...' in stream.body
    assert {request.headers["User-Agent"] for request in kie_server.seen} == {USER_AGENT}


def test_it_guesses_the_uploaded_files_type_from_its_name(kie_client: KieClient, kie_server: FakeKie) -> None:
    kie_server.fixture("/api/file-stream-upload", "upload_ok.json")
    kie_client.upload_stream(b"\xff\xd8jpeg", "photo.JPG", "veoui/inputs")
    kie_client.upload_stream(b"??", "mystery", "veoui/inputs")
    photo, mystery = kie_server.seen
    assert b'filename="photo.JPG"\r\nContent-Type: image/jpeg\r\n' in photo.body
    assert b'filename="mystery"\r\nContent-Type: application/octet-stream\r\n' in mystery.body


def test_it_uses_the_upload_host_for_uploads_and_the_api_host_for_the_rest(kie_server: FakeKie) -> None:
    kie_server.fixture("/api/file-stream-upload", "upload_ok.json")
    with KieClient(KEY, "http://127.0.0.1:9", kie_server.base_url) as kie:
        kie.upload_stream(b"png", "a.png", "p")
    assert [request.path for request in kie_server.seen] == ["/api/file-stream-upload"]


def test_it_trusts_the_body_code_over_an_http_200(kie_client: KieClient, kie_server: FakeKie) -> None:
    kie_server.fixture("/api/v1/veo/generate", "generate_insufficient_credits.json", status=200)
    with pytest.raises(Refused) as caught:
        kie_client.generate(GenerateRequest("a", "veo3_fast", "TEXT_2_VIDEO", "16:9"))
    assert (caught.value.code, caught.value.http_status) == (402, None)


def test_it_logs_one_line_per_call_without_headers(
    kie_client: KieClient, kie_server: FakeKie, caplog: pytest.LogCaptureFixture
) -> None:
    kie_server.fixture("/api/v1/veo/generate", "generate_ok.json")
    caplog.set_level("DEBUG", logger="veoui.kie")
    kie_client.generate(GenerateRequest("a", "veo3_fast", "TEXT_2_VIDEO", "16:9"))
    lines = [record.getMessage() for record in caplog.records if record.name == "veoui.kie"]
    assert len(lines) == 1
    assert lines[0].startswith("kie call endpoint=generate status=200 code=200 ms=")
    assert lines[0].endswith(f"task={TASK} outcome=ok")


def test_it_builds_the_client_from_django_settings(settings: Any) -> None:
    settings.KIE_API_KEY = KEY
    settings.KIE_API_BASE_URL = "http://127.0.0.1:8765/"
    settings.KIE_UPLOAD_BASE_URL = "http://127.0.0.1:8766"
    settings.KIE_CONNECT_TIMEOUT = 2
    settings.KIE_READ_TIMEOUT = 7.5
    with get_client() as kie:
        assert (kie.api_base_url, kie.upload_base_url) == ("http://127.0.0.1:8765", "http://127.0.0.1:8766")
        assert kie.timeout == (2.0, 7.5)
    del settings.KIE_CONNECT_TIMEOUT, settings.KIE_READ_TIMEOUT
    with get_client() as kie:
        assert kie.timeout == (5.0, 30.0)
