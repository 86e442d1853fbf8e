"""荣誉证书 (issue 16; notice 五: 颁发实验成果奖和荣誉证书): issuing a certificate to one 实验校 (实验校 on
selection, 优质校 after the evaluation, or an award staff define for one of its projects), to every
实验校 of a published batch at once, and revoking one with a reason.

Issuing writes rows only: the PDF is rendered when someone downloads it (programme.certificate_views),
so issuing for a batch of a few hundred schools is a few queries, not minutes of layout; the ZIP of a
batch's or a decision's PDFs is built by the job worker (programme.certificate_jobs).
"""
import base64
import re
import secrets
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from applications.models import Batch
from portal.pdf import render_html
from applications.workflow import WorkflowError
from programme.checkin_qr import qr_svg
from programme.evaluation_review import published_decision
from programme.experiment_schools import lock_experiment_school
from programme.models import Award, Certificate, CertificateKind, EvaluationOutcome, ExperimentProject, ExperimentSchool, ExperimentStatus

NUMBER_PREFIX = "CAEA"
# 80 random bits (16 base32 characters): far beyond guessing, even with the verify page unthrottled.
NUMBER_RANDOM_BYTES = 10
PROGRAMME_NAME = "职业院校服务全民终身学习项目"
LEFT = (ExperimentStatus.WITHDRAWN, ExperimentStatus.DEEMED_WITHDRAWN)
CERTIFICATE_STYLESHEETS = ("css/print-certificate.css",)


def new_certificate_number(year: int) -> str:
    """A number no one can guess or count on from another: CAEA-<year>-XXXX-XXXX-XXXX-XXXX, the
    X random base32 (A–Z, 2–7: no 0/O or 1/I to misread when typed from paper)."""
    code = base64.b32encode(secrets.token_bytes(NUMBER_RANDOM_BYTES)).decode("ascii")
    return f"{NUMBER_PREFIX}-{year}-" + "-".join(code[i:i + 4] for i in range(0, len(code), 4))


# The number with its dashes and spaces taken out: CAEA, the year, the 16 random characters.
COMPACT_NUMBER = re.compile(rf"{NUMBER_PREFIX}(\d{{4}})([A-Z2-7]{{16}})")


def normalise_number(typed: str) -> str:
    """A number as typed or scanned (any case; spaces and dashes anywhere, or none) in the form it
    is stored, CAEA-<year>-XXXX-XXXX-XXXX-XXXX; what is not a number's shape comes back stripped
    and upper-cased (no certificate has it)."""
    compact = re.sub(r"[\s\-‐‑–—－]+", "", typed).upper()
    match = COMPACT_NUMBER.fullmatch(compact)
    if match is None:
        return typed.strip().upper()
    year, code = match.groups()
    return f"{NUMBER_PREFIX}-{year}-" + "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def is_number_shaped(number: str) -> bool:
    """Whether a normalised number has the shape of a certificate number."""
    return COMPACT_NUMBER.fullmatch(number.replace("-", "")) is not None


def unused_certificate_number(year: int) -> str:
    """A new number not yet taken (checked: a clash is astronomically unlikely, never impossible)."""
    while True:
        number = new_certificate_number(year)
        if not Certificate.objects.filter(number=number).exists():
            return number


def experiment_school_title(experiment_school: ExperimentSchool) -> str:
    """What a 实验校 certificate certifies, e.g. 职业院校服务全民终身学习项目第二批实验校."""
    return f"{PROGRAMME_NAME}{experiment_school.batch.short_name}"


def quality_school_title(evaluation_round) -> str:
    """What a 优质校 certificate certifies, naming the round, e.g.
    职业院校服务全民终身学习项目优质校（第一批实验校·项目优质校评估）."""
    return f"{PROGRAMME_NAME}优质校（{evaluation_round.batch.short_name}·{evaluation_round.name}）"


def live_certificates(experiment_school: ExperimentSchool, kind: str, award: Award | None, project: ExperimentProject | None):
    """The school's live certificates of `kind` (of `award` for `project`, for an award)."""
    live = Certificate.objects.filter(experiment_school=experiment_school, kind=kind, revoked_at__isnull=True)
    return live.filter(award=award, project=project) if kind == CertificateKind.AWARD else live


def certificate_issue(*, experiment_school: ExperimentSchool, kind: str, actor, award: Award | None = None, level: str = "",
                      project: ExperimentProject | None = None, now: datetime | None = None) -> Certificate:
    """Issue one certificate to `experiment_school`: of `kind` 实验校 or 优质校, or an award (`award`
    at `level`, for one of the school's own `project`s). The school's name and what is certified
    are stored as they read today.

    Refused (WorkflowError) for a school that has left the programme, for an award without a level
    it defines or a project of this school, for 优质校 without a published 优质校 conclusion of an
    evaluation round (programme.evaluation_review), and
    when the school already holds a live certificate of the same kind (of the same award for the
    same project). Side effects: one Certificate row (and its history row). Nothing is mailed and no
    PDF is made."""
    now = now or timezone.now()
    if kind not in CertificateKind.values:
        raise WorkflowError("请选择证书类型。", "kind_missing")
    title, project_name = "", ""
    if kind == CertificateKind.AWARD:
        if award is None:
            raise WorkflowError("请选择奖项。", "award_missing")
        if level not in award.level_list:
            raise WorkflowError(f"请选择“{award.name}”的等级（{'、'.join(award.level_list)}）。", "level_missing")
        if project is None or project.experiment_school_id != experiment_school.pk:
            raise WorkflowError("请选择该实验校的获奖项目。", "project_missing")
        title, project_name = f"{award.name} {level}", str(project)
    else:
        award, level, project = None, "", None
    with transaction.atomic():
        locked = lock_experiment_school(experiment_school)  # two staff issuing at once: one wins
        if locked.status in LEFT:
            raise WorkflowError(f"该校状态为“{locked.get_status_display()}”，不能颁发证书。", "school_left")
        if live_certificates(locked, kind, award, project).exists():
            raise WorkflowError("该校已有同类有效证书；如需重新颁发，请先撤销原证书。", "already_issued")
        if kind == CertificateKind.EXPERIMENT_SCHOOL:
            title = experiment_school_title(locked)
        if kind == CertificateKind.QUALITY_SCHOOL:
            decision = published_decision(locked, outcome=EvaluationOutcome.EXCELLENT)
            if decision is None:
                raise WorkflowError("该校没有已公布的优质校评估结论，不能颁发优质校证书。", "not_excellent")
            title = quality_school_title(decision.submission.round)
        return Certificate.objects.create(
            number=unused_certificate_number(timezone.localtime(now).year), kind=kind, experiment_school=locked, award=award,
            award_level=level, project=project, school_name=locked.school.name, title=title, project_name=project_name,
            issued_at=now, issued_by=actor,
        )  # fmt: skip


def certificates_issue_for_batch(*, batch: Batch, actor, now: datetime | None = None) -> int:
    """A 实验校 certificate for every 实验校 of the published `batch` that has no live one (those
    that left the programme are skipped). Idempotent: run again, it issues nothing. Returns how
    many were issued.

    Rows only, quick for a few hundred schools: the certificates' job (programme.certificate_jobs)
    calls it, then lays the PDFs out for its ZIP. Side effects: one Certificate row (and history row) per school issued."""
    if batch.published_at is None:
        raise WorkflowError("该批次实验校名单尚未公布。", "not_published")
    now = now or timezone.now()
    pending = (
        ExperimentSchool.objects.filter(batch=batch).exclude(status__in=LEFT)
        .exclude(certificates__kind=CertificateKind.EXPERIMENT_SCHOOL, certificates__revoked_at__isnull=True)
        .select_related("school", "batch")
    )  # fmt: skip
    issued = 0
    for experiment_school in pending:
        try:
            certificate_issue(experiment_school=experiment_school, kind=CertificateKind.EXPERIMENT_SCHOOL, actor=actor, now=now)
        except WorkflowError as error:
            if error.code not in ("already_issued", "school_left"):  # issued or left meanwhile: nothing to do
                raise
        except IntegrityError:  # the same school issued by a concurrent run between the check and the insert
            continue
        else:
            issued += 1
    return issued


def certificate_revoke(*, certificate: Certificate, actor, reason: str, now: datetime | None = None) -> Certificate:
    """Revoke a certificate, with the reason (required): its verify page then says it was revoked
    and when, and a new one of the same kind may be issued. Refused (WorkflowError) without a
    reason or when it is already revoked. Side effects: the row's revoked_at/by/reason (and a
    history row)."""
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("请填写撤销原因。", "reason_missing")
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.is_revoked:
            raise WorkflowError(f"该证书已于{timezone.localtime(locked.revoked_at):%Y年%m月%d日}撤销。", "already_revoked")
        locked.revoked_at, locked.revoked_by, locked.revoke_reason = now or timezone.now(), actor, reason
        locked.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    return locked


def school_certificates(school_id) -> list[Certificate]:
    """A school's certificates for its workspace (of every 实验校 record it has had), the valid
    ones first, the newest first."""
    return list(Certificate.objects.filter(experiment_school__school_id=school_id)
                .order_by(F("revoked_at").asc(nulls_first=True), "-issued_at"))  # fmt: skip


def verify_address(site_url: str, number: str) -> str:
    """The absolute address of a certificate's verify page on `site_url` (e.g. https://host/), as
    its QR code opens it: the ZIP job has no request to ask for the host, so it stores the one
    staff started it on."""
    return site_url.rstrip("/") + reverse("certificate_verify", kwargs={"number": number})


def certificate_pdf_html(certificate: Certificate, verify_url: str) -> str:
    """The certificate's PDF as HTML (portal.pdf.render_html), with the QR code of `verify_url`:
    laid out on download (programme.certificate_views) or in the ZIP job (programme.certificate_jobs)."""
    return render_html("programme/certificates/pdf.html", {
        "certificate": certificate, "verify_url": verify_url, "qr": mark_safe(qr_svg(verify_url, label="证书查验二维码")),
    })  # fmt: skip
