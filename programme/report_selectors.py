"""Reads of the 年度工作报告 for the pages: what a 实验校 owes and has filed (its workspace, its
list), the project group's list of every 实验校 and year, an expert's reports, a report with its
parts, and the totals of people reached. Each in a fixed number of queries whatever the number of
实验校."""
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from django.db.models import Count, Prefetch, Sum
from django.utils import timezone

from programme.models import (
    REACHED_FIELDS, AnnualReport, ExperimentSchool, ReachedGroup, ReportAttachment, ReportComment, ReportLogEntry, ReportReviewer,
    ReportState,
)  # fmt: skip
from programme.reports import WRITING_STATUSES, deadlines_by_batch, due_at_for, years_begun

NOT_STARTED = "not_started"
NOT_STARTED_LABEL = "未开始"


class ReportKey(NamedTuple):
    """A report as the staff list's filters read it, before the rows shown are read whole."""

    pk: int
    state: str


@dataclass
class ReportDue:
    """One cycle year of a 实验校: when its report is due and where it stands."""

    experiment_school: ExperimentSchool
    year: int
    due_at: datetime
    report: AnnualReport | None
    now: datetime
    comments: list = field(default_factory=list)

    @property
    def state(self) -> str:
        return self.report.state if self.report else NOT_STARTED

    @property
    def state_label(self) -> str:
        return self.report.get_state_display() if self.report else NOT_STARTED_LABEL

    @property
    def is_filed(self) -> bool:
        """Submitted (waiting for the reviewers) or accepted: nothing for the school to do."""
        return self.state in (ReportState.SUBMITTED, ReportState.ACCEPTED)

    @property
    def is_late(self) -> bool:
        """Not filed and past its due date (a returned report is the school's to finish), for a
        school that still owes it (not one that left)."""
        return not self.is_filed and self.now > self.due_at and self.experiment_school.status in WRITING_STATUSES

    @property
    def submitted_late(self) -> bool:
        return bool(self.report and self.report.submitted_at and self.report.submitted_at > self.due_at)


def reports_due_for(experiment_school: ExperimentSchool, today: date | None = None, *, now: datetime | None = None) -> list[ReportDue]:
    """The 实验校's reports of every cycle year begun by `today` (default: today in Beijing),
    latest year first: due date, report (or None if not started), state and the comments (业务指导)
    it received. Three queries."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    deadlines = deadlines_by_batch([experiment_school.batch_id])
    reports = {
        r.year: r for r in AnnualReport.objects.filter(experiment_school=experiment_school).prefetch_related(
            Prefetch("comments", queryset=ReportComment.objects.select_related("author").order_by("created_at", "pk"))
        )
    }  # fmt: skip
    rows = []
    for year in reversed(years_begun(experiment_school, today)):
        report = reports.get(year)
        rows.append(ReportDue(experiment_school, year, due_at_for(experiment_school, year, deadlines), report, now,
                              list(report.comments.all()) if report else []))  # fmt: skip
    return rows


def report_states_by_school(ids, *, now: datetime | None = None) -> dict[int, dict]:
    """Per 实验校 id, its reports at a glance for the staff list: {"draft", "submitted", "returned",
    "accepted"} counts, "late" (begun years past their due date and not filed, for a school that
    has not left) and "label" (e.g.
    "已通过 1 · 已提交 1 · 逾期 1"). Three queries however many ids."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    ids = list(ids)
    schools = list(ExperimentSchool.objects.filter(pk__in=ids).only("pk", "batch_id", "status", "cycle_starts_on", "cycle_ends_on"))
    deadlines = deadlines_by_batch(s.batch_id for s in schools)
    reports = {}
    # order_by(): the model's order (by 实验校: batch, province, name) would join three tables for nothing.
    for experiment_school_id, year, state in (
        AnnualReport.objects.filter(experiment_school_id__in=ids).order_by().values_list("experiment_school_id", "year", "state")
    ):
        reports[(experiment_school_id, year)] = state
    summary = {}
    for school in schools:
        counts = {state: 0 for state in ReportState.values}
        late = 0
        for year in years_begun(school, today):
            state = reports.get((school.pk, year))
            if state:
                counts[state] += 1
            owed = school.status in WRITING_STATUSES and state not in (ReportState.SUBMITTED, ReportState.ACCEPTED)
            if owed and now > due_at_for(school, year, deadlines):
                late += 1
        parts = [f"{ReportState(state).label} {n}" for state, n in counts.items() if n]
        if late:
            parts.append(f"逾期 {late}")
        summary[school.pk] = {**counts, "late": late, "label": " · ".join(parts) or "—"}
    return summary


def report_with_parts(report: AnnualReport) -> AnnualReport:
    """The report with what its page and PDF print: school, projects' work, attachments, comments,
    history, reviewers."""
    return (
        AnnualReport.objects.select_related("experiment_school__school__province", "experiment_school__batch", "decided_by")
        .prefetch_related(
            "project_work",
            Prefetch("attachments", queryset=ReportAttachment.objects.order_by("kind", "uploaded_at", "pk")),
            Prefetch("comments", queryset=ReportComment.objects.select_related("author")),
            Prefetch("log", queryset=ReportLogEntry.objects.select_related("actor")),
            Prefetch("reviewers", queryset=ReportReviewer.objects.select_related("expert")),
        )
        .get(pk=report.pk)
    )  # fmt: skip


def reports_for_staff(*, batch=None, year: int | None = None, state: str = "", province=None, now: datetime | None = None) -> list[ReportDue]:
    """Every 实验校 (in its cycle, or after it) and begun cycle year, filtered by batch, year,
    state (a ReportState, NOT_STARTED or "late") and province, in the list's order: the report if
    started (as a ReportKey: its id and state) and its due date. Three queries, of narrow rows: what
    the filters and the order need (at 1,000 实验校 the whole rows with their reviewers were most of
    the list's time for the 100 it shows); report_rows_with_parts reads the rest for the rows shown."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    schools = ExperimentSchool.objects.filter(cycle_starts_on__lte=today).only("pk", "batch_id", "status", "cycle_starts_on", "cycle_ends_on")
    if batch is not None:
        schools = schools.filter(batch=batch)
    if province is not None:
        schools = schools.filter(school__province=province)
    chosen, schools = schools, list(schools.order_by("batch", "school__province", "school__name"))
    deadlines = deadlines_by_batch({s.batch_id for s in schools})
    # The reports' keys and states only (model instances for 1,400 reports cost more than the rest of
    # the list), of the chosen schools as a subquery (not a thousand ids to prepare), in no order:
    # the model's (by 实验校: batch, province, name) would join three tables.
    reports = {
        (school_id, year): ReportKey(pk, state)
        for pk, school_id, year, state in AnnualReport.objects.filter(experiment_school__in=chosen.order_by().values("pk")).order_by()
        .values_list("pk", "experiment_school_id", "year", "state")
    }  # fmt: skip
    rows = []
    for school in schools:
        for begun in years_begun(school, today):
            if year and begun != year:
                continue
            due = ReportDue(school, begun, due_at_for(school, begun, deadlines), reports.get((school.pk, begun)), now)
            if state == "late" and not due.is_late:
                continue
            if state and state != "late" and due.state != state:
                continue
            rows.append(due)
    return rows


def report_rows_with_parts(rows: list[ReportDue]) -> list[ReportDue]:
    """The rows (of reports_for_staff) with what the list prints: the school with its province and
    batch, the report itself (for its ReportKey) with its number of comments and its reviewers.
    Three queries for any rows."""
    rows = list(rows)
    schools = ExperimentSchool.objects.select_related("school__province", "batch").in_bulk({row.experiment_school.pk for row in rows})
    reports = (
        AnnualReport.objects.annotate(comment_count=Count("comments"))
        .prefetch_related(Prefetch("reviewers", queryset=ReportReviewer.objects.select_related("expert")))
        .in_bulk({row.report.pk for row in rows if row.report})
    )  # fmt: skip
    for row in rows:
        row.experiment_school = schools[row.experiment_school.pk]
        if row.report:
            row.report = reports[row.report.pk]
    return rows


def reports_for_expert(expert) -> list[AnnualReport]:
    """The reports the project group assigned to `expert`, newest assignment first."""
    return list(
        AnnualReport.objects.filter(reviewers__expert=expert)
        .select_related("experiment_school__school__province", "experiment_school__batch")
        .annotate(comment_count=Count("comments", distinct=True))
        .order_by("-reviewers__assigned_at", "-pk")
    )  # fmt: skip


# ---- Totals of people reached (accepted reports only) ---------------------------------------------

GROUPS = list(ReachedGroup.choices)


def _sums(queryset, key: str, order: str = "") -> list[tuple[str, list[int]]]:
    """[(key value, [number per group in GROUPS order])] for accepted reports grouped by `key`
    (ordered by `order`, a field as unique as `key`, else by `key`)."""
    sums = {name: Sum(name) for name in REACHED_FIELDS}
    rows = queryset.values(key).annotate(**{f"sum_{n}": s for n, s in sums.items()}).order_by(order or key)
    return [(row[key], [row[f"sum_{name}"] or 0 for name in REACHED_FIELDS]) for row in rows]


@dataclass
class Totals:
    """People reached as the accepted reports give them: per group, by province, by project
    category (a school with two projects counts under both), by cycle year."""

    by_group: list[tuple[str, int]]
    by_province: list[tuple[str, list[int]]]
    by_category: list[tuple[str, list[int]]]
    by_year: list[tuple[str, list[int]]]
    reports: int

    @property
    def total(self) -> int:
        return sum(n for _label, n in self.by_group)


def reached_totals(*, batch=None) -> Totals:
    """The totals over the accepted reports (of one batch, or all). Five queries."""
    accepted = AnnualReport.objects.filter(state=ReportState.ACCEPTED)
    if batch is not None:
        accepted = accepted.filter(experiment_school__batch=batch)
    overall = accepted.aggregate(**{name: Sum(name) for name in REACHED_FIELDS}, reports=Count("pk"))
    by_group = [(label, overall[name] or 0) for (_value, label), name in zip(GROUPS, REACHED_FIELDS)]
    by_province = _sums(accepted, "experiment_school__school__province__name", "experiment_school__school__province")
    by_category = _sums(accepted, "experiment_school__projects__category__name", "experiment_school__projects__category__position")
    years = {year: numbers for year, numbers in _sums(accepted, "year")}
    by_year = [(f"第{year}年", years[year]) for year in sorted(years)]
    return Totals(by_group, by_province, [(c, n) for c, n in by_category if c], by_year, overall["reports"])

