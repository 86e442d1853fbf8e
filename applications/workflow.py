"""The application's journey, in one table.

`JOURNEY` below lists every move an application can make: from which statuses, by which action, to
which status, who may take it and when. `transition` is the only function that changes an
application's status: it finds the move in the table, refuses anything the table does not allow
(wrong status, wrong person, a condition that does not hold), writes the status and one timeline row,
and tells the apps above (the `application_moved` signal). `allowed_actions` asks the same table what
a user may do now, so that pages offer exactly the steps that would succeed.

Deadlines are enforced here, on the server, in Beijing time (Asia/Shanghai): the browser may warn
earlier, never instead. A deadline is stored to the minute and shown as that minute ("23:59"); it
accepts everything up to the end of that minute (23:59:59.999).

The steps themselves (submit, withdraw, the province's and the project group's) are services that
lock the application, do their own work (an opinion, a rank, a formal-check record) and call
`transition`; the school's live in this module, the reviewers' in `review/`.
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from applications.models import OUTCOME_STATUSES, Application, ProvincialWindow, Route, Status, TimelineEntry
from applications.notifications import notify_reviewers_of_submission, notify_reviewers_of_withdrawal, notify_school
from applications.rules import check_application
from applications.selectors import window_for
from portal import policy


class WorkflowError(Exception):
    """A step that is not allowed now. The message says why, in Chinese, for the user; the code
    says it for the program (tests assert the code, so the wording can be edited), as with
    Django's ValidationError(message, code=...)."""

    def __init__(self, message: str, code: str = "not_allowed"):
        super().__init__(message)
        self.message, self.code = message, code


# ---- Deadlines ------------------------------------------------------------------------------------


def deadline_end(at: datetime) -> datetime:
    """The first instant after a deadline stored as `at`: the end of the minute it names, so that
    a deadline shown as 23:59 still accepts 23:59:59.999."""
    return at.replace(second=0, microsecond=0) + timedelta(minutes=1)


def deadline_passed(at: datetime | None, now: datetime | None = None) -> bool:
    """Whether the deadline `at` (None: no deadline) has passed at `now`."""
    return at is not None and (now or timezone.now()) >= deadline_end(at)


def deadlines_open_at(now: datetime) -> datetime:
    """For a database filter: the deadlines that have not passed at `now` are those stored at or
    after this instant (the start of the current minute)."""
    return now.replace(second=0, microsecond=0)


def deadline_in_words(at: datetime | None) -> str:
    """What a deadline stored as `at` means, in words: "2023年04月28日 23:59:59（北京时间）前"."""
    if at is None:
        return "未设定"
    last = timezone.localtime(deadline_end(at)) - timedelta(seconds=1)
    return f"{last:%Y年%m月%d日 %H:%M:%S}（北京时间）前"


@dataclass(frozen=True)
class Deadline:
    at: datetime
    owner: str  # whose deadline: the provincial association's or the national project group's
    route: str

    @property
    def local(self) -> datetime:
        return timezone.localtime(self.at)

    def passed(self, now: datetime | None = None) -> bool:
        return deadline_passed(self.at, now)


def deadline_for(application: Application) -> Deadline:
    """The submission deadline that applies to this school: the correction deadline when the
    project group returned it for 补正, else its provincial window's when it applies through the
    province, else the batch's national deadline."""
    if application.correction_deadline is not None:
        return Deadline(application.correction_deadline, "中国成人教育协会项目组（补正）", Route.DIRECT)
    if application.route == Route.PROVINCIAL:
        window = window_for(application.batch, application.school.province)
        if window is not None:
            return Deadline(window.school_deadline, window.association.name, Route.PROVINCIAL)
    return Deadline(application.batch.national_deadline, "中国成人教育协会项目组", Route.DIRECT)


# ---- What the school may see ----------------------------------------------------------------------


def outcome_published(application: Application) -> bool:
    """Whether the school may know the project group's decision (and read its 项目组意见)."""
    return application.batch.published_at is not None


def status_for_school(application: Application) -> str:
    """The status as the school (and an expert scoring it) may see it: once the application passed
    the formal check, nothing of its review shows before the list is published."""
    if application.status in OUTCOME_STATUSES and not outcome_published(application):
        return Status.IN_EXPERT_REVIEW
    if application.status == Status.SCORED:
        return Status.IN_EXPERT_REVIEW
    return application.status


def status_label_for_school(application: Application) -> str:
    return Status(status_for_school(application)).label


# What a provincial association may know of an application it forwarded while the project group
# holds it: that it is there (已报送项目组, the province's last step), not how far its review has
# come nor what was decided. Rejection (不予受理) and 补正 are told to the school at once, and so
# to its province.
HELD_AT_NATIONAL = (Status.IN_EXPERT_REVIEW, Status.SCORED, *OUTCOME_STATUSES)


def status_for_province(application: Application) -> str:
    """The status as the school's provincial association may see it: already forwarded
    (已报送项目组) while the project group reviews and decides, the outcome once published.
    review.selectors.province_status is the same rule in SQL, for the queue's filter, sort and
    counts."""
    if application.status in HELD_AT_NATIONAL and not outcome_published(application):
        return Status.AT_NATIONAL
    return application.status


def current_scan(application: Application):
    """The latest uploaded scan, or None."""
    scans = list(application.scans.all())
    return scans[0] if scans else None


def scan_is_current(application: Application, scan=None) -> bool:
    scan = scan if scan is not None else current_scan(application)
    return scan is not None and scan.version_code == application.version_code


# ---- The conditions of the table ------------------------------------------------------------------


class Facts:
    """What the conditions of a move read about one application at one moment, each worked out
    once (a page asks about several moves)."""

    def __init__(self, application: Application, now: datetime | None = None, check=None):
        self.application = application
        self.now = now or timezone.now()
        if check is not None:
            self.check = check

    @cached_property
    def check(self):
        return check_application(self.application)

    @cached_property
    def scan(self):
        return current_scan(self.application)

    @cached_property
    def deadline(self) -> Deadline:
        return deadline_for(self.application)

    @cached_property
    def window(self) -> ProvincialWindow | None:
        return window_for(self.application.batch, self.application.school.province)

    @cached_property
    def forwarded(self) -> bool:
        return self.window is not None and ProvincialWindow.objects.filter(pk=self.window.pk, forwarding__isnull=False).exists()

    @property
    def goes_to_province(self) -> bool:
        """A submission goes to the provincial association: the school applies through its
        province's window, and this is not a 补正 (which goes straight back to the project group)."""
        a = self.application
        return a.route == Route.PROVINCIAL and a.correction_deadline is None and self.window is not None


Condition = Callable[[Facts], "WorkflowError | None"]


def form_complete(f: Facts):
    if not f.check.complete:
        return WorkflowError("申请表还有未完成或有错误的部分，请按提示补充修改。", "incomplete")


def scan_matches_content(f: Facts):
    if f.scan is None:
        return WorkflowError("请先上传签字盖章后的申请表扫描件。", "no_scan")
    if f.scan.version_code != f.application.version_code:
        return WorkflowError(
            f"扫描件对应的版本（{f.scan.version_code}）与当前内容（{f.application.version_code}）不一致："
            "上传后内容又有修改，请重新打印、签章并上传。",
            "stale_scan",
        )


def batch_open(f: Facts):
    if not f.application.batch.is_open and f.application.correction_deadline is None:
        return WorkflowError(f"{f.application.batch.short_name}已停止申报。", "batch_closed")


def before_school_deadline(f: Facts):
    """The deadline that applies to this school (deadline_for) has not passed."""
    if f.deadline.passed(f.now):
        return WorkflowError(
            f"已超过提交截止时间（{f.deadline.owner}：{f.deadline.local:%Y年%m月%d日 %H:%M} 北京时间），不能再提交。",
            "deadline_passed",
        )


def to_province(f: Facts):
    if not f.goes_to_province:
        return WorkflowError("该申请直接报送项目组，不经省级推荐。", "not_provincial")


def to_national(f: Facts):
    if f.goes_to_province:
        return WorkflowError("该申请经省级协会推荐，请提交至省级协会。", "provincial")


def province_not_forwarded(f: Facts):
    """The province has not yet sent its set on: once it has, it can change nothing."""
    if f.forwarded:
        return WorkflowError("本省推荐名单已报送项目组，不能再更改。", "forwarded")


def province_takes_submissions(f: Facts):
    """The same, as the school meets it: a submission to a province that has sent its set on
    would be stranded."""
    if f.forwarded:
        return WorkflowError(f"{f.window.association.name}已将本省推荐名单报送项目组，不再受理提交。", "forwarded")


def before_national_deadline(f: Facts):
    at = f.application.batch.national_deadline
    if deadline_passed(at, f.now):
        return WorkflowError(f"已过全国申报截止时间（{timezone.localtime(at):%Y年%m月%d日 %H:%M}），不能再办理。", "national_deadline_passed")


def before_window_deadline(f: Facts):
    """Returning makes sense only while the school can still submit again to its province."""
    if f.window is not None and deadline_passed(f.window.school_deadline, f.now):
        return WorkflowError("学校提交截止时间已过，退回后学校将无法再次提交；请直接推荐或不予推荐。", "school_deadline_passed")


def direct_allowed(f: Facts):
    if not f.application.batch.allow_direct:
        return WorkflowError(f"{f.application.batch.short_name}不接受学校直接向项目组申报。", "direct_not_allowed")


def not_published(f: Facts):
    if f.application.batch.published_at is not None:
        return WorkflowError("名单已公布，不能再更改。", "published")


# ---- The journey ----------------------------------------------------------------------------------


class Who:
    """Who may take a move (portal.policy decides whether a user is that person)."""

    SCHOOL = "school"  # the application's own school
    PROVINCE = "province"  # the provincial association of the school's province
    STAFF = "staff"  # the national project group
    EXPERT = "expert"  # an expert assigned to the application


@dataclass(frozen=True)
class Move:
    action: str
    sources: tuple[str, ...]
    target: str
    who: tuple[str, ...]
    when: tuple[Condition, ...] = ()
    label: str = ""
    school_sees: bool = True  # whether its timeline row is on the school's timeline


S = Status
# Until the project group decides (notice: a school may withdraw until the decision).
WITHDRAWABLE = (S.DRAFT, S.RETURNED, S.SUBMITTED, S.RECOMMENDED, S.AT_NATIONAL, S.IN_EXPERT_REVIEW, S.SCORED)

JOURNEY: tuple[Move, ...] = (
    # The school (notice 八.1: through its provincial association, or directly: 有意者也可……发至指定邮箱)
    Move("submit", (S.DRAFT, S.RETURNED), S.SUBMITTED, (Who.SCHOOL,),
         (form_complete, scan_matches_content, batch_open, to_province, province_takes_submissions, before_school_deadline), "提交至省级协会"),
    Move("submit", (S.DRAFT, S.RETURNED), S.AT_NATIONAL, (Who.SCHOOL,),
         (form_complete, scan_matches_content, batch_open, to_national, before_school_deadline), "提交至项目组"),
    Move("withdraw", WITHDRAWABLE, S.WITHDRAWN, (Who.SCHOOL,), (not_published,), "撤回申请"),
    Move("restart", (S.WITHDRAWN,), S.DRAFT, (Who.SCHOOL,), (batch_open, before_school_deadline), "重新填写申请"),
    # 八.1: 有意者也可根据自身意愿和条件……发至指定邮箱 — a provincial decline does not close the direct way.
    Move("apply_direct", (S.NOT_RECOMMENDED,), S.DRAFT, (Who.SCHOOL,),
         (direct_allowed, before_national_deadline), "直接向项目组申报"),
    # The provincial association (八.1: 省级成人教育协会……组织推荐申报)
    Move("province_return", (S.SUBMITTED,), S.RETURNED, (Who.PROVINCE,),
         (province_not_forwarded, before_national_deadline, before_window_deadline), "退回修改"),
    Move("province_recommend", (S.SUBMITTED,), S.RECOMMENDED, (Who.PROVINCE,),
         (province_not_forwarded, before_national_deadline), "推荐"),
    Move("province_decline", (S.SUBMITTED,), S.NOT_RECOMMENDED, (Who.PROVINCE,),
         (province_not_forwarded, before_national_deadline), "不予推荐"),
    Move("province_forward", (S.RECOMMENDED,), S.AT_NATIONAL, (Who.PROVINCE,), (before_national_deadline,), "报送项目组"),
    # The national project group (八.2: 项目组组织专家评定实验校名单)
    Move("formal_pass", (S.AT_NATIONAL,), S.IN_EXPERT_REVIEW, (Who.STAFF,), (), "通过形式审查"),
    Move("formal_return", (S.AT_NATIONAL,), S.RETURNED, (Who.STAFF,), (), "退回补正"),
    Move("formal_reject", (S.AT_NATIONAL,), S.REJECTED, (Who.STAFF,), (), "不予受理"),
    Move("review_complete", (S.IN_EXPERT_REVIEW,), S.SCORED, (Who.STAFF, Who.EXPERT), (), "评审完成", school_sees=False),
    Move("review_more", (S.SCORED,), S.IN_EXPERT_REVIEW, (Who.STAFF,), (), "继续评审", school_sees=False),
    Move("decide", (S.SCORED, S.SELECTED, S.NOT_SELECTED), S.SELECTED, (Who.STAFF,), (not_published,), "入选", school_sees=False),
    Move("decide", (S.SCORED, S.SELECTED, S.NOT_SELECTED), S.NOT_SELECTED, (Who.STAFF,), (not_published,), "不入选", school_sees=False),
)  # fmt: skip

ACTIONS = tuple(dict.fromkeys(move.action for move in JOURNEY))


def find_move(action: str, from_status: str, to_status: str) -> Move | None:
    """The move of the table that takes an application from `from_status` to `to_status` by
    `action`, or None: what a seeder writing rows in bulk, or a check of a stored timeline, holds
    its rows to."""
    return next((m for m in JOURNEY if m.action == action and from_status in m.sources and m.target == to_status), None)


def sources_of(action: str) -> tuple[str, ...]:
    """The statuses `action` starts from, in the order of Status."""
    sources = {s for move in JOURNEY if move.action == action for s in move.sources}
    return tuple(s for s in Status.values if s in sources)


# Emitted after every move, inside the mover's transaction: the apps above add their own side
# effects (review: a withdrawn application's expert assignments end and its provincial rank is freed).
application_moved = Signal()  # kwargs: application, move, actor, now


def _not_permitted(who: str, facts: Facts) -> WorkflowError:
    names = {
        Who.SCHOOL: "申报单位本身",
        Who.PROVINCE: f"{facts.window.association.name if facts.window else '本省省级协会'}的审核人员",
        Who.STAFF: "项目组",
        Who.EXPERT: "评审专家",
    }
    return WorkflowError(f"只有{names[who]}可以办理此操作。", "not_permitted")


def _problems(move: Move, facts: Facts, actor) -> list[WorkflowError]:
    if not any(policy.acts_as(actor, facts.application, who) for who in move.who):
        return [_not_permitted(move.who[0], facts)]
    return [error for condition in move.when if (error := condition(facts)) is not None]


def wrong_status(application: Application, actor) -> WorkflowError:
    """The refusal of a step the application's status does not allow, naming the status as
    `actor` may know it (policy.status_as_seen_by: a school refused a withdrawal after the decision
    is not told the outcome); the real one when no person acts (a seeder, a job)."""
    status = application.status if actor is None else policy.status_as_seen_by(actor, application)
    return WorkflowError(f"该申请当前状态为“{Status(status).label}”，不能办理此操作（可能已被其他人处理，请刷新页面）。", "wrong_status")


def _candidates(application: Application, action: str, to_status: str | None, actor) -> list[Move]:
    if action not in ACTIONS:
        raise WorkflowError("没有这项操作。", "unknown_action")
    moves = [m for m in JOURNEY if m.action == action and application.status in m.sources and (to_status is None or m.target == to_status)]
    if not moves:
        raise wrong_status(application, actor)
    return moves


def move_problems(application: Application, action: str, actor, *, to_status: str | None = None,
                  now: datetime | None = None, facts: Facts | None = None) -> tuple[Move | None, list[WorkflowError]]:
    """The move `action` would make now and why it may not (every reason; none when it may).

    Where two moves share an action (submit to the province or to the project group), the one whose
    conditions hold is taken; when none holds, the reasons are the first candidate's, less any that
    only say which way the application goes."""
    facts = facts or Facts(application, now)
    moves = _candidates(application, action, to_status, actor)
    reasons = []
    for move in moves:
        problems = _problems(move, facts, actor)
        if not problems:
            return move, []
        reasons.append(problems)
    best = min(reasons, key=lambda problems: any(p.code in ("provincial", "not_provincial") for p in problems))
    return None, best


def require_move(application: Application, action: str, actor, *, to_status: str | None = None, now: datetime | None = None) -> Move:
    """The move `action` makes now, or WorkflowError (the first reason, its code) when it may not."""
    move, problems = move_problems(application, action, actor, to_status=to_status, now=now)
    if move is None:
        error = problems[0]
        if len(problems) > 1:
            error = WorkflowError(" ".join(p.message for p in problems), problems[0].code)
        raise error
    return move


def transition(*, application: Application, action: str, actor, to_status: str | None = None, comment: str = "",
               internal_comment: str = "", now: datetime | None = None) -> Application:
    """Make the move `action` (towards `to_status` where the action has several) if the journey
    allows it for `actor` now; refuse it with WorkflowError otherwise.

    Side effects: the status is saved (with any other field the caller changed on `application`);
    one timeline row (who, when, from, to, `comment` for the school, `internal_comment` for
    reviewers; shown to the school unless the move says otherwise); `application_moved` is sent.
    Must run inside the caller's transaction with the application row locked (lock_application).
    """
    now = now or timezone.now()
    move = require_move(application, action, actor, to_status=to_status, now=now)
    from_status = application.status
    application.status = move.target
    application.save()
    TimelineEntry.objects.create(
        application=application, actor=actor, action=action, from_status=from_status, to_status=move.target,
        comment=comment, internal_comment=internal_comment, visible_to_school=move.school_sees,
    )  # fmt: skip
    application_moved.send(sender=Application, application=application, move=move, actor=actor, now=now)
    return application


def allowed_actions(application: Application, user, *, now: datetime | None = None, check=None) -> dict[str, Move]:
    """The moves `user` may make on `application` now, by action: what a page offers. `check`
    (the rules' result) may be passed when the page has it already."""
    facts = Facts(application, now, check=check)
    allowed = {}
    for move in JOURNEY:
        if application.status in move.sources and move.action not in allowed and not _problems(move, facts, user):
            allowed[move.action] = move
    return allowed


def lock_application(application: Application) -> Application:
    """The application's row, locked until the end of the caller's transaction, read afresh with
    what the steps need (batch, school and province)."""
    return Application.objects.select_for_update().select_related("batch", "school__province").get(pk=application.pk)


def expect_status(application: Application, *statuses: str, actor) -> None:
    """For the steps that are not moves (a rank change, an expert added): refuse when the freshly
    locked application is no longer in one of `statuses` (someone else acted first, or the page
    was stale), naming the status as `actor` may know it."""
    if application.status not in statuses:
        raise wrong_status(application, actor)


# ---- The school's steps ---------------------------------------------------------------------------


def submit_problems(application: Application, *, actor, now: datetime | None = None) -> list[str]:
    """Why `actor` cannot submit `application` now (an empty list when they can), every reason."""
    try:
        _move, problems = move_problems(application, "submit", actor, now=now)
    except WorkflowError as error:
        if error.code == "wrong_status":
            return [f"申请表当前状态为“{status_label_for_school(application)}”，不能提交。"]
        raise
    return [p.message for p in problems]


def submit(*, application: Application, actor, now: datetime | None = None) -> Application:
    """The school submits: to its provincial association (route provincial) or straight to the
    national project group (route direct, or a 补正).

    Side effects: status changes, `submitted_at` is set, the school's name and address are frozen
    into the application (services.freeze_school_details), one timeline row is written, the school
    and its reviewers (the provincial association, or the project group) are mailed.
    Raises WorkflowError listing every reason when it is not allowed.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_application(application)
        move = require_move(locked, "submit", actor, now=now)
        deadline = deadline_for(locked)
        locked.submitted_at = now
        from applications.services import freeze_school_details  # services import this module

        freeze_school_details(locked)
        transition(application=locked, action="submit", to_status=move.target, actor=actor, comment=f"提交至{deadline.owner}", now=now)
        notify_school(locked, event="submitted", comment=f"提交至{deadline.owner}")
        to_province = move.target == Status.SUBMITTED
        notify_reviewers_of_submission(locked, window=window_for(locked.batch, locked.school.province) if to_province else None)
    return locked


def withdraw(*, application: Application, actor, reason: str, now: datetime | None = None) -> Application:
    """The school withdraws (撤回) its application, any time before the project group's decision.

    Side effects: status → withdrawn; a timeline row with the reason (the school and its reviewers
    see it); the reviewers who hold it (the provincial association before forwarding, else the
    project group) and the school are mailed; review ends its expert assignments and frees its
    provincial rank (application_moved). Before the deadline the school may start again (restart)."""
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("请填写撤回原因。", "reason_required")
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_application(application)
        held_by_province = locked.status in (Status.SUBMITTED, Status.RECOMMENDED)
        was_submitted = locked.status not in (Status.DRAFT,)
        transition(application=locked, action="withdraw", actor=actor, comment=reason, now=now)
        notify_school(locked, event="withdrawn", comment=reason)
        if was_submitted:
            window = window_for(locked.batch, locked.school.province) if held_by_province else None
            notify_reviewers_of_withdrawal(locked, window=window, reason=reason)
    return locked


def restart(*, application: Application, actor, now: datetime | None = None) -> Application:
    """A school that withdrew starts again before its deadline: the application is a draft once
    more, with everything it held (and its scan, still tied to the same version code).

    Side effects: status → draft; one timeline row; the correction deadline of a 补正 stays."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_application(application)
        transition(application=locked, action="restart", actor=actor, comment="重新填写申请表", now=now)
    return locked


def apply_direct(*, application: Application, actor, now: datetime | None = None) -> Application:
    """After its province declined to recommend it, the school applies straight to the national
    project group (八.1: 有意者也可……), before the national deadline.

    Side effects: route → direct; status → draft (the school checks the form, and submits to the
    project group); one timeline row. The province's decline stays on the timeline, where the
    project group reads it."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_application(application)
        locked.route = Route.DIRECT
        transition(application=locked, action="apply_direct", actor=actor,
                   comment="省级协会未予推荐，学校改为直接向项目组申报", now=now)  # fmt: skip
    return locked
