"""The browser scripts show only text the server translated.

veoui's scripts get their words from the page (``labels`` in the studio's json_script configuration, data
attributes written with translate tags), so no sentence of English may be typed into them. Sentences are found
by shape: two or more words with spaces and none of the punctuation of selectors, CSS or code; and any words at all
where a script writes text people see (textContent, title, aria-label, alert...).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted((ROOT / "static" / "js").glob("*.js"))

SENTENCE = re.compile(r"[^\W\d_]{2,}(?:[ ,'’][^\W\d_]+)+")
CODE_PUNCTUATION = re.compile(r"[\[\]#=(){}<>/\\;|*^$@]|^\s*[.:]|\.[a-z-]+\s")
WORD = re.compile(r"[^\W\d_]{2,}")
DIRECTIVES = {"use strict"}
SHOWN = re.compile(
    r"(?:textContent|innerText|innerHTML|title|alt|placeholder|ariaLabel)\s*=\s*$"
    r"|setAttribute\(\s*[\"'](?:aria-label|title|alt|placeholder)[\"']\s*,\s*$"
    r"|\b(?:alert|confirm|prompt)\(\s*$"
)


def literals(source: str) -> list[tuple[int, str, str]]:
    """Each string literal with its line and the code just before it; comments are skipped."""
    found: list[tuple[int, str, str]] = []
    i, line = 0, 1
    while i < len(source):
        char = source[i]
        if source.startswith("//", i):
            i = source.find("\n", i)
            i = len(source) if i == -1 else i
            continue
        if source.startswith("/*", i):
            end = source.find("*/", i + 2)
            end = len(source) if end == -1 else end + 2
            line += source.count("\n", i, end)
            i = end
            continue
        if char in "\"'`":
            start, j, text = i, i + 1, []
            depth = 0
            while j < len(source):
                if source[j] == "\\":
                    text.append(source[j : j + 2])
                    j += 2
                    continue
                if char == "`" and source.startswith("${", j):
                    depth += 1
                    text.append(" ")
                    j += 2
                    continue
                if depth and source[j] == "}":
                    depth -= 1
                    j += 1
                    continue
                if depth:
                    j += 1
                    continue
                if source[j] == char:
                    break
                text.append(source[j])
                j += 1
            before = source[max(0, start - 80) : start].split("\n")[-1]
            found.append((line, "".join(text), before))
            line += source.count("\n", start, j + 1)
            i = j + 1
            continue
        if char == "\n":
            line += 1
        i += 1
    return found


def unmarked(source: str) -> list[str]:
    problems = []
    for line, text, before in literals(source):
        if text in DIRECTIVES:
            continue
        shown = SHOWN.search(before) and WORD.search(text)
        sentence = SENTENCE.search(text) and not CODE_PUNCTUATION.search(text)
        if shown or sentence:
            problems.append(f"line {line}: {text!r}")
    return problems


def test_it_finds_the_scripts() -> None:
    assert {"studio.js", "veoui.js", "team.js"} <= {path.name for path in SCRIPTS}


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda path: path.name)
def test_it_has_no_typed_in_text(path: Path) -> None:
    found = unmarked(path.read_text(encoding="utf-8"))
    assert not found, f"static/js/{path.name}: text typed into the script instead of coming translated:\n" + "\n".join(
        found
    )


@pytest.mark.parametrize(
    "source",
    [
        'hint.textContent = "Drop your pictures here";',
        "button.title = 'Remove';",
        'b.setAttribute("aria-label", "Move up");',
        'showError("images", "That is not a picture.");',
        "const message = `You have ${n} pictures left`;",
        'alert("Saved");',
    ],
)
def test_it_catches_typed_in_text(source: str) -> None:
    assert unmarked(source)


@pytest.mark.parametrize(
    "source",
    [
        'hint.textContent = labels.autoWide; // "Your first picture is wide"',
        'document.querySelector("#recent-list .gen-card");',
        'form.querySelector(\'input[name="aspect_ratio"][value="Auto"]\');',
        'window.matchMedia("(max-width: 900px)");',
        'context.fillStyle = "rgba(0, 0, 0, 0.6)";',
        'b.setAttribute("aria-label", `${text}: ${roleLabel(index)}`);',
        'fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });',
        "/* Checks the form against the same rules table as the server */",
        'card.scrollIntoView({ behavior: "smooth", block: "start" });',
    ],
)
def test_it_accepts_code(source: str) -> None:
    assert not unmarked(source)
