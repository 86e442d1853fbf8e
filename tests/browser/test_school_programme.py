"""A 实验校 on a phone (390 px), in a real browser: its workspace with the 七.7 warning after one
absence, registering two attendees for an upcoming activity (a bad number told next to the field,
then put right), its team page, an attendee with no account checking in at the venue through the
address the QR code holds, and the page for asking to leave."""
from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from programme import activities
from programme.checkin_qr import checkin_url
from programme.models import Invitation
from tests.browser.audit import PHONE
from tests.browser.steps import assert_error_next_to, log_in, log_out
from tests.programme.conftest import held, invite, make_activity, trio  # noqa: F401 (fixture)
from tests.programme.school_helpers import second_batch, upcoming  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]


def test_a_experiment_school_answers_checks_in_and_reads_its_pages_on_a_phone(page, audit, live_server, trio, staff_user):
    zj, user = trio["zj"]
    held(staff_user, timezone.now() - timedelta(days=30), [zj])  # one absence: warned
    seminar = upcoming(staff_user, [zj], title="2025年项目研讨交流会议", limit=2)
    start = (timezone.now() - timedelta(minutes=10)).replace(second=0, microsecond=0)
    training = make_activity(staff_user, start, title="2025年队伍培训", kind="training")
    invite(training, staff_user, [zj])
    activities.invitation_register(invitation=training.invitations.get(), actor=user, now=start - timedelta(days=10),
                                   attendees=[activities.AttendeeRow("王强", "教师", "13811113333")])  # fmt: skip

    page.set_viewport_size(PHONE)
    log_in(page, live_server, user.username)
    main = page.locator("main")
    assert "实验校工作台" in main.inner_text()
    assert "再缺席一次将视为退出" in main.inner_text() and "第 2 年" in main.inner_text()
    audit.check("workspace")

    with page.expect_navigation():
        page.get_by_role("link", name="回执/请假：2025年项目研讨交流会议", exact=True).click()
    page.locator("#id_attendee-0-name").fill("李红")
    page.locator("#id_attendee-0-title").fill("教务处处长")
    page.locator("#id_attendee-0-mobile").fill("1381111")
    page.locator("#id_attendee-1-name").fill("赵敏")
    page.locator("#id_attendee-1-title").fill("讲师")
    page.locator("#id_attendee-1-mobile").fill("13811114444")
    with page.expect_navigation():
        page.get_by_role("button", name="提交参会回执").click()
    assert_error_next_to(page, page.locator("#id_attendee-0-mobile"), "请输入 11 位中国大陆手机号码")
    assert page.locator("#id_attendee-1-name").input_value() == "赵敏"  # nothing typed is lost
    audit.check("invitation-error", status=400)
    page.locator("#id_attendee-0-mobile").fill("13811112222")
    with page.expect_navigation():
        page.get_by_role("button", name="提交参会回执").click()
    assert "参会回执已提交" in main.inner_text() and "李红（教务处处长）、赵敏（讲师）" in main.inner_text()
    audit.check("invitation-registered")
    assert [a.name for a in seminar.invitations.get().attendees.all()] == ["李红", "赵敏"]

    page.goto(f"{live_server.url}/programme/team/")
    assert "成为实验校" in main.inner_text()
    audit.check("team")
    page.goto(f"{live_server.url}/programme/withdraw/")
    assert "申请退出项目实施" in main.inner_text()
    audit.check("withdraw")
    page.goto(f"{live_server.url}/dashboard/")
    log_out(page)

    # At the venue: 王强 scans the QR code (no account) and types the number he was registered with.
    address = checkin_url(RequestFactory().get("/", SERVER_NAME=live_server.thread.host, SERVER_PORT=live_server.thread.port), training)
    page.goto(address)
    assert page.get_by_label("签到码").input_value() == training.checkin_code
    audit.check("checkin")
    page.get_by_label("报名时填写的手机号").fill("13811113333")
    with page.expect_navigation():
        page.get_by_role("button", name="签到").click()
    assert "签到成功" in main.inner_text() and "王强（教师）" in main.inner_text()
    audit.check("checkin-done")
    invitation = training.invitations.get()
    assert (invitation.attended, invitation.attendance_source) == (True, Invitation.AttendanceSource.CODE)
    audit.finish()
