"""What the route handlers see of an HTTP request, and what they hand back."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from functools import cached_property
from pathlib import Path


class BadBody(ValueError):
    """The request body could not be read as the endpoint expects."""


@dataclass(frozen=True)
class FormField:
    value: str | None
    filename: str | None = None
    content_type: str | None = None
    data: bytes = b""


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: Message
    body: bytes = b""

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")

    def bearer(self) -> str | None:
        return bearer_token(self.headers)

    @cached_property
    def json(self) -> dict:
        try:
            value = json.loads(self.body or b"null")
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise BadBody("The request body is not valid JSON.") from error
        if not isinstance(value, dict):
            raise BadBody("The request body must be a JSON object.")
        return value

    @cached_property
    def form(self) -> dict[str, FormField]:
        """The fields of a multipart/form-data body (the standard library lost ``cgi`` in 3.13)."""
        if not self.content_type.lower().startswith("multipart/form-data"):
            raise BadBody("The request body must be multipart/form-data.")
        head = f"Content-Type: {self.content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + self.body)
        if not message.is_multipart():
            raise BadBody("The multipart body could not be parsed.")
        fields: dict[str, FormField] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not name:
                continue
            data = part.get_payload(decode=True) or b""
            filename = part.get_filename()
            if filename is None:
                fields[name] = FormField(data.decode("utf-8", "replace"))
            else:
                fields[name] = FormField(None, filename, part.get_content_type(), data)
        return fields


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    # The body code of a JSON answer, kept for the request log.
    code: int | None = None
    # A file answer streams ``file`` (bytes ``start`` to ``end`` inclusive) instead of ``body``.
    file: Path | None = None
    start: int = 0
    end: int = -1


def bearer_token(headers: Message) -> str | None:
    scheme, _, token = headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def json_response(payload: dict, status: int = 200) -> Response:
    body = json.dumps(payload, ensure_ascii=False).encode()
    code = payload.get("code") if isinstance(payload.get("code"), int) else None
    return Response(status=status, body=body, code=code)


def envelope(code: int, msg: str, data: object = None, status: int = 200) -> Response:
    """kie.ai's API answer: errors too usually arrive with HTTP 200 and the code in the body."""
    return json_response({"code": code, "msg": msg, "data": data}, status)


def html_response(status: int, title: str) -> Response:
    body = f"<html><head><title>{status} {title}</title></head><body><h1>{title}</h1></body></html>\n"
    return Response(status=status, body=body.encode(), content_type="text/html; charset=utf-8")
