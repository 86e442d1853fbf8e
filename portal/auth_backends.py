from django.contrib.auth import get_user_model
from django.contrib.auth.backends import AllowAllUsersModelBackend
from django.db.models import Exists, OuterRef


class UsernameOrEmailBackend(AllowAllUsersModelBackend):
    """Lets people log in with their username or the e-mail address they registered with.

    Inactive users are authenticated so that the login form can tell them their account still
    waits for e-mail confirmation (the form then refuses the login); sessions of inactive users
    are still refused by `get_user`.
    """

    def get_user(self, user_id):
        """The signed-in user of a session, if still active, with `has_confirmed_device`: whether
        they have a confirmed second factor (any django-otp device class), read in the same query.
        portal.middleware.OTPRequiredMiddleware asks that on every request of a user who has not
        entered a code, which for most schools is every request."""
        from django_otp import device_classes

        devices = {f"_confirmed_device_{index}": Exists(model.objects.filter(user=OuterRef("pk"), confirmed=True))
                   for index, model in enumerate(device_classes())}  # fmt: skip
        user = get_user_model()._default_manager.annotate(**devices).filter(pk=user_id).first()
        if user is None or not user.is_active:
            return None
        user.has_confirmed_device = any(getattr(user, name) for name in devices)
        return user

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username and "@" in username:
            user = get_user_model().objects.filter(email__iexact=username).order_by("pk").first()
            if user is not None:
                username = user.get_username()
        return super().authenticate(request, username=username, password=password, **kwargs)


def login_name_for_throttling(request, credentials=None) -> str:
    """The account a login attempt is for, as django-axes counts failures (AXES_USERNAME_CALLABLE).

    UsernameOrEmailBackend lets the username and the e-mail address in any case reach the same
    account; counting them by what was typed would give an attacker a fresh set of attempts per
    spelling. A name that reaches no account is counted as typed, in lower case."""
    typed = (credentials or {}).get("username")
    if typed is None and request is not None:
        typed = getattr(request, "POST", {}).get("username")
    typed = (typed or "").strip()
    users = get_user_model().objects
    user = users.filter(email__iexact=typed).order_by("pk").first() if "@" in typed else None
    if user is None:
        user = users.filter(**{get_user_model().USERNAME_FIELD: typed}).first()
    return user.get_username() if user is not None else typed.lower()
