"""八.1: the provincial association 将有关推荐情况抄报省级教育行政部门. After forwarding, the province records
when and to whom it sent its 推荐汇总表 (a date, the department, an optional note) on the forwarding
page, and the project group sees the record."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.workflow import WorkflowError
from review.models import Forwarding
from review.provincial import province_forward, province_recommend, province_record_copy
from tests.review.helpers import submitted_application

DEPARTMENT = "浙江省教育厅"


@pytest.fixture
def forwarded(batch, zhejiang_window, zhejiang_reviewer):
    application, _ = submitted_application(batch, "杭州抄报职业技术学院")
    province_recommend(application=application, actor=zhejiang_reviewer, opinion="同意推荐。", rank=1)
    return province_forward(window=zhejiang_window, actor=zhejiang_reviewer)


def copy_url(window):
    return reverse("review:province_record_copy", args=[window.pk])


def test_the_province_records_the_copy_on_the_forwarding_page(client, zhejiang_window, zhejiang_reviewer, forwarded):
    client.force_login(zhejiang_reviewer)
    page = client.get(reverse("review:province_forward", args=[zhejiang_window.pk])).content.decode()
    assert "抄报省级教育行政部门（通知八.1）" in page and "登记抄报" in page

    today = timezone.localdate()
    response = client.post(copy_url(zhejiang_window), {"copied_on": today.isoformat(), "copied_to": DEPARTMENT, "note": "随浙成职协〔2023〕6号报送"})

    assert (response.status_code, response["Location"]) == (302, reverse("review:province_forward", args=[zhejiang_window.pk]))
    forwarding = Forwarding.objects.get(window=zhejiang_window)
    assert (forwarding.copied_on, forwarding.copied_to, forwarding.copy_note, forwarding.copy_recorded_by) == (
        today, DEPARTMENT, "随浙成职协〔2023〕6号报送", zhejiang_reviewer)  # fmt: skip
    page = client.get(reverse("review:province_forward", args=[zhejiang_window.pk])).content.decode()
    assert f"推荐汇总表已于 {today.year}年{today.month}月{today.day}日 抄报{DEPARTMENT}（随浙成职协〔2023〕6号报送）" in page


def test_the_project_group_sees_the_copy_record(client, batch, zhejiang_window, zhejiang_reviewer, staff_user, forwarded):
    client.force_login(staff_user)
    assert "未登记" in client.get(reverse("review:national_home"), {"batch": batch.pk}).content.decode()
    today = timezone.localdate()
    province_record_copy(window=zhejiang_window, actor=zhejiang_reviewer, copied_on=today, copied_to=DEPARTMENT)

    html = client.get(reverse("review:national_home"), {"batch": batch.pk}).content.decode()
    row = html.split("浙江省成人教育与职业教育协会</td>", 1)[1].split("</tr>", 1)[0]
    assert f"{today:%Y-%m-%d} 抄报{DEPARTMENT}" in row


def test_there_is_nothing_to_copy_before_forwarding(batch, zhejiang_window, zhejiang_reviewer):
    with pytest.raises(WorkflowError) as refused:
        province_record_copy(window=zhejiang_window, actor=zhejiang_reviewer, copied_on=timezone.localdate(), copied_to=DEPARTMENT)
    assert refused.value.code == "not_forwarded"


@pytest.mark.parametrize("days, code, text", [
    (-1, "copy_before_forwarding", "抄报日期不能早于报送项目组的日期"),  # the table is made when forwarding
    (1, "copy_in_future", "抄报日期不能晚于今天"),
])  # fmt: skip
def test_the_copy_date_lies_between_forwarding_and_today(client, zhejiang_window, zhejiang_reviewer, forwarded, days, code, text):
    when = timezone.localdate() + timedelta(days=days)
    with pytest.raises(WorkflowError) as refused:
        province_record_copy(window=zhejiang_window, actor=zhejiang_reviewer, copied_on=when, copied_to=DEPARTMENT)
    assert refused.value.code == code
    # Through the page: the message next to the date, the department typed kept.
    client.force_login(zhejiang_reviewer)
    response = client.post(copy_url(zhejiang_window), {"copied_on": when.isoformat(), "copied_to": DEPARTMENT})
    assert response.status_code == 400
    assert text in str(response.context["copy_form"].errors["copied_on"]) and f'value="{DEPARTMENT}"' in response.content.decode()
    assert Forwarding.objects.get(window=zhejiang_window).copied_on is None


def test_another_province_cannot_record_a_copy(client, zhejiang_window, jiangsu_reviewer, forwarded):
    with pytest.raises(WorkflowError):
        province_record_copy(window=zhejiang_window, actor=jiangsu_reviewer, copied_on=timezone.localdate(), copied_to="江苏省教育厅")
    client.force_login(jiangsu_reviewer)
    assert client.post(copy_url(zhejiang_window), {"copied_on": timezone.localdate().isoformat(), "copied_to": "江苏省教育厅"}).status_code == 404
    assert Forwarding.objects.get(window=zhejiang_window).copied_to == ""
