"""A pasted picture address, checked at once: what the form would say about it on Generate, said before it.

The address goes through the same private-address guard as the form's (``forms.refuse_private_address``), and
each hop is fetched from the address that was checked, so a name can't answer "public" to the check and then
lead into this server's network. What comes back is decoded with the same limits as an upload, and a small
thumbnail of it is shown; veoui keeps nothing of it.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3
from django import forms as django_forms
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _
from PIL import Image

from veoui.common import addresses
from veoui.kie.transport import Deadline, DeadlinePassed, NoConnection, pinned_get
from veoui.studio.forms import PICTURE_REFUSALS, inspect_image, picture_hosts, refuse_private_address

MAX_REDIRECTS = 3
REDIRECTS = {301, 302, 303, 307, 308}
DEADLINE_SECONDS = 10.0
THUMB_SIDE = 240
# Each person may have this many addresses checked per minute: enough for pasting, not for scanning a network.
CHECKS_PER_MINUTE = 20


class Unusable(Exception):
    """The address can't be used as a picture; the message says why, in plain words."""


@dataclass(frozen=True)
class Checked:
    thumbnail: str = ""  # a data: address of a small JPEG
    message: str = ""
    width: int = 0
    height: int = 0


def allowed(user_id: int) -> bool:
    """Whether this person may have one more address checked this minute (counted in Django's cache)."""
    key = f"veoui:picture-check:{user_id}"
    cache.add(key, 0, timeout=60)
    try:
        return cache.incr(key) <= CHECKS_PER_MINUTE
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=60)
        return True


def check(url: str) -> Checked:
    url = url.strip()
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return Checked(message=_("That isn't a web address. It should start with https://"))
    if refusal := refuse_private_address(url):
        return Checked(message=refusal)
    try:
        with Deadline(DEADLINE_SECONDS):
            content = fetch(url)
    except Unusable as problem:
        return Checked(message=str(problem))
    except (DeadlinePassed, urllib3.exceptions.HTTPError, OSError):
        return Checked(message=unreachable())
    upload = SimpleUploadedFile("picture", content)
    try:
        width, height = inspect_image(upload)
    except django_forms.ValidationError as refusal:
        return Checked(message=" ".join(refusal.messages))
    return Checked(thumbnail=thumbnail(content), width=width, height=height)


def unreachable() -> str:
    return _("veoui couldn't open this address. Check that it opens in your browser, or upload the file.")


def fetch(url: str) -> bytes:
    """The body at the end of ``url``'s redirects, each hop checked first; at most the upload limit."""
    limit = settings.VEOUI_UPLOAD_MAX_MB * 1024 * 1024
    for _hop in range(MAX_REDIRECTS + 1):
        with opened(url) as response:
            if response.status in REDIRECTS and response.headers.get("Location"):
                url = urljoin(url, response.headers["Location"])
                continue
            if response.status != 200:
                raise Unusable(unreachable())
            body = response.read(limit + 1)
        if len(body) > limit:
            raise Unusable(PICTURE_REFUSALS["tooLarge"] % {"mb": settings.VEOUI_UPLOAD_MAX_MB})
        return body
    raise Unusable(unreachable())


@contextmanager
def opened(url: str) -> Iterator[urllib3.BaseHTTPResponse]:
    """One GET of ``url`` from an address of its host that was checked (a redirect's target is checked anew)."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise Unusable(_("That isn't a web address. It should start with https://"))
    try:
        target = addresses.check(url, allowed=picture_hosts(), timeout=settings.VEOUI_NAME_LOOKUP_TIMEOUT)
    except addresses.PrivateAddress:
        raise Unusable(refuse_private_address(url)) from None
    except addresses.AddressRefused:
        raise Unusable(unreachable()) from None
    headers = {"Host": parts.netloc.rpartition("@")[2], "User-Agent": "veoui", "Accept": "image/*"}
    try:
        with pinned_get(parts, target, headers, settings.KIE_CONNECT_TIMEOUT, settings.KIE_READ_TIMEOUT) as response:
            yield response
    except NoConnection:
        raise Unusable(unreachable()) from None


def thumbnail(content: bytes) -> str:
    with Image.open(io.BytesIO(content)) as image:
        image.thumbnail((THUMB_SIDE, THUMB_SIDE))
        small = io.BytesIO()
        image.convert("RGB").save(small, "JPEG", quality=80)
    return "data:image/jpeg;base64," + base64.b64encode(small.getvalue()).decode()
