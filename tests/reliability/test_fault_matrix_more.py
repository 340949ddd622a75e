"""The fault matrix's remaining rows: the balance check (`credit`) under every fault, and duplicate and forged
callbacks for generations and extensions. Cells go into the same printed matrix (tests/reliability/conftest.py)."""

from __future__ import annotations

import re
import time
import uuid
from decimal import Decimal

import pytest
from django.test import Client

from tests.conftest import TEST_KIE_API_KEY, TEST_WEBHOOK_HMAC_KEY
from tests.people import make_user
from tests.reliability.conftest import MATRIX
from tests.reliability.test_fault_matrix import FAULTS, check_words, shown
from tests.studio.test_flow import finished, submit
from tests.waiting import wait_for
from veoui.kie.signing import sign
from veoui.studio import tasks
from veoui.studio.models import Generation, Rendition, Status
from veoui.team import tasks as balance
from veoui.team.models import KieBalance


@pytest.mark.parametrize("kind", list(FAULTS))
def test_credit_cell(transactional_db, kie, settings, kind: str) -> None:
    """A failed balance check keeps the last known balance and notes why; nothing else changes."""
    MATRIX[("credit", kind)] = "FAIL"
    settings.KIE_READ_TIMEOUT = 1.0
    kie.control.configure(balance=1234.5)
    known = balance.refresh()
    assert known.credits == Decimal("1234.50") and not known.error_message
    kie.control.add_fault("credit", **FAULTS[kind], times=0)  # every attempt, retries included
    try:
        after = balance.refresh()
    finally:
        kie.control.clear_faults()
    assert after.credits == known.credits and after.checked_at == known.checked_at
    assert after.error_message and after.error_at
    for raw in ("{", "Traceback", TEST_KIE_API_KEY, "Bearer"):
        assert raw not in after.error_message
    assert KieBalance.objects.count() == 1
    assert not Generation.objects.exists() and not kie.control.requests("generate")
    MATRIX[("credit", kind)] = "ok balance kept/0"


@pytest.fixture
def member(client: Client, worker, django_user_model, settings, monkeypatch) -> Client:
    monkeypatch.setattr(tasks, "retry_delay", lambda attempts: 0.2)
    settings.VEOUI_UPGRADE_POLL_INTERVAL = 0.3
    client.force_login(make_user("maya"))
    return client


def extend(member: Client, worker, generation: Generation) -> Rendition:
    token = uuid.uuid4()
    fields = {"kind": "extend", "request_token": str(token), "prompt": "It starts to snow", "model": "veo3_fast"}
    member.post(f"/videos/{generation.uuid}/renditions/", fields)
    return Rendition.objects.get(request_token=token)


def settle(worker, work: Generation | Rendition, timeout: float = 40) -> None:
    def done() -> bool:
        work.refresh_from_db()
        return work.is_terminal or work.status == Status.UNCONFIRMED

    worker.wait_for(done, timeout=timeout)


@pytest.mark.parametrize("call", ["generate", "extend"])
def test_duplicate_callback_cell(live_server, member, worker, kie, settings, call: str) -> None:
    """kie.ai's real callbacks, each delivered four times over HTTP: the outcome is applied and archived once."""
    MATRIX[(call, "duplicate_callback")] = "FAIL"
    settings.PUBLIC_BASE_URL = live_server.url
    settings.KIE_WEBHOOK_HMAC_KEY = TEST_WEBHOOK_HMAC_KEY
    generation = submit(member, "text")
    if call == "extend":
        worker.wait_for(finished(generation), timeout=40)
        settings.VEOUI_POLL_INTERVAL = 60  # from here on only a callback can finish it quickly
        kie.control.configure(duplicate_callbacks=3)
        work = extend(member, worker, generation)
    else:
        settings.VEOUI_POLL_INTERVAL = 60
        kie.control.configure(duplicate_callbacks=3)
        work = generation
    settle(worker, work, timeout=30)

    def all_answered() -> list[dict] | None:  # the late copies arrive after the outcome was applied
        answered = [d for d in kie.control.callbacks() if d["final"]]
        return answered if len(answered) >= 4 else None

    deliveries = wait_for(all_answered, 30, "kie.ai done calling back, copies included")
    work.refresh_from_db()
    assert len(deliveries) >= 4 and all(d["status"] == 200 for d in deliveries), deliveries
    paid = len(kie.control.requests(call))
    assert (work.status, paid) == (Status.SUCCEEDED, 1)
    assert work.archive_attempts == 1 and work.video
    anchor = f'id="{"rendition" if call == "extend" else "generation"}-{work.uuid}"'
    check_words(shown(member, f"/videos/{generation.uuid}/", anchor), work.status)
    MATRIX[(call, "duplicate_callback")] = f"ok {work.status}/{paid} x{len(deliveries)}"


def post(client: Client, url: str, body: bytes, headers: dict):
    return client.post(url, body, content_type="application/json", headers=headers)


@pytest.mark.parametrize("call", ["generate", "extend"])
def test_forged_callback_cell(member, worker, kie, settings, call: str) -> None:
    """Forged callbacks (wrong token, wrong signature, stale) change nothing; the work finishes by checking."""
    MATRIX[(call, "forged_callback")] = "FAIL"
    settings.KIE_WEBHOOK_HMAC_KEY = TEST_WEBHOOK_HMAC_KEY
    settings.PUBLIC_BASE_URL = "https://video.example.com"
    generation = submit(member, "text")
    if call == "extend":
        worker.wait_for(finished(generation), timeout=40)
    settings.VEOUI_POLL_INTERVAL = 3
    work = extend(member, worker, generation) if call == "extend" else generation
    worker.wait_for(lambda: type(work).objects.get(pk=work.pk).kie_task_id, timeout=20)
    work.refresh_from_db()
    prefix = "/hooks/kie/r" if call == "extend" else "/hooks/kie"
    body = (
        b'{"code": 200, "msg": "success", "data": {"taskId": "%s", "info": {"resultUrls": ["https://evil/x.mp4"]}}}'
        % work.kie_task_id.encode()
    )
    stamp = str(int(time.time()))
    forged = Client(enforce_csrf_checks=True, raise_request_exception=False)
    answers = [
        post(forged, f"{prefix}/{work.uuid}/not-the-token/", body, {}).status_code,
        post(
            forged,
            f"{prefix}/{work.uuid}/{work.callback_token}/",
            body,
            {"X-Webhook-Timestamp": stamp, "X-Webhook-Signature": sign("forged-key", work.kie_task_id, stamp)},
        ).status_code,
        post(forged, f"{prefix}/{work.uuid}/{work.callback_token}/", body, {}).status_code,
        post(
            forged,
            f"{prefix}/{work.uuid}/{work.callback_token}/",
            body,
            {
                "X-Webhook-Timestamp": str(int(time.time()) - 3600),
                "X-Webhook-Signature": sign(TEST_WEBHOOK_HMAC_KEY, work.kie_task_id, str(int(time.time()) - 3600)),
            },
        ).status_code,
    ]
    assert answers == [404, 403, 403, 403], answers
    settle(worker, work)
    paid = len(kie.control.requests(call))
    assert (work.status, paid) == (Status.SUCCEEDED, 1)
    assert "evil" not in (work.video.name or "") and not re.search("evil", str(getattr(work, "result_urls", "")))
    anchor = f'id="{"rendition" if call == "extend" else "generation"}-{work.uuid}"'
    check_words(shown(member, f"/videos/{generation.uuid}/", anchor), work.status)
    MATRIX[(call, "forged_callback")] = f"ok {work.status}/{paid} 4 refused"
