"""ZIP bundles of application PDFs, built by a background job (django-tasks; the database
backend's worker runs it, `python manage.py db_worker`). PDFs are laid out by PDF_EXPORT_PROCESSES
helper processes and written into the ZIP in order as they come, a few at a time, so memory stays
flat however many there are; the job row carries the progress."""
import logging
import multiprocessing
import re
import tempfile
import zipfile
from collections import deque
from contextlib import contextmanager

from django.conf import settings
from django.core.files import File
from django.db import connection, connections
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import task

from applications.documents import APPLICATION_PDF_STYLESHEETS, application_pdf, application_pdf_html
from applications.models import NATIONAL_STATUSES, Application, Status
from applications.selectors import application_with_parts
from portal.pdf import html_to_pdf
from review.models import ExportJob

logger = logging.getLogger(__name__)


def export_queryset(job: ExportJob) -> QuerySet[Application]:
    """The applications a job covers, from its stored selection."""
    qs = Application.objects.filter(batch=job.batch, status__in=NATIONAL_STATUSES)
    scope = job.selection.get("scope")
    if scope == "ids":
        qs = Application.objects.filter(batch=job.batch, pk__in=job.selection.get("ids", []))
    elif scope == "selected":
        qs = qs.filter(status=Status.SELECTED)
    elif scope == "province":
        qs = qs.filter(school__province_id=job.selection.get("province"))
    return qs.order_by("school__province_id", "number")


def safe_name(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("_")[:80]


def export_create(*, batch, actor, scope: str, province=None, ids=None) -> ExportJob:
    """Record an export and queue its job. `scope` is selected, province, all, or ids (a list
    of applications picked in admin)."""
    labels = {"selected": "入选的申请", "all": "报送项目组的全部申请", "ids": f"所选 {len(ids or [])} 份申请"}
    label = f"{province.name}的全部申请" if scope == "province" else labels[scope]
    job = ExportJob.objects.create(
        requested_by=actor, batch=batch, label=f"{batch.short_name}·{label}",
        selection={"scope": scope, "province": province.code if province else None, "ids": list(ids or [])},
    )  # fmt: skip
    build_pdf_zip.enqueue(job.pk)
    return job


def pool_size() -> int:
    return max(1, settings.PDF_EXPORT_PROCESSES)


@contextmanager
def _layout_pool():
    """PDF_EXPORT_PROCESSES helper processes that lay the PDFs out (WeasyPrint, the CPU-heavy
    part, about half a second each), so a bundle of hundreds uses every core the setting gives
    it; this process renders the HTML from the database and writes the ZIP. The helpers are
    forked from this process with its connections closed first (they never touch the database).
    Yields None (everything in this process) when the setting is 1, or inside a transaction (as
    the tests' immediate task backend runs the job), where closing connections is not allowed."""
    if pool_size() <= 1 or connection.in_atomic_block:
        yield None
        return
    connections.close_all()
    pool = multiprocessing.get_context("fork").Pool(pool_size())
    try:
        yield pool
    finally:
        pool.terminate()  # every result was taken by then, or the job failed
        pool.join()


@task()
def build_pdf_zip(job_id: int) -> int:
    """Background job: render every PDF of the selection into one ZIP, updating the progress."""
    job = ExportJob.objects.select_related("batch").get(pk=job_id)
    if job.state == ExportJob.State.DONE:
        return job.done
    qs = export_queryset(job)
    job.state, job.total, job.done = ExportJob.State.RUNNING, qs.count(), 0
    job.save(update_fields=["state", "total", "done"])
    try:
        with tempfile.TemporaryFile() as spool, _layout_pool() as pool:
            with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                pending: deque = deque()  # (name, PDF or its AsyncResult), in order

                def write_oldest():
                    name, pdf = pending.popleft()
                    archive.writestr(name, pdf.get() if pool is not None else pdf)
                    job.done += 1
                    ExportJob.objects.filter(pk=job.pk).update(done=job.done)

                for application in application_with_parts(qs.select_related("batch", "school__province")).iterator(chunk_size=20):
                    name = f"{application.school.province.name}/{application.number}-{safe_name(application.school.name)}.pdf"
                    if pool is None:
                        pending.append((name, application_pdf(application)))
                    else:
                        html = application_pdf_html(application)
                        pending.append((name, pool.apply_async(html_to_pdf, (html, APPLICATION_PDF_STYLESHEETS))))
                    # A few PDFs in flight per process keep every process busy; the rest wait
                    # as rows in the database, not as PDFs in memory.
                    while len(pending) > 2 * (pool_size() if pool is not None else 0):
                        write_oldest()
                while pending:
                    write_oldest()
            spool.seek(0)
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
            job.file.save(f"申请表PDF-{safe_name(job.label)}-{stamp}.zip", File(spool), save=False)
        job.state, job.finished_at = ExportJob.State.DONE, timezone.now()
        job.save(update_fields=["file", "state", "finished_at"])
    except Exception as error:  # the job row tells the user; the log keeps the trace
        logger.exception("export %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(state=ExportJob.State.FAILED, error=f"{type(error).__name__}: {error}"[:2000])
        raise
    return job.done
