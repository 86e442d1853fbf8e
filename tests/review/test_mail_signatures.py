"""Every mail to a school is signed by whoever acted: a provincial association's steps (推荐, 不予推荐,
报送, 退回修改) by the association, the project group's (退回补正, 不予受理, 名单公布) by the project
group, and what the platform sends by itself (the receipt of a submission, a deadline reminder) by
the platform."""
from datetime import timedelta

import pytest
from django.core import mail

from applications.notifications import notify_school
from applications.services import application_get_or_create
from review.reminders import send_deadline_reminders
from review.provincial import province_decline, province_forward, province_recommend
from tests.review.helpers import submit_complete

ZHEJIANG = "浙江省成人教育与职业教育协会"
PROJECT_GROUP = "中国成人教育协会 职业院校服务全民终身学习项目组"
PLATFORM = "职业院校服务全民终身学习项目 实验校申报平台"


def signature(message) -> str:
    """The mail's last line, where it is signed."""
    return message.body.strip().splitlines()[-1]


def school_mails(application) -> list:
    return [message for message in mail.outbox if application.school.contact_email in message.to]


def test_a_provinces_decline_is_signed_by_the_provincial_association(zhejiang_reviewer, submitted_a):
    mail.outbox.clear()

    province_decline(application=submitted_a, actor=zhejiang_reviewer, reason="方案与本地需求结合不够。")

    [message] = mail.outbox
    assert signature(message) == ZHEJIANG
    assert PROJECT_GROUP not in message.body


def test_a_provinces_recommendation_and_forwarding_are_signed_by_the_association(zhejiang_window, zhejiang_reviewer, staff_user, submitted_a):
    mail.outbox.clear()

    province_recommend(application=submitted_a, actor=zhejiang_reviewer, opinion="同意推荐。", rank=1)
    province_forward(window=zhejiang_window, actor=zhejiang_reviewer)

    recommended, forwarded = school_mails(submitted_a)
    assert "已获浙江省成人教育与职业教育协会推荐" in recommended.body
    assert f"{ZHEJIANG}已将贵单位的《实验校资格申请表》" in forwarded.body
    assert [signature(recommended), signature(forwarded)] == [ZHEJIANG, ZHEJIANG]


@pytest.mark.parametrize(("sender", "signed"), [("association", ZHEJIANG), (None, PROJECT_GROUP)])
def test_a_return_is_signed_by_whoever_returned_it(submitted_a, zhejiang_association, sender, signed):
    # 退回修改 by the province and 退回补正 by the project group share the template "school_returned".
    mail.outbox.clear()

    notify_school(submitted_a, event="returned", comment="请补充项目小组成员分工。", sender=zhejiang_association if sender else None)

    [message] = mail.outbox
    assert "退回理由：请补充项目小组成员分工。" in message.body
    assert signature(message) == signed


@pytest.mark.parametrize(("event", "comment"), [("rejected", "扫描件与在线内容不一致。"), ("outcome", "入选实验校")])
def test_the_project_groups_decisions_are_signed_by_the_project_group(submitted_a, event, comment):
    mail.outbox.clear()

    notify_school(submitted_a, event=event, comment=comment)

    [message] = mail.outbox
    assert signature(message) == PROJECT_GROUP


@pytest.mark.parametrize("route", ["provincial", "direct"])
def test_the_receipt_of_a_submission_is_signed_by_the_platform(batch, zhejiang_window, user_a, user_direct, route):
    user = user_a if route == "provincial" else user_direct
    application = application_get_or_create(batch=batch, school=user.school, actor=user)
    mail.outbox.clear()

    submit_complete(application, user)

    [receipt] = school_mails(application)
    assert receipt.subject.startswith("申请表已提交")
    assert signature(receipt) == PLATFORM


def test_a_deadline_reminder_is_signed_by_the_platform(batch, zhejiang_window, application_a):
    mail.outbox.clear()

    send_deadline_reminders(days=9, now=zhejiang_window.school_deadline - timedelta(days=1))

    [reminder] = school_mails(application_a)
    assert "尚未提交" in reminder.body
    assert signature(reminder) == PLATFORM
