"""Throttling: failed logins, and the account mails anyone can make the portal send.

Failed logins: hard for an account from one address, soft for an address.

django-axes counts failures per account and address (AXES_LOCKOUT_PARAMETERS) and locks that pair
for AXES_COOLOFF_TIME after AXES_FAILURE_LIMIT of them: whoever guesses a school's password locks
only themselves out, never the school signing in from its own network. An address that fails often,
for any accounts (a password spray), is slowed down instead of locked, because a school's whole
network, or a mobile carrier's, may share one address: once its failures within the cool-off time
reach LOGIN_ADDRESS_SOFT_LIMIT, each further attempt waits 1, 2, 4 … seconds after the address's
last failure, at most LOGIN_ADDRESS_MAX_WAIT_SECONDS. An attempt made during the wait is refused
without its password being tried, and is not counted: it neither lengthens the wait nor counts
against the account. The login page says how many seconds to wait (LoginForm, LoginView).

Account mails (password reset, the notice that someone tried to register with an address that has
an account) are asked for by whoever types an address: at most ACCOUNT_MAILS_PER_ADDRESS_PER_HOUR
go to one address and ACCOUNT_MAILS_PER_CLIENT_PER_HOUR are sent at the request of one client
address, counted in Django's cache. Over the limit nothing is sent, and the page answers the same.
"""
import hashlib
import logging
import math
from datetime import timedelta

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Sum
from django.utils import timezone

from portal.client_address import client_address

logger = logging.getLogger(__name__)

# Set on the request when a login was refused for the address's wait: the seconds left.
WAIT_ATTRIBUTE = "login_wait_seconds"


def address_wait_seconds(request) -> int:
    """Seconds the request's address must still wait before its next login attempt (0: none)."""
    recent = AccessAttempt.objects.filter(ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request))
    tally = recent.aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    past_limit = (tally["failures"] or 0) - settings.LOGIN_ADDRESS_SOFT_LIMIT
    if past_limit < 0:
        return 0
    # 2 ** past_limit grows past any cap quickly; the exponent is bounded so it stays a small number.
    wait = min(2 ** min(past_limit, 32), settings.LOGIN_ADDRESS_MAX_WAIT_SECONDS)
    left = (tally["last"] + timedelta(seconds=wait) - timezone.now()).total_seconds()
    return max(0, math.ceil(left))


class AccountAndAddressHandler(AxesDatabaseHandler):
    """django-axes' database handler (AXES_HANDLER) with the address's soft wait added."""

    def is_allowed(self, request, credentials=None) -> bool:
        wait = address_wait_seconds(request)
        if wait:
            setattr(request, WAIT_ATTRIBUTE, wait)
            return False
        return super().is_allowed(request, credentials)

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        # Refused for the wait, the password was never tried: recording it would make the wait
        # longer and count against an account that may belong to someone else on the network.
        if request is not None and getattr(request, WAIT_ATTRIBUTE, 0):
            return
        super().user_login_failed(sender, credentials, request, **kwargs)


def _count_within_the_hour(key: str) -> int:
    """Add one to the count kept under `key`, which starts with the first and lasts an hour."""
    cache.add(key, 0, timeout=60 * 60)
    try:
        return cache.incr(key)
    except ValueError:  # it ran out between add and incr
        cache.set(key, 1, timeout=60 * 60)
        return 1


def account_mail_allowed(request, address: str) -> bool:
    """Whether one more account mail may go to `address` at this request's asking; the request
    counts against both limits either way (side effect: the counts in the cache)."""
    digest = hashlib.sha256(address.strip().lower().encode()).hexdigest()
    to_address = _count_within_the_hour(f"account-mail:to:{digest}")
    from_client = _count_within_the_hour(f"account-mail:from:{client_address(request)}")
    allowed = to_address <= settings.ACCOUNT_MAILS_PER_ADDRESS_PER_HOUR and from_client <= settings.ACCOUNT_MAILS_PER_CLIENT_PER_HOUR
    if not allowed:
        logger.warning("account mail not sent: limit reached (%s to the address, %s from %s this hour)", to_address, from_client, client_address(request))
    return allowed
