"""Sessions end SESSION_ABSOLUTE_AGE after signing in, however busy they have been since; a
session left alone ends SESSION_COOKIE_AGE after it was last renewed.

Renewal: a request renews the session (its stored end and the cookie's) when the last renewal is
SESSION_RENEW_SECONDS old or more, not on every request (SESSION_SAVE_EVERY_REQUEST is off): an
autosave every few seconds would otherwise write the session on every one of them, a write the
database serialises with the schools' saves on deadline night. An idle session therefore ends
between SESSION_COOKIE_AGE minus SESSION_RENEW_SECONDS and SESSION_COOKIE_AGE after its last
request.

The idle timeout (SESSION_COOKIE_AGE) ends a session left alone; it
never ends one kept alive: a copied session cookie used every few minutes, or a shared office
computer left signed in on the edit page, whose autosave keeps the session going. The time of
signing in is stored in the session when the user signs in (the user_logged_in signal, connected
in portal.apps) and checked on every request by SessionLifetimeMiddleware.
"""
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login

SIGNED_IN_AT = "portal_signed_in_at"  # seconds since the epoch
RENEWED_AT = "portal_renewed_at"  # seconds since the epoch


def remember_sign_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = request.session[RENEWED_AT] = int(time.time())


def connect() -> None:
    user_logged_in.connect(remember_sign_in, dispatch_uid="portal.session_lifetime.remember_sign_in")


def lifetime_text() -> str:
    """SESSION_ABSOLUTE_AGE in words: "12 小时", "90 分钟"."""
    seconds = settings.SESSION_ABSOLUTE_AGE
    return f"{seconds // 3600} 小时" if seconds % 3600 == 0 else f"{max(1, seconds // 60)} 分钟"


class SessionLifetimeMiddleware:
    """Signs out a session older than SESSION_ABSOLUTE_AGE and sends it to the login page (back to
    the page asked for afterwards), saying why; renews a signed-in session whose last renewal is
    SESSION_RENEW_SECONDS old (the session is then saved with a new end, and its cookie sent
    again). Sits after the messages middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            signed_in_at = request.session.get(SIGNED_IN_AT)
            if not isinstance(signed_in_at, int):
                # A session from before this check existed: its lifetime starts now.
                request.session[SIGNED_IN_AT] = now
            elif now - signed_in_at >= settings.SESSION_ABSOLUTE_AGE:
                logout(request)
                messages.info(request, f"您已登录超过 {lifetime_text()}，为了账号安全，请重新登录。")
                return redirect_to_login(request.get_full_path())
            renewed_at = request.session.get(RENEWED_AT)
            if not isinstance(renewed_at, int) or now - renewed_at >= settings.SESSION_RENEW_SECONDS:
                request.session[RENEWED_AT] = now  # modified: SessionMiddleware saves it, new end and cookie
        return self.get_response(request)
