"""The school's own way out and its way round (notice 八.1): it may withdraw (撤回) until the project
group decides, start again before its deadline, and after its province declines to recommend it, it
may still send its form straight to the national project group before the national deadline
(有意者也可根据自身意愿和条件……于2023年4月28日前……发至指定邮箱)."""
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from applications.models import Route, Status, TimelineEntry
from applications.workflow import WorkflowError, apply_direct, deadline_end, restart, submit, withdraw
from review.decisions import decide
from review.models import Assignment, ProvincialReview
from review.rubric import rubric_ensure_default
from review.provincial import province_decline, province_recommend, recommended_count
from tests.review.helpers import reload
from tests.review.national_helpers import BEIJING, GOOD, assign, in_review, make_expert, submit_review

REASON = "学校领导班子调整，本批次暂不申报。"


def mails_to(address):
    return [m.subject for m in mail.outbox if address in m.to]


# ---- 撤回 ------------------------------------------------------------------------------------------


def test_a_school_withdraws_its_submitted_application_with_a_reason_and_the_province_is_told(submitted_a, user_a, zhejiang_reviewer):
    withdrawn = withdraw(application=submitted_a, actor=user_a, reason=REASON)

    assert withdrawn.status == Status.WITHDRAWN
    row = TimelineEntry.objects.filter(application=submitted_a).last()
    assert (row.action, row.from_status, row.to_status, row.comment, row.visible_to_school) == (
        "withdraw", Status.SUBMITTED, Status.WITHDRAWN, REASON, True,
    )  # fmt: skip
    assert f"申请已撤回：{submitted_a.school.name}（{submitted_a.number}）" in mails_to(zhejiang_reviewer.email)
    assert f"申请表已撤回：{submitted_a.number}" in mails_to(submitted_a.school.contact_email)


def test_withdrawing_needs_a_reason(submitted_a, user_a):
    with pytest.raises(WorkflowError) as refused:
        withdraw(application=submitted_a, actor=user_a, reason="  ")

    assert refused.value.code == "reason_required"
    assert reload(submitted_a).status == Status.SUBMITTED


def test_a_recommended_application_withdrawn_frees_its_rank_within_the_quota(submitted_a, user_a, zhejiang_reviewer, zhejiang_window):
    province_recommend(application=submitted_a, actor=zhejiang_reviewer, opinion="同意推荐。", rank=1)
    assert recommended_count(zhejiang_window) == 1  # arrange

    withdraw(application=reload(submitted_a), actor=user_a, reason=REASON)

    assert recommended_count(zhejiang_window) == 0
    assert ProvincialReview.objects.get(application=submitted_a).opinion == "同意推荐。"


def test_withdrawn_in_expert_review_the_experts_tasks_end_and_the_project_group_is_told(batch, staff_user):
    application, school_user = in_review(batch, "四川撤回职业技术学院", staff_user)
    expert = make_expert("expert-withdraw", BEIJING, "北京终身教育研究院")
    assign(application, expert, staff_user)

    withdraw(application=reload(application), actor=school_user, reason=REASON)

    assert Assignment.objects.filter(application=application, is_active=True).count() == 0
    assert Assignment.objects.get(application=application).end_reason == "学校已撤回申请"
    assert f"申请已撤回：{application.school.name}（{application.number}）" in mails_to(staff_user.email)


def test_a_school_may_withdraw_until_the_decision_but_not_after_it(batch, staff_user):
    rubric_ensure_default(batch)
    application, school_user = in_review(batch, "四川已决定职业技术学院", staff_user)
    expert = make_expert("expert-decided", BEIJING, "北京终身教育研究院")
    submit_review(assign(application, expert, staff_user), GOOD)
    decide(application=reload(application), actor=staff_user, selected=True, opinion="同意入选。")

    with pytest.raises(WorkflowError) as refused:
        withdraw(application=reload(application), actor=school_user, reason=REASON)

    assert refused.value.code == "wrong_status"
    assert reload(application).status == Status.SELECTED


def test_before_its_deadline_the_school_starts_again_and_submits_again(submitted_a, user_a):
    withdraw(application=submitted_a, actor=user_a, reason=REASON)

    draft = restart(application=reload(submitted_a), actor=user_a)
    assert draft.status == Status.DRAFT
    resubmitted = submit(application=draft, actor=user_a)  # the scan still matches the content
    assert resubmitted.status == Status.SUBMITTED


def test_after_its_deadline_a_withdrawn_application_stays_withdrawn(submitted_a, user_a, zhejiang_window):
    withdraw(application=submitted_a, actor=user_a, reason=REASON)

    with pytest.raises(WorkflowError) as refused:
        restart(application=reload(submitted_a), actor=user_a, now=deadline_end(zhejiang_window.school_deadline))

    assert refused.value.code == "deadline_passed"
    assert reload(submitted_a).status == Status.WITHDRAWN


def test_the_school_withdraws_on_its_page_and_a_missing_reason_is_said_next_to_the_field(client, submitted_a, user_a):
    client.force_login(user_a)
    url = reverse("applications:move", args=[submitted_a.pk, "withdraw"])
    page = client.get(submitted_a.get_absolute_url()).content.decode()
    assert "撤回申请" in page and url in page

    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400
    assert "请填写撤回原因。" in refused.content.decode()
    assert reload(submitted_a).status == Status.SUBMITTED

    done = client.post(url, {"reason": REASON}, follow=True)
    assert reload(submitted_a).status == Status.WITHDRAWN
    html = done.content.decode()
    assert f"已撤回：{REASON}" in html
    assert "重新填写申请" in html


# ---- 不予推荐, then straight to the project group (八.1) -----------------------------------------------


def test_after_a_provincial_decline_the_school_is_told_it_may_apply_directly(client, submitted_a, user_a, zhejiang_reviewer):
    province_decline(application=submitted_a, actor=zhejiang_reviewer, reason="方案与本地需求结合不够。")
    client.force_login(user_a)

    html = client.get(submitted_a.get_absolute_url()).content.decode()

    assert "有意者也可根据自身意愿和条件，直接向中国成人教育协会项目组申报" in html
    assert reverse("applications:move", args=[submitted_a.pk, "apply_direct"]) in html


def test_a_declined_school_applies_directly_and_the_project_group_reads_the_decline(client, submitted_a, user_a, zhejiang_reviewer, staff_user):
    province_decline(application=submitted_a, actor=zhejiang_reviewer, reason="方案与本地需求结合不够。")

    draft = apply_direct(application=reload(submitted_a), actor=user_a)
    assert (draft.status, draft.route) == (Status.DRAFT, Route.DIRECT)
    at_national = submit(application=draft, actor=user_a)

    assert at_national.status == Status.AT_NATIONAL
    client.force_login(staff_user)
    html = client.get(reverse("review:national_application", args=[submitted_a.pk])).content.decode()
    assert "未获省级推荐：方案与本地需求结合不够。" in html


def test_after_the_national_deadline_a_declined_school_can_no_longer_apply_directly(submitted_a, user_a, zhejiang_reviewer, batch):
    province_decline(application=submitted_a, actor=zhejiang_reviewer, reason="方案与本地需求结合不够。")

    with pytest.raises(WorkflowError) as refused:
        apply_direct(application=reload(submitted_a), actor=user_a, now=deadline_end(batch.national_deadline) + timedelta(seconds=1))

    assert refused.value.code == "national_deadline_passed"
    assert reload(submitted_a).status == Status.NOT_RECOMMENDED


def test_the_province_page_no_longer_calls_a_decline_final(client, submitted_a, zhejiang_reviewer):
    client.force_login(zhejiang_reviewer)

    html = client.get(reverse("review:province_application", args=[submitted_a.pk])).content.decode()

    assert "本批次最终决定" not in html
    assert "学校仍可在全国申报截止前直接向项目组申报" in html


def test_the_decline_mail_says_the_school_may_still_apply_directly(submitted_a, zhejiang_reviewer, batch):
    mail.outbox.clear()
    province_decline(application=submitted_a, actor=zhejiang_reviewer, reason="方案与本地需求结合不够。")

    (message,) = [m for m in mail.outbox if submitted_a.school.contact_email in m.to]
    assert "有意者也可根据自身意愿和条件直接向中国成人教育协会项目组申报" in message.body
    assert "浙江省成人教育与职业教育协会" in message.body.strip().splitlines()[-1]


def test_a_provinces_return_mail_is_signed_by_the_province(submitted_a, zhejiang_reviewer):
    from review.provincial import province_return

    mail.outbox.clear()
    province_return(application=submitted_a, actor=zhejiang_reviewer, reason="请补充分工。")

    (message,) = [m for m in mail.outbox if submitted_a.school.contact_email in m.to]
    assert message.body.strip().splitlines()[-1] == "浙江省成人教育与职业教育协会"
