from django.contrib.auth import get_user_model
from django.contrib.auth.backends import AllowAllUsersModelBackend


class UsernameOrEmailBackend(AllowAllUsersModelBackend):
    """Lets people log in with their username or the e-mail address they registered with.

    Inactive users are authenticated so that the login form can tell them their account still
    waits for e-mail confirmation (the form then refuses the login); sessions of inactive users
    are still refused by `get_user`.
    """

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username and "@" in username:
            user = get_user_model().objects.filter(email__iexact=username).order_by("pk").first()
            if user is not None:
                username = user.get_username()
        return super().authenticate(request, username=username, password=password, **kwargs)
