"""The 年度工作报告 in the browser: the school writes its report on a phone (390 px), the text is
autosaved without pressing a button and is there after a reload; a negative number is told next to
its field; the project group returns it with a reason on a desktop (1280 px), the school reads the
reason and the comment. Screenshots of each page go to the run's artifacts (and to
$REPORT_SHOTS_DIR when set)."""
import os
import shutil
from datetime import timedelta

import pytest
from django.utils import timezone

from programme import reports
from programme.experiment_schools import experiment_schools_create_for
from programme.models import AnnualReport, ExperimentSchool, ReportState
from tests.browser.conftest import screenshot
from tests.browser.steps import log_in, log_out
from tests.programme.conftest import published_batch, selected_application
from tests.programme.report_helpers import fill

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def shot(page, name):
    path = screenshot(page, name)
    target = os.environ.get("REPORT_SHOTS_DIR")
    if target:
        os.makedirs(target, exist_ok=True)
        shutil.copy(path, os.path.join(target, f"{name}.png"))


@pytest.fixture
def experiment_school(db):
    batch = published_batch(meeting_on=timezone.localdate() - timedelta(days=450))  # year 2 of the cycle
    application, user = selected_application(batch, "浙江实验职业技术学院", "330000")
    experiment_schools_create_for(batch=batch)
    return ExperimentSchool.objects.get(application=application), user


def test_a_school_writes_its_report_on_a_phone_and_the_project_group_returns_it(page, live_server, experiment_school, staff_user):
    school, user = experiment_school
    page.set_viewport_size(PHONE)
    log_in(page, live_server, user.username)
    page.goto(f"{live_server.url}/programme/reports/")
    shot(page, "school-list-390")
    with page.expect_navigation():
        page.get_by_role("button", name="开始填写").first.click()
    report = AnnualReport.objects.get(experiment_school=school, year=2)
    assert page.url.endswith(f"/programme/reports/{report.pk}/edit/")

    page.get_by_label("存在的问题").fill("乡村学习点网络条件不足，部分课程只能线下开展。")
    page.get_by_label("社区居民").fill("1200")
    page.locator("#autosave-status").filter(has_text="已自动保存").wait_for()
    report.refresh_from_db()
    assert (report.problems, report.reached_community) == ("乡村学习点网络条件不足，部分课程只能线下开展。", 1200)
    page.reload()
    assert page.get_by_label("存在的问题").input_value() == "乡村学习点网络条件不足，部分课程只能线下开展。"
    shot(page, "school-edit-390")

    page.get_by_label("老年人").fill("-5")
    with page.expect_navigation():
        page.get_by_role("button", name="保存草稿").click()
    field = page.get_by_label("老年人")
    assert field.input_value() == "-5"
    assert "人数不能为负数。" in page.locator("#div_id_reached_elderly").inner_text()
    assert page.get_by_label("存在的问题").input_value() == "乡村学习点网络条件不足，部分课程只能线下开展。"
    shot(page, "school-edit-error-390")

    # Submitted complete (the rest filled in as the school would), then read by the project group.
    report = reports.report_submit(report=fill(report, user), actor=user)
    log_out(page)
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, staff_user.username)
    page.goto(f"{live_server.url}/programme/reports/staff/?batch={school.batch_id}")
    page.get_by_role("link", name="年度报告").wait_for()
    shot(page, "staff-list-1280")
    page.set_viewport_size(PHONE)
    shot(page, "staff-list-390")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/programme/reports/{report.pk}/")
    page.get_by_label("业务指导意见（学校可见）").fill("培训部分写得很具体，建议补充学员反馈。")
    with page.expect_navigation():
        page.get_by_role("button", name="发送指导意见").click()
    page.get_by_role("radio", name="退回修改").check()
    page.get_by_label("退回原因（退回修改时必填，学校可见）").fill("请补充课程清单")
    with page.expect_navigation():
        page.get_by_role("button", name="提交结论").click()
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED
    shot(page, "staff-detail-1280")
    # Another 实验校 of the batch, in Jiangsu, whose report of year 1 was accepted: the totals count it.
    application, other_user = selected_application(school.batch, "江苏实验职业技术学院", "320000")
    experiment_schools_create_for(batch=school.batch)
    other = ExperimentSchool.objects.get(application=application)
    accepted = reports.report_submit(report=fill(reports.report_start(experiment_school=other, year=1, actor=other_user), other_user), actor=other_user)
    reports.report_accept(report=accepted, actor=staff_user)
    page.goto(f"{live_server.url}/programme/reports/staff/totals/")
    assert "已通过的年度工作报告 1 份，合计服务 3160 人次" in page.inner_text("body")
    shot(page, "staff-totals-1280")
    page.set_viewport_size(PHONE)
    shot(page, "staff-totals-390")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/programme/reports/staff/deadlines/?batch={school.batch_id}")
    shot(page, "staff-deadlines-1280")
    log_out(page)

    page.set_viewport_size(PHONE)
    log_in(page, live_server, user.username)
    page.goto(f"{live_server.url}/programme/reports/")
    text = page.locator("main").inner_text() if page.locator("main").count() else page.inner_text("body")
    assert "退回原因：请补充课程清单" in text and "培训部分写得很具体，建议补充学员反馈。" in text
    shot(page, "school-returned-390")
    page.goto(f"{live_server.url}/programme/reports/{report.pk}/")
    shot(page, "school-detail-390")
    # The autosave of "-5" was answered 400 (nothing stored), which the browser logs; nothing else.
    assert [e for e in page.console_errors if "status of 400" not in e] == []
