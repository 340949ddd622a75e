"""Every fault the simulator can inject, against every upstream call veoui makes.

For each cell: the generation (or rendition) ends in the right state, the member sees the right words, and the
simulator received exactly the generate (or extend) requests it should have. The matrix is printed at the end.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client

from tests.conftest import TEST_KIE_API_KEY
from tests.people import make_user
from tests.reliability.conftest import MATRIX
from tests.studio.test_flow import finished, submit
from tests.support import picture
from veoui.studio import tasks
from veoui.studio.models import Rendition, Status

SUCCEEDED, FAILED, UNCONFIRMED = Status.SUCCEEDED, Status.FAILED, Status.UNCONFIRMED

FAULTS = {
    "429": {"kind": "body_code", "code": 429},
    "455": {"kind": "body_code", "code": 455},
    "500": {"kind": "body_code", "code": 500},
    "501": {"kind": "body_code", "code": 501},
    "505": {"kind": "body_code", "code": 505},
    "hang_before_body": {"kind": "hang_before"},
    "hang_after_body": {"kind": "hang_after"},
    "malformed_json": {"kind": "malformed_json"},
    "dropped": {"kind": "drop", "after_processing": True},
}
TASK_MESSAGES = {
    "flag3_policy": (3, 400, "Your prompt was flagged by Website as violating content policies."),
    "flag3_fetch": (
        3,
        400,
        "Failed to fetch the image. Kindly verify any access limits set by you or your service provider.",
    ),  # noqa: E501
    "flag3_unsafe": (3, 400, "public error unsafe image upload."),
    "flag3_english": (3, 400, "Only English prompts are supported at this time."),
    "flag3_traffic": (
        3,
        400,
        "Request temporarily unavailable due to high traffic on Google models. Please try again later.",
    ),  # noqa: E501
    "flag3_audio": (3, 400, "The Google model was unable to generate audio for this request."),
    "flag3_celebrity": (3, 422, "failed"),
    "flag2_internal": (2, 500, "Internal Error, Please try again later."),
}

# What must happen, per call: (final state, paid requests the simulator must have received).
EXPECTED = {
    "upload": {
        "429": (SUCCEEDED, 1),
        "455": (SUCCEEDED, 1),
        "500": (SUCCEEDED, 1),
        "501": (SUCCEEDED, 1),
        "505": (FAILED, 0),
        "hang_before_body": (SUCCEEDED, 1),
        "hang_after_body": (SUCCEEDED, 1),
        "malformed_json": (SUCCEEDED, 1),
        "dropped": (SUCCEEDED, 1),
    },
    "generate": {
        "429": (SUCCEEDED, 2),
        "455": (SUCCEEDED, 2),
        "500": (FAILED, 1),
        "501": (FAILED, 1),
        "505": (FAILED, 1),
        "hang_before_body": (UNCONFIRMED, 1),
        "hang_after_body": (UNCONFIRMED, 1),
        "malformed_json": (UNCONFIRMED, 1),
        "dropped": (UNCONFIRMED, 1),
    },
    "record-info": {kind: (SUCCEEDED, 1) for kind in FAULTS},
    "extend": {
        "429": (SUCCEEDED, 2),
        "455": (SUCCEEDED, 2),
        "500": (FAILED, 1),
        "501": (FAILED, 1),
        "505": (FAILED, 1),
        "hang_before_body": (UNCONFIRMED, 1),
        "hang_after_body": (UNCONFIRMED, 1),
        "malformed_json": (UNCONFIRMED, 1),
        "dropped": (UNCONFIRMED, 1),
    },
    "1080p": {
        "429": (SUCCEEDED, 0),
        "455": (SUCCEEDED, 0),
        "500": (SUCCEEDED, 0),
        "501": (SUCCEEDED, 0),
        "505": (FAILED, 0),
        "hang_before_body": (SUCCEEDED, 0),
        "hang_after_body": (SUCCEEDED, 0),
        "malformed_json": (SUCCEEDED, 0),
        "dropped": (SUCCEEDED, 0),
    },
}
# kie.ai's 500 on get-4k-video is its "4K version of this video is unavailable": final, as it says.
EXPECTED["4k"] = {**EXPECTED["1080p"], "500": (FAILED, 0)}
ENDPOINTS = {
    "upload": "upload-stream",
    "generate": "generate",
    "record-info": "record-info",
    "extend": "extend",
    "1080p": "get-1080p-video",
    "4k": "get-4k-video",
}


@pytest.fixture
def member(client: Client, worker, django_user_model, settings, monkeypatch) -> Client:
    monkeypatch.setattr(tasks, "retry_delay", lambda attempts: 0.2)
    settings.KIE_READ_TIMEOUT = 1.0
    settings.VEOUI_UPGRADE_POLL_INTERVAL = 0.3
    client.force_login(make_user("maya"))
    return client


def shown(client: Client, path: str, anchor: str) -> str:
    page = client.get(path).content.decode()
    card = page[page.index(anchor) :]
    return re.sub(r"<[^>]+>", " ", card[: card.index("</article>")])


def check_words(text: str, state: str) -> None:
    for raw in ("{", "Traceback", TEST_KIE_API_KEY, "Bearer"):
        assert raw not in text
    if state == FAILED:
        assert "could not be made" in text
    elif state == UNCONFIRMED:
        assert "Send it again" in text


def run_generation(member: Client, worker, kie, call: str, fault: dict) -> tuple[str, int, str]:
    mode, extra = ("frames", {"image_1": picture(640, 360)}) if call == "upload" else ("text", {})
    if call == "record-info":
        fault = {**fault, "times": 2}
    kie.control.add_fault(ENDPOINTS[call], **fault)
    generation = submit(member, mode, **extra)
    worker.wait_for(finished(generation), timeout=40)
    text = shown(member, f"/videos/{generation.uuid}/", f'id="generation-{generation.uuid}"')
    return generation.status, len(kie.control.requests("generate")), text


def run_rendition(member: Client, worker, kie, call: str, fault: dict | None, task: tuple | None = None):
    generation = submit(member, "text")
    worker.wait_for(finished(generation), timeout=40)
    assert generation.status == SUCCEEDED
    if fault:
        kie.control.add_fault(ENDPOINTS[call], **fault)
    if task:
        flag, code, message = task
        kie.control.add_fault("extend", "task_failure", success_flag=flag, error_code=code, error_message=message)
    fields = {"prompt": "It starts to snow", "model": "veo3_fast"} if call == "extend" else {}
    token = uuid.uuid4()
    member.post(f"/videos/{generation.uuid}/renditions/", {"kind": call, "request_token": str(token), **fields})
    rendition = Rendition.objects.get(request_token=token)

    def done() -> bool:
        rendition.refresh_from_db()
        return rendition.is_terminal or rendition.status == UNCONFIRMED

    worker.wait_for(done, timeout=40)
    text = shown(member, f"/videos/{generation.uuid}/", f'id="rendition-{rendition.uuid}"')
    return rendition.status, len(kie.control.requests("extend")), text


CELLS = [(call, kind) for call in EXPECTED for kind in FAULTS]


@pytest.mark.parametrize(("call", "kind"), CELLS, ids=[f"{c}-{k}" for c, k in CELLS])
def test_cell(member, worker, kie, call: str, kind: str) -> None:
    MATRIX[(call, kind)] = "FAIL"
    expected_state, expected_paid = EXPECTED[call][kind]
    if call in ("extend", "1080p", "4k"):
        state, paid, text = run_rendition(member, worker, kie, call, FAULTS[kind])
    else:
        state, paid, text = run_generation(member, worker, kie, call, FAULTS[kind])
    assert (state, paid) == (expected_state, expected_paid)
    check_words(text, state)
    MATRIX[(call, kind)] = f"ok {state}/{paid}"


@pytest.mark.parametrize("name", list(TASK_MESSAGES))
def test_generation_failed_later(member, worker, kie, name: str) -> None:
    MATRIX[("generate", name)] = "FAIL"
    flag, code, message = TASK_MESSAGES[name]
    kie.control.add_fault("generate", "task_failure", success_flag=flag, error_code=code, error_message=message)
    generation = submit(member, "text")
    worker.wait_for(finished(generation), timeout=40)
    assert generation.status == FAILED and len(kie.control.requests("generate")) == 1
    check_words(shown(member, f"/videos/{generation.uuid}/", f'id="generation-{generation.uuid}"'), FAILED)
    MATRIX[("generate", name)] = f"ok failed/1 {generation.error_category}"


@pytest.mark.parametrize("name", list(TASK_MESSAGES))
def test_extension_failed_later(member, worker, kie, name: str) -> None:
    MATRIX[("extend", name)] = "FAIL"
    state, paid, text = run_rendition(member, worker, kie, "extend", None, TASK_MESSAGES[name])
    assert (state, paid) == (FAILED, 1)
    check_words(text, FAILED)
    MATRIX[("extend", name)] = "ok failed/1"


@pytest.mark.parametrize("call", ["1080p", "4k"])
def test_upgrade_failed_later(member, worker, kie, call: str) -> None:
    MATRIX[(call, "upgrade_failed")] = "FAIL"
    state, paid, text = run_rendition(member, worker, kie, call, {"kind": "task_failure"})
    assert state == FAILED
    check_words(text, FAILED)
    MATRIX[(call, "upgrade_failed")] = "ok failed/0"
