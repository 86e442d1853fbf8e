"""Issue 17, the school: the dashboard and the form say at the top when the application was
returned (the reason, who returned it, when, the deadline to resubmit by) and stop calling every
section 已完成; the dashboard names the one deadline that applies (the province's window, else the
national one) with the time left, the progress, the step the school is at and where to post the
paper copy; a school that applied in an earlier batch may start from that application's content."""
import re
from datetime import date, timedelta

import pytest
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, Batch, ProjectCategory, Route, Status, TimelineEntry
from applications.next_step import time_left_in_words
from applications.services import application_get_or_create, refresh_version_code, scan_upload
from applications.workflow import Deadline, submit
from review.formal_check import formal_check_decide
from review.models import FormalCheck
from review.provincial import province_return
from tests.applications.pages import section_badges
from tests.conftest import aware, fill_complete, png_bytes, upload
from tests.review.helpers import reload, submit_complete

ZHEJIANG = "浙江省成人教育与职业教育协会"
PROJECT_GROUP = "中国成人教育协会 职业院校服务全民终身学习项目组"
REASON = "实验方案的实施步骤未写明时间安排，请补充每学期的具体安排后重新上传。"
ADDRESS = "杭州市教工路 42 号 A803（请寄顺丰）"


@pytest.fixture(autouse=True)
def _private_media(private_media):
    """Scans go to a temporary directory."""


def visible_text(html: str) -> str:
    """The page's text as a reader meets it: tags out, runs of blanks one space."""
    body = re.sub(r"(?s)<(script|style|template)\b.*?</\1>", " ", html)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def dashboard_text(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return visible_text(response.content.decode())


def page_text(client, user, name, application) -> str:
    client.force_login(user)
    response = client.get(reverse(f"applications:{name}", args=[application.pk]))
    assert response.status_code == 200
    return visible_text(response.content.decode())


def beijing(at) -> str:
    local = timezone.localtime(at)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


# ---- The one deadline, with the time left ---------------------------------------------------------


def test_time_left_counts_days_and_hours_then_hours_and_minutes_then_says_closed():
    deadline = Deadline(aware(2023, 4, 20, 23, 59), ZHEJIANG, Route.PROVINCIAL)
    assert time_left_in_words(deadline, aware(2023, 4, 17, 18, 30)) == "还剩 3 天 5 小时"
    assert time_left_in_words(deadline, aware(2023, 4, 20, 21, 40)) == "还剩 2 小时 20 分钟"
    assert time_left_in_words(deadline, aware(2023, 4, 20, 23, 52)) == "还剩 8 分钟"
    # Shown as 23:59, the deadline accepts to the end of that minute (workflow.deadline_end).
    assert time_left_in_words(deadline, aware(2023, 4, 20, 23, 59, 30)) == "还剩不到 1 分钟"
    assert time_left_in_words(deadline, aware(2023, 4, 21, 0, 0)) == "已截止"


def test_a_zhejiang_school_reads_its_provinces_deadline_not_the_national_one(client, batch, zhejiang_window, user_a):
    zhejiang_window.school_deadline = timezone.now() + timedelta(days=3, hours=5, minutes=30)
    zhejiang_window.save()

    text = dashboard_text(client, user_a)

    assert f"提交截止： {beijing(zhejiang_window.school_deadline)}（{ZHEJIANG}，北京时间） 还剩 3 天 5 小时" in text
    assert beijing(batch.national_deadline) not in text


def test_a_school_whose_province_runs_no_window_reads_the_national_deadline(client, batch, zhejiang_window, user_direct):
    batch.national_deadline = timezone.now() + timedelta(days=30, hours=5, minutes=30)
    batch.save()

    text = dashboard_text(client, user_direct)

    assert f"提交截止： {beijing(batch.national_deadline)}（中国成人教育协会项目组，北京时间） 还剩 30 天 5 小时" in text
    assert beijing(zhejiang_window.school_deadline) not in text


def test_a_zhejiang_school_that_chose_to_apply_directly_reads_the_national_deadline(client, batch, application_a, user_a):
    Application.objects.filter(pk=application_a.pk).update(route=Route.DIRECT)

    text = dashboard_text(client, user_a)

    assert f"提交截止： {beijing(batch.national_deadline)}（中国成人教育协会项目组，北京时间）" in text


def test_past_its_provinces_window_a_school_reads_closed_and_that_it_may_still_apply_directly(client, batch, zhejiang_window, application_a, user_a):
    zhejiang_window.school_deadline = timezone.now() - timedelta(hours=2)
    zhejiang_window.save()

    text = dashboard_text(client, user_a)

    assert f"提交截止： {beijing(zhejiang_window.school_deadline)}（{ZHEJIANG}，北京时间） 已截止" in text
    national = timezone.localtime(batch.national_deadline)
    assert f"下一步： 本省推荐渠道的提交截止时间已过；仍可在 {national:%Y年%m月%d日 %H:%M}（北京时间）前改为直接向项目组申报" in text


def test_past_the_national_deadline_a_direct_school_reads_closed(client, batch, user_direct):
    batch.national_deadline = timezone.now() - timedelta(minutes=5)
    batch.save()

    text = dashboard_text(client, user_direct)

    assert "已截止" in text and "下一步： 提交截止时间已过，不能再开始申报" not in text
    assert "下一步： 提交截止时间已过，不能再提交。" in text


# ---- Progress and the step the school is at -------------------------------------------------------


def steps(text: str) -> str:
    return text.split("进度：", 1)[1].split("下一步：", 1)[0]


def test_before_starting_the_school_is_at_the_first_step(client, batch, zhejiang_window, user_a):
    text = dashboard_text(client, user_a)

    assert "进度： 0/7 部分已完成" in text
    assert "1. 填写 当前步骤 → 2. 下载打印 → 3. 签章上传 → 4. 提交" in steps(text)
    assert f"下一步： 开始填写实验校资格申请表，在截止时间前提交至{ZHEJIANG}。" in text


def test_a_draft_reads_how_many_parts_are_done_and_which_remain(client, application_a, user_a):
    text = dashboard_text(client, user_a)

    # An empty form: only 一、学校基本信息 (from the school's profile) is done.
    assert "进度： 1/7 部分已完成" in text
    assert "1. 填写 当前步骤 → 2. 下载打印" in steps(text)
    assert "下一步： 继续填写：还有 6 个部分未完成（负责人与项目对接人、项目小组成员、具体实施项目、实验方案、单位承诺书、单位意见与上级主管部门意见）。" in text


def test_a_complete_form_without_a_scan_is_at_printing(client, complete_application_a, user_a):
    text = dashboard_text(client, user_a)

    assert "进度： 7/7 部分已完成" in text
    assert "1. 填写 已完成 → 2. 下载打印 当前步骤 → 3. 签章上传 → 4. 提交" in steps(text)
    assert f"下一步： 申请表已填写完整：请下载打印申请表 PDF（版本码 {complete_application_a.version_code}）" in text


def test_a_scan_of_an_older_version_sends_the_school_back_to_printing(client, complete_application_a, user_a):
    scan_upload(application=complete_application_a, uploaded_file=upload("s.png", png_bytes()), actor=user_a)
    changed = fill_complete(reload(complete_application_a), lead_name="李新")

    text = dashboard_text(client, user_a)

    assert "2. 下载打印 当前步骤" in steps(text)
    assert f"下一步： 上传的扫描件与当前内容不一致，请重新下载打印申请表 PDF（版本码 {changed.version_code}）" in text


def test_with_the_current_scan_the_school_is_at_submitting(client, complete_application_a, user_a):
    scan_upload(application=complete_application_a, uploaded_file=upload("s.png", png_bytes()), actor=user_a)

    text = dashboard_text(client, user_a)

    assert "1. 填写 已完成 → 2. 下载打印 已完成 → 3. 签章上传 已完成 → 4. 提交 当前步骤" in steps(text)
    assert f"下一步： 已上传与当前内容一致的盖章扫描件：请检查并提交至{ZHEJIANG}。" in text


def test_once_submitted_every_step_is_done_and_the_school_waits(client, complete_application_a, user_a, zhejiang_reviewer):
    submit_complete(complete_application_a, user_a)

    text = dashboard_text(client, user_a)

    assert "4. 提交 已完成" in text and "当前步骤" not in text
    assert f"下一步： 已提交至{ZHEJIANG}，等待审核推荐。" in text
    assert "提交截止：" not in text  # nothing left to submit by


# ---- The paper copy -------------------------------------------------------------------------------


@pytest.fixture
def paper_window(zhejiang_window):
    zhejiang_window.paper_required, zhejiang_window.paper_address = True, ADDRESS
    zhejiang_window.full_clean()
    zhejiang_window.save()
    return zhejiang_window


def test_where_the_province_wants_paper_the_dashboard_says_where_before_submitting(client, paper_window, application_a, user_a):
    text = dashboard_text(client, user_a)

    assert f"{ZHEJIANG}要求寄送纸质版：提交后，请将签字盖章的纸质版申请表寄至{ADDRESS}（联系人 周依依，0571-88031215）。" in text


def test_after_submitting_the_dashboard_keeps_saying_where_to_post_it(client, paper_window, application_a, user_a, zhejiang_reviewer):
    submit_complete(application_a, user_a)

    text = dashboard_text(client, user_a)

    # The contact's number is a tap-to-call link (issue 17), a text node of its own.
    assert f"纸质版寄至：{ADDRESS}；联系人：周依依， 0571-88031215" in text
    assert "提交后，请将签字盖章的纸质版" not in text  # said once, as done


def test_a_school_applying_directly_is_not_told_to_post_paper_to_its_province(client, paper_window, application_a, user_a):
    Application.objects.filter(pk=application_a.pk).update(route=Route.DIRECT)

    assert "纸质版" not in dashboard_text(client, user_a)


def test_a_province_that_wants_no_paper_is_not_mentioned(client, zhejiang_window, application_a, user_a):
    assert "纸质版" not in dashboard_text(client, user_a)


# ---- Returned for changes -------------------------------------------------------------------------


@pytest.fixture
def returned_by_zhejiang(complete_application_a, user_a, zhejiang_reviewer):
    submitted = submit_complete(complete_application_a, user_a)
    province_return(application=submitted, actor=zhejiang_reviewer, reason=REASON)
    return reload(submitted)


def return_notice_text(text: str) -> str:
    """The notice's own text: from its heading to its deadline line."""
    start = text.index("申请表被退回")
    return text[start:text.index("重新提交截止", start) + 80]


def test_the_dashboard_says_at_the_top_who_returned_it_why_when_and_by_when(client, returned_by_zhejiang, user_a, zhejiang_window):
    returned_at = TimelineEntry.objects.get(application=returned_by_zhejiang, action="province_return").at
    zhejiang_window.school_deadline = timezone.now() + timedelta(days=5, hours=3, minutes=30)
    zhejiang_window.save()

    text = dashboard_text(client, user_a)

    notice = return_notice_text(text)
    assert notice.startswith("申请表被退回修改：请按退回意见修改后重新打印、签章、上传并提交")
    assert f"退回意见 {REASON}" in notice and f"退回单位 {ZHEJIANG}" in notice
    assert f"退回时间 {beijing(returned_at)}" in notice
    assert f"重新提交截止 {beijing(zhejiang_window.school_deadline)} （北京时间） 还剩 5 天 3 小时 ，提交至{ZHEJIANG}" in notice
    # At the top: before the status and the steps of the batch; the deadline is said once, there.
    assert text.index("申请表被退回修改") < text.index("申请编号") < text.index("进度：")
    assert "提交截止：" not in text


def test_while_returned_the_dashboard_does_not_call_it_complete(client, returned_by_zhejiang, user_a):
    text = dashboard_text(client, user_a)

    assert "进度： 请按退回意见修改" in text and "7/7 部分已完成" not in text
    assert "1. 填写 当前步骤" in steps(text)
    assert f"下一步： 请按退回意见修改申请表，然后重新下载打印、签字盖章、上传扫描件，再次提交至{ZHEJIANG}。" in text


def test_a_returned_school_is_told_once_where_to_post_the_paper_copy(client, paper_window, returned_by_zhejiang, user_a):
    text = dashboard_text(client, user_a)

    assert text.count(ADDRESS) == 1 and f"纸质版寄至：{ADDRESS}" in text


def test_the_form_says_it_at_the_top_and_its_finished_sections_read_check_them(client, returned_by_zhejiang, user_a):
    client.force_login(user_a)
    html = client.get(reverse("applications:edit", args=[returned_by_zhejiang.pk])).content.decode()
    text = visible_text(html)

    # Above the form and the list of its sections beside it.
    assert text.index(f"退回意见 {REASON}") < text.index("一、学校基本信息 请核对") < text.index("申报基本条件")
    assert f"退回单位 {ZHEJIANG}" in text
    assert set(section_badges(html).values()) == {"请核对"}
    assert "已完成" not in text.split("申报基本条件", 1)[0]  # nor in the sections' list beside the form


def test_a_section_missing_something_after_a_return_still_says_so(client, returned_by_zhejiang, user_a):
    Application.objects.filter(pk=returned_by_zhejiang.pk).update(unit_opinion="")
    client.force_login(user_a)
    html = client.get(reverse("applications:edit", args=[returned_by_zhejiang.pk])).content.decode()

    states = section_badges(html)
    assert states["opinions"] == "未完成" and states["plan"] == "请核对"


def test_the_submit_and_detail_pages_say_it_at_the_top_too(client, returned_by_zhejiang, user_a):
    for name in ("submit", "detail"):
        text = page_text(client, user_a, name, returned_by_zhejiang)
        assert f"退回意见 {REASON}" in text and f"退回单位 {ZHEJIANG}" in text, name


def test_once_a_new_scan_is_uploaded_after_the_return_the_school_is_at_submitting_again(client, returned_by_zhejiang, user_a):
    revised = fill_complete(reload(returned_by_zhejiang), lead_name="李新")
    scan_upload(application=revised, uploaded_file=upload("s2.png", png_bytes()), actor=user_a)

    text = dashboard_text(client, user_a)
    client.force_login(user_a)
    html = client.get(reverse("applications:edit", args=[revised.pk])).content.decode()

    assert "进度： 7/7 部分已完成" in text and "4. 提交 当前步骤" in steps(text)
    assert set(section_badges(html).values()) == {"已完成"}
    assert f"退回意见 {REASON}" in text  # the reason stays in sight until it is submitted again


def test_the_return_notice_goes_once_it_is_submitted_again(client, returned_by_zhejiang, user_a):
    revised = fill_complete(reload(returned_by_zhejiang), lead_name="李新")
    scan_upload(application=revised, uploaded_file=upload("s2.png", png_bytes()), actor=user_a)
    submit(application=reload(revised), actor=user_a)

    assert "申请表被退回" not in dashboard_text(client, user_a)
    assert "申请表被退回" not in page_text(client, user_a, "detail", revised)


def test_a_return_for_correction_names_the_project_group_and_the_correction_deadline(client, batch, user_direct, staff_user):
    application = application_get_or_create(batch=batch, school=user_direct.school, actor=user_direct)
    submitted = submit_complete(application, user_direct)
    correction_deadline = aware(2099, 5, 12, 17, 0)
    formal_check_decide(application=submitted, actor=staff_user, outcome=FormalCheck.Outcome.RETURNED, reason=REASON,
                        correction_deadline=correction_deadline)  # fmt: skip

    text = dashboard_text(client, user_direct)

    notice = return_notice_text(text)
    assert notice.startswith("申请表被退回补正")
    assert f"退回意见 {REASON}" in notice and "前补正：" not in notice  # the reason alone
    assert f"退回单位 {PROJECT_GROUP}" in notice
    assert "重新提交截止 2099年5月12日 17:00 （北京时间） 还剩 " in notice and " ，补正后直接提交中国成人教育协会项目组" in notice
    assert "提交截止：" not in text  # said once, in the notice


def test_reviewers_pages_do_not_get_the_schools_notice(client, returned_by_zhejiang, zhejiang_reviewer):
    client.force_login(zhejiang_reviewer)
    html = client.get(reverse("review:province_application", args=[returned_by_zhejiang.pk])).content.decode()

    # No section badge reads 请核对 (the scan viewer's own page-count warning may say 请核对是否漏扫).
    assert ">请核对</span>" not in html and "重新提交截止" not in html


# ---- Start from last time -------------------------------------------------------------------------


@pytest.fixture
def first_batch(db):
    """The first batch (中成协〔2022〕012号), closed a year before the second."""
    return Batch.objects.create(
        title="关于申报“职业院校服务全民终身学习项目”第一批实验校的通知", short_name="第一批实验校",
        document_number="中成协〔2022〕012号", year=2022, issued_on=date(2022, 3, 10),
        national_deadline=timezone.now() + timedelta(days=10), contact_name="彭老师", contact_phones="010-81299751",
        contact_email="pengfang@enaea.edu.cn",
    )  # fmt: skip


@pytest.fixture
def earlier(first_batch, batch, user_a, zhejiang_window):
    """School A's submitted application of the first batch (directly: Zhejiang ran no window then),
    signed, scanned and with a 其它 project; then the first batch closes, a year before the second."""
    application = application_get_or_create(batch=first_batch, school=user_a.school, actor=user_a)
    application = fill_complete(application, lead_name="陈立群")
    application.lead_title, application.lead_title_note = "副校长", ""
    application.other_project_name = "家校共育"
    application.save()
    application.projects.set(ProjectCategory.objects.filter(Q(code="elderly-education") | Q(is_other=True)))
    refresh_version_code(application)
    scan_upload(application=reload(application), uploaded_file=upload("s.png", png_bytes()), actor=user_a)
    submit(application=reload(application), actor=user_a)
    Batch.objects.filter(pk=first_batch.pk).update(is_open=False, national_deadline=batch.national_deadline - timedelta(days=365))
    return reload(application)


def start(client, user, batch, **data):
    client.force_login(user)
    return client.post(reverse("applications:start", args=[batch.pk]), data)


def test_the_dashboard_offers_to_start_from_the_earlier_application(client, batch, earlier, user_a):
    text = dashboard_text(client, user_a)

    assert "以上次申报的内容开始填写" in text
    assert f"上次申报：第一批实验校 · 申请编号 {earlier.number}。将带入负责人与项目对接人、项目小组成员、具体实施项目和实验方案" in text


def test_starting_from_it_copies_the_team_projects_and_plan_and_nothing_signed(client, batch, earlier, user_a):
    response = start(client, user_a, batch, start_from=earlier.pk)

    new = Application.objects.get(batch=batch, school=user_a.school)
    assert response.status_code == 302 and response["Location"] == reverse("applications:edit", args=[new.pk])
    copied = ("lead_name", "lead_title", "lead_mobile", "liaison_name", "liaison_title", "liaison_mobile",
              "other_project_name", "plan_name", "plan_content", "plan_steps", "plan_goals", "plan_features")  # fmt: skip
    assert {name: getattr(new, name) for name in copied} == {name: getattr(earlier, name) for name in copied}
    assert sorted(new.projects.values_list("code", flat=True)) == sorted(earlier.projects.values_list("code", flat=True))
    team = ("position", "name", "title", "department", "mobile", "duty")
    assert list(new.team.values_list(*team)) == list(earlier.team.values_list(*team))
    # Not copied: what was signed or sealed for the first batch, and what the portal gave it.
    assert (new.pledge_signatory, new.pledge_accepted_at, new.unit_opinion, new.supervisor_name) == ("", None, "", "")
    assert (new.status, new.route, new.submitted_at, new.scans.count()) == (Status.DRAFT, Route.PROVINCIAL, None, 0)
    assert new.number != earlier.number and new.number.startswith("2023-")
    assert new.version_code != earlier.version_code and new.version_code == refresh_version_code(new)
    assert earlier.team.count() == 3 and reload(earlier).status == earlier.status  # the earlier one is left as it was


def test_the_new_application_says_it_was_started_from_the_earlier_one(client, batch, earlier, user_a):
    start(client, user_a, batch, start_from=earlier.pk)
    new = Application.objects.get(batch=batch, school=user_a.school)

    edit = page_text(client, user_a, "edit", new)  # where the start sent it, with the message
    text = page_text(client, user_a, "detail", new)

    assert f"以申请编号 {earlier.number}（第一批实验校）的内容开始填写：负责人与项目对接人、项目小组成员、具体实施项目、实验方案" in text
    assert f"已以申请编号 {earlier.number}（第一批实验校）的内容开始填写：请逐项核对修改" in edit
    # It waits for the school's own 承诺书 and 单位意见 before it is complete.
    assert "进度： 5/7 部分已完成" in dashboard_text(client, user_a)


def test_it_is_not_offered_once_the_school_has_a_draft_in_the_open_batch(client, batch, earlier, user_a):
    start(client, user_a, batch)

    assert "以上次申报的内容开始填写" not in dashboard_text(client, user_a)


def test_starting_from_it_over_an_existing_draft_changes_nothing(client, batch, earlier, user_a):
    start(client, user_a, batch)
    draft = Application.objects.get(batch=batch, school=user_a.school)

    response = start(client, user_a, batch, start_from=earlier.pk)

    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert "本校已有第二批实验校的申请表" in dashboard_text(client, user_a)
    assert Application.objects.filter(batch=batch, school=user_a.school).count() == 1
    assert (reload(draft).plan_name, draft.team.count()) == ("", 0)


def test_a_school_that_never_submitted_before_is_not_offered_it(client, batch, first_batch, user_a, zhejiang_window):
    application_get_or_create(batch=first_batch, school=user_a.school, actor=user_a)  # a draft, never submitted
    Batch.objects.filter(pk=first_batch.pk).update(is_open=False, national_deadline=batch.national_deadline - timedelta(days=365))

    assert "以上次申报的内容开始填写" not in dashboard_text(client, user_a)


def test_another_schools_application_cannot_be_started_from(client, batch, earlier, user_b, jiangsu_window):
    response = start(client, user_b, batch, start_from=earlier.pk)

    assert response.status_code == 404
    assert not Application.objects.filter(batch=batch, school=user_b.school).exists()


def test_junk_in_start_from_is_a_404_and_starts_nothing(client, batch, user_a, zhejiang_window):
    response = start(client, user_a, batch, start_from="1 OR 1=1")

    assert response.status_code == 404 and not Application.objects.filter(batch=batch).exists()


def test_an_application_of_the_same_batch_is_not_an_earlier_one(client, batch, first_batch, earlier, user_a):
    from applications.services import application_start_from_earlier
    from applications.workflow import WorkflowError

    with pytest.raises(WorkflowError) as error:
        application_start_from_earlier(batch=first_batch, school=user_a.school, earlier=earlier, actor=user_a)
    assert error.value.code == "not_earlier"
