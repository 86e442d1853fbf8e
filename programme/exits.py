"""Leaving the programme (七.7): 连续两次不参与项目组活动视为退出, and 实验校有退出项目实施的权力.

The rule itself is programme.exit_rule (pure); here it meets the database: after a first absence the
school is warned, after a second in a row it goes to the staff queue (ExitReview, the two absences
as evidence), where staff confirm (视为退出) or waive it with a reason. A school may also ask to
leave; staff acknowledge it (已退出（自愿）)."""
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from applications.uploads import inspect_scan
from applications.workflow import WorkflowError
from programme import exit_rule
from programme.experiment_schools import lock_experiment_school, require_active, status_change
from programme.models import ExitReview, ExperimentSchool, ExperimentStatus, Invitation, SchoolNotice, WithdrawalRequest
from programme.notifications import tell_school, tell_staff

WARNING_TITLE = "缺席提醒：再缺席一次将视为退出"


def attendance_records(experiment_school: ExperimentSchool) -> list[tuple[exit_rule.Record, Invitation]]:
    """The school's closed activities in the order they took place, as the rule reads them, each
    with its invitation."""
    invitations = (
        Invitation.objects.filter(experiment_school=experiment_school, activity__closed_at__isnull=False)
        .exclude(outcome="").select_related("activity").order_by("activity__starts_at", "activity_id")
    )  # fmt: skip
    return [(exit_rule.Record(key=i.pk, outcome=exit_rule.Outcome(i.outcome), counts=i.activity.counts_for_attendance), i)
            for i in invitations]  # fmt: skip


def reviewed_through(experiment_school: ExperimentSchool, records) -> int | None:
    """The last absence a staff review already dealt with (its second absence), in the order of
    `records`: the rule reads only what came after it, so the same absences never count twice."""
    reviewed = set(ExitReview.objects.filter(experiment_school=experiment_school).values_list("second_absence_id", flat=True))
    keys = [record.key for record in records if record.key in reviewed]
    return keys[-1] if keys else None


def _when(invitation: Invitation) -> str:
    return f"“{invitation.activity.title}”（{timezone.localtime(invitation.activity.starts_at):%Y年%m月%d日}）"


def exit_rule_apply(*, experiment_school: ExperimentSchool, now: datetime | None = None) -> str | None:
    """Apply 七.7 to one 实验校 as its closed activities stand. Idempotent: running it again over
    the same absences does nothing. Returns "warned", "queued" or None (nothing new).

    Nothing for a school no longer 实验中 or already in the queue. Side effects: after a first
    absence (of the current run) one warning, a workspace notice and a mail ("再缺席一次将视为退出"),
    recorded against that absence so it is never sent twice; after a second in a row one ExitReview
    with the two absences and a mail to the project group."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_experiment_school(experiment_school)
        if not locked.is_active or locked.exit_reviews.filter(state=ExitReview.State.PENDING).exists():
            return None
        pairs = attendance_records(locked)
        records = [record for record, _invitation in pairs]
        by_key = {record.key: invitation for record, invitation in pairs}
        assessment = exit_rule.assess(records, since=reviewed_through(locked, records))
        if assessment.proposal:
            first, second = (by_key[key] for key in assessment.proposal)
            review, made = ExitReview.objects.get_or_create(
                second_absence=second, defaults={"experiment_school": locked, "first_absence": first, "created_at": now}
            )
            if not made:
                return None
            tell_staff(template="staff_exit_review", context={"experiment_school": locked, "review": review, "first": first, "second": second})
            return "queued"
        if assessment.warn:
            absence = by_key[assessment.run[0]]
            if SchoolNotice.objects.filter(kind=SchoolNotice.Kind.ABSENCE_WARNING, invitation=absence).exists():
                return None
            tell_school(
                locked, kind=SchoolNotice.Kind.ABSENCE_WARNING, title=WARNING_TITLE, invitation=absence, now=now,
                body=(f"贵校未参加项目组活动{_when(absence)}，也未获准请假，记缺席一次。根据通知七.7“连续两次不参与"
                      f"项目组活动视为退出”，再缺席一次将视为退出。请按时参加项目组活动，不能参加的请在回执截止前请假。"),
            )  # fmt: skip
            return "warned"
    return None


def lock_review(review: ExitReview) -> ExitReview:
    return ExitReview.objects.select_for_update().select_related("first_absence__activity", "second_absence__activity").get(pk=review.pk)


def _require_pending(review: ExitReview) -> None:
    if review.state != ExitReview.State.PENDING:
        raise WorkflowError(f"该审核已办理（{review.get_state_display()}），请刷新页面。", code="decided")


def exit_review_confirm(*, review: ExitReview, actor, reason: str = "", now: datetime | None = None) -> ExitReview:
    """Staff confirm 视为退出 for a school in the queue.

    Side effects: the review confirmed (who, when, note); the 实验校's status 视为退出 with a log row;
    the school is told (notice and mail)."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = lock_review(review)
        _require_pending(locked)
        school = lock_experiment_school(locked.experiment_school)
        evidence = f"{_when(locked.first_absence)}、{_when(locked.second_absence)}"
        status_change(experiment_school=school, to_status=ExperimentStatus.DEEMED_WITHDRAWN, actor=actor, now=now,
                      reason=f"连续两次未参与项目组活动：{evidence}。{reason}".strip())  # fmt: skip
        locked.state, locked.decided_at, locked.decided_by, locked.reason = ExitReview.State.CONFIRMED, now, actor, reason
        locked.save()
        tell_school(
            school, kind=SchoolNotice.Kind.EXIT_CONFIRMED, title="视为退出：连续两次未参与项目组活动", now=now,
            body=(f"贵校连续两次未参与项目组活动（{evidence}），也未获准请假。根据通知七.7“连续两次不参与项目组活动视为退出”，"
                  f"经项目组审核，贵校视为退出项目实施。{reason}"),
        )  # fmt: skip
    return locked


def exit_review_waive(*, review: ExitReview, actor, reason: str, now: datetime | None = None) -> ExitReview:
    """Staff decide not to treat the two absences as withdrawal, with a reason. The school stays
    实验中 and its count starts again after the second absence.

    Side effects: the review waived (who, when, reason); the school is told (notice and mail)."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "不作退出处理时，请说明理由。"})
    with transaction.atomic():
        locked = lock_review(review)
        _require_pending(locked)
        locked.state, locked.decided_at, locked.decided_by, locked.reason = ExitReview.State.WAIVED, now, actor, reason
        locked.save()
        tell_school(
            locked.experiment_school, kind=SchoolNotice.Kind.EXIT_WAIVED, title="连续两次未参与项目组活动：不作退出处理", now=now,
            body=(f"贵校连续两次未参与项目组活动（{_when(locked.first_absence)}、{_when(locked.second_absence)}）。"
                  f"项目组审核后决定不作退出处理：{reason}。请今后按时参加项目组活动。"),
        )  # fmt: skip
    return locked


# ---- 实验校有退出项目实施的权力 ------------------------------------------------------------------------


def withdrawal_request(*, experiment_school: ExperimentSchool, actor, reason: str, letter=None,
                       now: datetime | None = None) -> WithdrawalRequest:
    """The 实验校 asks to leave: a reason and, optionally, its signed and sealed letter (PDF, JPEG or
    PNG, checked by content like the application's scans). One request at a time.

    Raises ValidationError by field ("reason", "letter"). Side effects: a WithdrawalRequest (and the
    stored letter); a mail to the project group."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写退出原因。"})
    kind = digest = ""
    if letter is not None:
        try:
            kind, digest = inspect_scan(letter, max_bytes=settings.SCAN_MAX_BYTES)
        except ValidationError as error:
            raise ValidationError({"letter": error.messages}) from error
    with transaction.atomic():
        locked = lock_experiment_school(experiment_school)
        require_active(locked)
        if locked.withdrawal_requests.filter(state=WithdrawalRequest.State.PENDING).exists():
            raise WorkflowError("贵校的退出申请已提交，正等待项目组确认。", code="pending")
        request = WithdrawalRequest(experiment_school=locked, reason=reason, requested_at=now, requested_by=actor)
        if letter is not None:
            request.letter_kind, request.letter_sha256, request.letter_size = kind, digest, letter.size
            request.letter_name = (letter.name or "letter").replace("\\", "/").rsplit("/", 1)[-1][:150]
            suffix = {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png"}[kind]
            request.letter.save(f"letter{suffix}", letter, save=False)
        request.save()
        tell_staff(template="staff_withdrawal_requested", context={"experiment_school": locked, "request": request})
    return request


def withdrawal_acknowledge(*, request: WithdrawalRequest, actor, now: datetime | None = None) -> WithdrawalRequest:
    """Staff acknowledge a school's request to leave: its status becomes 已退出（自愿）. A review of
    its absences still in the queue is closed with it (waived: the school left by its own choice).

    Side effects: the request acknowledged (who, when); status and log row; the school is told."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = WithdrawalRequest.objects.select_for_update().get(pk=request.pk)
        if locked.state != WithdrawalRequest.State.PENDING:
            raise WorkflowError("该退出申请已确认。", code="decided")
        school = lock_experiment_school(locked.experiment_school)
        status_change(experiment_school=school, to_status=ExperimentStatus.WITHDRAWN, actor=actor, now=now,
                      reason=f"学校申请退出项目实施：{locked.reason}")  # fmt: skip
        locked.state, locked.acknowledged_at, locked.acknowledged_by = WithdrawalRequest.State.ACKNOWLEDGED, now, actor
        locked.save()
        for review in school.exit_reviews.select_for_update().filter(state=ExitReview.State.PENDING):
            review.state, review.decided_at, review.decided_by, review.reason = ExitReview.State.WAIVED, now, actor, "该校已自愿退出项目实施。"
            review.save()
        tell_school(school, kind=SchoolNotice.Kind.WITHDRAWAL_ACKNOWLEDGED, title="退出申请已确认", now=now,
                    body="项目组已确认贵校退出项目实施的申请（通知七.7：实验校有退出项目实施的权力），贵校状态为“已退出（自愿）”。感谢贵校的参与。")  # fmt: skip
    return locked
