"""Signed-in sessions for bin/lighthouse: prints `name<TAB>cookie header<TAB>path` for each signed-in
page Lighthouse audits, on the throwaway database bin/lighthouse seeded.

Lighthouse cannot fill a login form (and a one-time password) itself, so this makes the session a
real sign-in would: Django's own login (`Client.force_login`), and for an account that needs a second
factor a TOTP device marked verified in that session, as django-otp's `login` does. Run through
`manage.py shell` so the production settings apply."""
import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from applications.models import Application


def session_cookie(username: str) -> str:
    user = get_user_model().objects.get(username=username)
    client = Client()
    client.force_login(user, backend="portal.auth_backends.UsernameOrEmailBackend")
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="lighthouse", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def pages():
    school = "demo-school"
    draft = Application.objects.filter(school__users__username=school).order_by("-batch__sequence").first()
    yield "school-dashboard", school, "/dashboard/"
    if draft is not None:
        yield "school-application-form", school, f"/applications/{draft.pk}/edit/"
    yield "province-queue", "demo-province", "/review/province/"
    yield "expert-list", "demo-expert", "/review/expert/"


for name, username, path in pages():
    sys.stdout.write(f"{name}\t{session_cookie(username)}\t{path}\n")
