"""kie.ai's callback signature: base64(HMAC-SHA256(key, "taskId.timestamp")), fresh within five minutes."""

from __future__ import annotations

import pytest

from tests.kie.conftest import load_fixture
from veoui.kie.signing import sign, verify_signature

EXAMPLE = load_fixture("webhook_signature.json")
KEY = EXAMPLE["webhookHmacKey"]
TASK = EXAMPLE["taskId"]
STAMP = EXAMPLE["X-Webhook-Timestamp"]
SIGNATURE = EXAMPLE["X-Webhook-Signature"]
NOW = float(STAMP)


def test_it_signs_like_the_worked_example() -> None:
    assert sign(KEY, TASK, STAMP) == SIGNATURE


def test_it_accepts_the_worked_example() -> None:
    assert verify_signature(KEY, TASK, STAMP, SIGNATURE, now=NOW)


@pytest.mark.parametrize("offset", [-300, -1, 0, 1, 299, 300])
def test_it_accepts_a_timestamp_within_the_window(offset: int) -> None:
    assert verify_signature(KEY, TASK, STAMP, SIGNATURE, now=NOW + offset)


@pytest.mark.parametrize("offset", [301, 3600, -301, -86400])
def test_it_rejects_stale_and_future_timestamps(offset: int) -> None:
    # Positive offsets: the callback is old (a replay); negative: it claims to come from the future.
    assert not verify_signature(KEY, TASK, STAMP, SIGNATURE, now=NOW + offset)


def test_it_honours_a_custom_window() -> None:
    assert verify_signature(KEY, TASK, STAMP, SIGNATURE, now=NOW + 30, window_seconds=60)
    assert not verify_signature(KEY, TASK, STAMP, SIGNATURE, now=NOW + 61, window_seconds=60)


def test_it_uses_the_clock_when_no_time_is_given() -> None:
    assert not verify_signature(KEY, TASK, STAMP, SIGNATURE)  # the example is from January 2026, long stale


def test_it_rejects_a_wrong_key_task_or_timestamp() -> None:
    assert not verify_signature("another-key", TASK, STAMP, SIGNATURE, now=NOW)
    assert not verify_signature(KEY, "5c9a31a5bb61db65d10f1210d78cc08a", STAMP, SIGNATURE, now=NOW)
    assert not verify_signature(KEY, TASK, str(int(STAMP) + 1), SIGNATURE, now=NOW)


def test_it_rejects_a_tampered_signature() -> None:
    tampered = ("Z" if SIGNATURE[0] != "Z" else "Y") + SIGNATURE[1:]
    assert not verify_signature(KEY, TASK, STAMP, tampered, now=NOW)
    assert not verify_signature(KEY, TASK, STAMP, SIGNATURE[:-4], now=NOW)


@pytest.mark.parametrize(
    ("key", "task", "stamp", "signature", "now"),
    [
        (KEY, TASK, STAMP, "", NOW),
        (KEY, TASK, STAMP, "not base64 at all!", NOW),
        (KEY, TASK, STAMP, "Y8N7xzwDOjh1IgYkGmiI8sUnVieVEh6IzWYKQYGVYBo", NOW),  # padding lost
        (KEY, TASK, STAMP, "é" * 44, NOW),
        (KEY, TASK, "", SIGNATURE, NOW),
        (KEY, TASK, "abc", SIGNATURE, NOW),
        (KEY, TASK, "-1769670760", SIGNATURE, NOW),
        (KEY, TASK, "1769670760.0", SIGNATURE, NOW),
        (KEY, TASK, " 1769670760", SIGNATURE, NOW),
        (KEY, TASK, "١٧٦٩٦٧٠٧٦٠", SIGNATURE, NOW),  # Arabic-Indic digits: int() would accept them
        (KEY, TASK, "9" * 40, SIGNATURE, NOW),
        (KEY, TASK, STAMP, SIGNATURE, float("nan")),
        (KEY, "\ud800", STAMP, SIGNATURE, NOW),
        ("", TASK, STAMP, SIGNATURE, NOW),
        (None, TASK, STAMP, SIGNATURE, NOW),
        (KEY, None, STAMP, SIGNATURE, NOW),
        (KEY, TASK, 1769670760, SIGNATURE, NOW),
        (KEY, TASK, STAMP, b"Y8N7xzwDOjh1IgYkGmiI8sUnVieVEh6IzWYKQYGVYBo=", NOW),
    ],
)
def test_it_rejects_garbage_without_raising(
    key: object, task: object, stamp: object, signature: object, now: float
) -> None:
    assert verify_signature(key, task, stamp, signature, now=now) is False  # type: ignore[arg-type]
