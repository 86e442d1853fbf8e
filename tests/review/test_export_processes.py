"""Run as the job worker runs it (outside a transaction), the ZIP job lays its PDFs out in
PDF_EXPORT_PROCESSES helper processes: every application's PDF arrives, in order, under its name."""
import multiprocessing
import zipfile

import pytest

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
