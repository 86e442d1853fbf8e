"""The project group's formal check (形式审查, notice 八.2): the machine-checkable items computed and
shown, the person's ticks, and the three outcomes: pass into expert review, return for 补正 with a
reason and a deadline (the school corrects and submits straight back to the project group), or
reject (不予受理). A step in the wrong status is refused and changes nothing."""
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, Route, Status, TeamMember, TimelineEntry
from applications.services import application_get_or_create, refresh_version_code, scan_upload
from applications.workflow import WorkflowError, deadline_end, submit
from review.models import FormalCheck
from review.formal_check import formal_check_decide, formal_check_items
from review.provincial import province_forward, province_recommend
from tests.conftest import fill_complete, png_bytes, upload
from tests.review.helpers import reload, submit_complete, submitted_application, timeline_actions
from tests.review.national_helpers import formal_pass

pytestmark = pytest.mark.usefixtures("private_media")  # scans and ZIPs go to a temporary directory

TICKS = {"seals_present": True, "seals_legible": True, "consistent": True}


@pytest.fixture
def direct(batch, user_direct):
    """Sichuan's school, which applies directly: at the project group once submitted."""
    application = application_get_or_create(batch=batch, school=user_direct.school, actor=user_direct)
    application = submit_complete(application, user_direct)
    assert (application.route, application.status) == (Route.DIRECT, Status.AT_NATIONAL)
    return application


def items(application) -> dict[str, tuple[str, bool]]:
    return {key: (label, passed) for key, label, passed in formal_check_items(reload(application))}


def snapshot(application):
    """What a refused step must leave alone."""
    application = reload(application)
    return (application.status, application.correction_deadline, timeline_actions(application),
            FormalCheck.objects.filter(application=application, outcome__gt="").count())  # fmt: skip


# ---- The machine items ------------------------------------------------------------------------

def test_a_complete_timely_application_meets_every_machine_item(direct):
    found = items(direct)
    assert list(found) == ["complete", "zi", "team", "lead", "scan", "deadline"]
    assert all(passed for _label, passed in found.values()), found
    # The labels carry the numbers counted: 18 字 of name + 4 sections × 540 字; three members.
    assert found["zi"][0] == "实验方案不少于 2000 字（2178 字）"
    assert found["team"][0] == "项目小组成员不少于 3 人（3 人）"
    deadline = timezone.localtime(direct.batch.national_deadline)
    assert found["deadline"][0] == f"在截止时间前提交（{deadline:%Y-%m-%d %H:%M}）"


def _blank_opinion(application):
    Application.objects.filter(pk=application.pk).update(unit_opinion="")


def _short_plan(application):
    Application.objects.filter(pk=application.pk).update(plan_content="内容", plan_steps="步骤", plan_goals="目标", plan_features="特色")


def _two_members(application):
    TeamMember.objects.filter(application=application).order_by("-position").first().delete()


def _lead_not_vice(application):
    Application.objects.filter(pk=application.pk).update(lead_title="教务处处长", lead_title_note="")


def _changed_after_scan(application):
    Application.objects.filter(pk=application.pk).update(liaison_title="继续教育学院院长")
    refresh_version_code(reload(application))


def _late(application):
    Application.objects.filter(pk=application.pk).update(submitted_at=deadline_end(application.batch.national_deadline))


@pytest.mark.parametrize(
    "spoil, failing",
    [
        (_blank_opinion, {"complete"}),
        (_short_plan, {"complete", "zi"}),
        (_two_members, {"complete", "team"}),
        (_lead_not_vice, {"complete", "lead"}),
        (_changed_after_scan, {"scan"}),
        (_late, {"deadline"}),
    ],
    ids=["incomplete", "too-few-zi", "team-of-two", "lead-not-vice-principal", "stale-scan", "late"],
)
def test_each_machine_item_fails_on_its_own_fault_and_blocks_passing(direct, staff_user, spoil, failing):
    spoil(direct)
    found = items(direct)
    assert {key for key, (_label, passed) in found.items() if not passed} == failing
    before = snapshot(direct)

    with pytest.raises(WorkflowError) as refused:
        formal_check_decide(application=reload(direct), actor=staff_user, outcome="passed", **TICKS)

    assert str(refused.value).startswith("形式审查未通过的项目：")
    for key in failing:
        assert found[key][0] in str(refused.value)
    assert snapshot(direct) == before


def test_the_counts_in_the_labels_follow_the_application(direct):
    _two_members(direct)
    assert items(direct)["team"] == ("项目小组成员不少于 3 人（2 人）", False)
    _short_plan(direct)
    label, passed = items(direct)["zi"]
    assert not passed and label.startswith("实验方案不少于 2000 字（") and "2178" not in label


def test_a_lead_who_is_not_vice_principal_passes_with_an_explanation(direct):
    Application.objects.filter(pk=direct.pk).update(lead_title="教务处处长", lead_title_note="副校长岗位空缺，由教务处处长牵头。")
    assert items(direct)["lead"][1] is True


def test_the_items_are_shown_to_staff_on_the_application_page(client, direct, staff_user):
    _late(direct)
    client.force_login(staff_user)
    html = client.get(reverse("review:national_application", args=[direct.pk])).content.decode()

    for key, (label, passed) in items(direct).items():
        badge = "符合" if passed else "不符合"
        assert f"{badge}</span>{label}" in html, key
    assert "不符合</span>在截止时间前提交" in html
    # The manual ticks and the three outcomes are offered while the check is open.
    for text in ("扫描件有单位公章和上级主管部门公章", "公章、签字清晰可辨", "扫描件与在线填写内容一致", "退回补正", "不予受理", "记录审查结论"):
        assert text in html


# ---- Passing ------------------------------------------------------------------------------------

@pytest.mark.parametrize("missing", list(TICKS))
def test_every_manual_tick_is_needed_to_pass(direct, staff_user, missing):
    before = snapshot(direct)
    with pytest.raises(WorkflowError, match="人工核对项未全部确认"):
        formal_check_decide(application=direct, actor=staff_user, outcome="passed", **{**TICKS, missing: False})
    assert snapshot(direct) == before


def test_passing_sends_it_to_expert_review_with_one_timeline_row(direct, staff_user):
    before = timeline_actions(direct)
    check = formal_check_decide(application=direct, actor=staff_user, outcome="passed", **TICKS)

    direct = reload(direct)
    assert direct.status == Status.IN_EXPERT_REVIEW
    assert timeline_actions(direct) == before + ["formal_pass"]
    entry = TimelineEntry.objects.get(application=direct, action="formal_pass")
    assert (entry.from_status, entry.to_status, entry.actor) == (Status.AT_NATIONAL, Status.IN_EXPERT_REVIEW, staff_user)
    check.refresh_from_db()
    assert (check.outcome, check.decided_by, check.seals_present, check.seals_legible, check.consistent) == ("passed", staff_user, True, True, True)
    assert check.machine_items == dict.fromkeys(["complete", "zi", "team", "lead", "scan", "deadline"], True)


def test_passing_through_the_page(client, direct, staff_user):
    client.force_login(staff_user)
    response = client.post(reverse("review:formal_check", args=[direct.pk]), {"outcome": "passed", "seals_present": "on", "seals_legible": "on", "consistent": "on"})
    assert response.status_code == 302
    assert reload(direct).status == Status.IN_EXPERT_REVIEW


def test_a_refused_pass_on_the_page_says_why_and_changes_nothing(client, direct, staff_user):
    client.force_login(staff_user)
    before = snapshot(direct)
    response = client.post(reverse("review:formal_check", args=[direct.pk]), {"outcome": "passed", "seals_present": "on"})
    assert response.status_code == 400
    assert "人工核对项未全部确认" in response.content.decode()
    assert snapshot(direct) == before


# ---- Returning for 补正 -------------------------------------------------------------------------

def test_a_return_needs_a_reason(direct, staff_user):
    before = snapshot(direct)
    with pytest.raises(WorkflowError, match="请填写需要补正的内容"):
        formal_check_decide(application=direct, actor=staff_user, outcome="returned", reason="  ", correction_deadline=timezone.now() + timedelta(days=7))
    assert snapshot(direct) == before


@pytest.mark.parametrize("offset", [None, timedelta(0), -timedelta(minutes=1)], ids=["none", "now", "past"])
def test_a_return_needs_a_future_deadline(direct, staff_user, offset):
    now = timezone.now()
    before = snapshot(direct)
    with pytest.raises(WorkflowError, match="晚于当前时间"):
        formal_check_decide(application=direct, actor=staff_user, outcome="returned", reason="请补盖公章。",
                            correction_deadline=None if offset is None else now + offset, now=now)  # fmt: skip
    assert snapshot(direct) == before


REASON = "扫描件缺少上级主管部门公章，请补盖后重新上传。"


def test_a_return_sends_it_back_to_the_school_with_reason_deadline_and_mail(client, direct, staff_user, user_direct):
    deadline = timezone.now() + timedelta(days=5)
    before = timeline_actions(direct)
    mail.outbox.clear()

    formal_check_decide(application=direct, actor=staff_user, outcome="returned", reason=REASON, correction_deadline=deadline)

    direct = reload(direct)
    assert (direct.status, direct.correction_deadline) == (Status.RETURNED, deadline)
    assert timeline_actions(direct) == before + ["formal_return"]
    entry = TimelineEntry.objects.get(application=direct, action="formal_return")
    assert entry.visible_to_school and REASON in entry.comment
    assert f"{timezone.localtime(deadline):%Y年%m月%d日 %H:%M}" in entry.comment
    assert [m.to for m in mail.outbox if REASON in m.body] == [sorted([direct.school.contact_email, user_direct.email])]
    # The school reads the reason on its own page and may edit again.
    client.force_login(user_direct)
    html = client.get(reverse("applications:detail", args=[direct.pk])).content.decode()
    assert REASON in html and "继续填写" in html


def correct_and_submit(application, user, now=None):
    """The school changes its form, uploads a fresh scan and submits again."""
    changed = fill_complete(reload(application), lead_name="李新")
    scan_upload(application=changed, uploaded_file=upload("fixed.png", png_bytes()), actor=user)
    return submit(application=reload(changed), actor=user, now=now)


def test_the_corrected_direct_application_goes_back_to_the_project_group(direct, staff_user, user_direct):
    formal_check_decide(application=direct, actor=staff_user, outcome="returned", reason=REASON, correction_deadline=timezone.now() + timedelta(days=5))
    correct_and_submit(direct, user_direct)

    direct = reload(direct)
    assert direct.status == Status.AT_NATIONAL
    assert timeline_actions(direct)[-2:] == ["upload_scan", "submit"]
    assert TimelineEntry.objects.filter(application=direct, action="submit").last().comment == "提交至中国成人教育协会项目组（补正）"
    # … and may now pass, the correction deadline being the one it met.
    formal_pass(direct, staff_user)
    assert reload(direct).status == Status.IN_EXPERT_REVIEW


@pytest.fixture
def forwarded(batch, zhejiang_window, zhejiang_reviewer):
    """A Zhejiang school's application that came through its province: recommended and forwarded."""
    application, user = submitted_application(batch, "杭州补正职业技术学院")
    province_recommend(application=application, actor=zhejiang_reviewer, opinion="同意推荐。", rank=1)
    province_forward(window=zhejiang_window, actor=zhejiang_reviewer)
    application = reload(application)
    assert (application.route, application.status) == (Route.PROVINCIAL, Status.AT_NATIONAL)
    return application, user


def test_a_provincial_application_corrected_goes_straight_to_the_project_group_not_the_province(forwarded, staff_user):
    application, user = forwarded
    formal_check_decide(application=application, actor=staff_user, outcome="returned", reason=REASON, correction_deadline=timezone.now() + timedelta(days=5))

    correct_and_submit(application, user)

    application = reload(application)
    assert (application.route, application.status) == (Route.PROVINCIAL, Status.AT_NATIONAL)


def test_the_provinces_own_deadline_does_not_stop_a_correction(forwarded, zhejiang_window, staff_user):
    """The province's school deadline has passed: the 补正 deadline is the one that counts."""
    application, user = forwarded
    correction = zhejiang_window.school_deadline + timedelta(days=3)
    formal_check_decide(application=application, actor=staff_user, outcome="returned", reason=REASON, correction_deadline=correction)
    correct_and_submit(application, user, now=zhejiang_window.school_deadline + timedelta(days=1))
    assert reload(application).status == Status.AT_NATIONAL


def test_a_correction_after_its_deadline_is_refused(direct, staff_user, user_direct):
    deadline = timezone.now() + timedelta(days=2)
    formal_check_decide(application=direct, actor=staff_user, outcome="returned", reason=REASON, correction_deadline=deadline)
    before = timeline_actions(direct)

    with pytest.raises(WorkflowError, match="补正"):
        correct_and_submit(direct, user_direct, now=deadline_end(deadline))

    direct = reload(direct)
    assert direct.status == Status.RETURNED
    assert timeline_actions(direct) == before + ["upload_scan"]


def test_a_correction_on_its_deadline_is_still_in_time(direct, staff_user, user_direct):
    deadline = timezone.now() + timedelta(days=2)
    formal_check_decide(application=direct, actor=staff_user, outcome="returned", reason=REASON, correction_deadline=deadline)
    correct_and_submit(direct, user_direct, now=deadline)
    assert reload(direct).status == Status.AT_NATIONAL


def test_a_return_through_the_page(client, direct, staff_user):
    client.force_login(staff_user)
    deadline = timezone.localtime() + timedelta(days=4)
    response = client.post(reverse("review:formal_check", args=[direct.pk]),
                           {"outcome": "returned", "reason": REASON, "correction_deadline": f"{deadline:%Y-%m-%dT%H:%M}"})  # fmt: skip
    assert response.status_code == 302
    direct = reload(direct)
    assert direct.status == Status.RETURNED
    assert timezone.localtime(direct.correction_deadline).strftime("%Y-%m-%d %H:%M") == f"{deadline:%Y-%m-%d %H:%M}"


# ---- Rejecting --------------------------------------------------------------------------------

def test_a_rejection_needs_a_reason(direct, staff_user):
    before = snapshot(direct)
    with pytest.raises(WorkflowError, match="不予受理的理由"):
        formal_check_decide(application=direct, actor=staff_user, outcome="rejected", reason="")
    assert snapshot(direct) == before


def test_a_rejection_is_final_with_one_timeline_row_and_a_mail(direct, staff_user):
    before = timeline_actions(direct)
    mail.outbox.clear()
    formal_check_decide(application=direct, actor=staff_user, outcome="rejected", reason="申报单位不属于职业院校或相关单位。")

    direct = reload(direct)
    assert direct.status == Status.REJECTED
    assert timeline_actions(direct) == before + ["formal_reject"]
    assert TimelineEntry.objects.get(application=direct, action="formal_reject").comment == "申报单位不属于职业院校或相关单位。"
    assert any("不予受理" in m.body and "申报单位不属于职业院校或相关单位。" in m.body for m in mail.outbox)
    assert FormalCheck.objects.get(application=direct).outcome == "rejected"


def test_an_unknown_outcome_is_refused(direct, staff_user):
    before = snapshot(direct)
    with pytest.raises(WorkflowError, match="请选择审查结论"):
        formal_check_decide(application=direct, actor=staff_user, outcome="maybe", **TICKS)
    assert snapshot(direct) == before


# ---- Wrong status ----------------------------------------------------------------------------

@pytest.mark.parametrize("outcome", ["passed", "returned", "rejected"])
def test_a_second_check_is_refused_and_changes_nothing(direct, staff_user, outcome):
    formal_pass(direct, staff_user)
    before = snapshot(direct)
    with pytest.raises(WorkflowError, match="专家评审中"):
        formal_check_decide(application=reload(direct), actor=staff_user, outcome=outcome, reason="再审一次。",
                            correction_deadline=timezone.now() + timedelta(days=3), **TICKS)  # fmt: skip
    assert snapshot(direct) == before
    assert FormalCheck.objects.get(application=direct).outcome == "passed"


@pytest.mark.parametrize("outcome", ["passed", "returned", "rejected"])
def test_a_check_of_an_application_still_with_its_province_is_refused(batch, zhejiang_window, zhejiang_reviewer, staff_user, outcome):
    application, _user = submitted_application(batch, "嘉兴未报送职业技术学院")
    assert application.status == Status.SUBMITTED
    before = snapshot(application)
    with pytest.raises(WorkflowError):
        formal_check_decide(application=application, actor=staff_user, outcome=outcome, reason="理由。",
                            correction_deadline=timezone.now() + timedelta(days=3), **TICKS)  # fmt: skip
    assert snapshot(application) == before
    assert not FormalCheck.objects.filter(application=application).exists()


def test_rejected_applications_cannot_be_checked_again(direct, staff_user):
    formal_check_decide(application=direct, actor=staff_user, outcome="rejected", reason="不符合申报条件。")
    before = snapshot(direct)
    with pytest.raises(WorkflowError, match="不予受理"):
        formal_check_decide(application=reload(direct), actor=staff_user, outcome="passed", **TICKS)
    assert snapshot(direct) == before


def test_the_page_offers_no_check_form_once_decided(client, direct, staff_user):
    formal_pass(direct, staff_user)
    client.force_login(staff_user)
    html = client.get(reverse("review:national_application", args=[direct.pk])).content.decode()
    assert "结论：<strong>通过</strong>" in html
    assert "记录审查结论" not in html

