"""``/_sim/``: the simulator's own admin API, for tests and demos (no Bearer auth; bind to localhost).

See README.md beside this file for every route.
"""

from __future__ import annotations

import re

from veoui.kie.simulator.engine import Simulator
from veoui.kie.simulator.faults import FaultError
from veoui.kie.simulator.wire import BadBody, Request, Response, json_response

_COMPLETE = re.compile(r"/_sim/tasks/([0-9A-Za-z_-]+)/complete")


def handle(sim: Simulator, request: Request) -> Response:
    route = (request.method, request.path.rstrip("/"))
    try:
        if route == ("GET", "/_sim/health"):
            return json_response({"ok": True, "tasks": len(sim.tasks), "running": sim.pending_count()})
        if route == ("GET", "/_sim/faults"):
            return json_response({"faults": sim.faults.listing()})
        if route == ("POST", "/_sim/faults"):
            return json_response({"fault": sim.faults.add(request.json).as_dict()}, status=201)
        if route == ("DELETE", "/_sim/faults"):
            sim.faults.clear()
            return json_response({"faults": []})
        if route == ("GET", "/_sim/requests"):
            return json_response({"requests": sim.log.entries(request.query.get("endpoint") or None)})
        if route == ("GET", "/_sim/tasks"):
            return json_response({"tasks": sim.task_views()})
        if route == ("GET", "/_sim/callbacks"):
            return json_response({"callbacks": sim.callbacks.deliveries()})
        if route == ("GET", "/_sim/config"):
            return json_response({"config": sim.config.as_dict()})
        if route == ("POST", "/_sim/config"):
            return json_response({"config": sim.configure(request.json)})
        if route == ("POST", "/_sim/release"):
            sim.release_hangs()
            return json_response({"ok": True})
        if route == ("POST", "/_sim/reset"):
            restore = bool(request.json.get("config", False)) if request.body else False
            sim.reset(restore_config=restore)
            return json_response({"ok": True})
        complete = _COMPLETE.fullmatch(request.path)
        if complete and request.method == "POST":
            return _complete(sim, complete.group(1))
    except (BadBody, FaultError, ValueError) as error:
        return json_response({"error": str(error)}, status=400)
    return json_response({"error": f"no admin route {request.method} {request.path}"}, status=404)


def _complete(sim: Simulator, task_id: str) -> Response:
    try:
        return json_response({"task": sim.complete(task_id)})
    except KeyError:
        return json_response({"error": f"unknown task {task_id}"}, status=404)
