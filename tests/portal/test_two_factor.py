"""Two-factor sign-in (django-otp TOTP) through the pages: a reviewer turns it on by scanning and
confirming a code together with a set-up code mailed to the account's address (the password alone
enrols nothing); from then on, after the password, nothing opens but the verification page until
the current code is entered; a wrong code is refused in Chinese; schools have no such page;
the project group and anyone let into Django admin must set it up when OTP_REQUIRED_FOR_STAFF is
on (production's default) and cannot turn it off; for others turning it off takes a code.

Codes are computed the way an authenticator app does: RFC 6238 over the device's key, through
django_otp.oath.TOTP with the device's own step, t0, digits and drift."""
import base64
import io
import re
import time
from urllib.parse import urlencode

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD

# The staff's review pages show a batch: every test has one.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("batch")]

WRONG_CODE_MESSAGE = "验证码不正确或已过期，请输入应用中当前显示的验证码。"


def code(device, steps_ahead: int = 0) -> str:
    """The code the authenticator app shows now (or `steps_ahead` time steps later). A device
    accepts each time step once, so a second code in the same test comes from the next step
    (within the device's tolerance of one step)."""
    device.refresh_from_db()
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    generator.time = time.time() + steps_ahead * device.step
    return f"{generator.token():0{device.digits}d}"


def wrong_code(device) -> str:
    """Six digits the device would accept at no nearby time step."""
    valid = {code(device, offset) for offset in range(-3, 4)}
    return next(candidate for candidate in (f"{n:06d}" for n in range(1_000_000)) if candidate not in valid)


def wait_out_the_throttle():
    # django-otp makes a device wait 1 s (doubling with each further failure) after a wrong code.
    time.sleep(1.1)


def log_in(client, username):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def verify_url(next_path: str) -> str:
    return f"{reverse('otp_verify')}?{urlencode({'next': next_path})}"


def mailed_code(address: str) -> str:
    """The set-up code of the last set-up mail to `address`."""
    sent = [message for message in mail.outbox if message.to == [address] and "两步验证设置码" in message.subject]
    assert sent, f"no set-up mail to {address}"
    return re.search(r"设置码：\s*(\d{8})\s", sent[-1].body).group(1)


def set_up_through_the_pages(client, user) -> TOTPDevice:
    start = client.post(reverse("otp_setup"), {"action": "start"})
    assert start.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    confirmed = client.post(reverse("otp_setup"), {"action": "confirm", "enrolment_code": mailed_code(user.email), "token": code(device)})
    assert (confirmed.status_code, confirmed["Location"]) == (302, reverse("otp_setup"))
    device.refresh_from_db()
    return device


# Pages of every kind that must wait for the code: the landing page, the staff's review pages, a
# page of the public site, an account page and Django admin.
STAFF_PAGES = ["/dashboard/", "/review/national/", "/review/national/applications/", "/review/national/ranking/",
               "/", "/list/", "/accounts/password/change/", "/admin/"]  # fmt: skip


def test_a_staff_member_sets_up_two_factor_and_then_needs_the_code_at_every_login(client, staff_user):
    log_in(client, "staff")
    assert "开始设置" in client.get(reverse("otp_setup")).content.decode()

    # Start: the page shows the QR code and the key an app would store.
    started = client.post(reverse("otp_setup"), {"action": "start"})
    pending = TOTPDevice.objects.get(user=staff_user)
    assert pending.confirmed is False
    html = started.content.decode()
    assert base64.b32encode(pending.bin_key).decode() in html
    assert 'src="data:image/svg+xml;base64,' in html
    # Confirm with the code mailed to the account and the app's code: on, and this session counts as verified.
    confirmed = client.post(reverse("otp_setup"), {"action": "confirm", "enrolment_code": mailed_code("staff@example.cn"), "token": code(pending)}, follow=True)
    assert "两步验证已开启" in confirmed.content.decode()
    assert TOTPDevice.objects.get(user=staff_user).confirmed is True
    assert client.get(reverse("review:national_home")).status_code == 200

    # Log out and in again: the password alone opens nothing.
    client.post(reverse("logout"))
    log_in(client, "staff")
    for path in STAFF_PAGES:
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (302, verify_url(path)), path
    assert client.get(verify_url("/review/national/")).status_code == 200

    # The right code opens the page asked for, and then every page.
    device = TOTPDevice.objects.get(user=staff_user)
    response = client.post(reverse("otp_verify"), {"token": code(device, 1), "next": "/review/national/ranking/"})
    assert (response.status_code, response["Location"]) == (302, "/review/national/ranking/")
    for path in ["/review/national/", "/review/national/applications/", "/", "/list/", "/accounts/password/change/", "/admin/"]:
        assert client.get(path).status_code == 200, path


# --- enrolling takes more than the password -----------------------------------------------------

SET_UP_CODE_WRONG = "设置码不正确，请输入最近一封设置邮件中的设置码。"
SET_UP_GONE = "本次设置已失效（设置码已过期，或已在别处重新开始），请重新开始设置。"


def test_the_password_alone_enrols_no_authenticator(client, staff_user):
    log_in(client, "staff")
    started = client.post(reverse("otp_setup"), {"action": "start"})
    device = TOTPDevice.objects.get(user=staff_user, confirmed=False)

    # The set-up code went to the account's own address, and the page says where (not in full).
    assert [message.to for message in mail.outbox] == [["staff@example.cn"]]
    assert "st***@example.cn" in started.content.decode()
    assert mailed_code("staff@example.cn") not in started.content.decode()
    # The app's code alone (what the password gave) is refused, next to the missing field.
    alone = client.post(reverse("otp_setup"), {"action": "confirm", "token": code(device)})
    assert "这个字段是必填项。" in alone.content.decode()
    guessed = client.post(reverse("otp_setup"), {"action": "confirm", "enrolment_code": "12345678", "token": code(device)})
    assert SET_UP_CODE_WRONG in guessed.content.decode()
    # What was typed stays in the form.
    assert 'value="12345678"' in guessed.content.decode()
    assert not TOTPDevice.objects.filter(user=staff_user, confirmed=True).exists()
    assert client.get("/review/national/").status_code == 200  # not required here; still not verified
    assert not client.session.get("otp_device_id")

    done = client.post(reverse("otp_setup"), {"action": "confirm", "enrolment_code": mailed_code("staff@example.cn"), "token": code(device)}, follow=True)
    assert "两步验证已开启" in done.content.decode()
    assert TOTPDevice.objects.get(user=staff_user).confirmed is True


def test_a_second_sign_in_with_the_same_password_neither_sees_nor_confirms_the_set_up(client, staff_user):
    from django.test import Client

    log_in(client, "staff")
    client.post(reverse("otp_setup"), {"action": "start"})
    device = TOTPDevice.objects.get(user=staff_user, confirmed=False)
    key = base64.b32encode(device.bin_key).decode()

    intruder = Client()
    log_in(intruder, "staff")
    page = intruder.get(reverse("otp_setup")).content.decode()
    confirm = intruder.post(reverse("otp_setup"), {"action": "confirm", "enrolment_code": mailed_code("staff@example.cn"), "token": code(device)})

    # Even with the mailed code (a shared mailbox), the key the owner is scanning is not shown and
    # the owner's device is not confirmed from another session.
    assert key not in page and "开始设置" in page
    assert SET_UP_GONE in confirm.content.decode()
    assert not TOTPDevice.objects.filter(user=staff_user, confirmed=True).exists()


def test_the_set_up_code_expires(client, staff_user, monkeypatch, settings):
    log_in(client, "staff")
    client.post(reverse("otp_setup"), {"action": "start"})
    device = TOTPDevice.objects.get(user=staff_user, confirmed=False)
    set_up_code = mailed_code("staff@example.cn")
    assert f"{settings.OTP_ENROLMENT_CODE_MINUTES} 分钟内有效" in mail.outbox[-1].body

    later = time.time() + settings.OTP_ENROLMENT_CODE_MINUTES * 60 + 1
    monkeypatch.setattr(time, "time", lambda: later)  # the phone's clock moves on too: code() uses it
    response = client.post(reverse("otp_setup"), {"action": "confirm", "enrolment_code": set_up_code, "token": code(device)})

    assert SET_UP_GONE in response.content.decode()
    assert not TOTPDevice.objects.filter(user=staff_user).exists()


def test_five_wrong_set_up_codes_end_the_set_up(client, staff_user, settings):
    log_in(client, "staff")
    client.post(reverse("otp_setup"), {"action": "start"})
    device = TOTPDevice.objects.get(user=staff_user, confirmed=False)
    right = mailed_code("staff@example.cn")
    wrong = next(f"{n:08d}" for n in range(10**8) if f"{n:08d}" != right)
    token = code(device)

    for _ in range(settings.OTP_ENROLMENT_MAX_WRONG_CODES - 1):
        assert SET_UP_CODE_WRONG in client.post(reverse("otp_setup"), {"action": "confirm", "enrolment_code": wrong, "token": token}).content.decode()
    last = client.post(reverse("otp_setup"), {"action": "confirm", "enrolment_code": wrong, "token": token}, follow=True)
    after = client.post(reverse("otp_setup"), {"action": "confirm", "enrolment_code": right, "token": token})

    assert "设置码输错次数过多，本次设置已作废" in last.content.decode()
    assert SET_UP_GONE in after.content.decode()
    assert not TOTPDevice.objects.filter(user=staff_user).exists()


def test_starting_again_sends_a_new_code_and_the_old_one_no_longer_works(client, staff_user):
    log_in(client, "staff")
    client.post(reverse("otp_setup"), {"action": "start"})
    first = mailed_code("staff@example.cn")
    client.post(reverse("otp_setup"), {"action": "start"})
    second = mailed_code("staff@example.cn")
    device = TOTPDevice.objects.get(user=staff_user, confirmed=False)  # one pending device, the new one

    assert first != second  # eight random digits: the same twice once in 10⁸
    assert SET_UP_CODE_WRONG in client.post(reverse("otp_setup"), {"action": "confirm", "enrolment_code": first, "token": code(device)}).content.decode()
    done = client.post(reverse("otp_setup"), {"action": "confirm", "enrolment_code": second, "token": code(device, 1)})
    assert (done.status_code, done["Location"]) == (302, reverse("otp_setup"))
    assert len(mail.outbox) == 2


def test_set_up_mails_are_limited_like_other_account_mails(client, staff_user, settings):
    log_in(client, "staff")
    for _ in range(settings.ACCOUNT_MAILS_PER_ADDRESS_PER_HOUR):
        client.post(reverse("otp_setup"), {"action": "start"})

    refused = client.post(reverse("otp_setup"), {"action": "start"}, follow=True)

    assert "设置码邮件发送过于频繁，请一小时后再试。" in refused.content.decode()
    assert len(mail.outbox) == settings.ACCOUNT_MAILS_PER_ADDRESS_PER_HOUR


def test_an_account_without_an_address_cannot_enrol_itself(client, staff_user):
    staff_user.email = ""
    staff_user.save(update_fields=["email"])
    log_in(client, "staff")

    page = client.get(reverse("otp_setup")).content.decode()
    refused = client.post(reverse("otp_setup"), {"action": "start"}, follow=True).content.decode()

    assert "账号未登记电子邮箱，无法发送设置码。请联系系统管理员。" in page and "开始设置" not in page
    assert "账号未登记电子邮箱，无法发送设置码。请联系系统管理员。" in refused
    assert TOTPDevice.objects.count() == 0 and mail.outbox == []


# --- a lost phone: an administrator resets it ------------------------------------------------------


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_an_administrator_resets_a_lost_phone_and_the_owner_enrols_again_by_mail(client, staff_user, admin_user):
    TOTPDevice.objects.create(user=staff_user, name="验证器应用", confirmed=True)
    admin_device = TOTPDevice.objects.create(user=admin_user, name="验证器应用", confirmed=True)
    log_in(client, "admin")
    client.post(reverse("otp_verify"), {"token": code(admin_device)})

    changelist = client.get(reverse("admin:portal_user_changelist")).content.decode()
    reset = client.post(reverse("admin:portal_user_changelist"), {"action": "reset_second_factor", "_selected_action": [staff_user.pk]}, follow=True)

    assert "重置两步验证" in changelist and "两步验证" in changelist
    assert "已重置 1 个账号的两步验证：staff。" in reset.content.decode()
    assert not TOTPDevice.objects.filter(user=staff_user).exists()
    assert LogEntry.objects.filter(object_id=str(staff_user.pk), change_message="重置两步验证（删除验证器）", user=admin_user).exists()
    # The owner signs in with the password and must set up again, with a new mailed code.
    client.post(reverse("logout"))
    log_in(client, "staff")
    assert client.get("/review/national/")["Location"] == reverse("otp_setup")
    set_up_through_the_pages(client, staff_user)
    assert client.get("/review/national/").status_code == 200


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_staff_without_the_permission_cannot_reset_anyones_second_factor(client, staff_user, expert_user):
    from django.contrib.auth.models import Permission

    staff_user.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    TOTPDevice.objects.create(user=expert_user, name="验证器应用", confirmed=True)
    device = TOTPDevice.objects.create(user=staff_user, name="验证器应用", confirmed=True)
    log_in(client, "staff")
    client.post(reverse("otp_verify"), {"token": code(device)})

    changelist = client.get(reverse("admin:portal_user_changelist"))
    client.post(reverse("admin:portal_user_changelist"), {"action": "reset_second_factor", "_selected_action": [expert_user.pk]})

    assert changelist.status_code == 200 and "reset_second_factor" not in changelist.content.decode()
    assert TOTPDevice.objects.filter(user=expert_user, confirmed=True).exists()


def test_the_only_administrator_is_reset_from_the_command_line(admin_user):
    TOTPDevice.objects.create(user=admin_user, name="验证器应用", confirmed=True)
    out = io.StringIO()

    call_command("reset_second_factor", "admin", stdout=out)

    assert "已重置 admin 的两步验证" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=admin_user).exists()


def test_a_wrong_code_is_refused_in_chinese_and_opens_nothing(client, staff_user):
    device = TOTPDevice.objects.create(user=staff_user, name="验证器应用", confirmed=True)
    log_in(client, "staff")

    response = client.post(reverse("otp_verify"), {"token": wrong_code(device), "next": "/review/national/"})

    assert response.status_code == 200
    assert WRONG_CODE_MESSAGE in response.content.decode()
    assert client.get("/review/national/")["Location"] == verify_url("/review/national/")
    # The right code afterwards still works.
    wait_out_the_throttle()
    assert client.post(reverse("otp_verify"), {"token": code(device), "next": "/review/national/"})["Location"] == "/review/national/"


@pytest.mark.parametrize("typed", ["12345", "1234567", "abcdef", ""])
def test_a_code_that_is_not_six_digits_is_refused_with_a_message(client, staff_user, typed):
    TOTPDevice.objects.create(user=staff_user, name="验证器应用", confirmed=True)
    log_in(client, "staff")

    response = client.post(reverse("otp_verify"), {"token": typed})

    assert response.status_code == 200
    message = "这个字段是必填项。" if typed == "" else "请输入验证器应用显示的 6 位数字。"
    assert message in response.content.decode()
    assert client.get("/dashboard/").status_code == 302


def test_a_code_once_used_does_not_open_a_second_session(client, staff_user):
    device = TOTPDevice.objects.create(user=staff_user, name="验证器应用", confirmed=True)
    log_in(client, "staff")
    used = code(device)
    assert client.post(reverse("otp_verify"), {"token": used})["Location"] == reverse("dashboard")
    client.post(reverse("logout"))

    # Someone who saw the code (over a shoulder, in a proxy log) cannot replay it.
    log_in(client, "staff")
    response = client.post(reverse("otp_verify"), {"token": used})

    assert WRONG_CODE_MESSAGE in response.content.decode()
    assert client.get("/dashboard/").status_code == 302


def test_after_the_code_the_next_address_never_leads_off_the_site(client, staff_user):
    device = TOTPDevice.objects.create(user=staff_user, name="验证器应用", confirmed=True)
    log_in(client, "staff")

    response = client.post(reverse("otp_verify"), {"token": code(device), "next": "https://evil.example.cn/phish"})

    assert (response.status_code, response["Location"]) == (302, reverse("dashboard"))


def test_schools_have_no_two_factor_page(client, user_a):
    client.force_login(user_a)

    assert client.get(reverse("otp_setup")).status_code == 403
    assert client.post(reverse("otp_setup"), {"action": "start"}).status_code == 403
    assert TOTPDevice.objects.count() == 0


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_an_administrator_without_a_device_must_set_one_up_first(client, admin_user):
    log_in(client, "admin")

    # Nothing but the set-up page opens: not Django admin, not the landing page.
    for path in ["/admin/", "/admin/applications/application/", "/dashboard/", "/"]:
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (302, reverse("otp_setup")), path
    assert client.get(reverse("otp_setup")).status_code == 200

    set_up_through_the_pages(client, admin_user)

    assert client.get("/admin/").status_code == 200
    assert client.get("/dashboard/")["Location"] == reverse("admin:index")


# The project group's pages, its exports and Django admin: every page a staff member works in.
STAFF_ONLY_PAGES = ["/review/national/", "/review/national/applications/", "/review/national/ranking/",
                    "/review/national/progress/", "/review/national/exports/", "/admin/",
                    "/admin/applications/application/", "/dashboard/"]  # fmt: skip


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_the_project_group_must_set_up_two_factor_before_any_staff_page(client, staff_user):
    log_in(client, "staff")

    for path in STAFF_ONLY_PAGES:
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (302, reverse("otp_setup")), path
    # A POST to the project group's pages is stopped the same way, before the view.
    assert client.post("/review/national/ranking/decide/", {})["Location"] == reverse("otp_setup")

    set_up_through_the_pages(client, staff_user)

    # Then the pages open as they would (admin's application list is 403 to a staff member outside
    # the 项目组 group, as without the second factor).
    for path in STAFF_ONLY_PAGES:
        assert client.get(path).get("Location") != reverse("otp_setup"), path
    assert client.get("/review/national/").status_code == 200


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_anyone_let_into_django_admin_must_set_up_two_factor_whatever_the_role(client, expert_user):
    # is_staff opens Django admin whatever the role says: the requirement follows it.
    expert_user.is_staff = True
    expert_user.save(update_fields=["is_staff"])
    log_in(client, "expert")

    for path in ["/admin/", "/admin/applications/application/", "/review/expert/"]:
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (302, reverse("otp_setup")), path
    assert client.get(reverse("otp_setup")).status_code == 200


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_provinces_and_experts_outside_admin_are_not_made_to_set_it_up(client, zhejiang_reviewer, expert_user):
    # They may turn it on (the menu offers it), but the requirement is for staff.
    log_in(client, "reviewer-zj")
    assert client.get("/review/province/").get("Location") != reverse("otp_setup")
    client.post(reverse("logout"))
    log_in(client, "expert")
    assert client.get("/review/expert/").status_code == 200


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_staff_who_must_use_two_factor_cannot_turn_it_off(client, staff_user):
    device = TOTPDevice.objects.create(user=staff_user, name="验证器应用", confirmed=True)
    log_in(client, "staff")
    client.post(reverse("otp_verify"), {"token": code(device)})

    page = client.get(reverse("otp_setup")).content.decode()
    refused = client.post(reverse("otp_setup"), {"action": "disable", "token": code(device, 1)})

    assert "关闭两步验证" not in page
    assert "手机丢失或更换时，请联系系统管理员重置" in page
    assert "项目组和管理员必须使用两步验证" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=staff_user, confirmed=True).exists()


def test_turning_two_factor_off_needs_a_current_code(client, staff_user):
    device = TOTPDevice.objects.create(user=staff_user, name="验证器应用", confirmed=True)
    log_in(client, "staff")
    client.post(reverse("otp_verify"), {"token": code(device)})

    missing = client.post(reverse("otp_setup"), {"action": "disable"})
    wrong = client.post(reverse("otp_setup"), {"action": "disable", "token": wrong_code(device)})

    assert "这个字段是必填项。" in missing.content.decode()
    assert "验证码不正确或已过期。" in wrong.content.decode()
    assert TOTPDevice.objects.filter(user=staff_user, confirmed=True).exists()
    wait_out_the_throttle()
    done = client.post(reverse("otp_setup"), {"action": "disable", "token": code(device, 1)}, follow=True)
    assert "两步验证已关闭。" in done.content.decode()
    assert TOTPDevice.objects.filter(user=staff_user).count() == 0
    # The next login needs the password only.
    client.post(reverse("logout"))
    log_in(client, "staff")
    assert client.get("/review/national/").status_code == 200
    assert client.session.get(SESSION_KEY) == str(staff_user.pk)
