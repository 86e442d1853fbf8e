"""The error pages speak the portal's language: Chinese, inside the portal's layout, with a way
back; the CSRF failure says that nothing was saved and how not to lose what was typed."""
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error


def test_a_missing_page_is_explained_in_chinese(client, db):
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in html and 'lang="zh-CN"' in html and reverse("home") in html
    assert "Not Found" not in html


def test_a_page_of_another_role_is_refused_in_chinese(client, user_a, batch):
    client.force_login(user_a)
    response = client.get(reverse("review:national_home"))
    html = response.content.decode()
    assert response.status_code == 403
    assert "无权访问" in html and reverse("dashboard") in html
    assert "Forbidden" not in html


def test_a_form_sent_without_its_security_token_says_nothing_was_saved(user_a, application_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user_a)
    response = client.post(reverse("applications:edit", args=[application_a.pk]), {"school_opinion": "改过"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "页面已失效，未能保存" in html and "本次提交的内容没有保存" in html
    assert "CSRF verification failed" not in html


def test_a_server_error_page_needs_no_request_context(db):
    response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "服务器出错" in html and 'lang="zh-CN"' in html
