"""The 优质校评估 (五: 制订项目优质校建设标准 … 组织项目优质校评估; 项目评估：实验校提交项目优质校评估申报
材料，项目组组织专家依据建设标准进行评估): the project group's 建设标准 and rounds, and the 实验校's
申报材料 — a self-assessment against every criterion with evidence, a summary, the signed and sealed
declaration tied to the version code of the printed PDF — kept as drafts and submitted by the
deadline, which the server enforces in Beijing time.

The journey of a submission:

    (eligible 实验校, round open) ──start──▶ 草稿 ──submit (complete, declaration current,
    before the deadline's minute ends)──▶ 已提交 (read-only; the experts' part follows)

The experts' assignment and scoring, the ranking, decisions and publication are built on the same
models elsewhere (programme.evaluation_* modules of their own).
"""
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from applications.rules import character_count
from applications.services import DraftConflict
from applications.uploads import inspect_scan
from applications.workflow import WorkflowError, deadline_in_words, deadline_passed
from programme.models import (
    EvaluationCriterion, EvaluationDeclaration, EvaluationEvidence, EvaluationLogEntry, EvaluationRound, EvaluationSelfAssessment,
    EvaluationStandard, EvaluationState, EvaluationSubmission, ExperimentSchool, ExperimentStatus,
)  # fmt: skip
from programme.notifications import tell_staff

# The caps, said next to each field on the school's page.
SUMMARY_MAX_CHARS = 10_000
ASSESSMENT_MAX_CHARS = 5_000
EVIDENCE_PER_CRITERION_MAX = 5
CAPTION_MAX_CHARS = 200

# A 建设标准 a batch starts with when staff ask for one (and seed_demo): the notice's 五 (工作要求,
# 服务内容) read as what a 优质校 shows after its three years. 100 points, every weight 1; staff
# change it in admin before publishing it.
DEFAULT_STANDARD = (
    ("具体项目实施", "在三年实验周期内实施 1–2 个具体项目，目标明确、措施有力、按计划完成，成效明显。", 25),
    ("实验校建设", "开展项目实验校建设活动：领导小组和项目小组健全，制度、经费、场地等保障落实。", 15),
    ("项目实施团队", "项目小组分工明确，参加项目组组织的队伍培训，团队的项目实施和服务能力有提升。", 15),
    ("服务全民终身学习成效", "面向社区（乡村）居民、老年人、在职人员、城乡待业人员、进城务工人员及新市民开展服务，服务人次多、受益面广、满意度高。", 20),
    ("经验交流与成果展示", "参加项目研讨交流会议，共同建设项目展示推广网络平台，开展经验交流和成果展示活动。", 15),
    ("特色与示范推广", "形成可复制、可推广的经验和特色成果，在区域内发挥示范引领作用。", 10),
)

# Who may submit: a 实验校 in its cycle (实验中) or whose three years are over (已结项), as the round
# allows; a school that left the programme may not.
SUBMITTING_STATUSES = (ExperimentStatus.ACTIVE, ExperimentStatus.COMPLETED)


# ---- The 建设标准 and the rounds -------------------------------------------------------------------


def standard_ensure_default(batch, *, published_at: datetime | None = None) -> EvaluationStandard:
    """The batch's 项目优质校建设标准, made from DEFAULT_STANDARD when it has none (or no criteria);
    published at `published_at` if given and not published yet.

    Side effects: the EvaluationStandard and its EvaluationCriterion rows, when missing."""
    standard, _made = EvaluationStandard.objects.get_or_create(batch=batch, name=EvaluationStandard._meta.get_field("name").default)
    if not standard.criteria.exists():
        EvaluationCriterion.objects.bulk_create(
            EvaluationCriterion(standard=standard, position=i, name=name, description=text, max_points=Decimal(points), weight=Decimal(1))
            for i, (name, text, points) in enumerate(DEFAULT_STANDARD)
        )
    if published_at is not None and standard.published_at is None:
        standard.published_at = published_at
        standard.save(update_fields=["published_at"])
    return standard


def criteria_of(standard: EvaluationStandard) -> list[EvaluationCriterion]:
    return list(standard.criteria.order_by("position", "pk"))


def maximum_points(criteria) -> Decimal:
    """The 建设标准's total: Σ max points × weight (review.scoring's arithmetic)."""
    from review.scoring import maximum_total

    return maximum_total({c.pk: c.max_points for c in criteria}, {c.pk: c.weight for c in criteria})


ROUND_FIELDS = ("standard", "name", "opens_at", "deadline", "eligible_from_year", "include_completed", "review_deadline", "experts_per_submission")


def round_save(*, values: dict, actor, evaluation_round: EvaluationRound | None = None) -> EvaluationRound:
    """The project group opens an evaluation round (or changes one): `values` by ROUND_FIELDS.
    The round is for the batch of its 建设标准, which must be published and have criteria; the
    deadline comes after the opening, the experts' deadline (if any) after the deadline; a batch
    names each of its rounds once. A round whose submissions have begun keeps its 建设标准 (the
    self-assessments are against its criteria).

    Raises ValidationError by field. Side effects: the EvaluationRound saved (with its history)."""
    standard = values["standard"]
    errors = {}
    if standard.published_at is None:
        errors["standard"] = "该建设标准尚未发布（在后台填写发布时间后才能用于评估）。"
    elif not standard.criteria.exists():
        errors["standard"] = "该建设标准还没有评估指标，请先在后台添加。"
    if evaluation_round is not None and evaluation_round.standard_id != standard.pk and evaluation_round.submissions.exists():
        errors["standard"] = "已有实验校开始填写申报材料，不能更换建设标准。"
    if values["deadline"] <= values["opens_at"]:
        errors["deadline"] = "申报截止时间应晚于申报开始时间。"
    if values.get("review_deadline") and values["review_deadline"] <= values["deadline"]:
        errors["review_deadline"] = "专家评分截止时间应晚于申报截止时间。"
    if not 1 <= (values.get("experts_per_submission") or 0) <= 20:
        errors["experts_per_submission"] = "每份申报的评审专家数应在 1 到 20 之间。"
    taken = EvaluationRound.objects.filter(batch=standard.batch, name=values["name"])
    if evaluation_round is not None:
        taken = taken.exclude(pk=evaluation_round.pk)
    if taken.exists():
        errors["name"] = f"{standard.batch.short_name}已有名为“{values['name']}”的评估轮次。"
    if errors:
        raise ValidationError(errors)
    evaluation_round = evaluation_round or EvaluationRound(created_by=actor)
    for name in ROUND_FIELDS:
        setattr(evaluation_round, name, values.get(name))
    evaluation_round.batch = standard.batch
    evaluation_round.save()
    return evaluation_round


def window_problem(evaluation_round: EvaluationRound, now: datetime | None = None) -> str | None:
    """Why the round takes no submissions at `now`, or None while it does: from its opening to the
    end of its deadline's minute (23:59 accepts 23:59:59.999, applications.workflow.deadline_end)."""
    now = now or timezone.now()
    if now < evaluation_round.opens_at:
        return f"{evaluation_round.name}的申报将于 {timezone.localtime(evaluation_round.opens_at):%Y年%m月%d日 %H:%M}（北京时间）开始。"
    if deadline_passed(evaluation_round.deadline, now):
        return f"{evaluation_round.name}的申报已截止（截止时间：{deadline_in_words(evaluation_round.deadline)}），不能再填写或提交。"
    return None


def is_open(evaluation_round: EvaluationRound, now: datetime | None = None) -> bool:
    return window_problem(evaluation_round, now) is None


def eligibility_problem(evaluation_round: EvaluationRound, experiment_school: ExperimentSchool, on: date | None = None) -> str | None:
    """Why the 实验校 may not apply in this round on the day `on` (default: today in Beijing), or
    None if it may: a 实验校 of the round's batch, 实验中 and in the round's cycle year or later,
    or 已结项 when the round admits those; never one that left the programme."""
    on = on or timezone.localdate()
    batch = evaluation_round.batch
    if experiment_school.batch_id != batch.pk:
        return f"本轮评估面向{batch.short_name}的实验校。"
    if experiment_school.status == ExperimentStatus.COMPLETED:
        return None if evaluation_round.include_completed else "本轮评估不接受已结项的实验校申报。"
    if experiment_school.status != ExperimentStatus.ACTIVE:
        return f"贵校实验校状态为“{experiment_school.get_status_display()}”，不能申报优质校评估。"
    year = experiment_school.cycle_year(on)
    if year is None or year < evaluation_round.eligible_from_year:
        return f"本轮评估面向实验周期{evaluation_round.get_eligible_from_year_display()}的实验校" + (
            f"，贵校目前在实验周期第{year}年。" if year else "。"
        )
    return None


def eligible_schools(evaluation_round: EvaluationRound, on: date | None = None) -> list[ExperimentSchool]:
    """The 实验校 of the round's batch that may apply on `on`, by province and name."""
    schools = ExperimentSchool.objects.filter(batch=evaluation_round.batch, status__in=SUBMITTING_STATUSES).select_related("school__province")
    return [s for s in schools if eligibility_problem(evaluation_round, s, on) is None]


def rounds_for_school(experiment_school: ExperimentSchool, now: datetime | None = None) -> list[dict]:
    """The rounds of the 实验校's batch whose 建设标准 is published, newest first, each with the
    school's submission (or None), whether it may start or go on writing, and why not: for the
    workspace card."""
    now = now or timezone.now()
    rounds = EvaluationRound.objects.filter(batch=experiment_school.batch_id, standard__published_at__isnull=False).order_by("-opens_at", "-pk")
    submissions = {s.round_id: s for s in EvaluationSubmission.objects.filter(experiment_school=experiment_school)}
    rows = []
    for evaluation_round in rounds:
        submission = submissions.get(evaluation_round.pk)
        problem = window_problem(evaluation_round, now) or eligibility_problem(evaluation_round, experiment_school, timezone.localdate(now))
        if submission is None and problem and deadline_passed(evaluation_round.deadline, now):
            continue  # a round gone by that the school never took part in is no longer news
        rows.append({"round": evaluation_round, "submission": submission, "problem": problem,
                     "deadline_words": deadline_in_words(evaluation_round.deadline)})  # fmt: skip
    return rows


# ---- The school's submission ------------------------------------------------------------------------


class SubmissionConflict(DraftConflict):
    """The submission was saved by someone else (another tab, a colleague) since this copy was opened."""

    def __init__(self, current_revision: int, saved_at):
        self.current_revision, self.saved_at = current_revision, saved_at
        WorkflowError.__init__(
            self, f"这份申报材料在您打开之后已被修改并保存（{timezone.localtime(saved_at):%H:%M:%S}），为免覆盖，本次没有保存。", "conflict"
        )


def _require_writable(submission: EvaluationSubmission, now: datetime) -> None:
    """Refuse any change of a submission that is submitted, of a school that left, or after the
    round's deadline (WorkflowError, codes not_editable, not_active, deadline_passed)."""
    if not submission.is_editable:
        raise WorkflowError(f"申报材料当前状态为“{submission.get_state_display()}”，不能修改。", code="not_editable")
    school = submission.experiment_school
    if school.status not in SUBMITTING_STATUSES:
        raise WorkflowError(f"贵校实验校状态为“{school.get_status_display()}”，不能再修改申报材料。", code="not_active")
    problem = window_problem(submission.round, now)
    if problem:
        raise WorkflowError(problem, code="deadline_passed" if now >= submission.round.opens_at else "not_open")


def _lock(submission: EvaluationSubmission) -> EvaluationSubmission:
    return (EvaluationSubmission.objects.select_for_update()
            .select_related("round__standard", "round__batch", "experiment_school__school", "experiment_school__batch")
            .get(pk=submission.pk))  # fmt: skip


def sync_assessments(submission: EvaluationSubmission) -> list[EvaluationSelfAssessment]:
    """One self-assessment row per criterion of the round's 建设标准, in its order (a criterion
    added in admin after the school started gets its row). Returns the rows, evidence prefetched."""
    have = set(EvaluationSelfAssessment.objects.filter(submission=submission).values_list("criterion_id", flat=True))
    missing = [c for c in criteria_of(submission.round.standard) if c.pk not in have]
    if missing:
        EvaluationSelfAssessment.objects.bulk_create(EvaluationSelfAssessment(submission=submission, criterion=c) for c in missing)
    return list(
        EvaluationSelfAssessment.objects.filter(submission=submission).select_related("criterion")
        .prefetch_related("evidence").order_by("criterion__position", "criterion_id")
    )  # fmt: skip


def refresh_version_code(submission: EvaluationSubmission) -> str:
    """Recompute and store the version code from what is stored now (summary, self-assessments,
    evidence): a declaration printed before a change no longer matches."""
    submission.version_code = submission.content_fingerprint(sync_assessments(submission))
    EvaluationSubmission.objects.filter(pk=submission.pk).update(version_code=submission.version_code)
    return submission.version_code


def submission_start(*, evaluation_round: EvaluationRound, experiment_school: ExperimentSchool, actor,
                     now: datetime | None = None) -> EvaluationSubmission:
    """An eligible 实验校 starts (or reopens) its 申报材料 in an open round: one per school and
    round, however often this runs. Refused (WorkflowError) outside the window, for a school the
    round does not admit, and for a 建设标准 not published.

    Side effects, the first time: the EvaluationSubmission (草稿) with one self-assessment per
    criterion, its version code, a history row."""
    now = now or timezone.now()
    existing = EvaluationSubmission.objects.filter(round=evaluation_round, experiment_school=experiment_school).first()
    if existing is not None:
        return existing
    if not evaluation_round.standard.is_published:
        raise WorkflowError("本轮评估的建设标准尚未发布。", code="not_published")
    problem = window_problem(evaluation_round, now)
    if problem:
        raise WorkflowError(problem, code="deadline_passed" if now >= evaluation_round.opens_at else "not_open")
    problem = eligibility_problem(evaluation_round, experiment_school, timezone.localdate(now))
    if problem:
        raise WorkflowError(problem, code="not_eligible")
    with transaction.atomic():
        submission, made = EvaluationSubmission.objects.get_or_create(
            round=evaluation_round, experiment_school=experiment_school, defaults={"created_by": actor}
        )
        if made:
            refresh_version_code(submission)
            EvaluationLogEntry.objects.create(submission=submission, at=now, actor=actor, action=EvaluationLogEntry.Action.CREATED)
    return submission


def submission_save_draft(*, submission: EvaluationSubmission, summary: str, texts: dict[int, str], actor,
                          expected_revision: int | None, now: datetime | None = None) -> EvaluationSubmission:
    """Store what the school typed, complete or not: the summary and each criterion's
    self-assessment (`texts` by criterion id; a criterion not named keeps its text).

    `expected_revision` is the revision the editor opened: a submission saved in between raises
    SubmissionConflict, a save without one too; nothing is stored then. Refused after the deadline.
    Side effects: the submission and its self-assessments saved, the revision up by one, the
    version code recomputed."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(submission)
        _require_writable(locked, now)
        if expected_revision is None or expected_revision != locked.revision:
            raise SubmissionConflict(locked.revision, locked.updated_at)
        locked.summary = summary
        locked.revision += 1
        locked.save()
        for row in sync_assessments(locked):
            if row.criterion_id in texts and texts[row.criterion_id] != row.text:
                row.text = texts[row.criterion_id]
                row.save(update_fields=["text", "updated_at"])
        refresh_version_code(locked)
    return locked


@dataclass
class Completeness:
    """What a submission still lacks before it can be submitted: messages by field, in page order
    (a criterion's self-assessment as "criterion-<id>", the declaration as "declaration")."""

    missing: dict[str, str]

    @property
    def complete(self) -> bool:
        return not self.missing


def current_declaration(submission: EvaluationSubmission) -> EvaluationDeclaration | None:
    """The latest uploaded declaration, or None."""
    return submission.declarations.order_by("-uploaded_at", "-pk").first()


def declaration_problem(submission: EvaluationSubmission, declaration: EvaluationDeclaration | None = None) -> str | None:
    """Why the declaration does not let the submission go (none, or printed from other content)."""
    declaration = declaration if declaration is not None else current_declaration(submission)
    if declaration is None:
        return "请上传签字盖章的申报声明扫描件（打印本页生成的 PDF，在申报声明页签字盖章后扫描）。"
    if declaration.version_code != submission.version_code:
        return (f"申报声明扫描件对应的版本（{declaration.version_code}）与当前内容（{submission.version_code}）不一致："
                "上传后内容又有修改，请重新打印、签章并上传。")  # fmt: skip
    return None


def check_content(submission: EvaluationSubmission, assessments=None) -> Completeness:
    """What the content lacks (the declaration aside): the summary and every criterion's
    self-assessment written, none over its cap. Evidence is optional (up to its cap)."""
    missing = {}
    summary = submission.summary
    if not summary.strip():
        missing["summary"] = "请填写建设总结。"
    elif character_count(summary) > SUMMARY_MAX_CHARS:
        missing["summary"] = f"建设总结最多 {SUMMARY_MAX_CHARS} 个字符。"
    for row in assessments if assessments is not None else sync_assessments(submission):
        if not row.text.strip():
            missing[f"criterion-{row.criterion_id}"] = f"请填写“{row.criterion.name}”的自评说明。"
        elif character_count(row.text) > ASSESSMENT_MAX_CHARS:
            missing[f"criterion-{row.criterion_id}"] = f"“{row.criterion.name}”的自评说明最多 {ASSESSMENT_MAX_CHARS} 个字符。"
    return Completeness(missing)


def check_submission(submission: EvaluationSubmission, assessments=None) -> Completeness:
    """The completeness check of submission: check_content, then the declaration (present and of
    the current version code)."""
    check = check_content(submission, assessments)
    problem = declaration_problem(submission)
    if problem:
        check.missing["declaration"] = problem
    return check


def submission_submit(*, submission: EvaluationSubmission, actor, now: datetime | None = None) -> EvaluationSubmission:
    """The school submits its 申报材料. Refused after the end of the deadline's minute (WorkflowError
    "deadline_passed", with the deadline in words), for a school the round no longer admits
    ("not_eligible"), and while check_submission finds something missing ("incomplete", listing it).

    Side effects: state 已提交 (read-only from then on), submitted_at and by, the school's name as
    submitted; a history row; a mail to the project group (evaluation_submitted)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(submission)
        _require_writable(locked, now)
        problem = eligibility_problem(locked.round, locked.experiment_school, timezone.localdate(now))
        if problem:
            raise WorkflowError(problem, code="not_eligible")
        check = check_submission(locked)
        if not check.complete:
            raise WorkflowError("申报材料还不完整，不能提交：" + "；".join(check.missing.values()), code="incomplete")
        locked.state, locked.submitted_at, locked.submitted_by = EvaluationState.SUBMITTED, now, actor
        # The name printed on the signed declaration; the version code already covers it.
        locked.submitted_school_name = locked.experiment_school.school.name
        locked.save()
        EvaluationLogEntry.objects.create(submission=locked, at=now, actor=actor, action=EvaluationLogEntry.Action.SUBMITTED,
                                          note=f"版本码 {locked.version_code}")  # fmt: skip
        tell_staff(template="evaluation_submitted", context={"submission": locked, "experiment_school": locked.experiment_school})
    return locked


# ---- Evidence and the declaration ---------------------------------------------------------------------


def _file_name(uploaded_file, fallback: str) -> str:
    return (uploaded_file.name or fallback).replace("\\", "/").rsplit("/", 1)[-1][:150]


SUFFIXES = {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png"}


def _inspect(uploaded_file, what: str) -> tuple[str, str]:
    """inspect_scan, its messages speaking of `what` (佐证材料, 申报声明扫描件) and raised by field."""
    if uploaded_file is None:
        raise ValidationError({"file": "请选择要上传的文件。"})
    try:
        return inspect_scan(uploaded_file, max_bytes=settings.SCAN_MAX_BYTES)
    except ValidationError as error:
        raise ValidationError({"file": [m.replace("扫描件", what) for m in error.messages]}) from error


def evidence_add(*, submission: EvaluationSubmission, criterion_id: int, uploaded_file, caption: str, actor,
                 now: datetime | None = None) -> EvaluationEvidence:
    """An evidence file (PDF, JPEG or PNG, at most SCAN_MAX_BYTES, checked by content as the
    application's scans) for one criterion's self-assessment, while the submission can be edited;
    at most EVIDENCE_PER_CRITERION_MAX a criterion.

    Raises ValidationError by field ("criterion", "file", "caption"). Side effects: the file stored
    under a random name, one EvaluationEvidence, the version code recomputed."""
    now = now or timezone.now()
    caption = (caption or "").strip()
    if len(caption) > CAPTION_MAX_CHARS:
        raise ValidationError({"caption": f"说明最多 {CAPTION_MAX_CHARS} 个字符。"})
    file_kind, digest = _inspect(uploaded_file, "佐证材料")
    with transaction.atomic():
        locked = _lock(submission)
        _require_writable(locked, now)
        assessment = next((row for row in sync_assessments(locked) if row.criterion_id == criterion_id), None)
        if assessment is None:
            raise ValidationError({"criterion": "请选择佐证材料对应的评估指标。"})
        if len(assessment.evidence.all()) >= EVIDENCE_PER_CRITERION_MAX:
            raise ValidationError({"file": f"每项指标最多上传 {EVIDENCE_PER_CRITERION_MAX} 个佐证材料，请先删除不需要的。"})
        evidence = EvaluationEvidence(
            submission=locked, assessment=assessment, file_kind=file_kind, sha256=digest, size=uploaded_file.size, caption=caption,
            original_name=_file_name(uploaded_file, "evidence"), uploaded_by=actor, uploaded_at=now,
        )  # fmt: skip
        evidence.file.save("evidence" + SUFFIXES[file_kind], uploaded_file, save=False)
        evidence.save()
        refresh_version_code(locked)
    return evidence


def evidence_remove(*, evidence: EvaluationEvidence, actor, now: datetime | None = None) -> None:
    """The school removes an evidence file while it can edit. Side effects: the row and the stored
    file deleted, the version code recomputed."""
    with transaction.atomic():
        locked = _lock(evidence.submission)
        _require_writable(locked, now or timezone.now())
        stored = evidence.file
        evidence.delete()
        refresh_version_code(locked)
        transaction.on_commit(lambda: stored.storage.delete(stored.name))


def declaration_upload(*, submission: EvaluationSubmission, uploaded_file, actor, now: datetime | None = None) -> EvaluationDeclaration:
    """The signed and sealed declaration (the printed PDF's 申报声明 page, scanned), checked by
    content as the application's scans and tied to the submission's current version code: a later
    change of the content makes it stale, and submission asks for a new one.

    Raises ValidationError ("file") when refused; nothing is stored then. Side effects: the file
    under a random name, one EvaluationDeclaration (earlier ones kept for the record)."""
    now = now or timezone.now()
    file_kind, digest = _inspect(uploaded_file, "申报声明扫描件")
    with transaction.atomic():
        locked = _lock(submission)
        _require_writable(locked, now)
        declaration = EvaluationDeclaration(
            submission=locked, file_kind=file_kind, sha256=digest, size=uploaded_file.size, version_code=locked.version_code,
            original_name=_file_name(uploaded_file, "declaration"), uploaded_by=actor, uploaded_at=now,
        )  # fmt: skip
        declaration.file.save("declaration" + SUFFIXES[file_kind], uploaded_file, save=False)
        declaration.save()
    return declaration




# ---- The PDF ------------------------------------------------------------------------------------------

DECLARATION_TEXT = (
    "本校郑重承诺：所提交的项目优质校评估申报材料内容真实、准确，所附佐证材料真实有效，"
    "与本声明所载版本码对应的在线填写内容一致。如有不实，本校愿承担由此产生的一切责任。"
)


def submission_pdf(submission: EvaluationSubmission, *, now: datetime | None = None) -> bytes:
    """The whole 申报材料 as PDF: the school and round, the summary, every criterion with its
    description and the school's self-assessment and evidence list, and the 申报声明 page to sign
    and seal. Every page carries the version code; a 草稿 watermark stays while the content is
    incomplete (check_content)."""
    from portal.pdf import render_pdf

    assessments = sync_assessments(submission)
    return render_pdf("programme/evaluation/pdf/submission.html", {
        "submission": submission, "experiment_school": submission.experiment_school, "assessments": assessments,
        "is_draft": not check_content(submission, assessments).complete, "declaration_text": DECLARATION_TEXT,
        "max_points": maximum_points([row.criterion for row in assessments]), "deadline_words": deadline_in_words(submission.round.deadline),
        "printed_at": timezone.localtime(now or timezone.now()),
    })  # fmt: skip
