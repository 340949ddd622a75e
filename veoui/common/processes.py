"""Stopping a child process: politely first (SIGTERM lets the worker finish its task), then for good."""

import subprocess


def stop(process: subprocess.Popen, grace: float = 15) -> None:
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
