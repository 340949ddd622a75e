"""`make run`: the web server, the worker, the exporter (scene exports) and, in demo mode, the kie.ai simulator,
started and stopped together.

A worker or simulator that dies is started again (nothing is lost: the recovery sweep picks up what it left), after
a pause that grows while it keeps dying soon after starting, so a crash loop doesn't spin. The web server is what
people see: if it stops, everything stops, with a line saying so. Ctrl-C stops all of them together.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, OutputWrapper

from veoui.common import processes

# A process that ran this long before dying is started again at once; one that died sooner waits FIRST_PAUSE,
# then twice as long each time it dies soon again, up to LONGEST_PAUSE.
RAN_WELL_FOR = 60.0
FIRST_PAUSE = 1.0
LONGEST_PAUSE = 60.0
# Scene exports (ffmpeg, minutes of CPU) in a worker of their own, so they never hold up a video's status checks.
EXPORTER = ["db_worker", "--no-reload", "--queue-name", "export", "--interval", "1"]


def how_it_ended(returncode: int) -> str:
    if returncode >= 0:
        return f"exit status {returncode}"
    try:
        return f"killed by {signal.Signals(-returncode).name}"
    except ValueError:
        return f"killed by signal {-returncode}"


class Supervised:
    """One of `make run`'s processes, started again when it dies (unless it is the one everything depends on)."""

    def __init__(
        self, name: str, launch: Callable[[ExitStack], subprocess.Popen], *, restart: bool, stop_last: bool = False
    ) -> None:
        self.name = name
        self.launch = launch
        self.restart = restart
        self.stop_last = stop_last  # the others may still be talking to it while they stop
        self.stack = ExitStack()
        self.process: subprocess.Popen | None = None
        self.started_at = 0.0
        self.pause = 0.0
        self.start_at: float | None = None

    def start(self) -> None:
        self.stack = ExitStack()
        self.process = self.launch(self.stack)
        self.started_at = time.monotonic()
        self.start_at = None

    def restart_if_due(self, out: OutputWrapper) -> None:
        if self.start_at is None or time.monotonic() < self.start_at:
            return
        try:
            self.start()
        except Exception as error:  # e.g. the simulator's port is still taken: try again later
            self.process = None
            self.wait_before_restart(out, f"The {self.name} could not be started again ({error})")

    def died(self) -> bool:
        return self.start_at is None and self.process is not None and self.process.poll() is not None

    def schedule_restart(self, out: OutputWrapper) -> None:
        """Say how it ended, and when it will be started again."""
        ran_for = time.monotonic() - self.started_at
        self.stack.close()  # whatever it held (the simulator's pipes) is let go
        ended = how_it_ended(self.process.returncode)
        if ran_for >= RAN_WELL_FOR:
            self.pause = 0.0
            out.write(f"The {self.name} stopped unexpectedly ({ended}); starting it again.")
            self.start_at = time.monotonic()
        else:
            self.wait_before_restart(out, f"The {self.name} stopped {ran_for:.0f} s after starting ({ended})")

    def wait_before_restart(self, out: OutputWrapper, what_happened: str) -> None:
        self.pause = min(LONGEST_PAUSE, max(FIRST_PAUSE, self.pause * 2))
        out.write(f"{what_happened}; starting it again in {self.pause:.0f} s.")
        self.start_at = time.monotonic() + self.pause

    def signal_stop(self) -> None:
        if self.start_at is None and self.process is not None and self.process.poll() is None:
            self.process.terminate()

    def stop(self) -> None:
        self.stack.close()


def popen(argv: list[str | Path]) -> Callable[[ExitStack], subprocess.Popen]:
    def launch(stack: ExitStack) -> subprocess.Popen:
        process = subprocess.Popen(argv)
        stack.callback(processes.stop, process)
        return process

    return launch


def simulator(stack: ExitStack) -> subprocess.Popen:
    from veoui.kie.simulator.process import running_simulator

    running = running_simulator(
        api_key=settings.KIE_API_KEY,
        port=settings.SIMULATOR_PORT,
        data_dir=Path(settings.MEDIA_ROOT) / "simulator",
    )
    return stack.enter_context(running).process


class Command(BaseCommand):
    help = (
        "Start veoui: web, worker, exporter and (without KIE_API_KEY) the kie.ai simulator. Ctrl-C stops all of them."
    )

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
        web = [bin_dir / "gunicorn", "-c", "veoui/gunicorn.conf.py", "veoui.wsgi", "--bind", f"{host}:{port}"]
        children = (
            [Supervised("kie.ai simulator", simulator, restart=True, stop_last=True)] if settings.DEMO_MODE else []
        )
        children += [
            Supervised("web server", popen(web), restart=False),
            Supervised("worker", popen([sys.executable, "manage.py", "db_worker", "--no-reload"]), restart=True),
            Supervised("exporter", popen([sys.executable, "manage.py", *EXPORTER]), restart=True),
        ]
        self.address = (host, port)
        self.supervise(children)

    def print_welcome(self, host: str, port: int) -> None:
        mode = "demo mode (simulated kie.ai, no credits spent)" if settings.DEMO_MODE else "connected to kie.ai"
        self.stdout.write(
            f"\nveoui is running in {mode}.\n"
            f"    Open http://{host}:{port}/ in your browser.\n"
            "    Log in as admin (the password was printed when veoui first started).\n"
            "    Press Ctrl-C to stop.\n"
        )

    def supervise(self, children: list[Supervised]) -> None:
        """Start the children, keep them running until Ctrl-C (or the web server's end), then stop them all."""
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        fatal: Supervised | None = None
        try:
            for child in children:
                child.start()
            self.print_welcome(*self.address)
            while not stopping and fatal is None:
                for child in children:
                    if child.died() and not child.restart:
                        fatal = child
                    elif child.died():
                        child.schedule_restart(self.stderr)
                    else:
                        child.restart_if_due(self.stderr)
                time.sleep(0.5)
        finally:
            for last in (False, True):
                stopping_now = [child for child in children if child.stop_last == last]
                for child in stopping_now:
                    child.signal_stop()  # all at once: each then has its time to finish
                for child in stopping_now:
                    child.stop()
        if fatal is not None:
            ended = how_it_ended(fatal.process.returncode)
            self.stderr.write(f"The {fatal.name} stopped unexpectedly ({ended}); everything was shut down. See above.")
            sys.exit(1)
