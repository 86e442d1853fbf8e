"""Deadline reminders: schools with an unsubmitted application (draft or returned) N days before
the deadline that applies to them, provinces with undecided (submitted) applications N days before
the national deadline; never twice for the same deadline."""
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command

from applications.services import application_get_or_create
from portal.models import OutgoingMail
from review.models import DeadlineReminder
from review.reminders import send_deadline_reminders
from review.provincial import province_decline, province_forward, province_recommend, province_return

SCHOOL_SUBJECT = "提交截止提醒：第二批实验校申请表尚未提交"


def reminders() -> list[tuple[str, list[str]]]:
    """(template, recipients) of every reminder queued so far."""
    rows = OutgoingMail.objects.filter(template__endswith="_deadline_reminder").order_by("pk")
    return [(row.template, row.to) for row in rows]


def school_to(school) -> list[str]:
    return sorted({school.contact_email.lower(), *school.users.values_list("email", flat=True)})


def counts(report) -> tuple[int, int]:
    return (report.schools, report.provinces)


# --- schools ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before_deadline", "expected"),
    [
        (timedelta(days=3, seconds=1), (0, 0)),  # just outside the 3 days
        (timedelta(days=3), (1, 0)),  # the deadline is exactly 3 days ahead
        (timedelta(days=1), (1, 0)),
        (timedelta(seconds=1), (1, 0)),
        (timedelta(seconds=-1), (0, 0)),  # too late to remind
    ],
)
def test_a_school_with_a_draft_is_reminded_within_the_days_before_its_deadline(
    zhejiang_window, application_a, before_deadline, expected
):
    now = zhejiang_window.school_deadline - before_deadline

    report = send_deadline_reminders(days=3, now=now)

    assert counts(report) == expected
    assert reminders() == ([("school_deadline_reminder", school_to(application_a.school))] if expected[0] else [])


def test_the_school_reminder_names_the_deadline_and_whose_it_is(zhejiang_window, application_a):
    send_deadline_reminders(days=3, now=zhejiang_window.school_deadline - timedelta(days=2))

    assert [message.subject for message in mail.outbox] == [SCHOOL_SUBJECT]
    body = mail.outbox[0].body
    assert application_a.number in body
    assert "北京时间，浙江省成人教育与职业教育协会" in body


def test_a_school_is_never_reminded_twice_for_the_same_deadline(zhejiang_window, application_a):
    first = send_deadline_reminders(days=3, now=zhejiang_window.school_deadline - timedelta(days=2))
    again = send_deadline_reminders(days=3, now=zhejiang_window.school_deadline - timedelta(days=2))
    next_day = send_deadline_reminders(days=3, now=zhejiang_window.school_deadline - timedelta(days=1))

    assert [counts(r) for r in (first, again, next_day)] == [(1, 0), (0, 0), (0, 0)]
    assert len(reminders()) == 1
    assert DeadlineReminder.objects.count() == 1


def test_a_moved_deadline_is_a_new_deadline(zhejiang_window, application_a):
    send_deadline_reminders(days=3, now=zhejiang_window.school_deadline - timedelta(days=2))
    zhejiang_window.school_deadline += timedelta(days=1)
    zhejiang_window.save()

    report = send_deadline_reminders(days=3, now=zhejiang_window.school_deadline - timedelta(days=2))

    assert counts(report) == (1, 0)
    assert len(reminders()) == 2


def test_a_submitted_school_is_not_reminded(zhejiang_window, submitted_a):
    report = send_deadline_reminders(days=3, now=zhejiang_window.school_deadline - timedelta(days=2))

    assert (counts(report), reminders()) == ((0, 0), [])


def test_a_returned_application_counts_as_unsubmitted(zhejiang_window, zhejiang_reviewer, submitted_a):
    province_return(application=submitted_a, actor=zhejiang_reviewer, reason="请补盖公章。")

    report = send_deadline_reminders(days=3, now=zhejiang_window.school_deadline - timedelta(days=2))

    assert counts(report) == (1, 0)
    assert reminders() == [("school_deadline_reminder", school_to(submitted_a.school))]


def test_a_decided_school_is_not_reminded(zhejiang_window, zhejiang_reviewer, submitted_a):
    province_decline(application=submitted_a, actor=zhejiang_reviewer, reason="不够具体。")

    report = send_deadline_reminders(days=3, now=zhejiang_window.school_deadline - timedelta(days=2))

    assert counts(report) == (0, 0)


def test_a_direct_school_is_reminded_before_the_national_deadline(batch, zhejiang_window, user_direct):
    application = application_get_or_create(batch=batch, school=user_direct.school, actor=user_direct)

    # Its province has no window: the Zhejiang schools' earlier deadline does not apply to it.
    early = send_deadline_reminders(days=3, now=zhejiang_window.school_deadline - timedelta(days=2))
    due = send_deadline_reminders(days=3, now=batch.national_deadline - timedelta(days=2))

    assert [counts(early), counts(due)] == [(0, 0), (1, 0)]
    assert reminders() == [("school_deadline_reminder", school_to(application.school))]
    assert "北京时间，中国成人教育协会项目组" in mail.outbox[-1].body


def test_a_closed_batch_reminds_nobody(batch, zhejiang_window, application_a):
    batch.is_open = False
    batch.save()

    report = send_deadline_reminders(days=3, now=zhejiang_window.school_deadline - timedelta(days=2))

    assert counts(report) == (0, 0)


# --- provinces ----------------------------------------------------------------------------------------


def test_a_province_with_undecided_applications_is_reminded_before_the_national_deadline(batch, submitted_a, zhejiang_reviewer):
    outside = send_deadline_reminders(days=3, now=batch.national_deadline - timedelta(days=4))
    inside = send_deadline_reminders(days=3, now=batch.national_deadline - timedelta(days=2))

    assert [counts(outside), counts(inside)] == [(0, 0), (0, 1)]
    assert reminders() == [("province_deadline_reminder", ["reviewer-zj@example.cn"])]
    assert [message.subject for message in mail.outbox[-1:]] == ["报送截止提醒：尚有 1 份申请待决定"]


def test_a_province_is_never_reminded_twice_for_the_same_deadline(batch, submitted_a, zhejiang_reviewer):
    runs = [send_deadline_reminders(days=3, now=batch.national_deadline - timedelta(days=d)) for d in (2, 2, 1)]

    assert [counts(r) for r in runs] == [(0, 1), (0, 0), (0, 0)]
    assert len(reminders()) == 1


def test_a_province_with_everything_decided_is_not_reminded(batch, submitted_a, zhejiang_reviewer):
    province_recommend(application=submitted_a, actor=zhejiang_reviewer, opinion="同意。", rank=1)

    report = send_deadline_reminders(days=3, now=batch.national_deadline - timedelta(days=2))

    assert counts(report) == (0, 0)


def test_a_province_that_forwarded_is_not_reminded(batch, zhejiang_window, zhejiang_reviewer, submitted_a, jiangsu_reviewer, submitted_b):
    province_recommend(application=submitted_a, actor=zhejiang_reviewer, opinion="同意。", rank=1)
    province_forward(window=zhejiang_window, actor=zhejiang_reviewer)

    report = send_deadline_reminders(days=3, now=batch.national_deadline - timedelta(days=2))

    # Only Jiangsu, which still has an undecided application, is reminded.
    assert counts(report) == (0, 1)
    assert reminders() == [("province_deadline_reminder", ["reviewer-js@example.cn"])]


# --- the command ----------------------------------------------------------------------------------------


def test_the_command_reminds_with_the_days_given(zhejiang_window, application_a, jiangsu_reviewer, submitted_b):
    # School A's deadline is 22 days ahead, the national one (Jiangsu's undecided application) 30.
    outputs = []
    for days in ("3", "25", "25", "31"):
        out = io.StringIO()
        call_command("send_deadline_reminders", "--days", days, stdout=out)
        outputs.append(out.getvalue().strip())

    assert outputs == [
        "已提醒学校 0 所、省级协会 0 个。",
        "已提醒学校 1 所、省级协会 0 个。",
        "已提醒学校 0 所、省级协会 0 个。",
        "已提醒学校 0 所、省级协会 1 个。",
    ]
    assert [template for template, _to in reminders()] == ["school_deadline_reminder", "province_deadline_reminder"]
