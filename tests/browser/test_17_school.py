"""Issue 17, the school, in a real browser at 1280 and 390 px with the audits: the dashboard of a
school that applied in the first batch names its province's deadline with the time left, the step
it is at and where to post the paper copy, and offers to start from last time; started from it, the
form holds the earlier content; returned by its province, the dashboard and the form say so at the
top (reason, who, when, by when) and the sections read 请核对."""
from datetime import timedelta

import pytest
from django.utils import timezone

from applications.models import Application
from review.provincial import province_return
from tests.applications.test_17_school import ADDRESS, REASON, ZHEJIANG, earlier, first_batch  # noqa: F401 (fixtures)
from tests.browser.audit import PHONE
from tests.browser.steps import log_in
from tests.review.helpers import reload, submit_complete

pytestmark = [
    pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data", "private_media"),
]  # fmt: skip


def squeezed(text: str) -> str:
    """`text` without any blank or line break (the page breaks lines between its elements)."""
    return "".join(text.split())


def test_the_school_knows_what_to_do_next_starts_from_last_time_and_reads_a_return_at_the_top(
    page, audit, live_server, batch, zhejiang_window, user_a, zhejiang_reviewer, earlier  # noqa: F811
):
    zhejiang_window.paper_required, zhejiang_window.paper_address = True, ADDRESS
    zhejiang_window.school_deadline = timezone.now() + timedelta(days=22, hours=5, minutes=30)
    zhejiang_window.save()
    log_in(page, live_server, user_a.username)
    main = page.locator("main")

    text = main.inner_text()
    assert f"（{ZHEJIANG}，北京时间）" in text and "还剩 22 天 5 小时" in text
    assert "1. 填写" in text and "当前步骤" in page.locator("[aria-current=step]").inner_text()
    assert f"请将签字盖章的纸质版申请表寄至{ADDRESS}" in text
    assert f"上次申报：第一批实验校 · 申请编号 {earlier.number}" in text
    audit.check("dashboard-before-starting")

    with page.expect_navigation():
        page.get_by_role("button", name="以上次申报的内容开始填写").click()
    assert f"已以申请编号 {earlier.number}（第一批实验校）的内容开始填写" in main.inner_text()
    assert page.locator("#id_plan_name").input_value() == earlier.plan_name
    assert page.locator("#id_team-2-name").input_value() == "刘芳"
    assert page.locator("#id_pledge_signatory").input_value() == ""
    audit.check("form-started-from-earlier")

    page.goto(f"{live_server.url}/dashboard/")
    text = main.inner_text()
    assert "进度：5/7部分已完成" in squeezed(text)
    assert "以上次申报的内容开始填写" not in text
    audit.check("dashboard-draft")

    # The school finishes, prints, uploads and submits; Zhejiang returns it with a reason.
    application = Application.objects.get(batch=batch, school=user_a.school)
    application.other_project_name = ""  # the helper ticks two listed projects, not 其它
    submitted = submit_complete(application, user_a)
    province_return(application=submitted, actor=zhejiang_reviewer, reason=REASON)

    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/dashboard/")
    notice = page.get_by_role("region", name="退回意见")
    assert REASON in notice.inner_text() and ZHEJIANG in notice.inner_text() and "重新提交截止" in notice.inner_text()
    box = notice.bounding_box()
    assert box is not None and box["y"] < PHONE["height"]  # on the phone's first screen, unscrolled
    assert "进度：请按退回意见修改" in squeezed(main.inner_text())
    audit.check("dashboard-returned")

    with page.expect_navigation():
        page.get_by_role("link", name="继续填写").click()
    notice = page.get_by_role("region", name="退回意见")
    assert REASON in notice.inner_text()
    assert notice.bounding_box()["y"] < PHONE["height"]
    assert page.locator("[data-section-state]").all_inner_texts() == ["请核对"] * 7
    audit.check("form-returned")

    assert reload(submitted).status == "returned"
    assert page.console_errors == []
    audit.finish()
