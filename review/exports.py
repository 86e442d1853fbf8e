"""ZIP bundles of PDFs — the applications' here, the 荣誉证书's in programme.certificate_jobs (both
through pdf_zip_run) — built by a background job (django-tasks; the database
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
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.db import connection, connections
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import task

from applications.documents import APPLICATION_PDF_STYLESHEETS, application_pdf_html, is_archived_copy
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


def _laid_out(result, what: str, noun: str) -> bytes:
    """The PDF a helper process laid out, within the limits (`what` names the document in the
    message, e.g. 申请表 <number>; `noun` is what it is a PDF of, e.g. 申请). A helper that dies (the
    kernel's out-of-memory killer, a crash in the layout libraries) never answers: the timeout
    ends that wait too."""
    seconds = settings.PDF_EXPORT_SECONDS_PER_PDF
    advice = f"请单独打开这份{noun}的 PDF 核对内容，或联系技术支持。"
    try:
        return result.get(timeout=seconds)
    except multiprocessing.TimeoutError:
        raise ExportLimitExceeded(f"{what} 的 PDF 在 {seconds:g} 秒内没有生成，打包已停止，没有生成压缩包。{advice}") from None
    except MemoryError:
        raise ExportLimitExceeded(
            f"{what} 的 PDF 超过了内存上限（{settings.PDF_EXPORT_MEMORY_MB} MB），打包已停止，没有生成压缩包。{advice}"
        ) from None


@dataclass(frozen=True)
class ZipDocument:
    """One PDF of a ZIP job: `what` names it in a message (申请表 <number>), `name` is its path in
    the ZIP, `html` its rendered template (render_html: the part that reads the database);
    `archival`: laid out as PDF/A (an application as submitted: applications.documents.is_archived_copy)."""

    what: str
    name: str
    html: str
    archival: bool = False


def pdf_zip_run(job: ExportJob, documents: Callable[[], tuple[int, Iterable[ZipDocument]]], *, stylesheets: tuple[str, ...],
                noun: str, file_stem: str) -> int:
    """Run an ExportJob: `documents()` (called once the job is marked running; it may write, as the
    certificates' job issues before it packs) gives how many PDFs and the documents; each is laid
    out (in PDF_EXPORT_PROCESSES helper processes, within the time and memory limits) and written
    into one ZIP, `<file_stem>-<Beijing time>.zip`, in order. Side effects: the job's state,
    progress, file and finished_at; on any failure its state FAILED with the message for its page
    (and the exception raised again, for the worker's log). Returns how many PDFs were packed."""
    job.state, job.done = ExportJob.State.RUNNING, 0
    job.save(update_fields=["state", "done"])
    try:
        job.total, pending_documents = documents()
        ExportJob.objects.filter(pk=job.pk).update(total=job.total)
        with tempfile.TemporaryFile() as spool, _layout_pool() as pool:
            with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                pending: deque = deque()  # (document, PDF or its AsyncResult), in order

                def write_oldest():
                    document, pdf = pending.popleft()
                    archive.writestr(document.name, _laid_out(pdf, document.what, noun) if pool is not None else pdf)
                    job.done += 1
                    ExportJob.objects.filter(pk=job.pk).update(done=job.done)

                for document in pending_documents:
                    if pool is None:
                        pending.append((document, html_to_pdf(document.html, stylesheets, archival=document.archival)))
                    else:
                        pending.append((document, pool.apply_async(_lay_out_in_helper, (document.html, stylesheets, document.archival))))
                    # A few PDFs in flight per process keep every process busy; the rest wait
                    # as rows in the database, not as PDFs in memory.
                    while len(pending) > 2 * (pool_size() if pool is not None else 0):
                        write_oldest()
                while pending:
                    write_oldest()
            spool.seek(0)
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
            job.file.save(f"{file_stem}-{stamp}.zip", File(spool), save=False)
        job.state, job.finished_at = ExportJob.State.DONE, timezone.now()
        job.save(update_fields=["file", "state", "finished_at"])
    except Exception as error:  # the job row tells the user; the log keeps the trace
        logger.exception("export %s failed", job.pk)
        message = str(error) if isinstance(error, ExportLimitExceeded) else f"{type(error).__name__}: {error}"
        ExportJob.objects.filter(pk=job.pk).update(state=ExportJob.State.FAILED, error=message[:2000])
        raise
    return job.done


@task()
def build_pdf_zip(job_id: int) -> int:
    """Background job: render every PDF of the selection into one ZIP, updating the progress."""
    job = ExportJob.objects.select_related("batch").get(pk=job_id)
    if job.state == ExportJob.State.DONE:
        return job.done
    qs = export_queryset(job)

    def documents():
        applications = application_with_parts(qs.select_related("batch", "school__province")).iterator(chunk_size=20)
        return qs.count(), (ZipDocument(f"申请表 {a.number}", f"{a.school.province.name}/{a.number}-{safe_name(a.applicant_name)}.pdf",
                                        application_pdf_html(a), archival=is_archived_copy(a)) for a in applications)  # fmt: skip

    return pdf_zip_run(job, documents, stylesheets=APPLICATION_PDF_STYLESHEETS, noun="申请", file_stem=f"申请表PDF-{safe_name(job.label)}")
