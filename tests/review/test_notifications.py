"""A mail at every step (submitted, returned, recommended, declined, forwarded), in Chinese, to the
right people, queued as an OutgoingMail row and delivered by a background job. A mail server that is
down never breaks the step: the failure is logged, kept on the row and retried later."""
import io
import logging
from datetime import timedelta

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from applications.models import Status, TimelineEntry
from applications.services import application_get_or_create, scan_upload
from applications.workflow import submit
from portal.models import OutgoingMail
from review.provincial import province_decline, province_forward, province_recommend, province_return
from tests.conftest import png_bytes, upload
from tests.review.helpers import reload, submit_complete

REASON = "请补盖上级主管部门公章。"
OPINION = "方案扎实（内部：排在全省前列）。"


class RefusingBackend(BaseEmailBackend):
    """A mail server that is down: every connection is refused."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError(111, "Connection refused")


REFUSING = "tests.review.test_notifications.RefusingBackend"


def sent() -> list[tuple[str, list[str]]]:
    return [(message.subject, sorted(message.to)) for message in mail.outbox]


def school_of(application) -> list[str]:
    """The school's contact address and its users' addresses, as the mails go to them."""
    school = application.school
    return sorted({school.contact_email, *school.users.values_list("email", flat=True)})


# --- one mail per step --------------------------------------------------------------------------------


def test_submitting_tells_the_school_and_its_provincial_reviewers(complete_application_a, user_a, zhejiang_reviewer, jiangsu_reviewer, staff_user):
    scan_upload(application=complete_application_a, uploaded_file=upload("s.png", png_bytes()), actor=user_a)
    mail.outbox.clear()

    submit(application=complete_application_a, actor=user_a)

    a = reload(complete_application_a)
    assert sent() == [
        (f"申请表已提交：{a.number} 浙江示范职业技术学院", school_of(a)),
        (f"新提交的申请：浙江示范职业技术学院（{a.number}）", ["reviewer-zj@example.cn"]),
    ]
    assert "浙江省成人教育与职业教育协会" in mail.outbox[0].body


def test_a_direct_submission_tells_the_project_group(batch, user_direct, zhejiang_reviewer, staff_user):
    application = application_get_or_create(batch=batch, school=user_direct.school, actor=user_direct)
    mail.outbox.clear()

    application = submit_complete(application, user_direct)

    assert sent() == [
        (f"申请表已提交：{application.number} 四川示范职业技术学院", school_of(application)),
        (f"新提交的申请：四川示范职业技术学院（{application.number}）", ["staff@example.cn"]),
    ]


def test_returning_tells_the_school_why(zhejiang_reviewer, submitted_a):
    mail.outbox.clear()

    province_return(application=submitted_a, actor=zhejiang_reviewer, reason=REASON)

    assert sent() == [(f"申请表被退回修改：{submitted_a.number}", school_of(submitted_a))]
    assert f"退回理由：{REASON}" in mail.outbox[0].body


def test_recommending_tells_the_school_but_not_the_opinion_or_rank(zhejiang_reviewer, submitted_a):
    mail.outbox.clear()

    province_recommend(application=submitted_a, actor=zhejiang_reviewer, opinion=OPINION, rank=7)

    assert sent() == [(f"申请已获省级推荐：{submitted_a.number}", school_of(submitted_a))]
    body = mail.outbox[0].body
    assert "已获浙江省成人教育与职业教育协会推荐" in body
    assert (OPINION in body, "7" in body.replace(submitted_a.number, "")) == (False, False)


def test_declining_tells_the_school_why(zhejiang_reviewer, submitted_a):
    mail.outbox.clear()

    province_decline(application=submitted_a, actor=zhejiang_reviewer, reason="方案与本地需求结合不够。")

    assert sent() == [(f"申请未获省级推荐：{submitted_a.number}", school_of(submitted_a))]
    assert "理由：方案与本地需求结合不够。" in mail.outbox[0].body


def test_forwarding_tells_each_school_and_the_project_group(zhejiang_window, zhejiang_reviewer, staff_user, submitted_a):
    province_recommend(application=submitted_a, actor=zhejiang_reviewer, opinion=OPINION, rank=1)
    mail.outbox.clear()

    province_forward(window=zhejiang_window, actor=zhejiang_reviewer)

    assert sent() == [
        (f"申请已报送项目组：{submitted_a.number}", school_of(submitted_a)),
        ("浙江省成人教育与职业教育协会报送推荐名单（1 份）", ["staff@example.cn"]),
    ]


def test_every_mail_is_kept_as_an_outgoing_mail_and_marked_sent(zhejiang_window, zhejiang_reviewer, staff_user, submitted_a):
    province_recommend(application=submitted_a, actor=zhejiang_reviewer, opinion=OPINION, rank=1)
    province_forward(window=zhejiang_window, actor=zhejiang_reviewer)

    rows = OutgoingMail.objects.order_by("pk").values_list("template", "state", "attempts")

    assert list(rows) == [
        ("school_submitted", "sent", 1),
        ("reviewer_submitted", "sent", 1),
        ("school_recommended", "sent", 1),
        ("school_forwarded", "sent", 1),
        ("staff_forwarded", "sent", 1),
    ]


# --- the mail server is down ---------------------------------------------------------------------------


def test_a_mail_server_that_is_down_does_not_break_the_step(client, zhejiang_reviewer, submitted_a, caplog):
    client.force_login(zhejiang_reviewer)
    mail.outbox.clear()

    with override_settings(EMAIL_BACKEND=REFUSING), caplog.at_level(logging.WARNING, logger="portal.emails"):
        response = client.post(reverse("review:province_action", args=[submitted_a.pk, "return"]), {"reason": REASON})

    # The step went through and was recorded once.
    assert (response.status_code, reload(submitted_a).status) == (302, Status.RETURNED)
    assert TimelineEntry.objects.filter(application=submitted_a, action="province_return").count() == 1
    # The mail waits, with what went wrong and when to try again.
    queued = OutgoingMail.objects.get(template="school_returned")
    assert (queued.state, queued.attempts, queued.last_error) == ("pending", 1, "ConnectionRefusedError: [Errno 111] Connection refused")
    assert timezone.now() < queued.next_attempt_at <= timezone.now() + timedelta(minutes=1)
    assert mail.outbox == []
    assert [record.levelname for record in caplog.records if record.name == "portal.emails"] == ["WARNING"]


def test_a_mail_that_failed_is_sent_by_send_queued_mail_once_it_is_due(zhejiang_reviewer, submitted_a):
    with override_settings(EMAIL_BACKEND=REFUSING):
        province_return(application=submitted_a, actor=zhejiang_reviewer, reason=REASON)
    mail.outbox.clear()
    queued = OutgoingMail.objects.get(template="school_returned")

    # The server is back, but the retry is not due yet: nothing is sent early.
    call_command("send_queued_mail", stdout=io.StringIO())
    early = (reload_mail(queued).state, len(mail.outbox))
    # A minute later (the first retry delay), the next run sends it.
    OutgoingMail.objects.filter(pk=queued.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    out = io.StringIO()
    call_command("send_queued_mail", stdout=out)

    assert early == ("pending", 0)
    delivered = reload_mail(queued)
    assert (delivered.state, delivered.attempts, delivered.next_attempt_at) == ("sent", 2, None)
    assert sent() == [(f"申请表被退回修改：{submitted_a.number}", school_of(submitted_a))]
    assert out.getvalue().strip() == "已发送 1 封，失败 0 封（失败的将按间隔重试）。"


def test_a_retry_that_fails_again_waits_longer(zhejiang_reviewer, submitted_a):
    with override_settings(EMAIL_BACKEND=REFUSING):
        province_decline(application=submitted_a, actor=zhejiang_reviewer, reason="不够具体。")
        queued = OutgoingMail.objects.get(template="school_declined")
        OutgoingMail.objects.filter(pk=queued.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
        call_command("send_queued_mail", stdout=io.StringIO())

    retried = reload_mail(queued)
    assert (retried.state, retried.attempts) == ("pending", 2)
    # 1 minute after the first failure, 2 after the second.
    assert timezone.now() + timedelta(seconds=60) < retried.next_attempt_at <= timezone.now() + timedelta(minutes=2)


def reload_mail(row) -> OutgoingMail:
    return OutgoingMail.objects.get(pk=row.pk)
