"""kie.ai's file upload host (kieai.redpandaai.co): stream, base64 and URL uploads.

Its answers differ from api.kie.ai: ``{"success", "code", "msg", "data"}``, with the HTTP status matching the
code. A firewall in front answers 403 with an HTML page to requests without a product User-Agent.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import re
import secrets
from datetime import UTC, datetime
from pathlib import PurePosixPath

from veoui.kie.simulator import contract
from veoui.kie.simulator.engine import Simulator
from veoui.kie.simulator.faults import Fault
from veoui.kie.simulator.files import UPLOAD_FOLDER, FetchError
from veoui.kie.simulator.wire import BadBody, FormField, Request, Response, html_response, json_response

MAX_UPLOAD_BYTES = 100 * 1024 * 1024
# User-Agents of HTTP libraries and command-line tools, which the firewall turns away.
GENERIC_AGENTS = (
    "python-requests/",
    "python-urllib/",
    "python-urllib3/",
    "python-httpx/",
    "aiohttp/",
    "curl/",
    "wget/",
    "go-http-client/",
    "java/",
    "okhttp/",
    "axios/",
    "node-fetch/",
    "undici",
    "libwww-perl/",
)
_DATA_URL = re.compile(r"data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?:;[^,]*)?;base64,(?P<data>.*)", re.DOTALL)
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


class UploadRefused(Exception):
    def __init__(self, code: int, msg: str) -> None:
        self.code = code
        self.msg = msg
        super().__init__(f"{code} {msg}")


def firewall(request: Request) -> Response | None:
    agent = request.headers.get("User-Agent", "").strip().lower()
    if not agent or agent.startswith(GENERIC_AGENTS):
        return html_response(403, "Access denied")
    return None


def refusal(code: int, msg: str) -> Response:
    return json_response({"success": False, "code": code, "msg": msg}, status=code)


def not_authorized() -> Response:
    return refusal(401, contract.UPLOAD_BAD_KEY)


def stream(sim: Simulator, request: Request, fault: Fault | None) -> Response:
    try:
        form = request.form
    except BadBody as error:
        raise UploadRefused(400, str(error)) from error
    upload = form.get("file")
    if upload is None or upload.filename is None:
        raise UploadRefused(400, "Missing required parameter: file")
    upload_path = _field(form, "uploadPath")
    name = _field(form, "fileName") or upload.filename
    return _store(sim, upload_path, name, upload.data, upload.content_type)


def from_base64(sim: Simulator, request: Request, fault: Fault | None) -> Response:
    body = _json(request)
    encoded = body.get("base64Data")
    if not isinstance(encoded, str) or not encoded:
        raise UploadRefused(400, "Missing required parameter: base64Data")
    upload_path = _text(body, "uploadPath")
    declared = None
    match = _DATA_URL.fullmatch(encoded.strip())
    if match:
        declared, encoded = match.group("mime"), match.group("data")
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as error:
        raise UploadRefused(400, "base64Data is not valid base64.") from error
    return _store(sim, upload_path, _text(body, "fileName"), data, declared)


def from_url(sim: Simulator, request: Request, fault: Fault | None) -> Response:
    body = _json(request)
    file_url = _text(body, "fileUrl")
    if not file_url:
        raise UploadRefused(400, "Missing required parameter: fileUrl")
    upload_path = _text(body, "uploadPath")
    if not upload_path:
        raise UploadRefused(400, "Missing required parameter: uploadPath")
    try:
        data = sim.files.read_url(file_url, MAX_UPLOAD_BYTES)
    except FetchError as error:
        raise UploadRefused(500, "Failed to download the file from fileUrl.") from error
    name = _text(body, "fileName") or PurePosixPath(file_url.split("?", 1)[0]).name
    return _store(sim, upload_path, name, data, None)


def _store(sim: Simulator, upload_path: str | None, name: str | None, data: bytes, mime: str | None) -> Response:
    if not upload_path:
        raise UploadRefused(400, "Missing required parameter: uploadPath")
    folder = _safe_folder(upload_path)
    # What the bytes say beats what the client declared.
    mime = _sniff(data) or mime or mimetypes.guess_type(name or "")[0] or "application/octet-stream"
    if not name:
        name = secrets.token_hex(8) + (mimetypes.guess_extension(mime) or "")
    if "/" in name or "\\" in name or name in (".", ".."):
        raise UploadRefused(400, "fileName must be a plain file name.")
    file_path = f"{folder}/{name}"
    sim.files.path(f"{UPLOAD_FOLDER}/{file_path}").write_bytes(data)
    uploaded_at = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    data_out = {
        "fileName": name,
        "filePath": file_path,
        "downloadUrl": sim.files.url(f"{UPLOAD_FOLDER}/{file_path}"),
        "fileSize": len(data),
        "mimeType": mime,
        "uploadedAt": uploaded_at,
    }
    return json_response({"success": True, "code": 200, "msg": contract.UPLOAD_OK, "data": data_out})


def _safe_folder(upload_path: str) -> str:
    parts = [part for part in upload_path.replace("\\", "/").split("/") if part not in ("", ".")]
    if not parts or ".." in parts:
        raise UploadRefused(400, "uploadPath must be a relative folder such as images/user-uploads.")
    return "/".join(parts)


def _sniff(data: bytes) -> str | None:
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _json(request: Request) -> dict:
    try:
        return request.json
    except BadBody as error:
        raise UploadRefused(400, str(error)) from error


def _field(form: dict[str, FormField], name: str) -> str | None:
    field = form.get(name)
    return field.value.strip() if field is not None and field.value else None


def _text(body: dict, name: str) -> str | None:
    value = body.get(name)
    return value.strip() if isinstance(value, str) and value.strip() else None
