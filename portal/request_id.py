"""Request ids and structured logs.

Every request gets an id: the one the proxy sent in X-Request-ID (nginx sets it to its own
$request_id, so its access log and ours share it), else a fresh one. The id is kept in a context
variable for the duration of the request, returned in the response's X-Request-ID header, and added
to every log record by `RequestIdFilter`, so one line of a log leads to all the others of the same
request. `JsonFormatter` writes one JSON object per line (LOG_FORMAT=json) for a log collector.

This module imports nothing from Django at import time: gunicorn's master process loads the
formatter (deploy/gunicorn.conf.py) before Django is set up.
"""
import contextvars
import json
import logging
import re
import uuid
from datetime import datetime, timezone

HEADER = "X-Request-ID"
META_KEY = "HTTP_X_REQUEST_ID"
NO_REQUEST = "-"

# What we accept from outside: short, and nothing that could forge or break a log line.
_ACCEPTABLE = re.compile(r"[A-Za-z0-9._:-]{1,128}")

_current = contextvars.ContextVar("request_id", default=NO_REQUEST)


def get_request_id() -> str:
    """The id of the request being handled in this thread, or "-" outside any request."""
    return _current.get()


def _clear(**kwargs):
    _current.set(NO_REQUEST)


class RequestIdMiddleware:
    """Put it first in MIDDLEWARE, so even a redirect or an error page carries the id."""

    def __init__(self, get_response):
        self.get_response = get_response
        # The id stays set until the response is closed, so Django's own "Not Found: /x" line,
        # written after the middleware chain returns, still carries it.
        from django.core.signals import request_finished

        request_finished.connect(_clear, dispatch_uid="portal.request_id.clear")

    def __call__(self, request):
        incoming = request.META.get(META_KEY, "")
        request_id = incoming if _ACCEPTABLE.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        _current.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (put it on the handler, so records from every logger
    pass through it)."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = get_request_id()
        return True


# The attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", (), None)).keys() | {"message", "asctime", "taskName", "request_id"}
)

# gunicorn's access log passes its atoms as the record's arguments: these become JSON fields.
_GUNICORN_ACCESS = {
    "remote_addr": "h",
    "method": "m",
    "path": "U",
    "query": "q",
    "status": "s",
    "bytes": "B",
    "duration_ms": "M",
    "referer": "f",
    "user_agent": "a",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request_id, the record's
    extra fields, and the traceback when there is one."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or get_request_id(),
        }
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            atoms = record.args
            for field, atom in _GUNICORN_ACCESS.items():
                value = atoms.get(atom)
                # gunicorn escapes double quotes for its text format; JSON escapes them itself.
                entry[field] = value.replace('\\"', '"') if isinstance(value, str) else value
            # The response header the middleware set; gunicorn logs after the request is over.
            entry["request_id"] = atoms.get("{x-request-id}o") or atoms.get("{x-request-id}i") or NO_REQUEST
        for key, value in vars(record).items():
            if key in _STANDARD or key.startswith("_"):
                continue
            if key == "request":
                # Django's request loggers pass the request itself.
                entry["method"] = getattr(value, "method", None)
                entry["path"] = getattr(value, "path", None)
                continue
            entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
