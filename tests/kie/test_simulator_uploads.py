"""The simulator's upload host: three ways to upload, kie.ai's answers, and its firewall."""

import base64
import http.client
import io
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from PIL import Image

TIMEOUT = 10
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "kie"
PRODUCT_AGENT = "veoui-tests/1.0"
UPLOADED_AT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def png(colour=(200, 40, 40), size=(64, 36)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def upload(sim, route: str, headers: dict | None = None, **kwargs) -> requests.Response:
    sent = {**sim.auth, "User-Agent": PRODUCT_AGENT, **(headers or {})}
    return requests.post(f"{sim.url}/api/{route}", headers=sent, timeout=TIMEOUT, **kwargs)


def check_success(sim, answer: requests.Response, name: str, content: bytes) -> dict:
    assert answer.status_code == 200
    body = answer.json()
    assert list(body) == list(fixture("upload_ok.json"))
    assert (body["success"], body["code"], body["msg"]) == (True, 200, "File uploaded successfully")
    data = body["data"]
    assert set(data) == set(fixture("upload_ok.json")["data"])
    assert data["fileName"] == name and data["filePath"] == f"images/user-uploads/{name}"
    assert data["fileSize"] == len(content) and data["mimeType"] == "image/png"
    assert UPLOADED_AT.fullmatch(data["uploadedAt"])
    assert data["downloadUrl"].startswith(sim.url)
    assert requests.get(data["downloadUrl"], timeout=TIMEOUT).content == content
    return data


def test_it_uploads_a_stream(sim):
    content = png()
    answer = upload(
        sim,
        "file-stream-upload",
        files={"file": ("cat.png", content, "image/png")},
        data={"uploadPath": "images/user-uploads", "fileName": "a.png"},
    )
    check_success(sim, answer, "a.png", content)
    [logged] = sim.control.requests("upload-stream")
    assert logged["body"]["file"] == {"filename": "cat.png", "contentType": "image/png", "size": len(content)}


def test_it_uploads_base64_raw_or_as_a_data_url(sim):
    content = png()
    encoded = base64.b64encode(content).decode()
    for name, data in (("raw.png", encoded), ("url.png", f"data:image/png;base64,{encoded}")):
        body = {"base64Data": data, "uploadPath": "images/user-uploads", "fileName": name}
        check_success(sim, upload(sim, "file-base64-upload", json=body), name, content)


def test_it_uploads_from_a_url(sim):
    content = png((10, 200, 10))
    body = {
        "base64Data": base64.b64encode(content).decode(),
        "uploadPath": "images/user-uploads",
        "fileName": "s.png",
    }
    source = upload(sim, "file-base64-upload", json=body).json()["data"]["downloadUrl"]
    answer = upload(
        sim,
        "file-url-upload",
        json={"fileUrl": source, "uploadPath": "images/user-uploads", "fileName": "copy.png"},
    )
    check_success(sim, answer, "copy.png", content)
    unreachable = {"fileUrl": "http://127.0.0.1:9/nothing.png", "uploadPath": "images/user-uploads"}
    assert upload(sim, "file-url-upload", json=unreachable).json()["code"] == 500


@pytest.mark.parametrize(
    ("route", "kwargs"),
    [
        ("file-stream-upload", {"files": {"file": ("a.png", b"x", "image/png")}}),
        ("file-base64-upload", {"json": {"base64Data": "eA==", "fileName": "a.png"}}),
        ("file-url-upload", {"json": {"fileUrl": "http://example.com/a.png"}}),
    ],
)
def test_it_requires_an_upload_path(sim, route, kwargs):
    answer = upload(sim, route, **kwargs)
    assert answer.status_code == 400
    assert answer.json() == fixture("upload_missing_path.json")


def test_it_refuses_uploads_with_a_bad_key(sim):
    body = {"base64Data": "eA==", "uploadPath": "images", "fileName": "a.png"}
    answer = upload(sim, "file-base64-upload", headers={"Authorization": "Bearer nope"}, json=body)
    assert answer.status_code == 401
    assert answer.json() == fixture("upload_bad_key.json")


@pytest.mark.parametrize("agent", ["python-requests/2.34.2", "python-urllib3/2.8.0", "curl/8.5.0", ""])
def test_it_answers_403_html_to_uploads_with_a_library_user_agent(sim, agent):
    body = {"base64Data": "eA==", "uploadPath": "images", "fileName": "a.png"}
    answer = upload(sim, "file-base64-upload", headers={"User-Agent": agent}, json=body)
    assert answer.status_code == 403
    assert answer.headers["Content-Type"].startswith("text/html")
    with pytest.raises(ValueError):
        answer.json()


def test_it_answers_403_html_to_uploads_without_a_user_agent(sim):
    # http.client, unlike requests and urllib3, sends no User-Agent of its own.
    connection = http.client.HTTPConnection(urlsplit(sim.url).netloc, timeout=TIMEOUT)
    body = json.dumps({"base64Data": "eA==", "uploadPath": "images", "fileName": "a.png"})
    connection.request("POST", "/api/file-base64-upload", body, {**sim.auth, "Content-Type": "application/json"})
    answer = connection.getresponse()
    assert answer.status == 403
    assert answer.read().lstrip().startswith(b"<html>")
    [logged] = sim.control.requests("upload-base64")
    assert "User-Agent" not in logged["headers"]


def test_it_refuses_upload_paths_that_climb_out(sim):
    body = {"base64Data": "eA==", "uploadPath": "../../etc", "fileName": "a.png"}
    assert upload(sim, "file-base64-upload", json=body).status_code == 400
