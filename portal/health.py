"""/healthz: is this app server fit to take requests?

It answers 200 with {"status": "ok", ...} when the database answers a query and the job queue's
table can be read, else 503 with {"status": "error", ...}; a load balancer or `docker compose`
polls it. No login, no redirect (SECURE_REDIRECT_EXEMPT), never cached.

The queue part also says how many jobs wait and how long the oldest has been waiting. A queue that
nobody works off (the db_worker is down) does not make this app server unfit, so it stays 200 and
reports `"stale": true`; a monitor that should page someone when the worker stops asks for
/healthz?strict=1, which answers 503 then.

Anyone may ask, so anyone learns only up or down ({"status": "ok"} or {"status": "error"}): the
details (database type and timing, the queue's depth) are for callers on this machine itself (the
container's health check, bin/smoke; behind nginx, by the address nginx passes on:
portal/client_address.py) and for a monitor that sends `Authorization: Bearer <HEALTHZ_TOKEN>`.
"""
import hmac
import logging
import time

from django.conf import settings
from django.db import connection
from django.db.models import Case, F, When
from django.db.models.functions import Greatest
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from portal.client_address import is_loopback

logger = logging.getLogger(__name__)


def _database() -> dict:
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connection.vendor, "ms": round((time.monotonic() - started) * 1000, 1)}


def _queue() -> dict:
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    ready = DBTaskResult.objects.ready()
    # A job waits from when it was queued, or from its run_after when it was put off (a retry).
    waiting_since = (
        ready.annotate(
            waiting_since=Case(
                When(run_after=get_date_max(), then=F("enqueued_at")),
                default=Greatest("enqueued_at", "run_after"),
            )
        )
        .order_by("waiting_since")
        .values_list("waiting_since", flat=True)
        .first()
    )
    age = max(0.0, (timezone.now() - waiting_since).total_seconds()) if waiting_since else None
    return {
        "ok": True,
        "ready": ready.count(),
        "running": DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count(),
        "oldest_ready_age_seconds": None if age is None else round(age, 1),
        "stale": age is not None and age > settings.HEALTHZ_QUEUE_STALE_SECONDS,
    }


def _check(name, probe) -> dict:
    try:
        return probe()
    except Exception as error:  # noqa: BLE001 - any failure means unhealthy; the details go to the log only
        logger.exception("healthz: %s check failed", name)
        return {"ok": False, "error": type(error).__name__}


def _may_see_details(request) -> bool:
    """This machine itself, or a caller with the token (compared in constant time)."""
    token = settings.HEALTHZ_TOKEN
    scheme, _, sent = request.headers.get("Authorization", "").partition(" ")
    if token and scheme == "Bearer" and hmac.compare_digest(sent.encode(), token.encode()):
        return True
    return is_loopback(request)


@never_cache
@require_safe
def healthz(request):
    database = _check("database", _database)
    queue = _check("queue", _queue)
    healthy = database["ok"] and queue["ok"]
    if "strict" in request.GET and queue.get("stale"):
        healthy = False
    answer = {"status": "ok" if healthy else "error"}
    if _may_see_details(request):
        answer.update(database=database, queue=queue)
    return JsonResponse(answer, status=200 if healthy else 503, json_dumps_params={"ensure_ascii": False})
