"""gunicorn's settings for veoui: `gunicorn -c veoui/gunicorn.conf.py veoui.wsgi`.

Used by `make run`, the systemd unit (veoui/deploy/veoui-web.service) and the Procfile. Anything given on
gunicorn's command line wins over this file. Variables (all optional, README "Running on a server"): HOST and
PORT (where to listen, 127.0.0.1:8000; PORT=0 takes any free port), WEB_CONCURRENCY (processes), WEB_THREADS
(threads in each), LOG_LEVEL.
"""

from __future__ import annotations

import os
import re

from gunicorn.glogging import Logger


def _whole_number(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < minimum:
        raise SystemExit(f"{name} must be a whole number of at least {minimum}, not {raw!r}.")
    return int(raw)


_cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)

bind = [f"{os.environ.get('HOST', '127.0.0.1').strip() or '127.0.0.1'}:{_whole_number('PORT', 8000, minimum=0)}"]

# Threads, not more processes, carry the load: most requests are quick database reads, and the long ones
# (a video streamed to a member, a picture upload) wait on the network, which threads do well.
worker_class = "gthread"
workers = _whole_number("WEB_CONCURRENCY", min(_cpus + 1, 8))
threads = _whole_number("WEB_THREADS", min(4 * _cpus, 16))

# A gthread worker's main loop keeps beating while its threads stream, so this only catches a stuck process.
timeout = 60
graceful_timeout = 30
keepalive = 5
# Restart each process now and then, staggered, so that a slow leak can never grow without bound. Not often: every
# open video card asks for its status each second (ten people watching make some 36,000 requests an hour), and each
# restart loads Django anew (about a second of a CPU), drops the process's open connections and ends its streams.
max_requests = 50000
max_requests_jitter = 5000

# The control socket (gunicornc) is off: two veoui instances on one machine would fight over its default path.
control_socket_disable = True

loglevel = os.environ.get("LOG_LEVEL", "info").strip().lower() or "info"
errorlog = "-"
accesslog = "-"
# One line per request: client, method, path (no query string), status, bytes, milliseconds, user agent.
# Proxies' X-Forwarded-For is shown beside the direct peer. No cookies, no headers that carry credentials.
access_log_format = '%(h)s fwd=%({x-forwarded-for}i)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms "%(a)s"'

# kie.ai's callback addresses end in a per-video secret: it is kept out of the access log.
_CALLBACK = re.compile(r"^(/hooks/kie/[^/]+/)[^/]+")


class VeouiLogger(Logger):
    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = _CALLBACK.sub(r"\1[hidden]", atoms.get("U") or "")
        return atoms


logger_class = VeouiLogger
