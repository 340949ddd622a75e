"""Just enough of the gettext PO format to check veoui's catalogues: entries, flags, plurals and contexts."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    comments: list[str] = field(default_factory=list)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def translations(self) -> list[str]:
        return [self.msgstr_plural[n] for n in sorted(self.msgstr_plural)] if self.msgid_plural else [self.msgstr]

    @property
    def is_translated(self) -> bool:
        return all(text.strip() for text in self.translations) and bool(self.translations)


def _unquote(text: str) -> str:
    return ast.literal_eval(text)


def parse(path: Path) -> list[Entry]:
    """Every entry of the file in order, the header (msgid "") first."""
    entries: list[Entry] = []
    current: Entry | None = None
    pending_comments: list[str] = []
    pending_flags: set[str] = set()
    target: tuple[str, int | None] | None = None

    def start() -> Entry:
        nonlocal current, pending_comments, pending_flags
        current = Entry(msgid="", flags=pending_flags, comments=pending_comments)
        entries.append(current)
        pending_comments, pending_flags = [], set()
        return current

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            current, target = None, None
            continue
        if line.startswith("#,"):
            pending_flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith("#"):
            pending_comments.append(raw)
            continue
        keyword, _, rest = line.partition(" ")
        if keyword == "msgctxt" or (keyword == "msgid" and (current is None or target[0] != "msgctxt")):
            entry = start()
            entry.obsolete = obsolete
        entry = current
        assert entry is not None, f"{path}: text outside an entry: {raw!r}"
        if line.startswith('"'):
            name, index = target
            value = _unquote(line)
        else:
            value = _unquote(rest)
            if keyword.startswith("msgstr["):
                name, index = "msgstr_plural", int(keyword[7:-1])
                entry.msgstr_plural[index] = ""
            else:
                name, index = keyword, None
                setattr(entry, name, "")
            target = (name, index)
        if name == "msgstr_plural":
            entry.msgstr_plural[index] += value
        else:
            setattr(entry, name, (getattr(entry, name) or "") + value)
    return entries


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\n", "\\n")
    return f'"{escaped}"'


def _lines(keyword: str, text: str) -> list[str]:
    if "\n" in text[:-1]:
        parts = text.splitlines(keepends=True)
        return [f'{keyword} ""', *(_quote(part) for part in parts)]
    return [f"{keyword} {_quote(text)}"]


def dump(entries: list[Entry]) -> str:
    blocks = []
    for entry in entries:
        lines = [comment for comment in entry.comments if not comment.startswith("#|")]
        if entry.flags:
            lines.append("#, " + ", ".join(sorted(entry.flags)))
        lines += [comment for comment in entry.comments if comment.startswith("#|")]  # previous msgids go last
        body: list[str] = []
        if entry.msgctxt is not None:
            body += _lines("msgctxt", entry.msgctxt)
        body += _lines("msgid", entry.msgid)
        if entry.msgid_plural is not None:
            body += _lines("msgid_plural", entry.msgid_plural)
            for index in sorted(entry.msgstr_plural):
                body += _lines(f"msgstr[{index}]", entry.msgstr_plural[index])
        else:
            body += _lines("msgstr", entry.msgstr)
        if entry.obsolete:
            body = ["#~ " + line for line in body]
        blocks.append("\n".join(lines + body))
    return "\n\n".join(blocks) + "\n"
