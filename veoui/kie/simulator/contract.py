"""The words kie.ai uses: endpoint names, body codes and their messages, prices.

Messages are copied from the contract (docs/kie-api.md in the team's shared notes) so that the client meets
exactly the texts the real service sends. Where kie.ai documents a code but no text, the text is ours.
"""

from __future__ import annotations

# Endpoint names, used by fault injection and the request log.
GENERATE = "generate"
RECORD_INFO = "record-info"
GET_1080P = "get-1080p-video"
GET_4K = "get-4k-video"
EXTEND = "extend"
CREDIT = "credit"
DOWNLOAD_URL = "download-url"
UPLOAD_STREAM = "upload-stream"
UPLOAD_BASE64 = "upload-base64"
UPLOAD_URL = "upload-url"
FILES = "files"

ENDPOINTS = (
    GENERATE,
    RECORD_INFO,
    GET_1080P,
    GET_4K,
    EXTEND,
    CREDIT,
    DOWNLOAD_URL,
    UPLOAD_STREAM,
    UPLOAD_BASE64,
    UPLOAD_URL,
    FILES,
)
GENERATION_ENDPOINTS = (GENERATE, EXTEND)
UPGRADE_ENDPOINTS = (GET_1080P, GET_4K)
UPLOAD_ENDPOINTS = (UPLOAD_STREAM, UPLOAD_BASE64, UPLOAD_URL)

NO_ACCESS = "You do not have access permissions"
INSUFFICIENT_CREDITS = "The current credits are insufficient. Please top up."
TOO_MANY_REQUESTS = "Too many requests"
RECORD_IS_NULL = "record is null."
RECORD_NOT_SUCCESS = "record status is not success."
RECORD_RESULT_BLANK = "record result data is blank."
PROCESSING_1080P = "1080P is processing. It should be ready in 1-2 minutes. Please check back shortly."
PROCESSING_4K = "4k is processing. It should be ready in 5-10 minutes. Please check back shortly."
DONE_4K = "The video has been generated successfully"
UNAVAILABLE_4K = "The 4K version of this video is unavailable. Please try a different video."
FAILED_1080P = "The 1080P version of this video is unavailable. Please try again later."
EXTEND_AFTER_1080P = "This video was upgraded to 1080P and can no longer be extended."
IMAGE_FETCH_FAILED = "Failed to fetch the image. Kindly verify any access limits set by you or your service provider."
INTERNAL_ERROR = "Internal Error, Please try again later."
CALLBACK_SUCCESS = "Veo3.1 video generated successfully."
CALLBACK_4K_SUCCESS = "4K Video generated successfully."

UPLOAD_OK = "File uploaded successfully"
UPLOAD_BAD_KEY = "Authentication failed: Invalid API Key"

# The text that goes with a body code when a fault or a failure names only the code.
DEFAULT_MESSAGES: dict[int, str] = {
    200: "success",
    # 400 on its own is a content refusal; bad requests get their own text where they are refused.
    400: "Your prompt was flagged by Website as violating content policies.",
    401: NO_ACCESS,
    402: INSUFFICIENT_CREDITS,
    404: "Not found",
    405: "Method not allowed",
    408: ("Upstream is currently experiencing service issues. No result has been returned for over 10 minutes."),
    413: "Request entity too large",
    422: "failed",
    429: TOO_MANY_REQUESTS,
    451: IMAGE_FETCH_FAILED,
    455: "Service Unavailable - System is currently undergoing maintenance",
    500: INTERNAL_ERROR,
    501: "Video generation failed.",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
    505: "This feature is disabled.",
}

# Where one endpoint uses a code with its own text.
ENDPOINT_MESSAGES: dict[tuple[str, int], str] = {
    (GENERATE, 422): (
        "Your request was rejected by Flow(Your prompt was flagged by Website as violating content "
        "policies). You may consider using our other fallback channels, which are likely to succeed. "
        "Please refer to the documentation."
    ),
    (RECORD_INFO, 422): RECORD_IS_NULL,
    (GET_1080P, 400): PROCESSING_1080P,
    (GET_1080P, 422): RECORD_NOT_SUCCESS,
    (GET_1080P, 501): FAILED_1080P,
    (GET_4K, 422): PROCESSING_4K,
    (GET_4K, 500): UNAVAILABLE_4K,
    (UPLOAD_STREAM, 400): "Missing required parameter: uploadPath",
    (UPLOAD_BASE64, 400): "Missing required parameter: uploadPath",
    (UPLOAD_URL, 400): "Missing required parameter: uploadPath",
}


def message_for(code: int, endpoint: str | None = None) -> str:
    """The contract's text for ``code`` on ``endpoint``, or a plain fallback."""
    if endpoint is not None and (endpoint, code) in ENDPOINT_MESSAGES:
        return ENDPOINT_MESSAGES[(endpoint, code)]
    return DEFAULT_MESSAGES.get(code, "Error")


# Observed prices in credits; the admin API can change them.
DEFAULT_PRICES: dict[str, float] = {
    "veo3": 250.0,
    "veo3_fast": 60.0,
    "veo3_lite": 30.0,
    "1080p": 5.0,
    "4k": 120.0,
}

# extend names its models differently from generate.
EXTEND_MODELS = {"quality": "veo3", "fast": "veo3_fast", "lite": "veo3_lite"}


class Refusal(Exception):
    """kie.ai declines a request: the body code, its message and optional data."""

    def __init__(self, code: int, msg: str | None = None, data: object = None, endpoint: str | None = None):
        self.code = code
        self.msg = msg if msg is not None else message_for(code, endpoint)
        self.data = data
        super().__init__(f"{code} {self.msg}")
