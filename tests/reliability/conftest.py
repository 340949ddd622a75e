"""Collects the fault matrix's cells and prints the matrix at the end of the run."""

from __future__ import annotations

import pytest

MATRIX: dict[tuple[str, str], str] = {}


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
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
