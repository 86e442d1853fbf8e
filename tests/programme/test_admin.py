"""Django admin of the 实验周期: the project group's admin group may open every page, statuses and
outcomes are read-only there (they change only through the services), nobody adds a 实验校 or an
invitation by hand, and an activity added in admin gets its own random check-in code."""
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from programme.models import Activity, ExperimentSchool
from review.roles import STAFF_GROUP, sync_staff_group
from tests.conftest import aware
from tests.programme.conftest import held

MODELS = ["experimentschool", "activity", "invitation", "schoolnotice", "exitreview", "withdrawalrequest", "annualreport", "reportdeadline",
          "reportreminder"]


@pytest.fixture
def staff_client(client, staff_user, trio):
    staff_user.groups.add(sync_staff_group())
    schools = [s for s, _u in trio.values()]
    held(staff_user, aware(2023, 9, 20, 9, 0), schools, attended=schools[:2])
    held(staff_user, aware(2023, 11, 16, 9, 0), schools, attended=schools[:2])
    client.force_login(staff_user)
    return client


@pytest.mark.parametrize("synced", ["after migrate", "by a seeder"])
def test_the_project_groups_admin_group_holds_the_programmes_permissions(db, synced):
    group = Group.objects.get(name=STAFF_GROUP) if synced == "after migrate" else sync_staff_group()
    codenames = set(group.permissions.filter(content_type__app_label="programme").values_list("codename", flat=True))
    assert {"view_experimentschool", "change_activity", "view_exitreview", "add_activity"} <= codenames


@pytest.mark.parametrize("model", MODELS)
def test_every_list_and_record_opens_for_staff(staff_client, model):
    assert staff_client.get(reverse(f"admin:programme_{model}_changelist")).status_code == 200
    instance = {"experimentschool": ExperimentSchool, "activity": Activity}.get(model)
    if instance is not None:
        pk = instance.objects.first().pk
        assert staff_client.get(reverse(f"admin:programme_{model}_change", args=[pk])).status_code == 200


def test_the_status_of_a_experiment_school_cannot_be_changed_in_admin(staff_client, trio):
    experiment_school = trio["zj"][0]
    url = reverse("admin:programme_experimentschool_change", args=[experiment_school.pk])
    page = staff_client.get(url).content.decode()
    assert 'name="status"' not in page and "实验中" in page
    staff_client.post(url, {"status": "completed"})
    experiment_school.refresh_from_db()
    assert experiment_school.status == "active"
    assert staff_client.get(reverse("admin:programme_experimentschool_add")).status_code == 403
    assert staff_client.get(reverse("admin:programme_invitation_add")).status_code == 403


def test_an_activity_added_in_admin_gets_a_code_and_a_closed_one_is_read_only(staff_client, staff_user):
    starts = aware(2024, 4, 18, 9, 0)
    form = {
        "kind": "training", "title": "2024年队伍培训", "starts_at_0": "2024-04-18", "starts_at_1": "09:00",
        "ends_at_0": "2024-04-18", "ends_at_1": "17:00", "place": "杭州", "online_url": "", "agenda": "",
        "registration_deadline_0": "2024-04-10", "registration_deadline_1": "17:00", "max_attendees_per_school": "2",
        "counts_for_attendance": "on",
        "invitations-TOTAL_FORMS": "0", "invitations-INITIAL_FORMS": "0",
    }  # fmt: skip
    response = staff_client.post(reverse("admin:programme_activity_add"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    added = Activity.objects.get(title="2024年队伍培训")
    assert (added.starts_at, len(added.checkin_code), added.created_by) == (starts, 8, staff_user)

    closed = Activity.objects.exclude(closed_at=None).first()
    url = reverse("admin:programme_activity_change", args=[closed.pk])
    staff_client.post(url, {**form, "title": "改名"})
    closed.refresh_from_db()
    assert closed.title != "改名"
    assert closed.closed_at is not None and closed.starts_at + timedelta(days=1) == closed.closed_at


def test_reports_are_read_in_admin_and_their_due_dates_set_there(staff_client, trio, staff_user):
    """The 年度工作报告 are the schools' and the reviewers' (read-only in admin); a batch's due date
    is set in admin as on the reports' deadline page, with who set it."""
    from programme import reports
    from programme.models import AnnualReport, ReportDeadline
    from tests.conftest import aware

    zj, user = trio["zj"]
    report = reports.report_start(experiment_school=zj, year=1, actor=user, now=aware(2023, 12, 1, 10, 0))
    page = staff_client.get(reverse("admin:programme_annualreport_change", args=[report.pk]))
    assert page.status_code == 200 and b'name="state"' not in page.content
    assert staff_client.get(reverse("admin:programme_annualreport_add")).status_code == 403
    response = staff_client.post(reverse("admin:programme_reportdeadline_add"),
                                 {"batch": zj.batch_id, "year": 1, "due_at_0": "2024-07-10", "due_at_1": "17:00"})  # fmt: skip
    assert response.status_code == 302
    deadline = ReportDeadline.objects.get()
    assert (deadline.due_at, deadline.set_by) == (aware(2024, 7, 10, 17, 0), staff_user)
    assert reports.due_at_for(AnnualReport.objects.get().experiment_school, 1) == aware(2024, 7, 10, 17, 0)
