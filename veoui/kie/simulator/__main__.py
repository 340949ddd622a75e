"""Run the kie.ai simulator (python -m veoui.kie.simulator) until SIGTERM or SIGINT."""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path

from veoui.kie.simulator.config import API_KEY_VARIABLE, HMAC_KEY_VARIABLE


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m veoui.kie.simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--api-key", help=f"the Bearer key to accept (or set {API_KEY_VARIABLE})")
    parser.add_argument("--data-dir", type=Path, help="where files go (default: a temporary folder)")
    parser.add_argument("--min-seconds", type=float, default=10.0, help="shortest generation time")
    parser.add_argument("--max-seconds", type=float, default=20.0, help="longest generation time")
    parser.add_argument("--webhook-hmac-key", help=f"sign callbacks with it (or set {HMAC_KEY_VARIABLE})")
    parser.add_argument("--public-url", help="the base of URLs handed out (default: the bound address)")
    parser.add_argument("--balance", type=float, default=10000.0, help="starting credit balance")
    parser.add_argument("--quiet", action="store_true", help="do not log each request to stderr")
    parser.add_argument(
        "--stop-on-stdin-eof", action="store_true", help="stop when stdin closes (the parent died or let go)"
    )
    args = parser.parse_args(argv)
    # Keys may come from the environment so that they do not show in the process list.
    args.api_key = args.api_key or os.environ.get(API_KEY_VARIABLE)
    args.webhook_hmac_key = args.webhook_hmac_key or os.environ.get(HMAC_KEY_VARIABLE) or None
    if not args.api_key:
        parser.error(f"--api-key (or {API_KEY_VARIABLE}) is required")
    if not 0 <= args.min_seconds <= args.max_seconds:
        parser.error("need 0 <= --min-seconds <= --max-seconds")
    return args


def use_rules_without_django_settings() -> None:
    """Let ``veoui.studio.rules`` import in this Django-less process.

    Its labels go through Django's gettext_noop, which reads settings.USE_I18N; minimal settings answer that
    without loading the product's settings (and their environment checks).
    """
    from django.conf import settings

    if not settings.configured:
        settings.configure(USE_I18N=False)


def _stop_at_end_of_stdin(stop: threading.Event) -> None:
    # A parent killed without a chance to clean up closes our stdin: no simulator is left behind on its port.
    # os.read, not sys.stdin: a daemon thread holding the buffered reader's lock aborts interpreter shutdown.
    while os.read(0, 4096):
        pass
    stop.set()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    use_rules_without_django_settings()
    from veoui.kie.simulator.config import SimConfig
    from veoui.kie.simulator.server import start

    owned_dir = args.data_dir is None
    data_dir = Path(tempfile.mkdtemp(prefix="kie-simulator-")) if owned_dir else args.data_dir
    config = SimConfig(
        min_seconds=args.min_seconds,
        max_seconds=args.max_seconds,
        balance=args.balance,
        webhook_hmac_key=args.webhook_hmac_key,
    )
    server = start(args.host, args.port, args.api_key, config, data_dir, args.public_url, args.quiet)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if args.stop_on_stdin_eof:
        threading.Thread(target=_stop_at_end_of_stdin, args=(stop,), daemon=True).start()
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    print(f"SIMULATOR READY {server.url}", flush=True)
    try:
        # Waiting in short steps keeps the main thread responsive to signals.
        while not stop.wait(0.5):
            pass
    finally:
        server.close()
        if owned_dir:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
