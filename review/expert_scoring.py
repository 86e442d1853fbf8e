"""Experts' scores for the selection review: drafts, submission against the batch's rubric, the
lock at the review deadline and staff reopening a review. The arithmetic is review.scoring's."""
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from applications.models import IN_REVIEW_STATUSES, Application, Batch, Status, TimelineEntry
from applications.workflow import WorkflowError, deadline_passed, expect_status, lock_application, transition
from review.models import Assignment, Criterion, CriterionScore, ExpertReview
from review.scoring import is_half_step, weighted_total


def criteria_of(batch: Batch) -> list[Criterion]:
    return list(Criterion.objects.filter(rubric__batch=batch).order_by("position", "pk"))


def clean_points(criteria, points: dict, *, submit: bool) -> tuple[dict[int, Decimal], dict[str, list[str]]]:
    """An expert's typed scores against `criteria` (anything with pk, name and max_points: the
    selection's rubric, a 优质校建设标准): the valid values by criterion, and the errors by field
    ("score-<criterion id>"). Each lies within 0 and the maximum in steps of 0.5; submitting needs
    every criterion. Shared by review_save and programme.evaluation_review.evaluation_review_save."""
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
    return clean, errors


def scoring_locked(review: ExpertReview | None, batch: Batch, *, now: datetime) -> bool:
    """Scores lock at the batch's review deadline, unless staff reopened this review."""
    if review is not None and review.reopened_until and not deadline_passed(review.reopened_until, now):
        return False
    return deadline_passed(batch.review_deadline, now)


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
            raise WorkflowError("该评审任务已不属于您。", "not_yours")
        application = locked.application
        review, _ = ExpertReview.objects.get_or_create(assignment=locked)
        if review.state == ExpertReview.State.SUBMITTED:
            raise WorkflowError("评分已提交，不能再修改；如需修改请联系项目组重新开放。", "already_submitted")
        if application.status not in IN_REVIEW_STATUSES:
            # Not the status: it would tell the expert the outcome.
            raise WorkflowError("该申请的评审已结束，不能再保存评分；如有疑问请联系项目组。", "review_closed")
        if scoring_locked(review, application.batch, now=now):
            raise WorkflowError("评分已于截止时间锁定；如需修改请联系项目组重新开放。", "scoring_locked")
        criteria = criteria_of(application.batch)
        clean, errors = clean_points(criteria, points, submit=submit)
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
            mark_scored_if_complete(application, expert)
    return review


def mark_scored_if_complete(application: Application, actor) -> None:
    application = lock_application(application)
    if application.status != Status.IN_EXPERT_REVIEW:
        return
    active = Assignment.objects.filter(application=application, is_active=True)
    if active.exists() and not active.exclude(review__state=ExpertReview.State.SUBMITTED).exists():
        transition(application=application, action="review_complete", actor=actor, internal_comment="全部专家评分已提交")


def review_reopen(*, review: ExpertReview, actor, reason: str, until: datetime) -> ExpertReview:
    """Staff reopen a submitted review (or one locked by the deadline) until `until`; logged."""
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("重新开放评分须填写理由。", "reason_required")
    if until <= timezone.now():
        raise WorkflowError("重新开放的截止时间应晚于现在。", "deadline_in_past")
    with transaction.atomic():
        locked = ExpertReview.objects.select_for_update().select_related("assignment__application", "assignment__expert").get(pk=review.pk)
        application = lock_application(locked.assignment.application)
        # Once decided, the scores stand behind the decision (and the expert could not save anyway).
        expect_status(application, *IN_REVIEW_STATUSES, actor=actor)
        locked.state, locked.reopened_until, locked.total = ExpertReview.State.DRAFT, until, None
        locked.save(update_fields=["state", "reopened_until", "total", "updated_at"])
        TimelineEntry.objects.create(
            application=application, actor=actor, action="review_reopen", visible_to_school=False,
            internal_comment=f"重新开放 {locked.assignment.expert.get_full_name() or locked.assignment.expert.username} 的评分至 {timezone.localtime(until):%Y-%m-%d %H:%M}：{reason}",
        )  # fmt: skip
        if application.status == Status.SCORED:
            transition(application=application, action="review_more", actor=actor, internal_comment="重新开放评分，继续评审")
    return locked
