"""gunicorn's settings for veoui: `gunicorn -c veoui/gunicorn.conf.py veoui.wsgi`.

Used by `make run`, the systemd unit (veoui/deploy/veoui-web.service) and the Procfile. Anything given on
gunicorn's command line wins over this file. Variables (all optional, README "Running on a server"): HOST and
PORT (where to listen, 127.0.0.1:8000; PORT=0 takes any free port), WEB_CONCURRENCY (processes), WEB_THREADS
(threads in each), LOG_LEVEL.
"""

from __future__ import annotations

import gc
import logging
import os
import socket

from gunicorn.glogging import Logger

from veoui.common.logs import hide_callback_tokens


def _whole_number(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < minimum:
        raise SystemExit(f"{name} must be a whole number of at least {minimum}, not {raw!r}.")
    return int(raw)


_cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)

bind = [f"{os.environ.get('HOST', '127.0.0.1').strip() or '127.0.0.1'}:{_whole_number('PORT', 8000, minimum=0)}"]

# One process a CPU, two threads in each. Python runs one thread of a process at a time: a second thread works
# while the first waits on the database or the network, and more only take turns, stretching every request they
# share the process with (bench/throughput.py: with 8 threads a process the slowest 1% of status checks took
# 55-61 ms, with 2 threads 35-47 ms, for as many requests served). A process more than there are CPUs only takes
# turns with the others too. Each thread is held by one request from its first byte to its last, so gunicorn must
# not face clients on a public address: behind nginx (veoui/deploy/nginx.conf), which buffers whole requests and
# answers, slow senders and slow viewers hold no thread; facing them directly, four slow clients freeze the site.
worker_class = "gthread"
workers = _whole_number("WEB_CONCURRENCY", min(_cpus, 8))
threads = _whole_number("WEB_THREADS", 2)

# Each process listens on a socket of its own (SO_REUSEPORT) and the kernel spreads new connections evenly over
# them. On one shared socket the process that wakes first takes them: 48 of 64 browser connections went to one
# of three processes while the other two idled, and those 48 waited several times longer for every answer.
# on_starting() below keeps a second server from quietly sharing the port.
reuse_port = True

# A gthread worker's main loop keeps beating while its threads stream, so this only catches a stuck process.
timeout = 60
graceful_timeout = 30
keepalive = 5
# Restart each process now and then, staggered, so that a slow leak can never grow without bound. Rarely: every
# open video card asks for its status each second (ten people watching make some 36,000 requests an hour), and each
# restart loads Django anew (about a second of a CPU), drops the process's open connections and ends its streams;
# the browsers' connections then go to the other processes and stay there, which slows them down for a while.
max_requests = 500_000
max_requests_jitter = 50_000

# The control socket (gunicornc) is off: two veoui instances on one machine would fight over its default path.
control_socket_disable = True

loglevel = os.environ.get("LOG_LEVEL", "info").strip().lower() or "info"
errorlog = "-"
accesslog = "-"
# One line per request: client, method, path (no query string), status, bytes, milliseconds, user agent.
# Proxies' X-Forwarded-For is shown beside the direct peer. No cookies, no headers that carry credentials.
access_log_format = '%(h)s fwd=%({x-forwarded-for}i)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms "%(a)s"'


class VeouiLogger(Logger):
    def access(self, resp, req, environ, request_time) -> None:
        # A status check that found nothing changed (204) says nothing worth a line; each open page asks every two
        # seconds. LOG_LEVEL=debug logs them too.
        if resp.status_code == 204 and req.path == "/status/" and not self.error_log.isEnabledFor(logging.DEBUG):
            return
        super().access(resp, req, environ, request_time)

    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        # kie.ai's callback addresses end in a secret: it is kept out of the access log, whichever atom shows the path.
        for name in ("U", "r"):
            atoms[name] = hide_callback_tokens(atoms.get(name) or "")
        return atoms


logger_class = VeouiLogger


def on_starting(server) -> None:
    """Before any process listens: refuse a port that is taken, and turn port 0 into a free port.

    With reuse_port the master holds no socket, so gunicorn would neither notice another server on the port (it
    would quietly share it) nor agree on one port when asked for any free one (each process would take its own).
    """
    if os.environ.get("LISTEN_FDS"):  # systemd hands over sockets of its own: every process shares those
        server.cfg.set("reuse_port", False)
        return
    addresses = []
    for address in server.cfg.address:
        if not isinstance(address, tuple) or len(address) != 2:  # a Unix socket or a file descriptor
            server.cfg.set("reuse_port", False)
            return
        host, port = address
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as error:
                message = f"veoui can't listen at {host}:{port}: {error.strerror}. Is veoui already running?"
                raise SystemExit(message) from None
            port = probe.getsockname()[1]
        addresses.append(f"[{host}]:{port}" if family == socket.AF_INET6 else f"{host}:{port}")
    server.cfg.set("bind", addresses)


def post_worker_init(worker) -> None:
    # Django and the code loaded at start never become garbage: set them aside so that Python's collector, which
    # holds up every thread of the process while it runs, no longer walks them again and again.
    gc.collect()
    gc.freeze()
    # Said by each process once its own socket listens and Django is loaded (the master holds no socket).
    for listener in worker.sockets:
        if listener.FAMILY in (socket.AF_INET, socket.AF_INET6):
            host, port = listener.sock.getsockname()[:2]
            host = f"[{host}]" if listener.FAMILY == socket.AF_INET6 else host
            worker.log.info("veoui is listening at http://%s:%s (process %s)", host, port, worker.pid)
