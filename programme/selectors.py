"""Reads of the 实验周期 for the pages: the 实验校's workspace and the project group's lists and
queues, each in a fixed number of queries whatever the number of 实验校."""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Case, Count, Prefetch, Q, Value, When
from django.utils import timezone

from programme import exit_rule
from programme.models import (
    Activity, Attendee, ExitReview, ExperimentProject, ExperimentSchool, ExperimentStatus, Invitation, Outcome, SchoolNotice,
    WithdrawalRequest,
)  # fmt: skip

WORKSPACE_NOTICES = 20


def experiment_school_of(school_id: int) -> ExperimentSchool | None:
    """The school's 实验校 record its workspace shows: the one 实验中 (the latest batch's if two),
    else its latest (left, deemed withdrawn or completed); None when it never was one."""
    active_first = Case(When(status=ExperimentStatus.ACTIVE, then=Value(0)), default=Value(1))
    return (
        ExperimentSchool.objects.filter(school_id=school_id).select_related("school__province", "batch")
        .order_by(active_first, "-cycle_starts_on", "-pk").first()
    )  # fmt: skip


def absences_in_a_row(experiment_school_ids) -> dict[int, int]:
    """Absences in a row now for each of these 实验校, as the exit rule counts them (after the last
    pair a staff review dealt with), in two queries for all of them: the list pages' and, for one
    school, current_absences'."""
    ids = list(experiment_school_ids)
    records = defaultdict(list)
    closed = (
        Invitation.objects.filter(experiment_school_id__in=ids, activity__closed_at__isnull=False).exclude(outcome="")
        .order_by("activity__starts_at", "activity_id")
        .values_list("experiment_school_id", "pk", "outcome", "activity__counts_for_attendance")
    )  # fmt: skip
    for school_id, key, outcome, counts in closed:
        records[school_id].append(exit_rule.Record(key=key, outcome=exit_rule.Outcome(outcome), counts=counts))
    reviewed = set(ExitReview.objects.filter(experiment_school_id__in=ids).values_list("second_absence_id", flat=True))
    counts = {}
    for school_id in ids:
        done = [record.key for record in records[school_id] if record.key in reviewed]
        counts[school_id] = exit_rule.consecutive_absences(records[school_id], since=done[-1] if done else None)
    return counts


def current_absences(experiment_school: ExperimentSchool) -> int:
    """Absences in a row now, as the exit rule counts them (after any pair staff reviewed)."""
    return absences_in_a_row([experiment_school.pk])[experiment_school.pk]


@dataclass
class Workspace:
    """What the 实验校's home shows: its cycle, projects and team, upcoming activities with its
    answer, the project group's notices, a pending request to leave, its absences in a row and a
    pair of absences waiting for the project group's decision."""

    experiment_school: ExperimentSchool
    cycle_year: int | None
    days_left: int
    upcoming: list[Invitation] = field(default_factory=list)
    notices: list[SchoolNotice] = field(default_factory=list)
    pending_withdrawal: WithdrawalRequest | None = None
    absences_in_a_row: int = 0
    # Two absences in a row wait for the project group's decision (七.7): the school is told so,
    # rather than a count that started again once the pair went to the queue.
    pending_exit_review: ExitReview | None = None


def workspace(experiment_school: ExperimentSchool, *, now: datetime | None = None) -> Workspace:
    now = now or timezone.now()
    today = timezone.localdate(now)
    upcoming = list(
        Invitation.objects.filter(experiment_school=experiment_school, activity__closed_at__isnull=True, activity__ends_at__gte=now)
        .select_related("activity").prefetch_related("attendees").order_by("activity__starts_at")
    )  # fmt: skip
    return Workspace(
        experiment_school=experiment_school,
        cycle_year=experiment_school.cycle_year(today),
        days_left=experiment_school.days_left(today),
        upcoming=upcoming,
        notices=list(experiment_school.notices.select_related("invitation__activity")[:WORKSPACE_NOTICES]),
        pending_withdrawal=experiment_school.withdrawal_requests.filter(state=WithdrawalRequest.State.PENDING).first(),
        absences_in_a_row=current_absences(experiment_school),
        pending_exit_review=experiment_school.exit_reviews.filter(state=ExitReview.State.PENDING)
        .select_related("first_absence__activity", "second_absence__activity").first(),
    )


def experiment_school_with_parts(queryset=None):
    """实验校 with what their pages print: school, province, batch, projects and team."""
    queryset = ExperimentSchool.objects.all() if queryset is None else queryset
    return queryset.select_related("school__province", "batch", "application").prefetch_related(
        Prefetch("projects", queryset=ExperimentProject.objects.select_related("category")), "team",
    )


def experiment_schools_for_staff(*, batch=None, province=None, school_type: str = "", category=None, status: str = ""):
    """Every 实验校 for the project group, filtered by batch, province, school type, project category
    and status, in the list's order, with what the list and its XLSX print (school, province, batch,
    projects: not the application's wide row nor the team); with_attendance_counts adds the
    attendance at a glance to the rows shown."""
    queryset = ExperimentSchool.objects.select_related("school__province", "batch").prefetch_related(
        Prefetch("projects", queryset=ExperimentProject.objects.select_related("category"))
    )
    if batch is not None:
        queryset = queryset.filter(batch=batch)
    if province is not None:
        queryset = queryset.filter(school__province=province)
    if school_type:
        queryset = queryset.filter(school__school_type=school_type)
    if category is not None:
        queryset = queryset.filter(projects__category=category)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("batch", "school__province", "school__name")


def with_attendance_counts(rows) -> list[ExperimentSchool]:
    """The rows with their attendance at a glance (closed activities that count): invited_count,
    attended_count, excused_count, absent_count; one query for all of them. Counted apart from the
    list's query, so the list pages and sorts its keys without joining every invitation (at 1,000
    实验校 that join and its GROUP BY over the wide rows were most of the page's time)."""
    rows = list(rows)
    counted = (
        Invitation.objects.filter(experiment_school_id__in=[row.pk for row in rows], activity__counts_for_attendance=True,
                                  activity__closed_at__isnull=False)
        .values("experiment_school_id").order_by()
        .annotate(invited=Count("pk"), attended=Count("pk", filter=Q(outcome=Outcome.ATTENDED)),
                  excused=Count("pk", filter=Q(outcome=Outcome.EXCUSED)), absent=Count("pk", filter=Q(outcome=Outcome.ABSENT)))
    )  # fmt: skip
    counts = {row.pop("experiment_school_id"): row for row in counted}
    for row in rows:
        found = counts.get(row.pk, {})
        for name in ("invited", "attended", "excused", "absent"):
            setattr(row, f"{name}_count", found.get(name, 0))
    return rows


def activities_for_staff():
    """Every activity with its counts: invited, answered (回执), leave requested, leave pending, attended."""
    return Activity.objects.annotate(
        invited_count=Count("invitations"),
        registered_count=Count("invitations", filter=Q(invitations__reply=Invitation.Reply.ATTENDING)),
        leave_count=Count("invitations", filter=Q(invitations__reply=Invitation.Reply.LEAVE)),
        leave_pending_count=Count("invitations", filter=Q(invitations__reply=Invitation.Reply.LEAVE,
                                                          invitations__leave_decision=Invitation.LeaveDecision.PENDING)),
        attended_count=Count("invitations", filter=Q(invitations__attended=True)),
    ).order_by("-starts_at", "-pk")  # fmt: skip


def activity_invitations(activity: Activity):
    """The invitations of one activity, with school and attendees: the 签到 page, the 签到表 and its XLSX."""
    return (
        activity.invitations.select_related("experiment_school__school__province", "leave_decided_by", "attendance_marked_by")
        .prefetch_related(Prefetch("attendees", queryset=Attendee.objects.order_by("position", "pk")))
        .order_by("experiment_school__school__province", "experiment_school__school__name")
    )  # fmt: skip


def invitation_counts(activity: Activity) -> dict[str, int]:
    """One activity's invitations at a glance, in one query: invited, registered (回执), leave
    (requested), pending_leave, unanswered, attended (checked in), absent (once closed)."""
    reply = Invitation.Reply
    return Invitation.objects.filter(activity=activity).aggregate(
        invited=Count("pk"), registered=Count("pk", filter=Q(reply=reply.ATTENDING)), leave=Count("pk", filter=Q(reply=reply.LEAVE)),
        pending_leave=Count("pk", filter=Q(reply=reply.LEAVE, leave_decision=Invitation.LeaveDecision.PENDING)),
        unanswered=Count("pk", filter=Q(reply=reply.NONE)), attended=Count("pk", filter=Q(attended=True)),
        absent=Count("pk", filter=Q(outcome=Outcome.ABSENT)),
    )  # fmt: skip


def exit_queue():
    """The staff queue of 七.7: pending reviews, oldest first, with their two absences."""
    return ExitReview.objects.filter(state=ExitReview.State.PENDING).select_related(
        "experiment_school__school__province", "experiment_school__batch", "first_absence__activity", "second_absence__activity",
    ).order_by("created_at", "pk")


def withdrawal_queue():
    """Requests to leave waiting for the project group, oldest first."""
    return WithdrawalRequest.objects.filter(state=WithdrawalRequest.State.PENDING).select_related(
        "experiment_school__school__province", "experiment_school__batch", "requested_by",
    ).order_by("requested_at", "pk")


def cycle_label(experiment_school: ExperimentSchool, on: date | None = None) -> str:
    """"实验周期第 2 年（至 2026-06-27，还剩 726 天）", or why there is no year now."""
    year = experiment_school.cycle_year(on)
    if year is None:
        on = on or timezone.localdate()
        if on < experiment_school.cycle_starts_on:
            return f"实验周期自 {experiment_school.cycle_starts_on:%Y-%m-%d} 开始"
        return f"实验周期已于 {experiment_school.cycle_ends_on:%Y-%m-%d} 期满"
    return f"实验周期第 {year} 年（至 {experiment_school.cycle_ends_on:%Y-%m-%d}，还剩 {experiment_school.days_left(on)} 天）"
