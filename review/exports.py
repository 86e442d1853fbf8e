"""ZIP bundles of application PDFs, built by a background job (django-tasks; the database
backend's worker runs it, `python manage.py db_worker`). PDFs are laid out by PDF_EXPORT_PROCESSES
helper processes and written into the ZIP in order as they come, a few at a time, so memory stays
flat however many there are; the job row carries the progress. Each PDF is held to
PDF_EXPORT_SECONDS_PER_PDF and each helper to PDF_EXPORT_MEMORY_MB more than it was forked with:
past either the job stops with a message on its page, and no ZIP with a PDF missing is made."""
import logging
import multiprocessing
import re
import resource
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

from applications.documents import APPLICATION_PDF_STYLESHEETS, application_pdf, application_pdf_html, is_archived_copy
from applications.models import NATIONAL_STATUSES, Application, Status
from applications.selectors import application_with_parts
from portal.pdf import html_to_pdf
from review.models import ExportJob

logger = logging.getLogger(__name__)


class ExportLimitExceeded(Exception):
    """A PDF went past PDF_EXPORT_SECONDS_PER_PDF or PDF_EXPORT_MEMORY_MB: the job stops, and its
    page says which application and why (the message is for the project group, in Chinese)."""


def _address_space_bytes(measure: str = "VmSize") -> int:
    """The address space of this process (VmSize now, VmPeak at most so far), from /proc (Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{measure}:"):
                return int(line.split()[1]) * 1024
    raise OSError(f"{measure} not found in /proc/self/status")


def _limit_helper_memory(extra_bytes: int) -> None:
    """Pool initializer: the helper may grow by `extra_bytes` beyond what it had when forked (the
    job worker's own size differs from machine to machine, so an absolute limit would not say
    what a PDF may take); past that an allocation fails with MemoryError instead of the machine
    swapping or the kernel killing the job worker."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _address_space_bytes() + extra_bytes
    resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))


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
    pool = multiprocessing.get_context("fork").Pool(
        pool_size(), initializer=_limit_helper_memory, initargs=(settings.PDF_EXPORT_MEMORY_MB * 2**20,)
    )
    try:
        yield pool
    finally:
        pool.terminate()  # every result was taken by then, or the job failed
        pool.join()


# How close to its limit a helper's address space came for a failure to count as running out:
# an allocation that fails is at most this big in the layout libraries.
MEMORY_LIMIT_SLACK = 64 * 2**20


def _lay_out_in_helper(html: str, stylesheets: tuple[str, ...], archival: bool = False) -> bytes:
    """html_to_pdf in a helper process. An allocation refused at the limit does not always come
    back as MemoryError (the C libraries underneath may fail in their own ways, e.g. SystemError):
    a failure after the process came within MEMORY_LIMIT_SLACK of its limit is one."""
    try:
        return html_to_pdf(html, stylesheets, archival=archival)
    except Exception as error:
        soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
        near_limit = soft != resource.RLIM_INFINITY and _address_space_bytes("VmPeak") >= soft - MEMORY_LIMIT_SLACK
        if isinstance(error, MemoryError) or near_limit:
            raise MemoryError(f"address space limit reached ({type(error).__name__})") from None
        raise


def _laid_out(result, number: str) -> bytes:
    """The PDF a helper process laid out, within the limits. A helper that dies (the kernel's
    out-of-memory killer, a crash in the layout libraries) never answers: the timeout ends that
    wait too."""
    seconds = settings.PDF_EXPORT_SECONDS_PER_PDF
    try:
        return result.get(timeout=seconds)
    except multiprocessing.TimeoutError:
        raise ExportLimitExceeded(
            f"申请表 {number} 的 PDF 在 {seconds:g} 秒内没有生成，打包已停止，没有生成压缩包。"
            "请单独打开这份申请的 PDF 核对内容，或联系技术支持。"
        ) from None
    except MemoryError:
        raise ExportLimitExceeded(
            f"申请表 {number} 的 PDF 超过了内存上限（{settings.PDF_EXPORT_MEMORY_MB} MB），打包已停止，没有生成压缩包。"
            "请单独打开这份申请的 PDF 核对内容，或联系技术支持。"
        ) from None


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
                pending: deque = deque()  # (application number, name, PDF or its AsyncResult), in order

                def write_oldest():
                    number, name, pdf = pending.popleft()
                    archive.writestr(name, _laid_out(pdf, number) if pool is not None else pdf)
                    job.done += 1
                    ExportJob.objects.filter(pk=job.pk).update(done=job.done)

                for application in application_with_parts(qs.select_related("batch", "school__province")).iterator(chunk_size=20):
                    name = f"{application.school.province.name}/{application.number}-{safe_name(application.applicant_name)}.pdf"
                    if pool is None:
                        pending.append((application.number, name, application_pdf(application)))
                    else:
                        html = application_pdf_html(application)
                        pending.append((application.number, name, pool.apply_async(_lay_out_in_helper, (html, APPLICATION_PDF_STYLESHEETS, is_archived_copy(application)))))
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
        message = str(error) if isinstance(error, ExportLimitExceeded) else f"{type(error).__name__}: {error}"
        ExportJob.objects.filter(pk=job.pk).update(state=ExportJob.State.FAILED, error=message[:2000])
        raise
    return job.done
