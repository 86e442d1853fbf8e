"""The 实验周期 in a real browser, each step by the person who does it, through the pages: the project
group creates an activity (a mistake told next to its field, nothing typed lost) and invites a
batch of 实验校; school A registers an attendee on a phone; during the activity the attendee, with
no account, opens the check-in page from the QR code's address and checks in with the registered
mobile, which the staff attendance page shows; staff close the activity and school B, invited and
absent without leave, is warned "再缺席一次将视为退出"; school B misses a second activity, which puts
it in the exit queue with both activities as evidence; staff confirm, and school B's workspace
shows 视为退出（连续两次未参与项目组活动） and it was mailed.

The 实验校 themselves (a batch published some 400 days ago, in year 2 of its cycle, three schools)
are set up directly, as the application journey sets up the accounts it does not register. Every
page is checked as the role that sees it (tests/browser/audit.py): axe at desktop and phone width,
no sideways scrolling on a phone, the Nu HTML Checker, no console error.

The real clock cannot wait for an activity to begin or end: between steps the activity's times are
moved by a direct update (`move`), as if the days had passed; everything else happens at the real
now, as the pages read it.
"""
from datetime import timedelta

import pytest
from django.utils import timezone

from portal.models import OutgoingMail
from programme.models import Activity, ExitReview, ExperimentStatus, Invitation
from tests.browser.audit import PHONE
from tests.browser.steps import assert_error_next_to, log_in
from tests.programme.conftest import trio  # noqa: F401 (fixture)
from tests.programme.school_helpers import second_batch  # noqa: F401 (fixture: year 2 of the cycle today)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]

ATTENDEE = ("李红", "教务处处长", "13811112222")
AGENDA = "一、各实验校交流项目进展；\n二、项目组部署下一阶段工作。"


def local_input(moment) -> str:
    """A time as a datetime-local field takes it, in Beijing time."""
    return f"{timezone.localtime(moment):%Y-%m-%dT%H:%M}"


def nine_am(*, days: int):
    """09:00 Beijing time, `days` from today: when a meeting would start."""
    return timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=days)


@pytest.fixture
def phone(browser, audit):
    """Opens a new phone-sized browser (its own cookies: nobody signed in), its errors heard by the
    audit; each is closed after the test."""
    contexts = []

    def open_phone():
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN", timezone_id="Asia/Shanghai")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        audit.attach(page)
        return page

    yield open_phone
    for context in contexts:
        context.close()


def shown_to(audit, page):
    """The audit checks `page` from now on (each person in the journey has a browser of their own)."""
    audit.page = page
    return page


def move(activity, start, *, hours=3, deadline_before=timedelta(days=1)):
    """The clock would have to pass: the activity now starts at `start`, for `hours`, its
    registration deadline `deadline_before` its start."""
    Activity.objects.filter(pk=activity.pk).update(starts_at=start, ends_at=start + timedelta(hours=hours),
                                                   registration_deadline=start - deadline_before)  # fmt: skip


def fill_activity(page, *, title, kind, starts_at, place, deadline):
    """Staff fill in the new-activity page: a three-hour activity with an agenda."""
    page.get_by_label("活动类型").select_option(label=kind)
    page.get_by_label("活动名称").fill(title)
    page.get_by_label("开始时间（北京时间）").fill(local_input(starts_at))
    page.get_by_label("结束时间（北京时间）").fill(local_input(starts_at + timedelta(hours=3)))
    page.get_by_label("地点").fill(place)
    page.get_by_label("议程").fill(AGENDA)
    page.get_by_label("回执截止时间（北京时间）").fill(local_input(deadline))
    with page.expect_navigation():
        page.get_by_role("button", name="创建活动").click()


def invite_batch(page, batch):
    page.get_by_label(str(batch)).check()
    with page.expect_navigation():
        page.get_by_role("button", name="发送邀请").click()
    assert "已邀请 3 所实验校，并已通过平台和邮件通知" in page.locator(".messages").inner_text()


def close_activity(page, base, activity):
    page.goto(f"{base}/programme/staff/activities/{activity.pk}/")
    page.get_by_label("已核对签到和请假情况").check()
    with page.expect_navigation():
        page.get_by_role("button", name="关闭活动").click()
    return page.locator(".messages").inner_text()


def mark_present(page, school_name):
    """At the venue, on the staff attendance page: one school's 签到 button."""
    with page.expect_navigation():
        page.get_by_role("button", name=f"{school_name}签到", exact=True).click()
    assert f"{school_name}已签到" in page.locator(".messages").inner_text()


def test_activities_attendance_and_the_exit_rule(page, audit, phone, live_server, second_batch, trio, staff_user):
    base = live_server.url
    (school_a, user_a), (school_b, user_b), (school_c, _user_c) = trio["zj"], trio["js"], trio["sc"]
    name_a, name_b, name_c = (s.school.name for s in (school_a, school_b, school_c))
    staff = page
    phone_a = phone()
    attendee = phone()
    phone_b = phone()

    # --- 1. The project group creates an activity and invites the batch ------------------------
    shown_to(audit, staff)
    log_in(staff, live_server, staff_user.username)
    staff.goto(f"{base}/programme/staff/activities/")
    audit.check("staff-activities-empty")
    with staff.expect_navigation():
        staff.get_by_role("link", name="新建活动").click()
    audit.check("staff-activity-new")

    title = "2026年第二次项目研讨交流会议"
    starts_at = nine_am(days=10)
    # A slip: the deadline typed after the start. Told next to that field; the rest stays typed.
    fill_activity(staff, title=title, kind="研讨交流会议", starts_at=starts_at, place="北京市朝阳区会议中心 3 层报告厅",
                  deadline=starts_at + timedelta(days=1))  # fmt: skip
    assert "活动未创建，请按提示修改（已填写的内容已保留）" in staff.locator("main").inner_text()
    assert_error_next_to(staff, staff.get_by_label("回执截止时间（北京时间）"), "回执截止时间不能晚于活动开始时间")
    assert staff.get_by_label("活动名称").input_value() == title
    assert staff.get_by_label("地点").input_value() == "北京市朝阳区会议中心 3 层报告厅"
    assert staff.get_by_label("开始时间（北京时间）").input_value() == local_input(starts_at)
    assert staff.get_by_label("议程").input_value() == AGENDA
    assert not Activity.objects.exists()
    audit.check("staff-activity-error", status=400)

    staff.get_by_label("回执截止时间（北京时间）").fill(local_input(starts_at - timedelta(days=3)))
    with staff.expect_navigation():
        staff.get_by_role("button", name="创建活动").click()
    assert "活动已创建。请选择邀请的实验校。" in staff.locator(".messages").inner_text()
    seminar = Activity.objects.get()
    assert (seminar.title, seminar.kind, seminar.place) == (title, "seminar", "北京市朝阳区会议中心 3 层报告厅")
    assert seminar.starts_at == starts_at and seminar.counts_for_attendance
    audit.check("staff-activity-created")

    invite_batch(staff, second_batch)
    main = staff.locator("main")
    assert all(name in main.inner_text() for name in (name_a, name_b, name_c))
    assert "邀请 3 所" in main.inner_text() and "未回复 3 所" in main.inner_text()
    audit.check("staff-activity-invited")
    with staff.expect_navigation():
        staff.get_by_role("link", name="活动", exact=True).click()
    assert title in staff.locator("main").inner_text()
    audit.check("staff-activities-listed")

    # --- 2. School A, on a phone, sees the invitation and registers an attendee ----------------
    shown_to(audit, phone_a)
    log_in(phone_a, live_server, user_a.username)
    workspace = phone_a.locator("main").inner_text()
    assert "实验校工作台" in workspace and "第 2 年" in workspace
    assert title in workspace and f"活动通知：{title}" in workspace
    audit.check("school-a-workspace-invited")
    with phone_a.expect_navigation():
        phone_a.get_by_role("link", name=f"回执/请假：{title}", exact=True).click()
    assert "北京市朝阳区会议中心 3 层报告厅" in phone_a.locator("main").inner_text()
    audit.check("school-a-invitation")
    for field, value in zip(("name", "title", "mobile"), ATTENDEE):
        phone_a.locator(f"#id_attendee-0-{field}").fill(value)
    with phone_a.expect_navigation():
        phone_a.get_by_role("button", name="提交参会回执").click()
    assert "参会回执已提交" in phone_a.locator("main").inner_text()
    assert "李红（教务处处长）" in phone_a.locator("main").inner_text()
    audit.check("school-a-registered")
    assert [(a.name, a.title, a.mobile) for a in seminar.invitations.get(experiment_school=school_a).attendees.all()] == [ATTENDEE]

    # --- 3. During the activity the attendee checks in with the QR code's address -------------
    # Ten days would have to pass: the seminar began ten minutes ago (registration closed).
    move(seminar, timezone.now() - timedelta(minutes=10))
    shown_to(audit, staff)
    staff.goto(f"{base}/programme/staff/activities/{seminar.pk}/venue/")
    venue = staff.locator("main").inner_text()
    assert seminar.checkin_code[:4] in venue and "扫码签到" in venue
    address = staff.locator("main p.text-break").inner_text().strip()
    assert address == f"{base}/programme/checkin/{seminar.checkin_code}/"
    audit.check("staff-venue")

    shown_to(audit, attendee)
    attendee.goto(address)
    assert attendee.get_by_label("签到码").input_value() == seminar.checkin_code
    assert "项目组活动签到" in attendee.locator("main").inner_text()
    audit.check("attendee-checkin")
    attendee.get_by_label("报名时填写的手机号").fill(ATTENDEE[2])
    with attendee.expect_navigation():
        attendee.get_by_role("button", name="签到").click()
    done = attendee.locator("main").inner_text()
    assert "签到成功" in done and name_a in done and "李红（教务处处长）" in done and title in done
    audit.check("attendee-checked-in")

    # The staff attendance page (on the staff member's phone at the venue) shows it; school C's
    # people came without using the code: staff mark it there.
    shown_to(audit, staff)
    staff.set_viewport_size(PHONE)
    staff.goto(f"{base}/programme/staff/activities/{seminar.pk}/attendance/")
    row_a = staff.locator(f"#invitation-{seminar.invitations.get(experiment_school=school_a).pk}")
    assert "已签到" in row_a.inner_text() and "签到码" in row_a.inner_text()
    assert "已签到 1 / 3 所" in staff.locator("main").inner_text()
    mark_present(staff, name_c)
    assert "已签到 2 / 3 所" in staff.locator("main").inner_text()
    audit.check("staff-attendance")
    staff.set_viewport_size({"width": 1280, "height": 900})

    # --- 4. Staff close it after its end: school B, absent without leave, is warned -----------
    # The afternoon would have to pass: the seminar ended an hour ago.
    move(seminar, timezone.now() - timedelta(hours=4))
    said = close_activity(staff, base, seminar)
    assert "活动已关闭：参加 2 所，请假 0 所，缺席 1 所。首次缺席已提醒 1 所；连续两次缺席进入退出审核 0 所。" in said
    closed = staff.locator("main").inner_text()
    assert f"{name_b}：缺席，已提醒“再缺席一次将视为退出”" in closed
    audit.check("staff-activity-closed")

    shown_to(audit, phone_b)
    log_in(phone_b, live_server, user_b.username)
    workspace = phone_b.locator("main").inner_text()
    assert "贵校已连续缺席 1 次项目组活动，再缺席一次将视为退出。" in workspace
    audit.check("school-b-warned")
    warning = [m for m in OutgoingMail.objects.all() if user_b.email in m.to and "再缺席一次将视为退出" in m.body
               and "记缺席一次" in m.body]  # fmt: skip
    assert len(warning) == 1 and title in warning[0].body

    # --- 5. A second activity; school B is absent again and reaches the exit queue -------------
    shown_to(audit, staff)
    training_title = "2026年实验校项目团队培训"
    training_starts = nine_am(days=30)
    staff.goto(f"{base}/programme/staff/activities/new/")
    fill_activity(staff, title=training_title, kind="队伍培训", starts_at=training_starts, place="浙江省杭州市西湖区培训中心",
                  deadline=training_starts - timedelta(days=7))  # fmt: skip
    assert "活动已创建" in staff.locator(".messages").inner_text()
    training = Activity.objects.get(title=training_title)
    invite_batch(staff, second_batch)
    # A month would have to pass: the training was held yesterday, the seminar a month ago (the
    # order of the two is what 七.7 reads). Schools A and C were at the training.
    move(seminar, nine_am(days=-30))
    move(training, nine_am(days=-1))
    staff.goto(f"{base}/programme/staff/activities/{training.pk}/attendance/")
    mark_present(staff, name_a)
    mark_present(staff, name_c)
    said = close_activity(staff, base, training)
    assert "缺席 1 所。首次缺席已提醒 0 所；连续两次缺席进入退出审核 1 所。" in said
    assert f"{name_b}：缺席，连续两次缺席，已进入退出审核" in staff.locator("main").inner_text()
    audit.check("staff-training-closed")

    with staff.expect_navigation():
        staff.get_by_role("link", name="退出审核", exact=True).first.click()
    review = ExitReview.objects.get()
    card = staff.locator(f"#review-{review.pk}")
    evidence = card.inner_text()
    assert name_b in evidence and title in evidence and training_title in evidence
    assert name_a not in staff.locator("main").inner_text() and name_c not in staff.locator("main").inner_text()
    audit.check("staff-exit-queue")
    card.get_by_label("确认该校视为退出").check()
    with staff.expect_navigation():
        card.get_by_role("button", name="确认视为退出").click()
    assert f"已确认{name_b}视为退出，并已通知学校。" in staff.locator(".messages").inner_text()
    assert "没有待审核的学校" in staff.locator("main").inner_text()
    audit.check("staff-exit-confirmed")
    school_b.refresh_from_db()
    assert school_b.status == ExperimentStatus.DEEMED_WITHDRAWN

    shown_to(audit, phone_b)
    phone_b.goto(f"{base}/dashboard/")
    workspace = phone_b.locator("main").inner_text()
    assert "视为退出（连续两次未参与项目组活动）" in workspace
    assert "视为退出：连续两次未参与项目组活动" in workspace  # the project group's notice
    assert "还剩" not in workspace and "连续缺席项目组活动：" not in workspace  # its cycle stopped with it
    audit.check("school-b-deemed-withdrawn")
    mailed = [m for m in OutgoingMail.objects.filter(subject="视为退出：连续两次未参与项目组活动") if user_b.email in m.to]
    assert len(mailed) == 1 and title in mailed[0].body and training_title in mailed[0].body
    assert "经项目组审核，贵校视为退出项目实施" in mailed[0].body

    # School A attended both and stays 实验中, with nothing in a row.
    assert {i.outcome for i in Invitation.objects.filter(experiment_school=school_a)} == {"attended"}
    audit.finish()
