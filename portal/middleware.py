"""Two-factor sign-in: once a user has a confirmed authenticator, nothing but the verification
page opens until the code is entered; the project group, administrators and Django admin's users
without one are sent to set it up when the setting requires it (portal.policy.must_use_second_factor)."""
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import user_has_device

from portal.policy import must_use_second_factor

# Pages that must open before the second factor: the verification and set-up pages themselves,
# logging out, and the assets those pages use.
OPEN_PREFIXES = ("/accounts/otp/", "/accounts/logout/", "/static/", "/favicon.ico")


class OTPRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(OPEN_PREFIXES):
            if not user.is_verified():
                # Read with the user (auth_backends.UsernameOrEmailBackend.get_user) where it was.
                has_device = getattr(user, "has_confirmed_device", None)
                if has_device is None:
                    has_device = user_has_device(user, confirmed=True)
                if has_device:
                    return redirect(f"{reverse('otp_verify')}?{urlencode({'next': request.get_full_path()})}")
                if must_use_second_factor(user):
                    return redirect("otp_setup")
        return self.get_response(request)
