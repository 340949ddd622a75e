"""The HTTP side: one standard-library server for the API host, the upload host, files and ``/_sim/``.

Faults are applied here, around the route handlers, because most of them are about the connection (delays,
hangs, dropped connections, broken bodies) rather than about kie.ai's logic.
"""

from __future__ import annotations

import hmac
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import BinaryIO
from urllib.parse import parse_qs, urlsplit

from veoui.kie.simulator import admin, api, contract, uploads
from veoui.kie.simulator.config import SimConfig
from veoui.kie.simulator.contract import Refusal
from veoui.kie.simulator.engine import Simulator
from veoui.kie.simulator.faults import (
    BODY_CODE,
    DELAY,
    DROP,
    HANG_AFTER,
    HANG_BEFORE,
    HTTP_STATUS,
    MALFORMED_JSON,
    TRICKLE,
    Fault,
)
from veoui.kie.simulator.files import CHUNK, file_response
from veoui.kie.simulator.wire import Request, Response, bearer_token, envelope, html_response, json_response

API = "api"
UPLOAD = "upload"
FILES = "files"

Handler = Callable[[Simulator, Request, Fault | None], Response]


@dataclass(frozen=True)
class Route:
    endpoint: str
    host: str
    methods: tuple[str, ...]
    handler: Handler | None = None


ROUTES: dict[str, Route] = {
    "/api/v1/veo/generate": Route(contract.GENERATE, API, ("POST",), api.generate),
    "/api/v1/veo/record-info": Route(contract.RECORD_INFO, API, ("GET",), api.record_info),
    "/api/v1/veo/get-1080p-video": Route(contract.GET_1080P, API, ("GET",), api.get_1080p),
    "/api/v1/veo/get-4k-video": Route(contract.GET_4K, API, ("POST",), api.get_4k),
    "/api/v1/veo/extend": Route(contract.EXTEND, API, ("POST",), api.extend),
    "/api/v1/chat/credit": Route(contract.CREDIT, API, ("GET",), api.credit),
    "/api/v1/common/download-url": Route(contract.DOWNLOAD_URL, API, ("POST",), api.download_url),
    "/api/file-stream-upload": Route(contract.UPLOAD_STREAM, UPLOAD, ("POST",), uploads.stream),
    "/api/file-base64-upload": Route(contract.UPLOAD_BASE64, UPLOAD, ("POST",), uploads.from_base64),
    "/api/file-url-upload": Route(contract.UPLOAD_URL, UPLOAD, ("POST",), uploads.from_url),
}
FILE_ROUTE = Route(contract.FILES, FILES, ("GET", "HEAD"))


def find_route(path: str) -> Route | None:
    if path.startswith("/files/"):
        return FILE_ROUTE
    return ROUTES.get(path)


class SimulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    sim: Simulator

    def __init__(self, address: tuple[str, int], api_key: str, quiet: bool) -> None:
        super().__init__(address, RequestHandler)
        self.api_key = api_key
        self.quiet = quiet

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        # Bound to every interface, it is still reached locally at 127.0.0.1.
        shown = "127.0.0.1" if host in ("", "0.0.0.0") else host  # noqa: S104
        return f"http://{shown}:{port}"

    def key_matches(self, token: str | None) -> bool:
        return token is not None and hmac.compare_digest(token.encode(), self.api_key.encode())

    def close(self) -> None:
        self.sim.stop()
        self.shutdown()
        self.server_close()


def start(
    host: str, port: int, api_key: str, config: SimConfig, data_dir: Path, public_url: str | None, quiet: bool
) -> SimulatorServer:
    """Bind the port (0: any free one) and set up the simulator; the caller runs serve_forever()."""
    server = SimulatorServer((host, port), api_key, quiet)
    bound = server.server_address[1]
    local = [server.url, f"http://127.0.0.1:{bound}", f"http://localhost:{bound}"]
    server.sim = Simulator(config, data_dir, public_url or server.url, local)
    return server


class RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kie-simulator/1.0"
    sys_version = ""
    # Idle keep-alive connections are closed after this long.
    timeout = 300
    server: SimulatorServer

    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        started = time.monotonic()
        parts = urlsplit(self.path)
        query = {name: values[-1] for name, values in parse_qs(parts.query, keep_blank_values=True).items()}
        if parts.path == "/_sim" or parts.path.startswith("/_sim/"):
            response = self._admin(parts.path, query)
        else:
            route = find_route(parts.path)
            if route is None:
                response = self._answer_without_route(envelope(404, "Not found", status=404))
            elif self.command not in route.methods:
                response = self._answer_without_route(envelope(405, "Method not allowed", status=405))
            else:
                response = self._serve(route, parts.path, query)
        if response is not None and not self.server.quiet:
            elapsed = (time.monotonic() - started) * 1000
            code = f" code={response.code}" if response.code is not None else ""
            print(f"{self.command} {self.path} -> {response.status}{code} {elapsed:.0f}ms", file=sys.stderr)

    def _admin(self, path: str, query: dict[str, str]) -> Response | None:
        body = self._read_body()
        if body is None:
            return None
        response = admin.handle(self.server.sim, Request(self.command, path, query, self.headers, body))
        self._send(response)
        return response

    def _answer_without_route(self, response: Response) -> Response | None:
        if self._read_body() is None:
            return None
        self._send(response)
        return response

    def _serve(self, route: Route, path: str, query: dict[str, str]) -> Response | None:
        sim = self.server.sim
        fault = sim.faults.take(route.endpoint)
        entry = sim.log.begin(
            method=self.command,
            path=path,
            query=query,
            endpoint=route.endpoint,
            headers=self.headers,
            auth_valid=None if route.host == FILES else self.server.key_matches(bearer_token(self.headers)),
            fault=fault.kind if fault else None,
        )
        if fault and fault.kind == HANG_BEFORE:
            # The body stays unread: nothing was processed.
            response = None
            self._hang(fault)
        else:
            body = self._read_body()
            if body is None:
                return None
            request = Request(self.command, path, query, self.headers, body)
            sim.log.note_body(entry, request, route.endpoint)
            response = self._answer(route, request, fault)
        sim.log.note_answer(entry, response)
        if response is None:
            self.close_connection = True
        else:
            self._send(response, fault if fault and fault.kind == TRICKLE else None)
        return response

    def _answer(self, route: Route, request: Request, fault: Fault | None) -> Response | None:
        """What to send back, as the fault shapes it; None for no answer at all."""
        kind = fault.kind if fault else None
        after_processing = fault.params.get("after_processing") if fault else None
        if kind == DELAY:
            time.sleep(fault.params["seconds"])
        if kind == DROP and not after_processing:
            return None
        if kind in (BODY_CODE, HTTP_STATUS):
            return _fault_response(fault, route)
        if kind == MALFORMED_JSON and not after_processing:
            return _truncated(envelope(200, "success", None))
        response = self._process(route, request, fault)
        if kind == HANG_AFTER:
            self._hang(fault)
            return None
        if kind == DROP:
            return None
        return _truncated(response) if kind == MALFORMED_JSON else response

    def _process(self, route: Route, request: Request, fault: Fault | None) -> Response:
        sim = self.server.sim
        if route.host == FILES:
            return file_response(sim.files, request, sim.config.result_files_unavailable)
        assert route.handler is not None
        try:
            if route.host == UPLOAD:
                refused = uploads.firewall(request)
                if refused is not None:
                    return refused
                if not self.server.key_matches(request.bearer()):
                    return uploads.not_authorized()
            elif not self.server.key_matches(request.bearer()):
                return json_response({"code": 401, "msg": contract.NO_ACCESS}, status=401)
            return route.handler(sim, request, fault)
        except Refusal as refusal:
            # Errors arrive with HTTP 200 and the code in the body, except these two, sent as statuses too.
            status = refusal.code if refusal.code in (401, 429) else 200
            return envelope(refusal.code, refusal.msg, refusal.data, status=status)
        except uploads.UploadRefused as refusal:
            return uploads.refusal(refusal.code, refusal.msg)
        except Exception:
            traceback.print_exc(file=sys.stderr)
            if route.host == UPLOAD:
                return uploads.refusal(500, contract.INTERNAL_ERROR)
            return envelope(500, contract.INTERNAL_ERROR)

    def _read_body(self) -> bytes | None:
        """The request body; None when it could not be taken (and that was answered)."""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= uploads.MAX_UPLOAD_BYTES:
            self.close_connection = True
            status = 400 if length < 0 else 413
            self._send(json_response({"code": status, "msg": contract.message_for(status)}, status=status))
            return None
        return self.rfile.read(length) if length > 0 else b""

    def _hang(self, fault: Fault) -> None:
        self.server.sim.hang(fault.params["seconds"])

    def _send(self, response: Response, trickle: Fault | None = None) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        for name, value in response.headers.items():
            self.send_header(name, value)
        length = response.end - response.start + 1 if response.file is not None else len(response.body)
        self.send_header("Content-Length", str(max(length, 0)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command == "HEAD":
            return
        if response.file is None:
            self.wfile.write(response.body)
            return
        with response.file.open("rb") as source:
            source.seek(response.start)
            remaining = length
            if trickle is not None:
                remaining = self._trickle(source, remaining, trickle.params)
            while remaining > 0:
                chunk = source.read(min(CHUNK, remaining))
                if not chunk:
                    break
                self.wfile.write(chunk)
                remaining -= len(chunk)

    def _trickle(self, source: BinaryIO, remaining: int, params: dict) -> int:
        """Send the first ``head_bytes``, then a byte every ``every`` seconds (the connection stays busy, no read
        times out) until released or ``seconds`` have passed; the rest is then sent at once. What is left to send."""
        head = source.read(min(params["head_bytes"], remaining))
        self.wfile.write(head)
        remaining -= len(head)
        released = self.server.sim.held()
        until = time.monotonic() + params["seconds"]
        while remaining > 1 and not released.wait(params["every"]) and time.monotonic() < until:
            self.wfile.write(source.read(1))
            remaining -= 1
        return remaining

    def log_message(self, format: str, *args: object) -> None:
        # Requests are logged by _dispatch, in one line each and without noise.
        pass

    def log_error(self, format: str, *args: object) -> None:
        if not self.server.quiet:
            print(f"simulator: {format % args}", file=sys.stderr)


def _fault_response(fault: Fault, route: Route) -> Response:
    params = fault.params
    if fault.kind == BODY_CODE:
        if route.host == UPLOAD:
            return json_response({"success": False, "code": params["code"], "msg": params["msg"]})
        return envelope(params["code"], params["msg"])
    status = params["status"]
    if params["body"] is not None:
        return Response(status=status, body=params["body"].encode(), content_type="text/html; charset=utf-8")
    if not params["json"]:
        return html_response(status, params["msg"])
    if route.host == UPLOAD:
        return json_response({"success": False, "code": status, "msg": params["msg"]}, status=status)
    return envelope(status, params["msg"], status=status)


def _truncated(response: Response) -> Response:
    """The same answer cut in half: a JSON object missing its end never parses."""
    cut = response.body[: max(1, len(response.body) // 2)]
    return Response(status=response.status, body=cut, content_type=response.content_type, code=response.code)
