"""The project group's lists of the 实验周期 read the same number of queries for 10 实验校 as for
500 (the issue: the staff lists at constant queries with 10 and 500 实验校): the 实验校 list, its XLSX,
the exit queue, an activity's page, its attendance page, the 签到表's rows and the registrations XLSX."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, ProjectCategory, Status
from portal.models import Province, School, SchoolType
from programme.models import Activity, Attendee, ExitReview, ExperimentProject, ExperimentSchool, ExperimentTeamMember, Invitation, WithdrawalRequest
from tests.programme.conftest import make_activity, published_batch


def add_experiment_schools(batch, count: int, start: int) -> list[ExperimentSchool]:
    """`count` 实验校 of `batch`, each with one project and a two-member team, in a few bulk inserts."""
    zhejiang = Province.objects.get(code="330000")
    schools = School.objects.bulk_create(
        School(name=f"规模测试职业学院{index:04d}", province=zhejiang, school_type=SchoolType.HIGHER_VOCATIONAL, address="杭州市 1 号",
               postcode="310012", contact_email=f"scale{index}@example.cn", contact_mobile="13900000000")
        for index in range(start, start + count)
    )  # fmt: skip
    applications = Application.objects.bulk_create(
        Application(batch=batch, school=school, status=Status.SELECTED, number=f"{batch.year}-9-{school.pk:05d}") for school in schools
    )
    starts = batch.cycle_starts_on
    made = ExperimentSchool.objects.bulk_create(
        ExperimentSchool(school=a.school, batch=batch, application=a, cycle_starts_on=starts, cycle_ends_on=starts.replace(year=starts.year + 3),
                         lead_name="王校长", lead_title="副校长", lead_mobile="13800000000")
        for a in applications
    )  # fmt: skip
    elderly = ProjectCategory.objects.get(code="elderly-education")
    ExperimentProject.objects.bulk_create(ExperimentProject(experiment_school=s, category=elderly) for s in made)
    ExperimentTeamMember.objects.bulk_create(
        ExperimentTeamMember(experiment_school=s, position=p, name=f"成员{p}", title="教师", mobile="13700000000", duty="实施")
        for s in made for p in (0, 1)
    )  # fmt: skip
    return made


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


@pytest.mark.parametrize("page", ["list", "xlsx", "activity", "attendance", "signin", "registrations", "exits"])
def test_the_staff_pages_read_as_many_queries_for_500_experiment_schools_as_for_10(client, staff_user, page, monkeypatch):
    monkeypatch.setattr("programme.staff_views.render_pdf", lambda template, context: repr(context["rows"]).encode())  # rows, not layout
    client.force_login(staff_user)
    batch = published_batch(meeting_on=timezone.localdate() - timedelta(days=400))
    activity = make_activity(staff_user, timezone.now() + timedelta(days=30))
    # Two closed activities for the exit queue's evidence.
    earlier = [make_activity(staff_user, timezone.now() - timedelta(days=d), title=f"{d} 天前的研讨交流会议") for d in (90, 30)]
    Activity.objects.filter(pk__in=[a.pk for a in earlier]).update(closed_at=timezone.now() - timedelta(days=1))

    def grow(count, start):
        made = add_experiment_schools(batch, count, start)
        invitations = Invitation.objects.bulk_create(Invitation(activity=activity, experiment_school=s) for s in made)
        Attendee.objects.bulk_create(Attendee(invitation=i, name="李老师", title="处长", mobile="13600000000") for i in invitations)
        Invitation.objects.filter(pk__in=[i.pk for i in invitations[::3]]).update(reply="leave", leave_reason="同期迎评。")
        # Every fifth school absent from both earlier activities (in the queue), every seventh asking to leave.
        queued = made[::5]
        first, second = (Invitation.objects.bulk_create(Invitation(activity=a, experiment_school=s, outcome="absent") for s in queued)
                         for a in earlier)  # fmt: skip
        ExitReview.objects.bulk_create(ExitReview(experiment_school=s, first_absence=f, second_absence=t) for s, f, t in zip(queued, first, second))
        WithdrawalRequest.objects.bulk_create(WithdrawalRequest(experiment_school=s, reason="办学方向调整。") for s in made[::7])

    url = {"list": reverse("programme:staff_schools"), "xlsx": reverse("programme:staff_schools_xlsx"),
           "activity": reverse("programme:staff_activity", args=[activity.pk]),
           "attendance": reverse("programme:staff_attendance", args=[activity.pk]),
           "signin": reverse("programme:staff_signin_sheet", args=[activity.pk]),
           "registrations": reverse("programme:staff_registrations_xlsx", args=[activity.pk]),
           "exits": reverse("programme:staff_exits")}[page]  # fmt: skip
    grow(10, 0)
    few = queries(client, url)
    grow(490, 10)
    assert ExperimentSchool.objects.count() == 500
    assert queries(client, url) == few


def test_an_activity_for_120_schools_shows_them_50_a_page_with_the_counts_of_all(client, staff_user):
    """A work meeting invites every 实验校: its page and its attendance sheet list them a page at a
    time, in province and name order, while the counts above are of every invited school."""
    client.force_login(staff_user)
    batch = published_batch(meeting_on=timezone.localdate() - timedelta(days=400))
    activity = make_activity(staff_user, timezone.now() - timedelta(hours=1))
    made = add_experiment_schools(batch, 120, 0)
    invitations = Invitation.objects.bulk_create(Invitation(activity=activity, experiment_school=s, reply="attending") for s in made)
    Invitation.objects.filter(pk__in=[i.pk for i in invitations[:7]]).update(attended=True)
    page_url = reverse("programme:staff_activity", args=[activity.pk])
    first = client.get(page_url).content.decode()
    assert "邀请 120 所 · 参会回执 120 所" in first and "已签到 7 所" in first and "第 1 / 3 页" in first
    assert "规模测试职业学院0000" in first and "规模测试职业学院0049" in first and "规模测试职业学院0050" not in first
    last = client.get(page_url, {"page": 3}).content.decode()
    assert "第 3 / 3 页" in last and "规模测试职业学院0119" in last and "规模测试职业学院0099" not in last
    sheet = client.get(reverse("programme:staff_attendance", args=[activity.pk]), {"page": 2}).content.decode()
    assert "已签到 <strong>7</strong> / 120 所" in sheet and "第 2 / 3 页" in sheet
    assert "规模测试职业学院0050" in sheet and "规模测试职业学院0049" not in sheet
