"""`make bench`: every bench script, on SQLite and PostgreSQL where the target says so, then one table.

Each script runs in its own process with its own throwaway database and folder, prints its figures, and adds
its rows to a shared file; this prints them as one table and exits with 1 if any row failed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import common

PLAN = [
    ("capacity", "sqlite"),
    ("capacity", "postgres"),
    ("upstream_calls", "sqlite"),
    ("upstream_calls", "postgres"),
    ("latency", "sqlite"),
    ("watching", "sqlite"),
    ("gallery", "sqlite"),
    ("gallery", "postgres"),
    ("slow_jobs", "sqlite"),
    ("slow_jobs", "postgres"),
    ("exports", "sqlite"),
    ("exports", "postgres"),
    ("memory", "sqlite"),
    ("zip_download", "sqlite"),
    ("page_weight", "sqlite"),
]


def table(rows: list[dict]) -> str:
    header = ["target", "measured", "baseline", "ratio", "result"]
    lines = [
        [
            r["target"],
            r["measured"],
            r["baseline"],
            "-" if r["ratio"] is None else f"{r['ratio']:.2f}",
            "pass" if r["pass"] else "FAIL",
        ]
        for r in rows
    ]
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *lines, strict=False)]
    out = ["| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"]
    out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    out += ["| " + " | ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)) + " |" for line in lines]
    return "\n".join(out)


def drop_postgres_databases(scripts: set[str]) -> None:
    """The benches' PostgreSQL databases are throwaway: none is left behind (a missing server is no error here)."""
    import psycopg

    names = {
        "capacity": "veoui_bench_capacity",
        "upstream_calls": "veoui_bench_upstream",
        "gallery": "veoui_bench_gallery",
        "slow_jobs": "veoui_bench_slow_jobs",
        "exports": "veoui_bench_exports",
    }
    try:
        with psycopg.connect(f"{common.POSTGRES_SERVER}/postgres", autocommit=True) as connection:
            for script in scripts:
                connection.execute(f'DROP DATABASE IF EXISTS "{names[script]}" WITH (FORCE)')
    except psycopg.Error as error:
        print(f"could not drop the bench databases: {error}")


def main() -> int:
    only = set(sys.argv[1:])
    workdir = Path(tempfile.mkdtemp(prefix="veoui-bench-"))
    rows_file = workdir / "rows.jsonl"
    started = time.monotonic()
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    broken = []
    try:
        for script, database in PLAN:
            if only and script not in only:
                continue
            print(f"\n== bench/{script}.py --db {database}", flush=True)
            begun = time.monotonic()
            result = subprocess.run(
                [
                    common.PYTHON,
                    "-m",
                    f"bench.{script}",
                    "--db",
                    database,
                    "--workdir",
                    str(workdir / f"{script}-{database}"),
                ],
                cwd=common.ROOT,
                env={**os.environ, "BENCH_ROWS": str(rows_file)},
            )
            print(f"   ({time.monotonic() - begun:.0f} s)", flush=True)
            if result.returncode:
                broken.append(f"bench/{script}.py --db {database} (exit {result.returncode})")
    finally:
        rows = [json.loads(line) for line in rows_file.read_text().splitlines()] if rows_file.exists() else []
        shutil.rmtree(workdir, ignore_errors=True)
        drop_postgres_databases({script for script, database in PLAN if database == "postgres"})
    elapsed = time.monotonic() - started
    print("\n" + table(rows))
    for failure in broken:
        print(f"FAIL: {failure} stopped before printing its rows")
    failed = [r for r in rows if not r["pass"]]
    print(f"\n{len(rows) - len(failed)} of {len(rows)} rows pass; {len(broken)} scripts broke; {elapsed / 60:.1f} min")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (other work on this machine skews figures)")
    return 1 if failed or broken or not rows else 0


if __name__ == "__main__":
    sys.exit(main())
