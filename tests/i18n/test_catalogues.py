"""English, Simplified Chinese and Spanish are complete, and the compiled catalogues match their sources.

The messages of the code are extracted afresh (Django's makemessages, into a copy of the code in a temporary
folder, so the real catalogues are not touched) and every one of them must be in both translated catalogues,
translated, not fuzzy, with the same placeholders. English is the language of the code: its text needs no
catalogue. The .mo files are committed so that a server needs no gettext tools; they must say exactly what the
.po files say.
"""

from __future__ import annotations

import gettext
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from tests.i18n import po

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "veoui" / "locale"
TRANSLATED = {"es": 3, "zh_Hans": 1}  # the catalogues' folders and their number of plural forms
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[sdif]")


def catalogue(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str | None, str], po.Entry]:
    """Every message of the code, as makemessages finds it in templates/ and veoui/."""
    if shutil.which("xgettext") is None:
        pytest.fail("Extracting messages needs GNU gettext: `make test` installs it (apt-get install gettext).")
    source = tmp_path_factory.mktemp("source")
    shutil.copytree(ROOT / "templates", source / "templates")
    shutil.copytree(ROOT / "veoui", source / "veoui", ignore=shutil.ignore_patterns("locale", "__pycache__"))
    (source / "locale").mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(source)
        patch.setattr(django_settings, "LOCALE_PATHS", [source / "locale"])
        call_command("makemessages", locale=["es"], no_obsolete=True, verbosity=0)
    entries = po.parse(source / "locale" / "es" / "LC_MESSAGES" / "django.po")[1:]
    return {entry.key: entry for entry in entries}


def entries_of(language: str) -> list[po.Entry]:
    return [entry for entry in po.parse(catalogue(language))[1:] if not entry.obsolete]


def test_it_extracts_the_messages_of_templates_python_and_tables(extracted: dict) -> None:
    msgids = {msgid for _context, msgid in extracted}
    assert "Generate" in msgids  # a template
    assert "Describe the video you want: what happens, where, and how it looks." in msgids  # a form
    assert "kie.ai is down for maintenance right now." in msgids  # the upstream failures
    assert "Reference images" in msgids  # the rules table (gettext_noop)
    assert len(msgids) > 400


@pytest.mark.parametrize("language", TRANSLATED)
def test_it_has_every_message_of_the_code(language: str, extracted: dict) -> None:
    keys = {entry.key for entry in entries_of(language)}
    missing = [msgid for context, msgid in extracted if (context, msgid) not in keys]
    assert not missing, f"{language}: not in the catalogue (run makemessages and translate them):\n" + "\n".join(
        missing
    )


@pytest.mark.parametrize("language", TRANSLATED)
def test_it_has_no_message_the_code_no_longer_uses(language: str, extracted: dict) -> None:
    unused = [entry.msgid for entry in entries_of(language) if entry.key not in extracted]
    assert not unused, f"{language}: no longer in the code (run makemessages --no-obsolete):\n" + "\n".join(unused)


@pytest.mark.parametrize("language", TRANSLATED)
def test_it_translates_every_message(language: str) -> None:
    entries = entries_of(language)
    fuzzy = [entry.msgid for entry in entries if "fuzzy" in entry.flags]
    empty = [entry.msgid for entry in entries if not entry.is_translated]
    assert not fuzzy, f"{language}: fuzzy, check and confirm these:\n" + "\n".join(fuzzy)
    assert not empty, f"{language}: not translated:\n" + "\n".join(empty)
    header = po.parse(catalogue(language))[0]
    assert "fuzzy" not in header.flags
    assert f"nplurals={TRANSLATED[language]};" in header.msgstr


@pytest.mark.parametrize("language", TRANSLATED)
def test_it_keeps_placeholders_and_plural_forms(language: str) -> None:
    problems = []
    for entry in entries_of(language):
        allowed = set(PLACEHOLDER.findall(entry.msgid)) | set(PLACEHOLDER.findall(entry.msgid_plural or ""))
        for text in entry.translations:
            if not set(PLACEHOLDER.findall(text)) <= allowed:
                problems.append(f"{entry.msgid!r} -> {text!r}")
        if entry.msgid_plural is None and set(PLACEHOLDER.findall(entry.msgstr)) != allowed:
            problems.append(f"{entry.msgid!r} -> {entry.msgstr!r}")
        if entry.msgid_plural is not None and len(entry.msgstr_plural) != TRANSLATED[language]:
            problems.append(f"{entry.msgid!r}: {len(entry.msgstr_plural)} plural forms")
    assert not problems, f"{language}: placeholders or plural forms differ from the English:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", TRANSLATED)
def test_it_ships_compiled_catalogues_that_match_the_sources(language: str) -> None:
    compiled = catalogue(language).with_suffix(".mo")
    assert compiled.exists(), f"{compiled.relative_to(ROOT)} is missing: run manage.py compilemessages"
    with compiled.open("rb") as handle:
        loaded = dict(gettext.GNUTranslations(handle)._catalog)  # noqa: SLF001 (the catalogue as read from the file)
    expected: dict = {}
    for entry in entries_of(language):
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt is not None else entry.msgid
        if entry.msgid_plural is None:
            expected[key] = entry.msgstr
        else:
            expected.update({(key, n): text for n, text in entry.msgstr_plural.items()})
    loaded.pop("", None)
    assert loaded == expected, f"{compiled.relative_to(ROOT)} is stale: run manage.py compilemessages"


def test_it_offers_the_three_languages_with_english_first() -> None:
    assert [code for code, _name in django_settings.LANGUAGES] == ["en", "zh-hans", "es"]
    assert django_settings.LANGUAGE_CODE == "en"
    assert {path.parent.parent.name for path in LOCALE.glob("*/LC_MESSAGES/django.po")} == set(TRANSLATED)
