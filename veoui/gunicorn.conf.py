"""gunicorn's settings for veoui (`gunicorn -c veoui/gunicorn.conf.py veoui.wsgi`; the command line wins). Variables,
read like Django's settings (README "Running on a server"): HOST, PORT (0: any free port), WEB_CONCURRENCY
(processes, default one per CPU up to 8), WEB_THREADS (threads in each, bench/threads.py), LOG_LEVEL."""

import gc
import logging
import os

from django.core.exceptions import ImproperlyConfigured
from gunicorn.glogging import Logger

from veoui.common.env import env_int, env_str
from veoui.common.logs import hide_callback_tokens

try:  # one shared listening socket: a restart (HUP) hands it to the new processes and drops no waiting connection
    bind = [f"{env_str('HOST') or '127.0.0.1'}:{env_int('PORT', 8000)}"]
    workers = env_int("WEB_CONCURRENCY", min(len(os.sched_getaffinity(0)), 8), minimum=1)
    threads = env_int("WEB_THREADS", 8, minimum=1)
except ImproperlyConfigured as error:
    raise SystemExit(f"veoui can't start: {error}") from None
worker_class, timeout, graceful_timeout, keepalive = "gthread", 60, 30, 5
max_requests, max_requests_jitter = 500_000, 50_000  # a restart now and then bounds a slow leak
control_socket_disable = True  # two instances on one machine would share its path
loglevel, errorlog, accesslog = env_str("LOG_LEVEL", "info").lower(), "-", "-"
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
        for name in ("U", "r"):  # a callback address ends in its secret
            atoms[name] = hide_callback_tokens(atoms.get(name) or "")
        return atoms


logger_class = VeouiLogger


def when_ready(server) -> None:
    server.log.info("veoui is listening at %s", ", ".join(str(listener) for listener in server.LISTENERS))


def post_worker_init(worker) -> None:
    gc.collect()
    gc.freeze()  # Django's start-up objects out of the collector's walks, which hold up every thread (bench/RESULTS.md)
