"""The public home page: the batch's call, its deadline in Beijing time, whom to contact, and the
way in (register, log in)."""
from datetime import datetime
from datetime import timezone as dt_timezone

import pytest
from django.urls import reverse

from applications.models import Batch

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch_closing_after_midnight_in_beijing(batch):
    # 2031-04-28 16:30 UTC is 2031-04-29 00:30 in Beijing: the page must show the 29th.
    batch.national_deadline = datetime(2031, 4, 28, 16, 30, tzinfo=dt_timezone.utc)
    batch.save()
    return batch


def home_html(client) -> str:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_home_page_shows_the_call_and_its_document_number(client, batch):
    html = home_html(client)
    assert "关于申报“职业院校服务全民终身学习项目”第二批实验校的通知" in html
    assert "中成协〔2023〕010号" in html


def test_the_deadline_is_shown_in_beijing_time(client, batch_closing_after_midnight_in_beijing):
    html = home_html(client)
    assert "2031年4月29日 00:30（北京时间）" in html
    assert "2031年4月28日" not in html


def test_the_contact_person_phones_and_e_mail_are_shown(client, batch):
    html = home_html(client)
    assert "彭老师" in html
    # Each number tap-to-call (issue 17), as the notice gives them.
    assert '<a href="tel:01081299751">010-81299751</a> <a href="tel:18611285756">18611285756</a>' in html
    assert '<a href="mailto:pengfang@enaea.edu.cn">pengfang@enaea.edu.cn</a>' in html


def test_visitors_are_offered_to_register_or_log_in(client, batch):
    html = home_html(client)
    assert f'href="{reverse("register")}">学校注册</a>' in html
    assert f'href="{reverse("login")}">登录</a>' in html


def test_a_logged_in_user_is_offered_the_dashboard_instead(client, batch, user_a):
    client.force_login(user_a)
    html = home_html(client)
    assert f'href="{reverse("dashboard")}">进入工作台</a>' in html
    assert f'href="{reverse("register")}">学校注册</a>' not in html


def test_the_provincial_windows_are_listed_with_their_own_deadline(client, zhejiang_window):
    zhejiang_window.school_deadline = datetime(2031, 4, 20, 15, 59, 59, tzinfo=dt_timezone.utc)
    zhejiang_window.save()

    html = home_html(client)

    assert "浙江省成人教育与职业教育协会" in html
    assert "浙成职协〔2023〕6号" in html
    assert "学校提交截止：2031年4月20日 23:59" in html  # 15:59 UTC is 23:59 in Beijing
    assert '周依依，<a href="tel:057188031215">0571-88031215</a>，<a href="mailto:zj_czjxh@163.com">zj_czjxh@163.com</a>' in html


def test_a_passed_deadline_is_marked_as_closed(client, batch):
    batch.national_deadline = datetime(2023, 4, 28, 15, 59, 59, tzinfo=dt_timezone.utc)
    batch.save()

    html = home_html(client)

    assert "2023年4月28日 23:59（北京时间）" in html
    assert "已截止" in html


def test_an_open_deadline_is_not_marked_as_closed(client, batch):
    assert "已截止" not in home_html(client)


def test_without_an_open_batch_the_page_says_so(client):
    assert Batch.objects.count() == 0  # arrange
    assert "目前没有开放的申报批次。" in home_html(client)
