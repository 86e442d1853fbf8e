"""Expert assignment for the selection review: the pure planner (review.assignment) fed from the
database, automatic runs in the background, manual changes and conflict declarations. Every change
is logged on the application's timeline (hidden from the school)."""
import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from applications.models import IN_REVIEW_STATUSES, Application, Batch, Status, TimelineEntry
from applications.workflow import WorkflowError, expect_status, lock_application, transition
from review.assignment import Candidate, Expert, Pair, Plan, is_eligible, plan_assignments
from review.models import Assignment, AssignmentRun, ConflictDeclaration, ExpertProfile, ExpertReview
from review.expert_scoring import mark_scored_if_complete
from review.tallies import refresh_tallies

logger = logging.getLogger(__name__)


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
    names = {a.pk: f"{a.number} {a.applicant_name}" for a in Application.objects.filter(pk__in=plan.shortfalls).select_related("school")}
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
                    end_assignment(assignment, actor, "专家回避或已退出本批评审")
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


def end_assignment(assignment: Assignment, actor, reason: str) -> None:
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
        raise WorkflowError("人工调整须填写理由。", "reason_required")
    with transaction.atomic():
        locked = lock_application(application)
        expect_status(locked, *IN_REVIEW_STATUSES, actor=actor)
        problem = eligibility_problem(locked, expert)
        if problem:
            raise WorkflowError(problem, "not_eligible")
        if Assignment.objects.filter(application=locked, expert=expert, is_active=True).exists():
            raise WorkflowError("该专家已分配给这份申请。", "already_assigned")
        assignment = Assignment.objects.create(application=locked, expert=expert, assigned_by=actor, source=Assignment.Source.MANUAL, reason=reason)
        TimelineEntry.objects.create(
            application=locked, actor=actor, action="assignment_add", visible_to_school=False,
            internal_comment=f"人工分配专家：{expert.get_full_name() or expert.username}（{reason}）",
        )  # fmt: skip
        if locked.status == Status.SCORED:
            transition(application=locked, action="review_more", actor=actor)
    return assignment


def assignment_remove(*, assignment: Assignment, actor, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("撤销分配须填写理由。", "reason_required")
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().select_related("application", "expert").get(pk=assignment.pk)
        if not locked.is_active:
            raise WorkflowError("该分配已撤销。", "already_ended")
        end_assignment(locked, actor, reason)
        mark_scored_if_complete(locked.application, actor)


def expert_declare_conflict(*, assignment: Assignment, expert, reason: str) -> Assignment | None:
    """The expert declares a conflict instead of scoring: the assignment ends and, where an
    eligible expert exists, a replacement is assigned at once. Returns the replacement."""
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("请简要说明回避理由。", "reason_required")
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().select_related("application__batch", "application__school").get(pk=assignment.pk)
        if locked.expert_id != expert.pk or not locked.is_active:
            raise WorkflowError("该评审任务已不属于您。", "not_yours")
        review = ExpertReview.objects.filter(assignment=locked).first()
        if review is not None and review.state == ExpertReview.State.SUBMITTED:
            raise WorkflowError("评分已提交，如需回避请联系项目组。", "already_submitted")
        ConflictDeclaration.objects.get_or_create(expert=expert, application=locked.application, defaults={"reason": reason})
        end_assignment(locked, expert, f"专家声明回避：{reason}")
        plan = assignment_plan(locked.application.batch, applications=Application.objects.filter(pk=locked.application_id))
        replacement = None
        for pair in plan.new:
            replacement = Assignment.objects.create(application_id=pair.application_id, expert_id=pair.expert_id, source=Assignment.Source.AUTO, reason="替换回避专家")
        if replacement is None:
            # No eligible expert left to replace them: as when staff end an assignment, the
            # application is scored once every remaining expert has submitted.
            mark_scored_if_complete(locked.application, expert)
        return replacement
