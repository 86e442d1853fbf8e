"""签到 and closing an activity: staff mark schools present; an attendee checks in with the activity's
code during its hours only (from its start to its end, Beijing time); online activities import the
list; closing gives each invited school its outcome — attended, excused (leave accepted) or absent —
once: closing again changes nothing."""
from datetime import timedelta

import pytest

from applications.workflow import WorkflowError
from programme import attendance
from programme.activities import AttendeeRow, invitation_register, invitation_request_leave, leave_decide
from programme.models import Invitation, Outcome
from tests.conftest import aware
from tests.programme.conftest import invite, make_activity

STARTS = aware(2024, 4, 18, 9, 0)  # 09:00 to 12:00 Beijing time


@pytest.fixture
def seminar(trio, staff_user):
    activity = make_activity(staff_user, STARTS, title="2024年春季项目研讨交流会议")
    invite(activity, staff_user, [school for school, _user in trio.values()])
    return activity


def invitation_of(activity, trio, key) -> Invitation:
    return activity.invitations.get(experiment_school=trio[key][0])


def test_an_attendee_checks_in_with_the_code_during_the_activity(seminar, trio):
    invitation = invitation_of(seminar, trio, "zj")
    user = trio["zj"][1]
    invitation_register(invitation=invitation, actor=user, attendees=[AttendeeRow("王晓燕", "副院长", "13800000001")], now=STARTS - timedelta(days=8))
    person = invitation.attendees.get()
    typed = f" {seminar.checkin_code[:4].lower()}-{seminar.checkin_code[4:]} "  # as read off the screen, in two groups
    attendance.checkin(invitation=invitation, actor=user, code=typed, attendee=person.pk, now=STARTS + timedelta(minutes=5))
    invitation.refresh_from_db()
    person.refresh_from_db()
    assert (invitation.attended, invitation.attendance_source, invitation.attendance_marked_by) == (True, "code", user)
    assert person.checked_in_at == STARTS + timedelta(minutes=5)


@pytest.mark.parametrize("now, accepted", [
    (aware(2024, 4, 18, 8, 59, 59), False),  # a second before the start
    (aware(2024, 4, 18, 9, 0), True),
    (aware(2024, 4, 18, 12, 0), True),  # its end
    (aware(2024, 4, 18, 12, 0, 1), False),
])  # fmt: skip
def test_the_code_works_from_the_start_to_the_end_only(seminar, trio, now, accepted):
    invitation = invitation_of(seminar, trio, "js")
    if accepted:
        attendance.checkin(invitation=invitation, actor=trio["js"][1], code=seminar.checkin_code, now=now)
        assert Invitation.objects.get(pk=invitation.pk).attended
    else:
        with pytest.raises(WorkflowError) as refused:
            attendance.checkin(invitation=invitation, actor=trio["js"][1], code=seminar.checkin_code, now=now)
        assert refused.value.code == "outside_hours"
        assert not Invitation.objects.get(pk=invitation.pk).attended


def test_the_window_is_told_in_beijing_time(seminar):
    assert attendance.checkin_window_problem(seminar, aware(2024, 4, 18, 8, 0)) == "签到在活动开始后进行（2024-04-18 09:00 至 2024-04-18 12:00，北京时间）。"


def test_a_wrong_code_checks_nobody_in(seminar, trio, staff_user):
    other = make_activity(staff_user, STARTS, title="同时段的另一活动")
    invitation = invitation_of(seminar, trio, "sc")
    for wrong in ("", "AAAAAAAA", other.checkin_code, seminar.checkin_code[:-1]):
        with pytest.raises(WorkflowError) as refused:
            attendance.checkin(invitation=invitation, actor=trio["sc"][1], code=wrong, now=STARTS + timedelta(hours=1))
        assert refused.value.code == "wrong_code"
    assert not Invitation.objects.get(pk=invitation.pk).attended


def test_online_attendance_is_imported_by_school_name(trio, staff_user):
    online = make_activity(staff_user, STARTS, place="", online_url="https://meeting.example.cn/j/123", title="线上经验交流会")
    invite(online, staff_user, [school for school, _user in trio.values()])
    result = attendance.attendance_import(activity=online, actor=staff_user, now=STARTS + timedelta(hours=4),
                                          school_names=["浙江实验职业技术学院", "江苏实验职业技术学院 ", "浙江实验职业技术学院", "某某学院"])  # fmt: skip
    assert (result.marked, result.already, result.unknown) == (2, 0, ["某某学院"])
    attended = set(online.invitations.filter(attended=True).values_list("experiment_school__school__name", "attendance_source"))
    assert attended == {("浙江实验职业技术学院", "import"), ("江苏实验职业技术学院", "import")}


def test_closing_gives_each_school_its_outcome(seminar, trio, staff_user):
    zj, js, sc = (invitation_of(seminar, trio, key) for key in ("zj", "js", "sc"))
    attendance.attendance_mark(invitation=zj, actor=staff_user, now=STARTS)
    invitation_request_leave(invitation=js, actor=trio["js"][1], reason="同期承办省赛。", now=STARTS - timedelta(days=9))
    leave_decide(invitation=js, actor=staff_user, accept=True, now=STARTS - timedelta(days=8))

    report = attendance.activity_close(activity=seminar, actor=staff_user, now=STARTS + timedelta(hours=5))

    assert (report.attended, report.excused, report.absent) == (1, 1, 1)
    outcomes = dict(seminar.invitations.values_list("experiment_school__school__name", "outcome"))
    assert outcomes == {"浙江实验职业技术学院": Outcome.ATTENDED, "江苏实验职业技术学院": Outcome.EXCUSED, "四川实验职业技术学院": Outcome.ABSENT}
    seminar.refresh_from_db()
    assert (seminar.closed_at, seminar.closed_by) == (STARTS + timedelta(hours=5), staff_user)


def test_closing_waits_for_the_end_and_for_every_leave_decision(seminar, trio, staff_user):
    with pytest.raises(WorkflowError) as refused:
        attendance.activity_close(activity=seminar, actor=staff_user, now=STARTS + timedelta(hours=2))
    assert refused.value.code == "not_over"
    invitation_request_leave(invitation=invitation_of(seminar, trio, "sc"), actor=trio["sc"][1], reason="疫情防控。", now=STARTS - timedelta(days=9))
    with pytest.raises(WorkflowError, match="还有 1 份请假申请未审核（四川实验职业技术学院）") as refused:
        attendance.activity_close(activity=seminar, actor=staff_user, now=STARTS + timedelta(days=1))
    assert refused.value.code == "leave_pending"
    assert not seminar.invitations.exclude(outcome="").exists()


def test_closing_twice_changes_nothing_and_attendance_is_then_fixed(seminar, trio, staff_user):
    attendance.activity_close(activity=seminar, actor=staff_user, now=STARTS + timedelta(days=1))
    before = list(seminar.invitations.values_list("pk", "outcome", "attended"))
    with pytest.raises(WorkflowError) as refused:
        attendance.activity_close(activity=seminar, actor=staff_user, now=STARTS + timedelta(days=2))
    assert refused.value.code == "closed"
    with pytest.raises(WorkflowError) as refused:
        attendance.attendance_mark(invitation=invitation_of(seminar, trio, "zj"), actor=staff_user)
    assert refused.value.code == "closed"
    assert list(seminar.invitations.values_list("pk", "outcome", "attended")) == before


def test_a_refused_leave_without_attending_is_an_absence(seminar, trio, staff_user):
    sc = invitation_of(seminar, trio, "sc")
    invitation_request_leave(invitation=sc, actor=trio["sc"][1], reason="临时有事。", now=STARTS - timedelta(days=9))
    leave_decide(invitation=sc, actor=staff_user, accept=False, note="须到会。", now=STARTS - timedelta(days=8))
    attendance.activity_close(activity=seminar, actor=staff_user, now=STARTS + timedelta(days=1))
    assert Invitation.objects.get(pk=sc.pk).outcome == Outcome.ABSENT
