"""Account writes: registering a school and confirming an e-mail address."""
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from portal.emails import queue_mail
from portal.models import Role
from portal.tokens import email_confirmation_token

User = get_user_model()


def send_email_confirmation(*, user, request):
    """Mail `user` the link that confirms their address and activates the account."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = email_confirmation_token.make_token(user)
    link = request.build_absolute_uri(reverse("activate", args=[uid, token]))
    return queue_mail(to=[user.email], template="confirm_email", context={"user": user, "link": link, "school": user.school})


def school_register(*, form, request):
    """Create the school and its first (inactive) user from a valid registration form, and send
    the confirmation mail. The account becomes usable once the link in it is followed."""
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
    """Activate `user` when `token` is a valid confirmation token for them."""
    if user is None or not email_confirmation_token.check_token(user, token):
        return False
    user.is_active = True
    user.save(update_fields=["is_active"])
    return True

