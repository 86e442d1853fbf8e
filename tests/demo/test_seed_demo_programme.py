"""The 实验周期 in the demo data (seed_demo's experiment_cycle), as README's demo table tells it: the
first batch's four 实验校 are in year 2 of their three-year cycle (notice 五: 实验周期：三年) on the day
the command runs; a training and a seminar were held and closed, an exchange meeting is coming with
its registrations; under 七.7 (连续两次不参与项目组活动视为退出，实验校有退出项目实施的权力) 宁波 attended
everything, 温州 is warned after one absence, 绵阳 waits in the staff queue after two in a row, and
苏州 left by its own choice. Their 年度工作报告 (五: 业务指导、实验评估): year 1's of 宁波 accepted with
the project group's comment, 温州's returned with a reason and revised, 绵阳's submitted and with
demo-expert, 苏州 reminded and gone without filing; 宁波's year 2 a draft.

The demo is seeded once for the module (in a transaction rolled back at the end; PDFs laid out by
the access matrix's stand-in): each test reads it as a person would find it."""
import io
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from applications.models import Batch
from demo.management.commands import seed_demo
from portal.models import User
from programme.models import (
    AnnualReport, ExitReview, ExperimentLogEntry, ExperimentSchool, ExperimentStatus, Invitation, Outcome, ReportAttachment,
    ReportComment, ReportDeadline, ReportLogEntry, ReportReminder, ReportReviewer, ReportState, SchoolNotice, WithdrawalRequest,
    cycle_end,
)  # fmt: skip
from programme.reports import default_due_at, send_report_reminders
from programme.selectors import current_absences, cycle_label, exit_queue, withdrawal_queue, workspace
from tests.test_access_matrix import module_scene

PASSWORD = "demo-pass-programme-1"
README = Path(__file__).resolve().parents[2] / "README.md"
NINGBO, WENZHOU, MIANYANG, SUZHOU = "宁波市甬江职业高级中学", "温州市瓯海区职业教育中心", "绵阳市安州区职业中学", "苏州市吴中区职业教育中心"
ACCOUNTS = {NINGBO: "demo-school-zj2", WENZHOU: "demo-school-zj3", MIANYANG: "demo-school-sc2", SUZHOU: "demo-school-js2"}
TRAINING, SEMINAR, EXCHANGE = "第一批实验校项目实施团队线上培训", "第一批实验校项目研讨交流会议（第二年）", "第一批实验校经验交流会"
# The first batch's list was announced at the 项目工作会议 of Tuesday 28 June 2022 at 09:00; the demo
# moves that calendar by whole weeks to about fifteen months before the day it runs.
REAL_PUBLICATION = date(2022, 6, 28)


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", password=PASSWORD, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    with module_scene(django_db_blocker, tmp_path_factory, build=seed) as output:
        yield output


@pytest.fixture(autouse=True)
def _private_media():
    """The module's scene keeps its files (the withdrawal letter) in its own directory for the whole
    module: the per-test directory of tests/demo/conftest.py would hide them."""


@pytest.fixture
def demo(seeded, db):
    """The seeded demo, inside this test's own savepoint: name → the first batch's 实验校."""
    return {es.school.name: es for es in ExperimentSchool.objects.filter(batch__document_number="中成协〔2022〕012号").select_related("school")}


def invitation(experiment_school, title) -> Invitation:
    return Invitation.objects.select_related("activity").get(experiment_school=experiment_school, activity__title=title)


def test_the_first_batch_s_four_schools_are_in_year_2_of_their_cycle_today(demo):
    today = timezone.localdate()
    batch = Batch.objects.get(document_number="中成协〔2022〕012号")

    assert set(demo) == {NINGBO, WENZHOU, MIANYANG, SUZHOU}
    for experiment_school in demo.values():
        assert experiment_school.cycle_starts_on == batch.publication_meeting_on == timezone.localdate(batch.published_at)
        assert experiment_school.cycle_year(today) == 2
        assert cycle_label(experiment_school).startswith("实验周期第 2 年（至 ")
    started = batch.cycle_starts_on
    assert 456 <= (today - started).days <= 462  # about fifteen months ago
    assert started.weekday() == REAL_PUBLICATION.weekday() and (started - REAL_PUBLICATION).days % 7 == 0
    assert batch.publication_meeting == f"{started.year}年职业院校服务全民终身学习项目工作会议"
    # The second batch's list is not published: it has no 实验校 yet.
    assert not ExperimentSchool.objects.filter(batch__document_number="中成协〔2023〕010号").exists()


def test_each_school_has_the_status_the_readme_names(demo):
    statuses = {name: experiment_school.get_status_display() for name, experiment_school in demo.items()}

    assert statuses == {NINGBO: "实验中", WENZHOU: "实验中", MIANYANG: "实验中", SUZHOU: "已退出（自愿）"}


def test_two_counting_activities_were_held_and_closed_with_each_school_s_outcome(demo):
    outcomes = {
        (i.activity.title, i.experiment_school.school.name): i.outcome
        for i in Invitation.objects.filter(activity__closed_at__isnull=False).select_related("activity", "experiment_school__school")
    }

    assert outcomes == {
        (TRAINING, NINGBO): Outcome.ATTENDED, (TRAINING, WENZHOU): Outcome.ATTENDED,
        (TRAINING, SUZHOU): Outcome.EXCUSED, (TRAINING, MIANYANG): Outcome.ABSENT,
        (SEMINAR, NINGBO): Outcome.ATTENDED, (SEMINAR, SUZHOU): Outcome.ATTENDED,
        (SEMINAR, WENZHOU): Outcome.ABSENT, (SEMINAR, MIANYANG): Outcome.ABSENT,
    }  # fmt: skip
    training, seminar = invitation(demo[NINGBO], TRAINING).activity, invitation(demo[NINGBO], SEMINAR).activity
    assert training.counts_for_attendance and seminar.counts_for_attendance
    assert training.is_online and not seminar.is_online
    assert training.ends_at < training.closed_at < seminar.starts_at < seminar.ends_at < seminar.closed_at < timezone.now()
    # The training's list was imported; at the seminar 宁波's 负责人 checked in with the code, staff marked 苏州.
    assert invitation(demo[NINGBO], TRAINING).attendance_source == Invitation.AttendanceSource.IMPORT
    at_seminar = invitation(demo[NINGBO], SEMINAR)
    assert at_seminar.attendance_source == Invitation.AttendanceSource.CODE
    assert [a.name for a in at_seminar.attendees.all() if a.checked_in_at] == [demo[NINGBO].lead_name]
    assert invitation(demo[SUZHOU], SEMINAR).attendance_source == Invitation.AttendanceSource.STAFF


def test_leave_was_accepted_once_and_refused_once(demo):
    accepted, refused = invitation(demo[SUZHOU], TRAINING), invitation(demo[WENZHOU], SEMINAR)

    assert (accepted.reply, accepted.leave_decision) == (Invitation.Reply.LEAVE, Invitation.LeaveDecision.ACCEPTED)
    assert (refused.reply, refused.leave_decision) == (Invitation.Reply.LEAVE, Invitation.LeaveDecision.REFUSED)
    assert refused.leave_decision_note  # a refusal says why
    assert {accepted.leave_decided_by.username, refused.leave_decided_by.username} == {"demo-staff"}
    titles = set(SchoolNotice.objects.filter(kind=SchoolNotice.Kind.LEAVE_DECIDED).values_list("experiment_school__school__name", "title"))
    assert titles == {(SUZHOU, f"请假已获同意：{TRAINING}"), (WENZHOU, f"请假未获同意：{SEMINAR}")}


def test_the_warned_school_has_one_absence_in_a_row_and_one_warning(demo):
    wenzhou = demo[WENZHOU]

    assert current_absences(wenzhou) == 1
    assert workspace(wenzhou).absences_in_a_row == 1
    warnings = list(wenzhou.notices.filter(kind=SchoolNotice.Kind.ABSENCE_WARNING))
    assert [(n.title, n.invitation.activity.title) for n in warnings] == [("缺席提醒：再缺席一次将视为退出", SEMINAR)]
    assert not wenzhou.exit_reviews.exists()


def test_the_queued_school_waits_for_the_project_group_with_its_two_absences(demo):
    mianyang = demo[MIANYANG]

    queue = list(exit_queue())
    assert [review.experiment_school for review in queue] == [mianyang]
    review = queue[0]
    assert review.state == ExitReview.State.PENDING
    assert (review.first_absence.activity.title, review.second_absence.activity.title) == (TRAINING, SEMINAR)
    # Warned after the first absence; no answer to the training, a 回执 for the seminar but nobody came.
    assert [n.invitation.activity.title for n in mianyang.notices.filter(kind=SchoolNotice.Kind.ABSENCE_WARNING)] == [TRAINING]
    assert (review.first_absence.reply, review.second_absence.reply) == (Invitation.Reply.NONE, Invitation.Reply.ATTENDING)
    assert mianyang.status == ExperimentStatus.ACTIVE  # until staff confirm 视为退出


def test_the_school_that_left_asked_with_its_letter_and_was_acknowledged(demo):
    suzhou = demo[SUZHOU]

    request = WithdrawalRequest.objects.get(experiment_school=suzhou)
    assert (request.state, request.requested_by.username, request.acknowledged_by.username) == (
        WithdrawalRequest.State.ACKNOWLEDGED, "demo-school-js2", "demo-staff")
    assert request.requested_at < request.acknowledged_at < timezone.now()
    with request.letter.open("rb") as letter:
        assert letter.read(8) == b"\x89PNG\r\n\x1a\n"
    assert (request.letter_kind, request.letter_name) == ("png", "退出申请函.png")
    change = suzhou.log.get(action=ExperimentLogEntry.Action.STATUS)
    assert (change.from_status, change.to_status, change.at) == (ExperimentStatus.ACTIVE, ExperimentStatus.WITHDRAWN, request.acknowledged_at)
    assert suzhou.notices.filter(kind=SchoolNotice.Kind.WITHDRAWAL_ACKNOWLEDGED).count() == 1
    assert list(withdrawal_queue()) == []
    assert not suzhou.invitations.filter(activity__title=EXCHANGE).exists()  # not invited once it left


def test_one_team_was_changed_once_and_logged(demo):
    team_changes = ExperimentLogEntry.objects.filter(action=ExperimentLogEntry.Action.TEAM).select_related("experiment_school__school")

    assert [entry.experiment_school.school.name for entry in team_changes] == [NINGBO]
    ningbo = demo[NINGBO]
    names = [member.name for member in ningbo.team.all()]
    assert names[0] == ningbo.lead_name and "陈静" in names and "刘芳" not in names
    assert "刘芳（副教授，课程开发）" in team_changes[0].reason and "陈静（讲师，课程开发（接替刘芳））" in team_changes[0].reason
    # Logged on its day of year 1, after the school became a 实验校 on the day of the meeting.
    created = ningbo.log.get(action=ExperimentLogEntry.Action.CREATED)
    assert timezone.localdate(created.at) == ningbo.cycle_starts_on < timezone.localdate(team_changes[0].at)
    assert ningbo.cycle_year(timezone.localdate(team_changes[0].at)) == 1


def test_the_coming_activity_has_registrations_and_a_leave_request_waiting(demo):
    now = timezone.now()
    answers = {
        i.experiment_school.school.name: (i.reply, i.leave_decision, [a.name for a in i.attendees.all()])
        for i in Invitation.objects.filter(activity__title=EXCHANGE).select_related("experiment_school__school").prefetch_related("attendees")
    }

    exchange = invitation(demo[NINGBO], EXCHANGE).activity
    assert now < exchange.registration_deadline < exchange.starts_at and not exchange.is_closed
    assert answers == {
        NINGBO: (Invitation.Reply.ATTENDING, "", [demo[NINGBO].lead_name, demo[NINGBO].liaison_name]),
        WENZHOU: (Invitation.Reply.ATTENDING, "", [demo[WENZHOU].lead_name]),
        MIANYANG: (Invitation.Reply.LEAVE, Invitation.LeaveDecision.PENDING, []),
    }
    assert [i.activity.title for i in workspace(demo[NINGBO]).upcoming] == [EXCHANGE]


def test_the_experiment_school_accounts_log_in_with_the_demo_password(client, demo):
    for name, username in ACCOUNTS.items():
        user = User.objects.get(username=username)
        assert (user.school.name, client.login(username=username, password=PASSWORD)) == (name, True)
        client.logout()


def test_the_command_says_how_each_school_has_fared(seeded, demo):
    assert "今天为第 2 年" in seeded
    for name, username in ACCOUNTS.items():
        assert f"{name}（{username}）：" in seeded


def readme_row(username: str) -> str:
    rows = [line for line in README.read_text(encoding="utf-8").splitlines() if line.startswith(f"| `{username}` |")]
    assert len(rows) == 1, f"README's demo table has {len(rows)} rows for {username}"
    return rows[0]


def test_readme_s_demo_table_tells_each_school_s_state_as_seeded(demo):
    for name, username in ACCOUNTS.items():
        experiment_school, row = demo[name], readme_row(username)
        assert name in row and experiment_school.get_status_display() in row, row
        absences = current_absences(experiment_school)
        assert ("one absence in a row" in row) == (absences == 1 and experiment_school.is_active), row
        assert ("exit queue" in row) == experiment_school.exit_reviews.filter(state=ExitReview.State.PENDING).exists(), row
        assert ("team changed once" in row) == experiment_school.log.filter(action=ExperimentLogEntry.Action.TEAM).exists(), row
    assert "year 2 of their cycle" in readme_row("demo-staff")


def test_a_later_run_keeps_the_days_the_first_batch_was_played_on(demo, monkeypatch):
    batch = Batch.objects.get(document_number="中成协〔2022〕012号")
    before = (batch.issued_on, batch.national_deadline, batch.published_at, ExperimentSchool.objects.count(), Invitation.objects.count())
    # Weeks later the shift would be another: the batch found keeps its own.
    monkeypatch.setattr(seed_demo, "first_batch_shift", lambda today: timedelta(weeks=9))

    output = seed()

    batch.refresh_from_db()
    after = (batch.issued_on, batch.national_deadline, batch.published_at, ExperimentSchool.objects.count(), Invitation.objects.count())
    assert after == before
    assert "演示数据已就绪。" in output and "与今天不符" not in output


@pytest.mark.parametrize("today", [date(2026, 12, 1), date(2027, 2, 28), date(2028, 2, 29), date(2030, 7, 1), date(2031, 1, 6)])
def test_whatever_the_day_the_first_batch_is_in_year_2_with_the_story_before_it_and_the_exchange_inside(today):
    published = REAL_PUBLICATION + seed_demo.first_batch_shift(today)
    cycle = ExperimentSchool(cycle_starts_on=published, cycle_ends_on=cycle_end(published))

    assert published.weekday() == REAL_PUBLICATION.weekday()
    assert 456 <= (today - published).days <= 462
    assert cycle.cycle_year(today) == 2
    assert published + timedelta(days=seed_demo.EXPERIMENT_STORY_DAYS) < today
    assert cycle.cycle_year(today + timedelta(days=seed_demo.UPCOMING_IN_DAYS)) == 2


# ---- The 年度工作报告 ------------------------------------------------------------------------------


def reports_by_school() -> dict[str, dict[int, AnnualReport]]:
    found = {}
    for report in AnnualReport.objects.select_related("experiment_school__school", "decided_by"):
        found.setdefault(report.experiment_school.school.name, {})[report.year] = report
    return found


def test_year_1_s_reports_are_filed_accepted_returned_and_with_an_expert_and_year_2_s_begun(demo):
    reports = reports_by_school()

    states = {name: {year: r.state for year, r in years.items()} for name, years in reports.items()}
    assert states == {
        NINGBO: {1: ReportState.ACCEPTED, 2: ReportState.DRAFT},
        WENZHOU: {1: ReportState.RETURNED},
        MIANYANG: {1: ReportState.SUBMITTED},
    }  # 苏州 left without filing one
    accepted, returned, submitted = reports[NINGBO][1], reports[WENZHOU][1], reports[MIANYANG][1]
    # 业务指导: the project group's comment on the accepted one, which the school reads.
    assert [(c.author.username, c.body) for c in ReportComment.objects.filter(report=accepted)] == [("demo-staff", seed_demo.REPORT_COMMENT)]
    assert accepted.decided_by.username == "demo-staff"
    # Returned with the reason, then revised by the school and not submitted again.
    assert returned.return_reason == seed_demo.REPORT_RETURN_REASON
    actions = list(ReportLogEntry.objects.filter(report=returned).order_by("at").values_list("action", flat=True))
    assert actions == [ReportLogEntry.Action.CREATED, ReportLogEntry.Action.SUBMITTED, ReportLogEntry.Action.RETURNED]
    assert returned.updated_at > returned.decided_at and returned.reached_rural == 420  # the figure it was asked to check
    # Submitted, waiting for the expert the project group assigned.
    assert [(r.expert.username, r.assigned_by.username) for r in ReportReviewer.objects.filter(report=submitted)] == [("demo-expert", "demo-staff")]
    assert submitted.decided_at is None
    assert not ReportReviewer.objects.exclude(report=submitted).exists()
    # Year 2's draft: half written, as a school leaves it between two sittings.
    draft = reports[NINGBO][2]
    assert draft.reached_community is not None and draft.reached_rural is None and draft.submitted_at is None


def test_the_accepted_report_carries_two_photos_and_an_attachment_checked_by_content(demo):
    accepted = reports_by_school()[NINGBO][1]

    files = list(ReportAttachment.objects.filter(report=accepted).order_by("uploaded_at"))
    assert [(a.kind, a.file_kind) for a in files] == [
        (ReportAttachment.Kind.PHOTO, "png"), (ReportAttachment.Kind.PHOTO, "png"), (ReportAttachment.Kind.DOCUMENT, "png"),
    ]  # fmt: skip
    assert [(a.original_name, a.caption) for a in files] == [(name, caption) for _kind, name, caption in seed_demo.REPORT_FILES]
    for attachment in files:
        with attachment.file.open("rb") as stored:
            assert stored.read(8) == b"\x89PNG\r\n\x1a\n"
    assert not ReportAttachment.objects.exclude(report=accepted).exists()


def test_the_batch_s_due_dates_were_set_for_years_1_and_2_about_two_weeks_after_each_year(demo):
    ningbo = demo[NINGBO]
    deadlines = {d.year: d for d in ReportDeadline.objects.filter(batch=ningbo.batch).select_related("set_by")}

    assert set(deadlines) == {1, 2}  # year 3's is left to the default
    for year, deadline in deadlines.items():
        due = timezone.localtime(deadline.due_at)
        assert deadline.set_by.username == "demo-staff" and due.time() == time(17, 0)
        assert 13 <= (due - default_due_at(ningbo, year)).days <= 15
        assert ningbo.cycle_year(timezone.localdate(deadline.updated_at)) == 1  # set in year 1
    # Filed on time, except the returned one, which is now late.
    reports = reports_by_school()
    assert reports[NINGBO][1].submitted_at < deadlines[1].due_at and reports[MIANYANG][1].submitted_at < deadlines[1].due_at
    assert reports[WENZHOU][1].submitted_at < deadlines[1].due_at < reports[WENZHOU][1].updated_at


def test_one_reminder_run_before_year_1_s_date_reached_the_two_schools_that_had_not_submitted(demo):
    reminders = list(ReportReminder.objects.select_related("experiment_school__school"))

    assert {(r.experiment_school.school.name, r.year, r.kind) for r in reminders} == {
        (MIANYANG, 1, ReportReminder.Kind.DUE_SOON), (SUZHOU, 1, ReportReminder.Kind.DUE_SOON),
    }  # fmt: skip
    due = ReportDeadline.objects.get(batch=demo[NINGBO].batch, year=1).due_at
    for reminder in reminders:
        assert timedelta(days=2) < due - reminder.sent_at <= timedelta(days=3)
        assert timezone.localtime(reminder.sent_at).time() == time(8, 0)  # the daily run
    notices = SchoolNotice.objects.filter(kind=SchoolNotice.Kind.REPORT_DUE_SOON).values_list("experiment_school__school__name", flat=True)
    assert sorted(notices) == sorted([MIANYANG, SUZHOU])


def test_the_daily_reminders_run_today_on_the_demo_remind_only_the_late_returned_report(demo):
    count = send_report_reminders(days=3)

    assert (count.due_soon, count.late) == (0, 1)
    late = ReportReminder.objects.get(kind=ReportReminder.Kind.LATE)
    assert (late.experiment_school.school.name, late.year) == (WENZHOU, 1)


def test_every_report_step_is_dated_on_its_day_of_the_cycle_before_today(demo):
    """The services stamp some rows with the clock (a report's creation and last save, a due
    date's): the demo dates them on their day, as every other step of its past."""
    starts = demo[NINGBO].cycle_starts_on
    last_day = starts + timedelta(days=seed_demo.EXPERIMENT_STORY_DAYS)
    stamps = [*AnnualReport.objects.values_list("created_at", flat=True), *AnnualReport.objects.values_list("updated_at", flat=True),
              *ReportDeadline.objects.values_list("updated_at", flat=True), *ReportLogEntry.objects.values_list("at", flat=True),
              *ReportComment.objects.values_list("created_at", flat=True), *ReportAttachment.objects.values_list("uploaded_at", flat=True),
              *ReportReviewer.objects.values_list("assigned_at", flat=True), *ReportReminder.objects.values_list("sent_at", flat=True)]  # fmt: skip

    assert stamps and all(starts < timezone.localdate(stamp) <= last_day < timezone.localdate() for stamp in stamps)
    reports = reports_by_school()
    ningbo = demo[NINGBO]
    assert ningbo.cycle_year(timezone.localdate(reports[NINGBO][1].submitted_at)) == 1
    assert ningbo.cycle_year(timezone.localdate(reports[NINGBO][2].created_at)) == 2
    assert timezone.localtime(reports[NINGBO][1].created_at) == timezone.make_aware(datetime.combine(starts + timedelta(days=340), time(9)))


def page(client, username: str, url: str) -> str:
    """The page's visible text as `username` finds it at `url` (after its redirects)."""
    client.force_login(User.objects.get(username=username))
    response = client.get(url, follow=True)
    assert response.status_code == 200, (username, url, response.status_code)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_returned_school_reads_its_report_returned_with_the_reason_on_its_workspace(client, demo):
    text = page(client, "demo-school-zj3", "/dashboard/")

    assert "第1年度工作报告 退回修改" in text
    assert f"退回原因：{seed_demo.REPORT_RETURN_REASON}" in text
    assert "修改后重新提交" in text


def test_the_accepted_school_reads_the_comment_and_finds_its_year_2_draft(client, demo):
    text = page(client, "demo-school-zj2", "/programme/reports/")

    assert "第1年度工作报告 已通过" in text and "第2年度工作报告 草稿" in text and "继续填写" in text
    detail = page(client, "demo-school-zj2", reports_by_school()[NINGBO][1].get_absolute_url())
    assert seed_demo.REPORT_COMMENT in detail
    for _kind, name, caption in seed_demo.REPORT_FILES:
        assert f"{name} · {caption}" in detail


def test_the_demo_expert_finds_the_report_assigned_to_them(client, demo):
    text = page(client, "demo-expert", "/programme/reports/expert/")

    assert f"{MIANYANG} 四川省 第1年 已提交" in text
    assert NINGBO not in text and WENZHOU not in text


def test_the_project_group_s_totals_count_the_accepted_report_s_numbers(client, demo):
    accepted = reports_by_school()[NINGBO][1]
    text = page(client, "demo-staff", "/programme/reports/staff/totals/")

    assert f"已通过的年度工作报告 1 份，合计服务 {accepted.reached_total} 人次" in text
    assert accepted.reached_total == 1860 + 920 + 1340 + 610 + 150 + 420 + 80
    assert f"浙江省 {accepted.reached_community} {accepted.reached_rural} {accepted.reached_elderly}" in text


def test_readme_s_demo_table_tells_each_school_s_reports_as_seeded(demo):
    reports = reports_by_school()
    for name, username in ACCOUNTS.items():
        row = readme_row(username)
        for year, report in reports.get(name, {}).items():
            assert f"第{year}年度工作报告 {report.get_state_display()}" in row, row
        assert ("filed no report" in row) == (name not in reports), row
        assert ("reminded" in row) == ReportReminder.objects.filter(experiment_school=demo[name]).exists(), row
    assert "绵阳's 第1年度工作报告" in readme_row("demo-expert")


def test_each_page_the_demo_table_names_opens_for_its_account(client, demo):
    named = set()
    for username in ("demo-school", "demo-province", "demo-staff", "demo-expert", *ACCOUNTS.values()):
        paths = re.findall(r"`(/[^`<>]*)`", readme_row(username))
        for path in paths:
            page(client, username, path)
        named.update(paths)
    # Every page of the 实验周期 a demo account has something on is named for one of them.
    assert named >= {
        "/dashboard/", "/dashboard/applications/", "/programme/team/", "/programme/checkin/", "/programme/withdraw/", "/programme/reports/",
        "/programme/staff/schools/", "/programme/staff/activities/", "/programme/staff/exits/", "/programme/reports/staff/",
        "/programme/reports/staff/totals/", "/programme/reports/expert/",
    }  # fmt: skip
