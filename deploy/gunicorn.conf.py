"""gunicorn's settings for the portal. Every value can be changed from the environment.

    gunicorn -c deploy/gunicorn.conf.py            # (the WSGI application is named here)

Used as it is by deploy/systemd/portal-web.service, the Docker image and bin/smoke.
"""
import gc
import multiprocessing
import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# The JSON log formatter below lives in the portal's code (portal/request_id.py).
sys.path.insert(0, str(BASE_DIR))

wsgi_app = "portal.wsgi:application"
chdir = str(BASE_DIR)
proc_name = "portal-web"

# Behind nginx on the same machine by default; "0.0.0.0:8000" in a container or behind a load
# balancer on another machine. Several addresses are separated by commas.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")

# Workers: WEB_CONCURRENCY, by default 2 per core plus one. A PDF takes about a second of CPU in a
# worker, and each worker holds its own WeasyPrint and fonts (about 170 MB resident after a first
# PDF), so on a small machine memory, not cores, may set the limit. Threads (GUNICORN_THREADS > 1)
# switch to the gthread worker: more requests waiting on the database at once for little memory.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))

# A request that has not finished after this many seconds is killed: far above a PDF (about 1 s) or
# a large table export; ZIP bundles are built by the job worker, never in a request. nginx waits a
# little longer (proxy_read_timeout 75s) so that gunicorn's timeout is the one that acts.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# nginx keeps connections to gunicorn short; a load balancer in front of gunicorn may reuse them.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Workers are replaced now and then, so that memory kept by one odd request goes back.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = max_requests // 10
# The workers' heartbeat files in memory, not on a disk that may stall (container overlay fs).
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# Which addresses may set X-Forwarded-Proto/For for gunicorn (Django trusts them only when
# BEHIND_PROXY=true): the local nginx by default; the load balancer's address where it talks to
# gunicorn directly.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# gunicorn 25+ opens a control socket under $HOME by default; the services here are stopped and
# reloaded by signals (systemd), and the service user has no writable home.
control_socket_disable = True

# Logs go to standard output and error (journald, docker logs). The access log carries the request
# id the portal returns (X-Request-ID), the same id as nginx's log and the portal's own lines.
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" request_id=%({x-request-id}o)s'

_debug = os.environ.get("DEBUG", "false").lower() in ("1", "true", "yes", "on")
if os.environ.get("LOG_FORMAT", "plain" if _debug else "json") == "json":
    # The same JSON lines as the portal's (LOG_FORMAT, portal/settings.py).
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "portal.request_id.JsonFormatter"}},
        "handlers": {
            "access": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
            "error": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
        },
        "root": {"level": "INFO", "handlers": ["error"]},
        "loggers": {
            "gunicorn.error": {"level": loglevel.upper(), "handlers": ["error"], "propagate": False, "qualname": "gunicorn.error"},
            "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False, "qualname": "gunicorn.access"},
        },
    }


# Long-lived objects out of the garbage collector's way. A worker loads most of Django (URLconf,
# views, templates, model metadata) on its first requests; left in the oldest generation, they are
# walked again by every full collection, which the objects each request leaves behind set off every
# few dozen requests: pauses of 100–200 ms in the middle of a request (bench/README.md, the public
# list over HTTP). After a worker's 1st, 2nd, 4th … 1024th request, with the response already
# sent, what is garbage is collected and what is left is frozen: never scanned again. Objects
# frozen are still freed when no longer used; only a reference cycle among them would be kept, and
# max_requests replaces the worker anyway.
FREEZE_AFTER_REQUESTS = frozenset(2**k for k in range(11))


def post_request(worker, req, environ, resp):
    if worker.nr in FREEZE_AFTER_REQUESTS:
        gc.collect()
        gc.freeze()
