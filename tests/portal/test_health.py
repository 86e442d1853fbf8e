"""/healthz: the database answers and the job queue's table can be read; 200 or 503, in JSON, with
no login and no HTTPS redirect (a load balancer polls app servers over plain HTTP)."""
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


def test_head_works_and_writes_are_refused(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405
