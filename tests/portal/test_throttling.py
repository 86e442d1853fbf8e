"""Failed-login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords an account is
locked, and separately an address that tried too many; the lockout page says so in Chinese; a
successful login clears the count; the lock lifts after AXES_COOLOFF_TIME.

Throttling is off in the test settings (the test client's login() passes no request, which axes
needs), so every test here turns it on and logs in through the login page with client.post."""
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.contrib.auth import SESSION_KEY
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD

WRONG = "not-the-password-1"
LOCKED_TITLE = "登录失败次数过多"
WRONG_MESSAGE = "用户名（邮箱）或密码不正确。"
# What django-axes answers a locked-out login with (AXES_HTTP_RESPONSE_CODE's default).
LOCKED_STATUS = 429


@pytest.fixture(autouse=True)
def throttling(db):
    """Axes on for the test, with no attempt left over from another test (the records live in the
    database, rolled back after each test; cleared here too so a test never starts locked)."""
    with override_settings(AXES_ENABLED=True):
        axes_reset()
        yield
        axes_reset()


def log_in(client, username, password, address):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(client):
    return client.session.get(SESSION_KEY)


def fail(client, username, address, times):
    return [log_in(client, username, WRONG, address) for _ in range(times)]


def test_below_the_limit_a_wrong_password_is_just_refused(client, settings, user_a):
    responses = fail(client, "school-a", "10.0.0.1", settings.AXES_FAILURE_LIMIT - 1)

    assert [r.status_code for r in responses] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert all(WRONG_MESSAGE in r.content.decode() for r in responses)
    # One more chance: the right password still works.
    assert log_in(client, "school-a", PASSWORD, "10.0.0.1").status_code == 302
    assert logged_in(client) == str(user_a.pk)


def test_after_the_limit_even_the_right_password_is_refused_with_the_lockout_page(client, settings, user_a, user_b):
    responses = fail(client, "school-a", "10.0.0.1", settings.AXES_FAILURE_LIMIT)

    # The attempt that reaches the limit is already answered with the lockout page.
    assert [r.status_code for r in responses] == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [LOCKED_STATUS]
    for address in ("10.0.0.1", "10.0.0.2"):  # the account is locked, wherever the right password comes from
        response = log_in(client, "school-a", PASSWORD, address)
        assert response.status_code == LOCKED_STATUS
        html = response.content.decode()
        assert LOCKED_TITLE in html and "请 15 分钟后再试" in html
        assert logged_in(client) is None
    # Another account from another address is not affected.
    assert log_in(client, "school-b", PASSWORD, "10.0.0.3").status_code == 302
    assert logged_in(client) == str(user_b.pk)


def test_failures_against_different_accounts_lock_the_address(client, settings, user_a, user_b):
    names = [f"guess-{n}@example.cn" for n in range(settings.AXES_FAILURE_LIMIT - 1)] + ["school-b"]
    for name in names:
        log_in(client, name, WRONG, "10.0.0.9")

    # school-a never failed, yet from that address even its right password is refused ...
    refused = log_in(client, "school-a", PASSWORD, "10.0.0.9")
    assert refused.status_code == LOCKED_STATUS
    assert LOCKED_TITLE in refused.content.decode()
    assert logged_in(client) is None
    # ... while from another address it logs in.
    assert log_in(client, "school-a", PASSWORD, "10.0.0.10").status_code == 302
    assert logged_in(client) == str(user_a.pk)


def test_a_successful_login_clears_the_count(client, settings, user_a):
    almost = settings.AXES_FAILURE_LIMIT - 1
    fail(client, "school-a", "10.0.0.1", almost)
    assert log_in(client, "school-a", PASSWORD, "10.0.0.1").status_code == 302
    client.post(reverse("logout"), REMOTE_ADDR="10.0.0.1")

    # Without the reset these would add up to more than the limit.
    responses = fail(client, "school-a", "10.0.0.1", almost)
    assert [r.status_code for r in responses] == [200] * almost
    assert log_in(client, "school-a", PASSWORD, "10.0.0.1").status_code == 302
    assert logged_in(client) == str(user_a.pk)


def test_every_spelling_of_one_account_counts_against_it(client, settings, user_a):
    # The same account is reached by its username and by its e-mail in any case: an attacker
    # must not get a fresh set of attempts per spelling (nor per address).
    spellings = ["school-a", "school-a@example.cn", "SCHOOL-A@EXAMPLE.CN", "School-A@Example.cn", "school-A@example.CN"]
    assert len(spellings) >= settings.AXES_FAILURE_LIMIT
    for number, spelling in enumerate(spellings[: settings.AXES_FAILURE_LIMIT]):
        log_in(client, spelling, WRONG, f"10.0.1.{number}")

    response = log_in(client, "school-a@example.cn", PASSWORD, "10.0.2.1")

    assert response.status_code == LOCKED_STATUS
    assert logged_in(client) is None


def test_the_lock_lifts_after_the_cool_off_time(client, settings, user_a):
    fail(client, "school-a", "10.0.0.1", settings.AXES_FAILURE_LIMIT)
    assert log_in(client, "school-a", PASSWORD, "10.0.0.1").status_code == LOCKED_STATUS

    # Let the cool-off time pass for the recorded failures.
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))

    assert log_in(client, "school-a", PASSWORD, "10.0.0.1").status_code == 302
    assert logged_in(client) == str(user_a.pk)


@override_settings(AXES_COOLOFF_TIME=timedelta(minutes=30))
def test_the_lockout_page_names_the_configured_wait(client, settings, user_a):
    # AXES_COOLOFF_MINUTES comes from the environment: the page must say what is configured.
    fail(client, "school-a", "10.0.0.1", settings.AXES_FAILURE_LIMIT)

    html = log_in(client, "school-a", PASSWORD, "10.0.0.1").content.decode()

    assert "请 30 分钟后再试" in html

