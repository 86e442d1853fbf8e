"""The 实验校's workspace, its home once selected (dashboard/): the cycle (第N年 of 3, days left,
dates), projects and team, upcoming activities with its answer and the registration deadline, its
absences in a row with the warning of 七.7, the project group's notices and its status; the
application record stays one link away; every other user lands where they did before."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, Status
from applications.selectors import add_years
from portal.models import School
from programme import activities, attendance, exits
from programme.experiment_schools import experiment_school_complete
from programme.models import ExperimentSchool, Invitation, SchoolNotice, cycle_end
from tests.programme.conftest import held, invite, make_activity
from tests.programme.school_helpers import CYCLE_DAYS_AGO, second_batch, signed_in, upcoming  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    return response.content.decode()


def test_the_workspace_shows_the_cycle_projects_and_team(trio):
    zj, user = trio["zj"]
    response = signed_in(user).get(reverse("dashboard"))
    text = page_text(response)
    today = timezone.localdate()
    start = today - timedelta(days=CYCLE_DAYS_AGO)
    days_left = (add_years(start, 3) - today).days
    assert response.status_code == 200
    assert "浙江实验职业技术学院 · 实验校工作台" in text
    assert "第 2 年" in text and "/ 共 3 年" in text
    assert f"还剩 <strong>{days_left}</strong> 天" in text
    assert f"{start:%Y}年{start.month}月{start.day}日 至 {cycle_end(start):%Y}年{cycle_end(start).month}月{cycle_end(start).day}日" in text
    assert ">实验中</span>" in text
    for project in zj.projects.all():
        assert f"<li>{project}</li>" in text
    assert f'负责人：{zj.lead_name}（{zj.lead_title}，<a href="tel:{zj.lead_mobile}">{zj.lead_mobile}</a>）' in text  # tap-to-call
    assert f"项目小组成员 {zj.team.count()} 人" in text
    assert "连续缺席项目组活动：<strong>0</strong> 次" in text
    assert "再缺席一次将视为退出" not in text


def test_upcoming_activities_show_the_schools_answer_and_deadline(trio, staff_user):
    zj, user = trio["zj"]
    registered = upcoming(staff_user, [zj], days=20, title="研讨交流会议（已报名）")
    pending = upcoming(staff_user, [zj], days=21, title="队伍培训（请假待审）")
    accepted = upcoming(staff_user, [zj], days=22, title="经验交流（请假已同意）")
    refused = upcoming(staff_user, [zj], days=23, title="成果展示（请假未同意）")
    silent = upcoming(staff_user, [zj], days=24, title="项目工作会议（未回复）")
    activities.invitation_register(invitation=registered.invitations.get(), actor=user,
                                   attendees=[activities.AttendeeRow("李红", "教务处处长", "13811112222")])  # fmt: skip
    for activity in (pending, accepted, refused):
        activities.invitation_request_leave(invitation=activity.invitations.get(), actor=user, reason="同期承办省级技能大赛。")
    activities.leave_decide(invitation=accepted.invitations.get(), actor=staff_user, accept=True)
    activities.leave_decide(invitation=refused.invitations.get(), actor=staff_user, accept=False, note="本次会议须各校负责人到会。")

    text = page_text(signed_in(user).get(reverse("dashboard")))
    rows = text.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert [row.split('class="fw-normal">')[1].split("<div")[0] for row in rows] == [
        "研讨交流会议（已报名）", "队伍培训（请假待审）", "经验交流（请假已同意）", "成果展示（请假未同意）", "项目工作会议（未回复）",
    ]  # fmt: skip
    assert "已报名</span>\n  李红（教务处处长）" in rows[0]
    assert "已请假，待审核" in rows[1]
    assert "请假已同意" in rows[2]
    assert "请假未同意</span> 本次会议须各校负责人到会。" in rows[3]
    assert "未回复" in rows[4] and "回执/请假" in rows[4]
    deadline = timezone.localtime(silent.registration_deadline)
    assert f"{deadline:%Y年%m月%d日 %H:%M}" in rows[4]
    # The notices of the project group: the invitations and the leave decisions.
    notices = text.split('id="heading-notices"')[1]
    assert "请假未获同意：成果展示（请假未同意）" in notices and "请假已获同意：经验交流（请假已同意）" in notices
    assert notices.count("活动通知：") == 5


def test_after_a_first_absence_the_school_is_warned(trio, staff_user):
    js, user = trio["js"]
    held(staff_user, timezone.now() - timedelta(days=30), [js])  # invited, neither came nor asked for leave

    text = page_text(signed_in(user).get(reverse("dashboard")))
    assert "贵校已连续缺席 1 次项目组活动，再缺席一次将视为退出。" in text
    assert "连续缺席项目组活动：<strong>1</strong> 次" in text
    assert "缺席提醒：再缺席一次将视为退出" in text  # the notice, as mailed


def test_after_a_second_absence_in_a_row_the_school_reads_that_the_project_group_is_deciding(trio, staff_user):
    """七.7: 连续两次不参与项目组活动视为退出 — the pair waits in the staff queue; the school's home
    says so with both activities, not a count of 0 (the count starts again after the pair)."""
    js, user = trio["js"]
    held(staff_user, timezone.now() - timedelta(days=60), [js])
    held(staff_user, timezone.now() - timedelta(days=30), [js])
    text = page_text(signed_in(user).get(reverse("dashboard")))
    first, second = (f"项目研讨交流会议 {(timezone.now() - timedelta(days=d)):%Y-%m-%d}" for d in (60, 30))
    assert f"贵校已连续两次未参与项目组活动（{first}、{second}），正由项目组审核。" in text
    assert "连续缺席项目组活动：<strong>2</strong> 次（项目组审核中）" in text
    assert "再缺席一次将视为退出。</strong>" not in text

    exits.exit_review_waive(review=js.exit_reviews.get(), actor=staff_user, reason="该校负责人调整，已补报材料。")
    text = page_text(signed_in(user).get(reverse("dashboard")))
    assert "正由项目组审核" not in text and "连续缺席项目组活动：<strong>0</strong> 次" in text


def test_attending_resets_the_count_and_the_warning_goes(trio, staff_user):
    js, user = trio["js"]
    held(staff_user, timezone.now() - timedelta(days=60), [js])
    held(staff_user, timezone.now() - timedelta(days=30), [js], attended=[js])
    text = page_text(signed_in(user).get(reverse("dashboard")))
    assert "连续缺席项目组活动：<strong>0</strong> 次" in text
    assert "再缺席一次将视为退出。</strong>" not in text


@pytest.mark.parametrize("end", ["deemed_withdrawn", "withdrawn", "completed"])
def test_a_school_no_longer_experimenting_reads_its_workspace(trio, staff_user, end):
    sc, user = trio["sc"]
    if end == "deemed_withdrawn":
        held(staff_user, timezone.now() - timedelta(days=60), [sc])
        held(staff_user, timezone.now() - timedelta(days=30), [sc])
        exits.exit_review_confirm(review=sc.exit_reviews.get(), actor=staff_user)
        expected = "视为退出（连续两次未参与项目组活动）"
    elif end == "withdrawn":
        request = exits.withdrawal_request(experiment_school=sc, actor=user, reason="学校专业调整，无力继续实施。")
        exits.withdrawal_acknowledge(request=request, actor=staff_user)
        expected = "已退出（自愿）"
    else:
        ExperimentSchool.objects.filter(pk=sc.pk).update(cycle_starts_on=sc.cycle_starts_on - timedelta(days=3 * 366),
                                                         cycle_ends_on=sc.cycle_ends_on - timedelta(days=3 * 366))  # fmt: skip
        experiment_school_complete(experiment_school=ExperimentSchool.objects.get(pk=sc.pk), actor=staff_user)
        expected = "已结项"

    text = page_text(signed_in(user).get(reverse("dashboard")))
    assert f">{expected}</span>" in text
    assert "修改项目小组与实施项目" not in text and "申请退出项目实施</a>" not in text
    assert "查看项目小组与变更记录" in text
    # Its cycle and its count of absences stopped with its status: no days left, no "0 次" in a row
    # (read beside 视为退出 for two absences in a row, that contradicted the banner).
    assert "还剩" not in text and "连续缺席项目组活动" not in text
    if end != "completed":
        assert f"{expected}，实验周期不再计算。" in text


def test_the_application_record_stays_reachable_and_a_new_batch_can_be_applied_for(trio, batch):
    """batch: an open batch (tests/conftest.py): the 实验校 may apply again, told of its cycle."""
    _zj, user = trio["zj"]
    client = signed_in(user)
    workspace = page_text(client.get(reverse("dashboard")))
    assert f'href="{reverse("applications_record")}">申报记录</a>' in workspace
    record = page_text(client.get(reverse("applications_record")))
    assert "浙江实验职业技术学院 · 我的申请" in record
    assert f'action="{reverse("applications:start", args=[batch.pk])}"' in record
    assert "入选后实验周期三年（通知五）" in record


def test_a_school_that_never_was_a_experiment_school_sees_its_applications(user_a, staff_user):
    response = signed_in(user_a).get(reverse("dashboard"))
    assert response.status_code == 200
    assert "我的申请" in page_text(response) and "实验校工作台" not in page_text(response)
    assert signed_in(staff_user).get(reverse("dashboard"))["Location"] == reverse("review:national_home")


def test_the_workspace_shows_the_annual_reports_between_the_activities_and_the_notices(trio):
    """The school's home lists its 年度工作报告 of every cycle year begun (the panel's own content is
    tests/programme/test_report_views.py's): here, on the day of the trio's clock, year 1 at least,
    with its due date and a way to start it."""
    _zj, user = trio["zj"]
    text = page_text(signed_in(user).get(reverse("dashboard")))
    assert text.index('id="heading-activities"') < text.index('id="heading-reports"') < text.index('id="heading-notices"')
    assert "第1年度工作报告" in text and "截止" in text


# ---- Constant queries ----------------------------------------------------------------------------------


def more_experiment_schools(batch, count, start=0):
    """`count` more 实验校 of `batch`, made in bulk (the workspace must not read them)."""
    from portal.models import Province, SchoolType

    province = Province.objects.get(code="330000")
    schools = School.objects.bulk_create(
        School(name=f"规模测试职业学院{i:04d}", province=province, school_type=SchoolType.HIGHER_VOCATIONAL, address="地址 1 号",
               postcode="310012", contact_email=f"scale{i}@example.cn", contact_mobile="13900000000")  # fmt: skip
        for i in range(start, start + count)
    )
    applications = Application.objects.bulk_create(
        Application(batch=batch, school=school, status=Status.SELECTED, number=f"S-{i:05d}")
        for i, school in enumerate(schools, start=start)
    )
    cycle_start = batch.cycle_starts_on
    ExperimentSchool.objects.bulk_create(
        ExperimentSchool(school=a.school, batch=batch, application=a, cycle_starts_on=cycle_start, cycle_ends_on=cycle_end(cycle_start),
                         lead_name="张三", lead_title="副校长", lead_mobile="13900000001")  # fmt: skip
        for a in applications
    )


def answered_invitations(staff, experiment_school, user, count, first_day):
    """`count` upcoming activities the school is invited to, answered in turn: attendees, leave."""
    for day in range(first_day, first_day + count):
        activity = upcoming(staff, [experiment_school], days=day)
        invitation = activity.invitations.get()
        if day % 2:
            activities.invitation_register(invitation=invitation, actor=user, attendees=[
                activities.AttendeeRow("李红", "教务处处长", "13811112222"), activities.AttendeeRow("王强", "教师", "13811113333")])  # fmt: skip
        else:
            activities.invitation_request_leave(invitation=invitation, actor=user, reason="同期承办省级技能大赛。")


def workspace_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("dashboard")).status_code == 200
    return len(captured.captured_queries)


def test_the_workspace_takes_the_same_queries_at_10_and_500_experiment_schools(trio, second_batch, staff_user):
    zj, user = trio["zj"]
    client = signed_in(user)
    held(staff_user, timezone.now() - timedelta(days=30), [zj])  # one absence: the warning and its notice
    more_experiment_schools(second_batch, 7)
    answered_invitations(staff_user, zj, user, 10, first_day=20)
    assert (ExperimentSchool.objects.count(), Invitation.objects.filter(experiment_school=zj).count()) == (10, 11)
    few = workspace_queries(client)

    more_experiment_schools(second_batch, 490, start=7)
    answered_invitations(staff_user, zj, user, 30, first_day=30)
    assert (ExperimentSchool.objects.count(), Invitation.objects.filter(experiment_school=zj).count()) == (500, 41)
    assert SchoolNotice.objects.filter(experiment_school=zj).count() >= 41
    assert workspace_queries(client) == few


def test_during_an_activity_the_workspace_leads_to_the_check_in_page(trio, staff_user):
    zj, user = trio["zj"]
    start = (timezone.now() - timedelta(minutes=10)).replace(second=0, microsecond=0)
    under_way = make_activity(staff_user, start, title="正在进行的队伍培训")
    invite(under_way, staff_user, [zj])
    upcoming(staff_user, [zj], title="下月的研讨交流会议")
    client = signed_in(user)
    link = f'href="{reverse("programme:checkin")}" aria-label="签到：'
    assert client.get(reverse("dashboard")).content.decode().count(link) == 1
    assert f"{link}正在进行的队伍培训" in client.get(reverse("dashboard")).content.decode()
    attendance.attendance_mark(invitation=under_way.invitations.get(), actor=staff_user)
    assert link not in client.get(reverse("dashboard")).content.decode()  # checked in: nothing left to do
