"""Target 1: the htmx status partial of a running generation under `wrk -c 64`, against gunicorn in its shipped
configuration, compared with a bare Django view returning a constant on the same server in the same run.

wrk asks for the address the card itself polls (it names the state it shows, see static/js/veoui.js), as every
open card does each second. A card whose state changed gets the whole card; that figure is printed too.
"""

from __future__ import annotations

import html
import re
import subprocess
import tempfile
import uuid
from pathlib import Path

import requests

from bench import common

CONNECTIONS = 64
SECONDS = 8
ROUNDS = 2
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, seconds: int, headers: dict[str, str]) -> dict[str, float]:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    value, unit = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE).groups()
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors:.*timeout (\d+)", output)
    return {
        "rps": rps,
        "p99_ms": float(value) * UNITS[unit],
        "bad": float(bad.group(1)) if bad else 0.0,
        "timeouts": float(errors.group(1)) if errors else 0.0,
    }


def running_generation(owner) -> uuid.UUID:
    from veoui.studio.models import Generation

    generation = common.new_generation(owner)
    Generation.objects.filter(pk=generation.pk).update(status="running", kie_task_id="bench-task-1")
    return generation.uuid


def main() -> None:
    options = common.arguments(__doc__)
    workdir = Path(options.workdir or tempfile.mkdtemp(prefix="veoui-bench-"))
    database = common.database_environment(options.db, workdir, "veoui_bench_throughput")
    env = common.environment(database, workdir / "media", KIE_API_KEY=common.SIMULATOR_KEY)
    common.manage(env, "migrate", "--noinput")
    common.manage(env, "collectstatic", "--noinput", "-v", "0")
    common.use_in_this_process(env)
    from django.conf import settings
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("bench", password=common.PASSWORD)
    cookie = common.logged_in_cookie(user)
    public_id = running_generation(user)
    with common.gunicorn(env, workdir / f"web-{options.db}.log") as base:
        card_url = f"{base}/status/?shown={public_id}:0"
        headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}", "HX-Request": "true"}
        card = requests.get(card_url, headers=headers, timeout=10, allow_redirects=False)
        assert card.status_code == 200 and "data-shown" in card.text, (card.status_code, card.text[:300])
        shown = html.unescape(re.search(r'data-shown="([^"]+)"', card.text).group(1))
        status_url = f"{base}/status/?shown={shown}&seen={public_id}"
        check = requests.get(status_url, headers=headers, timeout=10, allow_redirects=False)
        assert check.status_code == 204, (check.status_code, check.text[:300])
        wrk(f"{base}/bench/constant/", 2, {})  # warm every process and thread up
        wrk(status_url, 2, headers)
        constant, status = [], []
        for round_ in range(1, ROUNDS + 1):
            constant.append(wrk(f"{base}/bench/constant/", SECONDS, {}))
            status.append(wrk(status_url, SECONDS, headers))
            c, s = constant[-1], status[-1]
            print(
                f"  round {round_}: constant view {c['rps']:.0f} req/s (p99 {c['p99_ms']:.1f} ms), "
                f"status partial {s['rps']:.0f} req/s (p99 {s['p99_ms']:.1f} ms)",
                flush=True,
            )
        whole_card = wrk(card_url, SECONDS, headers)
        # wrk counts redirects as answers: the session must still have been good at the end (no login redirect).
        check = requests.get(status_url, headers=headers, timeout=10, allow_redirects=False)
        assert check.status_code == 204, check.status_code
    constant_rps = sum(r["rps"] for r in constant) / ROUNDS
    status_rps = sum(r["rps"] for r in status) / ROUNDS
    status_p99 = max(r["p99_ms"] for r in status)
    constant_p99 = max(r["p99_ms"] for r in constant)
    failures = sum(r["bad"] + r["timeouts"] for r in status + constant)
    print(
        f"throughput on {options.db}: constant view {constant_rps:.0f} req/s (p99 {constant_p99:.1f} ms), "
        f"status partial as polled {status_rps:.0f} req/s (p99 {status_p99:.1f} ms), {failures:.0f} failed responses; "
        f"a changed card (rendered whole) {whole_card['rps']:.0f} req/s (p99 {whole_card['p99_ms']:.1f} ms)"
    )
    ratio = status_rps / constant_rps
    common.row(
        f"1. status partial req/s, wrk -c{CONNECTIONS} ({options.db}) >= 50% of constant view",
        f"{status_rps:.0f} req/s",
        f"{constant_rps:.0f} req/s",
        ratio,
        ratio >= 0.5 and failures == 0,
    )
    common.row(
        f"1. status partial p99 ({options.db}) < 50 ms",
        f"{status_p99:.1f} ms",
        f"{constant_p99:.1f} ms",
        status_p99 / constant_p99 if constant_p99 else None,
        status_p99 < 50,
    )


if __name__ == "__main__":
    main()
