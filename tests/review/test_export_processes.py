"""Run as the job worker runs it (outside a transaction), the ZIP job lays its PDFs out in
PDF_EXPORT_PROCESSES helper processes: every application's PDF arrives, in order, under its name."""
import multiprocessing
import zipfile

import pytest
from django.urls import reverse

from review import exports
from review.exports import build_pdf_zip, export_queryset
from review.models import ExportJob
from tests.review.national_helpers import HUBEI, at_national, pdf_text

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data", "private_media")]


@pytest.mark.parametrize("processes", [2, 1])
def test_the_zip_holds_every_pdf_in_order_with_or_without_helper_processes(batch, staff_user, settings, monkeypatch, processes):
    settings.PDF_EXPORT_PROCESSES = processes
    forks = []
    real_context = multiprocessing.get_context

    def recording_context(method=None):
        forks.append(method)
        return real_context(method)

    monkeypatch.setattr(exports.multiprocessing, "get_context", recording_context)
    applications = [at_national(batch, f"四川进程文档学校{n}")[0] for n in range(3)] + [at_national(batch, "湖北进程文档学校", HUBEI)[0]]
    job = ExportJob.objects.create(requested_by=staff_user, batch=batch, label="全部", selection={"scope": "all"})

    assert build_pdf_zip.call(job.pk) == 4

    job.refresh_from_db()
    assert (job.state, job.done, job.total) == ("done", 4, 4)
    assert forks == (["fork"] if processes > 1 else [])
    archive = zipfile.ZipFile(job.file.open("rb"))
    expected = list(export_queryset(job).select_related("school__province"))
    assert {a.pk for a in expected} == {a.pk for a in applications}
    assert archive.namelist() == [f"{a.school.province.name}/{a.number}-{a.school.name}.pdf" for a in expected]
    for name, application in zip(archive.namelist(), expected):
        text = pdf_text(archive.read(name))
        assert application.number in text and application.school.name in text


def job_over_a_limit(batch, staff_user, settings, **limits):
    """Run the ZIP job with helper processes under `limits` (settings); the failed job."""
    settings.PDF_EXPORT_PROCESSES = 2
    for name, value in limits.items():
        setattr(settings, name, value)
    at_national(batch, "四川限时文档学校")
    job = ExportJob.objects.create(requested_by=staff_user, batch=batch, label="全部", selection={"scope": "all"})
    with pytest.raises(exports.ExportLimitExceeded):
        build_pdf_zip.call(job.pk)
    job.refresh_from_db()
    assert (job.state, job.file.name or "") == ("failed", "")  # no ZIP with a PDF missing
    return job


def job_page(client, staff_user, job) -> str:
    client.force_login(staff_user)
    response = client.get(reverse("review:export_detail", args=[job.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_pdf_over_the_time_limit_stops_the_job_with_a_message_on_its_page(batch, staff_user, settings, client):
    job = job_over_a_limit(batch, staff_user, settings, PDF_EXPORT_SECONDS_PER_PDF=0.001)

    number = export_queryset(job).get().number
    message = f"申请表 {number} 的 PDF 在 0.001 秒内没有生成，打包已停止，没有生成压缩包。请单独打开这份申请的 PDF 核对内容，或联系技术支持。"
    assert job.error == message
    assert message in job_page(client, staff_user, job)


def test_a_helper_over_the_memory_limit_stops_the_job_with_a_message_on_its_page(batch, staff_user, settings, client, monkeypatch):
    # A layout that needs 256 MB at once, in a helper allowed 64 MB more than it was forked with
    # (a real layout may find what it needs in memory the worker freed before the fork, so it
    # would not tell reliably whether the limit holds). The helpers are forked: they inherit this.
    def greedy_layout(html, stylesheets):
        return bytes(bytearray(256 * 2**20))

    monkeypatch.setattr(exports, "html_to_pdf", greedy_layout)
    job = job_over_a_limit(batch, staff_user, settings, PDF_EXPORT_MEMORY_MB=64, PDF_EXPORT_SECONDS_PER_PDF=60)

    number = export_queryset(job).get().number
    message = f"申请表 {number} 的 PDF 超过了内存上限（64 MB），打包已停止，没有生成压缩包。请单独打开这份申请的 PDF 核对内容，或联系技术支持。"
    assert job.error == message
    assert message in job_page(client, staff_user, job)
