"""A Python handle on a running simulator's ``/_sim/`` admin API, for tests and scripts."""

from __future__ import annotations

import requests

# complete() waits for renders, 4K ones included.
ADMIN_TIMEOUT_SECONDS = 130


class SimulatorControlError(RuntimeError):
    """The admin API refused a call (a bad fault, an unknown task...)."""


class SimulatorControl:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._session = requests.Session()

    def add_fault(self, endpoint: str, kind: str, **params: object) -> dict:
        """Make the next ``times`` (default 1; 0: until cleared) requests to ``endpoint`` meet a fault."""
        return self._call("POST", "/_sim/faults", {"endpoint": endpoint, "kind": kind, **params})["fault"]

    def faults(self) -> list[dict]:
        return self._call("GET", "/_sim/faults")["faults"]

    def clear_faults(self) -> None:
        self._call("DELETE", "/_sim/faults")

    def release(self) -> None:
        """Let every held connection go: hangs end, trickling downloads send the rest at once."""
        self._call("POST", "/_sim/release")

    def requests(self, endpoint: str | None = None) -> list[dict]:
        """Requests received, oldest first, optionally of one endpoint (``generate``, ``files``...)."""
        params = {"endpoint": endpoint} if endpoint else None
        return self._call("GET", "/_sim/requests", params=params)["requests"]

    def tasks(self) -> list[dict]:
        return self._call("GET", "/_sim/tasks")["tasks"]

    def task(self, task_id: str) -> dict:
        for task in self.tasks():
            if task["taskId"] == task_id:
                return task
        raise SimulatorControlError(f"unknown task {task_id}")

    def complete(self, task_id: str) -> dict:
        """Finish a task (and its running upgrades) now; returns its state."""
        return self._call("POST", f"/_sim/tasks/{task_id}/complete")["task"]

    def callbacks(self) -> list[dict]:
        """Every callback attempt made, oldest first."""
        return self._call("GET", "/_sim/callbacks")["callbacks"]

    def configure(self, **options: object) -> dict:
        return self._call("POST", "/_sim/config", options)["config"]

    def config(self) -> dict:
        return self._call("GET", "/_sim/config")["config"]

    def reset(self, config: bool = False) -> None:
        """Forget tasks, files, faults and logs; with ``config=True`` also undo configure()."""
        self._call("POST", "/_sim/reset", {"config": config})

    def health(self) -> dict:
        return self._call("GET", "/_sim/health")

    def _call(self, method: str, path: str, body: dict | None = None, params: dict | None = None) -> dict:
        answer = self._session.request(
            method, self.base_url + path, json=body, params=params, timeout=ADMIN_TIMEOUT_SECONDS
        )
        if answer.status_code >= 400:
            raise SimulatorControlError(f"{method} {path}: {answer.status_code} {answer.text}")
        return answer.json()
