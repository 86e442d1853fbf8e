"""Two-factor sign-in (django-otp TOTP) through the pages: a reviewer turns it on by scanning and
confirming a code; from then on, after the password, nothing opens but the verification page until
the current code is entered; a wrong code is refused in Chinese; schools have no such page;
the project group and anyone let into Django admin must set it up when OTP_REQUIRED_FOR_STAFF is
on (production's default) and cannot turn it off; for others turning it off takes a code.

Codes are computed the way an authenticator app does: RFC 6238 over the device's key, through
django_otp.oath.TOTP with the device's own step, t0, digits and drift."""
import base64
import time
from urllib.parse import urlencode

import pytest
from django.contrib.auth import SESSION_KEY
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


def set_up_through_the_pages(client, user) -> TOTPDevice:
    start = client.post(reverse("otp_setup"), {"action": "start"})
    assert start.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    confirmed = client.post(reverse("otp_setup"), {"action": "confirm", "token": code(device)})
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
    # Confirm with the app's code: on, and this session counts as verified.
    confirmed = client.post(reverse("otp_setup"), {"action": "confirm", "token": code(pending)}, follow=True)
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
