"""优质校评估 after the schools submitted (notice 五: 项目组组织专家依据建设标准进行评估): experts assigned
conflict-free, their scores against the 建设标准, the ranked table, the project group's conclusions
(优质校 / 合格 / 不合格 with a 项目组意见) and their publication.

The rules and the arithmetic are the selection review's, not a copy of them: review.assignment
plans the assignments (never the school's province or institution, never a declared conflict,
balanced load), review.expert_assignment turns a school and an expert profile into the planner's
Candidate and Expert, and review.scoring computes weighted totals, means, spreads and the
disagreement flag. What differs is only what is read and written: EvaluationSubmission in place of
Application, the round's own scoring deadline in place of the batch's.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from applications.workflow import WorkflowError, deadline_passed
from programme.models import (
    EvaluationAssignment, EvaluationConflict, EvaluationDecision, EvaluationLogEntry, EvaluationOutcome, EvaluationReview,
    EvaluationRound, EvaluationScore, EvaluationState, EvaluationSubmission, ExperimentSchool, SchoolNotice,
)  # fmt: skip
from programme.notifications import tell_school
from review.assignment import Candidate, Pair, Plan, is_eligible, plan_assignments
from review.expert_assignment import active_experts, expert_for, normalise_institution
from review.expert_scoring import clean_points
from review.scoring import Aggregate, aggregate, maximum_total, weighted_total


def criteria_of_round(evaluation_round: EvaluationRound):
    return list(evaluation_round.standard.criteria.order_by("position", "pk"))


def submitted_submissions(evaluation_round: EvaluationRound):
    return EvaluationSubmission.objects.filter(round=evaluation_round, state=EvaluationState.SUBMITTED)


def candidate_for_submission(submission: EvaluationSubmission) -> Candidate:
    """The planner's view of a submission: the school's province and institution, its projects."""
    school = submission.experiment_school.school
    return Candidate(
        id=submission.pk,
        province=school.province_id,
        institution=normalise_institution(school.name),
        categories=frozenset(p.category.code for p in submission.experiment_school.projects.all()),
    )


def _round_pairs(evaluation_round: EvaluationRound):
    existing = [
        Pair(s, e)
        for s, e in EvaluationAssignment.objects.filter(submission__round=evaluation_round, is_active=True).values_list("submission_id", "expert_id")
    ]
    conflicts = [
        Pair(s, e) for s, e in EvaluationConflict.objects.filter(submission__round=evaluation_round).values_list("submission_id", "expert_id")
    ]
    return existing, conflicts


def evaluation_assignment_plan(evaluation_round: EvaluationRound) -> Plan:
    """What automatic assignment would do for the round now (nothing is written): every submitted
    submission gets the round's number of eligible experts, load balanced over this round (an
    expert's capacity, ExpertProfile.capacity, counts this round's assignments)."""
    submissions = list(submitted_submissions(evaluation_round).select_related("experiment_school__school").prefetch_related("experiment_school__projects__category"))
    existing, conflicts = _round_pairs(evaluation_round)
    return plan_assignments(
        [candidate_for_submission(s) for s in submissions],
        [expert_for(p) for p in active_experts()],
        per_application=evaluation_round.experts_per_submission,
        existing=existing,
        conflicts=conflicts,
    )


def shortfall_lines(plan: Plan) -> list[str]:
    """One sentence per submission the plan leaves short of experts, naming its school."""
    names = {
        s.pk: s.experiment_school.school.name
        for s in EvaluationSubmission.objects.filter(pk__in=plan.shortfalls).select_related("experiment_school__school")
    }
    return plan.shortfall_report(names)


def _require_not_published(evaluation_round: EvaluationRound) -> None:
    if evaluation_round.published_at is not None:
        raise WorkflowError("本轮评估结果已公布，不能再调整。", "round_published")


def evaluation_assign(*, evaluation_round: EvaluationRound, actor, now: datetime | None = None) -> tuple[Plan, int]:
    """Run automatic assignment for the round and store it; returns the plan and how many
    assignments were added. Existing assignments that no longer count (a conflict declared since,
    an expert taken out of the pool) are ended and replaced.

    Side effects: EvaluationAssignment rows created (source 自动分配) and ended. Synchronous: a round
    has at most a few hundred submissions (the selection's background runs serve thousands)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = EvaluationRound.objects.select_for_update().get(pk=evaluation_round.pk)
        _require_not_published(locked)
        plan = evaluation_assignment_plan(locked)
        dropped = {(p.application_id, p.expert_id) for p in plan.dropped}
        for assignment in EvaluationAssignment.objects.filter(submission__round=locked, is_active=True):
            if (assignment.submission_id, assignment.expert_id) in dropped:
                _end(assignment, "专家回避或已退出评审", now)
        EvaluationAssignment.objects.bulk_create(
            EvaluationAssignment(submission_id=p.application_id, expert_id=p.expert_id, assigned_by=actor, assigned_at=now,
                                 source=EvaluationAssignment.Source.AUTO)
            for p in plan.new
        )  # fmt: skip
    return plan, len(plan.new)


def _end(assignment: EvaluationAssignment, reason: str, now: datetime) -> None:
    assignment.is_active, assignment.ended_at, assignment.end_reason = False, now, reason
    assignment.save(update_fields=["is_active", "ended_at", "end_reason"])


def eligibility_problem(submission: EvaluationSubmission, expert) -> str | None:
    """Why `expert` (a user) may not score `submission`, or None: the selection's rules."""
    profile = getattr(expert, "expert_profile", None)
    if profile is None or not profile.is_active or not expert.is_active:
        return "该账号不在评审专家库中。"
    candidate = candidate_for_submission(submission)
    _existing, conflicts = _round_pairs(submission.round)
    if not is_eligible(candidate, expert_for(profile), frozenset(conflicts)):
        return "该专家与申报学校同省、同单位或已声明回避，不能分配。"
    return None


def evaluation_assignment_add(*, submission: EvaluationSubmission, expert, actor, reason: str, now: datetime | None = None) -> EvaluationAssignment:
    """Staff add one expert to a submission by hand, with a reason; the conflict rules still hold.
    Side effects: one EvaluationAssignment (source 人工调整)."""
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("人工调整须填写理由。", "reason_required")
    with transaction.atomic():
        locked = EvaluationSubmission.objects.select_for_update().select_related("round", "experiment_school__school").get(pk=submission.pk)
        _require_not_published(locked.round)
        if locked.state != EvaluationState.SUBMITTED:
            raise WorkflowError("只能为已提交的申报材料分配专家。", "not_submitted")
        problem = eligibility_problem(locked, expert)
        if problem:
            raise WorkflowError(problem, "not_eligible")
        if locked.assignments.filter(expert=expert, is_active=True).exists():
            raise WorkflowError("该专家已分配到这份申报材料。", "already_assigned")
        return EvaluationAssignment.objects.create(
            submission=locked, expert=expert, source=EvaluationAssignment.Source.MANUAL, reason=reason, assigned_by=actor,
            assigned_at=now or timezone.now(),
        )  # fmt: skip


def evaluation_assignment_end(*, assignment: EvaluationAssignment, actor, reason: str, now: datetime | None = None) -> None:
    """Staff take an expert off a submission, with a reason; a submitted review is kept on record
    but no longer counts. Side effects: the assignment ended."""
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("撤销分配须填写理由。", "reason_required")
    with transaction.atomic():
        locked = EvaluationAssignment.objects.select_for_update().select_related("submission__round").get(pk=assignment.pk)
        _require_not_published(locked.submission.round)
        if locked.is_active:
            _end(locked, reason, now or timezone.now())


def evaluation_declare_conflict(*, assignment: EvaluationAssignment, expert, reason: str, now: datetime | None = None) -> EvaluationConflict:
    """The expert declares a conflict with the submission: never assigned to it again, the
    assignment ends (staff run assignment again to replace them). Refused after their review was
    submitted. Side effects: one EvaluationConflict, the assignment ended."""
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("请简要说明回避理由。", "reason_required")
    now = now or timezone.now()
    with transaction.atomic():
        locked = EvaluationAssignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.expert_id != expert.pk or not locked.is_active:
            raise WorkflowError("该评估任务已不属于您。", "not_yours")
        review = EvaluationReview.objects.filter(assignment=locked).first()
        if review is not None and review.state == EvaluationReview.State.SUBMITTED:
            raise WorkflowError("评分已提交，不能再声明回避；如有疑问请联系项目组。", "already_submitted")
        conflict, _ = EvaluationConflict.objects.get_or_create(
            expert=expert, submission_id=locked.submission_id, defaults={"reason": reason, "declared_at": now}
        )
        _end(locked, f"专家声明回避：{reason}", now)
    return conflict


def scoring_locked(review: EvaluationReview | None, evaluation_round: EvaluationRound, *, now: datetime) -> bool:
    """Scores lock at the round's scoring deadline (and once the results are published), unless
    staff reopened this review."""
    if evaluation_round.published_at is not None:
        return True
    if review is not None and review.reopened_until and not deadline_passed(review.reopened_until, now):
        return False
    return deadline_passed(evaluation_round.review_deadline, now)


def evaluation_review_save(*, assignment: EvaluationAssignment, expert, points: dict, comment: str, submit: bool,
                           now: datetime | None = None) -> EvaluationReview:
    """Save an expert's scores against the 建设标准 as a draft, or submit them.

    Each score lies within 0 and the criterion's maximum in steps of 0.5 (as in selection);
    submitting needs every criterion and a comment. Raises ValidationError by field
    ("score-<criterion id>", "comment") or WorkflowError when not allowed now (not theirs, already
    submitted, locked). Side effects: the EvaluationReview and its EvaluationScore rows; on
    submission the weighted total (review.scoring.weighted_total) is stored."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = EvaluationAssignment.objects.select_for_update().select_related("submission__round__standard").get(pk=assignment.pk)
        if locked.expert_id != expert.pk or not locked.is_active:
            raise WorkflowError("该评估任务已不属于您。", "not_yours")
        evaluation_round = locked.submission.round
        review, _ = EvaluationReview.objects.get_or_create(assignment=locked)
        if review.state == EvaluationReview.State.SUBMITTED:
            raise WorkflowError("评分已提交，不能再修改；如需修改请联系项目组重新开放。", "already_submitted")
        if scoring_locked(review, evaluation_round, now=now):
            raise WorkflowError("评分已于截止时间锁定；如需修改请联系项目组重新开放。", "scoring_locked")
        criteria = criteria_of_round(evaluation_round)
        clean, errors = clean_points(criteria, points, submit=submit)
        comment = (comment or "").strip()
        if submit and not comment:
            errors["comment"] = ["请填写评估意见。"]
        if errors:
            raise ValidationError(errors)
        EvaluationScore.objects.filter(review=review).exclude(criterion_id__in=clean).delete()
        for criterion_id, value in clean.items():
            EvaluationScore.objects.update_or_create(review=review, criterion_id=criterion_id, defaults={"points": value})
        review.comment = comment
        if submit:
            review.state, review.submitted_at = EvaluationReview.State.SUBMITTED, now
            review.total = weighted_total(clean, {c.pk: c.weight for c in criteria})
            review.reopened_until = None
        review.save()
    return review


# ---- The ranked table ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RankRow:
    submission: EvaluationSubmission
    done: int  # submitted reviews of active assignments
    assigned: int  # active assignments
    score: Aggregate
    rank: int | None  # None for a provisional row when complete rows are ranked first
    decision: EvaluationDecision | None

    @property
    def provisional(self) -> bool:
        """Its reviews are incomplete (e.g. 1/3): its mean may still move."""
        return self.assigned == 0 or self.done < self.assigned


def evaluation_ranking(evaluation_round: EvaluationRound, *, provisional_last: bool = True) -> list[RankRow]:
    """The round's submitted submissions with their scores (review.scoring.aggregate over the
    submitted reviews of active assignments), highest mean first. A submission whose reviews are
    incomplete is provisional (暂定) and, unless `provisional_last` is False, listed after the
    complete ones, unranked. A constant number of queries."""
    criteria = criteria_of_round(evaluation_round)
    max_total = maximum_total({c.pk: c.max_points for c in criteria}, {c.pk: c.weight for c in criteria})
    # The long texts deferred, the assignments and reviews read as the four columns the score needs:
    # at 250 submissions, three experts each, their model rows were most of the page's time.
    submissions = list(
        submitted_submissions(evaluation_round).defer("summary")
        .select_related("experiment_school__school__province", "decision")
    )  # fmt: skip
    assigned, totals = defaultdict(int), defaultdict(list)
    for submission_id, review_state, total in (
        EvaluationAssignment.objects.filter(submission__in=submitted_submissions(evaluation_round), is_active=True).order_by()
        .values_list("submission_id", "review__state", "review__total")
    ):
        assigned[submission_id] += 1
        if review_state == EvaluationReview.State.SUBMITTED and total is not None:
            totals[submission_id].append(total)
    rows = [(s, len(totals[s.pk]), assigned[s.pk], aggregate(totals[s.pk], max_total=max_total)) for s in submissions]

    def key(row):
        submission, done, assigned, score = row
        provisional = assigned == 0 or done < assigned
        return (provisional if provisional_last else False, score.mean is None, -(score.mean or 0), submission.experiment_school.school.name)

    ranked, position = [], 0
    for submission, done, assigned, score in sorted(rows, key=key):
        provisional = assigned == 0 or done < assigned
        rank = None
        if score.mean is not None and not (provisional and provisional_last):
            position += 1
            rank = position
        ranked.append(RankRow(submission, done, assigned, score, rank, getattr(submission, "decision", None)))
    return ranked


RANKING_COLUMNS = ["名次", "学校", "省份", "评分进度", "平均分", "极差", "意见分歧", "评估结论", "项目组意见"]


def ranking_cells(rows: list[RankRow]) -> list[list]:
    """The ranked table as the exports show it (the page's order and marks): numbers as numbers."""
    cells = []
    for row in rows:
        school = row.submission.experiment_school.school
        cells.append([
            row.rank if row.rank is not None else "暂定",
            row.submission.applicant_name,
            school.province.name,
            f"{row.done}/{row.assigned}",
            float(row.score.mean) if row.score.mean is not None else "",
            float(row.score.spread) if row.score.spread is not None else "",
            "是" if row.score.disagree else "",
            row.decision.get_outcome_display() if row.decision else "",
            row.decision.opinion if row.decision else "",
        ])  # fmt: skip
    return cells


# ---- Conclusions and publication ---------------------------------------------------------------


def evaluation_decide(*, submission: EvaluationSubmission, outcome: str, opinion: str, actor, now: datetime | None = None) -> EvaluationDecision:
    """The project group's conclusion on a submitted submission: 优质校, 合格 or 不合格, with its
    项目组意见 (required). May be changed until the round's results are published; the school sees
    nothing before. Side effects: the EvaluationDecision (created or replaced, with history), a log row."""
    now = now or timezone.now()
    opinion = (opinion or "").strip()
    errors = {}
    if outcome not in EvaluationOutcome.values:
        errors["outcome"] = ["请选择评估结论。"]
    if not opinion:
        errors["opinion"] = ["请填写项目组意见。"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = EvaluationSubmission.objects.select_for_update().select_related("round").get(pk=submission.pk)
        _require_not_published(locked.round)
        if locked.state != EvaluationState.SUBMITTED:
            raise WorkflowError("只能对已提交的申报材料作出评估结论。", "not_submitted")
        decision, _ = EvaluationDecision.objects.update_or_create(
            submission=locked, defaults={"outcome": outcome, "opinion": opinion, "decided_by": actor, "decided_at": now}
        )
        EvaluationLogEntry.objects.create(
            submission=locked, at=now, actor=actor, action=EvaluationLogEntry.Action.DECIDED, note=decision.get_outcome_display()
        )
    return decision


def publish_problem(evaluation_round: EvaluationRound, *, now: datetime | None = None) -> str | None:
    """Why the round's results cannot be published now, or None."""
    if evaluation_round.published_at is not None:
        return "本轮评估结果已公布。"
    if not deadline_passed(evaluation_round.deadline, now):
        return "申报尚未截止，不能公布结果。"
    undecided = submitted_submissions(evaluation_round).filter(decision__isnull=True).count()
    if undecided:
        return f"还有 {undecided} 份申报材料没有评估结论。"
    if not submitted_submissions(evaluation_round).exists():
        return "本轮没有已提交的申报材料。"
    return None


def evaluation_publish(*, evaluation_round: EvaluationRound, actor, now: datetime | None = None) -> int:
    """Publish the round's results: every submitted submission has a conclusion; each school reads
    its own on its workspace (and is mailed); a 优质校 is marked on its showcase page and may be
    given its certificate. Returns how many schools were told.

    Side effects: EvaluationRound.published_at; per submission a log row, a SchoolNotice and a mail."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = EvaluationRound.objects.select_for_update().select_related("batch").get(pk=evaluation_round.pk)
        problem = publish_problem(locked, now=now)
        if problem:
            raise WorkflowError(problem, "cannot_publish")
        locked.published_at = now
        locked.save(update_fields=["published_at"])
        submissions = submitted_submissions(locked).select_related("decision", "experiment_school__school")
        for submission in submissions:
            decision = submission.decision
            EvaluationLogEntry.objects.create(submission=submission, at=now, actor=actor, action=EvaluationLogEntry.Action.PUBLISHED)
            tell_school(
                submission.experiment_school, kind=SchoolNotice.Kind.EVALUATION_PUBLISHED, now=now,
                title=f"{locked.name}结果：{decision.get_outcome_display()}",
                body=f"项目组已公布{locked.name}结果。贵校的评估结论：{decision.get_outcome_display()}。\n项目组意见：{decision.opinion}",
            )  # fmt: skip
    evaluation_round.published_at = now
    return len(submissions)


def published_decision(experiment_school: ExperimentSchool, *, outcome: str | None = None) -> EvaluationDecision | None:
    """The school's latest published conclusion (of `outcome`, if given), or None."""
    decisions = EvaluationDecision.objects.filter(
        submission__experiment_school=experiment_school, submission__round__published_at__isnull=False
    ).select_related("submission__round__batch")
    if outcome:
        decisions = decisions.filter(outcome=outcome)
    return decisions.order_by("-submission__round__published_at").first()


def excellent_decisions():
    """The published 优质校 conclusions of every round (for the showcase's mark)."""
    return EvaluationDecision.objects.filter(outcome=EvaluationOutcome.EXCELLENT, submission__round__published_at__isnull=False)


def excellent_schools(evaluation_round: EvaluationRound) -> list[ExperimentSchool]:
    """The 实验校 the round's published results name 优质校."""
    if evaluation_round.published_at is None:
        return []
    return [
        d.submission.experiment_school
        for d in excellent_decisions().filter(submission__round=evaluation_round)
        .select_related("submission__experiment_school__school", "submission__experiment_school__batch")
    ]
