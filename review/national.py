"""The national project group's steps (notice 八.2, 八.3): formal check, expert assignment,
scoring, decisions and publication. Every status change goes through
applications.workflow.transition (one timeline row); each step re-checks state under a row lock.
"""
import logging
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from applications.models import Application, Batch, Status, TimelineEntry
from applications.notifications import notify_school
from applications.rules import PLAN_MIN_ZI, TEAM_MIN_SIZE, check_application, is_vice_principal
from applications.workflow import WorkflowError, current_scan, deadline_for, scan_is_current, transition
from review.assignment import Candidate, Expert, Pair, Plan, is_eligible, plan_assignments
from review.models import Assignment, AssignmentRun, ConflictDeclaration, Criterion, CriterionScore, ExpertProfile, ExpertReview, FormalCheck
from review.scoring import is_half_step, weighted_total
from review.tallies import refresh_tallies

User = get_user_model()
logger = logging.getLogger(__name__)


def _lock(application: Application) -> Application:
    return Application.objects.select_for_update().select_related("batch", "school__province").get(pk=application.pk)


def _expect(application: Application, *statuses: str) -> None:
    if application.status not in statuses:
        raise WorkflowError(
            f"该申请当前状态为“{application.get_status_display()}”，不能办理此操作（可能已被其他人处理，请刷新页面）。"
        )


# ---- Formal check (形式审查) -----------------------------------------------------------------

def formal_check_items(application: Application) -> list[tuple[str, str, bool]]:
    """The machine-checkable items of the formal check: (key, label, passed)."""
    team = [row for row in application.team.all() if not row.is_blank()]
    check = check_application(application, team_rows=team)
    deadline = deadline_for(application)
    in_time = application.submitted_at is not None and application.submitted_at <= deadline.at
    lead_ok = is_vice_principal(application.lead_title, application.school.school_type) or bool(application.lead_title_note.strip())
    return [
        ("complete", "申请表各部分填写完整、符合规则", check.complete),
        ("zi", f"实验方案不少于 {PLAN_MIN_ZI} 字（{check.plan_zi} 字）", check.plan_zi >= PLAN_MIN_ZI),
        ("team", f"项目小组成员不少于 {TEAM_MIN_SIZE} 人（{len(team)} 人）", len(team) >= TEAM_MIN_SIZE),
        ("lead", "负责人为副校长，或已说明原因", lead_ok),
        ("scan", "已上传与当前内容一致的盖章扫描件", scan_is_current(application, current_scan(application))),
        ("deadline", f"在截止时间前提交（{timezone.localtime(deadline.at):%Y-%m-%d %H:%M}）", in_time),
    ]


MANUAL_ITEMS = ("seals_present", "seals_legible", "consistent")


def formal_check_decide(*, application: Application, actor, outcome: str, seals_present: bool = False,
                        seals_legible: bool = False, consistent: bool = False, reason: str = "",
                        correction_deadline: datetime | None = None, now: datetime | None = None) -> FormalCheck:
    """Record the formal check and its outcome.

    passed: every machine item and every manual tick must hold → in_expert_review.
    returned (补正): a reason and a future correction deadline → returned; the school corrects and
    submits straight to the project group by that deadline. rejected (不予受理): a reason → rejected.
    Side effects: one timeline row; the school is mailed on return and rejection."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = _lock(application)
        _expect(locked, Status.AT_NATIONAL)
        items = formal_check_items(locked)
        check, _ = FormalCheck.objects.get_or_create(application=locked)
        check.seals_present, check.seals_legible, check.consistent = seals_present, seals_legible, consistent
        check.machine_items = {key: passed for key, _label, passed in items}
        if outcome == FormalCheck.Outcome.PASSED:
            failed = [label for _key, label, passed in items if not passed]
            if not (seals_present and seals_legible and consistent):
                failed.append("人工核对项未全部确认")
            if failed:
                raise WorkflowError("形式审查未通过的项目：" + "；".join(failed) + "。请退回补正或不予受理。")
            transition(application=locked, to_status=Status.IN_EXPERT_REVIEW, action="formal_pass", actor=actor,
                       comment="通过形式审查，进入专家评审", internal_comment=reason)  # fmt: skip
        elif outcome == FormalCheck.Outcome.RETURNED:
            if not reason:
                raise WorkflowError("请填写需要补正的内容，学校会看到这段说明。")
            if correction_deadline is None or correction_deadline <= now:
                raise WorkflowError("请设定晚于当前时间的补正截止时间。")
            locked.correction_deadline = correction_deadline
            transition(application=locked, to_status=Status.RETURNED, action="formal_return", actor=actor,
                       comment=f"退回补正（{timezone.localtime(correction_deadline):%Y年%m月%d日 %H:%M} 前）：{reason}")  # fmt: skip
            notify_school(locked, event="returned", comment=reason)
        elif outcome == FormalCheck.Outcome.REJECTED:
            if not reason:
                raise WorkflowError("请填写不予受理的理由，学校会看到这段说明。")
            transition(application=locked, to_status=Status.REJECTED, action="formal_reject", actor=actor, comment=f"不予受理：{reason}")
            notify_school(locked, event="rejected", comment=reason)
        else:
            raise WorkflowError("请选择审查结论。")
        check.outcome, check.reason, check.decided_by, check.decided_at = outcome, reason, actor, now
        check.save()
    return check


# ---- Experts and assignment ---------------------------------------------------------------

def normalise_institution(name: str) -> str:
    """Institution names compared for conflicts: no spaces, half-width brackets."""
    return "".join((name or "").split()).replace("（", "(").replace("）", ")")


def candidate_for(application: Application) -> Candidate:
    return Candidate(
        id=application.pk,
        province=application.school.province_id,
        institution=normalise_institution(application.school.name),
        categories=frozenset(p.code for p in application.projects.all()),
    )


def expert_for(profile: ExpertProfile) -> Expert:
    return Expert(
        id=profile.user_id,
        province=profile.province_id,
        institution=normalise_institution(profile.institution),
        expertise=frozenset(c.code for c in profile.expertise.all()),
        capacity=profile.capacity,
    )


def active_experts() -> list[ExpertProfile]:
    return list(ExpertProfile.objects.filter(is_active=True, user__is_active=True).select_related("user").prefetch_related("expertise"))


def assignment_plan(batch: Batch, *, applications=None) -> Plan:
    """What automatic assignment would do for `batch` now (nothing is written): every application
    in expert review gets the batch's number of eligible experts, load balanced."""
    if applications is None:
        applications = Application.objects.filter(batch=batch, status=Status.IN_EXPERT_REVIEW)
    applications = list(applications.select_related("school").prefetch_related("projects"))
    ids = [a.pk for a in applications]
    existing = [Pair(a, e) for a, e in Assignment.objects.filter(is_active=True, application__batch=batch).values_list("application_id", "expert_id")]
    conflicts = [Pair(a, e) for a, e in ConflictDeclaration.objects.filter(application_id__in=ids).values_list("application_id", "expert_id")]
    return plan_assignments(
        [candidate_for(a) for a in applications],
        [expert_for(p) for p in active_experts()],
        per_application=batch.experts_per_application,
        existing=existing,
        conflicts=conflicts,
    )


ASSIGNMENT_STEP = 500  # rows written per transaction by automatic assignment


def _lock_batch(batch: Batch) -> None:
    """Serialise the steps of assignment runs on one batch (each step re-checks under the lock)."""
    Batch.objects.select_for_update().filter(pk=batch.pk).first()


def shortfall_lines(plan: Plan) -> list[str]:
    """One sentence per application the plan leaves short of experts, naming it by its number and
    school (the pure planner only knows ids)."""
    names = {a.pk: f"{a.number} {a.school.name}" for a in Application.objects.filter(pk__in=plan.shortfalls).select_related("school")}
    return plan.shortfall_report(names)


def assignment_apply(*, batch: Batch, actor, applications=None, on_step=None) -> tuple[Plan, int]:
    """Run automatic assignment (for the whole batch, or only `applications`) and store it;
    returns the plan and how many assignments were added. Existing assignments that no longer
    count (a conflict declared since, an expert withdrawn from the pool) are ended and replaced.

    Rows are written ASSIGNMENT_STEP at a time, each step a transaction of its own (a savepoint
    when the caller holds one) that locks the batch, so that a background run's progress shows
    (`on_step(done, total)` after each step). A step re-checks what changed since the plan was
    made: a pair assigned meanwhile, or an application that already has its experts (a second
    run at the same time), is skipped, so no application ever gets more than the batch's number."""
    plan = assignment_plan(batch, applications=applications)
    total, done, added = len(plan.dropped) + len(plan.new), 0, 0
    dropped = [(p.application_id, p.expert_id) for p in plan.dropped]
    if on_step and total:
        on_step(0, total)  # the plan is made: the page can show how much there is to write
    for start in range(0, len(dropped), ASSIGNMENT_STEP):
        step = dropped[start:start + ASSIGNMENT_STEP]
        with transaction.atomic():
            _lock_batch(batch)
            wanted = set(step)
            stale = Assignment.objects.filter(application_id__in={a for a, _e in step}, is_active=True).select_related("expert", "application")
            for assignment in stale:
                if (assignment.application_id, assignment.expert_id) in wanted:
                    _end(assignment, actor, "专家回避或已退出本批评审")
        done += len(step)
        if on_step:
            on_step(done, total)
    for start in range(0, len(plan.new), ASSIGNMENT_STEP):
        step = plan.new[start:start + ASSIGNMENT_STEP]
        with transaction.atomic():
            _lock_batch(batch)
            active = Assignment.objects.filter(application_id__in={p.application_id for p in step}, is_active=True)
            pairs = set(active.values_list("application_id", "expert_id"))
            counts = {}
            for application_id, _expert_id in pairs:
                counts[application_id] = counts.get(application_id, 0) + 1
            fresh = []
            for p in step:
                if (p.application_id, p.expert_id) in pairs or counts.get(p.application_id, 0) >= batch.experts_per_application:
                    continue
                counts[p.application_id] = counts.get(p.application_id, 0) + 1
                fresh.append(Assignment(application_id=p.application_id, expert_id=p.expert_id, assigned_by=actor, source=Assignment.Source.AUTO))
            Assignment.objects.bulk_create(fresh)  # sends no signals: the tallies are refreshed here
            refresh_tallies({p.application_id for p in step})
            added += len(fresh)
        done += len(step)
        if on_step:
            on_step(done, total)
    return plan, added


def assignment_run_start(*, batch: Batch, actor, applications=None) -> AssignmentRun:
    """Record a run of automatic assignment and queue it for the job worker; its page follows
    the progress. `applications` (picked in admin) limits it to those; otherwise the whole batch."""
    ids = sorted(applications.values_list("pk", flat=True)) if applications is not None else []
    run = AssignmentRun.objects.create(batch=batch, requested_by=actor, application_ids=ids)
    run_assignment.enqueue(run.pk)
    return run


@task()
def run_assignment(run_id: int) -> int:
    """Background job: automatic assignment for one AssignmentRun, its progress on the run's row."""
    run = AssignmentRun.objects.select_related("batch", "requested_by").get(pk=run_id)
    if run.finished:
        return run.added
    AssignmentRun.objects.filter(pk=run.pk).update(state=AssignmentRun.State.RUNNING)
    applications = None
    if run.application_ids:
        applications = Application.objects.filter(batch=run.batch, status=Status.IN_EXPERT_REVIEW, pk__in=run.application_ids)

    def progress(done, total):
        AssignmentRun.objects.filter(pk=run.pk).update(done=done, total=total)

    try:
        plan, added = assignment_apply(batch=run.batch, actor=run.requested_by, applications=applications, on_step=progress)
    except Exception as error:  # the run's page tells the user; the log keeps the trace
        logger.exception("assignment run %s failed", run.pk)
        AssignmentRun.objects.filter(pk=run.pk).update(
            state=AssignmentRun.State.FAILED, finished_at=timezone.now(), error=f"{type(error).__name__}: {error}"[:2000]
        )
        raise
    total = len(plan.dropped) + len(plan.new)
    AssignmentRun.objects.filter(pk=run.pk).update(
        state=AssignmentRun.State.DONE, finished_at=timezone.now(), total=total, done=total, added=added,
        ended=len(plan.dropped), shortfalls=shortfall_lines(plan),
    )  # fmt: skip
    return added


def _end(assignment: Assignment, actor, reason: str) -> None:
    assignment.is_active, assignment.ended_at, assignment.end_reason = False, timezone.now(), reason
    assignment.save(update_fields=["is_active", "ended_at", "end_reason"])
    TimelineEntry.objects.create(
        application=assignment.application, actor=actor, action="assignment_end", visible_to_school=False,
        internal_comment=f"撤销专家分配：{assignment.expert.get_full_name() or assignment.expert.username}（{reason}）",
    )  # fmt: skip


def eligibility_problem(application: Application, expert) -> str | None:
    """Why `expert` may not score `application` (None when they may)."""
    profile = ExpertProfile.objects.filter(user=expert).select_related("user").prefetch_related("expertise").first()
    if profile is None or not profile.is_active:
        return "该用户不是在册的评审专家。"
    conflicts = frozenset(Pair(a, e) for a, e in ConflictDeclaration.objects.filter(application=application).values_list("application_id", "expert_id"))
    candidate, candidate_expert = candidate_for(application), expert_for(profile)
    if is_eligible(candidate, candidate_expert, conflicts):
        return None
    if candidate.province == candidate_expert.province:
        return "专家与申报学校同省，须回避。"
    if candidate.institution == candidate_expert.institution:
        return "专家与申报学校同单位，须回避。"
    return "专家已声明与该申请存在利益冲突。"


def assignment_add(*, application: Application, expert, actor, reason: str) -> Assignment:
    """Assign an expert by hand, with a reason kept in the log."""
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("人工调整须填写理由。")
    with transaction.atomic():
        locked = _lock(application)
        _expect(locked, Status.IN_EXPERT_REVIEW, Status.SCORED)
        problem = eligibility_problem(locked, expert)
        if problem:
            raise WorkflowError(problem)
        if Assignment.objects.filter(application=locked, expert=expert, is_active=True).exists():
            raise WorkflowError("该专家已分配给这份申请。")
        assignment = Assignment.objects.create(application=locked, expert=expert, assigned_by=actor, source=Assignment.Source.MANUAL, reason=reason)
        TimelineEntry.objects.create(
            application=locked, actor=actor, action="assignment_add", visible_to_school=False,
            internal_comment=f"人工分配专家：{expert.get_full_name() or expert.username}（{reason}）",
        )  # fmt: skip
        if locked.status == Status.SCORED:
            transition(application=locked, to_status=Status.IN_EXPERT_REVIEW, action="review_more", actor=actor, visible_to_school=False)
    return assignment


def assignment_remove(*, assignment: Assignment, actor, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("撤销分配须填写理由。")
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().select_related("application", "expert").get(pk=assignment.pk)
        if not locked.is_active:
            raise WorkflowError("该分配已撤销。")
        _end(locked, actor, reason)
        _mark_scored_if_complete(locked.application, actor)


def expert_declare_conflict(*, assignment: Assignment, expert, reason: str) -> Assignment | None:
    """The expert declares a conflict instead of scoring: the assignment ends and, where an
    eligible expert exists, a replacement is assigned at once. Returns the replacement."""
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("请简要说明回避理由。")
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().select_related("application__batch", "application__school").get(pk=assignment.pk)
        if locked.expert_id != expert.pk or not locked.is_active:
            raise WorkflowError("该评审任务已不属于您。")
        review = ExpertReview.objects.filter(assignment=locked).first()
        if review is not None and review.state == ExpertReview.State.SUBMITTED:
            raise WorkflowError("评分已提交，如需回避请联系项目组。")
        ConflictDeclaration.objects.get_or_create(expert=expert, application=locked.application, defaults={"reason": reason})
        _end(locked, expert, f"专家声明回避：{reason}")
        plan = assignment_plan(locked.application.batch, applications=Application.objects.filter(pk=locked.application_id))
        replacement = None
        for pair in plan.new:
            replacement = Assignment.objects.create(application_id=pair.application_id, expert_id=pair.expert_id, source=Assignment.Source.AUTO, reason="替换回避专家")
        if replacement is None:
            # No eligible expert left to replace them: as when staff end an assignment, the
            # application is scored once every remaining expert has submitted.
            _mark_scored_if_complete(locked.application, expert)
        return replacement


# ---- Scoring ------------------------------------------------------------------------------

def criteria_of(batch: Batch) -> list[Criterion]:
    return list(Criterion.objects.filter(rubric__batch=batch).order_by("position", "pk"))


def scoring_locked(review: ExpertReview | None, batch: Batch, *, now: datetime) -> bool:
    """Scores lock at the batch's review deadline, unless staff reopened this review."""
    if review is not None and review.reopened_until and now <= review.reopened_until:
        return False
    return batch.review_deadline is not None and now > batch.review_deadline


def review_save(*, assignment: Assignment, expert, points: dict[int, str | Decimal | None], comment: str,
                recommendation: str, submit: bool, now: datetime | None = None) -> ExpertReview:
    """Save an expert's scores as a draft, or submit them.

    Each score must lie within 0 and the criterion's maximum in steps of 0.5; submitting needs every
    criterion, a comment and a recommendation. Raises ValidationError with messages by field
    ("score-<criterion id>", "comment", "recommendation") or WorkflowError when not allowed now.
    On submission the weighted total is stored; when every active assignment of the application has
    a submitted review, the application becomes scored."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().select_related("application__batch").get(pk=assignment.pk)
        if locked.expert_id != expert.pk or not locked.is_active:
            raise WorkflowError("该评审任务已不属于您。")
        application = locked.application
        review, _ = ExpertReview.objects.get_or_create(assignment=locked)
        if review.state == ExpertReview.State.SUBMITTED:
            raise WorkflowError("评分已提交，不能再修改；如需修改请联系项目组重新开放。")
        if application.status not in (Status.IN_EXPERT_REVIEW, Status.SCORED):
            raise WorkflowError(f"该申请当前状态为“{application.get_status_display()}”，不在评审阶段。")
        if scoring_locked(review, application.batch, now=now):
            raise WorkflowError("评分已于截止时间锁定；如需修改请联系项目组重新开放。")
        criteria = criteria_of(application.batch)
        errors: dict[str, list[str]] = {}
        clean: dict[int, Decimal] = {}
        for criterion in criteria:
            raw = points.get(criterion.pk)
            if raw in (None, ""):
                if submit:
                    errors[f"score-{criterion.pk}"] = [f"请为“{criterion.name}”打分。"]
                continue
            try:
                value = Decimal(str(raw))
            except InvalidOperation:
                errors[f"score-{criterion.pk}"] = ["请输入数字。"]
                continue
            if not value.is_finite() or value < 0 or value > criterion.max_points or not is_half_step(value):
                errors[f"score-{criterion.pk}"] = [f"得分应在 0–{criterion.max_points} 之间，以 0.5 分为单位。"]
                continue
            clean[criterion.pk] = value
        comment = (comment or "").strip()
        if submit and not comment:
            errors["comment"] = ["请填写评审意见。"]
        if recommendation and recommendation not in ExpertReview.Recommendation.values:
            errors["recommendation"] = ["请选择推荐意见。"]
        elif submit and not recommendation:
            errors["recommendation"] = ["请选择推荐意见。"]
        if errors:
            raise ValidationError(errors)
        CriterionScore.objects.filter(review=review).exclude(criterion_id__in=clean).delete()
        for criterion_id, value in clean.items():
            CriterionScore.objects.update_or_create(review=review, criterion_id=criterion_id, defaults={"points": value})
        review.comment, review.recommendation = comment, recommendation
        if submit:
            review.state, review.submitted_at = ExpertReview.State.SUBMITTED, now
            review.total = weighted_total(clean, {c.pk: c.weight for c in criteria})
            review.reopened_until = None
        review.save()
        if submit:
            TimelineEntry.objects.create(application=application, actor=expert, action="review_submit", visible_to_school=False,
                                         internal_comment="一位专家提交了评分")  # fmt: skip
            _mark_scored_if_complete(application, expert)
    return review


def _mark_scored_if_complete(application: Application, actor) -> None:
    application = _lock(application)
    if application.status != Status.IN_EXPERT_REVIEW:
        return
    active = Assignment.objects.filter(application=application, is_active=True)
    if active.exists() and not active.exclude(review__state=ExpertReview.State.SUBMITTED).exists():
        transition(application=application, to_status=Status.SCORED, action="review_complete", actor=actor,
                   visible_to_school=False, internal_comment="全部专家评分已提交")  # fmt: skip


def review_reopen(*, review: ExpertReview, actor, reason: str, until: datetime) -> ExpertReview:
    """Staff reopen a submitted review (or one locked by the deadline) until `until`; logged."""
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("重新开放评分须填写理由。")
    if until <= timezone.now():
        raise WorkflowError("重新开放的截止时间应晚于现在。")
    with transaction.atomic():
        locked = ExpertReview.objects.select_for_update().select_related("assignment__application", "assignment__expert").get(pk=review.pk)
        application = _lock(locked.assignment.application)
        # Once decided, the scores stand behind the decision (and the expert could not save anyway).
        _expect(application, Status.IN_EXPERT_REVIEW, Status.SCORED)
        locked.state, locked.reopened_until, locked.total = ExpertReview.State.DRAFT, until, None
        locked.save(update_fields=["state", "reopened_until", "total", "updated_at"])
        TimelineEntry.objects.create(
            application=application, actor=actor, action="review_reopen", visible_to_school=False,
            internal_comment=f"重新开放 {locked.assignment.expert.get_full_name() or locked.assignment.expert.username} 的评分至 {timezone.localtime(until):%Y-%m-%d %H:%M}：{reason}",
        )  # fmt: skip
        if application.status == Status.SCORED:
            transition(application=application, to_status=Status.IN_EXPERT_REVIEW, action="review_reopen_status", actor=actor, visible_to_school=False)
    return locked


# ---- Decisions and publication ------------------------------------------------------------

DECIDABLE = (Status.SCORED, Status.SELECTED, Status.NOT_SELECTED)


def decide(*, application: Application, actor, selected: bool, opinion: str, signer: str = "",
           opinion_date: date | None = None) -> Application:
    """Write the 项目组意见 and decide selected or not selected (changeable until publication).

    Side effects: the opinion is printed on the application PDF; one timeline row, hidden from the
    school until the list is published."""
    opinion = (opinion or "").strip()
    if not opinion:
        raise WorkflowError("请填写项目组意见。")
    with transaction.atomic():
        locked = _lock(application)
        if locked.batch.published_at is not None:
            raise WorkflowError("名单已公布，不能再更改决定。")
        _expect(locked, *DECIDABLE)
        locked.group_opinion = opinion
        locked.group_opinion_signer = (signer or "").strip() or (actor.get_full_name() or actor.username)
        locked.group_opinion_date = opinion_date or timezone.localdate()
        outcome = Status.SELECTED if selected else Status.NOT_SELECTED
        transition(application=locked, to_status=outcome, action="decide", actor=actor, visible_to_school=False,
                   internal_comment=f"项目组决定：{outcome.label}。{opinion}")  # fmt: skip
    return locked


def decide_many(*, applications, actor, selected: bool, opinion: str) -> int:
    """Decide several at once (after a confirmation page). All or nothing."""
    with transaction.atomic():
        count = 0
        for application in applications:
            decide(application=application, actor=actor, selected=selected, opinion=opinion)
            count += 1
    return count


def publication_problems(batch: Batch, *, now: datetime | None = None) -> list[str]:
    now = now or timezone.now()
    problems = []
    if batch.published_at is not None:
        problems.append(f"名单已于 {timezone.localtime(batch.published_at):%Y-%m-%d %H:%M} 公布。")
        return problems
    pending = Application.objects.filter(batch=batch, status__in=[Status.AT_NATIONAL, Status.IN_EXPERT_REVIEW, Status.SCORED]).count()
    if pending:
        problems.append(f"还有 {pending} 份申请未作出决定（形式审查、评审或决定尚未完成）。")
    # Returned for 补正 and still within its deadline: the school may submit again, and once the
    # list is published nobody could decide it any more.
    correcting = Application.objects.filter(batch=batch, status=Status.RETURNED, correction_deadline__gt=now).count()
    if correcting:
        problems.append(f"还有 {correcting} 份申请退回补正，补正截止前学校仍可再次提交。")
    if not Application.objects.filter(batch=batch, status=Status.SELECTED).exists():
        problems.append("还没有入选的申请。")
    return problems


def publish(*, batch: Batch, actor, now: datetime | None = None) -> int:
    """Publish the batch's list: schools see their outcome, the public the list of 实验校.

    Side effects: published_at set; one timeline row per decided application, shown to the
    school; every decided school is mailed. Returns the number of selected schools."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Batch.objects.select_for_update().get(pk=batch.pk)
        problems = publication_problems(locked, now=now)
        if problems:
            raise WorkflowError(" ".join(problems))
        locked.published_at = now
        locked.save(update_fields=["published_at"])
        decided = Application.objects.filter(batch=locked, status__in=[Status.SELECTED, Status.NOT_SELECTED]).select_related("school", "batch")
        selected = 0
        for application in decided:
            outcome = application.get_status_display()
            TimelineEntry.objects.create(application=application, actor=actor, action="publish", comment=f"公布结果：{outcome}")
            notify_school(application, event="outcome", comment=outcome)
            selected += application.status == Status.SELECTED
    return selected


# ---- The default rubric ---------------------------------------------------------------------

# The notice's 申报基本条件 (有意愿, 有组织, 有项目, 有团队, 有协调能力) and the quality of the 实验方案:
# 100 points in all, every weight 1. Staff adjust it per batch in admin.
DEFAULT_RUBRIC = (
    ("有意愿", "有强烈的实验愿望和积极性，愿意接受中国成人教育协会的指导和项目组的管理。", 10),
    ("有组织", "得到当地教育主管部门的同意和支持，成立由学校主管部门牵头的项目领导小组。", 15),
    ("有项目", "有明确的具体实施项目（1–2 个），能自行组织力量实施项目、自行解决项目经费。", 15),
    ("有团队", "成立由副校长任负责人的项目小组，成员不少于 3 人，分工明确，能参与项目组活动。", 15),
    ("有协调能力", "能发动全域参与项目实施，发挥自身优势积极开展活动，能完成项目组交办的任务。", 15),
    ("实验方案质量", "名称、内容、步骤、目标、特色完整清晰，切实可行，特色鲜明，不少于 2000 字。", 30),
)


def rubric_ensure_default(batch: Batch):
    """The batch's rubric, created from DEFAULT_RUBRIC when it has none."""
    from review.models import Rubric

    rubric, created = Rubric.objects.get_or_create(batch=batch)
    if created or not rubric.criteria.exists():
        Criterion.objects.bulk_create(
            Criterion(rubric=rubric, position=i, name=name, description=text, max_points=Decimal(points), weight=Decimal(1))
            for i, (name, text, points) in enumerate(DEFAULT_RUBRIC)
        )
    return rubric
