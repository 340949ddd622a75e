"""A whole-suite watch for the kie.ai key: every log record and every response Django makes in the test process
(the test client's and the live server's that the browser tests use) is searched for it.

Installed by tests/conftest.py for the whole run. A test during which the key shows up fails, naming where.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.handlers.base import BaseHandler

SECRETS = ("test-kie-key-DO-NOT-LEAK-7f3a",)

LEAKS: list[str] = []
seen = {"records": 0, "responses": 0}


def _search(where: str, text: str) -> None:
    for secret in SECRETS:
        if secret in text:
            LEAKS.append(f"{where}: ...{text[max(0, text.index(secret) - 80) : text.index(secret) + 40]!r}...")


def _record_text(record: logging.LogRecord) -> str:
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a malformed record still gets its raw parts searched
        message = f"{record.msg!r} {record.args!r}"
    parts = [message]
    if record.exc_info and record.exc_info[1] is not None:
        parts.append("".join(traceback.format_exception(record.exc_info[1])))
    if record.exc_text:
        parts.append(record.exc_text)
    if record.stack_info:
        parts.append(record.stack_info)
    return "\n".join(parts)


@contextmanager
def watching() -> Iterator[None]:
    original_handle = logging.Logger.handle
    original_get_response = BaseHandler.get_response

    # Logger.handle sees every record of every logger (propagating or not) before any handler formats it.
    def handle(self: logging.Logger, record: logging.LogRecord):
        seen["records"] += 1
        _search(f"log record {record.name}:{record.levelname}", _record_text(record))
        return original_handle(self, record)

    def get_response(self: BaseHandler, request):
        response = original_get_response(self, request)
        seen["responses"] += 1
        where = f"response to {request.method} {request.path}"
        _search(f"{where} (headers)", repr(list(response.items())) + repr(response.cookies.output()))
        if not response.streaming:
            _search(f"{where} (body)", response.content.decode("utf-8", "replace"))
        return response

    logging.Logger.handle = handle
    BaseHandler.get_response = get_response
    try:
        yield
    finally:
        logging.Logger.handle = original_handle
        BaseHandler.get_response = original_get_response
