"""Failed-login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords an account is
locked from the address they came from (and only from there, so that no one can lock a school out
from elsewhere); an address that failed often, for any accounts, is slowed down with a growing
wait but never locked (a school's whole network may share one address); the lockout page says so
in Chinese; a successful login clears the count; the lock lifts after AXES_COOLOFF_TIME. Behind
the proxy the address is the one the proxy appended to X-Forwarded-For, never one the client wrote.

Throttling is off in the test settings (the test client's login() passes no request, which axes
needs), so every test here turns it on and logs in through the login page with client.post."""
import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.contrib.auth import SESSION_KEY
from django.db.models import F, Sum
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD

WRONG = "not-the-password-1"
LOCKED_TITLE = "登录失败次数过多"
WRONG_MESSAGE = "用户名（邮箱）或密码不正确。"
# What django-axes answers a locked-out login with (AXES_HTTP_RESPONSE_CODE's default), and what
# the portal answers a login from an address that must wait.
LOCKED_STATUS = 429
WAIT_MESSAGE = re.compile(r"本网络地址近期登录失败次数较多，请 (\d+) 秒后再试。")
# nginx on the same machine, as gunicorn sees it.
PROXY = "127.0.0.1"


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


def log_in_through_proxy(client, username, password, address, claimed=()):
    """A login through nginx: gunicorn sees nginx's address, and X-Forwarded-For is whatever the
    client sent with the address nginx saw appended (proxy_add_x_forwarded_for)."""
    forwarded = ", ".join([*claimed, address])
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded
    )


def failures_from(address) -> int:
    return AccessAttempt.objects.filter(ip_address=address).aggregate(total=Sum("failures_since_start"))["total"] or 0


def let_time_pass(seconds):
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(seconds=seconds))


def wait_asked(response) -> int:
    """The seconds the page asks to wait; the Retry-After header says the same."""
    [seconds] = WAIT_MESSAGE.findall(response.content.decode())
    assert response["Retry-After"] == seconds
    return int(seconds)


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
    response = log_in(client, "school-a", PASSWORD, "10.0.0.1")
    assert response.status_code == LOCKED_STATUS
    html = response.content.decode()
    assert LOCKED_TITLE in html and "请 15 分钟后再试" in html
    assert logged_in(client) is None
    # The lock is on the account from that address: from the school's own network it logs in ...
    assert log_in(client, "school-a", PASSWORD, "10.0.0.2").status_code == 302
    assert logged_in(client) == str(user_a.pk)
    # ... and another account from the locked address is not affected either.
    assert log_in(Client(), "school-b", PASSWORD, "10.0.0.1").status_code == 302


def spray(client, address, soft_limit, past_it, start=0):
    """Wrong passwords for made-up names from `address`: up to the soft limit at once, then `past_it`
    more, each once the wait it was given is over (a minute, the longest wait, later)."""
    for number in range(soft_limit):
        log_in(client, f"guess-{number}@example.cn", WRONG, address)
    for number in range(start, start + past_it):
        let_time_pass(60)
        assert log_in(client, f"more-{number}@example.cn", WRONG, address).status_code == 200


@override_settings(LOGIN_ADDRESS_SOFT_LIMIT=8)
def test_many_failures_from_one_address_make_it_wait_but_never_lock_a_real_user_out(client, user_a):
    # Someone on a school's shared address tries made-up names: the address is slowed down, no
    # account is locked.
    spray(client, "10.0.0.9", soft_limit=8, past_it=3)

    refused = log_in(client, "school-a", PASSWORD, "10.0.0.9")

    # 3 failures past the soft limit: 2**3 = 8 seconds after the last one (less the test's own time).
    assert refused.status_code == LOCKED_STATUS
    assert LOCKED_TITLE not in refused.content.decode()
    assert 1 <= wait_asked(refused) <= 8
    assert logged_in(client) is None
    # What was typed stays in the form.
    assert 'value="school-a"' in refused.content.decode()
    # An attempt refused for the wait is not a failure: it neither counts nor makes the wait longer.
    assert failures_from("10.0.0.9") == 11
    assert 1 <= wait_asked(log_in(client, "school-a", WRONG, "10.0.0.9")) <= 8
    assert failures_from("10.0.0.9") == 11
    # Once the wait is over, the right password works from that very address.
    let_time_pass(8)
    assert log_in(client, "school-a", PASSWORD, "10.0.0.9").status_code == 302
    assert logged_in(client) == str(user_a.pk)
    # Another address never waited.
    assert log_in(Client(), "school-a", PASSWORD, "10.0.0.10").status_code == 302


@override_settings(LOGIN_ADDRESS_SOFT_LIMIT=4, LOGIN_ADDRESS_MAX_WAIT_SECONDS=60)
def test_the_wait_grows_with_each_failure_and_stops_at_its_cap(client, user_a):
    spray(client, "10.0.0.9", soft_limit=4, past_it=2)
    assert 1 <= wait_asked(log_in(client, "school-a", PASSWORD, "10.0.0.9")) <= 4  # 2**2

    spray(client, "10.0.0.9", soft_limit=0, past_it=6, start=2)  # 8 past the limit now

    refused = log_in(client, "school-a", PASSWORD, "10.0.0.9")
    # 2**8 seconds, were there no cap.
    assert refused.status_code == LOCKED_STATUS
    assert 55 <= wait_asked(refused) <= 60


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_the_proxy_an_attacker_locks_out_no_one_but_itself(settings, user_a):
    attacker, school = "203.0.113.66", "198.51.100.7"
    script = Client()
    # Made-up names, then the real account, each claiming the school's address in X-Forwarded-For.
    for number in range(settings.AXES_FAILURE_LIMIT):
        log_in_through_proxy(script, f"nobody-{number}@example.cn", WRONG, attacker, claimed=[school])
    responses = [log_in_through_proxy(script, "school-a", WRONG, attacker, claimed=[school]) for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert responses[-1].status_code == LOCKED_STATUS

    # The attacker's own account-and-address is locked, even with the right password ...
    locked = log_in_through_proxy(script, "school-a", PASSWORD, attacker)
    assert locked.status_code == LOCKED_STATUS and LOCKED_TITLE in locked.content.decode()
    # ... while the school, from its own address, signs in.
    school_browser = Client()
    response = log_in_through_proxy(school_browser, "school-a", PASSWORD, school)
    assert response.status_code == 302
    assert logged_in(school_browser) == str(user_a.pk)
    # The failures were counted against the address the proxy saw, never the one claimed (the
    # locked attempt too: trying on during a lockout keeps it going).
    assert failures_from(attacker) == 2 * settings.AXES_FAILURE_LIMIT + 1
    assert failures_from(school) == 0 and failures_from(PROXY) == 0


@pytest.mark.parametrize(
    ("trusted_proxies", "remote_addr", "forwarded_for", "client"),
    [
        pytest.param(0, "198.51.100.7", "203.0.113.1", "198.51.100.7", id="no proxy: the header is anyone's"),
        pytest.param(1, "127.0.0.1", "198.51.100.7", "198.51.100.7", id="nginx"),
        pytest.param(1, "127.0.0.1", "10.9.9.9, 6.6.6.6,198.51.100.7", "198.51.100.7", id="nginx, header forged"),
        pytest.param(1, "127.0.0.1", "2001:db8::7", "2001:db8::7", id="nginx, IPv6"),
        pytest.param(2, "127.0.0.1", "6.6.6.6, 198.51.100.7, 10.0.0.2", "198.51.100.7", id="load balancer and nginx"),
        pytest.param(2, "127.0.0.1", "198.51.100.7", "127.0.0.1", id="fewer entries than proxies"),
        pytest.param(1, "127.0.0.1", "", "127.0.0.1", id="nginx, no header (a local call)"),
        pytest.param(1, "127.0.0.1", "not-an-address", "127.0.0.1", id="garbage"),
    ],
)
def test_the_client_address_is_the_one_the_nearest_trusted_proxy_saw(settings, trusted_proxies, remote_addr, forwarded_for, client):
    from portal.client_address import client_address

    settings.TRUSTED_PROXY_COUNT = trusted_proxies
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=remote_addr, **headers)

    assert client_address(request) == client


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
    # must not get a fresh set of attempts per spelling.
    spellings = ["school-a", "school-a@example.cn", "SCHOOL-A@EXAMPLE.CN", "School-A@Example.cn", "school-A@example.CN"]
    assert len(spellings) >= settings.AXES_FAILURE_LIMIT
    for spelling in spellings[: settings.AXES_FAILURE_LIMIT]:
        log_in(client, spelling, WRONG, "10.0.1.1")

    response = log_in(client, "school-a@example.cn", PASSWORD, "10.0.1.1")

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

