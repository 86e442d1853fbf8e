"""Forwarding the recommended set to the national project group: once, in one action, before the
national deadline, only when every submitted application is decided; the 推荐汇总表 (PDF and XLSX)
is generated then and kept with the forwarding record."""
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from applications.models import Application, Status, TimelineEntry
from applications.selectors import applications_visible_to
from applications.workflow import WorkflowError, deadline_end
from portal.models import OutgoingMail, SchoolType
from review.models import Forwarding
from review.provincial import province_decline, province_forward, province_recommend, province_return
from tests.review.helpers import reload, submitted_application

RECOMMENDED = [
    # (rank, school, type, lead) — created in another order than their ranks.
    (2, "宁波甬江职业高级中学", SchoolType.SECONDARY_VOCATIONAL, "王晓燕"),
    (3, "温州瓯海职业教育中心", SchoolType.VOCATIONAL_CENTER, "林志强"),
    (1, "杭州西湖职业技术学院", SchoolType.HIGHER_VOCATIONAL, "陈明华"),
]


@pytest.fixture
def decided(batch, zhejiang_window, zhejiang_reviewer, staff_user):
    """Zhejiang's set: three recommended (ranks 2, 3, 1 in creation order), one declined, one
    returned. Returns the applications by school name."""
    apps = {}
    for rank, name, school_type, lead in RECOMMENDED:
        apps[name], _ = submitted_application(batch, name, school_type=school_type, lead_name=lead)
        province_recommend(application=apps[name], actor=zhejiang_reviewer, opinion=f"{name}方案扎实。", rank=rank)
    apps["湖州不予推荐职业学校"], _ = submitted_application(batch, "湖州不予推荐职业学校")
    province_decline(application=apps["湖州不予推荐职业学校"], actor=zhejiang_reviewer, reason="方案不够具体。")
    apps["绍兴退回修改职业学校"], _ = submitted_application(batch, "绍兴退回修改职业学校")
    province_return(application=apps["绍兴退回修改职业学校"], actor=zhejiang_reviewer, reason="请补盖公章。")
    return {name: reload(application) for name, application in apps.items()}


def in_rank_order() -> list[str]:
    return [name for _rank, name, _type, _lead in sorted(RECOMMENDED)]


def statuses(apps) -> dict[str, str]:
    return {name: reload(application).status for name, application in apps.items()}


def forwarding_rows() -> int:
    return TimelineEntry.objects.filter(action="province_forward").count()


# --- forwarding ---------------------------------------------------------------------------------------


def test_forwarding_sends_the_recommended_set_and_locks_it(client, zhejiang_window, zhejiang_reviewer, decided):
    client.force_login(zhejiang_reviewer)

    response = client.post(reverse("review:province_forward", args=[zhejiang_window.pk]))

    assert (response.status_code, response["Location"]) == (302, reverse("review:province_queue", args=[zhejiang_window.pk]))
    forwarding = Forwarding.objects.get()
    assert (forwarding.window, forwarding.forwarded_by, forwarding.application_count) == (zhejiang_window, zhejiang_reviewer, 3)
    assert statuses(decided) == {
        "宁波甬江职业高级中学": Status.AT_NATIONAL,
        "温州瓯海职业教育中心": Status.AT_NATIONAL,
        "杭州西湖职业技术学院": Status.AT_NATIONAL,
        "湖州不予推荐职业学校": Status.NOT_RECOMMENDED,
        "绍兴退回修改职业学校": Status.RETURNED,
    }
    # One timeline row for each forwarded application, none for the others.
    rows = TimelineEntry.objects.filter(action="province_forward")
    assert sorted(rows.values_list("application__school__name", "from_status", "to_status", "comment")) == sorted(
        (name, Status.RECOMMENDED, Status.AT_NATIONAL, "浙江省成人教育与职业教育协会报送项目组") for name in in_rank_order()
    )
    # The queue says it is done and offers no second forwarding.
    queue = client.get(reverse("review:province_queue", args=[zhejiang_window.pk]))
    assert queue.context["forwarding"] == forwarding
    assert "本省推荐结果已锁定" in queue.content.decode()
    assert reverse("review:province_forward", args=[zhejiang_window.pk]) not in queue.content.decode()


def test_forwarding_twice_forwards_once(zhejiang_window, zhejiang_reviewer, decided):
    province_forward(window=zhejiang_window, actor=zhejiang_reviewer)
    mails = OutgoingMail.objects.count()
    timeline = TimelineEntry.objects.count()

    # The second click (another tab, a stale copy of the window).
    with pytest.raises(WorkflowError) as refused:
        province_forward(window=zhejiang_window, actor=zhejiang_reviewer)

    assert str(refused.value) == "本省推荐名单已报送项目组。"
    assert (Forwarding.objects.count(), OutgoingMail.objects.count(), TimelineEntry.objects.count()) == (1, mails, timeline)


def test_a_second_post_is_refused_with_a_message(client, zhejiang_window, zhejiang_reviewer, decided):
    client.force_login(zhejiang_reviewer)
    url = reverse("review:province_forward", args=[zhejiang_window.pk])
    first = client.post(url, follow=True)

    second = client.post(url, follow=True)

    told = [[str(m) for m in response.context["messages"]] for response in (first, second)]
    assert told == [["已将 3 份推荐申请报送项目组，推荐汇总表已保存。"], ["未能报送：本省推荐名单已报送项目组。"]]
    assert (Forwarding.objects.count(), forwarding_rows()) == (1, 3)


def test_undecided_applications_block_forwarding(batch, zhejiang_window, zhejiang_reviewer, decided):
    submitted_application(batch, "丽水尚未决定职业学校")

    with pytest.raises(WorkflowError) as refused:
        province_forward(window=zhejiang_window, actor=zhejiang_reviewer)

    assert str(refused.value) == "还有 1 份已提交的申请未作推荐决定，请先推荐、不予推荐或退回。"
    assert (Forwarding.objects.count(), forwarding_rows()) == (0, 0)
    assert set(statuses(decided).values()) == {Status.RECOMMENDED, Status.NOT_RECOMMENDED, Status.RETURNED}


def test_the_forward_page_lists_the_problems_and_offers_no_button(client, batch, zhejiang_window, zhejiang_reviewer, decided):
    submitted_application(batch, "丽水尚未决定职业学校")
    client.force_login(zhejiang_reviewer)

    response = client.get(reverse("review:province_forward", args=[zhejiang_window.pk]))

    assert response.context["problems"] == ["还有 1 份已提交的申请未作推荐决定，请先推荐、不予推荐或退回。"]
    assert "确认报送" not in response.content.decode()
    assert [row.school for row in response.context["rows"]] == in_rank_order()


def test_nothing_to_forward_is_refused(batch, zhejiang_window, zhejiang_reviewer):
    application, _ = submitted_application(batch, "湖州不予推荐职业学校")
    province_decline(application=application, actor=zhejiang_reviewer, reason="方案不够具体。")

    with pytest.raises(WorkflowError, match="还没有推荐任何申请"):
        province_forward(window=zhejiang_window, actor=zhejiang_reviewer)

    assert Forwarding.objects.count() == 0


def test_no_forwarding_after_the_national_deadline(batch, zhejiang_window, zhejiang_reviewer, decided):
    with pytest.raises(WorkflowError, match="已过全国申报截止时间，不能再报送"):
        province_forward(window=zhejiang_window, actor=zhejiang_reviewer, now=deadline_end(batch.national_deadline))

    assert (Forwarding.objects.count(), forwarding_rows()) == (0, 0)
    assert reload(decided["杭州西湖职业技术学院"]).status == Status.RECOMMENDED


@pytest.mark.parametrize(("role", "expected"), [("jiangsu_reviewer", 404), ("staff_user", 403), ("user_a", 403)])
def test_only_the_provinces_reviewer_forwards(client, request, zhejiang_window, decided, role, expected):
    client.force_login(request.getfixturevalue(role))

    response = client.post(reverse("review:province_forward", args=[zhejiang_window.pk]))

    assert response.status_code == expected
    assert Forwarding.objects.count() == 0


def test_the_national_group_sees_the_set_only_once_forwarded(zhejiang_window, zhejiang_reviewer, staff_user, decided):
    before = set(applications_visible_to(staff_user).values_list("school__name", flat=True))

    province_forward(window=zhejiang_window, actor=zhejiang_reviewer)

    after = set(applications_visible_to(staff_user).values_list("school__name", flat=True))
    assert (before, after) == (set(), set(in_rank_order()))


# --- the 推荐汇总表 ----------------------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    # Long names may wrap inside a table cell: compare without white space.
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def test_the_summary_pdf_lists_exactly_the_recommended_schools_in_rank_order(zhejiang_window, zhejiang_reviewer, decided):
    forwarding = province_forward(window=zhejiang_window, actor=zhejiang_reviewer)

    with forwarding.summary_pdf.open("rb") as stored:
        text = pdf_text(stored.read())

    every_school = Application.objects.filter(batch=zhejiang_window.batch).values_list("school__name", flat=True)
    listed = sorted((name for name in every_school if name in text), key=text.index)
    assert listed == in_rank_order()
    assert "浙江省成人教育与职业教育协会" in text and "推荐汇总表" in text


def test_the_summary_xlsx_rows_match_the_recommended_set(zhejiang_window, zhejiang_reviewer, decided):
    forwarding = province_forward(window=zhejiang_window, actor=zhejiang_reviewer)

    with forwarding.summary_xlsx.open("rb") as stored:
        sheet = load_workbook(io.BytesIO(stored.read())).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))

    assert rows[0] == ("推荐排名", "学校名称", "学校类型", "具体实施项目", "负责人", "职务", "负责人手机", "项目对接人", "对接人手机", "申请编号")
    expected = []
    for rank, name, school_type, lead in sorted(RECOMMENDED):
        application = decided[name]
        expected.append((
            rank, name, school_type.label, "职业教育助力乡村振兴；老年教育赋能提质", lead, "副院长",
            application.lead_mobile, application.liaison_name, application.liaison_mobile, application.number,
        ))  # fmt: skip
    assert rows[1:] == expected


def test_the_stored_summary_is_what_the_province_downloads_afterwards(client, zhejiang_window, zhejiang_reviewer, decided):
    forwarding = province_forward(window=zhejiang_window, actor=zhejiang_reviewer)
    client.force_login(zhejiang_reviewer)

    pdf = client.get(reverse("review:province_summary", args=[zhejiang_window.pk, "pdf"]))
    xlsx = client.get(reverse("review:province_summary", args=[zhejiang_window.pk, "xlsx"]))

    with forwarding.summary_pdf.open("rb") as stored_pdf, forwarding.summary_xlsx.open("rb") as stored_xlsx:
        assert (b"".join(pdf.streaming_content), b"".join(xlsx.streaming_content)) == (stored_pdf.read(), stored_xlsx.read())
    assert (pdf["Content-Type"], xlsx["Content-Type"]) == (
        "application/pdf", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )  # fmt: skip


def test_before_forwarding_the_summary_is_a_preview_of_todays_set(client, zhejiang_window, zhejiang_reviewer, decided):
    client.force_login(zhejiang_reviewer)

    response = client.get(reverse("review:province_summary", args=[zhejiang_window.pk, "pdf"]))

    text = pdf_text(response.content)
    assert "预览·尚未报送" in text
    assert sorted((name for name in decided if name in text), key=text.index) == in_rank_order()
    assert Forwarding.objects.count() == 0


def test_after_forwarding_the_province_takes_no_more_submissions(zhejiang_reviewer, user_a, submitted_a, batch, zhejiang_window):
    # A school returned before forwarding could otherwise submit into a window that can no longer
    # act on it, and its application would be stranded in "submitted".
    from applications.workflow import submit_problems
    from review.provincial import province_forward, province_recommend, province_return
    from tests.review.helpers import reload, submitted_application

    province_return(application=submitted_a, actor=zhejiang_reviewer, reason="请补充。")
    other, _user = submitted_application(batch, "宁波第二职业技术学院")
    province_recommend(application=other, actor=zhejiang_reviewer, opinion="同意。", rank=1)
    province_forward(window=zhejiang_window, actor=zhejiang_reviewer)

    problems = submit_problems(reload(submitted_a), actor=user_a)

    assert "浙江省成人教育与职业教育协会已将本省推荐名单报送项目组，不再受理提交。" in problems
