"""Enrolling an authenticator app (the second factor) takes more than the password: a one-time
set-up code mailed to the account's own address, entered together with the app's first code.

Whoever knows a password could otherwise enrol their own phone on the account, and from then on the
second factor would protect the intruder. The set-up code proves the mailbox; it is bound to the
session that asked for it (a second sign-in with the same password neither sees the pending key nor
can confirm it), lasts OTP_ENROLMENT_CODE_MINUTES, and dies after OTP_ENROLMENT_MAX_WRONG_CODES
wrong tries. A lost phone is reset by an administrator (reset_second_factor), and the owner enrols
again the same way.
"""
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.emails import queue_mail
from portal.throttling import account_mail_allowed

SESSION_KEY = "second_factor_enrolment"
CODE_DIGITS = 8
# django-otp's default device name, shown in admin.
DEVICE_NAME = "验证器应用"
RESET_LOG_MESSAGE = "重置两步验证（删除验证器）"


class EnrolmentRefused(Exception):
    """Why no set-up code was sent (a message for the page)."""


@dataclass
class Enrolment:
    """The set-up this session started: its pending device and what the mailed code must match."""

    device: TOTPDevice
    code_digest: str
    expires_at: float
    wrong: int

    @property
    def expired(self) -> bool:
        return time.time() >= self.expires_at


def _digest(code: str) -> str:
    # Only a keyed digest of the code sits in the session: the session table (and its backups) never
    # holds a code that would work.
    return salted_hmac("portal.second_factor.enrolment", code).hexdigest()


def masked_address(address: str) -> str:
    """zhang.san@example.cn → zh***@example.cn: enough for the owner to know where to look."""
    local, _, domain = address.partition("@")
    return f"{local[:2]}***@{domain}"


def start_enrolment(request) -> Enrolment:
    """Start setting up an authenticator for request.user. Side effects: any unconfirmed device of
    the user is deleted (an earlier unfinished set-up, in this session or another, dies with it), a
    new one is created, a set-up code is mailed to the account's address (queue_mail, template
    otp_enrolment; counted against the account-mail limits of portal.throttling) and its digest kept
    in the session. Raises EnrolmentRefused, creating nothing, when the account has no address or
    the mail limits are reached."""
    user = request.user
    if not user.email:
        raise EnrolmentRefused("账号未登记电子邮箱，无法发送设置码。请联系系统管理员。")
    if not account_mail_allowed(request, user.email):
        raise EnrolmentRefused("设置码邮件发送过于频繁，请一小时后再试。")
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    minutes = settings.OTP_ENROLMENT_CODE_MINUTES
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
        queue_mail(
            to=[user.email], template="otp_enrolment",
            context={"user": user, "code": code, "minutes": minutes, "expires_at": timezone.localtime() + timedelta(minutes=minutes)},
        )  # fmt: skip
    enrolment = Enrolment(device=device, code_digest=_digest(code), expires_at=time.time() + minutes * 60, wrong=0)
    _store(request, enrolment)
    return enrolment


def _store(request, enrolment: Enrolment) -> None:
    request.session[SESSION_KEY] = {
        "device": enrolment.device.pk, "code_digest": enrolment.code_digest,
        "expires_at": enrolment.expires_at, "wrong": enrolment.wrong,
    }  # fmt: skip


def current_enrolment(request) -> Enrolment | None:
    """The set-up this session started, if its device is still pending (None once confirmed,
    abandoned, replaced by a later start or reset by an administrator)."""
    state = request.session.get(SESSION_KEY)
    if not isinstance(state, dict):
        return None
    device = TOTPDevice.objects.filter(pk=state.get("device"), user=request.user, confirmed=False).first()
    if device is None:
        request.session.pop(SESSION_KEY, None)
        return None
    return Enrolment(device=device, code_digest=state["code_digest"], expires_at=state["expires_at"], wrong=state["wrong"])


def abandon_enrolment(request, enrolment: Enrolment) -> None:
    """Side effects: the pending device is deleted and the session forgets the set-up."""
    enrolment.device.delete()
    request.session.pop(SESSION_KEY, None)


def check_code(request, enrolment: Enrolment, code: str) -> bool:
    """Whether `code` is the one mailed for this set-up. Side effect: a wrong one is counted in the
    session; at OTP_ENROLMENT_MAX_WRONG_CODES the set-up is abandoned (the caller sees
    enrolment_void)."""
    if constant_time_compare(_digest(code), enrolment.code_digest):
        return True
    enrolment.wrong += 1
    if enrolment.wrong >= settings.OTP_ENROLMENT_MAX_WRONG_CODES:
        abandon_enrolment(request, enrolment)
    else:
        _store(request, enrolment)
    return False


def enrolment_void(request) -> bool:
    return SESSION_KEY not in request.session


def finish_enrolment(request, enrolment: Enrolment) -> TOTPDevice:
    """Side effects: the device is confirmed and the session forgets the set-up."""
    enrolment.device.confirmed = True
    enrolment.device.save(update_fields=["confirmed"])
    request.session.pop(SESSION_KEY, None)
    return enrolment.device


def reset_second_factor(user, *, by=None) -> int:
    """Remove every authenticator of `user` (a lost or replaced phone): at the next sign-in they set
    one up again, with a new mailed set-up code. Side effects: the user's TOTP devices are deleted
    (a session verified with one is no longer verified: django-otp finds no device), and, when `by`
    (the administrator) is given, an entry in Django admin's log of `user`. Returns how many devices
    were removed."""
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    if by is not None:
        LogEntry.objects.log_actions(user_id=by.pk, queryset=[user], action_flag=CHANGE, change_message=RESET_LOG_MESSAGE, single_object=True)
    return removed
