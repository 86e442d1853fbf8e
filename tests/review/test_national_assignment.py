"""Assigning experts through the database (review/expert_assignment.py over review/assignment.py): the
batch's number of experts per application, never one of the school's province or institution or
one who declared a conflict; a preview that writes nothing; manual changes with a reason in the
internal log; an expert who declares a conflict later is replaced."""
from collections import Counter

import pytest
from django.urls import reverse

from applications.models import Application, Status, TimelineEntry
from applications.workflow import WorkflowError
from portal.models import Role, SchoolType, User
from review import expert_assignment
from review.models import Assignment, AssignmentRun, ConflictDeclaration, ExpertProfile
from review.expert_assignment import assignment_add, assignment_apply, assignment_plan, assignment_remove, assignment_run_start, expert_declare_conflict, shortfall_lines
from review.rubric import rubric_ensure_default
from review.roles import sync_staff_group
from tests.conftest import make_user
from tests.review.helpers import reload, timeline_actions
from tests.review.national_helpers import (
    BEIJING,
    CHONGQING,
    FUJIAN,
    GOOD,
    GUANGDONG,
    HUBEI,
    SHANGHAI,
    SICHUAN,
    TIANJIN,
    active_experts_of,
    at_national,
    in_review,
    make_expert,
    submit_review,
)

pytestmark = pytest.mark.usefixtures("private_media")  # scans and ZIPs go to a temporary directory


@pytest.fixture
def pool(db):
    """Seven experts: two who may never review the Sichuan school (one of Sichuan, one of its own
    institution written with other brackets and spaces), five from elsewhere."""
    return {
        "sichuan": make_expert("e-sichuan", SICHUAN, "四川省教育科学研究院", last_name="蜀"),
        "own": make_expert("e-own", BEIJING, "四川（示范） 职业技术学院", last_name="本"),
        "bj": make_expert("e-bj", BEIJING, "北京终身教育研究院", last_name="京"),
        "sh": make_expert("e-sh", SHANGHAI, "上海开放大学", last_name="沪"),
        "tj": make_expert("e-tj", TIANJIN, "天津职业技术师范大学", last_name="津"),
        "cq": make_expert("e-cq", CHONGQING, "重庆市终身教育促进会", last_name="渝"),
        "gd": make_expert("e-gd", GUANGDONG, "广东省职业技术教育学会", last_name="粤"),
    }


@pytest.fixture
def candidates(batch, staff_user):
    rubric_ensure_default(batch)
    sichuan, _ = in_review(batch, "四川(示范)职业技术学院", staff_user, SICHUAN)
    guangdong, _ = in_review(batch, "广东评审职业技术学院", staff_user, GUANGDONG, SchoolType.SECONDARY_VOCATIONAL)
    hubei, _ = in_review(batch, "武汉评审职业教育中心", staff_user, HUBEI, SchoolType.VOCATIONAL_CENTER)
    return {"sichuan": sichuan, "guangdong": guangdong, "hubei": hubei}


def assert_rules_hold(application, experts_per_application):
    active = Assignment.objects.filter(application=application, is_active=True).select_related("expert__expert_profile")
    assert active.count() == experts_per_application
    declared = set(ConflictDeclaration.objects.filter(application=application).values_list("expert_id", flat=True))
    for assignment in active:
        profile = assignment.expert.expert_profile
        assert profile.province_id != application.school.province_id, assignment
        assert "".join(profile.institution.split()).replace("（", "(").replace("）", ")") != application.school.name, assignment
        assert assignment.expert_id not in declared, assignment


def test_applying_gives_every_application_its_experts_within_the_rules(batch, staff_user, pool, candidates):
    plan, added = assignment_apply(batch=batch, actor=staff_user)

    assert added == len(plan.new) == 9

    assert plan.shortfalls == {}
    for application in candidates.values():
        assert_rules_hold(application, batch.experts_per_application)
    # Neither the Sichuan expert nor the one from the school's own institution got the Sichuan school.
    assert not active_experts_of(candidates["sichuan"]) & {pool["sichuan"].pk, pool["own"].pk}
    # The Guangdong expert never got the Guangdong school.
    assert pool["gd"].pk not in active_experts_of(candidates["guangdong"])
    # 9 assignments over 7 experts: nobody has more than 2 (balanced load).
    load = Counter(Assignment.objects.filter(is_active=True).values_list("expert_id", flat=True))
    assert sum(load.values()) == 9 and max(load.values()) - min(load.values()) <= 1
    assert set(Assignment.objects.values_list("source", flat=True)) == {Assignment.Source.AUTO}


def test_the_number_of_experts_follows_the_batch(batch, staff_user, pool, candidates):
    batch.experts_per_application = 2
    batch.save()
    assignment_apply(batch=batch, actor=staff_user)
    for application in candidates.values():
        assert_rules_hold(application, 2)


def test_applying_again_adds_nothing(batch, staff_user, pool, candidates):
    assignment_apply(batch=batch, actor=staff_user)
    before = list(Assignment.objects.order_by("pk").values_list("pk", "application_id", "expert_id", "is_active"))
    plan, _added = assignment_apply(batch=batch, actor=staff_user)
    assert plan.new == [] and plan.dropped == []
    assert list(Assignment.objects.order_by("pk").values_list("pk", "application_id", "expert_id", "is_active")) == before


def test_a_conflict_declared_beforehand_is_respected(batch, staff_user, pool, candidates):
    for key in ("bj", "sh", "tj"):
        ConflictDeclaration.objects.create(expert=pool[key], application=candidates["hubei"], reason="曾在该校兼职")
    assignment_apply(batch=batch, actor=staff_user)
    assert_rules_hold(candidates["hubei"], 3)
    assert not active_experts_of(candidates["hubei"]) & {pool["bj"].pk, pool["sh"].pk, pool["tj"].pk}


def test_inactive_experts_and_applications_outside_expert_review_get_nothing(batch, staff_user, pool, candidates):
    ExpertProfile.objects.filter(user=pool["bj"]).update(is_active=False)
    waiting, _ = at_national(batch, "福建待形式审查职业技术学院", FUJIAN)
    assignment_apply(batch=batch, actor=staff_user)
    assert not Assignment.objects.filter(expert=pool["bj"]).exists()
    assert not Assignment.objects.filter(application=waiting).exists()
    assert Assignment.objects.filter(is_active=True).count() == 9


def test_too_few_experts_are_reported_not_filled_by_breaking_a_rule(batch, staff_user, candidates):
    make_expert("e-only-sc", SICHUAN, "四川省教育科学研究院")
    make_expert("e-only-bj", BEIJING, "北京终身教育研究院")
    plan, _added = assignment_apply(batch=batch, actor=staff_user)
    sichuan = candidates["sichuan"]
    assert plan.shortfalls[sichuan.pk] == 2
    assert f"{sichuan.number} {sichuan.school.name} 还缺 2 位评审专家：符合回避规则的专家不足。" in shortfall_lines(plan)
    given = Assignment.objects.filter(application=sichuan, is_active=True).select_related("expert__expert_profile")
    assert [a.expert.expert_profile.province_id for a in given] == [BEIJING]


# ---- The preview page -----------------------------------------------------------------------------

def _written():
    return (Assignment.objects.count(), TimelineEntry.objects.count(), ConflictDeclaration.objects.count())


def test_the_preview_shows_the_plan_and_writes_nothing(client, batch, staff_user, pool, candidates):
    client.force_login(staff_user)
    before = _written()
    response = client.get(reverse("review:assignment"), {"batch": batch.pk})
    assert response.status_code == 200
    assert _written() == before
    html = response.content.decode()
    planned = assignment_plan(batch)
    assert f"应用此方案（新增 {len(planned.new)} 项分配）" in html
    assert [(a.pk, e.pk) for a, e in response.context["preview"]] == [(p.application_id, p.expert_id) for p in planned.new]
    for application in candidates.values():
        assert application.school.name in html


def test_the_preview_lists_shortfalls(client, batch, staff_user, candidates):
    make_expert("e-only-bj", BEIJING, "北京终身教育研究院")
    client.force_login(staff_user)
    html = client.get(reverse("review:assignment"), {"batch": batch.pk}).content.decode()
    assert "专家不足" in html
    sichuan = candidates["sichuan"]
    assert f"{sichuan.number} {sichuan.school.name} 还缺 2 位评审专家" in html
    assert not Assignment.objects.exists()


def test_posting_the_page_applies_the_plan_in_the_background_and_shows_its_progress(client, batch, staff_user, pool, candidates):
    client.force_login(staff_user)
    response = client.post(reverse("review:assignment"), {"batch": batch.pk})

    run = AssignmentRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("review:assignment_run", args=[run.pk])
    assert (run.state, run.done, run.total, run.added, run.requested_by) == (AssignmentRun.State.DONE, 9, 9, 9, staff_user)
    assert Assignment.objects.filter(is_active=True).count() == 9
    for application in candidates.values():
        assert_rules_hold(application, 3)
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "已新增 9 项专家分配。" in html and 'aria-valuenow="100"' in html and "进度 <span data-job-done>9</span> / <span data-job-total>9</span>" in html
    assert client.get(reverse("review:assignment_run_status", args=[run.pk])).json() == {
        "state": "done", "label": "已完成", "done": 9, "total": 9, "percent": 100, "error": "", "summary": "已新增 9 项专家分配。", "shortfalls": [],
    }  # fmt: skip
    # The assignment page lists the run.
    assert "新增 9 项" in client.get(reverse("review:assignment"), {"batch": batch.pk}).content.decode()


def test_a_run_part_way_shows_how_far_it_has_got(client, batch, staff_user):
    run = AssignmentRun.objects.create(batch=batch, requested_by=staff_user, state=AssignmentRun.State.RUNNING, total=3000, done=1000)
    client.force_login(staff_user)
    html = client.get(reverse("review:assignment_run", args=[run.pk])).content.decode()
    assert "进行中" in html and 'aria-valuenow="33"' in html and 'data-width="33"' in html
    assert "已新增" not in html
    status = client.get(reverse("review:assignment_run_status", args=[run.pk])).json()
    assert (status["state"], status["percent"], status["summary"]) == ("running", 33, "")


def test_a_run_writes_in_steps_and_reports_each(batch, staff_user, pool, candidates, monkeypatch):
    monkeypatch.setattr(expert_assignment, "ASSIGNMENT_STEP", 4)
    seen = []
    _plan, added = assignment_apply(batch=batch, actor=staff_user, on_step=lambda done, total: seen.append((done, total, Assignment.objects.count())))
    assert added == 9
    # The total once the plan is made, then three steps (4 + 4 + 1 pairs), each stored before it is reported.
    assert seen == [(0, 9, 0), (4, 9, 4), (8, 9, 8), (9, 9, 9)]


def test_pairs_assigned_while_a_run_is_under_way_are_not_assigned_twice(batch, staff_user, pool, candidates, monkeypatch):
    """Between two steps another member of staff assigns by hand, or a second run fills an
    application: the step skips what is already there and nobody gets more than 3 experts."""
    monkeypatch.setattr(expert_assignment, "ASSIGNMENT_STEP", 3)
    first_later = assignment_plan(batch).new[3]  # a pair of the second step

    def meanwhile(done, total):
        if done == 3:  # after the first step, somebody assigns that pair by hand
            application = Application.objects.get(pk=first_later.application_id)
            assignment_add(application=application, expert=User.objects.get(pk=first_later.expert_id), actor=staff_user, reason="已电话确认")

    _plan, added = assignment_apply(batch=batch, actor=staff_user, on_step=meanwhile)

    assert added == 8  # the pair taken by hand was skipped
    for application in candidates.values():
        assert_rules_hold(application, 3)
    assert Assignment.objects.filter(application_id=first_later.application_id, expert_id=first_later.expert_id, is_active=True).count() == 1


def test_posting_with_nothing_to_assign_starts_no_run(client, batch, staff_user, pool, candidates):
    assignment_apply(batch=batch, actor=staff_user)
    client.force_login(staff_user)
    response = client.post(reverse("review:assignment"), {"batch": batch.pk}, follow=True)
    assert "没有需要新增或撤销的专家分配" in response.content.decode()
    assert not AssignmentRun.objects.exists()


def test_a_failed_run_says_so_and_keeps_what_it_wrote(client, batch, staff_user, pool, candidates, monkeypatch):
    monkeypatch.setattr(expert_assignment, "ASSIGNMENT_STEP", 4)
    real_bulk_create = Assignment.objects.bulk_create
    steps = []

    def failing_on_the_second_step(objs, *args, **kwargs):
        steps.append(len(objs))
        if len(steps) == 2:
            raise RuntimeError("磁盘已满")
        return real_bulk_create(objs, *args, **kwargs)

    monkeypatch.setattr(Assignment.objects, "bulk_create", failing_on_the_second_step)
    client.force_login(staff_user)
    client.post(reverse("review:assignment"), {"batch": batch.pk})

    run = AssignmentRun.objects.get()
    assert run.state == AssignmentRun.State.FAILED and "磁盘已满" in run.error and run.finished_at
    assert (run.done, run.total) == (4, 9) and Assignment.objects.count() == 4
    html = client.get(reverse("review:assignment_run", args=[run.pk])).content.decode()
    assert "失败" in html and "磁盘已满" in html and "可重新运行自动分配补齐其余部分" in html
    # Run again, it completes what is missing.
    monkeypatch.setattr(Assignment.objects, "bulk_create", real_bulk_create)
    client.post(reverse("review:assignment"), {"batch": batch.pk})
    assert AssignmentRun.objects.latest("pk").added == 5
    for application in candidates.values():
        assert_rules_hold(application, 3)


def test_the_admin_action_assigns_the_picked_applications_in_a_run(client, batch, staff_user, pool, candidates):
    staff_user.groups.add(sync_staff_group())
    client.force_login(staff_user)
    url = reverse("admin:applications_application_changelist")
    picked = [candidates["sichuan"].pk, candidates["hubei"].pk]
    confirm = client.post(url, {"action": "assign_experts", "_selected_action": picked})
    assert confirm.status_code == 200 and "将新增 6 项分配" in confirm.content.decode()
    assert not Assignment.objects.exists()

    response = client.post(url, {"action": "assign_experts", "_selected_action": picked, "confirm": "yes"})

    run = AssignmentRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("review:assignment_run", args=[run.pk])
    assert sorted(run.application_ids) == sorted(picked) and run.added == 6
    assert set(Assignment.objects.values_list("application_id", flat=True)) == set(picked)


def test_the_change_list_offers_each_application_to_the_actions(client, batch, staff_user, candidates):
    from django.contrib import admin

    from applications.models import Application

    staff_user.groups.add(sync_staff_group())
    client.force_login(staff_user)
    page = client.get(reverse("admin:applications_application_changelist")).content.decode()
    model_admin = admin.site._registry[Application]
    for application in candidates.values():
        # The portal writes the row's checkbox itself (speed); it must stay Django's own.
        checkbox = admin.ModelAdmin.action_checkbox(model_admin, application)
        assert model_admin.action_checkbox(application) == checkbox
        assert checkbox in page
    assert 'id="action-toggle"' in page


# ---- Manual changes --------------------------------------------------------------------------------

def test_a_manual_assignment_needs_a_reason(batch, staff_user, pool, candidates):
    with pytest.raises(WorkflowError, match="人工调整须填写理由"):
        assignment_add(application=candidates["sichuan"], expert=pool["bj"], actor=staff_user, reason=" ")
    assert not Assignment.objects.exists()


def test_a_manual_assignment_is_logged_internally_with_its_reason(batch, staff_user, pool, candidates):
    application = candidates["sichuan"]
    assignment = assignment_add(application=application, expert=pool["bj"], actor=staff_user, reason="该专家熟悉老年教育")
    assert (assignment.source, assignment.reason, assignment.assigned_by) == (Assignment.Source.MANUAL, "该专家熟悉老年教育", staff_user)
    entry = TimelineEntry.objects.filter(application=application).last()
    assert (entry.action, entry.visible_to_school, entry.actor) == ("assignment_add", False, staff_user)
    assert entry.internal_comment == "人工分配专家：京（该专家熟悉老年教育）"
    assert reload(application).status == Status.IN_EXPERT_REVIEW


@pytest.mark.parametrize(
    "key, message",
    [
        ("sichuan", "专家与申报学校同省，须回避。"),
        ("own", "专家与申报学校同单位，须回避。"),
        ("declared", "专家已声明与该申请存在利益冲突。"),
        ("inactive", "该用户不是在册的评审专家。"),
        ("not-expert", "该用户不是在册的评审专家。"),
    ],
)
def test_an_ineligible_expert_is_refused_with_the_reason(batch, staff_user, pool, candidates, key, message):
    application = candidates["sichuan"]
    if key == "declared":
        ConflictDeclaration.objects.create(expert=pool["bj"], application=application, reason="亲属在该校任职")
        expert = pool["bj"]
    elif key == "inactive":
        ExpertProfile.objects.filter(user=pool["sh"]).update(is_active=False)
        expert = pool["sh"]
    elif key == "not-expert":
        expert = make_user("plain-staff-2", Role.STAFF)
    else:
        expert = pool[key]
    before = timeline_actions(application)
    with pytest.raises(WorkflowError) as refused:
        assignment_add(application=application, expert=expert, actor=staff_user, reason="人工指定")
    assert str(refused.value) == message
    assert not Assignment.objects.filter(application=application).exists()
    assert timeline_actions(application) == before


def test_the_same_expert_twice_is_refused(batch, staff_user, pool, candidates):
    assignment_add(application=candidates["hubei"], expert=pool["bj"], actor=staff_user, reason="指定")
    with pytest.raises(WorkflowError, match="已分配"):
        assignment_add(application=candidates["hubei"], expert=pool["bj"], actor=staff_user, reason="再次指定")
    assert Assignment.objects.filter(application=candidates["hubei"]).count() == 1


def test_an_application_not_in_review_takes_no_expert(batch, staff_user, pool):
    application, _ = at_national(batch, "四川待审查职业技术学院")
    with pytest.raises(WorkflowError, match="已报送项目组"):
        assignment_add(application=application, expert=pool["bj"], actor=staff_user, reason="指定")
    assert not Assignment.objects.exists()


def test_the_page_refuses_an_ineligible_expert_in_chinese_and_changes_nothing(client, batch, staff_user, pool, candidates):
    application = candidates["sichuan"]
    client.force_login(staff_user)
    response = client.post(reverse("review:assign_expert", args=[application.pk]), {"expert": pool["sichuan"].pk, "reason": "人工指定"})
    assert response.status_code == 400
    assert "专家与申报学校同省，须回避。" in response.content.decode()
    assert not Assignment.objects.filter(application=application).exists()


def test_the_page_assigns_an_eligible_expert(client, batch, staff_user, pool, candidates):
    application = candidates["sichuan"]
    client.force_login(staff_user)
    response = client.post(reverse("review:assign_expert", args=[application.pk]), {"expert": pool["tj"].pk, "reason": "熟悉乡村振兴"})
    assert response.status_code == 302
    assert active_experts_of(application) == {pool["tj"].pk}


def test_ending_an_assignment_needs_a_reason_and_is_logged(batch, staff_user, pool, candidates):
    assignment = assignment_add(application=candidates["hubei"], expert=pool["bj"], actor=staff_user, reason="指定")
    with pytest.raises(WorkflowError, match="撤销分配须填写理由"):
        assignment_remove(assignment=assignment, actor=staff_user, reason="")
    assignment_remove(assignment=assignment, actor=staff_user, reason="专家出国")
    assignment.refresh_from_db()
    assert (assignment.is_active, assignment.end_reason) == (False, "专家出国")
    entry = TimelineEntry.objects.filter(application=candidates["hubei"]).last()
    assert (entry.action, entry.visible_to_school, entry.internal_comment) == ("assignment_end", False, "撤销专家分配：京（专家出国）")


def test_adding_an_expert_to_a_scored_application_reopens_its_review(batch, staff_user, pool, candidates):
    application = candidates["hubei"]
    submit_review(assignment_add(application=application, expert=pool["bj"], actor=staff_user, reason="指定"), GOOD)
    assert reload(application).status == Status.SCORED
    assignment_add(application=reload(application), expert=pool["sh"], actor=staff_user, reason="再请一位专家")
    assert reload(application).status == Status.IN_EXPERT_REVIEW


# ---- Conflicts declared later --------------------------------------------------------------------

def test_an_expert_who_declares_a_conflict_is_replaced_at_once(batch, staff_user, pool, candidates):
    assignment_apply(batch=batch, actor=staff_user)
    application = candidates["guangdong"]
    assignment = Assignment.objects.filter(application=application, is_active=True).first()
    leaving = assignment.expert
    before = active_experts_of(application)

    replacement = expert_declare_conflict(assignment=assignment, expert=leaving, reason="曾为该校方案提供咨询")

    after = active_experts_of(application)
    assert leaving.pk not in after and len(after) == 3
    assert after == before - {leaving.pk} | {replacement.expert_id}
    assert replacement.reason == "替换回避专家"
    assert ConflictDeclaration.objects.filter(expert=leaving, application=application).exists()
    assert_rules_hold(application, 3)
    assignment.refresh_from_db()
    assert (assignment.is_active, assignment.end_reason) == (False, "专家声明回避：曾为该校方案提供咨询")
    # The expert is never given it again.
    assignment_apply(batch=batch, actor=staff_user)
    assert leaving.pk not in active_experts_of(application)


def test_a_conflict_recorded_after_assignment_is_replaced_on_the_next_run(batch, staff_user, pool, candidates):
    assignment_apply(batch=batch, actor=staff_user)
    application = candidates["sichuan"]
    assignment = Assignment.objects.filter(application=application, is_active=True).select_related("expert").first()
    ConflictDeclaration.objects.create(expert=assignment.expert, application=application, reason="管理员登记：近亲属在该校")

    plan, _added = assignment_apply(batch=batch, actor=staff_user)

    assert [(p.application_id, p.expert_id) for p in plan.dropped] == [(application.pk, assignment.expert_id)]
    assignment.refresh_from_db()
    assert not assignment.is_active
    assert_rules_hold(application, 3)
    assert TimelineEntry.objects.filter(application=application, action="assignment_end").count() == 1


def test_a_conflict_cannot_be_declared_after_submitting(batch, staff_user, pool, candidates):
    application = candidates["hubei"]
    assignment = assignment_add(application=application, expert=pool["bj"], actor=staff_user, reason="指定")
    submit_review(assignment, GOOD)
    with pytest.raises(WorkflowError, match="评分已提交"):
        expert_declare_conflict(assignment=assignment, expert=pool["bj"], reason="想起来了")
    assignment.refresh_from_db()
    assert assignment.is_active
    assert not ConflictDeclaration.objects.exists()


def test_a_conflict_without_a_replacement_lets_the_others_scores_complete_the_review(batch, staff_user, candidates):
    """Only two eligible experts besides the one who steps back: the application is then scored
    by the two (as when staff end an assignment), not left waiting for nobody."""
    application = candidates["hubei"]
    batch.experts_per_application = 3
    batch.save()
    experts = [make_expert(f"e-x{i}", code, f"单位{i}") for i, code in enumerate((BEIJING, SHANGHAI, TIANJIN))]
    first, second, third = (assignment_add(application=reload(application), expert=e, actor=staff_user, reason="指定") for e in experts)
    submit_review(first, GOOD)
    submit_review(second, GOOD)
    assert reload(application).status == Status.IN_EXPERT_REVIEW

    replacement = expert_declare_conflict(assignment=third, expert=experts[2], reason="曾在该校任教")

    assert replacement is None
    assert reload(application).status == Status.SCORED
