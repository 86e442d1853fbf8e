"""Attendance at an activity (签到) and closing it.

At the venue staff mark schools present (or an attendee of an invited school checks in with the
activity's code, during the activity's hours); for an online activity staff tick the schools or
import the list of those who took part. Closing the activity fixes each invited school's outcome:
attended, excused (leave accepted) or absent (neither), and runs the exit rule (七.7) for the
schools that have a new absence."""
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from applications.workflow import WorkflowError
from portal.validators import name_key
from programme.activities import lock_invitation, normalise_code
from programme.models import Activity, Invitation, Outcome


def _require_open(activity: Activity) -> None:
    if activity.is_closed:
        raise WorkflowError(f"活动已于 {timezone.localtime(activity.closed_at):%Y-%m-%d %H:%M} 关闭，签到情况不能再修改。", code="closed")


def attendance_mark(*, invitation: Invitation, actor, present: bool = True, source: str = Invitation.AttendanceSource.STAFF,
                    now: datetime | None = None) -> Invitation:
    """Staff mark an invited school present (or, `present=False`, undo a mistaken mark) until the
    activity is closed. Side effects: attended, the time, who and how (at the venue, by import)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_invitation(invitation)
        _require_open(locked.activity)
        if present and not locked.attended:
            locked.attended, locked.attended_at, locked.attendance_source, locked.attendance_marked_by = True, now, source, actor
        elif not present:
            locked.attended, locked.attended_at, locked.attendance_source, locked.attendance_marked_by = False, None, "", None
            locked.attendees.update(checked_in_at=None)
        locked.save()
    return locked


def checkin_window_problem(activity: Activity, now: datetime) -> str:
    """Why an attendee cannot check in with the code now ("" when they can): only from the
    activity's start to its end."""
    if activity.is_closed:
        return "活动已关闭。"
    start, end = timezone.localtime(activity.starts_at), timezone.localtime(activity.ends_at)
    if now < activity.starts_at:
        return f"签到在活动开始后进行（{start:%Y-%m-%d %H:%M} 至 {end:%Y-%m-%d %H:%M}，北京时间）。"
    if now > activity.ends_at:
        return f"活动已于 {end:%Y-%m-%d %H:%M}（北京时间）结束，不能再用签到码签到，请联系项目组工作人员。"
    return ""


def checkin(*, invitation: Invitation, actor, code: str, attendee: int | None = None, now: datetime | None = None) -> Invitation:
    """An attendee of the invited school checks in with the activity's code (shown at the venue),
    during the activity's hours. `attendee` (an Attendee id of this invitation) also marks that
    person present. A wrong code changes nothing (code "wrong_code").

    Side effects: attended, the time, source 签到码; the attendee's check-in time."""
    import secrets

    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_invitation(invitation)
        if problem := checkin_window_problem(locked.activity, now):
            raise WorkflowError(problem, code="closed" if locked.activity.is_closed else "outside_hours")
        if not secrets.compare_digest(normalise_code(code).encode(), locked.activity.checkin_code.encode()):
            raise WorkflowError("签到码不正确，请核对现场公布的签到码。", code="wrong_code")
        if attendee is not None:
            person = locked.attendees.filter(pk=attendee).first()
            if person is None:
                raise WorkflowError("请选择贵校报名的参会人员。", code="unknown_attendee")
            if person.checked_in_at is None:
                person.checked_in_at = now
                person.save(update_fields=["checked_in_at"])
        if not locked.attended:
            locked.attended, locked.attended_at = True, now
            locked.attendance_source, locked.attendance_marked_by = Invitation.AttendanceSource.CODE, actor
            locked.save()
    return locked


@dataclass
class ImportResult:
    marked: int = 0
    already: int = 0
    unknown: list[str] = field(default_factory=list)  # names of no invited school, as typed


def attendance_import(*, activity: Activity, actor, school_names: Iterable[str], now: datetime | None = None) -> ImportResult:
    """Online activities: the list of schools that took part (their names, as in a platform's
    export) marks them present. Names are compared as the registration compares them (full-width,
    spaces, case); a name of no invited school is reported, never guessed.

    Side effects: as attendance_mark (source 线上名单导入) for each school found."""
    now = now or timezone.now()
    result = ImportResult()
    with transaction.atomic():
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        _require_open(locked)
        invitations = {name_key(i.experiment_school.school.name): i
                       for i in locked.invitations.select_related("experiment_school__school")}  # fmt: skip
        seen = set()
        for typed in school_names:
            typed = (typed or "").strip()
            if not typed:
                continue
            key = name_key(typed)
            invitation = invitations.get(key)
            if invitation is None:
                result.unknown.append(typed)
            elif key in seen or invitation.attended:
                result.already += key not in seen
            else:
                invitation.attended, invitation.attended_at = True, now
                invitation.attendance_source, invitation.attendance_marked_by = Invitation.AttendanceSource.IMPORT, actor
                invitation.save()
                result.marked += 1
            seen.add(key)
    return result


@dataclass
class CloseReport:
    attended: int = 0
    excused: int = 0
    absent: int = 0
    warned: int = 0  # first absences: the school was warned
    queued: int = 0  # second absences in a row: the school went to the staff queue


def outcome_of(invitation: Invitation) -> str:
    """Attended; else excused when leave was accepted; else absent (no answer, a 回执 but nobody
    came, a refused leave request)."""
    if invitation.attended:
        return Outcome.ATTENDED
    if invitation.leave_accepted:
        return Outcome.EXCUSED
    return Outcome.ABSENT


def activity_close(*, activity: Activity, actor, now: datetime | None = None) -> CloseReport:
    """Close an activity after it ended: every invited school that neither attended nor had leave
    accepted has one absence. Refused before the end (code "not_over"), while a leave request
    waits for a decision ("leave_pending"), and once closed ("closed": closing twice changes nothing).

    Side effects: each invitation's outcome; closed_at and closed_by; for an activity that counts
    (七.7), the exit rule for each absent school (programme.exits.exit_rule_apply: a warning after a
    first absence, the staff queue after a second in a row)."""
    from programme.exits import exit_rule_apply

    now = now or timezone.now()
    report = CloseReport()
    with transaction.atomic():
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        _require_open(locked)
        if now < locked.ends_at:
            raise WorkflowError(f"活动结束（{timezone.localtime(locked.ends_at):%Y-%m-%d %H:%M}）后才能关闭。", code="not_over")
        invitations = list(locked.invitations.select_for_update().select_related("experiment_school__school"))
        pending = [i for i in invitations if i.leave_pending]
        if pending:
            names = "、".join(i.experiment_school.school.name for i in pending)
            raise WorkflowError(f"还有 {len(pending)} 份请假申请未审核（{names}），请先同意或不同意。", code="leave_pending")
        absent = []
        for invitation in invitations:
            invitation.outcome = outcome_of(invitation)
            setattr(report, invitation.outcome, getattr(report, invitation.outcome) + 1)
            invitation.save(update_fields=["outcome"])  # one by one: each change is in the history
            if invitation.outcome == Outcome.ABSENT:
                absent.append(invitation.experiment_school)
        locked.closed_at, locked.closed_by = now, actor
        locked.save(update_fields=["closed_at", "closed_by"])
        if locked.counts_for_attendance:
            for experiment_school in absent:
                done = exit_rule_apply(experiment_school=experiment_school, now=now)
                report.warned += done == "warned"
                report.queued += done == "queued"
    return report
