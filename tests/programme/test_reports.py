"""年度工作报告 (五: 业务指导、实验评估; issue 15): one report per 实验校 and cycle year, due on the date
the project group set for the batch (by default the last day of the cycle year), drafts that lose
nothing, submission after a completeness check, reviewers' comments and decisions, reminders sent
once, photos and attachments checked by content, and the totals of people reached.

The batch of tests/programme/conftest.py announced its list at the 项目工作会议 of 28 June 2023
(八.3: 2023年6月): year 1 runs to 27 June 2024, year 2 to 27 June 2025, year 3 to 27 June 2026."""
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.workflow import WorkflowError
from portal.emails import OutgoingMail
from portal.models import Role
from programme import reports
from programme.models import AnnualReport, ReportLogEntry, ReportReminder, ReportState, SchoolNotice
from programme.report_selectors import reached_totals, report_states_by_school, reports_due_for
from programme.exits import withdrawal_acknowledge, withdrawal_request
from tests.conftest import aware, jpeg_bytes, make_user, pdf_bytes, png_bytes, upload
from tests.programme.report_helpers import NUMBERS, complete_values, fill

YEAR_1 = aware(2023, 12, 1, 10, 0)  # in year 1 of the cycle
YEAR_2 = aware(2024, 9, 1, 10, 0)  # in year 2


@pytest.fixture
def staff(db):
    return make_user("report-staff", Role.STAFF, is_staff=True)


def start(school, user, year=1, now=YEAR_1):
    return reports.report_start(experiment_school=school, year=year, actor=user, now=now)


# ---- Due dates --------------------------------------------------------------------------------------


def test_reports_are_due_at_the_end_of_each_cycle_year_unless_staff_set_a_date(trio, staff):
    zj, _user = trio["zj"]
    assert [reports.due_at_for(zj, year) for year in (1, 2, 3)] == [
        aware(2024, 6, 27, 23, 59), aware(2025, 6, 27, 23, 59), aware(2026, 6, 27, 23, 59)
    ]
    reports.report_deadline_set(batch=zj.batch, year=2, due_at=aware(2025, 7, 15, 17, 0), actor=staff)
    assert [reports.due_at_for(zj, year) for year in (1, 2, 3)] == [
        aware(2024, 6, 27, 23, 59), aware(2025, 7, 15, 17, 0), aware(2026, 6, 27, 23, 59)
    ]
    reports.report_deadline_set(batch=zj.batch, year=2, due_at=aware(2025, 7, 20, 17, 0), actor=staff)  # moved, one row
    assert zj.batch.report_deadlines.get().due_at == aware(2025, 7, 20, 17, 0)
    with pytest.raises(ValidationError):
        reports.report_deadline_set(batch=zj.batch, year=4, due_at=aware(2027, 7, 1, 0, 0), actor=staff)


def test_a_report_can_be_started_once_its_year_has_begun_and_only_once(trio):
    zj, user = trio["zj"]
    with pytest.raises(WorkflowError) as refused:
        start(zj, user, year=2, now=YEAR_1)
    assert refused.value.code == "year_not_begun"
    report = start(zj, user, year=1)
    assert start(zj, user, year=1) == report  # the same report, not a second one
    assert AnnualReport.objects.filter(experiment_school=zj).count() == 1
    assert report.state == ReportState.DRAFT and list(report.log.values_list("action", flat=True)) == ["created"]
    # One work row per project of the 实验校, named as on its workspace.
    assert sorted(report.project_work.values_list("project_name", flat=True)) == sorted(str(p) for p in zj.projects.all())
    assert start(zj, user, year=2, now=YEAR_2).year == 2


def test_a_school_that_left_cannot_start_or_change_a_report(trio, staff, private_media):
    zj, user = trio["zj"]
    report = start(zj, user)
    request = withdrawal_request(experiment_school=zj, actor=user, reason="学校专业调整。", now=YEAR_1)
    withdrawal_acknowledge(request=request, actor=staff, now=YEAR_1)
    zj.refresh_from_db()
    with pytest.raises(WorkflowError) as refused:
        start(zj, user, year=1)
    assert refused.value.code == "not_active"
    with pytest.raises(WorkflowError) as refused:
        fill(report, user)
    assert refused.value.code == "not_active"


# ---- Drafts and completeness ----------------------------------------------------------------------------


def test_a_new_report_lists_everything_it_misses(trio):
    zj, user = trio["zj"]
    report = start(zj, user)
    missing = reports.check_report(report).missing
    work_rows = list(report.project_work.all())
    assert len(work_rows) == 2
    assert [missing[f"work-{row.pk}"] for row in work_rows] == [f"请填写“{row.project_name}”本年度开展的工作与成效。" for row in work_rows]
    assert missing["reached_elderly"] == "请填写老年人的服务人数（没有请填 0）。"
    assert missing["reached_migrant"] == "请填写进城务工人员及新市民的服务人数（没有请填 0）。"
    assert missing["next_plan"] == "请填写下一年度工作计划。"
    assert len(missing) == 2 + 7 + 4


def test_zero_is_a_number_and_others_reached_need_a_note(trio):
    zj, user = trio["zj"]
    report = fill(start(zj, user), user, numbers=(0, 0, 0, 0, 0, 0, 0))
    assert reports.check_report(report).complete
    report = fill(report, user, numbers=(0, 0, 0, 0, 0, 0, 35))
    assert reports.check_report(report).missing == {"reached_other_note": "填写了“其它”人数，请说明是哪些人群。"}
    report = fill(report, user, numbers=(0, 0, 0, 0, 0, 0, 35), reached_other_note="残疾人")
    assert reports.check_report(report).complete and report.reached_total == 35


def test_a_save_from_an_older_copy_is_refused_and_stores_nothing(trio):
    zj, user = trio["zj"]
    report = start(zj, user)
    opened = report.revision
    fill(report, user)  # another tab saves first
    with pytest.raises(reports.ReportConflict):
        reports.report_save_draft(report=report, values=complete_values(problems="旧窗口里的文字"), work={}, actor=user,
                                  expected_revision=opened)  # fmt: skip
    with pytest.raises(reports.ReportConflict):  # and a save that does not say which copy it came from
        reports.report_save_draft(report=report, values=complete_values(problems="无版本"), work={}, actor=user, expected_revision=None)
    report.refresh_from_db()
    assert report.problems == complete_values()["problems"] and report.revision == opened + 1


def test_work_written_for_a_project_the_school_dropped_stays_in_the_report(trio):
    from programme.experiment_schools import projects_update
    from applications.models import ProjectCategory

    zj, user = trio["zj"]
    report = fill(start(zj, user), user)
    elderly = ProjectCategory.objects.get(code="elderly-education")
    projects_update(experiment_school=zj, actor=user, categories=[elderly])
    rows = reports.sync_project_rows(report)
    assert len(rows) == 2 and all(row.done for row in rows)  # the dropped project's text is kept
    fresh = start(zj, user, year=2, now=YEAR_2)
    assert list(fresh.project_work.values_list("category", flat=True)) == [elderly.pk]


# ---- The journey ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason, told", [
    ("服务人数请附统计依据", "退回修改：服务人数请附统计依据。请修改后重新提交。"),
    ("服务人数请附统计依据。", "退回修改：服务人数请附统计依据。请修改后重新提交。"),
    ("照片是否为本年度的活动？", "退回修改：照片是否为本年度的活动？请修改后重新提交。"),
])  # fmt: skip
def test_the_return_notice_ends_the_reason_s_sentence_once_as_typed(trio, staff, reason, told):
    """A reason typed as a sentence (most are: "……。") is not told with a second 。 after it."""
    zj, user = trio["zj"]
    report = reports.report_submit(report=fill(start(zj, user), user), actor=user, now=YEAR_1)

    reports.report_return(report=report, actor=staff, reason=reason, now=YEAR_1 + timedelta(days=1))

    notice = SchoolNotice.objects.get(kind=SchoolNotice.Kind.REPORT_RETURNED)
    assert told in notice.body and "。。" not in notice.body
    assert told in OutgoingMail.objects.get(template="report_returned").body


def test_submit_return_resubmit_accept_with_a_history_and_mails(trio, staff):
    zj, user = trio["zj"]
    report = start(zj, user)
    with pytest.raises(WorkflowError) as refused:
        reports.report_submit(report=report, actor=user, now=YEAR_1)
    assert refused.value.code == "incomplete" and "请填写老年人的服务人数（没有请填 0）。" in str(refused.value)

    report = reports.report_submit(report=fill(report, user), actor=user, now=YEAR_1)
    assert report.state == ReportState.SUBMITTED and report.submitted_at == YEAR_1
    assert OutgoingMail.objects.filter(template="report_submitted", to=["report-staff@example.cn"]).count() == 1
    with pytest.raises(WorkflowError):  # submitted: no longer the school's to change
        fill(report, user)

    with pytest.raises(ValidationError) as no_reason:
        reports.report_return(report=report, actor=staff, reason="  ", now=YEAR_1)
    assert no_reason.value.message_dict == {"reason": ["请填写退回原因。"]}
    report = reports.report_return(report=report, actor=staff, reason="服务人数请附统计依据", now=YEAR_1 + timedelta(days=1))
    assert (report.state, report.return_reason) == (ReportState.RETURNED, "服务人数请附统计依据")
    notice = SchoolNotice.objects.get(kind=SchoolNotice.Kind.REPORT_RETURNED)
    assert notice.report == report and "服务人数请附统计依据" in notice.body
    mail = OutgoingMail.objects.get(template="report_returned")
    assert "服务人数请附统计依据" in mail.body and mail.subject == "第1年度工作报告退回修改"

    report = fill(report, user, courses_resources="补充：课程清单见附件。")
    report = reports.report_submit(report=report, actor=user, now=YEAR_1 + timedelta(days=3))
    assert report.return_reason == ""
    with pytest.raises(WorkflowError) as wrong:
        reports.report_submit(report=report, actor=user)
    assert wrong.value.code == "not_editable"
    report = reports.report_accept(report=report, actor=staff, now=YEAR_1 + timedelta(days=5))
    assert report.state == ReportState.ACCEPTED
    with pytest.raises(WorkflowError) as final:
        reports.report_return(report=report, actor=staff, reason="再看看")
    assert final.value.code == "wrong_state"
    assert [(e.action, e.from_state, e.to_state) for e in report.log.all()] == [
        ("created", "", "draft"), ("submitted", "draft", "submitted"), ("returned", "submitted", "returned"),
        ("submitted", "returned", "submitted"), ("accepted", "submitted", "accepted"),
    ]
    assert report.log.get(action=ReportLogEntry.Action.RETURNED).note == "服务人数请附统计依据"
    assert OutgoingMail.objects.filter(template="report_accepted").count() == 1


def test_comments_reach_the_school_and_not_before_submission(trio, staff):
    zj, user = trio["zj"]
    report = fill(start(zj, user), user)
    with pytest.raises(WorkflowError) as draft:
        reports.report_comment(report=report, actor=staff, body="请突出老年教育特色。")
    assert draft.value.code == "draft"
    report = reports.report_submit(report=report, actor=user, now=YEAR_1)
    reports.report_comment(report=report, actor=staff, body="请突出老年教育特色。", now=YEAR_1)
    due = reports_due_for(zj, now=YEAR_1)[0]
    assert [c.body for c in due.comments] == ["请突出老年教育特色。"]
    assert OutgoingMail.objects.get(template="report_comment").body.count("请突出老年教育特色。") == 1


def test_experts_are_assigned_to_many_reports_once_and_told_once(trio, staff):
    from tests.review.national_helpers import BEIJING, make_expert

    expert = make_expert("report-expert", BEIJING, "北京终身教育研究院", last_name="钱")
    made = [fill(start(school, user), user) for school, user in trio.values()]
    assert reports.report_reviewers_assign(reports=made, expert=expert, actor=staff) == 3
    assert reports.report_reviewers_assign(reports=made, expert=expert, actor=staff) == 0
    assert OutgoingMail.objects.filter(template="report_assigned").count() == 1
    school_user = trio["zj"][1]
    with pytest.raises(ValidationError):
        reports.report_reviewers_assign(reports=made, expert=school_user, actor=staff)


# ---- Reminders ----------------------------------------------------------------------------------------------


def test_reminders_go_once_before_the_due_date_and_once_when_late(trio, staff):
    zj, user = trio["zj"]
    js, js_user = trio["js"]
    reports.report_submit(report=fill(start(js, js_user), js_user), actor=js_user, now=YEAR_1)  # Jiangsu has filed
    before = aware(2024, 6, 25, 9, 0)  # 2 days before 27 June 23:59
    assert reports.send_report_reminders(days=3, now=aware(2024, 6, 20, 9, 0)).due_soon == 0  # too early
    first = reports.send_report_reminders(days=3, now=before)
    assert (first.due_soon, first.late) == (2, 0)  # Zhejiang (not started) and Sichuan; not Jiangsu
    assert reports.send_report_reminders(days=3, now=before + timedelta(hours=5)).due_soon == 0  # never twice
    # Staff move the date: the same report is not reminded before it again.
    reports.report_deadline_set(batch=zj.batch, year=1, due_at=aware(2024, 6, 30, 17, 0), actor=staff)
    assert reports.send_report_reminders(days=3, now=aware(2024, 6, 28, 9, 0)).due_soon == 0
    late = reports.send_report_reminders(days=3, now=aware(2024, 7, 1, 9, 0))
    assert (late.due_soon, late.late) == (0, 2)
    assert reports.send_report_reminders(days=3, now=aware(2024, 7, 8, 9, 0)).late == 0
    assert ReportReminder.objects.filter(experiment_school=zj).count() == 2
    notices = SchoolNotice.objects.filter(experiment_school=zj).order_by("created_at")
    assert [n.title for n in notices] == ["第1年度工作报告将于 2024年06月27日 23:59 截止", "第1年度工作报告已逾期"]
    assert OutgoingMail.objects.filter(template="report_reminder").count() == 4


def test_the_management_command_sends_the_reminders(trio, monkeypatch):
    from io import StringIO

    from django.core.management import call_command

    monkeypatch.setattr("django.utils.timezone.now", lambda: aware(2024, 6, 26, 9, 0))  # a day before year 1's reports are due
    out = StringIO()
    call_command("send_report_reminders", "--days", "3", stdout=out)
    call_command("send_report_reminders", "--days", "3", stdout=out)
    assert out.getvalue().splitlines() == ["已发截止前提醒 3 份、逾期提醒 0 份。", "已发截止前提醒 0 份、逾期提醒 0 份。"]


# ---- Photos and attachments ------------------------------------------------------------------------------------


def test_photos_and_attachments_are_checked_by_content(trio, private_media):
    zj, user = trio["zj"]
    report = start(zj, user)
    photo = reports.report_attachment_add(report=report, kind="photo", uploaded_file=upload("讲座.png", png_bytes()), caption="社区讲座", actor=user)
    assert (photo.file_kind, photo.original_name, photo.caption) == ("png", "讲座.png", "社区讲座")
    document = reports.report_attachment_add(report=report, kind="document", uploaded_file=upload("课程清单.pdf", pdf_bytes()), caption="", actor=user)
    assert document.file.read()[:5] == b"%PDF-"
    with pytest.raises(ValidationError) as refused:
        reports.report_attachment_add(report=report, kind="photo", uploaded_file=upload("x.jpg", b"<html>not an image</html>"), caption="", actor=user)
    assert refused.value.message_dict == {"file": ["只接受 PDF、JPEG 或 PNG 格式的照片（按文件内容判断，改扩展名无效）。"]}
    with pytest.raises(ValidationError) as pdf_photo:
        reports.report_attachment_add(report=report, kind="photo", uploaded_file=upload("p.pdf", pdf_bytes()), caption="", actor=user)
    assert pdf_photo.value.message_dict == {"file": ["照片只接受 JPEG 或 PNG 图片；PDF 请作为附件上传。"]}
    big = SimpleUploadedFile("big.jpg", jpeg_bytes() + b"\0" * (reports.PHOTO_MAX_BYTES + 1), content_type="image/jpeg")
    with pytest.raises(ValidationError) as too_big:
        reports.report_attachment_add(report=report, kind="photo", uploaded_file=big, caption="", actor=user)
    assert "照片不能超过 10 MB" in too_big.value.message_dict["file"][0]
    assert report.attachments.count() == 2


# ---- At a glance and totals ------------------------------------------------------------------------------------


def test_states_by_school_count_filed_and_late_reports(trio, staff):
    (zj, zj_user), (js, js_user), sc = trio["zj"], trio["js"], trio["sc"][0]
    reports.report_submit(report=fill(start(zj, zj_user), zj_user), actor=zj_user, now=YEAR_1)
    start(js, js_user)
    summary = report_states_by_school([zj.pk, js.pk, sc.pk], now=YEAR_2)  # year 1 due 27 June 2024: past
    assert summary[zj.pk]["label"] == "已提交 1"
    assert summary[js.pk]["label"] == "草稿 1 · 逾期 1"
    assert summary[sc.pk]["label"] == "逾期 1"
    # A school that left owes nothing more: not late.
    withdrawal_acknowledge(request=withdrawal_request(experiment_school=sc, actor=trio["sc"][1], reason="专业调整。", now=YEAR_2),
                           actor=staff, now=YEAR_2)  # fmt: skip
    assert report_states_by_school([sc.pk], now=YEAR_2)[sc.pk] == {**{s: 0 for s in ReportState.values}, "late": 0, "label": "—"}


def test_totals_add_up_accepted_reports_by_group_province_category_and_year(trio, staff):
    (zj, zj_user), (js, js_user), (sc, sc_user) = trio["zj"], trio["js"], trio["sc"]

    def accepted(school, user, year, numbers, now):
        report = fill(start(school, user, year, now), user, numbers=numbers, reached_other_note="残疾人")
        return reports.report_accept(report=reports.report_submit(report=report, actor=user, now=now), actor=staff, now=now)

    accepted(zj, zj_user, 1, (100, 10, 1, 0, 0, 0, 0), YEAR_1)
    accepted(zj, zj_user, 2, (200, 20, 2, 0, 0, 0, 5), YEAR_2)
    accepted(js, js_user, 1, (1000, 0, 0, 7, 0, 0, 0), YEAR_1)
    reports.report_submit(report=fill(start(sc, sc_user), sc_user, numbers=NUMBERS), actor=sc_user, now=YEAR_1)  # not accepted: not counted

    totals = reached_totals()
    assert totals.reports == 3
    assert totals.by_group == [("社区居民", 1300), ("乡村居民", 30), ("老年人", 3), ("在职人员", 7), ("城乡待业人员", 0),
                               ("进城务工人员及新市民", 0), ("其它", 5)]  # fmt: skip
    assert totals.total == 1345
    assert totals.by_province == [("江苏省", [1000, 0, 0, 7, 0, 0, 0]), ("浙江省", [300, 30, 3, 0, 0, 0, 5])]
    assert totals.by_year == [("第1年", [1100, 10, 1, 7, 0, 0, 0]), ("第2年", [200, 20, 2, 0, 0, 0, 5])]
    # Each of the trio runs 老年教育赋能提质 and 职业教育助力乡村振兴 (fill_complete): each category
    # counts every accepted report once.
    assert {name: sum(numbers) for name, numbers in totals.by_category} == {"职业教育助力乡村振兴": 1345, "老年教育赋能提质": 1345}
