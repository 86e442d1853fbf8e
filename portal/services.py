"""Account writes: registering a school, confirming an e-mail address, and removing the
registrations that were never confirmed."""
import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from portal.emails import queue_mail
from portal.models import Role
from portal.throttling import account_mail_allowed
from portal.tokens import email_confirmation_token

User = get_user_model()
logger = logging.getLogger(__name__)


def send_email_confirmation(*, user, request):
    """Mail `user` the link that confirms their address and activates the account."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = email_confirmation_token.make_token(user)
    link = request.build_absolute_uri(reverse("activate", args=[uid, token]))
    context = {"user": user, "link": link, "school": user.school, "hours": settings.REGISTRATION_CONFIRM_HOURS}
    return queue_mail(to=[user.email], template="confirm_email", context=context)


def school_register(*, form, request):
    """Create the school and its first (inactive) user from a valid registration form, and send
    the confirmation mail. The account becomes usable once the link in it is followed.

    When the contact e-mail already belongs to an account (any role), nothing is created: the
    address's owner is mailed that someone tried to register with it (within the account-mail
    limits), and the caller answers as for a new registration, so the form tells no one who has an
    account. The password is hashed either way, so the time taken tells nothing either. Returns
    the new user, or None."""
    email = form.cleaned_data["contact_email"]
    if User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).exists():
        make_password(form.cleaned_data["password1"])
        if account_mail_allowed(request, email):
            links = {name: request.build_absolute_uri(reverse(name)) for name in ("login", "password_reset")}
            queue_mail(to=[email], template="registration_attempt", context={"email": email, **links})
        return None
    with transaction.atomic():
        school = form.save()
        user = User(
            username=school.contact_email,
            email=school.contact_email,
            last_name=form.cleaned_data["contact_name"],
            mobile=school.contact_mobile,
            role=Role.SCHOOL,
            school=school,
            is_active=False,
        )
        user.set_password(form.cleaned_data["password1"])
        user.save()
        send_email_confirmation(user=user, request=request)
    return user


def user_confirm_email(*, user, token: str) -> bool:
    """Activate `user` when `token` is a valid confirmation token for them and the registration
    has not expired (registration_expired)."""
    if user is None or registration_expired(user) or not email_confirmation_token.check_token(user, token):
        return False
    user.is_active = True
    user.save(update_fields=["is_active"])
    return True



def expired_registrations(*, now=None):
    """School accounts registered more than REGISTRATION_CONFIRM_HOURS ago whose e-mail address
    was never confirmed (inactive, never logged in)."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.REGISTRATION_CONFIRM_HOURS)
    return User.objects.filter(role=Role.SCHOOL, is_active=False, last_login__isnull=True, date_joined__lt=cutoff)


def registration_expired(user, *, now=None) -> bool:
    return expired_registrations(now=now).filter(pk=user.pk).exists()


def registrations_expire(*, now=None) -> int:
    """Remove the registrations not confirmed in time (expired_registrations), so that the school's
    name, credit code and e-mail address are free for whoever registers them next.

    Side effects: deletes each such account, and its school when no one else acts for it and
    nothing else holds on to it (an application would); the history records both deletions.
    Returns how many accounts were removed."""
    removed = 0
    for user in expired_registrations(now=now).select_related("school"):
        with transaction.atomic():
            school = user.school
            user.delete()
            removed += 1
            if school is None or school.users.exists():
                continue
            try:
                with transaction.atomic():
                    school.delete()
            except ProtectedError:
                logger.warning("unconfirmed registration of school %s removed; the school is kept (it has records)", school.pk)
    return removed
