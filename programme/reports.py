"""The 年度工作报告 (五: 项目组为各实验校提供业务指导、实验评估): one report per 实验校 and cycle year,
due on the date the project group set for the batch and year; drafts saved without losing anything
(a revision check, as the application's drafts); submitted after a completeness check; read,
commented (业务指导) and accepted or returned by the project group and the experts it assigns;
reminders before the due date and when late, each sent once.

The journey of a report:

    草稿 ──submit──▶ 已提交 ──accept──▶ 已通过 (final)
     ▲                │
     └── 退回修改 ◀─return (with a reason)── ; 退回修改 ──submit──▶ 已提交

Every move goes through `_move`, which writes the history row.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from applications.rules import character_count
from applications.selectors import CYCLE_YEARS, add_years
from applications.services import DraftConflict
from applications.uploads import inspect_scan
from applications.workflow import WorkflowError
from portal.emails import queue_mail
from programme.models import (
    EDITABLE_REPORT_STATES, AnnualReport, ExperimentSchool, ExperimentStatus, ReachedGroup, ReportAttachment,
    ReportComment, ReportDeadline, ReportLogEntry, ReportProjectWork, ReportReminder, ReportReviewer, ReportState, SchoolNotice,
    reached_field,
)  # fmt: skip
from programme.notifications import tell_school, tell_staff

# A report may be written while its 实验校 is 实验中, and after its three years (已结项) for the
# years it still owes; a school that left keeps its reports to read.
WRITING_STATUSES = (ExperimentStatus.ACTIVE, ExperimentStatus.COMPLETED)
# The long texts of a report: each capped as the 实验方案's sections (applications.rules).
TEXT_MAX_CHARS = 20_000
TEXT_FIELDS = ("courses_resources", "training", "problems", "next_plan")
PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTOS_MAX = 20
DOCUMENTS_MAX = 10
REASON_MAX_CHARS = 2_000
SENTENCE_ENDS = ("。", "！", "？", ".", "!", "?")


# ---- Due dates ------------------------------------------------------------------------------------


def default_due_at(experiment_school: ExperimentSchool, year: int) -> datetime:
    """Without a date set by the project group: 23:59 (Beijing) on the last day of cycle year
    `year`, the day before the cycle's `year`-th anniversary."""
    last_day = add_years(experiment_school.cycle_starts_on, year) - timedelta(days=1)
    return timezone.make_aware(datetime.combine(last_day, time(23, 59)))


def deadlines_by_batch(batch_ids) -> dict[tuple[int, int], datetime]:
    """{(batch id, year): due_at} of the dates the project group set, in one query."""
    return {(d.batch_id, d.year): d.due_at for d in ReportDeadline.objects.filter(batch_id__in=set(batch_ids))}


def due_at_for(experiment_school: ExperimentSchool, year: int, deadlines: dict | None = None) -> datetime:
    """When the report of `year` is due: the batch's date for that year, else default_due_at."""
    if deadlines is None:
        deadlines = deadlines_by_batch([experiment_school.batch_id])
    return deadlines.get((experiment_school.batch_id, year)) or default_due_at(experiment_school, year)


def years_begun(experiment_school: ExperimentSchool, today: date) -> list[int]:
    """The cycle years that have begun on `today`: a report can be written for each of them."""
    if today < experiment_school.cycle_starts_on:
        return []
    current = experiment_school.cycle_year(today) or CYCLE_YEARS
    return list(range(1, current + 1))


def report_deadline_set(*, batch, year: int, due_at: datetime, actor) -> ReportDeadline:
    """The project group sets when the batch's reports of `year` are due. Side effects: the
    ReportDeadline row made or changed (with its history). Reminders already sent stay sent."""
    if year not in range(1, CYCLE_YEARS + 1):
        raise ValidationError({"year": "实验周期只有第一、二、三年。"})
    deadline, _made = ReportDeadline.objects.update_or_create(batch=batch, year=year, defaults={"due_at": due_at, "set_by": actor})
    return deadline


# ---- Writing ---------------------------------------------------------------------------------------


class ReportConflict(DraftConflict):
    """The report was saved by someone else (another tab, a colleague) since this copy was opened."""

    def __init__(self, current_revision: int, saved_at):
        self.current_revision, self.saved_at = current_revision, saved_at
        WorkflowError.__init__(
            self, f"这份报告在您打开之后已被修改并保存（{timezone.localtime(saved_at):%H:%M:%S}），为免覆盖，本次没有保存。", "conflict"
        )


def _require_writable(report: AnnualReport) -> None:
    school = report.experiment_school
    if school.status not in WRITING_STATUSES:
        raise WorkflowError(f"贵校实验校状态为“{school.get_status_display()}”，不能再修改年度工作报告。", code="not_active")
    if not report.is_editable:
        raise WorkflowError(f"报告当前状态为“{report.get_state_display()}”，不能修改。", code="not_editable")


def sync_project_rows(report: AnnualReport) -> list[ReportProjectWork]:
    """One row per current project of the 实验校 (in its order); rows of a project the school
    dropped stay while they hold text (shown as such), empty ones go. Returns the rows."""
    rows = {row.category_id: row for row in ReportProjectWork.objects.filter(report=report)}
    kept = []
    # Written only where something changed: the form page (a GET) calls this too.
    for position, project in enumerate(report.experiment_school.projects.select_related("category")):
        row = rows.pop(project.category_id, None) or ReportProjectWork(report=report, category=project.category)
        name = str(project)[:200]
        if row.pk is None or (row.project_name, row.position) != (name, position):
            row.project_name, row.position = name, position
            row.save()
        kept.append(row)
    for position, row in enumerate(rows.values(), start=len(kept)):
        if row.done.strip():
            if row.position != position:
                row.position = position
                row.save(update_fields=["position"])
            kept.append(row)
        else:
            row.delete()
    return kept


def report_start(*, experiment_school: ExperimentSchool, year: int, actor, now: datetime | None = None) -> AnnualReport:
    """The school starts (or reopens) its report of cycle year `year`: one per year, however often
    this runs. Refused before that year has begun, and for a school that left.

    Side effects: the AnnualReport (草稿), one work row per project, a history row."""
    now = now or timezone.now()
    if experiment_school.status not in WRITING_STATUSES:
        raise WorkflowError(f"贵校实验校状态为“{experiment_school.get_status_display()}”，不能填写年度工作报告。", code="not_active")
    if year not in years_begun(experiment_school, timezone.localdate(now)):
        raise WorkflowError(f"实验周期第{year}年尚未开始，还不能填写该年度的工作报告。", code="year_not_begun")
    with transaction.atomic():
        report, made = AnnualReport.objects.get_or_create(experiment_school=experiment_school, year=year, defaults={"created_by": actor})
        if made:
            sync_project_rows(report)
            ReportLogEntry.objects.create(report=report, at=now, actor=actor, action=ReportLogEntry.Action.CREATED, to_state=ReportState.DRAFT)
    return report


def report_save_draft(*, report: AnnualReport, values: dict, work: dict[int, str], actor, expected_revision: int | None) -> AnnualReport:
    """Store what the school typed, complete or not: `values` by field (the numbers, the other
    group's note, the four texts), `work` the text of each project by its work row's id.

    `expected_revision` is the revision the editor opened: a report saved in between raises
    ReportConflict, a save without one too; nothing is stored then. Side effects: the report and
    its work rows saved, the revision up by one."""
    with transaction.atomic():
        locked = AnnualReport.objects.select_for_update().select_related("experiment_school").get(pk=report.pk)
        _require_writable(locked)
        if expected_revision is None or expected_revision != locked.revision:
            raise ReportConflict(locked.revision, locked.updated_at)
        for name, value in values.items():
            setattr(locked, name, value)
        locked.revision += 1
        locked.save()
        for row in locked.project_work.all():
            if row.pk in work:
                row.done = work[row.pk]
                row.save(update_fields=["done"])
        sync_project_rows(locked)
    return locked


@dataclass
class Completeness:
    """What a report still lacks before it can be submitted: messages by field, in page order
    (work rows as "work-<id>")."""

    missing: dict[str, str]

    @property
    def complete(self) -> bool:
        return not self.missing


def check_report(report: AnnualReport) -> Completeness:
    """The completeness check of submission: a text for every project; a number (0 allowed) for
    every group, and who the others are when there are any; courses and resources, training,
    problems and the plan written; no text over its cap."""
    missing = {}
    rows = list(report.project_work.all())
    if not rows:
        missing["work"] = "实验校尚无具体实施项目，请先在“项目与团队”中填写。"
    for row in rows:
        if not row.done.strip():
            missing[f"work-{row.pk}"] = f"请填写“{row.project_name}”本年度开展的工作与成效。"
        elif character_count(row.done) > TEXT_MAX_CHARS:
            missing[f"work-{row.pk}"] = f"“{row.project_name}”最多 {TEXT_MAX_CHARS} 个字符。"
    for value, label in ReachedGroup.choices:
        if getattr(report, reached_field(value)) is None:
            missing[reached_field(value)] = f"请填写{label}的服务人数（没有请填 0）。"
    if (report.reached_other or 0) > 0 and not report.reached_other_note.strip():
        missing["reached_other_note"] = "填写了“其它”人数，请说明是哪些人群。"
    labels = {name: AnnualReport._meta.get_field(name).verbose_name for name in TEXT_FIELDS}
    for name in TEXT_FIELDS:
        text = getattr(report, name)
        if not text.strip():
            missing[name] = f"请填写{labels[name]}。"
        elif character_count(text) > TEXT_MAX_CHARS:
            missing[name] = f"{labels[name]}最多 {TEXT_MAX_CHARS} 个字符。"
    return Completeness(missing)


# ---- The journey ------------------------------------------------------------------------------------

# (from state, action) → to state. The school submits; reviewers accept or return.
MOVES = {
    (ReportState.DRAFT, "submit"): ReportState.SUBMITTED,
    (ReportState.RETURNED, "submit"): ReportState.SUBMITTED,
    (ReportState.SUBMITTED, "accept"): ReportState.ACCEPTED,
    (ReportState.SUBMITTED, "return"): ReportState.RETURNED,
}
LOG_ACTIONS = {"submit": ReportLogEntry.Action.SUBMITTED, "accept": ReportLogEntry.Action.ACCEPTED, "return": ReportLogEntry.Action.RETURNED}


def allowed_actions(report: AnnualReport) -> set[str]:
    return {action for (state, action) in MOVES if state == report.state}


def _move(report: AnnualReport, action: str, *, actor, now: datetime, note: str = "") -> AnnualReport:
    """Change the (locked) report's state by `action`, or refuse; one history row."""
    to_state = MOVES.get((report.state, action))
    if to_state is None:
        raise WorkflowError(f"报告当前状态为“{report.get_state_display()}”，不能办理此操作。", code="wrong_state")
    from_state = report.state
    report.state = to_state
    ReportLogEntry.objects.create(report=report, at=now, actor=actor, action=LOG_ACTIONS[action], from_state=from_state,
                                  to_state=to_state, note=note)  # fmt: skip
    return report


def _lock(report: AnnualReport) -> AnnualReport:
    return AnnualReport.objects.select_for_update().select_related("experiment_school__school", "experiment_school__batch").get(pk=report.pk)


def report_submit(*, report: AnnualReport, actor, now: datetime | None = None) -> AnnualReport:
    """The school submits its report (again, after a return). Refused while check_report finds
    something missing (WorkflowError "incomplete" listing it). A report submitted after its due
    date is taken (and shown as late).

    Side effects: state 已提交, submitted_at, a history row; a mail to the project group and to the
    experts assigned to it."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(report)
        _require_writable(locked)
        sync_project_rows(locked)
        check = check_report(locked)
        if not check.complete:
            raise WorkflowError("报告还不完整，不能提交：" + "；".join(check.missing.values()), code="incomplete")
        _move(locked, "submit", actor=actor, now=now)
        locked.submitted_at, locked.return_reason = now, ""
        locked.save()
        context = {"report": locked, "experiment_school": locked.experiment_school, "late": now > due_at_for(locked.experiment_school, locked.year)}
        tell_staff(template="report_submitted", context=context)
        experts = [r.expert.email for r in locked.reviewers.select_related("expert") if r.expert.email and r.expert.is_active]
        if experts:
            queue_mail(to=experts, template="report_submitted", context=context)
    return locked


def _reason(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"reason": f"请填写{what}。"})
    if character_count(text) > REASON_MAX_CHARS:
        raise ValidationError({"reason": f"{what}最多 {REASON_MAX_CHARS} 个字符。"})
    return text


def _decide(report: AnnualReport, action: str, *, actor, now: datetime, reason: str = "") -> AnnualReport:
    """A reviewer's decision on a submitted report (accept, or return with `reason`): the move,
    who and when, and the school told (workspace notice and mail report_accepted/report_returned)."""
    with transaction.atomic():
        locked = _lock(report)
        _move(locked, action, actor=actor, now=now, note=reason)
        locked.decided_at, locked.decided_by = now, actor
        if action == "return":
            locked.return_reason = reason
            # A reason typed as a sentence keeps its own end, without a second 。 after it.
            full_stop = "" if reason.endswith(SENTENCE_ENDS) else "。"
            title, body = (f"第{locked.year}年度工作报告退回修改",
                           f"项目组审阅了贵校第{locked.year}年度工作报告，退回修改：{reason}{full_stop}请修改后重新提交。")  # fmt: skip
        else:
            title, body = f"第{locked.year}年度工作报告已通过", f"贵校第{locked.year}年度工作报告已通过项目组审阅。"
        locked.save()
        tell_school(
            locked.experiment_school, kind=SchoolNotice.Kind.REPORT_RETURNED if action == "return" else SchoolNotice.Kind.REPORT_ACCEPTED,
            report=locked, now=now, template="report_returned" if action == "return" else "report_accepted",
            title=title, body=body, context={"report": locked},
        )  # fmt: skip
    return locked


def report_return(*, report: AnnualReport, actor, reason: str, now: datetime | None = None) -> AnnualReport:
    """A reviewer returns a submitted report for revision with a reason (ValidationError
    "reason" without one). Side effects: state 退回修改 with the reason; a history row; the school is
    told (workspace notice and mail report_returned)."""
    return _decide(report, "return", actor=actor, now=now or timezone.now(), reason=_reason(reason, "退回原因"))


def report_accept(*, report: AnnualReport, actor, now: datetime | None = None) -> AnnualReport:
    """A reviewer accepts a submitted report. Side effects: state 已通过; a history row; the school
    is told (workspace notice and mail report_accepted)."""
    return _decide(report, "accept", actor=actor, now=now or timezone.now())


def report_comment(*, report: AnnualReport, actor, body: str, now: datetime | None = None) -> ReportComment:
    """业务指导: a reviewer's comment, which the school reads on the report's page. Refused on a
    draft never submitted (there is nothing to read yet). Side effects: the comment; the school is
    told (workspace notice and mail report_comment)."""
    now = now or timezone.now()
    body = _reason(body, "指导意见")
    if report.state == ReportState.DRAFT:
        raise WorkflowError("报告尚未提交，提交后方可给出指导意见。", code="draft")
    with transaction.atomic():
        comment = ReportComment.objects.create(report=report, author=actor, body=body, created_at=now)
        tell_school(
            report.experiment_school, kind=SchoolNotice.Kind.REPORT_COMMENT, report=report, now=now, template="report_comment",
            title=f"第{report.year}年度工作报告有新的业务指导意见", context={"report": report, "comment": comment},
            body=body,
        )  # fmt: skip
    return comment


# ---- Photos and attachments -------------------------------------------------------------------------


def report_attachment_add(*, report: AnnualReport, kind: str, uploaded_file, caption: str, actor,
                          now: datetime | None = None) -> ReportAttachment:
    """A photo (JPEG or PNG, at most PHOTO_MAX_BYTES) or an attachment (PDF, JPEG or PNG, at most
    SCAN_MAX_BYTES), checked by content as the application's scans (inspect_scan), while the
    report can be edited; at most PHOTOS_MAX photos and DOCUMENTS_MAX attachments.

    Raises ValidationError by field ("file", "caption"). Side effects: the file stored under a
    random name, one ReportAttachment."""
    if kind not in ReportAttachment.Kind.values:
        raise ValidationError({"kind": "请选择照片或附件。"})
    if uploaded_file is None:
        raise ValidationError({"file": "请选择要上传的文件。"})
    caption = (caption or "").strip()
    if len(caption) > 200:
        raise ValidationError({"caption": "说明最多 200 个字符。"})
    is_photo = kind == ReportAttachment.Kind.PHOTO
    try:
        file_kind, digest = inspect_scan(uploaded_file, max_bytes=PHOTO_MAX_BYTES if is_photo else settings.SCAN_MAX_BYTES)
    except ValidationError as error:
        # inspect_scan speaks of 扫描件; here it is a photo or an attachment.
        raise ValidationError({"file": [m.replace("扫描件", "照片" if is_photo else "附件") for m in error.messages]}) from error
    if is_photo and file_kind == "pdf":
        raise ValidationError({"file": "照片只接受 JPEG 或 PNG 图片；PDF 请作为附件上传。"})
    with transaction.atomic():
        locked = _lock(report)
        _require_writable(locked)
        limit = PHOTOS_MAX if is_photo else DOCUMENTS_MAX
        if locked.attachments.filter(kind=kind).count() >= limit:
            raise ValidationError({"file": f"每份报告最多上传 {limit} 个{'照片' if is_photo else '附件'}，请先删除不需要的。"})
        attachment = ReportAttachment(
            report=locked, kind=kind, file_kind=file_kind, sha256=digest, size=uploaded_file.size, caption=caption,
            original_name=(uploaded_file.name or "file").replace("\\", "/").rsplit("/", 1)[-1][:150], uploaded_by=actor,
            uploaded_at=now or timezone.now(),
        )  # fmt: skip
        attachment.file.save("file" + {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png"}[file_kind], uploaded_file, save=False)
        attachment.save()
    return attachment


def report_attachment_remove(*, attachment: ReportAttachment, actor) -> None:
    """The school removes a photo or attachment of a report it can still edit. Side effects: the
    row and the stored file deleted."""
    with transaction.atomic():
        _require_writable(_lock(attachment.report))
        stored = attachment.file
        attachment.delete()
        transaction.on_commit(lambda: stored.storage.delete(stored.name))


# ---- Reviewers --------------------------------------------------------------------------------------


def report_reviewers_assign(*, reports, expert, actor, now: datetime | None = None) -> int:
    """The project group asks `expert` to read `reports` (one or many). An expert already on a
    report stays as they were. Returns how many were added. Side effects: ReportReviewer rows; one
    mail to the expert listing the reports (report_assigned)."""
    from portal.models import Role

    if expert.role != Role.EXPERT or not expert.is_active:
        raise ValidationError({"expert": "只能指派在用的专家账号。"})
    now = now or timezone.now()
    reports = list(reports)
    with transaction.atomic():
        taken = set(ReportReviewer.objects.filter(expert=expert, report__in=reports).values_list("report_id", flat=True))
        added = [r for r in reports if r.pk not in taken]
        ReportReviewer.objects.bulk_create([ReportReviewer(report=r, expert=expert, assigned_by=actor, assigned_at=now) for r in added])
        if added and expert.email:
            queue_mail(to=[expert.email], template="report_assigned", context={"expert": expert, "reports": added})
    return len(added)


def report_reviewer_remove(*, reviewer: ReportReviewer, actor) -> None:
    """The project group takes an expert off a report. Side effects: the row deleted."""
    reviewer.delete()


# ---- Reminders ----------------------------------------------------------------------------------------


@dataclass
class ReportReminderCount:
    due_soon: int = 0
    late: int = 0


def _record_once(**fields) -> bool:
    """Record a reminder; False when this exact reminder was recorded before."""
    try:
        with transaction.atomic():
            ReportReminder.objects.create(**fields)
    except IntegrityError:
        return False
    return True


def send_report_reminders(*, days: int, now: datetime | None = None) -> ReportReminderCount:
    """Remind every 实验校 (实验中) whose report of a begun year is not submitted: once within
    `days` days before it is due, once after (逾期). A reminder of a kind is sent once for a school
    and year, whenever this runs and wherever the date moves. A report waiting for the reviewers or
    accepted is not reminded about; a returned one is.

    Side effects: a ReportReminder row, a workspace notice and a mail (report_reminder) each."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    count = ReportReminderCount()
    schools = list(ExperimentSchool.objects.filter(status=ExperimentStatus.ACTIVE, cycle_starts_on__lte=today).select_related("school", "batch"))
    deadlines = deadlines_by_batch(s.batch_id for s in schools)
    reports = {(r.experiment_school_id, r.year): r for r in AnnualReport.objects.filter(experiment_school__in=schools)}
    sent = set(ReportReminder.objects.filter(experiment_school__in=schools).values_list("experiment_school_id", "year", "kind"))
    for school in schools:
        for year in years_begun(school, today):
            report = reports.get((school.pk, year))
            if report is not None and report.state not in EDITABLE_REPORT_STATES:
                continue
            due_at = due_at_for(school, year, deadlines)
            if now > due_at:
                kind = ReportReminder.Kind.LATE
            elif due_at - now <= timedelta(days=days):
                kind = ReportReminder.Kind.DUE_SOON
            else:
                continue
            if (school.pk, year, kind) in sent:
                continue
            with transaction.atomic():
                if not _record_once(experiment_school=school, year=year, kind=kind, due_at=due_at, sent_at=now):
                    continue
                when = f"{timezone.localtime(due_at):%Y年%m月%d日 %H:%M}"
                if kind == ReportReminder.Kind.LATE:
                    title, body = f"第{year}年度工作报告已逾期", f"贵校第{year}年度工作报告应于 {when} 前提交，目前尚未提交，请尽快填写并提交。"
                    count.late += 1
                else:
                    title, body = f"第{year}年度工作报告将于 {when} 截止", f"贵校第{year}年度工作报告应于 {when} 前提交，目前尚未提交，请及时填写并提交。"
                    count.due_soon += 1
                tell_school(school, kind=SchoolNotice.Kind.REPORT_LATE if kind == ReportReminder.Kind.LATE else SchoolNotice.Kind.REPORT_DUE_SOON,
                            title=title, body=body, report=report, now=now, template="report_reminder",
                            context={"year": year, "due_at": due_at, "late": kind == ReportReminder.Kind.LATE})  # fmt: skip
    return count

