"""The application's journey. Every change of status goes through `transition`, which checks the
move is allowed, writes one timeline row and returns the application.

Deadlines are enforced here, on the server, in Beijing time (Asia/Shanghai): the browser may warn
earlier, never instead.
"""
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from applications.models import EDITABLE_STATUSES, Application, ProvincialWindow, Route, Status, TimelineEntry
from applications.notifications import notify_reviewers_of_submission, notify_school
from applications.rules import check_application
from applications.selectors import window_for


class WorkflowError(Exception):
    """A step that is not allowed now. The message says why, in Chinese, for the user; the code
    says it for the program (tests assert the code, so the wording can be edited), as with
    Django's ValidationError(message, code=...)."""

    def __init__(self, message: str, code: str = "not_allowed"):
        super().__init__(message)
        self.message, self.code = message, code


def lock_application(application: Application) -> Application:
    """The application's row, locked until the end of the caller's transaction, read afresh with
    what the steps need (batch, school and province)."""
    return Application.objects.select_for_update().select_related("batch", "school__province").get(pk=application.pk)


def expect_status(application: Application, *statuses: str) -> None:
    """Refuse a step when the (freshly locked) application is no longer in one of `statuses`:
    someone else acted first, or the page was stale."""
    if application.status not in statuses:
        raise WorkflowError(
            f"该申请当前状态为“{application.get_status_display()}”，不能办理此操作（可能已被其他人处理，请刷新页面）。",
            code="wrong_status",
        )


@dataclass(frozen=True)
class Deadline:
    at: datetime
    owner: str  # whose deadline: the provincial association's or the national project group's
    route: str

    @property
    def local(self) -> datetime:
        return timezone.localtime(self.at)


def deadline_for(application: Application) -> Deadline:
    """The submission deadline that applies to this school: the correction deadline when the
    project group returned it for 补正, else its provincial window's when it applies through the
    province, else the batch's national deadline."""
    if application.correction_deadline is not None:
        return Deadline(application.correction_deadline, "中国成人教育协会项目组（补正）", Route.DIRECT)
    if application.route == Route.PROVINCIAL:
        window = window_for(application.batch, application.school.province)
        if window is not None:
            return Deadline(window.school_deadline, window.association.name, Route.PROVINCIAL)
    return Deadline(application.batch.national_deadline, "中国成人教育协会项目组", Route.DIRECT)


# Outcomes stay hidden from the school until the batch's list is published.
UNPUBLISHED_OUTCOMES = (Status.SELECTED, Status.NOT_SELECTED)


def outcome_published(application: Application) -> bool:
    """Whether the school may know the project group's decision (and read its 项目组意见)."""
    return application.batch.published_at is not None


def status_for_school(application: Application) -> str:
    """The status as the school may see it: before publication an outcome reads as 专家评审中."""
    if application.status in UNPUBLISHED_OUTCOMES and not outcome_published(application):
        return Status.IN_EXPERT_REVIEW
    if application.status == Status.SCORED:
        return Status.IN_EXPERT_REVIEW
    return application.status


def status_label_for_school(application: Application) -> str:
    return Status(status_for_school(application)).label


def current_scan(application: Application):
    """The latest uploaded scan, or None."""
    scans = list(application.scans.all())
    return scans[0] if scans else None


def scan_is_current(application: Application, scan=None) -> bool:
    scan = scan if scan is not None else current_scan(application)
    return scan is not None and scan.version_code == application.version_code


def transition(*, application: Application, to_status: str, action: str, actor, comment: str = "",
               internal_comment: str = "", visible_to_school: bool = True) -> Application:
    """Move `application` to `to_status` and write one timeline row (who, when, from, to, comment).

    `comment` is what the school reads on its timeline; `internal_comment` only reviewers see.

    Callers check that the move is allowed for this user and time; this function only records it.
    Must run inside the caller's transaction with the application row locked.
    """
    from_status = application.status
    application.status = to_status
    application.save()
    TimelineEntry.objects.create(
        application=application,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=to_status,
        comment=comment,
        internal_comment=internal_comment,
        visible_to_school=visible_to_school,
    )
    return application


def submit_problems(application: Application, *, now: datetime | None = None) -> list[str]:
    """Why `application` cannot be submitted now (an empty list when it can)."""
    now = now or timezone.now()
    problems = []
    if application.status not in EDITABLE_STATUSES:
        problems.append(f"申请表当前状态为“{status_label_for_school(application)}”，不能提交。")
        return problems
    if not application.batch.is_open and application.correction_deadline is None:
        problems.append(f"{application.batch.short_name}已停止申报。")
    if not check_application(application).complete:
        problems.append("申请表还有未完成或有错误的部分，请按提示补充修改。")
    scan = current_scan(application)
    if scan is None:
        problems.append("请先上传签字盖章后的申请表扫描件。")
    elif not scan_is_current(application, scan):
        problems.append(
            f"扫描件对应的版本（{scan.version_code}）与当前内容（{application.version_code}）不一致："
            "上传后内容又有修改，请重新打印、签章并上传。"
        )
    deadline = deadline_for(application)
    if deadline.route == Route.PROVINCIAL and ProvincialWindow.objects.filter(
        batch_id=application.batch_id, association__province_id=application.school.province_id, forwarding__isnull=False
    ).exists():
        # The province has sent its set on and can act no more; a submission would be stranded.
        problems.append(f"{deadline.owner}已将本省推荐名单报送项目组，不再受理提交。")
    if now > deadline.at:
        problems.append(
            f"已超过提交截止时间（{deadline.owner}：{deadline.local:%Y年%m月%d日 %H:%M} 北京时间），不能再提交。"
        )
    return problems


def submit(*, application: Application, actor, now: datetime | None = None) -> Application:
    """The school submits: to its provincial association (route provincial) or straight to the
    national project group (route direct).

    Side effects: status changes, `submitted_at` is set, one timeline row is written, the school
    and its reviewers (the provincial association, or the project group) are mailed.
    Raises WorkflowError listing every reason when it is not allowed.
    """
    with transaction.atomic():
        locked = Application.objects.select_for_update().select_related("batch", "school__province").get(
            pk=application.pk
        )
        problems = submit_problems(locked, now=now)
        if problems:
            raise WorkflowError(" ".join(problems))
        # A 补正 (correction asked by the project group) goes straight back to the national group.
        to_national = locked.route == Route.DIRECT or locked.correction_deadline is not None
        to_status = Status.AT_NATIONAL if to_national else Status.SUBMITTED
        locked.submitted_at = now or timezone.now()
        deadline = deadline_for(locked)
        transition(
            application=locked,
            to_status=to_status,
            action="submit",
            actor=actor,
            comment=f"提交至{deadline.owner}",
        )
        notify_school(locked, event="submitted", comment=f"提交至{deadline.owner}")
        notify_reviewers_of_submission(locked, window=None if to_national else window_for(locked.batch, locked.school.province))
    return locked
