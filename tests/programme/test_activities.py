"""Activities of the project group (五: 每年组织 2-3 次项目研讨交流会议; 共同培训; 经验交流和成果展示):
staff create one and invite 实验校 by batch, province or by hand; invited schools are told once and
answer before the registration deadline with their attendees (姓名, 职务, 手机) or a leave request,
which staff accept or refuse."""
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from applications.workflow import WorkflowError
from portal.models import OutgoingMail
from programme import activities
from programme.activities import CHECKIN_ALPHABET, AttendeeRow, activity_invite, invitation_register, invitation_request_leave, leave_decide
from programme.experiment_schools import experiment_school_complete, experiment_schools_create_for
from programme.models import Activity, Invitation, SchoolNotice
from tests.conftest import aware
from tests.programme.conftest import make_activity, published_batch, selected_application

SEMINAR_AT = aware(2023, 11, 16, 9, 0)


@pytest.fixture
def seminar(staff_user):
    return make_activity(staff_user, SEMINAR_AT, title="2023年项目研讨交流会议")


BEFORE = SEMINAR_AT - timedelta(days=14)


# ---- Creating ------------------------------------------------------------------------------------


def test_an_activity_needs_its_time_place_and_a_deadline_before_it_starts(staff_user):
    with pytest.raises(ValidationError) as refused:
        activities.activity_create(actor=staff_user, kind="training", title="", starts_at=SEMINAR_AT, ends_at=SEMINAR_AT,
                                   registration_deadline=SEMINAR_AT + timedelta(hours=1), max_attendees_per_school=0)  # fmt: skip
    assert refused.value.message_dict == {
        "title": ["请填写活动名称。"],
        "ends_at": ["结束时间应晚于开始时间。"],
        "place": ["请填写活动地点，线上活动请填写线上参会地址。"],
        "registration_deadline": ["回执截止时间不能晚于活动开始时间。"],
        "max_attendees_per_school": ["每校参会人数上限至少为 1 人。"],
    }
    assert not Activity.objects.exists()


def test_each_activity_has_its_own_random_checkin_code(staff_user):
    codes = {make_activity(staff_user, SEMINAR_AT + timedelta(days=i)).checkin_code for i in range(20)}
    assert len(codes) == 20
    assert all(len(code) == 8 and set(code) <= set(CHECKIN_ALPHABET) for code in codes)


# ---- Inviting ------------------------------------------------------------------------------------


def test_inviting_a_batch_tells_each_school_once_by_notice_and_mail(trio, second_batch, seminar, staff_user):
    assert activity_invite(activity=seminar, actor=staff_user, batches=[second_batch], now=BEFORE) == 3
    assert activity_invite(activity=seminar, actor=staff_user, batches=[second_batch], now=BEFORE) == 0  # nobody twice

    experiment_school, _user = trio["zj"]
    [notice] = SchoolNotice.objects.filter(experiment_school=experiment_school)
    assert notice.title == "活动通知：2023年项目研讨交流会议"
    assert "时间：2023年11月16日 09:00至12:00（北京时间）；地点：北京市朝阳区会议中心" in notice.body
    assert "每校可报 2 人，请于 2023年11月09日 09:00:59（北京时间）前在平台提交参会回执" in notice.body
    assert "连续两次不参与项目组活动视为退出" in notice.body
    mails = OutgoingMail.objects.filter(template="experiment_notice", subject=notice.title)
    assert mails.count() == 3
    [mail] = [mail for mail in mails if experiment_school.school.contact_email in mail.to]
    assert notice.body in mail.body and mail.body.startswith("浙江实验职业技术学院：")


def test_provinces_and_hand_picked_schools_are_invited_together(trio, seminar, staff_user):
    invited = activity_invite(activity=seminar, actor=staff_user, provinces=["330000"], experiment_schools=[trio["sc"][0]], now=BEFORE)
    assert invited == 2
    names = set(seminar.invitations.values_list("experiment_school__school__name", flat=True))
    assert names == {"浙江实验职业技术学院", "四川实验职业技术学院"}


def test_only_schools_still_experimenting_are_invited(trio, second_batch, seminar, staff_user):
    older = published_batch("第一批实验校", 2020, "中成协〔2020〕005号", meeting_on=SEMINAR_AT.date() - timedelta(days=3 * 366))
    selected_application(older, "浙江首批职业技术学院", "330000")
    experiment_schools_create_for(batch=older)  # its three years ended before the seminar
    experiment_school_complete(experiment_school=trio["js"][0], actor=staff_user, now=aware(2026, 7, 1, 9, 0))
    assert activity_invite(activity=seminar, actor=staff_user, provinces=["330000", "320000"], now=BEFORE) == 1
    assert list(seminar.invitations.values_list("experiment_school__school__name", flat=True)) == ["浙江实验职业技术学院"]


def test_no_invitation_after_the_registration_deadline(trio, seminar, staff_user):
    with pytest.raises(WorkflowError) as refused:
        activity_invite(activity=seminar, actor=staff_user, experiment_schools=[trio["zj"][0]], now=SEMINAR_AT - timedelta(days=6))
    assert refused.value.code == "deadline_passed"


# ---- Answering -------------------------------------------------------------------------------------


@pytest.fixture
def invitation(trio, seminar, staff_user):
    activity_invite(activity=seminar, actor=staff_user, experiment_schools=[trio["zj"][0]], now=BEFORE)
    return seminar.invitations.get()


def test_a_school_registers_its_attendees(invitation, trio):
    _school, user = trio["zj"]
    invitation_register(invitation=invitation, actor=user, now=BEFORE,
                        attendees=[AttendeeRow("王晓燕", "副院长", "13800000001"), AttendeeRow(" 何晓东 ", "办公室主任", "13700000001"), AttendeeRow()])  # fmt: skip
    invitation.refresh_from_db()
    assert (invitation.reply, invitation.replied_by) == (Invitation.Reply.ATTENDING, user)
    assert [(a.name, a.title, a.mobile) for a in invitation.attendees.all()] == [
        ("王晓燕", "副院长", "13800000001"), ("何晓东", "办公室主任", "13700000001")]


def test_attendees_are_checked_next_to_their_fields_and_limited_per_school(invitation, trio):
    _school, user = trio["zj"]
    with pytest.raises(ValidationError) as refused:
        invitation_register(invitation=invitation, actor=user, now=BEFORE,
                            attendees=[AttendeeRow("王晓燕", "", "12345"), AttendeeRow("何晓东", "主任", "13700000001"), AttendeeRow("刘芳", "教师", "13600000001")])  # fmt: skip
    problems = refused.value.message_dict
    assert problems["attendees"] == ["本次活动每校最多 2 人参加，目前填写了 3 人。"]
    assert problems["attendee-0-title"] == ["请填写第 1 位参会人员的职务。"]
    assert "attendee-0-mobile" in problems
    with pytest.raises(ValidationError) as refused:
        invitation_register(invitation=invitation, actor=user, now=BEFORE, attendees=[])
    assert refused.value.message_dict == {"attendees": ["请至少填写 1 位参会人员。"]}
    assert not invitation.attendees.exists()


def test_answers_close_at_the_end_of_the_deadlines_minute(invitation, trio):
    _school, user = trio["zj"]
    deadline = invitation.activity.registration_deadline
    invitation_request_leave(invitation=invitation, actor=user, reason="同期承办省赛。", now=deadline + timedelta(seconds=59))
    with pytest.raises(WorkflowError) as refused:
        invitation_register(invitation=invitation, actor=user, attendees=[AttendeeRow("王晓燕", "副院长", "13800000001")],
                            now=deadline + timedelta(minutes=1))  # fmt: skip
    assert refused.value.code == "deadline_passed"


def test_a_leave_request_needs_a_reason_and_replaces_the_registration(invitation, trio):
    _school, user = trio["zj"]
    invitation_register(invitation=invitation, actor=user, attendees=[AttendeeRow("王晓燕", "副院长", "13800000001")], now=BEFORE)
    with pytest.raises(ValidationError) as refused:
        invitation_request_leave(invitation=invitation, actor=user, reason="  ", now=BEFORE)
    assert refused.value.message_dict == {"leave_reason": ["请填写请假事由。"]}
    invitation_request_leave(invitation=invitation, actor=user, reason="同期承办省级技能大赛。", now=BEFORE)
    invitation.refresh_from_db()
    assert (invitation.reply, invitation.leave_reason, invitation.leave_pending) == ("leave", "同期承办省级技能大赛。", True)
    assert not invitation.attendees.exists()


def test_staff_accept_or_refuse_leave_and_the_school_is_told(invitation, trio, staff_user):
    _school, user = trio["zj"]
    invitation_request_leave(invitation=invitation, actor=user, reason="同期承办省级技能大赛。", now=BEFORE)
    with pytest.raises(ValidationError) as refused:
        leave_decide(invitation=invitation, actor=staff_user, accept=False, note="")
    assert refused.value.message_dict == {"leave_decision_note": ["不同意请假时，请说明理由。"]}
    leave_decide(invitation=invitation, actor=staff_user, accept=False, note="本次会议须各校负责人到会。")
    invitation.refresh_from_db()
    assert (invitation.leave_decision, invitation.leave_decided_by, invitation.leave_accepted) == ("refused", staff_user, False)
    notice = SchoolNotice.objects.get(kind=SchoolNotice.Kind.LEAVE_DECIDED)
    assert notice.title == "请假未获同意：2023年项目研讨交流会议"
    assert "本次会议须各校负责人到会。" in notice.body and "未参加的记缺席一次" in notice.body
    assert OutgoingMail.objects.filter(subject=notice.title).count() == 1


def test_there_is_no_leave_to_decide_on_a_registration(invitation, trio, staff_user):
    _school, user = trio["zj"]
    invitation_register(invitation=invitation, actor=user, attendees=[AttendeeRow("王晓燕", "副院长", "13800000001")], now=BEFORE)
    with pytest.raises(WorkflowError) as refused:
        leave_decide(invitation=invitation, actor=staff_user, accept=True)
    assert refused.value.code == "no_leave_request"
