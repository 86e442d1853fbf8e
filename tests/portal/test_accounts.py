"""Accounts: a school registers, confirms its e-mail address, logs in (with its e-mail), logs out
and resets a forgotten password. Every refusal is explained in Chinese."""
import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse

from portal.models import OutgoingMail, Role, School, User
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "lifelong-learning-2023"

REGISTRATION = {
    "name": "杭州市职业技术学院",
    "province": "330000",
    "school_type": "higher",
    "address": "浙江省杭州市江干区学林街 68 号",
    "postcode": "310018",
    "credit_code": "91350100m000100y43",  # typed in lower case
    "contact_email": "Lin.Hui@HZVTC.example.cn",
    "contact_mobile": "13812345678",
    "contact_name": "林慧",
    "password1": NEW_PASSWORD,
    "password2": NEW_PASSWORD,
}


def register(client, **changes):
    return client.post(reverse("register"), {**REGISTRATION, **changes})


def link_in(message) -> str:
    """The one http link in a mail's body."""
    [link] = re.findall(r"http://testserver/\S+", message.body)
    return link


def logged_in_user_id(client):
    return client.session.get(SESSION_KEY)


# --- registration --------------------------------------------------------------------------------


def test_registration_creates_an_inactive_account_and_its_school_and_mails_a_link(client):
    response = register(client)

    assert response.status_code == 200
    html = response.content.decode()
    assert "请确认邮箱" in html and "lin.hui@hzvtc.example.cn" in html
    user = User.objects.get()
    school = School.objects.get()
    # The e-mail is the login name, stored in lower case; the account waits for confirmation.
    assert (user.username, user.email, user.is_active, user.role, user.school) == (
        "lin.hui@hzvtc.example.cn", "lin.hui@hzvtc.example.cn", False, Role.SCHOOL, school,
    )  # fmt: skip
    assert (user.last_name, user.mobile, user.check_password(NEW_PASSWORD)) == ("林慧", "13812345678", True)
    assert (school.name, school.province_id, school.credit_code, school.postcode) == (
        "杭州市职业技术学院", "330000", "91350100M000100Y43", "310018",
    )  # fmt: skip
    [message] = mail.outbox
    assert message.to == ["lin.hui@hzvtc.example.cn"]
    assert "杭州市职业技术学院" in message.body
    assert link_in(message).startswith("http://testserver/accounts/activate/")


def test_following_the_link_activates_the_account_once(client):
    register(client)
    link = link_in(mail.outbox[0])

    response = client.get(link, follow=True)

    assert response.redirect_chain == [(reverse("login"), 302)]
    assert "邮箱已确认，账号已激活。请登录。" in response.content.decode()
    assert User.objects.get().is_active is True
    # Following it again is harmless and says so.
    again = client.get(link, follow=True)
    assert "该账号已激活，请直接登录。" in again.content.decode()


def test_a_forged_activation_link_activates_nothing(client):
    register(client)
    user = User.objects.get()
    uid = link_in(mail.outbox[0]).rstrip("/").split("/")[-2]

    response = client.get(reverse("activate", args=[uid, "abc-0123456789abcdef"]))

    assert response.status_code == 400
    assert "确认链接无效或已过期" in response.content.decode()
    user.refresh_from_db()
    assert user.is_active is False


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        pytest.param({"credit_code": "91350100M000100Y44"}, "统一社会信用代码校验位不正确，请核对后重新填写。", id="credit code check"),
        pytest.param({"credit_code": "91350100I000100Y43"}, "统一社会信用代码应为 18 位", id="credit code letter"),
        pytest.param({"contact_mobile": "1381234567"}, "请输入 11 位中国大陆手机号码", id="mobile"),
        pytest.param({"postcode": "31001"}, "邮政编码应为 6 位数字。", id="postcode"),
        pytest.param({"password2": "lifelong-learning-2024"}, "两次输入的密码不一致。", id="password mismatch"),
        pytest.param({"password1": "12345678", "password2": "12345678"}, "这个密码太常见了。", id="common password"),
        pytest.param({"contact_name": ""}, "这个字段是必填项。", id="no contact name"),
    ],
)
def test_registration_with_a_bad_value_is_refused_with_a_chinese_message(client, changes, message):
    response = register(client, **changes)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert (User.objects.count(), School.objects.count(), len(mail.outbox)) == (0, 0, 0)


@pytest.mark.parametrize(
    ("account", "typed"),
    [
        pytest.param("user_a", "School-A@Example.CN", id="a school's, in other capitals"),
        pytest.param("staff_user", "staff@example.cn", id="staff"),
        pytest.param("expert_user", "EXPERT@example.cn", id="an expert"),
    ],
)
def test_registering_with_an_address_that_has_an_account_answers_as_for_any_other(client, request, account, typed):
    # The page must not tell who has an account: the same answer as a new registration gets, and
    # the mail goes to the address's owner, who learns that someone tried.
    owner = request.getfixturevalue(account)
    fresh = register(Client(), contact_email="fresh@hzvtc.example.cn", name="另一所职业技术学院", credit_code="")
    mail.outbox.clear()
    users, schools = User.objects.count(), School.objects.count()

    response = register(client, contact_email=typed)

    assert response.status_code == fresh.status_code == 200
    assert response.content.decode().replace(typed.lower(), "@") == fresh.content.decode().replace("fresh@hzvtc.example.cn", "@")
    assert "该邮箱已注册" not in response.content.decode()
    assert (User.objects.count(), School.objects.count()) == (users, schools)  # nothing registered
    [notice] = mail.outbox
    assert notice.to == [owner.email]
    assert "有人使用本邮箱在职业院校服务全民终身学习项目实验校申报平台注册学校" in notice.body
    assert "http://testserver/accounts/password/reset/" in notice.body
    assert REGISTRATION["name"] not in notice.body  # nothing the stranger typed reaches the owner


def test_someone_registering_again_and_again_with_a_taken_address_sends_it_three_notices_an_hour(client, user_a):
    responses = [register(client, contact_email="school-a@example.cn") for _ in range(5)]

    assert {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1
    assert len(mail.outbox) == 3


def test_registration_of_a_school_already_registered_is_refused(client, school_a):
    response = register(client, name=school_a.name)

    assert "该学校已注册。如需账号，请联系本校已注册的同事或项目组。" in response.content.decode()
    assert School.objects.count() == 1


def test_registration_with_a_credit_code_already_used_is_refused(client, school_a):
    school_a.credit_code = "91350100M000100Y43"
    school_a.save()

    response = register(client)

    assert "该统一社会信用代码已被其他单位使用。" in response.content.decode()
    assert User.objects.count() == 0


# --- logging in and out ----------------------------------------------------------------------------


def test_logging_in_before_confirming_the_e_mail_is_refused_and_says_why(client):
    register(client)

    response = client.post(reverse("login"), {"username": REGISTRATION["contact_email"], "password": NEW_PASSWORD})

    assert response.status_code == 200
    assert "该账号尚未激活：请点击注册邮件中的确认链接。" in response.content.decode()
    assert logged_in_user_id(client) is None


def test_a_confirmed_school_logs_in_with_its_e_mail(client):
    register(client)
    client.get(link_in(mail.outbox[0]))

    response = client.post(reverse("login"), {"username": "lin.hui@hzvtc.example.cn", "password": NEW_PASSWORD})

    assert (response.status_code, response["Location"]) == (302, reverse("dashboard"))
    assert logged_in_user_id(client) == str(User.objects.get().pk)


@pytest.mark.parametrize("login_name", ["school-a", "school-a@example.cn", "SCHOOL-A@EXAMPLE.CN"])
def test_login_works_with_the_username_or_the_e_mail_in_any_case(client, user_a, login_name):
    response = client.post(reverse("login"), {"username": login_name, "password": PASSWORD})

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(user_a.pk)


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client, user_a):
    response = client.post(reverse("login"), {"username": "school-a@example.cn", "password": "wrong-password"})

    assert response.status_code == 200
    assert "用户名（邮箱）或密码不正确。" in response.content.decode()
    assert logged_in_user_id(client) is None


def test_logging_out_takes_a_post_and_ends_the_session(client, user_a):
    client.force_login(user_a)

    assert client.get(reverse("logout")).status_code == 405  # a link cannot log anyone out
    response = client.post(reverse("logout"))

    assert (response.status_code, response["Location"]) == (302, reverse("home"))
    assert logged_in_user_id(client) is None
    assert client.get(reverse("dashboard")).status_code == 302


# --- password reset --------------------------------------------------------------------------------


def test_a_forgotten_password_is_reset_through_the_mailed_link(client, user_a):
    response = client.post(reverse("password_reset"), {"email": "school-a@example.cn"})

    assert (response.status_code, response["Location"]) == (302, reverse("password_reset_done"))
    # Through the mail queue, like every mail of the portal (delivered by the job worker).
    [queued] = OutgoingMail.objects.filter(template="password_reset")
    assert (queued.to, queued.state) == (["school-a@example.cn"], OutgoingMail.State.SENT)
    [message] = mail.outbox
    assert message.to == ["school-a@example.cn"]
    assert "重设密码" in message.body
    # The link leads to a page that asks for the new password twice.
    form_page = client.get(link_in(message), follow=True)
    assert "设置新密码" in form_page.content.decode()
    set_password_url = form_page.redirect_chain[-1][0]
    done = client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert (done.status_code, done["Location"]) == (302, reverse("password_reset_complete"))

    user_a.refresh_from_db()
    assert (user_a.check_password(NEW_PASSWORD), user_a.check_password(PASSWORD)) == (True, False)
    assert client.login(username="school-a", password=NEW_PASSWORD) is True


def test_a_reset_link_works_only_once(client, user_a):
    client.post(reverse("password_reset"), {"email": "school-a@example.cn"})
    link = link_in(mail.outbox[0])
    set_password_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    reused = client.get(link, follow=True)

    assert "重设密码的链接无效或已被使用" in reused.content.decode()


def test_a_reset_for_an_unknown_address_sends_nothing_and_reveals_nothing(client, user_a):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.cn"})

    # The same answer as for a known address, so the form cannot be used to probe for accounts.
    assert (response.status_code, response["Location"]) == (302, reverse("password_reset_done"))
    assert mail.outbox == []


def reset(client, address, client_address="10.1.1.1"):
    return client.post(reverse("password_reset"), {"email": address}, REMOTE_ADDR=client_address)


def test_reset_mails_to_one_address_are_limited_to_three_an_hour(client, user_a):
    # Twelve requests in two seconds used to send twelve mails.
    responses = [reset(client, "school-a@example.cn", f"10.1.1.{n}") for n in range(12)]

    assert {(r.status_code, r["Location"]) for r in responses} == {(302, reverse("password_reset_done"))}
    assert len(mail.outbox) == 3
    assert OutgoingMail.objects.filter(template="password_reset").count() == 3


def test_reset_requests_from_one_client_are_limited_to_ten_an_hour(client, settings):
    for n in range(12):
        make_user(f"teacher-{n}", Role.EXPERT)
    answers = [reset(client, f"teacher-{n}@example.cn") for n in range(11)]
    # Unknown addresses count too: the limit must not tell which addresses have accounts.
    answers.append(reset(client, "nobody@example.cn"))

    assert {(r.status_code, r["Location"]) for r in answers} == {(302, reverse("password_reset_done"))}
    assert sorted(message.to[0] for message in mail.outbox) == sorted(f"teacher-{n}@example.cn" for n in range(10))
    # Another client is not held back.
    reset(client, "teacher-11@example.cn", client_address="10.2.2.2")
    assert mail.outbox[-1].to == ["teacher-11@example.cn"]

