"""Every string veoui's Python code shows to people is marked for translation.

The code is read, not run: a string literal in a place whose text reaches a page, a message, a form or an email
(a form field's label, a validation error, a status's label, the plain-language upstream failures...) must be
the argument of one of Django's gettext functions. The simulator, the settings and the management commands
talk to the admin in English and are not scanned.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIPPED = ("migrations", "simulator", "management")
SOURCES = sorted(
    path
    for path in (ROOT / "veoui").rglob("*.py")
    if not any(part in SKIPPED for part in path.relative_to(ROOT).parts) and path.name != "settings.py"
)

TRANSLATORS = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "pgettext",
    "pgettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
# Calls whose first argument (or ``message``) is read by people.
MESSAGE_CALLS = {
    "ValidationError",
    "PeopleError",
    "OverBudget",
    "HttpResponse",
    "HttpResponseBadRequest",
    "HttpResponseForbidden",
    "HttpResponseNotFound",
    "HttpResponseGone",
}
MESSAGE_LEVELS = {"debug", "info", "success", "warning", "error"}
# Keyword arguments of fields, forms and models that end up on a page.
READ_KEYWORDS = {"label", "help_text", "empty_label", "verbose_name", "verbose_name_plural"}
# The tables of plain-language text: the upstream failures (message, next step), the rules of the studio.
TABLE_CALLS = {"FailureInfo": (1, 2), "Mode": (2,), "Model": (1, 2)}
TABLE_NAMES = re.compile(r"^[A-Z_]*(MESSAGES|LABELS)$")
LABEL_FUNCTIONS = re.compile(r"labels$")
WORD = re.compile(r"[^\W\d_]{2,}")


def name_of(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def problems_in(expression: ast.AST | None) -> list[ast.AST]:
    """The literal pieces of ``expression`` that people would read untranslated."""
    if expression is None:
        return []
    if isinstance(expression, ast.Call) and name_of(expression.func) in TRANSLATORS:
        return []
    if isinstance(expression, ast.BinOp) and isinstance(expression.op, ast.Mod):
        return problems_in(expression.left)
    if isinstance(expression, ast.IfExp):
        return problems_in(expression.body) + problems_in(expression.orelse)
    if isinstance(expression, ast.BoolOp):
        return [problem for value in expression.values for problem in problems_in(value)]
    if isinstance(expression, ast.Constant) and isinstance(expression.value, str):
        return [expression] if WORD.search(expression.value) else []
    if isinstance(expression, ast.JoinedStr):
        literal = "".join(v.value for v in expression.values if isinstance(v, ast.Constant))
        return [expression] if WORD.search(literal) else []
    return []  # a name, an attribute, another call: its own definition is checked where it is written


def read_values(node: ast.AST) -> list[ast.AST]:
    """The expressions whose text ``node`` shows to people."""
    found: list[ast.AST] = []
    if isinstance(node, ast.Call):
        called = name_of(node.func)
        keywords = {keyword.arg: keyword.value for keyword in node.keywords if keyword.arg}
        if called in MESSAGE_CALLS:
            found += node.args[:1] + [keywords.get("message")]
        if called == "add_error":
            found += node.args[1:2] + [keywords.get("error")]
        if isinstance(node.func, ast.Attribute) and name_of(node.func.value) == "messages":
            if called in MESSAGE_LEVELS:
                found += node.args[1:2] + [keywords.get("message")]
            elif called == "add_message":
                found += node.args[2:3] + [keywords.get("message")]
        if called.endswith("Field") and isinstance(node.func, ast.Attribute) and name_of(node.func.value) == "models":
            found += node.args[:1]
        for position in TABLE_CALLS.get(called, ()):
            found += node.args[position : position + 1]
        found += [value for name, value in keywords.items() if name in READ_KEYWORDS]
        if isinstance(keywords.get("error_messages"), ast.Dict):
            found += keywords["error_messages"].values
        if isinstance(keywords.get("choices"), ast.List | ast.Tuple):
            found += [pair.elts[-1] for pair in keywords["choices"].elts if isinstance(pair, ast.Tuple)]
    elif isinstance(node, ast.ClassDef):
        is_choices = any(name_of(base).endswith("Choices") for base in node.bases)
        for statement in node.body:
            if not isinstance(statement, ast.Assign):
                continue
            if is_choices and isinstance(statement.value, ast.Tuple):
                found.append(statement.value.elts[-1])
            names = {name_of(target) for target in statement.targets}
            if node.name == "Meta" and names & {"verbose_name", "verbose_name_plural"}:
                found.append(statement.value)
    elif isinstance(node, ast.Assign | ast.AnnAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if any(TABLE_NAMES.match(name_of(target)) for target in targets) and isinstance(node.value, ast.Dict):
            found += node.value.values
    elif isinstance(node, ast.FunctionDef) and LABEL_FUNCTIONS.search(node.name):
        for statement in ast.walk(node):
            if isinstance(statement, ast.Return) and isinstance(statement.value, ast.Dict):
                found += statement.value.values
    return [value for value in found if value is not None]


def unmarked(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        for value in read_values(node):
            for problem in problems_in(value):
                found.append(f"line {problem.lineno}: {ast.unparse(problem)}")
    return found


def test_it_scans_the_code() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in SOURCES}
    assert {"veoui/studio/forms.py", "veoui/kie/errors.py", "veoui/studio/rules.py", "veoui/team/views.py"} <= names
    assert not any("simulator" in name or "migrations" in name for name in names)


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_it_has_no_unmarked_strings(path: Path) -> None:
    found = unmarked(path.read_text(encoding="utf-8"))
    assert not found, f"{path.relative_to(ROOT)}: user-facing text not marked for translation:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "source",
    [
        'raise forms.ValidationError("Too long.")',
        'self.add_error("seed", "Pick a seed.")',
        'messages.success(request, "Saved.")',
        'messages.error(request, f"Could not save {name}.")',
        'name = forms.CharField(label="Your name")',
        'name = forms.CharField(help_text=_("Fine"), error_messages={"required": "Type it."})',
        'kind = forms.ChoiceField(choices=[("a", "First one"), ("b", _("Second"))])',
        'role = models.CharField("Role", max_length=10)',
        'class Status(models.TextChoices):\n    READY = "ready", "Ready to go"',
        'class Meta:\n    verbose_name = "price table"',
        'BUSY = FailureInfo(Category.BUSY, "kie.ai is busy.", TRY_LATER, True)',
        'MESSAGES = {"seed": "The seed is wrong."}',
        'def client_labels():\n    return {"remove": "Remove it"}',
        'return HttpResponse("Too large", status=413)',
        'messages.info(request, _("Fine") if ok else "Not fine")',
    ],
)
def test_it_catches_unmarked_strings(source: str) -> None:
    assert unmarked(source)


@pytest.mark.parametrize(
    "source",
    [
        'raise forms.ValidationError(gettext("Too long."))',
        'self.add_error("seed", _("Pick a seed %(n)s.") % {"n": 1})',
        'messages.success(request, _("Saved %(name)s.") % {"name": name})',
        'name = forms.CharField(label=_("Your name"), help_text=gettext_lazy("Optional."))',
        'kind = forms.ChoiceField(choices=[("16:9", "16:9"), ("4k", "4K")])',
        'class Status(models.TextChoices):\n    READY = "ready", _("Ready")',
        'MESSAGES = {"seed": gettext_noop("The seed is wrong.")}',
        "messages.error(request, refusal.message)",
        'log.info("submitted id=%s", generation.uuid)',
        'raise ImproperlyConfigured("DEBUG must be true or false.")',
        'text = ngettext("%(n)d video", "%(n)d videos", n) % {"n": n}',
    ],
)
def test_it_accepts_marked_strings(source: str) -> None:
    assert not unmarked(source)
