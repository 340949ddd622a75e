"""The still pictures a simulated video is made of, drawn with Pillow.

Each card shows what was asked (the prompt, the input images, model, aspect ratio, seed, task id), so that a
person watching the demo sees which request a video belongs to. Text uses Noto Sans CJK when the system has it
(Debian's fonts-noto-cjk: Latin with accents, Chinese, Japanese, Korean), else Pillow's bundled font, which draws
ASCII only (accents are dropped, other scripts shown as "?").
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps

TEXT = "TEXT_2_VIDEO"
FRAMES = "FIRST_AND_LAST_FRAMES_2_VIDEO"
REFERENCE = "REFERENCE_2_VIDEO"
EXTENSION = "EXTEND"

WHITE = (255, 255, 255)
SOFT = (220, 226, 236)
SHADE = (0, 0, 0, 150)


@dataclass(frozen=True)
class RenderSpec:
    task_id: str
    prompt: str
    mode: str
    model: str
    aspect_ratio: str  # resolved: "16:9" or "9:16"
    seed: int
    watermark: str | None = None
    images: tuple[Path, ...] = ()
    source_task_id: str | None = None


def cards_for(spec: RenderSpec, size: tuple[int, int], resolution: str) -> list[Image.Image]:
    """One card (shown throughout) or two (the first fading into the second)."""
    images = [_load(path) for path in spec.images]
    if spec.mode == FRAMES and len(images) == 2:
        bodies = [_image_card(size, images[0], "First frame"), _image_card(size, images[1], "Last frame")]
    elif spec.mode == FRAMES and images:
        bodies = [_image_card(size, images[0], "First frame"), None]
    elif spec.mode == REFERENCE and images:
        bodies = [_references_card(size, images)]
    else:
        bodies = [None]
    # None stands for the prompt card, which shows the prompt large and needs no caption of it.
    return [
        _decorate(_prompt_card(spec, size), spec, resolution, caption=False)
        if body is None
        else _decorate(body, spec, resolution, caption=True)
        for body in bodies
    ]


def _load(path: Path) -> Image.Image:
    with Image.open(path) as image:
        return ImageOps.exif_transpose(image).convert("RGB")


def _unit(size: tuple[int, int]) -> float:
    """Sizes are designed for 720p and scaled from there."""
    return min(size) / 720


# Noto Sans CJK SC (index 2 of the collection) draws every script a prompt in veoui's languages uses.
SYSTEM_FONT = (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), 2)


@lru_cache(maxsize=1)
def _system_font() -> bool:
    return SYSTEM_FONT[0].is_file()


@lru_cache(maxsize=64)
def _font(pixels: int) -> ImageFont.FreeTypeFont:
    if _system_font():
        try:
            return ImageFont.truetype(str(SYSTEM_FONT[0]), max(pixels, 8), index=SYSTEM_FONT[1])
        except OSError:
            pass
    return ImageFont.load_default(size=max(pixels, 8))


def _background(spec: RenderSpec, size: tuple[int, int]) -> Image.Image:
    # Colours come from the task id, so two videos side by side look different.
    digest = hashlib.sha256(spec.task_id.encode()).digest()
    dark = (digest[0] // 5, digest[1] // 5, 40 + digest[2] // 4)
    light = (60 + digest[3] // 3, 60 + digest[4] // 3, 90 + digest[5] // 3)
    gradient = Image.linear_gradient("L").resize(size)
    return ImageOps.colorize(gradient, dark, light)


def _prompt_card(spec: RenderSpec, size: tuple[int, int]) -> Image.Image:
    card = _background(spec, size)
    unit = _unit(size)
    width = size[0] - int(120 * unit)
    font = _font(int(46 * unit))
    title = "Extension" if spec.mode == EXTENSION else "Prompt"
    lines = [title, *wrap(spec.prompt, font, width, max_lines=6)]
    line_height = int(62 * unit)
    # Centred between the header band that _decorate adds and the stamp strip the encoder lays over.
    free_top, free_bottom = int(56 * unit), stamp_box(size)[1]
    top = free_top + (free_bottom - free_top - line_height * len(lines)) // 2
    draw = ImageDraw.Draw(card)
    for number, line in enumerate(lines):
        colour = SOFT if number == 0 else WHITE
        draw.text((int(60 * unit), top + number * line_height), line, font=font, fill=colour)
    return card


def _image_card(size: tuple[int, int], image: Image.Image, caption: str) -> Image.Image:
    # Veo crops an input frame to the video's shape, so the card does the same.
    card = ImageOps.fit(image, size, method=Image.Resampling.BILINEAR)
    unit = _unit(size)
    font = _font(int(36 * unit))
    top = int(72 * unit)
    _band(card, (0, top, int(font.getlength(caption) + 56 * unit), top + int(56 * unit)))
    ImageDraw.Draw(card).text((int(28 * unit), top + int(8 * unit)), caption, font=font, fill=WHITE)
    return card


def _references_card(size: tuple[int, int], images: list[Image.Image]) -> Image.Image:
    card = Image.new("RGB", size, (24, 26, 32))
    unit = _unit(size)
    gap = int(24 * unit)
    landscape = size[0] >= size[1]
    # References sit side by side in a wide video and stacked in a tall one.
    if landscape:
        cell = ((size[0] - gap * (len(images) + 1)) // len(images), int(size[1] * 0.62))
    else:
        cell = (size[0] - 2 * gap, (int(size[1] * 0.70) - gap * (len(images) + 1)) // len(images))
    for number, image in enumerate(images):
        picture = ImageOps.contain(image, cell, method=Image.Resampling.BILINEAR)
        if landscape:
            left = gap + number * (cell[0] + gap) + (cell[0] - picture.width) // 2
            top = int(110 * unit) + (cell[1] - picture.height) // 2
        else:
            left = gap + (cell[0] - picture.width) // 2
            top = int(110 * unit) + number * (cell[1] + gap) + (cell[1] - picture.height) // 2
        card.paste(picture, (left, top))
    return card


def _decorate(card: Image.Image, spec: RenderSpec, resolution: str, caption: bool) -> Image.Image:
    """The parts every card has: what was asked on top, the prompt and the watermark below."""
    size = card.size
    unit = _unit(size)
    margin = int(28 * unit)
    small = _font(int(24 * unit))
    _band(card, (0, 0, size[0], int(56 * unit)))
    _band(card, (0, size[1] - int(150 * unit), size[0], size[1]))
    draw = ImageDraw.Draw(card)
    header = f"Simulated Veo 3.1 | {spec.model} | {spec.aspect_ratio} | {resolution}"
    draw.text((margin, int(14 * unit)), drawable(header), font=small, fill=SOFT)
    badge = {"1080p": "1080P", "4k": "4K"}.get(resolution)
    if badge:
        font = _font(int(64 * unit))
        right = size[0] - margin - int(font.getlength(badge))
        draw.text((right, int(70 * unit)), badge, font=font, fill=WHITE)
    caption_font = _font(int(28 * unit))
    prompt = wrap(spec.prompt, caption_font, size[0] - 2 * margin, max_lines=2) if caption else []
    for number, line in enumerate(prompt):
        draw.text((margin, size[1] - int((140 - 36 * number) * unit)), line, font=caption_font, fill=WHITE)
    footer = f"task {spec.task_id} | seed {spec.seed}"
    if spec.source_task_id:
        footer += f" | extends {spec.source_task_id}"
    draw.text((margin, size[1] - int(50 * unit)), footer, font=small, fill=SOFT)
    if spec.watermark:
        font = _font(int(34 * unit))
        text = drawable(spec.watermark)
        right = size[0] - margin - int(font.getlength(text))
        draw.text((right, size[1] - int(56 * unit)), text, font=font, fill=WHITE)
    return card


def _band(card: Image.Image, box: tuple[int, int, int, int]) -> None:
    """Darken a strip of the card so text stays readable over any picture."""
    region = card.crop(box).convert("RGBA")
    shade = Image.new("RGBA", region.size, SHADE)
    card.paste(Image.alpha_composite(region, shade).convert("RGB"), box[:2])


def drawable(text: str) -> str:
    """The text as the font in use can draw it."""
    return text if _system_font() else ascii_text(text)


def ascii_text(text: str) -> str:
    """What the bundled font can draw: accents dropped, anything else a question mark."""
    folded = unicodedata.normalize("NFKD", text)
    kept = "".join(char for char in folded if not unicodedata.combining(char))
    return "".join(char if 32 <= ord(char) < 127 else "?" for char in kept)


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int, max_lines: int) -> list[str]:
    """Greedy word wrap to ``width`` pixels; the last kept line ends in "..." when text is cut."""
    lines: list[str] = []
    current = ""
    for word in drawable(text).split():
        if len(lines) > max_lines:
            break  # the rest would be cut anyway
        trial = f"{current} {word}".strip()
        if font.getlength(trial) <= width:
            current = trial
            continue
        if current:
            lines.append(current)
        current = word
        while font.getlength(current) > width and len(current) > 1 and len(lines) <= max_lines:
            cut = _longest_prefix(current, font, width)
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and font.getlength(last + "...") > width:
            last = last[:-1]
        lines[-1] = last + "..."
    return lines


def _longest_prefix(word: str, font: ImageFont.FreeTypeFont, width: int) -> int:
    """How many characters of ``word`` fit in ``width`` (at least one); a word in Chinese is a whole sentence."""
    low, high = 1, len(word)
    while low < high:
        middle = (low + high + 1) // 2
        if font.getlength(word[:middle]) <= width:
            low = middle
        else:
            high = middle - 1
    return low


# ----- the running stamp: what frame this is, to be read by eye or by a test

STAMP_BITS = 16
STAMP_TRACK, STAMP_TEXT, STAMP_CODE = 22, 70, 30  # the strip's rows, in 720p units
STAMP_HEIGHT = STAMP_TRACK + STAMP_TEXT + STAMP_CODE
STAMP_BOTTOM = 150  # the strip sits on the footer band
STAMP_SWEEP_SECONDS = 4.0  # the sliding square crosses and comes back in this time
STAMP_MARGIN = 28


def stamp_box(size: tuple[int, int]) -> tuple[int, int, int, int]:
    """Where the stamp strip goes in a frame of ``size``: left, top, right, bottom."""
    unit = _unit(size)
    bottom = size[1] - int(STAMP_BOTTOM * unit)
    return 0, bottom - int(STAMP_HEIGHT * unit), size[0], bottom


def stamp(size: tuple[int, int], fps: int, frame: int) -> Image.Image:
    """The strip laid over frame ``frame``: a sliding square, the timecode, the frame number and its binary code.

    The code is a row of black (0) and white (1) cells, most significant bit first, so a test can read the
    frame number back from a decoded frame at any scale (``read_stamp``).
    """
    left, top, right, bottom = stamp_box(size)
    unit = _unit(size)
    strip = Image.new("RGBA", (right - left, bottom - top), SHADE)
    draw = ImageDraw.Draw(strip)
    seconds = frame / fps
    side = int(STAMP_TRACK * unit * 0.8)
    phase = (seconds % STAMP_SWEEP_SECONDS) / STAMP_SWEEP_SECONDS
    travel = strip.width - side
    x = int(travel * (2 * phase if phase < 0.5 else 2 - 2 * phase))
    pad = (int(STAMP_TRACK * unit) - side) // 2
    draw.rectangle((x, pad, x + side - 1, pad + side - 1), fill=(255, 214, 10, 255))
    pixels = int(56 * unit)
    margin = int(STAMP_MARGIN * unit)
    text_top = int(STAMP_TRACK * unit)
    _paste_text(strip, (margin, text_top), timecode(seconds), pixels)
    label = f"frame {frame}"
    _paste_text(strip, (strip.width - margin - sum(_glyph(c, pixels).width for c in label), text_top), label, pixels)
    for bit, cell in enumerate(_stamp_cells(strip.size, unit)):
        on = frame >> (STAMP_BITS - 1 - bit) & 1
        draw.rectangle(cell, fill=(255, 255, 255, 255) if on else (0, 0, 0, 255))
    return strip


def read_stamp(frame: Image.Image) -> int:
    """The frame number a decoded frame of a simulated clip shows (the frame as the clip has it, any scale)."""
    left, top, right, bottom = stamp_box(frame.size)
    grey = frame.convert("L")
    number = 0
    for cell_left, cell_top, cell_right, cell_bottom in _stamp_cells((right - left, bottom - top), _unit(frame.size)):
        # The middle of the cell, away from edges that compression blurs.
        middle = (left + (cell_left + cell_right) // 2, top + (cell_top + cell_bottom) // 2)
        number = number * 2 + (grey.getpixel(middle) >= 128)
    return number


def timecode(seconds: float) -> str:
    """HH:MM:SS.mmm"""
    whole, millis = divmod(round(seconds * 1000), 1000)
    return f"{whole // 3600:02}:{whole // 60 % 60:02}:{whole % 60:02}.{millis:03}"


def _paste_text(strip: Image.Image, at: tuple[int, int], text: str, pixels: int) -> None:
    # Glyph by glyph from a cache: drawing the text afresh on every frame of a 4K clip is slow.
    x, y = at
    for char in text:
        glyph = _glyph(char, pixels)
        strip.paste(WHITE, (x, y, x + glyph.width, y + glyph.height), glyph)
        x += glyph.width


@lru_cache(maxsize=256)
def _glyph(char: str, pixels: int) -> Image.Image:
    font = _font(pixels)
    glyph = Image.new("L", (max(1, round(font.getlength(char))), int(pixels * 1.3)))
    ImageDraw.Draw(glyph).text((0, 0), char, font=font, fill=255)
    return glyph


def _stamp_cells(strip: tuple[int, int], unit: float) -> list[tuple[int, int, int, int]]:
    margin = int(STAMP_MARGIN * unit)
    width = (strip[0] - 2 * margin) / STAMP_BITS
    top = int((STAMP_TRACK + STAMP_TEXT) * unit)
    bottom = strip[1] - int(6 * unit)
    gap = max(1, int(width * 0.15))
    edges = [margin + int(bit * width) for bit in range(STAMP_BITS + 1)]
    return [(edges[bit] + gap, top, edges[bit + 1] - gap, bottom) for bit in range(STAMP_BITS)]
