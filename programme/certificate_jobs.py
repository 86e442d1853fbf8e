"""荣誉证书 issued many at once, as a background job with progress and a ZIP (issue 16: 为本批次实验校
颁发证书, a whole award decision at once, and the 优质校 of an evaluation's decision): the job issues
the certificates still missing, then lays out the PDFs of the certificates it covers into one ZIP.

The job is a review.ExportJob (a ZIP of many PDFs built by the job worker, its page following the
progress) run by review.exports.pdf_zip_run, with the same helper processes and time and memory
limits as the applications' ZIP; its selection says `"scope": "certificates"`, so the applications'
PDF 打包 page does not list it. No model of its own: an award decision is its Award and the
certificates the job issued (what each certifies is stored on the certificate).
"""
from dataclasses import dataclass

from django.db import IntegrityError
from django.db.models import Q
from django_tasks import task

from applications.models import Batch
from applications.workflow import WorkflowError
from programme.certificates import (CERTIFICATE_STYLESHEETS, certificate_issue, certificate_pdf_html, certificates_issue_for_batch,
                                   live_certificates, verify_address)
from programme.evaluation_review import excellent_schools
from programme.models import Award, Certificate, CertificateKind, ExperimentProject, ExperimentSchool
from review.exports import ZipDocument, pdf_zip_run, safe_name
from review.models import ExportJob

JOB_SCOPE = "certificates"


@dataclass(frozen=True)
class CertificateTarget:
    """One certificate to issue: to `experiment_school`, of `kind`; for an award, its `award` at
    `level` for one of the school's `project`s."""

    experiment_school: ExperimentSchool
    kind: str
    award: Award | None = None
    level: str = ""
    project: ExperimentProject | None = None

    def as_json(self) -> dict:
        return {"experiment_school": self.experiment_school.pk, "kind": self.kind, "award": self.award.pk if self.award else None,
                "level": self.level, "project": self.project.pk if self.project else None}  # fmt: skip


def _queue(*, batch: Batch, actor, label: str, site_url: str, selection: dict) -> ExportJob:
    job = ExportJob.objects.create(requested_by=actor, batch=batch, label=label[:200],
                                   selection={"scope": JOB_SCOPE, "site": site_url, **selection})  # fmt: skip
    issue_and_zip_certificates.enqueue(job.pk)
    return job


def certificates_issue_batch_job(*, batch: Batch, actor, site_url: str) -> ExportJob:
    """为本批次实验校颁发证书 as a job: a 实验校 certificate for each of the published `batch`'s 实验校
    that has none (certificates_issue_for_batch), then a ZIP of every live certificate of the
    batch's 实验校 (of every kind). `site_url` is the host the QR codes point at. Refused
    (WorkflowError) for a batch not published. Side effects: an ExportJob row, the job queued
    (the certificates are issued when it runs)."""
    if batch.published_at is None:
        raise WorkflowError("该批次实验校名单尚未公布。", "not_published")
    return _queue(batch=batch, actor=actor, label=f"{batch.short_name}·实验校证书", site_url=site_url, selection={"issue": "batch"})


def certificates_issue_job(*, batch: Batch, targets: list[CertificateTarget], actor, label: str, site_url: str,
                           award: Award | None = None) -> ExportJob:
    """Issue the certificates of `targets` (each: 实验校, kind, award and level, project) as a job
    and ZIP their PDFs: for a whole decision at once (an award decision here; the 优质校 of an
    evaluation decision). A target whose live certificate exists already is not issued again (its
    certificate goes into the ZIP); one the rules refuse (a school that left, …) is skipped and
    named on the job's page. `label` names the job (“第一批·实验成果奖”), `award` ties it to an
    award decision. Side effects: an ExportJob row, the job queued (certificates issued when it
    runs: certificate_issue's rows)."""
    return _queue(batch=batch, actor=actor, label=label, site_url=site_url,
                  selection={"issue": "targets", "targets": [t.as_json() for t in targets], "award": award.pk if award else None})  # fmt: skip


def award_decision_issue(*, batch: Batch, award_name: str, levels: list[str], winners: list[tuple[str, ExperimentSchool, ExperimentProject]],
                         actor, site_url: str) -> ExportJob:
    """Record an award decision and issue all its certificates at once: the award `award_name` with
    its `levels` (created if new; an existing one keeps its levels), and for each winner (level,
    实验校 of `batch`, its project) an award certificate, through the certificates' job (its ZIP
    holds them). Side effects: an Award row when new, an ExportJob row, the job queued."""
    award, _created = Award.objects.get_or_create(name=award_name.strip(), defaults={"levels": "、".join(levels)})
    targets = [CertificateTarget(school, CertificateKind.AWARD, award, level, project) for level, school, project in winners]
    return certificates_issue_job(batch=batch, targets=targets, actor=actor, label=f"{batch.short_name}·{award.name}", site_url=site_url, award=award)


def quality_certificates_job(*, evaluation_round, actor, site_url: str) -> ExportJob:
    """为本轮优质校颁发证书: a 优质校 certificate for every 实验校 the round's published results name
    优质校 (programme.evaluation_review.excellent_schools), through the certificates' job (its ZIP
    holds them; one held already is not issued again). Refused (WorkflowError) before the results
    are published. Side effects: an ExportJob row, the job queued."""
    if evaluation_round.published_at is None:
        raise WorkflowError("本轮评估结果尚未公布。", "not_published")
    targets = [CertificateTarget(school, CertificateKind.QUALITY_SCHOOL) for school in excellent_schools(evaluation_round)]
    return certificates_issue_job(batch=evaluation_round.batch, targets=targets, actor=actor, site_url=site_url,
                                  label=f"{evaluation_round.batch.short_name}·{evaluation_round.name}·优质校证书")  # fmt: skip


def certificate_jobs(batch: Batch | None = None, *, award: Award | None = None):
    """The certificates' jobs, the newest first (of one batch, of one award decision)."""
    jobs = ExportJob.objects.filter(selection__scope=JOB_SCOPE).select_related("batch", "requested_by")
    if batch is not None:
        jobs = jobs.filter(batch=batch)
    return jobs.filter(selection__award=award.pk) if award is not None else jobs


def _targets(selection: dict) -> list[CertificateTarget]:
    rows = selection.get("targets", [])
    schools = ExperimentSchool.objects.select_related("school", "batch").in_bulk([r["experiment_school"] for r in rows])
    awards = Award.objects.in_bulk([r["award"] for r in rows if r["award"]])
    projects = ExperimentProject.objects.select_related("category").in_bulk([r["project"] for r in rows if r["project"]])
    return [CertificateTarget(schools[r["experiment_school"]], r["kind"], awards.get(r["award"]), r["level"], projects.get(r["project"]))
            for r in rows]  # fmt: skip


def _issue_targets(job: ExportJob) -> tuple[int, list[int], list[str]]:
    """Issue the job's targets: how many were issued, the live certificate of each target (new or
    held already), and what was skipped and why."""
    issued, certificate_ids, skipped = 0, [], []
    for target in _targets(job.selection):
        try:
            certificate = certificate_issue(experiment_school=target.experiment_school, kind=target.kind, actor=job.requested_by,
                                            award=target.award, level=target.level, project=target.project)  # fmt: skip
        except (WorkflowError, IntegrityError) as error:  # IntegrityError: issued by a concurrent run meanwhile
            held = live_certificates(target.experiment_school, target.kind, target.award, target.project).first()
            if held is not None:
                certificate_ids.append(held.pk)
            else:
                skipped.append(f"{target.experiment_school.school.name}：{getattr(error, 'message', '未能颁发')}")
        else:
            issued += 1
            certificate_ids.append(certificate.pk)
    return issued, certificate_ids, skipped


def job_certificates(job: ExportJob, certificate_ids: list[int] | None = None):
    """The live certificates a job's ZIP holds: every one of the batch's 实验校 (the batch's job),
    or those of its targets."""
    live = Certificate.objects.filter(revoked_at__isnull=True)
    scope = Q(experiment_school__batch=job.batch) if job.selection.get("issue") == "batch" else Q(pk__in=certificate_ids or [])
    return live.filter(scope).select_related("experiment_school__school__province").order_by(
        "experiment_school__school__province_id", "school_name", "kind", "pk")  # fmt: skip


def certificate_file_name(certificate: Certificate) -> str:
    """A certificate's path in the ZIP: <province>/<school>-<what>-<number>.pdf."""
    what = certificate.title if certificate.kind != CertificateKind.AWARD else f"{certificate.title}-{certificate.project_name}"
    return f"{certificate.experiment_school.school.province.name}/{safe_name(certificate.school_name)}-{safe_name(what)}-{certificate.number}.pdf"


@task()
def issue_and_zip_certificates(job_id: int) -> int:
    """Background job: issue what the job's selection asks for, then ZIP the PDFs of the live
    certificates it covers. The issued count and anything skipped are stored in the selection for
    its page. Returns how many PDFs the ZIP holds."""
    job = ExportJob.objects.select_related("batch", "requested_by").get(pk=job_id)
    if job.state == ExportJob.State.DONE:
        return job.done

    def documents():
        if job.selection.get("issue") == "batch":
            issued, certificate_ids, skipped = certificates_issue_for_batch(batch=job.batch, actor=job.requested_by), None, []
        else:
            issued, certificate_ids, skipped = _issue_targets(job)
        job.selection = {**job.selection, "issued": issued, "skipped": skipped}
        ExportJob.objects.filter(pk=job.pk).update(selection=job.selection)
        covered = job_certificates(job, certificate_ids)
        site = job.selection["site"]
        return covered.count(), (ZipDocument(f"证书 {c.number}", certificate_file_name(c), certificate_pdf_html(c, verify_address(site, c.number)))
                                 for c in covered.iterator(chunk_size=50))  # fmt: skip

    return pdf_zip_run(job, documents, stylesheets=CERTIFICATE_STYLESHEETS, noun="证书", file_stem=f"荣誉证书-{safe_name(job.label)}")
