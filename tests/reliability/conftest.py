"""Collects the fault matrix's cells and prints the matrix at the end of the run."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

MATRIX: dict[tuple[str, str], str] = {}


def _print_matrix(terminalreporter: pytest.TerminalReporter) -> None:
    if not MATRIX:
        return
    calls = list(dict.fromkeys(call for call, _kind in MATRIX))
    kinds = list(dict.fromkeys(kind for _call, kind in MATRIX))
    width = max(len(k) for k in kinds) + 2
    terminalreporter.section("fault matrix (upstream call x fault: final state / generate requests)")
    terminalreporter.write_line("fault".ljust(width) + "".join(call.ljust(28) for call in calls))
    for kind in kinds:
        row = kind.ljust(width) + "".join(MATRIX.get((call, kind), "n/a").ljust(28) for call in calls)
        terminalreporter.write_line(row)
    failed = sum(1 for cell in MATRIX.values() if cell.startswith("FAIL"))
    terminalreporter.write_line(f"{len(MATRIX)} cells, {failed} failing")


FUZZ: defaultdict[str, Counter] = defaultdict(Counter)
# One line per figure the kill soak and the load test print at the end of the run.
FIGURES: list[str] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    _print_matrix(terminalreporter)
    if FIGURES:
        terminalreporter.section("reliability figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
    if FUZZ:
        terminalreporter.section("fuzzing (form: submissions by HTTP status; explained = refused with a message)")
        for form, counts in FUZZ.items():
            if form == "all":
                continue
            statuses = " ".join(f"{k}:{v}" for k, v in sorted(counts.items(), key=str) if isinstance(k, int))
            extra = " ".join(f"{k}={v}" for k, v in counts.items() if isinstance(k, str))
            terminalreporter.write_line(
                f"{form:<22} {sum(v for k, v in counts.items() if isinstance(k, int)):>5}  {statuses}  {extra}"
            )
        total = FUZZ["all"]
        errors = sum(v for k, v in total.items() if isinstance(k, int) and k >= 500)
        terminalreporter.write_line(f"{total['submissions']} submissions, {errors} server errors (5xx)")
