"""Sessions: changing the password ends the account's other sessions but keeps the one that
changed it; cookies are out of reach of scripts; a session ends after SESSION_COOKIE_AGE without a
request, and a request starts that period again (once a minute at most: SESSION_RENEW_SECONDS); however busy, it
ends SESSION_ABSOLUTE_AGE after signing in, and the person is sent to log in again, told why."""
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.session_lifetime import RENEWED_AT, SIGNED_IN_AT
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "lifelong-learning-2024"


def logged_in_client(username="school-a") -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def stored_session(client) -> Session:
    return Session.objects.get(session_key=client.cookies["sessionid"].value)


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(user_a, user_b):
    office, home = logged_in_client(), logged_in_client()
    other_account = logged_in_client("school-b")
    assert home.get(reverse("dashboard")).status_code == 200  # arrange: both sessions are live

    response = office.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert (response.status_code, response["Location"]) == (302, reverse("password_change_done"))
    assert office.get(reverse("dashboard")).status_code == 200
    assert office.session.get(SESSION_KEY) == str(user_a.pk)
    # The other browser is sent to the login page, its session no longer names the user.
    sent_away = home.get(reverse("dashboard"))
    assert (sent_away.status_code, sent_away["Location"]) == (302, f"{reverse('login')}?next={reverse('dashboard')}")
    assert home.session.get(SESSION_KEY) is None
    # Another account's session is untouched.
    assert other_account.get(reverse("dashboard")).status_code == 200


def test_a_wrong_old_password_changes_nothing_and_ends_no_session(user_a):
    office, home = logged_in_client(), logged_in_client()

    response = office.post(
        reverse("password_change"),
        {"old_password": "not-the-old-one", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert "你的旧密码不正确。请重新输入。" in response.content.decode()
    assert home.get(reverse("dashboard")).status_code == 200
    user_a.refresh_from_db()
    assert user_a.check_password(PASSWORD)


def test_resetting_a_forgotten_password_ends_every_session(client, user_a):
    # Someone who took over a session loses it when the owner resets the password by e-mail.
    intruder = logged_in_client()
    client.post(reverse("password_reset"), {"email": "school-a@example.cn"})
    link = next(word for word in mail.outbox[0].body.split() if word.startswith("http://testserver/"))
    set_password_url = client.get(link, follow=True).redirect_chain[-1][0]

    client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert intruder.get(reverse("dashboard")).status_code == 302
    assert intruder.session.get(SESSION_KEY) is None


def test_the_session_and_csrf_cookies_are_out_of_reach_of_scripts(client, user_a):
    page = client.get(reverse("login"))
    response = client.post(reverse("login"), {"username": "school-a", "password": PASSWORD})

    session_cookie = response.cookies["sessionid"]
    assert session_cookie["httponly"] is True
    assert session_cookie["samesite"] == "Lax"
    assert page.cookies["csrftoken"]["httponly"] is True


def test_logging_in_gives_a_new_session_key(client, user_a):
    # A session key planted before login (session fixation) must not become the logged-in one.
    session = client.session
    session["planted"] = "1"
    session.save()
    planted = session.session_key

    client.post(reverse("login"), {"username": "school-a", "password": PASSWORD})

    assert client.cookies["sessionid"].value != planted
    assert not Session.objects.filter(session_key=planted).exists()


def test_the_session_lasts_session_cookie_age_from_the_last_request(client, settings, user_a):
    before = timezone.now()
    response = client.post(reverse("login"), {"username": "school-a", "password": PASSWORD})

    assert int(response.cookies["sessionid"]["max-age"]) == settings.SESSION_COOKIE_AGE
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    expires = stored_session(client).expire_date
    assert before + timedelta(seconds=settings.SESSION_COOKIE_AGE) <= expires <= timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)


def idle_until_a_minute_before_the_end(client, settings):
    """As if the school had been idle (no request, so no renewal) until a minute before the session would end."""
    session = client.session
    session[RENEWED_AT] -= settings.SESSION_COOKIE_AGE - 60
    session.save()
    Session.objects.filter(pk=stored_session(client).pk).update(expire_date=timezone.now() + timedelta(minutes=1))


def test_every_request_starts_the_period_again(client, settings, user_a):
    client.post(reverse("login"), {"username": "school-a", "password": PASSWORD})
    idle_until_a_minute_before_the_end(client, settings)

    before = timezone.now()
    response = client.get(reverse("dashboard"))

    assert response.status_code == 200
    assert int(response.cookies["sessionid"]["max-age"]) == settings.SESSION_COOKIE_AGE
    assert stored_session(client).expire_date >= before + timedelta(seconds=settings.SESSION_COOKIE_AGE)


def test_requests_within_a_minute_of_the_last_renewal_write_no_session(client, settings, user_a):
    # An autosave every few seconds must not write the session every time (issue 18): the
    # session is renewed once its last renewal is SESSION_RENEW_SECONDS (a minute) old.
    client.post(reverse("login"), {"username": "school-a", "password": PASSWORD})
    stored = stored_session(client)

    response = client.get(reverse("dashboard"))

    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert (stored_session(client).session_data, stored_session(client).expire_date) == (stored.session_data, stored.expire_date)

    session = client.session
    session[RENEWED_AT] -= settings.SESSION_RENEW_SECONDS
    session.save()
    before = timezone.now()
    response = client.get(reverse("dashboard"))

    assert int(response.cookies["sessionid"]["max-age"]) == settings.SESSION_COOKIE_AGE
    assert stored_session(client).expire_date >= before + timedelta(seconds=settings.SESSION_COOKIE_AGE)


def test_an_idle_session_has_ended(client, settings, user_a):
    client.post(reverse("login"), {"username": "school-a", "password": PASSWORD})
    # SESSION_COOKIE_AGE without a request: the stored session's end has passed.
    Session.objects.filter(pk=stored_session(client).pk).update(expire_date=timezone.now() - timedelta(seconds=1))

    response = client.get(reverse("dashboard"))

    assert (response.status_code, response["Location"]) == (302, f"{reverse('login')}?next={reverse('dashboard')}")


def test_sessions_end_after_two_hours_unless_configured(settings):
    # The default the settings document ("Sessions end after this long without a request").
    assert (settings.SESSION_COOKIE_AGE, settings.SESSION_RENEW_SECONDS, settings.SESSION_EXPIRE_AT_BROWSER_CLOSE) == (7200, 60, False)
    assert settings.SESSION_SAVE_EVERY_REQUEST is False  # renewed by SessionLifetimeMiddleware instead


def signed_in(client, seconds_ago: int) -> None:
    """As if the session had signed in `seconds_ago` (and been busy ever since)."""
    session = client.session
    session[SIGNED_IN_AT] -= seconds_ago
    session.save()


def test_signing_in_records_when(client, user_a):
    before = int(timezone.now().timestamp())

    client.post(reverse("login"), {"username": "school-a", "password": PASSWORD})

    assert before <= client.session[SIGNED_IN_AT] <= timezone.now().timestamp()


def test_a_busy_session_ends_twelve_hours_after_signing_in(client, settings, user_a):
    client.post(reverse("login"), {"username": "school-a", "password": PASSWORD})
    signed_in(client, settings.SESSION_ABSOLUTE_AGE)
    assert Session.objects.get(pk=stored_session(client).pk).expire_date > timezone.now()  # arrange: not idle

    response = client.get(reverse("dashboard"))

    assert (response.status_code, response["Location"]) == (302, f"{reverse('login')}?next={reverse('dashboard')}")
    assert client.session.get(SESSION_KEY) is None
    login_page = client.get(response["Location"]).content.decode()
    assert "您已登录超过 12 小时，为了账号安全，请重新登录。" in login_page
    # Signing in again starts a new lifetime.
    client.post(reverse("login"), {"username": "school-a", "password": PASSWORD})
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_session_a_minute_short_of_its_lifetime_goes_on(client, settings, user_a):
    client.post(reverse("login"), {"username": "school-a", "password": PASSWORD})
    signed_in(client, settings.SESSION_ABSOLUTE_AGE - 60)

    assert client.get(reverse("dashboard")).status_code == 200
    assert client.session.get(SESSION_KEY) == str(user_a.pk)


def test_a_session_signed_in_before_the_lifetime_existed_starts_it_now(client, user_a):
    client.post(reverse("login"), {"username": "school-a", "password": PASSWORD})
    session = client.session
    del session[SIGNED_IN_AT]
    session.save()
    before = int(timezone.now().timestamp())

    assert client.get(reverse("dashboard")).status_code == 200
    assert client.session[SIGNED_IN_AT] >= before


def test_sessions_last_twelve_hours_from_signing_in_unless_configured(settings):
    assert settings.SESSION_ABSOLUTE_AGE == 12 * 60 * 60
