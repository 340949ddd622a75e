"""What went wrong with a kie.ai call or task, in terms veoui can act on and a member can read.

Every failure carries an **outcome**, which decides what the worker may do with a paid request that has no
idempotency key:

- ``NOT_ACCEPTED``: kie.ai certainly did not take the request (connection refused, connect timeout, 429 rate
  limit, 455 maintenance). Nothing was created or billed, so the worker may send it again by itself.
- ``REFUSED``: kie.ai answered and said no (401, 402, 400 validation, 404, 422, 451, and 500/501/505 *with a
  body*). Nothing was created; sending the same thing again is the member's choice, never automatic.
- ``UNKNOWN``: the request went out and no usable answer came back (read timeout, connection lost after
  sending, a body that is not the JSON envelope, a bare 5xx from a proxy). A task may exist and be billed.

Why a 500 with a body on generate is REFUSED while a read timeout is UNKNOWN: a 500 envelope
(``{"code": 500, "msg": "Internal Error, Please try again later."}``) is kie.ai's own definite answer, and it
returned no task id, so there is no task veoui could ever poll or be billed for; the member may try again
(the message says so: ``transient`` is true), but it is a new request and their choice. A read timeout means
the request reached kie.ai and we never learnt the answer: the task may be running and billing, so veoui
must not resubmit and instead shows the member that the outcome is unconfirmed.

Every failure also carries a **category** for the member (whose problem is it, what can they do), a
plain-language ``message`` and ``next_step`` (marked for translation), and ``upstream_message``, kie.ai's own
words for admins and logs, with anything key-like scrubbed out.

``describe_task_failure`` does the same for a task that kie.ai accepted and later failed (record-info
``successFlag`` 2/3, failure callbacks).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Outcome(StrEnum):
    NOT_ACCEPTED = "not_accepted"
    REFUSED = "refused"
    UNKNOWN = "unknown"


class Category(StrEnum):
    YOUR_INPUT = "your_input"
    CONTENT_POLICY = "content_policy"
    OUT_OF_CREDITS = "out_of_credits"
    BUSY = "busy"
    KIE_ERROR = "kie_error"
    ACCESS = "access"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class FailureInfo:
    """What a member is told about a failure. ``message`` and ``next_step`` are lazy translations."""

    category: Category
    message: str | Promise
    next_step: str | Promise
    transient: bool


# Next steps, shared so the same advice reads the same everywhere.
EDIT_PROMPT = _("Edit your prompt and try again")
TOP_UP = _("Ask your admin to top up kie.ai credits")
TRY_LATER = _("Try again later")
CONTACT_ADMIN = _("Contact your admin")
CHANGE_PICTURES = _("Use different pictures and try again")
WAIT_AND_CHECK = _("Wait a few minutes: veoui checks again before anything is sent twice")


ACCESS = FailureInfo(
    Category.ACCESS,
    _("veoui can't sign in to kie.ai: its API key is missing or no longer valid."),
    CONTACT_ADMIN,
    False,
)
OUT_OF_CREDITS = FailureInfo(
    Category.OUT_OF_CREDITS, _("The team's kie.ai account has run out of credits."), TOP_UP, False
)
RATE_LIMITED = FailureInfo(Category.BUSY, _("kie.ai is busy right now. Try again in a few minutes."), TRY_LATER, True)
MAINTENANCE = FailureInfo(Category.BUSY, _("kie.ai is down for maintenance right now."), TRY_LATER, True)
HIGH_TRAFFIC = FailureInfo(
    Category.BUSY,
    _("Google's video service was overloaded, so this video wasn't made."),
    _("Try again in a few minutes"),
    True,
)
UPSTREAM_STALLED = FailureInfo(
    Category.BUSY,
    _("Google's video service didn't answer for over 10 minutes, so this video wasn't made."),
    TRY_LATER,
    True,
)
PROMPT_FLAGGED = FailureInfo(
    Category.CONTENT_POLICY,
    _("The safety check stopped this video: the prompt was flagged as breaking the content rules."),
    EDIT_PROMPT,
    False,
)
GOOGLE_REFUSED = FailureInfo(
    Category.CONTENT_POLICY,
    _(
        "Google refused to make this video. This usually happens when the prompt names a real person, "
        "such as a celebrity, or breaks a content rule."
    ),
    EDIT_PROMPT,
    False,
)
UNSAFE_IMAGE = FailureInfo(
    Category.CONTENT_POLICY,
    _("The safety check stopped one of your pictures."),
    CHANGE_PICTURES,
    False,
)
IMAGE_UNREACHABLE = FailureInfo(
    Category.YOUR_INPUT,
    _("kie.ai couldn't download one of your pictures."),
    CHANGE_PICTURES,
    False,
)
ENGLISH_ONLY = FailureInfo(
    Category.YOUR_INPUT,
    _("This model only understands prompts written in English."),
    _("Write your prompt in English, or turn on translation, and try again"),
    False,
)
NO_AUDIO = FailureInfo(
    Category.KIE_ERROR,
    _("Google couldn't make the sound for this video, so it wasn't finished."),
    _("Try again; if it happens again, change the prompt"),
    True,
)
INTERNAL_ERROR = FailureInfo(
    Category.KIE_ERROR,
    _("kie.ai had a problem on its side and couldn't finish this."),
    TRY_LATER,
    True,
)
GENERATION_FAILED = FailureInfo(Category.KIE_ERROR, _("kie.ai couldn't make this video."), TRY_LATER, True)
FEATURE_DISABLED = FailureInfo(
    Category.KIE_ERROR, _("kie.ai has switched this feature off for now."), CONTACT_ADMIN, False
)
NOT_FOUND = FailureInfo(Category.KIE_ERROR, _("kie.ai couldn't find what veoui asked for."), CONTACT_ADMIN, False)
NO_RECORD = FailureInfo(Category.KIE_ERROR, _("kie.ai has no record of this video."), CONTACT_ADMIN, False)
# A task kie.ai accepted and then, check after check, said it doesn't know (veoui.studio.lost_tasks).
TASK_LOST = FailureInfo(
    Category.KIE_ERROR,
    _("kie.ai no longer knows this video, so veoui has stopped waiting for it."),
    _("Try again"),
    True,
)
TOO_OLD = FailureInfo(
    Category.KIE_ERROR,
    _("kie.ai only keeps videos for 14 days and this one is older, so it can't be changed any more."),
    _("Make a new video instead"),
    False,
)
NOT_FINISHED = FailureInfo(
    Category.YOUR_INPUT,
    _("This video didn't finish successfully, so it can't be upgraded or extended."),
    _("Choose a finished video"),
    False,
)
RESULT_BLANK = FailureInfo(Category.KIE_ERROR, _("kie.ai has lost the result of this video."), CONTACT_ADMIN, False)
NO_4K = FailureInfo(
    Category.KIE_ERROR, _("kie.ai can't make a 4K version of this video."), _("Try a different video"), False
)
INVALID_REQUEST = FailureInfo(
    Category.YOUR_INPUT, _("kie.ai didn't accept these settings."), _("Check the settings and try again"), False
)
INCOMPLETE_REQUEST = FailureInfo(
    Category.KIE_ERROR, _("veoui sent kie.ai an incomplete request."), CONTACT_ADMIN, False
)
UNRECOGNISED = FailureInfo(
    Category.UNKNOWN,
    _("kie.ai refused this for a reason veoui doesn't recognise."),
    CONTACT_ADMIN,
    False,
)
MISCONFIGURED = FailureInfo(Category.ACCESS, _("veoui's connection to kie.ai is set up wrongly."), CONTACT_ADMIN, False)
UNREACHABLE = FailureInfo(Category.KIE_ERROR, _("veoui couldn't reach kie.ai."), TRY_LATER, True)
NO_ANSWER = FailureInfo(
    Category.UNKNOWN,
    _("kie.ai didn't answer in time, so veoui can't tell whether the request went through."),
    WAIT_AND_CHECK,
    True,
)
UNREADABLE = FailureInfo(
    Category.UNKNOWN,
    _("kie.ai sent an answer veoui couldn't read, so it can't tell whether the request went through."),
    WAIT_AND_CHECK,
    True,
)
BLOCKED = FailureInfo(
    Category.KIE_ERROR,
    _("kie.ai's service turned veoui's request away without an explanation."),
    CONTACT_ADMIN,
    False,
)

# kie.ai's messages, matched case-insensitively as substrings, most specific first. The code narrows a
# pattern where the text alone is too vague ("failed"). kie.ai documents the codes better than the texts,
# so a message that matches nothing falls back to the code.
_MESSAGE_PATTERNS: tuple[tuple[str, int | None, FailureInfo], ...] = (
    ("high traffic", None, HIGH_TRAFFIC),
    ("unable to generate audio", None, NO_AUDIO),
    ("unsafe image", None, UNSAFE_IMAGE),
    ("failed to fetch the image", None, IMAGE_UNREACHABLE),
    ("only english", None, ENGLISH_ONLY),
    ("violating content polic", None, PROMPT_FLAGGED),
    ("flagged", None, PROMPT_FLAGGED),
    ("rejected by flow", None, GOOGLE_REFUSED),
    ("4k version of this video is unavailable", None, NO_4K),
    ("within 14 days", None, TOO_OLD),
    ("record is null", None, NO_RECORD),
    ("record status is not success", None, NOT_FINISHED),
    ("record result data is blank", None, RESULT_BLANK),
    ("credits are insufficient", None, OUT_OF_CREDITS),
    ("missing required parameter", None, INCOMPLETE_REQUEST),
    ("access permission", None, ACCESS),
    ("invalid api key", None, ACCESS),
    ("maintenance", None, MAINTENANCE),
    ("no result has been returned", None, UPSTREAM_STALLED),
    ("internal error", None, INTERNAL_ERROR),
    ("timeout", None, INTERNAL_ERROR),
)

_BY_CODE: dict[int, FailureInfo] = {
    400: INVALID_REQUEST,
    401: ACCESS,
    402: OUT_OF_CREDITS,
    404: NOT_FOUND,
    408: UPSTREAM_STALLED,
    422: INVALID_REQUEST,
    429: RATE_LIMITED,
    451: IMAGE_UNREACHABLE,
    455: MAINTENANCE,
    500: INTERNAL_ERROR,
    501: GENERATION_FAILED,
    505: FEATURE_DISABLED,
}

# Codes for which kie.ai certainly did not take the request: safe to send again automatically.
NOT_ACCEPTED_CODES = frozenset({429, 455})


CODE_RANGE = range(-(2**31), 2**31)  # what the column that keeps a code holds; anything beyond is no code


def _as_int(value: object) -> int | None:
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value.strip()) < 12:
        number = int(value.strip())
    return number if number is not None and number in CODE_RANGE else None


def describe(code: object, message: object) -> FailureInfo:
    """The member-facing description of kie.ai's ``code`` and ``msg``, for calls and for tasks alike."""
    code_int = _as_int(code)
    text = message.strip().lower() if isinstance(message, str) else ""
    if code_int == 429:
        return RATE_LIMITED
    if code_int == 455:
        return MAINTENANCE
    # A bare "failed" with 422 is how a real person's name in the prompt shows up.
    if code_int == 422 and text in ("failed", "failed."):
        return GOOGLE_REFUSED
    for pattern, only_code, info in _MESSAGE_PATTERNS:
        if pattern in text and (only_code is None or only_code == code_int):
            return info
    if code_int is not None and code_int in _BY_CODE:
        return _BY_CODE[code_int]
    return UNRECOGNISED


def describe_task_failure(error_code: object, error_message: object) -> FailureInfo:
    """Why a task kie.ai had accepted failed (record-info ``successFlag`` 2/3, or a failure callback)."""
    info = describe(error_code, error_message)
    # A task that failed for a reason nobody recognises is on kie.ai's side, not the member's.
    return GENERATION_FAILED if info is UNRECOGNISED else info


# Anything that looks like a credential in text kie.ai (or a proxy) sent back to us.
_KEY_LIKE = re.compile(
    r"(?i)((?:\b(?:api[_-]?key|token|secret|authorization)[\"']?\s*[:=]\s*[\"']?)(?:bearer\s+)?|\bbearer\s+)"
    r"[^\s\"',;&]+"
)
REDACTED = "[redacted]"


def scrub(text: str, *secrets: str) -> str:
    """``text`` without the given secrets and without anything shaped like ``Bearer x`` or ``api_key=x``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return _KEY_LIKE.sub(lambda match: match.group(1) + REDACTED, text)


class KieError(Exception):
    """A kie.ai call that did not give a usable result. ``str()`` is for logs; show ``message`` to people."""

    outcome: Outcome = Outcome.UNKNOWN

    def __init__(
        self,
        *,
        endpoint: str,
        code: int | None,
        info: FailureInfo,
        upstream_message: str = "",
        http_status: int | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.code = code
        self.http_status = http_status
        self.category = info.category
        self.message = info.message
        self.next_step = info.next_step
        self.transient = info.transient
        # Not truncated here: cutting first could leave half a key that ``redact`` no longer recognises.
        self.upstream_message = scrub(upstream_message)
        super().__init__(self._summary())

    def _summary(self) -> str:
        return (
            f"kie {self.endpoint}: {self.outcome} code={self.code} category={self.category}: "
            f"{self.upstream_message or '(no message)'}"
        )

    def redact(self, *secrets: str) -> None:
        """Remove ``secrets`` (the API key) from everything this error shows; the client calls it."""
        self.upstream_message = scrub(self.upstream_message, *secrets)[:500]
        self.args = (self._summary(),)

    def __str__(self) -> str:
        return self.args[0] if self.args else self._summary()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(endpoint={self.endpoint!r}, code={self.code!r}, "
            f"category={str(self.category)!r}, upstream_message={self.upstream_message!r})"
        )

    @property
    def failure(self) -> FailureInfo:
        return FailureInfo(self.category, self.message, self.next_step, self.transient)


class NotAccepted(KieError):
    """kie.ai certainly did not take the request: it may be sent again automatically."""

    outcome = Outcome.NOT_ACCEPTED


class Refused(KieError):
    """kie.ai answered and refused: nothing was created; trying again is the member's choice."""

    outcome = Outcome.REFUSED


class UnknownOutcome(KieError):
    """The request went out and no usable answer came back: a task may exist. Never resend automatically."""

    outcome = Outcome.UNKNOWN


class MalformedResponse(UnknownOutcome):
    """kie.ai answered with something that is not the documented shape (or a callback we can't read)."""


def is_unknown_task(error: KieError) -> bool:
    """kie.ai answered that it has no such task: record-info's 422 "record is null.", or a 404."""
    return isinstance(error, Refused) and (error.code == 404 or "record is null" in error.upstream_message.lower())


def error_for_code(endpoint: str, code: object, upstream_message: object, http_status: int | None = None) -> KieError:
    """The error for a JSON envelope (or bare HTTP status) whose code is not success."""
    code_int = _as_int(code)
    message = upstream_message if isinstance(upstream_message, str) else ""
    cls = NotAccepted if code_int in NOT_ACCEPTED_CODES else Refused
    return cls(
        endpoint=endpoint,
        code=code_int,
        info=describe(code_int, message),
        upstream_message=message,
        http_status=http_status,
    )


def malformed(endpoint: str, what: str, code: int | None = None, http_status: int | None = None) -> MalformedResponse:
    return MalformedResponse(
        endpoint=endpoint, code=code, info=UNREADABLE, upstream_message=what, http_status=http_status
    )
