"""The project group's decisions (项目组意见, selected or not) and the publication of the list of
实验校 (notice 八.2, 八.3)."""
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from applications.models import OUTCOME_STATUSES, UNDECIDED_NATIONAL_STATUSES, Application, Batch, Status, TimelineEntry
from applications.notifications import notify_school
from applications.workflow import WorkflowError, deadlines_open_at, lock_application, require_move, transition


def decide(*, application: Application, actor, selected: bool, opinion: str, signer: str = "",
           opinion_date: date | None = None) -> Application:
    """Write the 项目组意见 and decide selected or not selected (changeable until publication).

    Side effects: the opinion is printed on the application PDF; one timeline row, hidden from the
    school until the list is published."""
    opinion = (opinion or "").strip()
    if not opinion:
        raise WorkflowError("请填写项目组意见。")
    with transaction.atomic():
        locked = lock_application(application)
        outcome = Status.SELECTED if selected else Status.NOT_SELECTED
        require_move(locked, "decide", actor, to_status=outcome)
        locked.group_opinion = opinion
        locked.group_opinion_signer = (signer or "").strip() or (actor.get_full_name() or actor.username)
        locked.group_opinion_date = opinion_date or timezone.localdate()
        transition(application=locked, action="decide", to_status=outcome, actor=actor,
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
    pending = Application.objects.filter(batch=batch, status__in=UNDECIDED_NATIONAL_STATUSES).count()
    if pending:
        problems.append(f"还有 {pending} 份申请未作出决定（形式审查、评审或决定尚未完成）。")
    # Returned for 补正 and still within its deadline: the school may submit again, and once the
    # list is published nobody could decide it any more.
    correcting = Application.objects.filter(batch=batch, status=Status.RETURNED, correction_deadline__gte=deadlines_open_at(now)).count()
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
        decided = Application.objects.filter(batch=locked, status__in=OUTCOME_STATUSES).select_related("school", "batch")
        selected = 0
        for application in decided:
            outcome = application.get_status_display()
            TimelineEntry.objects.create(application=application, actor=actor, action="publish", comment=f"公布结果：{outcome}")
            notify_school(application, event="outcome", comment=outcome)
            selected += application.status == Status.SELECTED
    return selected
