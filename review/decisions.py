"""The project group's decisions (项目组意见, selected or not) and the publication of the list of
实验校 (notice 八.2, 八.3)."""
from datetime import date, datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from applications.models import OUTCOME_STATUSES, UNDECIDED_NATIONAL_STATUSES, Application, Batch, Status, TimelineEntry
from applications.notifications import notify_school
from applications.workflow import WorkflowError, deadlines_open_at, lock_application, require_move, transition


# Sent by publish inside its transaction, once the list is published: the app above (programme) makes
# the selected schools 实验校 of the batch. kwargs: batch (the published Batch, locked), actor.
list_published = Signal()


def decide(*, application: Application, actor, selected: bool, opinion: str, signer: str = "",
           opinion_date: date | None = None) -> Application:
    """Write the 项目组意见 and decide selected or not selected (changeable until publication).

    Side effects: the opinion is printed on the application PDF; one timeline row, hidden from the
    school until the list is published."""
    opinion = (opinion or "").strip()
    if not opinion:
        raise WorkflowError("请填写项目组意见。", "opinion_required")
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


def _decision_problems(batch: Batch, *, now: datetime) -> list[str]:
    """What keeps the selection from being final: undecided applications, 补正 still open, nobody selected."""
    problems = []
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


def selected_ids(batch: Batch) -> list[int]:
    return sorted(Application.objects.filter(batch=batch, status=Status.SELECTED).values_list("pk", flat=True))


def current_filing(batch: Batch):
    """The batch's filing with the association if it still holds (nobody's selection changed since), else None."""
    from review.models import ListFiling

    filing = ListFiling.objects.filter(batch=batch).select_related("filed_by").first()
    return filing if filing is not None and sorted(filing.selected_ids) == selected_ids(batch) else None


def filing_problem(batch: Batch) -> str:
    """Why the list is not filed with the association as it stands ("" when it is)."""
    from review.models import ListFiling

    if current_filing(batch) is not None:
        return ""
    if ListFiling.objects.filter(batch=batch).exists():
        return "备案后入选名单有变更，原备案已作废：实验校名单须重新报中国成人教育协会备案。"
    return "实验校名单须先报中国成人教育协会备案。"


def publication_problems(batch: Batch, *, now: datetime | None = None) -> list[str]:
    """Why the batch's list cannot be published now (empty when it can): in the order of 八.2 and
    八.3, the decisions first, then the filing with the association."""
    now = now or timezone.now()
    if batch.published_at is not None:
        return [f"名单已于 {timezone.localtime(batch.published_at):%Y-%m-%d %H:%M} 公布。"]
    problems = _decision_problems(batch, now=now)
    if not problems and (problem := filing_problem(batch)):
        problems.append(problem)
    return problems


def file_list(*, batch: Batch, actor, note: str = "", now: datetime | None = None):
    """Record that the 实验校名单 was filed with the China Adult Education Association (八.2), before
    it is published.

    Side effects: the list for 备案 (review.documents.selected_list_pdf) is generated now and kept
    with the ListFiling row, with the ids of the applications selected at this moment; a filing
    voided by a later change of decision is replaced. Refused once the list is published, while
    decisions are outstanding, and when the list as it stands is filed already."""
    from review.documents import selected_list_pdf
    from review.models import ListFiling

    now = now or timezone.now()
    with transaction.atomic():
        locked = Batch.objects.select_for_update().get(pk=batch.pk)
        if locked.published_at is not None:
            raise WorkflowError(f"名单已于 {timezone.localtime(locked.published_at):%Y-%m-%d %H:%M} 公布，不能再备案。", code="published")
        problems = _decision_problems(locked, now=now)
        if problems:
            raise WorkflowError("名单尚未确定，不能备案：" + " ".join(problems), code="undecided")
        existing = current_filing(locked)
        if existing is not None:
            raise WorkflowError(f"名单已于 {timezone.localtime(existing.filed_at):%Y年%m月%d日 %H:%M} 备案，入选名单没有变化。", code="filed")
        filing = ListFiling.objects.filter(batch=locked).first() or ListFiling(batch=locked)
        if filing.file:
            filing.file.delete(save=False)  # the voided filing's PDF: no longer what was filed
        filing.filed_at, filing.filed_by, filing.note = now, actor, (note or "").strip()
        filing.selected_ids = selected_ids(locked)
        stamp = timezone.localtime(now).strftime("%Y%m%d%H%M")
        filing.file.save(f"{locked.short_name}名单-备案-{stamp}.pdf", ContentFile(selected_list_pdf(locked, for_filing=True)), save=False)
        filing.save()
    return filing


def publish(*, batch: Batch, actor, meeting: str, meeting_on: date, cycle_starts_on: date | None = None,
            now: datetime | None = None) -> int:
    """Publish the batch's list, as announced at the 项目工作会议 `meeting` held on `meeting_on`
    (八.3): schools see their outcome, the public the list of 实验校.

    Side effects: published_at, the meeting and the start of the 实验周期 (`cycle_starts_on`, by
    default the meeting's date) are stored on the batch; one timeline row per decided application,
    shown to the school; every decided school is mailed; `list_published` is sent (the programme
    app makes each selected school a 实验校 of the batch). Refused until the list is filed with the
    association (file_list). Returns the number of selected schools."""
    now = now or timezone.now()
    meeting = (meeting or "").strip()
    if not meeting:
        raise WorkflowError("请填写公布名单的项目工作会议名称。", code="meeting_missing")
    if meeting_on is None:
        raise WorkflowError("请填写项目工作会议日期。", code="meeting_date_missing")
    if meeting_on > timezone.localdate(now):
        raise WorkflowError("项目工作会议日期不能晚于今天：名单在会议上公布后再在平台公布。", code="meeting_in_future")
    cycle_starts_on = cycle_starts_on or meeting_on
    if cycle_starts_on < meeting_on:
        raise WorkflowError("实验周期起始日不能早于公布名单的项目工作会议日期。", code="cycle_before_meeting")
    with transaction.atomic():
        locked = Batch.objects.select_for_update().get(pk=batch.pk)
        problems = publication_problems(locked, now=now)
        if problems:
            raise WorkflowError(" ".join(problems), code="not_ready")
        filed_on = timezone.localtime(current_filing(locked).filed_at).date()
        if meeting_on < filed_on:
            raise WorkflowError(f"项目工作会议日期不能早于名单备案日期（{filed_on:%Y年%m月%d日}）：名单先备案，再在会议上公布。", code="meeting_before_filing")
        locked.published_at = now
        locked.publication_meeting, locked.publication_meeting_on, locked.cycle_starts_on = meeting, meeting_on, cycle_starts_on
        locked.save(update_fields=["published_at", "publication_meeting", "publication_meeting_on", "cycle_starts_on"])
        decided = Application.objects.filter(batch=locked, status__in=OUTCOME_STATUSES).select_related("school", "batch")
        selected = 0
        for application in decided:
            outcome = application.get_status_display()
            TimelineEntry.objects.create(application=application, actor=actor, action="publish",
                                         comment=f"公布结果：{outcome}（{meeting}，{meeting_on:%Y年%m月%d日}）")  # fmt: skip
            notify_school(application, event="outcome", comment=outcome)
            selected += application.status == Status.SELECTED
        list_published.send(sender=Batch, batch=locked, actor=actor)
    return selected
