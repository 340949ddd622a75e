"""Search that finds what a person typed: every word, in any order, whatever the case and the accents.

The database only compares characters, and SQLite and PostgreSQL fold case and accents differently (SQLite not at
all beyond ASCII), so the text searched is stored folded already, and each word of a query is folded the same way.
"""

from __future__ import annotations

import unicodedata

from django.db import models


def searchable(text: str) -> str:
    """``text`` as search compares it: compatibility-decomposed, casefolded, without accents ("Café" reads "cafe",
    full-width letters read as ASCII); scripts without case or accents, Chinese among them, stay as they are."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return "".join(c for c in folded if not unicodedata.combining(c))


def search_words(query: str) -> list[str]:
    """The words of a query, each folded as ``searchable`` folds the text it is looked for in."""
    return searchable(query).split()


class SearchTextField(models.TextField):
    """The folded copy of another field (``source``), set on every save and every insert (bulk inserts too)."""

    def __init__(self, *args: object, source: str = "", **kwargs: object) -> None:
        self.source = source
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for option, default in (("editable", False), ("blank", True), ("default", "")):
            if kwargs.get(option, default) == default:
                kwargs.pop(option, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = searchable(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value
