"""The reads the pages will show: the 实验校's workspace (cycle, upcoming activities with its answer,
notices, absences in a row), the project group's list of 实验校 with attendance at a glance, and the
activities with their counts — each in a fixed number of queries, however many 实验校 there are."""
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.models import ProjectCategory
from programme.activities import invitation_request_leave
from programme.experiment_schools import experiment_school_complete, experiment_schools_create_for
from programme.selectors import (
    activities_for_staff, activity_invitations, experiment_school_of, experiment_schools_for_staff, with_attendance_counts, workspace,
)
from tests.conftest import aware
from tests.programme.conftest import held, invite, make_activity, published_batch, selected_application

UPCOMING = aware(2024, 7, 10, 9, 0)
NOW = aware(2024, 7, 1, 10, 0)


def test_the_workspace_shows_the_cycle_upcoming_activities_and_notices(trio, staff_user):
    sc, user = trio["sc"]
    held(staff_user, aware(2024, 4, 18, 9, 0), [sc])  # absent: warned
    upcoming = make_activity(staff_user, UPCOMING, title="2024年队伍培训", kind="training")
    invite(upcoming, staff_user, [sc])
    invitation = upcoming.invitations.get()
    invitation_request_leave(invitation=invitation, actor=user, reason="同期迎评。", now=NOW)

    seen = workspace(sc, now=NOW)
    assert (seen.cycle_year, seen.days_left, seen.absences_in_a_row) == (2, 727, 1)
    assert [(i.activity.title, i.get_reply_display(), i.get_leave_decision_display()) for i in seen.upcoming] == [("2024年队伍培训", "请假", "待审核")]
    assert [n.title for n in seen.notices] == ["活动通知：2024年队伍培训", "缺席提醒：再缺席一次将视为退出", "活动通知：项目研讨交流会议 2024-04-18"]
    assert seen.pending_withdrawal is None


def test_a_school_of_two_batches_sees_the_one_it_is_experimenting_in(trio, staff_user):
    sc, _user = trio["sc"]
    later = published_batch("第三批实验校", 2024, "中成协〔2024〕001号", meeting_on=date(2024, 6, 26))
    application, _ = selected_application(later, "另一所学院", "510000")
    application.school = sc.school  # the same school, selected again in a later batch
    application.save(update_fields=["school"])
    experiment_schools_create_for(batch=later)
    assert experiment_school_of(sc.school_id).batch == later
    experiment_school_complete(experiment_school=experiment_school_of(sc.school_id), actor=staff_user, now=aware(2027, 7, 1, 9, 0))
    assert experiment_school_of(sc.school_id) == sc


def test_the_staff_list_filters_and_counts_attendance(trio, second_batch, staff_user):
    schools = [s for s, _u in trio.values()]
    held(staff_user, aware(2023, 9, 20, 9, 0), schools, attended=schools[:1], leave_accepted=schools[1:2])
    held(staff_user, aware(2023, 11, 16, 9, 0), schools, attended=schools[:2])
    held(staff_user, aware(2024, 1, 10, 9, 0), schools, attended=schools, counts=False)
    rows = {row.school.name: (row.invited_count, row.attended_count, row.excused_count, row.absent_count)
            for row in with_attendance_counts(experiment_schools_for_staff(batch=second_batch))}  # fmt: skip
    assert rows == {"浙江实验职业技术学院": (2, 2, 0, 0), "江苏实验职业技术学院": (2, 1, 1, 0), "四川实验职业技术学院": (2, 0, 0, 2)}
    assert [r.school.name for r in experiment_schools_for_staff(province="320000")] == ["江苏实验职业技术学院"]
    elderly = ProjectCategory.objects.get(code="elderly-education")
    assert len(experiment_schools_for_staff(category=elderly)) == 3
    assert list(experiment_schools_for_staff(status="withdrawn")) == []


def queries(read) -> int:
    with CaptureQueriesContext(connection) as captured:
        read()
    return len(captured.captured_queries)


def many_schools(batch, count, start):
    for index in range(start, start + count):
        selected_application(batch, f"规模测试职业学院{index:03d}", "330000")
    experiment_schools_create_for(batch=batch)


@pytest.mark.parametrize("read", ["staff list", "activity", "activities", "workspace"])
def test_reads_take_the_same_queries_for_3_and_13_experiment_schools(trio, second_batch, staff_user, read):
    def run():
        if read == "staff list":
            rows = with_attendance_counts(experiment_schools_for_staff(batch=second_batch))
            return [(r.school.province.name, r.batch.short_name, [str(p) for p in r.projects.all()], r.absent_count) for r in rows]
        if read == "activity":
            return [(i.experiment_school.school.name, [a.name for a in i.attendees.all()]) for i in activity_invitations(activity)]
        if read == "activities":
            return [(a.title, a.invited_count) for a in activities_for_staff()]
        return workspace(trio["zj"][0], now=NOW)

    activity = make_activity(staff_user, UPCOMING)
    invite(activity, staff_user, [s for s, _u in trio.values()])
    few = queries(run)
    many_schools(second_batch, 10, 0)
    activity.invitations.all().delete()
    invite(activity, staff_user, list(second_batch.experiment_schools.all()))
    assert activity.invitations.count() == 13
    assert queries(run) == few
