"""`make run`: the web server, the worker and, in demo mode, the kie.ai simulator, started and stopped together."""

import os
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Start veoui: web, worker and (without KIE_API_KEY) the kie.ai simulator. Ctrl-C stops all of them."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))

    def handle(self, *args: object, host: str, port: int, **options: object) -> None:
        call_command("ensure_admin", stdout=self.stdout)
        if settings.DEMO_MODE:
            from veoui.studio import samples

            if samples.make_samples():
                self.stdout.write("Demo mode: a few sample videos are being made so the gallery isn't empty.")
        bin_dir = Path(sys.executable).parent
        with ExitStack() as stack:
            if settings.DEMO_MODE:
                from veoui.kie.simulator.process import running_simulator

                stack.enter_context(
                    running_simulator(
                        api_key=settings.KIE_API_KEY,
                        port=settings.SIMULATOR_PORT,
                        data_dir=Path(settings.MEDIA_ROOT) / "simulator",
                    )
                )
            children = [
                subprocess.Popen(
                    [
                        bin_dir / "gunicorn",
                        "-c",
                        "veoui/gunicorn.conf.py",
                        "veoui.wsgi",
                        "--bind",
                        f"{host}:{port}",
                    ]
                ),
                subprocess.Popen([sys.executable, "manage.py", "db_worker", "--no-reload"]),
            ]
            self.print_welcome(host, port)
            self.supervise(children)

    def print_welcome(self, host: str, port: int) -> None:
        mode = "demo mode (simulated kie.ai, no credits spent)" if settings.DEMO_MODE else "connected to kie.ai"
        self.stdout.write(
            f"\nveoui is running in {mode}.\n"
            f"    Open http://{host}:{port}/ in your browser.\n"
            "    Log in as admin (the password was printed when veoui first started).\n"
            "    Press Ctrl-C to stop.\n"
        )

    def supervise(self, children: list[subprocess.Popen]) -> None:
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping and all(child.poll() is None for child in children):
                time.sleep(0.5)
        finally:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()
        if not stopping:
            self.stderr.write("A veoui process stopped unexpectedly; everything was shut down. See the log above.")
            sys.exit(1)
