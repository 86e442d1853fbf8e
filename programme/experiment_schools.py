"""The 实验校 themselves: made by publishing a batch's list (八.3: 公布实验校名单), their three-year
cycle (五: 实验周期：三年), their team and projects kept current, and the one function that changes
their status with a log row."""
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from applications.models import Application, Batch, ProjectCategory, Status
from applications.rules import LEAD_TITLE_RULE, PROJECTS_MAX, PROJECTS_MIN, TEAM_MIN_SIZE, is_vice_principal
from applications.selectors import cycle_start
from applications.workflow import WorkflowError
from portal.validators import validate_mobile
from programme.models import (
    ExperimentLogEntry, ExperimentProject, ExperimentSchool, ExperimentStatus, ExperimentTeamMember, cycle_end,
)  # fmt: skip


# ---- Made by publication ------------------------------------------------------------------------


def experiment_schools_create_for(*, batch: Batch, actor=None) -> int:
    """Make every school selected in `batch`'s published list a 实验校 of the batch, once: schools
    that already are one are left as they are, so running it again (or publishing twice) adds
    nothing. Returns how many were made now.

    Each 实验校 starts its cycle on the batch's cycle_starts_on (set by publication from the
    项目工作会议's date; the publication day for lists published before it was recorded) and ends
    three years later. Side effects: per new 实验校 one ExperimentSchool with a copy of the
    application's 负责人, 项目对接人, 具体实施项目 and 项目小组成员, and one log row (成为实验校).
    Refused (WorkflowError "not_published") before the list is published."""
    with transaction.atomic():
        locked = Batch.objects.select_for_update().get(pk=batch.pk)
        starts_on = cycle_start(locked)
        if starts_on is None:
            raise WorkflowError(f"{locked.short_name}名单尚未公布，还没有实验校。", code="not_published")
        done = set(ExperimentSchool.objects.filter(batch=locked).values_list("application_id", flat=True))
        selected = (
            Application.objects.filter(batch=locked, status=Status.SELECTED).exclude(pk__in=done)
            .select_related("school").prefetch_related("projects", "team").order_by("pk")
        )  # fmt: skip
        meeting = f"（{locked.publication_meeting}，{locked.publication_meeting_on:%Y年%m月%d日}）" if locked.publication_meeting_on else ""
        made = 0
        for application in selected:
            _create_from(application, starts_on=starts_on, actor=actor, reason=f"{locked.short_name}名单公布{meeting}")
            made += 1
    return made


def _create_from(application: Application, *, starts_on: date, actor, reason: str) -> ExperimentSchool:
    experiment_school = ExperimentSchool.objects.create(
        school=application.school, batch=application.batch, application=application,
        cycle_starts_on=starts_on, cycle_ends_on=cycle_end(starts_on),
        lead_name=application.lead_name, lead_title=application.lead_title, lead_mobile=application.lead_mobile,
        lead_title_note=application.lead_title_note, liaison_name=application.liaison_name,
        liaison_title=application.liaison_title, liaison_mobile=application.liaison_mobile,
    )  # fmt: skip
    ExperimentProject.objects.bulk_create(
        ExperimentProject(
            experiment_school=experiment_school, category=category, position=position,
            other_name=application.other_project_name if category.is_other else "",
        )  # fmt: skip
        for position, category in enumerate(sorted(application.projects.all(), key=lambda c: c.position))
    )
    members = [row for row in application.team.all() if not row.is_blank()]
    ExperimentTeamMember.objects.bulk_create(
        ExperimentTeamMember(
            experiment_school=experiment_school, position=position, name=row.name, title=row.title,
            department=row.department, mobile=row.mobile, duty=row.duty,
        )  # fmt: skip
        for position, row in enumerate(members)
    )
    ExperimentLogEntry.objects.create(
        experiment_school=experiment_school, actor=actor, action=ExperimentLogEntry.Action.CREATED,
        to_status=ExperimentStatus.ACTIVE, reason=reason,
    )  # fmt: skip
    return experiment_school


def on_list_published(sender, *, batch, actor, **kwargs) -> None:
    """Receiver of review.decisions.list_published, inside publication's transaction."""
    experiment_schools_create_for(batch=batch, actor=actor)


def left_the_programme_condition() -> Exists:
    """True for a selected application whose 实验校 left the programme (自愿退出 or 视为退出):
    registered in applications.selectors.left_the_programme so that a school that left is not
    flagged as a current 实验校 when it applies again (a condition of that selection's query)."""
    left = (ExperimentStatus.WITHDRAWN, ExperimentStatus.DEEMED_WITHDRAWN)
    return Exists(ExperimentSchool.objects.filter(application_id=OuterRef("pk"), status__in=left))


def connect() -> None:
    from applications.selectors import left_the_programme
    from review.decisions import list_published

    list_published.connect(on_list_published, dispatch_uid="programme.experiment_schools")
    if left_the_programme_condition not in left_the_programme:
        left_the_programme.append(left_the_programme_condition)


# ---- Status ---------------------------------------------------------------------------------------


def lock_experiment_school(experiment_school: ExperimentSchool) -> ExperimentSchool:
    """The 实验校's row, locked until the end of the caller's transaction, read afresh."""
    return ExperimentSchool.objects.select_for_update().select_related("school", "batch").get(pk=experiment_school.pk)


def require_active(experiment_school: ExperimentSchool) -> None:
    if not experiment_school.is_active:
        raise WorkflowError(f"该实验校当前状态为“{experiment_school.get_status_display()}”，不能办理此操作。", code="not_active")


def status_change(*, experiment_school: ExperimentSchool, to_status: str, actor, reason: str, now=None) -> ExperimentSchool:
    """The one way a 实验校's status changes (only from 实验中: every other status is final).

    Side effects: the status is saved (and in its history); one log row (who, when, from, to, why).
    Must run inside the caller's transaction with the row locked (lock_experiment_school)."""
    require_active(experiment_school)
    from_status = experiment_school.status
    experiment_school.status = to_status
    experiment_school.save(update_fields=["status", "updated_at"])
    ExperimentLogEntry.objects.create(
        experiment_school=experiment_school, at=now or timezone.now(), actor=actor, action=ExperimentLogEntry.Action.STATUS,
        from_status=from_status, to_status=to_status, reason=reason,
    )  # fmt: skip
    return experiment_school


def experiment_school_complete(*, experiment_school: ExperimentSchool, actor, now=None) -> ExperimentSchool:
    """已结项: the 实验校's three years are over. Refused (code "cycle_running") before the cycle's
    last day has passed, and for a school no longer 实验中. Side effects: as status_change."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_experiment_school(experiment_school)
        if timezone.localdate(now) <= locked.cycle_ends_on:
            raise WorkflowError(f"实验周期至 {locked.cycle_ends_on:%Y年%m月%d日}，期满后方可结项。", code="cycle_running")
        return status_change(experiment_school=locked, to_status=ExperimentStatus.COMPLETED, actor=actor,
                             reason=f"三年实验周期（{locked.cycle_starts_on:%Y-%m-%d} 至 {locked.cycle_ends_on:%Y-%m-%d}）期满结项", now=now)  # fmt: skip


def experiment_schools_complete_due(*, actor=None, batch: Batch | None = None, now=None) -> int:
    """已结项 for every 实验校 still 实验中 whose three years are over (of `batch`, or of every batch):
    run daily (manage.py complete_experiment_cycles) or by staff from the 实验周期 page. Idempotent:
    a school already 已结项 (or no longer 实验中) is left alone. Returns how many were completed.

    Side effects: as experiment_school_complete, for each school completed."""
    now = now or timezone.now()
    due = ExperimentSchool.objects.filter(status=ExperimentStatus.ACTIVE, cycle_ends_on__lt=timezone.localdate(now))
    if batch is not None:
        due = due.filter(batch=batch)
    completed = 0
    for experiment_school in due.order_by("pk"):
        try:
            experiment_school_complete(experiment_school=experiment_school, actor=actor, now=now)
        except WorkflowError:  # left or was completed meanwhile: nothing to do
            continue
        completed += 1
    return completed


def cycle_move(*, batch: Batch, starts_on: date, actor, reason: str) -> int:
    """Staff set the day the batch's 实验周期 starts (by default the 项目工作会议's, set at publication):
    the batch and each of its 实验校 (start, and end three years later). Returns how many moved.

    Side effects: Batch.cycle_starts_on; each 实验校's cycle dates and one log row each."""
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("请说明调整实验周期的原因。", code="reason_missing")
    with transaction.atomic():
        locked = Batch.objects.select_for_update().get(pk=batch.pk)
        if locked.published_at is None:
            raise WorkflowError(f"{locked.short_name}名单尚未公布。", code="not_published")
        if locked.publication_meeting_on and starts_on < locked.publication_meeting_on:
            raise WorkflowError("实验周期起始日不能早于公布名单的项目工作会议日期。", code="cycle_before_meeting")
        locked.cycle_starts_on = starts_on
        locked.save(update_fields=["cycle_starts_on"])
        moved = 0
        for experiment_school in ExperimentSchool.objects.select_for_update().filter(batch=locked):
            before = f"{experiment_school.cycle_starts_on:%Y-%m-%d} 至 {experiment_school.cycle_ends_on:%Y-%m-%d}"
            experiment_school.cycle_starts_on, experiment_school.cycle_ends_on = starts_on, cycle_end(starts_on)
            experiment_school.save(update_fields=["cycle_starts_on", "cycle_ends_on", "updated_at"])
            ExperimentLogEntry.objects.create(
                experiment_school=experiment_school, actor=actor, action=ExperimentLogEntry.Action.CYCLE,
                reason=f"实验周期由 {before} 调整为 {starts_on:%Y-%m-%d} 至 {experiment_school.cycle_ends_on:%Y-%m-%d}：{reason}",
            )  # fmt: skip
            moved += 1
    return moved


# ---- The team and projects, kept current ------------------------------------------------------------


@dataclass
class MemberRow:
    """A row of the 项目小组 as the school types it."""

    name: str = ""
    title: str = ""
    department: str = ""
    mobile: str = ""
    duty: str = ""

    def cleaned(self) -> "MemberRow":
        return MemberRow(*(value.strip() for value in (self.name, self.title, self.department, self.mobile, self.duty)))

    def is_blank(self) -> bool:
        return not any((self.name, self.title, self.department, self.mobile, self.duty))


MEMBER_LABELS = {"name": "姓名", "title": "职务/职称", "mobile": "手机", "duty": "分工"}


def _mobile_problem(value: str, label: str) -> str | None:
    if not value:
        return f"请填写{label}。"
    try:
        validate_mobile(value)
    except ValidationError as error:
        return error.messages[0]
    return None


def team_problems(*, school_type: str, lead_name: str, lead_title: str, lead_mobile: str, lead_title_note: str,
                  liaison_name: str, liaison_title: str, liaison_mobile: str, members: list[MemberRow]) -> dict[str, str]:
    """What is wrong with a team as typed, by field (the edit form's names: lead_name …, team,
    team-<row>-<field>); empty when it may be saved. The application's rules (七.4: 由副校长为项目
    负责人的项目小组，项目小组成员至少 3 人以上): a 负责人 who is not a vice-principal needs an explanation."""
    problems: dict[str, str] = {}
    for name, value, label in (("lead_name", lead_name, "负责人姓名"), ("lead_title", lead_title, "负责人职务"),
                               ("liaison_name", liaison_name, "项目对接人姓名"), ("liaison_title", liaison_title, "项目对接人职务")):  # fmt: skip
        if not value:
            problems[name] = f"请填写{label}。"
    for name, value, label in (("lead_mobile", lead_mobile, "负责人手机"), ("liaison_mobile", liaison_mobile, "项目对接人手机")):
        if problem := _mobile_problem(value, label):
            problems[name] = problem
    if lead_title and not is_vice_principal(lead_title, school_type) and not lead_title_note:
        problems["lead_title_note"] = f"{LEAD_TITLE_RULE}；负责人为其他职务时，请简要说明原因。"
    if len(members) < TEAM_MIN_SIZE:
        problems["team"] = f"项目小组成员至少 {TEAM_MIN_SIZE} 人（含负责人），目前 {len(members)} 人。"
    elif lead_name and members[0].name != lead_name:
        problems["team"] = f"项目小组成员的第一行应为负责人（{lead_name}）。"
    for index, row in enumerate(members):
        for name, label in MEMBER_LABELS.items():
            value = getattr(row, name)
            if name == "mobile":
                problem = _mobile_problem(value, f"第 {index + 1} 位成员的手机")
            else:
                problem = None if value else f"请填写第 {index + 1} 位成员的{label}。"
            if problem:
                problems[f"team-{index}-{name}"] = problem
    return problems


def _describe_team(lead: tuple, liaison: tuple, members: list[MemberRow]) -> dict[str, str]:
    return {
        "负责人": "{}（{}，{}）".format(*lead),
        "项目对接人": "{}（{}，{}）".format(*liaison),
        "项目小组成员": "、".join(f"{row.name}（{row.title}，{row.duty}）" for row in members),
    }


def team_update(*, experiment_school: ExperimentSchool, actor, lead_name: str, lead_title: str, lead_mobile: str,
                lead_title_note: str = "", liaison_name: str, liaison_title: str, liaison_mobile: str,
                members: list[MemberRow], now=None) -> ExperimentSchool:
    """The 实验校 keeps its 负责人, 项目对接人 and 项目小组 current (only while 实验中).

    Raises ValidationError with messages by field (team_problems) and changes nothing when the team
    breaks a rule. Side effects: the 实验校's people and team rows replaced (both in their history);
    one log row saying what changed (none when nothing did)."""
    values = {name: (value or "").strip() for name, value in dict(
        lead_name=lead_name, lead_title=lead_title, lead_mobile=lead_mobile, lead_title_note=lead_title_note,
        liaison_name=liaison_name, liaison_title=liaison_title, liaison_mobile=liaison_mobile,
    ).items()}  # fmt: skip
    if is_vice_principal(values["lead_title"], experiment_school.school.school_type):
        values["lead_title_note"] = ""  # a vice-principal needs no explanation
    rows = [row.cleaned() for row in members]
    rows = [row for row in rows if not row.is_blank()]
    with transaction.atomic():
        locked = lock_experiment_school(experiment_school)
        require_active(locked)
        problems = team_problems(school_type=locked.school.school_type, members=rows, **values)
        if problems:
            raise ValidationError(problems)
        old_rows = [MemberRow(m.name, m.title, m.department, m.mobile, m.duty) for m in locked.team.all()]
        before = _describe_team((locked.lead_name, locked.lead_title, locked.lead_mobile),
                                (locked.liaison_name, locked.liaison_title, locked.liaison_mobile), old_rows)  # fmt: skip
        after = _describe_team((values["lead_name"], values["lead_title"], values["lead_mobile"]),
                               (values["liaison_name"], values["liaison_title"], values["liaison_mobile"]), rows)  # fmt: skip
        changes = [f"{key}：{before[key]} → {after[key]}" for key in before if before[key] != after[key]]
        if values["lead_title_note"] != locked.lead_title_note:
            changes.append(f"负责人职务说明：{values['lead_title_note'] or '（无）'}")
        if not changes:
            return locked
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save()
        if rows != old_rows:
            locked.team.all().delete()
            ExperimentTeamMember.objects.bulk_create(
                ExperimentTeamMember(experiment_school=locked, position=position, name=row.name, title=row.title,
                                     department=row.department, mobile=row.mobile, duty=row.duty)  # fmt: skip
                for position, row in enumerate(rows)
            )
        ExperimentLogEntry.objects.create(
            experiment_school=locked, at=now or timezone.now(), actor=actor, action=ExperimentLogEntry.Action.TEAM,
            reason="；".join(changes),
        )  # fmt: skip
    return locked


def projects_update(*, experiment_school: ExperimentSchool, actor, categories, other_name: str = "", now=None) -> ExperimentSchool:
    """The 实验校's 1–2 具体实施项目 (五: 在三年实验周期内实施1-2个具体项目; 其它 needs its name).

    Raises ValidationError by field ("projects", "other_project_name"). Side effects: the project
    rows replaced; one log row (none when nothing changed)."""
    categories = sorted({c.pk: c for c in categories}.values(), key=lambda c: c.position)
    other_name = (other_name or "").strip()
    problems = {}
    if not PROJECTS_MIN <= len(categories) <= PROJECTS_MAX:
        problems["projects"] = f"请选择 {PROJECTS_MIN}–{PROJECTS_MAX} 个具体实施项目。"
    chose_other = any(c.is_other for c in categories)
    if chose_other and not other_name:
        problems["other_project_name"] = "选择“其它”时，请填写项目名称。"
    if other_name and not chose_other:
        problems["other_project_name"] = "填写了其它项目名称，但未勾选“其它”。"
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        locked = lock_experiment_school(experiment_school)
        require_active(locked)
        old = list(locked.projects.select_related("category"))
        new = [ExperimentProject(experiment_school=locked, category=c, position=i, other_name=other_name if c.is_other else "")
               for i, c in enumerate(categories)]  # fmt: skip
        if [str(p) for p in old] == [str(p) for p in new]:
            return locked
        locked.projects.all().delete()
        ExperimentProject.objects.bulk_create(new)
        ExperimentLogEntry.objects.create(
            experiment_school=locked, at=now or timezone.now(), actor=actor, action=ExperimentLogEntry.Action.PROJECTS,
            reason=f"具体实施项目：{'、'.join(map(str, old)) or '（无）'} → {'、'.join(map(str, new))}",
        )  # fmt: skip
    return locked


def project_categories():
    """The notice's 具体实施项目, in order, for the projects form."""
    return ProjectCategory.objects.order_by("position")
