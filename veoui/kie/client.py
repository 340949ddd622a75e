"""The one way veoui talks to kie.ai: every endpoint of kie-api.md, over one ``requests.Session``.

The key, the User-Agent and the timeout are set here and nowhere else; callers cannot override the timeout.
Every failure becomes a ``KieError`` whose ``outcome`` says whether the request may be sent again (see
``errors``). The transport itself never retries: a retried POST to a paid API without an idempotency key
could bill twice, so that decision belongs to the caller, who knows the outcome.

``requests``' read timeout bounds each wait for data, not the whole answer, so every call also has an overall
deadline (``transport.Deadline``) and its answer a size cap: kie.ai's answers are a few hundred bytes, and an
answer that trickles in byte by byte or weighs megabytes is not one veoui waits for or keeps in memory.

The key never leaves this module except in the Authorization header: it is not in the session's headers
dict (it is added by an auth hook whose repr hides it), not in log lines, and scrubbed from every error.
"""

from __future__ import annotations

import dataclasses
import logging
import mimetypes
import time
from collections.abc import Callable
from decimal import Decimal
from typing import IO, Any, TypeVar
from urllib.parse import urlsplit

import requests
import urllib3.exceptions
from requests.auth import AuthBase

import veoui
from veoui.kie import records
from veoui.kie.errors import (
    BLOCKED,
    MISCONFIGURED,
    NO_ANSWER,
    REDACTED,
    UNREACHABLE,
    KieError,
    NotAccepted,
    Refused,
    UnknownOutcome,
    error_for_code,
    malformed,
    scrub,
)
from veoui.kie.records import (
    ExtendRequest,
    GenerateRequest,
    TaskRecord,
    Upgrade4k,
    Upgrade1080p,
    UploadedFile,
)
from veoui.kie.transport import Deadline, DeadlinePassed, WatchedAdapter

logger = logging.getLogger("veoui.kie")

DEFAULT_API_BASE_URL = "https://api.kie.ai"
DEFAULT_UPLOAD_BASE_URL = "https://kieai.redpandaai.co"
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_READ_TIMEOUT = 30.0
DEFAULT_CALL_DEADLINE = 60.0
# Uploads carry pictures of up to 10 MB, so they may take this many times as long as a call.
UPLOAD_DEADLINE_FACTOR = 5
MAX_ANSWER_BYTES = 1024 * 1024
CHUNK = 64 * 1024
USER_AGENT = f"veoui/{veoui.__version__}"

T = TypeVar("T")


class _Secret:
    """Holds the key so that printing the object holding it (``vars(client)``, a debugger) shows nothing."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "[hidden]"

    __str__ = __repr__


class _BearerAuth(AuthBase):
    """Adds the key per request, so it is in no headers dict that could be printed, and beats ~/.netrc."""

    def __init__(self, key: _Secret) -> None:
        self._key = key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._key.reveal()}"
        return request

    def __repr__(self) -> str:
        return "<BearerAuth [hidden]>"


def _base_url(name: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{name} must be an http(s) URL")
    return value.rstrip("/")


_NOT_SENDABLE = (
    requests.exceptions.InvalidURL,
    requests.exceptions.InvalidSchema,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidHeader,
    requests.exceptions.InvalidJSONError,
)


def _never_sent(exc: requests.ConnectionError) -> bool:
    """Whether the connection failed before a byte of the request went out (refused, DNS, connect timeout)."""
    reason: object = exc.args[0] if exc.args else None
    if isinstance(reason, urllib3.exceptions.MaxRetryError):
        reason = reason.reason
    if isinstance(reason, urllib3.exceptions.ProxyError):
        reason = reason.original_error
    # NewConnectionError and NameResolutionError are ConnectTimeoutError subclasses in urllib3 2.
    return isinstance(reason, urllib3.exceptions.ConnectTimeoutError)


class KieClient:
    def __init__(
        self,
        api_key: str,
        api_base_url: str = DEFAULT_API_BASE_URL,
        upload_base_url: str = DEFAULT_UPLOAD_BASE_URL,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        call_deadline: float = DEFAULT_CALL_DEADLINE,
    ) -> None:
        if not isinstance(api_key, str) or not api_key.strip():
            raise ValueError("api_key is empty")
        key = api_key.strip()
        if not (key.isascii() and key.isprintable()) or any(char.isspace() for char in key):
            # Caught here, not as an invalid header at the first call, whose message would quote the key.
            raise ValueError("api_key contains spaces, control or non-ASCII characters")
        if connect_timeout <= 0 or read_timeout <= 0 or call_deadline <= 0:
            raise ValueError("timeouts must be positive")
        self._key = _Secret(key)
        self.api_base_url = _base_url("api_base_url", api_base_url)
        self.upload_base_url = _base_url("upload_base_url", upload_base_url)
        self.timeout = (float(connect_timeout), float(read_timeout))
        self.call_deadline = float(call_deadline)
        self._session = requests.Session()
        self._session.auth = _BearerAuth(self._key)
        self._session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        adapter = WatchedAdapter(max_retries=0)  # never resend behind the caller's back: see the module doc
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    def __repr__(self) -> str:
        return f"<KieClient api={self.api_base_url} upload={self.upload_base_url} key=[hidden]>"

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> KieClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- generation API ----------------------------------------------------------------------------------

    def generate(self, request: GenerateRequest) -> str:
        """Start a video; returns its task id. ``UnknownOutcome`` means a task may exist: never resend it."""
        return self._call(
            "generate", "POST", self._api("/api/v1/veo/generate"), records.parse_generate, json=request.to_payload()
        )

    def extend(self, request: ExtendRequest) -> str:
        """Start an extension of a finished video; returns the new task id."""
        return self._call(
            "extend",
            "POST",
            self._api("/api/v1/veo/extend"),
            records.parse_extend,
            json=request.to_payload(),
            task_id=request.task_id,
        )

    def record_info(self, task_id: str) -> TaskRecord:
        """The authoritative status of any task (generation, extension, upgrades)."""
        return self._call(
            "record-info",
            "GET",
            self._api("/api/v1/veo/record-info"),
            lambda body: records.parse_record_info(body, expected_task_id=task_id),
            params={"taskId": task_id},
            task_id=task_id,
            level=logging.DEBUG,
        )

    def get_1080p(self, task_id: str, index: int = 0) -> Upgrade1080p:
        """Ask for (then fetch) the 1080P version; ``ready`` is false while kie.ai is still making it."""
        return self._call(
            "get-1080p-video",
            "GET",
            self._api("/api/v1/veo/get-1080p-video"),
            records.parse_1080p,
            params={"taskId": task_id, "index": index},
            task_id=task_id,
        )

    def get_4k(self, task_id: str, index: int = 0, callback_url: str | None = None) -> Upgrade4k:
        """Ask for (then fetch) the 4K version: ``started``, ``processing`` or ``done`` with URLs."""
        payload: dict[str, Any] = {"taskId": task_id, "index": index}
        if callback_url:
            payload["callBackUrl"] = callback_url
        return self._call(
            "get-4k-video",
            "POST",
            self._api("/api/v1/veo/get-4k-video"),
            records.parse_4k,
            json=payload,
            task_id=task_id,
        )

    def credit_balance(self) -> Decimal:
        return self._call("credit", "GET", self._api("/api/v1/chat/credit"), records.parse_balance, level=logging.DEBUG)

    def download_url(self, url: str) -> str:
        """A fresh download link (valid about 20 minutes) for a kie.ai media URL."""
        return self._call(
            "download-url",
            "POST",
            self._api("/api/v1/common/download-url"),
            records.parse_download_url,
            json={"url": url},
        )

    # --- upload API (its own host, same key) --------------------------------------------------------------

    def upload_stream(
        self, content: bytes | IO[bytes], file_name: str, upload_path: str, mime_type: str | None = None
    ) -> UploadedFile:
        """Upload a file's bytes (multipart); kie.ai keeps it 3 days. The type is guessed from the name if not given."""
        endpoint = "file-stream-upload"
        mime_type = mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        file_part = (file_name, content, mime_type)
        return self._call(
            endpoint,
            "POST",
            self._upload("/api/file-stream-upload"),
            lambda body: records.parse_upload(body, endpoint),
            deadline=self.call_deadline * UPLOAD_DEADLINE_FACTOR,
            files={"file": file_part},
            data={"uploadPath": upload_path, "fileName": file_name},
        )

    # --- transport -----------------------------------------------------------------------------------------

    def _api(self, path: str) -> str:
        return self.api_base_url + path

    def _upload(self, path: str) -> str:
        return self.upload_base_url + path

    def _call(
        self,
        endpoint: str,
        method: str,
        url: str,
        parse: Callable[[Any], T],
        *,
        task_id: str | None = None,
        level: int = logging.INFO,
        deadline: float | None = None,
        **kwargs: Any,
    ) -> T:
        started = time.monotonic()
        status: int | None = None
        code: object = None
        outcome = "ok"
        try:
            status, content = self._exchange(endpoint, method, url, deadline or self.call_deadline, **kwargs)
            body = self._decode(endpoint, status, content)
            code = body.get("code")
            result = self._without_key(parse(body))
            if task_id is None and isinstance(result, str) and endpoint in ("generate", "extend"):
                task_id = result
            return result
        except KieError as exc:
            exc.redact(self._key.reveal())
            outcome = exc.outcome
            code = exc.code if code is None else code
            raise
        except Exception as exc:
            # An answer that broke a parser is an unreadable answer: for a paid request that means "unknown",
            # which the caller knows how to handle, never a crash that leaves the work half done.
            outcome = f"crashed ({type(exc).__name__})"
            error = malformed(endpoint, f"an answer veoui could not read ({type(exc).__name__})", http_status=status)
            raise error from exc
        finally:
            elapsed_ms = round((time.monotonic() - started) * 1000)
            logger.log(
                level if outcome == "ok" else logging.WARNING,
                "kie call endpoint=%s status=%s code=%s ms=%d task=%s outcome=%s",
                endpoint,
                status,
                code if isinstance(code, int) else None,
                elapsed_ms,
                task_id or "-",
                outcome,
            )

    def _exchange(self, endpoint: str, method: str, url: str, seconds: float, **kwargs: Any) -> tuple[int, bytes]:
        """The HTTP status and the body of one exchange, within ``seconds`` in all and ``MAX_ANSWER_BYTES``."""
        with Deadline(seconds) as deadline:
            try:
                response = self._send(endpoint, method, url, **kwargs)
            except UnknownOutcome:
                if deadline.passed:
                    raise self._too_slow(endpoint, deadline) from None
                raise
            with response:
                return response.status_code, self._read(endpoint, response, deadline)

    def _read(self, endpoint: str, response: requests.Response, deadline: Deadline) -> bytes:
        status = response.status_code
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > MAX_ANSWER_BYTES:
            raise self._too_large(endpoint, status)
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_content(CHUNK):
                size += len(chunk)
                if size > MAX_ANSWER_BYTES:
                    raise self._too_large(endpoint, status)
                chunks.append(chunk)
                deadline.check()
        except DeadlinePassed:
            raise self._too_slow(endpoint, deadline) from None
        except requests.RequestException as exc:
            if deadline.passed:
                raise self._too_slow(endpoint, deadline) from None
            raise UnknownOutcome(
                endpoint=endpoint, code=None, info=NO_ANSWER, upstream_message="connection lost while reading"
            ) from exc
        if deadline.passed:  # the cut may look like the end of an answer without a declared length
            raise self._too_slow(endpoint, deadline)
        return b"".join(chunks)

    @staticmethod
    def _too_slow(endpoint: str, deadline: Deadline) -> UnknownOutcome:
        return UnknownOutcome(
            endpoint=endpoint,
            code=None,
            info=NO_ANSWER,
            upstream_message=f"no complete answer within {deadline.seconds:g} s",
        )

    @staticmethod
    def _too_large(endpoint: str, status: int) -> KieError:
        return malformed(endpoint, f"an answer larger than {MAX_ANSWER_BYTES // 1024} KB", http_status=status)

    def _without_key(self, result: T) -> T:
        """``result`` with the key taken out of every text in it (a message or a URL kie.ai echoed it in)."""
        key = self._key.reveal()
        if isinstance(result, str):
            return result.replace(key, REDACTED)  # type: ignore[return-value]
        if not dataclasses.is_dataclass(result) or isinstance(result, type):
            return result
        changes: dict[str, Any] = {}
        for item in dataclasses.fields(result):
            value = getattr(result, item.name)
            if isinstance(value, str) and key in value:
                changes[item.name] = value.replace(key, REDACTED)
            elif isinstance(value, tuple) and any(isinstance(v, str) and key in v for v in value):
                changes[item.name] = tuple(v.replace(key, REDACTED) if isinstance(v, str) else v for v in value)
        return dataclasses.replace(result, **changes) if changes else result

    def _send(self, endpoint: str, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            return self._session.request(
                method, url, timeout=self.timeout, allow_redirects=False, stream=True, **kwargs
            )
        except _NOT_SENDABLE as exc:
            # Refused by requests while preparing the request: nothing left this machine.
            raise NotAccepted(
                endpoint=endpoint, code=None, info=MISCONFIGURED, upstream_message=type(exc).__name__
            ) from exc
        except requests.ConnectTimeout as exc:
            raise NotAccepted(
                endpoint=endpoint, code=None, info=UNREACHABLE, upstream_message="connect timeout"
            ) from exc
        except requests.ConnectionError as exc:
            # SSL errors land here too and count as unknown: a handshake failure can't be told apart from a
            # failure while reading the answer, and an unknown outcome is never resent, so never billed twice.
            if _never_sent(exc):
                raise NotAccepted(
                    endpoint=endpoint, code=None, info=UNREACHABLE, upstream_message="could not connect"
                ) from exc
            raise UnknownOutcome(
                endpoint=endpoint, code=None, info=NO_ANSWER, upstream_message="connection lost after sending"
            ) from exc
        except requests.Timeout as exc:
            raise UnknownOutcome(endpoint=endpoint, code=None, info=NO_ANSWER, upstream_message="read timeout") from exc
        except requests.RequestException as exc:
            # Anything else happened while sending or reading: whether kie.ai got it is unknown.
            raise UnknownOutcome(
                endpoint=endpoint, code=None, info=NO_ANSWER, upstream_message=type(exc).__name__
            ) from exc

    def _decode(self, endpoint: str, status: int, content: bytes) -> dict[str, Any]:
        """The JSON envelope, or the error the HTTP status alone implies when there is no usable envelope."""
        try:
            body = records.loads(content)
        except ValueError:
            body = None
        if isinstance(body, dict) and body.get("code") not in (None, 200):
            return body  # the body code is authoritative, whatever the HTTP status
        if 200 <= status < 300:
            if not isinstance(body, dict):
                raise malformed(endpoint, f"not JSON: {self._snippet(content)}", http_status=status)
            return body
        # An HTTP error without a usable body code: go by the status.
        message = body.get("msg") if isinstance(body, dict) else None
        if not isinstance(message, str) or not message:
            kind = "JSON" if isinstance(body, dict) else "a non-JSON body"
            message = f"HTTP {status} with {kind}: {self._snippet(content)}"
        if status in (401, 429, 455) or (isinstance(body, dict) and status < 500):
            raise error_for_code(endpoint, status, message, http_status=status)
        if status >= 500:
            # A bare 5xx usually comes from a proxy in front of kie.ai: whether kie.ai got the request is unknown.
            raise UnknownOutcome(
                endpoint=endpoint, code=status, info=NO_ANSWER, upstream_message=message, http_status=status
            )
        # A non-JSON 3xx/4xx, e.g. the upload host's firewall answering 403 with an HTML page.
        raise Refused(endpoint=endpoint, code=status, info=BLOCKED, upstream_message=message, http_status=status)

    def _snippet(self, content: bytes, limit: int = 200) -> str:
        """The start of a body for an error message, scrubbed before it is cut so no partial key survives."""
        text = scrub(content[: limit * 20].decode("utf-8", errors="replace"), self._key.reveal())
        return " ".join(text.split())[:limit] or "(empty)"


def get_client() -> KieClient:
    """A client configured from Django settings. Use it as a context manager, one per unit of work."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    api_key = getattr(settings, "KIE_API_KEY", "")
    if not api_key:
        raise ImproperlyConfigured("KIE_API_KEY is not set")
    try:
        return KieClient(
            api_key=api_key,
            api_base_url=getattr(settings, "KIE_API_BASE_URL", DEFAULT_API_BASE_URL) or DEFAULT_API_BASE_URL,
            upload_base_url=getattr(settings, "KIE_UPLOAD_BASE_URL", DEFAULT_UPLOAD_BASE_URL)
            or DEFAULT_UPLOAD_BASE_URL,
            connect_timeout=float(getattr(settings, "KIE_CONNECT_TIMEOUT", DEFAULT_CONNECT_TIMEOUT)),
            read_timeout=float(getattr(settings, "KIE_READ_TIMEOUT", DEFAULT_READ_TIMEOUT)),
            call_deadline=float(getattr(settings, "KIE_CALL_DEADLINE", DEFAULT_CALL_DEADLINE)),
        )
    except (TypeError, ValueError) as exc:
        raise ImproperlyConfigured(f"kie.ai settings: {exc}") from None


__all__ = ["KieClient", "get_client"]
