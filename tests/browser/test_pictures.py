"""Every way a member adds a picture (dropping it, pasting it, pasting its address), each to a finished video, and
every picture refused with a message next to the pictures, in the member's language, whoever refused it: the
browser's own checks at once, the server's after Generate (with and without JavaScript). The pictures that were
fine stay in the form.
"""

from __future__ import annotations

import base64
import io
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import login_context, screenshot
from tests.browser.test_create import watch_until_playing
from tests.support import picture
from veoui.studio.models import Generation, Status
from veoui.team.models import Membership

pytestmark = pytest.mark.browser

PRIVATE_ADDRESS = "http://10.0.0.7/holiday.png"
PRIVATE_REFUSAL = "kie.ai can't reach pictures on a private network"


def png(width: int = 1280, height: int = 720, color: str = "#3366cc") -> bytes:
    return picture(width, height, color=color).getvalue()


def noisy_png(side: int) -> bytes:
    """A real picture that doesn't compress: about 3 bytes a pixel."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, "PNG")
    return buffer.getvalue()


# What a person's computer hands the page for each file: its name, the type it guesses from the name, the bytes.
GOOD = ("beach.png", "image/png", png())
TEXT_AS_PNG = ("notes.png", "image/png", b"Shopping list: eggs, milk, bread.\n" * 20)
TINY = ("icon.png", "image/png", png(100, 100))
GIF = ("party.gif", "image/gif", picture(640, 360, "GIF").getvalue())
HEIC = ("IMG_0042.heic", "image/heic", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(4000))


def file_list(files: list[tuple[str, str, bytes]]) -> list[dict]:
    return [{"name": n, "type": t, "data": base64.b64encode(b).decode()} for n, t, b in files]


# A DataTransfer built in the page from the files' bytes, as the browser builds one for a drop or a paste.
TRANSFER = """files => {
    const transfer = new DataTransfer();
    for (const file of files) {
        const bytes = Uint8Array.from(atob(file.data), (c) => c.charCodeAt(0));
        transfer.items.add(new File([bytes], file.name, { type: file.type }));
    }
    return transfer;
}"""


def drop(page: Page, files: list[tuple[str, str, bytes]], zone_text: str = "Drop pictures here") -> None:
    """Drag the files over the drop zone and let go: the events a browser sends for a drop from the desktop."""
    transfer = page.evaluate_handle(TRANSFER, file_list(files))
    zone = page.get_by_text(zone_text)
    for kind in ("dragenter", "dragover", "drop"):
        zone.dispatch_event(kind, {"dataTransfer": transfer})


def paste(target: Locator, files: list[tuple[str, str, bytes]]) -> None:
    """Paste files copied elsewhere while ``target`` has the focus (a paste event carrying them)."""
    target.focus()
    target.evaluate(
        f"""(element, files) => {{
            const transfer = ({TRANSFER})(files);
            const init = {{ clipboardData: transfer, bubbles: true, cancelable: true }};
            element.dispatchEvent(new ClipboardEvent("paste", init));
        }}""",
        file_list(files),
    )


def pictures_message(page: Page, group: str = "Images") -> Locator:
    """The message next to the pictures, inside the Images group (which names it as its description)."""
    return page.get_by_role("group", name=group).locator("[data-error-for=images]")


def form_sent_back(page: Page) -> None:
    """Wait until the form the server sent back after Generate is set up by the page's script."""
    expect(page.locator("#generate-form[data-returned]")).to_have_attribute("data-ready", "1")


def expect_announced(page: Page) -> None:
    message = pictures_message(page)
    assert message.get_attribute("role") == "alert" or message.get_attribute("aria-live")
    described = page.get_by_role("group", name="Images").get_attribute("aria-describedby") or ""
    assert message.get_attribute("id") in described.split()


def finished(generation_count: int = 1) -> Generation:
    generations = Generation.objects.order_by("pk")
    assert generations.count() == generation_count
    generation = generations.last()
    assert generation.status == Status.SUCCEEDED
    return generation


# --- every way to add a picture, to a finished video ------------------------------------------------------------


def test_it_makes_a_video_from_a_dropped_picture(desktop: Page, kie) -> None:
    page = desktop
    page.goto("/studio/frames/")
    page.get_by_label("Prompt", exact=True).fill("The tide comes in over the sand")
    drop(page, [GOOD])
    expect(page.get_by_role("img", name="First frame")).to_be_visible()
    page.get_by_role("button", name="Generate").click()
    watch_until_playing(page)
    generation = finished()
    [image] = generation.images.all()
    assert (image.role, image.width, image.height, image.source_url) == ("first", 1280, 720, "")
    assert len(kie.control.requests("upload-stream")) == 1
    [sent] = kie.control.requests("generate")
    assert len(sent["body"]["imageUrls"]) == 1


def test_it_makes_a_video_from_a_pasted_picture(desktop: Page, kie) -> None:
    page = desktop
    page.goto("/studio/reference/")
    prompt = page.get_by_label("Prompt", exact=True)
    prompt.fill("A blue mug on a wooden table, turning slowly")
    paste(prompt, [("image.png", "image/png", png(900, 900, "#2255aa"))])
    expect(page.get_by_role("img", name="Reference 1")).to_be_visible()
    expect(prompt).to_have_value("A blue mug on a wooden table, turning slowly")  # the picture isn't pasted as text
    page.get_by_role("button", name="Generate").click()
    watch_until_playing(page)
    generation = finished()
    assert [(i.role, i.width) for i in generation.images.all()] == [("reference", 900)]
    [sent] = kie.control.requests("generate")
    assert len(sent["body"]["imageUrls"]) == 1


class PictureHost(BaseHTTPRequestHandler):
    """A web server with one picture on it, standing in for a picture on the web that kie.ai downloads."""

    body = png(1280, 720, "#cc6633")

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def picture_on_the_web(settings) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), PictureHost)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host = f"127.0.0.1:{server.server_address[1]}"
    settings.VEOUI_ALLOWED_IMAGE_HOSTS = [host]  # a test address; a real one would be public
    yield f"http://{host}/holiday.png"
    server.shutdown()
    server.server_close()


def test_it_makes_a_video_from_a_pasted_address(desktop: Page, kie, picture_on_the_web: str) -> None:
    page = desktop
    page.goto("/studio/frames/")
    page.get_by_label("Prompt", exact=True).fill("A sunny street slowly fills with people")
    page.get_by_label("Or paste a picture's web address").fill(picture_on_the_web)
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("img", name="First frame")).to_have_count(1)
    expect(page.get_by_label("Or paste a picture's web address")).to_have_value("")
    page.get_by_role("button", name="Generate").click()
    watch_until_playing(page)
    generation = finished()
    assert [(i.role, i.source_url, bool(i.file)) for i in generation.images.all()] == [
        ("first", picture_on_the_web, False)
    ]
    [sent] = kie.control.requests("generate")
    assert sent["body"]["imageUrls"] == [picture_on_the_web]
    assert not kie.control.requests("upload-stream")  # kie.ai fetches the address itself


# --- the browser's own checks -----------------------------------------------------------------------------------

REFUSED = {
    "text renamed .png": (
        TEXT_AS_PNG,
        "notes.png: This file isn't a picture veoui can use. Use a JPEG, PNG or WebP image.",
    ),
    "100x100 picture": (TINY, "icon.png: This picture is only 100×100 pixels; use one at least 256 on each side."),
    "GIF": (GIF, "party.gif: This file isn't a picture veoui can use. Use a JPEG, PNG or WebP image."),
    "HEIC": (HEIC, "IMG_0042.heic: This file isn't a picture veoui can use. Use a JPEG, PNG or WebP image."),
}


@pytest.mark.parametrize("kind", REFUSED)
def test_it_explains_a_refused_dropped_picture_and_keeps_the_good_one(desktop: Page, kind: str) -> None:
    page = desktop
    page.goto("/studio/reference/")
    refused, message = REFUSED[kind]
    drop(page, [GOOD, refused])
    expect(pictures_message(page)).to_have_text(message)
    expect_announced(page)
    expect(page.locator(".thumb")).to_have_count(1)
    expect(page.get_by_role("img", name="Reference 1")).to_be_visible()
    # Still there after the picture list is drawn again (moving, removing or adding another).
    drop(page, [("sea.png", "image/png", png(color="#118844"))])
    expect(page.locator(".thumb")).to_have_count(2)
    page.get_by_role("button", name="Remove: Reference 2").click()
    expect(page.locator(".thumb")).to_have_count(1)
    expect(pictures_message(page)).to_have_text("")  # the last pictures added were all fine


def test_it_explains_each_of_several_refused_pictures_at_once(desktop: Page) -> None:
    page = desktop
    page.goto("/studio/reference/")
    drop(page, [TEXT_AS_PNG, GOOD, TINY, GIF, HEIC])
    for _kind, (_file, message) in REFUSED.items():
        expect(pictures_message(page)).to_contain_text(message)
    expect(page.locator(".thumb")).to_have_count(1)
    screenshot(page, "pictures-refused-1280")


def test_it_explains_a_picture_over_the_size_limit(desktop: Page, settings) -> None:
    settings.VEOUI_UPLOAD_MAX_MB = 1
    page = desktop
    page.goto("/studio/frames/")
    big = noisy_png(700)
    assert len(big) > 1024 * 1024
    page.locator("[data-picker]").set_input_files(
        [
            {"name": "scan.png", "mimeType": "image/png", "buffer": big},
            {"name": "ok.png", "mimeType": "image/png", "buffer": png()},
        ]
    )
    expect(pictures_message(page)).to_have_text(
        "scan.png: This picture is larger than 1 MB. Save it smaller and add it again."
    )
    expect(page.get_by_role("img", name="First frame")).to_be_visible()
    expect(page.locator(".thumb")).to_have_count(1)


def test_it_explains_a_refused_pasted_picture(desktop: Page) -> None:
    page = desktop
    page.goto("/studio/frames/")
    paste(page.get_by_label("Prompt", exact=True), [("image.gif", "image/gif", GIF[2])])
    expect(pictures_message(page)).to_have_text(
        "image.gif: This file isn't a picture veoui can use. Use a JPEG, PNG or WebP image."
    )
    expect(page.locator(".thumb")).to_have_count(0)


def test_it_explains_an_address_that_isnt_one(desktop: Page) -> None:
    page = desktop
    page.goto("/studio/frames/")
    page.get_by_label("Or paste a picture's web address").fill("holiday.png")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(pictures_message(page)).to_have_text("That isn't a web address. It should start with https://")
    expect(page.locator(".thumb")).to_have_count(0)


# --- the server's checks, after Generate --------------------------------------------------------------------------


def test_it_explains_a_private_address_after_generate_and_keeps_the_other_pictures(desktop: Page, kie) -> None:
    page = desktop
    page.goto("/studio/reference/")
    page.get_by_label("Prompt", exact=True).fill("Two friends wave from a boat")
    drop(page, [GOOD])
    page.get_by_label("Or paste a picture's web address").fill(PRIVATE_ADDRESS)
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator(".thumb")).to_have_count(2)
    page.get_by_role("button", name="Generate").click()
    form_sent_back(page)
    expect(pictures_message(page)).to_contain_text(f"Picture 2: {PRIVATE_REFUSAL}")
    expect(pictures_message(page)).to_contain_text(PRIVATE_ADDRESS)
    expect_announced(page)
    assert not Generation.objects.exists()
    assert not kie.control.requests("generate")
    # The dropped picture is still there; the refused address is gone, so Generate now makes the video.
    expect(page.locator(".thumb")).to_have_count(1)
    expect(page.get_by_role("img", name="Reference 1")).to_be_visible()
    screenshot(page, "pictures-server-refused-1280")
    page.get_by_role("button", name="Generate").click()
    watch_until_playing(page)
    generation = finished()
    assert [(i.role, i.width, i.source_url) for i in generation.images.all()] == [("reference", 1280, "")]


def test_it_keeps_the_pictures_when_the_server_sends_the_form_back_for_another_reason(desktop: Page, person) -> None:
    page = desktop
    Membership.for_user(person)
    Membership.objects.filter(user=person).update(monthly_budget=10)
    page.goto("/studio/frames/")
    page.get_by_label("Prompt", exact=True).fill("Snow falls on a quiet street")
    drop(page, [GOOD, ("night.png", "image/png", png(color="#112233"))])
    expect(page.locator(".thumb")).to_have_count(2)
    page.get_by_role("button", name="Generate").click()
    form_sent_back(page)
    expect(page.get_by_role("alert").filter(has_text="This video would cost 60 credits")).to_be_visible()
    expect(page.get_by_role("img", name="First frame")).to_be_visible()
    expect(page.get_by_role("img", name="Last frame")).to_be_visible()
    expect(pictures_message(page)).to_have_text("")
    assert not Generation.objects.exists()
    Membership.objects.filter(user=person).update(monthly_budget=None)
    page.get_by_role("button", name="Generate").click()
    expect(page.locator(".recent-list .gen-card")).to_have_count(1)
    assert [(i.role, i.width) for i in Generation.objects.get().images.all()] == [("first", 1280), ("last", 1280)]


def test_it_explains_a_refused_picture_without_javascript(playwright_browser, live_server, person, tmp_path) -> None:
    context = login_context(
        playwright_browser, live_server, person, java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto("/studio/frames/")
    page.get_by_label("Prompt", exact=True).fill("A kite over the hills")
    (tmp_path / "icon.png").write_bytes(TINY[2])
    page.get_by_label("Picture 1", exact=True).set_input_files(str(tmp_path / "icon.png"))
    page.get_by_label("Picture 2 address").fill(PRIVATE_ADDRESS)
    page.get_by_role("button", name="Generate").click()
    message = pictures_message(page)
    expect(message).to_contain_text("Picture 1: This picture is only 100×100 pixels; use one at least 256 on each side")
    expect(message).to_contain_text("(icon.png)")
    expect(message).to_contain_text(f"Picture 2: {PRIVATE_REFUSAL}")
    expect(page.get_by_label("Picture 2 address")).to_have_value(PRIVATE_ADDRESS)  # there to correct
    expect_announced(page)
    assert not Generation.objects.exists()
    context.close()


# --- in the member's language, on a phone too ---------------------------------------------------------------------


def test_it_explains_refusals_in_chinese_and_in_spanish(desktop: Page, person, kie) -> None:
    page = desktop
    Membership.for_user(person)
    Membership.objects.filter(user=person).update(language="zh-hans")
    page.goto("/studio/reference/")
    drop(page, [GIF, TINY], "把图片拖到这里")
    message = pictures_message(page, "图片")
    expect(message).to_contain_text("party.gif：这个文件不是 veoui 可用的图片。请使用 JPEG、PNG 或 WebP 图片。")
    expect(message).to_contain_text("icon.png：这张图片只有 100×100 像素")
    screenshot(page, "pictures-refused-zh-hans-1280")

    Membership.objects.filter(user=person).update(language="es")
    page.goto("/studio/reference/")
    page.get_by_label("Prompt", exact=True).fill("Dos amigos saludan desde un barco")
    drop(page, [GOOD], "Suelta aquí las imágenes")
    page.get_by_label("O pega la dirección web de una imagen").fill(PRIVATE_ADDRESS)
    page.get_by_role("button", name="Añadir", exact=True).click()
    page.get_by_role("button", name="Generar", exact=True).click()
    form_sent_back(page)
    message = pictures_message(page, "Imágenes")
    expect(message).to_contain_text("Imagen 2: kie.ai no puede acceder a imágenes de una red privada.")
    expect(message).to_contain_text(f"({PRIVATE_ADDRESS})")
    expect(page.locator(".thumb")).to_have_count(1)
    screenshot(page, "pictures-server-refused-es-1280")
    assert not Generation.objects.exists()


def test_it_shows_the_refusals_on_a_phone(phone: Page, kie) -> None:
    page = phone
    page.goto("/studio/reference/")
    drop(page, [TEXT_AS_PNG, GOOD, TINY, GIF, HEIC])
    expect(page.locator(".thumb")).to_have_count(1)
    for _kind, (_file, message) in REFUSED.items():
        expect(pictures_message(page)).to_contain_text(message)
    pictures_message(page).scroll_into_view_if_needed()
    screenshot(page, "pictures-refused-390")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px phone"
