"""What the tests of the 实验校's pages share: a batch in year 2 of its cycle today (the pages read
the clock, so the dates are counted back from today), activities ahead of today, and a client
signed in as a 实验校's school."""
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.programme.conftest import invite, make_activity, published_batch

# The cycle started this many days ago: year 2 of 3.
CYCLE_DAYS_AGO = 400


@pytest.fixture
def second_batch(db):
    """Overrides tests/programme/conftest.py's: the list announced CYCLE_DAYS_AGO days ago."""
    return published_batch("第一批实验校", 2022, "中成协〔2022〕012号", meeting_on=timezone.localdate() - timedelta(days=CYCLE_DAYS_AGO))


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upcoming(staff, schools, *, days=20, **options):
    """An activity `days` from now (registration closing a week before), the schools invited."""
    start = (timezone.now() + timedelta(days=days)).replace(second=0, microsecond=0)
    activity = make_activity(staff, start, **options)
    invite(activity, staff, schools)
    return activity


def now_on(activity, minutes=10):
    """A moment `minutes` into the activity."""
    return activity.starts_at + timedelta(minutes=minutes)
