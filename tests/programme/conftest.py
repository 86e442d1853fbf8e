"""Fixtures of the 实验周期 tests: a batch whose list was announced at the 项目工作会议 of 28 June 2023
(notice 八.3: 2023年6月召开项目工作会议，公布实验校名单), three of its schools selected and made 实验校
through the service publication calls, one user each, and helpers for activities."""
from datetime import date, timedelta

import pytest

from applications.models import Application, Batch, Status
from portal.models import Role, SchoolType
from programme import activities, attendance
from programme.experiment_schools import experiment_schools_create_for
from programme.models import ExperimentSchool
from tests.conftest import aware, fill_complete, make_school, make_user

MEETING_ON = date(2023, 6, 28)
PUBLISHED_AT = aware(2023, 6, 28, 15, 0)
MEETING = "2023年职业院校服务全民终身学习项目工作会议"


def published_batch(short_name="第二批实验校", year=2023, number="中成协〔2023〕010号", meeting_on=MEETING_ON) -> Batch:
    """A batch whose list was published at the 项目工作会议 of `meeting_on`, which starts its cycle."""
    return Batch.objects.create(
        title=f"关于申报“职业院校服务全民终身学习项目”{short_name}的通知", short_name=short_name, document_number=number,
        year=year, issued_on=date(year, 3, 14), national_deadline=aware(year, 4, 28, 23, 59), is_open=False,
        published_at=aware(meeting_on.year, meeting_on.month, meeting_on.day, 15, 0), publication_meeting=MEETING,
        publication_meeting_on=meeting_on, cycle_starts_on=meeting_on,
        contact_name="彭老师", contact_phones="010-81299751 18611285756", contact_email="pengfang@enaea.edu.cn",
    )  # fmt: skip


def selected_application(batch, name, province_code="330000", school_type=SchoolType.HIGHER_VOCATIONAL, status=Status.SELECTED):
    """A school with one user and a complete application of `batch`, decided `status`."""
    school = make_school(name, province_code, school_type)
    user = make_user(f"user-{school.pk}", Role.SCHOOL, school=school)
    application = fill_complete(Application.objects.create(batch=batch, school=school))
    Application.objects.filter(pk=application.pk).update(status=status, number=f"{batch.year}-{batch.sequence}-{school.pk:04d}")
    return Application.objects.get(pk=application.pk), user


@pytest.fixture
def second_batch(db):
    return published_batch()


@pytest.fixture
def trio(second_batch):
    """Three 实验校 of the second batch (Zhejiang, Jiangsu, Sichuan) and one school not selected:
    {key: (experiment_school, user)}."""
    made = {}
    for key, name, province in [("zj", "浙江实验职业技术学院", "330000"), ("js", "江苏实验职业技术学院", "320000"),
                                ("sc", "四川实验职业技术学院", "510000")]:  # fmt: skip
        application, user = selected_application(second_batch, name, province)
        made[key] = (application, user)
    selected_application(second_batch, "湖北未入选职业技术学院", "420000", status=Status.NOT_SELECTED)
    experiment_schools_create_for(batch=second_batch)
    return {key: (ExperimentSchool.objects.get(application=application), user) for key, (application, user) in made.items()}


def make_activity(staff, starts_at, *, hours=3, counts=True, title=None, place="北京市朝阳区会议中心", online_url="", limit=2, **extra):
    """An activity of `hours` from `starts_at`, registration closing a week before."""
    return activities.activity_create(
        actor=staff, kind=extra.pop("kind", "seminar"), title=title or f"项目研讨交流会议 {starts_at:%Y-%m-%d}",
        starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours), registration_deadline=starts_at - timedelta(days=7),
        place=place, online_url=online_url, agenda="交流各实验校项目进展。", max_attendees_per_school=limit,
        counts_for_attendance=counts, **extra,
    )  # fmt: skip


def invite(activity, staff, schools):
    """Invite these 实验校 by hand, two weeks before the activity."""
    return activities.activity_invite(activity=activity, actor=staff, experiment_schools=schools, now=activity.starts_at - timedelta(days=14))


def held(staff, starts_at, schools, *, attended=(), leave_accepted=(), leave_refused=(), counts=True):
    """An activity held for `schools` and closed the day after: those in `attended` marked present,
    the leave requests decided as given. Returns the close report."""
    activity = make_activity(staff, starts_at, counts=counts)
    invite(activity, staff, schools)
    for school, accept in [(s, True) for s in leave_accepted] + [(s, False) for s in leave_refused]:
        invitation = activity.invitations.get(experiment_school=school)
        user = school.school.users.first()
        activities.invitation_request_leave(invitation=invitation, actor=user, reason="同期承办省级技能大赛。", now=starts_at - timedelta(days=10))
        activities.leave_decide(invitation=invitation, actor=staff, accept=accept, note="" if accept else "本次会议须各校负责人到会。",
                                now=starts_at - timedelta(days=9))  # fmt: skip
    for school in attended:
        attendance.attendance_mark(invitation=activity.invitations.get(experiment_school=school), actor=staff, now=starts_at + timedelta(minutes=10))
    return attendance.activity_close(activity=activity, actor=staff, now=starts_at + timedelta(days=1))
