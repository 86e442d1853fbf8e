"""The project group's formal check (形式审查, notice 八.2): the machine items of the form, the
manual ticks of the seals, and the outcome (pass into expert review, return for 补正, or 不予受理)."""
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from applications.notifications import notify_school
from applications.models import Application
from applications.rules import PLAN_MIN_ZI, TEAM_MIN_SIZE, check_application, is_vice_principal
from applications.workflow import WorkflowError, current_scan, deadline_for, lock_application, require_move, scan_is_current, transition
from review.models import FormalCheck


def formal_check_items(application: Application) -> list[tuple[str, str, bool]]:
    """The machine-checkable items of the formal check: (key, label, passed)."""
    team = [row for row in application.team.all() if not row.is_blank()]
    check = check_application(application, team_rows=team)
    deadline = deadline_for(application)
    in_time = application.submitted_at is not None and not deadline.passed(application.submitted_at)
    lead_ok = is_vice_principal(application.lead_title, application.school.school_type) or bool(application.lead_title_note.strip())
    return [
        ("complete", "申请表各部分填写完整、符合规则", check.complete),
        ("zi", f"实验方案不少于 {PLAN_MIN_ZI} 字（{check.plan_zi} 字）", check.plan_zi >= PLAN_MIN_ZI),
        ("team", f"项目小组成员不少于 {TEAM_MIN_SIZE} 人（{len(team)} 人）", len(team) >= TEAM_MIN_SIZE),
        ("lead", "负责人为副校长，或已说明原因", lead_ok),
        ("scan", "已上传与当前内容一致的盖章扫描件", scan_is_current(application, current_scan(application))),
        ("deadline", f"在截止时间前提交（{timezone.localtime(deadline.at):%Y-%m-%d %H:%M}）", in_time),
    ]


MANUAL_ITEMS = ("seals_present", "seals_legible", "consistent")
# The formal check's outcomes and the moves of the journey they make.
outcome_action = {FormalCheck.Outcome.PASSED: "pass", FormalCheck.Outcome.RETURNED: "return", FormalCheck.Outcome.REJECTED: "reject"}


def formal_check_decide(*, application: Application, actor, outcome: str, seals_present: bool = False,
                        seals_legible: bool = False, consistent: bool = False, reason: str = "",
                        correction_deadline: datetime | None = None, now: datetime | None = None) -> FormalCheck:
    """Record the formal check and its outcome.

    passed: every machine item and every manual tick must hold → in_expert_review.
    returned (补正): a reason and a future correction deadline → returned; the school corrects and
    submits straight to the project group by that deadline. rejected (不予受理): a reason → rejected.
    Side effects: one timeline row; the school is mailed on return and rejection."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if outcome not in outcome_action:
        raise WorkflowError("请选择审查结论。", "outcome_required")
    with transaction.atomic():
        locked = lock_application(application)
        require_move(locked, f"formal_{outcome_action[outcome]}", actor, now=now)
        items = formal_check_items(locked)
        check, _ = FormalCheck.objects.get_or_create(application=locked)
        check.seals_present, check.seals_legible, check.consistent = seals_present, seals_legible, consistent
        check.machine_items = {key: passed for key, _label, passed in items}
        if outcome == FormalCheck.Outcome.PASSED:
            failed = [label for _key, label, passed in items if not passed]
            if not (seals_present and seals_legible and consistent):
                failed.append("人工核对项未全部确认")
            if failed:
                raise WorkflowError("形式审查未通过的项目：" + "；".join(failed) + "。请退回补正或不予受理。", "formal_items_failed")
            transition(application=locked, action="formal_pass", actor=actor, now=now,
                       comment="通过形式审查，进入专家评审", internal_comment=reason)  # fmt: skip
        elif outcome == FormalCheck.Outcome.RETURNED:
            if not reason:
                raise WorkflowError("请填写需要补正的内容，学校会看到这段说明。", "reason_required")
            if correction_deadline is None or correction_deadline <= now:
                raise WorkflowError("请设定晚于当前时间的补正截止时间。", "deadline_in_past")
            locked.correction_deadline = correction_deadline
            transition(application=locked, action="formal_return", actor=actor, now=now,
                       comment=f"请于 {timezone.localtime(correction_deadline):%Y年%m月%d日 %H:%M} 前补正：{reason}")  # fmt: skip
            notify_school(locked, event="returned", comment=reason)
        else:
            if not reason:
                raise WorkflowError("请填写不予受理的理由，学校会看到这段说明。", "reason_required")
            transition(application=locked, action="formal_reject", actor=actor, comment=reason, now=now)
            notify_school(locked, event="rejected", comment=reason)
        check.outcome, check.reason, check.decided_by, check.decided_at = outcome, reason, actor, now
        check.save()
    return check
