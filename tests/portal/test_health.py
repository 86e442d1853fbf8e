"""/healthz: the database answers and the job queue's table can be read; 200 or 503, in JSON, with
no login and no HTTPS redirect (a load balancer polls app servers over plain HTTP). Anyone learns
only up or down; the details (database, queue) are for this machine itself and for a monitor that
sends HEALTHZ_TOKEN. The test client calls from 127.0.0.1, this machine: the first tests see the
details."""
from datetime import timedelta

import pytest
from django.db import OperationalError, ProgrammingError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

pytestmark = pytest.mark.django_db


def queued_job(*, waiting=timedelta(0), run_after=None, status="READY") -> DBTaskResult:
    job = DBTaskResult.objects.create(
        args_kwargs={"args": [1], "kwargs": {}},
        task_path="portal.emails.deliver_mail",
        backend_name="default",
        queue_name="default",
        run_after=run_after or get_date_max(),
        status=status,
    )
    DBTaskResult.objects.filter(pk=job.pk).update(enqueued_at=timezone.now() - waiting)
    return job


def test_a_healthy_portal_answers_200_without_a_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    data = response.json()
    assert data["status"] == "ok"
    assert data["database"]["ok"] is True
    assert data["database"]["vendor"] in ("sqlite", "postgresql")
    assert data["queue"] == {"ok": True, "ready": 0, "running": 0, "oldest_ready_age_seconds": None, "stale": False}


def test_the_queue_reports_the_oldest_waiting_job(client):
    queued_job(waiting=timedelta(minutes=10))
    queued_job(waiting=timedelta(minutes=2))
    queued_job(status="RUNNING", waiting=timedelta(hours=1))
    # Put off until later (a retry): not waiting yet.
    queued_job(waiting=timedelta(hours=2), run_after=timezone.now() + timedelta(minutes=5))
    queue = client.get("/healthz").json()["queue"]
    assert queue["ready"] == 2
    assert queue["running"] == 1
    assert 600 <= queue["oldest_ready_age_seconds"] < 660
    assert queue["stale"] is False


def test_a_put_off_job_waits_from_its_run_after_time(client):
    queued_job(waiting=timedelta(hours=3), run_after=timezone.now() - timedelta(minutes=5))
    queue = client.get("/healthz").json()["queue"]
    assert 300 <= queue["oldest_ready_age_seconds"] < 360


def test_a_stale_queue_is_reported_but_keeps_the_app_server_in_service(client, settings):
    settings.HEALTHZ_QUEUE_STALE_SECONDS = 600
    queued_job(waiting=timedelta(minutes=30))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["queue"]["stale"] is True
    # A monitor that watches the worker asks strictly.
    strict = client.get("/healthz?strict=1")
    assert strict.status_code == 503
    assert strict.json()["status"] == "error"


def test_a_database_that_does_not_answer_makes_it_503(client, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise OperationalError("connection to server at 10.0.0.5 failed: password authentication failed")

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    data = response.json()
    assert data["status"] == "error"
    assert data["database"] == {"ok": False, "error": "OperationalError"}
    assert data["queue"] == {"ok": False, "error": "OperationalError"}
    # The details go to the log, never to the anonymous caller.
    assert b"10.0.0.5" not in response.content


def test_an_unreadable_queue_table_makes_it_503(client, monkeypatch):
    def missing(self):
        raise ProgrammingError('relation "django_tasks_database_dbtaskresult" does not exist')

    monkeypatch.setattr(type(DBTaskResult.objects), "ready", missing)
    response = client.get("/healthz")
    assert response.status_code == 503
    data = response.json()
    assert data["database"]["ok"] is True
    assert data["queue"] == {"ok": False, "error": "ProgrammingError"}


def test_it_is_never_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/").status_code == 301
    assert client.get("/healthz").status_code == 200


# --- what the public sees ---------------------------------------------------------------------------

OUTSIDE = "203.0.113.5"


def test_from_outside_the_answer_says_only_up(client):
    response = client.get("/healthz", REMOTE_ADDR=OUTSIDE)

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_from_outside_the_answer_says_only_down(client, monkeypatch, settings):
    settings.HEALTHZ_QUEUE_STALE_SECONDS = 600
    queued_job(waiting=timedelta(minutes=30))
    strict = client.get("/healthz?strict=1", REMOTE_ADDR=OUTSIDE)
    assert (strict.status_code, strict.json()) == (503, {"status": "error"})

    def refuse(self, *args, **kwargs):
        raise OperationalError("connection to server at 10.0.0.5 failed")

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", refuse)
    response = client.get("/healthz", REMOTE_ADDR=OUTSIDE)
    assert (response.status_code, response.json()) == (503, {"status": "error"})


@pytest.mark.parametrize(
    ("forwarded_for", "details"),
    [
        pytest.param(OUTSIDE, False, id="a browser, through nginx"),
        pytest.param(f"127.0.0.1, {OUTSIDE}", False, id="a browser claiming to be this machine"),
        pytest.param("127.0.0.1", True, id="this machine, through nginx"),
    ],
)
def test_behind_nginx_only_this_machine_itself_sees_the_details(client, settings, forwarded_for, details):
    settings.TRUSTED_PROXY_COUNT = 1

    data = client.get("/healthz", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded_for).json()

    assert ("database" in data and "queue" in data) is details
    assert data["status"] == "ok"


def test_a_monitor_with_the_token_sees_the_details_from_anywhere(client, settings):
    settings.HEALTHZ_TOKEN = "s3cret-token-of-the-monitor"

    data = client.get("/healthz", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION="Bearer s3cret-token-of-the-monitor").json()

    assert data["database"]["vendor"] in ("sqlite", "postgresql")
    assert data["queue"]["ready"] == 0
    for wrong in ("Bearer s3cret-token-of-the-monito", "Bearer ", "s3cret-token-of-the-monitor", "Basic czNjcmV0"):
        assert client.get("/healthz", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION=wrong).json() == {"status": "ok"}


def test_without_a_token_set_no_token_opens_the_details(client, settings):
    settings.HEALTHZ_TOKEN = ""

    assert client.get("/healthz", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION="Bearer ").json() == {"status": "ok"}


def test_head_works_and_writes_are_refused(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405
