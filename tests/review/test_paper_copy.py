"""The provincial paper copy (浙成职协〔2023〕6号: 纸质版寄至：杭州市教工路 42 号 A803（请寄顺丰）；联系人：
周依依，0571-88031215). A window says whether it asks for one; where it does, the school is told after
submitting where to send it and to whom, the province registers its arrival, and the project group
sees for each application whether it came: 已收到 2023-04-18 / 未收到 / 不需要."""
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from review.provincial import province_forward, province_mark_paper_received, province_recommend
from tests.review.helpers import reload, submit_complete, submitted_application
from tests.review.national_helpers import at_national, national_list_queries

ADDRESS = "杭州市教工路 42 号 A803（请寄顺丰）"


@pytest.fixture
def paper_window(zhejiang_window):
    zhejiang_window.paper_required = True
    zhejiang_window.paper_address = ADDRESS
    zhejiang_window.full_clean()
    zhejiang_window.save()
    return zhejiang_window


def test_a_window_that_asks_for_paper_needs_the_address(zhejiang_window):
    zhejiang_window.paper_required = True
    with pytest.raises(ValidationError) as error:
        zhejiang_window.full_clean()
    assert error.value.message_dict["paper_address"] == ["要求寄送纸质版时，请填写纸质版寄送地址，学校提交后会看到它。"]


def test_the_admin_shows_whether_a_window_asks_for_paper(client, admin_user, paper_window):
    client.force_login(admin_user)
    change = client.get(reverse("admin:applications_provincialwindow_change", args=[paper_window.pk])).content.decode()
    listing = client.get(reverse("admin:applications_provincialwindow_changelist")).content.decode()
    assert "要求寄送纸质版" in change and 'name="paper_required"' in change and "checked" in change.split('name="paper_required"')[1][:80]
    assert "要求寄送纸质版" in listing


def test_the_school_is_told_where_to_post_it_once_it_has_submitted(client, paper_window, application_a, user_a, zhejiang_reviewer):
    client.force_login(user_a)
    where = f'纸质版寄至：{ADDRESS}；联系人：周依依，<a href="tel:057188031215">0571-88031215</a>'  # tap-to-call (issue 17)
    assert where not in client.get(reverse("dashboard")).content.decode()  # a draft: nothing to post yet

    submitted = submit_complete(application_a, user_a)

    dashboard = client.get(reverse("dashboard")).content.decode()
    page = client.get(reverse("applications:detail", args=[submitted.pk])).content.decode()
    assert "浙江省成人教育与职业教育协会要求寄送签字盖章的纸质版申请表" in dashboard and where in dashboard
    assert where in page


def test_a_window_that_asks_for_none_tells_the_school_nothing(client, zhejiang_window, application_a, user_a, zhejiang_reviewer):
    submitted = submit_complete(application_a, user_a)
    client.force_login(user_a)
    assert "纸质版寄至" not in client.get(reverse("dashboard")).content.decode()
    assert "纸质版寄至" not in client.get(reverse("applications:detail", args=[submitted.pk])).content.decode()


def test_only_the_school_is_told_where_to_post_it(client, paper_window, zhejiang_reviewer):
    application, _user = submitted_application(paper_window.batch, "杭州寄送职业技术学院")
    client.force_login(zhejiang_reviewer)
    assert "纸质版寄至" not in client.get(reverse("applications:detail", args=[application.pk])).content.decode()


@pytest.fixture
def forwarded(batch, paper_window, zhejiang_reviewer):
    """Two Zhejiang applications forwarded, one whose paper copy arrived on 2023-04-18, and a
    direct one from Sichuan (no paper copy asked)."""
    arrived, _ = submitted_application(batch, "杭州纸质版已到职业技术学院")
    missing, _ = submitted_application(batch, "宁波纸质版未到职业技术学院")
    for rank, application in enumerate((arrived, missing), start=1):
        province_recommend(application=application, actor=zhejiang_reviewer, opinion="同意推荐。", rank=rank)
    province_mark_paper_received(application=reload(arrived), actor=zhejiang_reviewer, received_on=date(2023, 4, 18))
    province_forward(window=paper_window, actor=zhejiang_reviewer)
    direct, _ = at_national(batch, "四川直接申报职业技术学院")
    return {"arrived": reload(arrived), "missing": reload(missing), "direct": reload(direct)}


def row_of(html: str, school: str) -> str:
    return html.split(school, 1)[1].split("</tr>", 1)[0]


def test_the_national_list_says_whether_the_paper_copy_arrived(client, staff_user, forwarded):
    client.force_login(staff_user)
    html = client.get(reverse("review:national_list"), {"batch": forwarded["arrived"].batch_id}).content.decode()
    assert '<th scope="col">纸质版</th>' in html
    assert "已收到 2023-04-18" in row_of(html, "杭州纸质版已到职业技术学院")
    assert "未收到" in row_of(html, "宁波纸质版未到职业技术学院")
    assert "不需要" in row_of(html, "四川直接申报职业技术学院")


@pytest.mark.parametrize("key, text", [("arrived", "纸质版：已收到 2023-04-18"), ("missing", "纸质版：未收到"), ("direct", "纸质版：不需要")])
def test_the_national_application_page_says_whether_the_paper_copy_arrived(client, staff_user, forwarded, key, text):
    client.force_login(staff_user)
    html = client.get(reverse("review:national_application", args=[forwarded[key].pk])).content.decode()
    assert text in html.replace('<span class="badge text-bg-success">', "").replace('<span class="badge text-bg-warning">', "").replace(
        '<span class="badge text-bg-secondary">', "")  # fmt: skip


def test_a_window_that_asks_for_none_needs_no_paper_copy(client, staff_user, batch, zhejiang_window, zhejiang_reviewer):
    application, _ = submitted_application(batch, "杭州无需纸质版职业技术学院")
    province_recommend(application=application, actor=zhejiang_reviewer, opinion="同意推荐。", rank=1)
    province_forward(window=zhejiang_window, actor=zhejiang_reviewer)
    client.force_login(staff_user)
    html = client.get(reverse("review:national_list"), {"batch": batch.pk}).content.decode()
    assert "不需要" in row_of(html, "杭州无需纸质版职业技术学院")


def test_the_national_list_reads_the_paper_copies_without_a_query_per_row(client, staff_user, batch, forwarded):
    client.force_login(staff_user)

    before = national_list_queries(client, batch)
    for n in range(5):
        at_national(batch, f"四川直接申报第{n}职业技术学院")
    assert national_list_queries(client, batch) == before
