"""`{% icon "play" %}`: one of the icons vendored in static/vendor/icons/ (Lucide, ISC licence), inline in the page.

Inline, so an icon takes the colour of its text (currentColor) in both themes and costs no request. It is decoration:
hidden from screen readers, never focusable; the button's text or aria-label keeps the accessible name. A template
library registered as a builtin (settings.TEMPLATES), so no template needs a {% load %}.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from django import template
from django.contrib.staticfiles import finders
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

INSIDE = re.compile(r"<svg\b[^>]*>(.*)</svg>", re.DOTALL)


@cache
def drawing(name: str) -> SafeString:
    """The shapes inside the icon's <svg>, read once from the vendored file (it never changes while veoui runs)."""
    found = finders.find(f"vendor/icons/{name}.svg") if re.fullmatch(r"[a-z0-9-]+", name) else None
    if not found:
        raise template.TemplateSyntaxError(f"No icon {name!r} in static/vendor/icons/.")
    match = INSIDE.search(Path(found).read_text(encoding="utf-8"))
    if not match:
        raise template.TemplateSyntaxError(f"static/vendor/icons/{name}.svg holds no <svg>.")
    return mark_safe(re.sub(r"\s+", " ", match.group(1)).strip().replace("> <", "><"))  # noqa: S308 (our own file)


@register.simple_tag
def icon(name: str) -> SafeString:
    return format_html(
        '<svg class="icon icon--{}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="24" height="24" '
        'fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" '
        'aria-hidden="true" focusable="false">{}</svg>',
        name,
        drawing(name),
    )
