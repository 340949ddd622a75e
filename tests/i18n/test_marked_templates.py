"""Every word a person reads in a template is marked for translation.

The template source is reduced to what a browser would show if no tag produced any output: comments, template
tags (translate and blocktranslate included), variables, scripts and styles are taken out. Whatever text with
letters remains (between elements, or in an attribute a person reads or hears) was typed in without a
translate tag.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "templates").rglob("*.html")) + sorted((ROOT / "veoui").rglob("templates/**/*.html"))

# Read out or shown by browsers and screen readers (data-label: the mobile table's cell captions, data-copied: the
# copy button's confirmation).
READ_ATTRIBUTES = {
    "alt",
    "title",
    "placeholder",
    "aria-label",
    "aria-description",
    "aria-placeholder",
    "aria-roledescription",
    "aria-valuetext",
    "label",
    "data-label",
    "data-copied",
}
BUTTON_TYPES = {"button", "submit", "reset"}
# Not words of any language: the product's name and an example address's start.
ALLOWED = ["veoui", "https://…", "https://"]

COMMENT = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", re.S)
BLOCKTRANSLATE = re.compile(r"{%\s*blocktrans(?:late)?\b.*?%}.*?{%\s*endblocktrans(?:late)?\s*%}", re.S)
TAG_OR_VARIABLE = re.compile(r"{%.*?%}|{{.*?}}", re.S)
SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.S | re.I)
LETTER = re.compile(r"[^\W\d_]")


def without_template_code(source: str) -> str:
    source = COMMENT.sub(" ", source)
    source = BLOCKTRANSLATE.sub(" ", source)
    source = TAG_OR_VARIABLE.sub(" ", source)
    return SCRIPT_OR_STYLE.sub(" ", source)


def has_words(text: str) -> bool:
    for allowed in ALLOWED:
        text = text.replace(allowed, " ")
    return bool(LETTER.search(text))


class VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            read = name in READ_ATTRIBUTES or (
                name == "value" and (tag == "button" or values.get("type", "") in BUTTON_TYPES)
            )
            if read and value and has_words(value):
                self.found.append(f'{tag} {name}="{value.strip()}" (line {self.getpos()[0]})')

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        if has_words(data):
            self.found.append(f"{data.strip()!r} (line {self.getpos()[0]})")


def unmarked(source: str) -> list[str]:
    parser = VisibleText()
    parser.feed(without_template_code(source))
    parser.close()
    return parser.found


def test_it_finds_the_templates() -> None:
    names = {path.relative_to(ROOT / "templates").as_posix() for path in TEMPLATES if "templates" in path.parts}
    assert {"base.html", "studio/studio.html", "studio/generation.html", "team/people.html"} <= names


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_it_has_no_unmarked_text(path: Path) -> None:
    found = unmarked(path.read_text(encoding="utf-8"))
    assert not found, f"{path.relative_to(ROOT)}: text not inside translate/blocktranslate:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "source",
    [
        "<p>Hello there</p>",
        '<input placeholder="Your name">',
        '<button aria-label="Close">×</button>',
        '<img src="{{ x }}" alt="A poster">',
        '<input type="submit" value="Save">',
        "<td data-label='Budget'>{{ n }}</td>",
        "{% if ok %}<span>Ready</span>{% endif %}",
        "<p>{% translate 'Fine' %} but this is not</p>",
    ],
)
def test_it_catches_unmarked_text(source: str) -> None:
    assert unmarked(source)


@pytest.mark.parametrize(
    "source",
    [
        "<p>{% translate 'Hello there' %}</p>",
        "<input placeholder=\"{% translate 'Your name' %}\">",
        "<p>{% blocktranslate with n=n %}{{ n }} videos{% endblocktranslate %}</p>",
        "{# a note for developers #}<p>{{ prompt }}</p>",
        "{% comment %}Notes for developers{% endcomment %}",
        '<script nonce="{{ csp_nonce }}">const x = "text";</script>',
        '<a class="brand" href="/">▶ veoui</a> <span>16:9 · $</span>',
        '<input type="url" placeholder="https://…"><input type="hidden" name="kind" value="extend">',
    ],
)
def test_it_accepts_marked_text(source: str) -> None:
    assert not unmarked(source)
