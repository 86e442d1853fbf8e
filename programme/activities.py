"""The project group's activities (五: 每年组织 2-3 次项目研讨交流会议; 共同培训项目实施团队; 共同开展经验
交流和成果展示等活动): staff create one and invite 实验校; each invited school answers before the
registration deadline with its attendees (回执) or a request for leave (请假), which staff accept or
refuse. Attendance and closing are programme.attendance."""
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from applications.workflow import WorkflowError, deadline_in_words, deadline_passed
from portal.validators import validate_mobile
from programme.models import Activity, Attendee, ExperimentSchool, ExperimentStatus, Invitation, SchoolNotice
from programme.notifications import tell_school

# No 0/O, 1/I/L: the code is read off a screen or paper and typed on a phone.
CHECKIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CHECKIN_CODE_LENGTH = 8  # 31⁸ ≈ 8.5 × 10¹¹ codes


def new_checkin_code() -> str:
    """A random check-in code (secrets: unguessable), unique among activities."""
    while True:
        code = "".join(secrets.choice(CHECKIN_ALPHABET) for _ in range(CHECKIN_CODE_LENGTH))
        if not Activity.objects.filter(checkin_code=code).exists():
            return code


def normalise_code(typed: str) -> str:
    """What the attendee typed, as stored: upper case, no spaces or dashes (a code may be read in
    groups of four)."""
    return "".join(ch for ch in (typed or "").upper() if ch not in " -\u3000")


def activity_problems(*, title: str, starts_at: datetime | None, ends_at: datetime | None, place: str, online_url: str,
                      registration_deadline: datetime | None, max_attendees_per_school: int | None) -> dict[str, str]:
    """What keeps an activity as typed from being saved, by field; empty when it may be."""
    problems = {}
    if not title:
        problems["title"] = "请填写活动名称。"
    if starts_at is None:
        problems["starts_at"] = "请填写开始时间。"
    if ends_at is None:
        problems["ends_at"] = "请填写结束时间。"
    elif starts_at is not None and ends_at <= starts_at:
        problems["ends_at"] = "结束时间应晚于开始时间。"
    if not place and not online_url:
        problems["place"] = "请填写活动地点，线上活动请填写线上参会地址。"
    if registration_deadline is None:
        problems["registration_deadline"] = "请填写回执截止时间。"
    elif starts_at is not None and registration_deadline > starts_at:
        problems["registration_deadline"] = "回执截止时间不能晚于活动开始时间。"
    if not max_attendees_per_school or max_attendees_per_school < 1:
        problems["max_attendees_per_school"] = "每校参会人数上限至少为 1 人。"
    return problems


def activity_create(*, actor, kind: str, title: str, starts_at: datetime, ends_at: datetime, registration_deadline: datetime,
                    place: str = "", online_url: str = "", agenda: str = "", max_attendees_per_school: int = 2,
                    counts_for_attendance: bool = True) -> Activity:
    """Staff create an activity (nobody is invited yet: activity_invite).

    Raises ValidationError by field when a rule is broken. Side effects: one Activity with a fresh
    random check-in code."""
    title, place, online_url, agenda = (value.strip() for value in (title or "", place or "", online_url or "", agenda or ""))
    problems = activity_problems(title=title, starts_at=starts_at, ends_at=ends_at, place=place, online_url=online_url,
                                 registration_deadline=registration_deadline, max_attendees_per_school=max_attendees_per_school)  # fmt: skip
    if problems:
        raise ValidationError(problems)
    activity = Activity(
        kind=kind, title=title, starts_at=starts_at, ends_at=ends_at, place=place, online_url=online_url, agenda=agenda,
        registration_deadline=registration_deadline, max_attendees_per_school=max_attendees_per_school,
        counts_for_attendance=counts_for_attendance, checkin_code=new_checkin_code(), created_by=actor,
    )  # fmt: skip
    activity.full_clean()
    activity.save()
    return activity


def invitable_schools(*, activity: Activity, batches: Iterable = (), provinces: Iterable = (), experiment_schools: Iterable = ()):
    """The 实验校 a choice names, as one queryset: every one of the chosen batches, every one in the
    chosen provinces, and those chosen by hand; only those 实验中 whose cycle has not ended by the
    day the activity starts (Beijing time)."""
    batch_ids = [getattr(b, "pk", b) for b in batches]
    province_ids = [getattr(p, "pk", p) for p in provinces]
    school_ids = [getattr(s, "pk", s) for s in experiment_schools]
    chosen = Q(pk__in=[])
    if batch_ids:
        chosen |= Q(batch_id__in=batch_ids)
    if province_ids:
        chosen |= Q(school__province_id__in=province_ids)
    if school_ids:
        chosen |= Q(pk__in=school_ids)
    return ExperimentSchool.objects.filter(chosen, status=ExperimentStatus.ACTIVE,
                                           cycle_ends_on__gte=timezone.localdate(activity.starts_at))  # fmt: skip


def _where_and_when(activity: Activity) -> str:
    start, end = timezone.localtime(activity.starts_at), timezone.localtime(activity.ends_at)
    same_day = start.date() == end.date()
    when = f"{start:%Y年%m月%d日 %H:%M}至{end:%H:%M}" if same_day else f"{start:%Y年%m月%d日 %H:%M}至{end:%Y年%m月%d日 %H:%M}"
    where = "、".join(part for part in (activity.place, f"线上：{activity.online_url}" if activity.online_url else "") if part)
    return f"时间：{when}（北京时间）；地点：{where}"


def activity_invite(*, activity: Activity, actor, batches: Iterable = (), provinces: Iterable = (),
                    experiment_schools: Iterable = (), now: datetime | None = None) -> int:
    """Invite the 实验校 a choice names (invitable_schools) to `activity`; those invited before stay
    as they are. Refused once the activity is closed or its registration deadline passed. Returns
    how many were invited now.

    Side effects: one Invitation per newly invited school; each is told (a workspace notice and a
    mail: what, when, where, how many may come, the registration deadline)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        if locked.is_closed:
            raise WorkflowError("活动已关闭，不能再邀请。", code="closed")
        if deadline_passed(locked.registration_deadline, now):
            raise WorkflowError("回执截止时间已过，不能再邀请。", code="deadline_passed")
        invited = set(locked.invitations.values_list("experiment_school_id", flat=True))
        new = list(invitable_schools(activity=locked, batches=batches, provinces=provinces, experiment_schools=experiment_schools)
                   .exclude(pk__in=invited).select_related("school"))  # fmt: skip
        invitations = Invitation.objects.bulk_create(Invitation(activity=locked, experiment_school=s, invited_at=now) for s in new)
        counting = "本次活动计入项目活动参与情况（通知七.7：连续两次不参与项目组活动视为退出）。" if locked.counts_for_attendance else ""
        body = (
            f"项目组邀请贵校参加{locked.get_kind_display()}“{locked.title}”。{_where_and_when(locked)}。"
            f"每校可报 {locked.max_attendees_per_school} 人，请于 {deadline_in_words(locked.registration_deadline)}在平台提交参会回执，"
            f"不能参加的请提交请假申请并说明事由。{counting}"
        )
        for invitation in invitations:
            tell_school(invitation.experiment_school, kind=SchoolNotice.Kind.INVITATION, title=f"活动通知：{locked.title}",
                        body=body, invitation=invitation, now=now)  # fmt: skip
    return len(invitations)


# ---- The school's answer ------------------------------------------------------------------------------


@dataclass
class AttendeeRow:
    name: str = ""
    title: str = ""
    mobile: str = ""

    def cleaned(self) -> "AttendeeRow":
        return AttendeeRow(self.name.strip(), self.title.strip(), self.mobile.strip())

    def is_blank(self) -> bool:
        return not (self.name or self.title or self.mobile)


def attendee_problems(rows: list[AttendeeRow], *, limit: int) -> dict[str, str]:
    """What is wrong with a 回执's attendees, by field (attendees, attendee-<row>-<field>)."""
    problems = {}
    if not rows:
        problems["attendees"] = "请至少填写 1 位参会人员。"
    elif len(rows) > limit:
        problems["attendees"] = f"本次活动每校最多 {limit} 人参加，目前填写了 {len(rows)} 人。"
    for index, row in enumerate(rows):
        if not row.name:
            problems[f"attendee-{index}-name"] = f"请填写第 {index + 1} 位参会人员的姓名。"
        if not row.title:
            problems[f"attendee-{index}-title"] = f"请填写第 {index + 1} 位参会人员的职务。"
        if not row.mobile:
            problems[f"attendee-{index}-mobile"] = f"请填写第 {index + 1} 位参会人员的手机。"
        else:
            try:
                validate_mobile(row.mobile)
            except ValidationError as error:
                problems[f"attendee-{index}-mobile"] = error.messages[0]
    return problems


def lock_invitation(invitation: Invitation) -> Invitation:
    return Invitation.objects.select_for_update().select_related("activity", "experiment_school__school").get(pk=invitation.pk)


def _require_open_for_answers(invitation: Invitation, now: datetime) -> None:
    if invitation.activity.is_closed:
        raise WorkflowError("活动已关闭。", code="closed")
    if not invitation.experiment_school.is_active:
        raise WorkflowError(f"贵校当前状态为“{invitation.experiment_school.get_status_display()}”，不能回复活动邀请。", code="not_active")
    if deadline_passed(invitation.activity.registration_deadline, now):
        raise WorkflowError(
            f"回执截止时间（{deadline_in_words(invitation.activity.registration_deadline)}）已过，如有变化请直接联系项目组。",
            code="deadline_passed",
        )


def invitation_register(*, invitation: Invitation, actor, attendees: list[AttendeeRow], now: datetime | None = None) -> Invitation:
    """The school's 回执: who will attend (姓名, 职务, 手机; at most the activity's number per school),
    before the registration deadline. Replaces an earlier 回执 or a leave request (a decided one too).

    Raises ValidationError by field for bad rows; WorkflowError after the deadline, once closed, or
    for a school no longer 实验中. Side effects: the attendee rows replaced; reply, time and person."""
    now = now or timezone.now()
    rows = [row.cleaned() for row in attendees]
    rows = [row for row in rows if not row.is_blank()]
    with transaction.atomic():
        locked = lock_invitation(invitation)
        _require_open_for_answers(locked, now)
        problems = attendee_problems(rows, limit=locked.activity.max_attendees_per_school)
        if problems:
            raise ValidationError(problems)
        locked.attendees.all().delete()
        Attendee.objects.bulk_create(
            Attendee(invitation=locked, position=i, name=row.name, title=row.title, mobile=row.mobile) for i, row in enumerate(rows)
        )
        locked.reply, locked.replied_at, locked.replied_by = Invitation.Reply.ATTENDING, now, actor
        locked.leave_reason, locked.leave_decision, locked.leave_decision_note = "", Invitation.LeaveDecision.PENDING, ""
        locked.leave_decided_at = locked.leave_decided_by = None
        locked.save()
    return locked


def invitation_request_leave(*, invitation: Invitation, actor, reason: str, now: datetime | None = None) -> Invitation:
    """The school asks for leave (请假) with a reason, before the registration deadline; the
    project group accepts or refuses it (leave_decide). Replaces a 回执 (its attendees are removed).

    Side effects: reply 请假, the reason, pending decision; attendee rows removed."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"leave_reason": "请填写请假事由。"})
    with transaction.atomic():
        locked = lock_invitation(invitation)
        _require_open_for_answers(locked, now)
        locked.attendees.all().delete()
        locked.reply, locked.replied_at, locked.replied_by = Invitation.Reply.LEAVE, now, actor
        locked.leave_reason, locked.leave_decision, locked.leave_decision_note = reason, Invitation.LeaveDecision.PENDING, ""
        locked.leave_decided_at = locked.leave_decided_by = None
        locked.save()
    return locked


def leave_decide(*, invitation: Invitation, actor, accept: bool, note: str = "", now: datetime | None = None) -> Invitation:
    """Staff accept or refuse a leave request (an accepted one is not an absence; a refused one is,
    unless the school attends after all). A refusal needs a note the school reads. Refused once the
    activity is closed and when there is no leave request.

    Side effects: the decision, note, time and person; the school is told (notice and mail)."""
    now = now or timezone.now()
    note = (note or "").strip()
    if not accept and not note:
        raise ValidationError({"leave_decision_note": "不同意请假时，请说明理由。"})
    with transaction.atomic():
        locked = lock_invitation(invitation)
        if locked.activity.is_closed:
            raise WorkflowError("活动已关闭，不能再审核请假。", code="closed")
        if locked.reply != Invitation.Reply.LEAVE:
            raise WorkflowError("该校没有提交请假申请（可能已改为参会回执，请刷新页面）。", code="no_leave_request")
        decision = Invitation.LeaveDecision.ACCEPTED if accept else Invitation.LeaveDecision.REFUSED
        locked.leave_decision, locked.leave_decision_note = decision, note
        locked.leave_decided_at, locked.leave_decided_by = now, actor
        locked.save()
        activity = locked.activity
        if accept:
            body = f"项目组同意贵校不参加“{activity.title}”的请假申请，本次不计缺席。{note}"
        else:
            body = (f"项目组不同意贵校不参加“{activity.title}”的请假申请：{note}"
                    f"请按时参加；未参加的记缺席一次（通知七.7：连续两次不参与项目组活动视为退出）。")  # fmt: skip
        tell_school(locked.experiment_school, kind=SchoolNotice.Kind.LEAVE_DECIDED,
                    title=f"请假{'已获同意' if accept else '未获同意'}：{activity.title}", body=body, invitation=locked, now=now)  # fmt: skip
    return locked
