"""The provincial association's steps (notice 八.1): return, recommend or decline each
application of its province, register the paper copy, then forward the recommended set once to
the national project group with its 推荐汇总表.

Each step locks the application (or the window) and re-checks its state inside the transaction, so
two reviewers acting at once cannot both succeed: the second is told what happened instead. Every
status change goes through applications.workflow.transition (one timeline row each).
"""
from datetime import date, datetime

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from applications.models import Application, ProvincialWindow, Route, Status, TimelineEntry
from applications.notifications import notify_school, staff_addresses
from applications.selectors import window_for
from applications.workflow import (
    Facts, WorkflowError, before_national_deadline, deadline_passed, expect_status, lock_application, province_not_forwarded,
    require_move, transition,
)  # fmt: skip
from portal.emails import queue_mail
from portal.models import Role
from review.models import Forwarding, ProvincialReview


def _require_reviewer_of(actor, window: ProvincialWindow) -> None:
    """Only a reviewer of the window's own association acts for it (the pages check this too)."""
    if getattr(actor, "role", None) != Role.PROVINCE or actor.association_id != window.association_id:
        raise WorkflowError(f"只有{window.association.name}的审核人员可以办理此操作。", "not_permitted")


def _window_of(application: Application, *, actor, action: str, now: datetime) -> ProvincialWindow:
    """The application's provincial window, once the journey allows `actor` the move `action` now
    (applications.workflow.JOURNEY: the window not yet forwarded, the national deadline not passed)."""
    window = window_for(application.batch, application.school.province)
    if window is None or application.route != Route.PROVINCIAL:
        raise WorkflowError("该申请直接报送项目组，不经省级推荐。", "not_provincial")
    _require_reviewer_of(actor, window)
    # Said first, whatever the status: once the set is forwarded (or the national deadline past)
    # nothing is the province's to do any more.
    require_province_open(application, now=now)
    require_move(application, action, actor, now=now)
    return window


def require_province_open(application: Application, *, now: datetime) -> None:
    """For the province's steps that are not moves (a rank change): the same conditions as its
    moves in the journey table — its set not yet forwarded, the national deadline not passed."""
    facts = Facts(application, now)
    for condition in (province_not_forwarded, before_national_deadline):
        if (error := condition(facts)) is not None:
            raise error


def _review_for(application: Application, window: ProvincialWindow) -> ProvincialReview:
    review, _ = ProvincialReview.objects.get_or_create(application=application, defaults={"window": window})
    return review


def recommended_count(window: ProvincialWindow) -> int:
    return ProvincialReview.objects.filter(window=window, rank__isnull=False).count()


def next_free_rank(window: ProvincialWindow) -> int:
    return (ProvincialReview.objects.filter(window=window).aggregate(top=Max("rank"))["top"] or 0) + 1


def province_return(*, application: Application, actor, reason: str, now: datetime | None = None) -> Application:
    """Return a submitted application to the school for changes.

    Side effects: status → returned; a timeline row with the reason, shown to the school; a mail to
    the school. Refused once the school's own deadline has passed (it could not submit again)."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("请填写退回理由，学校会看到这段说明。", "reason_required")
    with transaction.atomic():
        locked = lock_application(application)
        window = _window_of(locked, actor=actor, action="province_return", now=now)
        transition(application=locked, action="province_return", actor=actor, comment=reason, now=now)
        notify_school(locked, event="returned", comment=reason, sender=window.association)
    return locked


def province_recommend(*, application: Application, actor, opinion: str, rank: int, now: datetime | None = None) -> Application:
    """Recommend a submitted application with an opinion (推荐意见) and its rank in the province.

    Side effects: status → recommended; the provincial record keeps opinion and rank; a timeline row
    (the opinion is not shown to the school); a mail to the school. Refused when the rank is taken or
    the window's quota is full."""
    now = now or timezone.now()
    opinion = (opinion or "").strip()
    if not opinion:
        raise WorkflowError("请填写推荐意见。", "opinion_required")
    if not rank or rank < 1:
        raise WorkflowError("推荐排名应为从 1 开始的整数。", "bad_rank")
    with transaction.atomic():
        locked = lock_application(application)
        window = _window_of(locked, actor=actor, action="province_recommend", now=now)
        ProvincialWindow.objects.select_for_update().filter(pk=window.pk).first()  # serialise quota checks
        if window.quota is not None and recommended_count(window) >= window.quota:
            raise WorkflowError(f"本省推荐名额为 {window.quota} 个，已全部用完，不能再推荐；如需调整，请先撤销其他推荐。", "quota_full")
        holder = ProvincialReview.objects.filter(window=window, rank=rank).exclude(application=locked).select_related("application__school").first()
        if holder is not None:
            raise WorkflowError(f"排名第 {rank} 位已给了{holder.application.applicant_name}，请选择其他排名（下一个空位是 {next_free_rank(window)}）。", "rank_taken")
        review = _review_for(locked, window)
        review.opinion, review.rank, review.decline_reason = opinion, rank, ""
        review.decided_by, review.decided_at = actor, now
        try:
            with transaction.atomic():
                review.save()
        except IntegrityError as error:  # the same rank taken by a parallel request
            raise WorkflowError(f"排名第 {rank} 位刚被占用，请刷新后重新选择。", "rank_taken") from error
        transition(
            application=locked, action="province_recommend", actor=actor, now=now,
            comment=f"已获{window.association.name}推荐", internal_comment=f"推荐排名第 {rank} 位。推荐意见：{opinion}",
        )  # fmt: skip
        notify_school(locked, event="recommended", comment=window.association.name)
    return locked


def province_decline(*, application: Application, actor, reason: str, now: datetime | None = None) -> Application:
    """Decline to recommend. Final for the province, not for the school: it may still apply straight
    to the project group before the national deadline (八.1; applications.workflow.apply_direct).

    Side effects: status → not_recommended; the reason is kept, shown to the school and mailed (the
    mail says it may apply directly)."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("请填写不予推荐的理由，学校会看到这段说明。", "reason_required")
    with transaction.atomic():
        locked = lock_application(application)
        window = _window_of(locked, actor=actor, action="province_decline", now=now)
        review = _review_for(locked, window)
        review.opinion, review.rank, review.decline_reason = "", None, reason
        review.decided_by, review.decided_at = actor, now
        review.save()
        transition(application=locked, action="province_decline", actor=actor, comment=reason, now=now)
        notify_school(locked, event="declined", comment=reason)
    return locked


def province_change_rank(*, application: Application, actor, rank: int, now: datetime | None = None) -> Application:
    """Move a recommended application to another rank; whoever held that rank takes its old one."""
    now = now or timezone.now()
    if not rank or rank < 1:
        raise WorkflowError("推荐排名应为从 1 开始的整数。", "bad_rank")
    with transaction.atomic():
        locked = lock_application(application)
        window = window_for(locked.batch, locked.school.province)
        if window is None or locked.route != Route.PROVINCIAL:
            raise WorkflowError("该申请直接报送项目组，不经省级推荐。", "not_provincial")
        _require_reviewer_of(actor, window)
        # A rank is the province's to change while its set is still with it.
        require_province_open(locked, now=now)
        ProvincialWindow.objects.select_for_update().filter(pk=window.pk).first()
        expect_status(locked, Status.RECOMMENDED, actor=actor)
        review = ProvincialReview.objects.select_for_update().get(application=locked)
        old = review.rank
        if old == rank:
            return locked
        holder = ProvincialReview.objects.select_for_update().filter(window=window, rank=rank).first()
        review.rank = None
        review.save(update_fields=["rank"])
        if holder is not None:
            holder.rank = old
            holder.save(update_fields=["rank"])
        review.rank = rank
        review.save(update_fields=["rank"])
        TimelineEntry.objects.create(
            application=locked, actor=actor, action="province_rank", visible_to_school=False,
            internal_comment=f"推荐排名由第 {old} 位调整为第 {rank} 位",
        )  # fmt: skip
        if holder is not None:  # the other application moved too; its record says so
            TimelineEntry.objects.create(
                application_id=holder.application_id, actor=actor, action="province_rank", visible_to_school=False,
                internal_comment=f"推荐排名由第 {rank} 位调整为第 {old} 位（与{locked.applicant_name}互换）",
            )  # fmt: skip
    return locked


def province_mark_paper_received(*, application: Application, actor, received_on: date) -> ProvincialReview:
    """Register that the signed, sealed paper copy arrived (纸质版已收到) on `received_on`."""
    if received_on is None:
        raise WorkflowError("请填写纸质版收到日期。", "date_required")
    if received_on > timezone.localdate():
        raise WorkflowError("收到日期不能晚于今天。", "date_in_future")
    with transaction.atomic():
        locked = lock_application(application)
        window = window_for(locked.batch, locked.school.province)
        if window is None or locked.status == Status.DRAFT or locked.submitted_at is None:
            raise WorkflowError("该申请尚未提交至本省，不能登记纸质版。", "not_submitted")
        _require_reviewer_of(actor, window)
        review = _review_for(locked, window)
        review.paper_received_on, review.paper_marked_by = received_on, actor
        review.save(update_fields=["paper_received_on", "paper_marked_by"])
        TimelineEntry.objects.create(application=locked, actor=actor, action="paper_received", comment=f"纸质版已收到（{received_on:%Y年%m月%d日}）")
    return review


def forwarding_problems(window: ProvincialWindow, *, now: datetime | None = None) -> list[str]:
    """Why `window` cannot be forwarded now (empty when it can)."""
    now = now or timezone.now()
    problems = []
    if Forwarding.objects.filter(window=window).exists():
        problems.append("本省推荐名单已报送项目组。")
        return problems
    if deadline_passed(window.batch.national_deadline, now):
        problems.append("已过全国申报截止时间，不能再报送。")
    province_apps = Application.objects.filter(batch=window.batch, school__province=window.association.province, route=Route.PROVINCIAL)
    undecided = province_apps.filter(status=Status.SUBMITTED).count()
    if undecided:
        problems.append(f"还有 {undecided} 份已提交的申请未作推荐决定，请先推荐、不予推荐或退回。")
    if not province_apps.filter(status=Status.RECOMMENDED).exists():
        problems.append("还没有推荐任何申请。")
    return problems


def province_forward(*, window: ProvincialWindow, actor, now: datetime | None = None) -> Forwarding:
    """Forward the whole recommended set to the national project group, once.

    Side effects: the 推荐汇总表 is generated (PDF and XLSX) and kept with the Forwarding record;
    every recommended application → at_national with a timeline row; the schools and the project
    group are mailed; the province can change nothing afterwards. A second call (double click,
    another tab) raises WorkflowError and changes nothing."""
    from review.documents import recommendation_rows, summary_pdf, summary_xlsx

    now = now or timezone.now()
    with transaction.atomic():
        locked_window = ProvincialWindow.objects.select_for_update().select_related("batch", "association__province").get(pk=window.pk)
        _require_reviewer_of(actor, locked_window)
        problems = forwarding_problems(locked_window, now=now)
        if problems:
            raise WorkflowError(" ".join(problems), "not_ready")
        applications = list(
            Application.objects.select_for_update().filter(
                batch=locked_window.batch, school__province=locked_window.association.province,
                route=Route.PROVINCIAL, status=Status.RECOMMENDED,
            )
        )  # fmt: skip
        rows = recommendation_rows(locked_window)
        forwarding = Forwarding(window=locked_window, forwarded_by=actor, forwarded_at=now, application_count=len(applications))
        stamp = timezone.localtime(now).strftime("%Y%m%d%H%M")
        forwarding.summary_pdf.save(f"推荐汇总表-{stamp}.pdf", ContentFile(summary_pdf(locked_window, rows, forwarded_at=now)), save=False)
        forwarding.summary_xlsx.save(f"推荐汇总表-{stamp}.xlsx", ContentFile(summary_xlsx(locked_window, rows)), save=False)
        try:
            with transaction.atomic():
                forwarding.save()
        except IntegrityError as error:  # a parallel request forwarded first
            raise WorkflowError("本省推荐名单已报送项目组。", "forwarded") from error
        association = locked_window.association
        for application in applications:
            transition(application=application, action="province_forward", actor=actor, comment=f"{association.name}报送项目组", now=now)
            notify_school(application, event="forwarded", comment=association.name)
        queue_mail(
            to=staff_addresses(),
            template="staff_forwarded",
            context={"association": association, "batch": locked_window.batch, "forwarding": forwarding, "count": len(applications)},
        )
    return forwarding


def province_record_copy(*, window: ProvincialWindow, actor, copied_on: date, copied_to: str, note: str = "",
                         now: datetime | None = None) -> Forwarding:
    """Record when and to whom the province sent its 推荐汇总表 (八.1: 将有关推荐情况抄报省级教育行政部门),
    after forwarding, when the table exists. A later call corrects the record.

    Side effects: the forwarding record keeps the date, the department, the note, who recorded it
    and when; the project group sees it on its overview. No status changes, nobody is mailed."""
    now = now or timezone.now()
    copied_to = (copied_to or "").strip()
    _require_reviewer_of(actor, window)
    if not copied_to:
        raise WorkflowError("请填写抄报单位（省级教育行政部门）。", code="copy_department_missing")
    if copied_on is None:
        raise WorkflowError("请填写抄报日期。", code="copy_date_missing")
    if copied_on > timezone.localdate(now):
        raise WorkflowError("抄报日期不能晚于今天。", code="copy_in_future")
    with transaction.atomic():
        forwarding = Forwarding.objects.select_for_update().filter(window=window).first()
        if forwarding is None:
            raise WorkflowError("本省推荐名单报送项目组后，才有可抄报的推荐汇总表。", code="not_forwarded")
        forwarded_on = timezone.localtime(forwarding.forwarded_at).date()
        if copied_on < forwarded_on:
            raise WorkflowError(f"抄报日期不能早于报送项目组的日期（{forwarded_on:%Y年%m月%d日}）：推荐汇总表在报送时生成。", code="copy_before_forwarding")
        forwarding.copied_on, forwarding.copied_to, forwarding.copy_note = copied_on, copied_to, (note or "").strip()
        forwarding.copy_recorded_by, forwarding.copy_recorded_at = actor, now
        forwarding.save(update_fields=["copied_on", "copied_to", "copy_note", "copy_recorded_by", "copy_recorded_at"])
    return forwarding
