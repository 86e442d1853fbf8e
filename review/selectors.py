"""Scoped reads for the provincial pages: the queue and its counts, in a fixed number of queries
however many applications there are."""
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery

from applications.models import Application, ProjectCategory, ProvincialWindow, Route, SignedScan, Status
from applications.rules import is_vice_principal
from review.scoring import Aggregate, aggregate, maximum_total

QUEUE_SORTS = {
    "submitted": ("submitted_at", "pk"),
    "-submitted": ("-submitted_at", "-pk"),
    "school": ("school__name", "pk"),
    "rank": ("provincial_review__rank", "school__name"),
    "status": ("status", "school__name"),
}
# What needs the province's decision first.
NEEDS_DECISION = (Status.SUBMITTED,)


def window_applications(window: ProvincialWindow) -> QuerySet[Application]:
    """Every application that came to `window` (submitted at least once through it)."""
    return Application.objects.filter(
        batch=window.batch, school__province=window.association.province, route=Route.PROVINCIAL, submitted_at__isnull=False
    )


@dataclass(frozen=True)
class QueueFilters:
    status: str = ""
    school_type: str = ""
    q: str = ""
    sort: str = "submitted"


def provincial_queue(window: ProvincialWindow, filters: QueueFilters) -> QuerySet[Application]:
    latest_scan = SignedScan.objects.filter(application=OuterRef("pk")).order_by("-uploaded_at", "-pk").values("version_code")[:1]
    qs = (
        window_applications(window)
        .select_related("school", "provincial_review")
        .annotate(latest_scan_version=Subquery(latest_scan))
        .prefetch_related(Prefetch("projects", queryset=ProjectCategory.objects.order_by("position")))
    )
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.school_type:
        qs = qs.filter(school__school_type=filters.school_type)
    if filters.q:
        qs = qs.filter(Q(school__name__icontains=filters.q) | Q(lead_name__icontains=filters.q) | Q(number__icontains=filters.q))
    return qs.order_by(*QUEUE_SORTS.get(filters.sort, QUEUE_SORTS["submitted"]))


def status_counts(window: ProvincialWindow) -> dict[str, int]:
    rows = window_applications(window).values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


def queue_flags(application: Application) -> list[tuple[str, str]]:
    """Flags a reviewer should see at a glance: (bootstrap colour, text)."""
    flags = []
    if application.status in NEEDS_DECISION:
        flags.append(("primary", "待决定"))
    if not is_vice_principal(application.lead_title, application.school.school_type):
        flags.append(("warning", "负责人非副校长"))
    if application.latest_scan_version is None:
        flags.append(("danger", "无扫描件"))
    elif application.latest_scan_version != application.version_code:
        flags.append(("danger", "扫描件已过期"))
    review = getattr(application, "provincial_review", None)
    if review is not None and review.paper_received_on:
        flags.append(("success", "纸质版已收到"))
    return flags


# ---- National review ----------------------------------------------------------------------

RANKED_STATUSES = (Status.IN_EXPERT_REVIEW, Status.SCORED, Status.SELECTED, Status.NOT_SELECTED)


@dataclass(frozen=True)
class RankFilters:
    province: str = ""
    school_type: str = ""
    category: str = ""
    status: str = ""


@dataclass
class RankedRow:
    application: Application
    score: Aggregate
    assigned: int
    submitted: int
    rank: int | None = None


def batch_max_total(batch) -> Decimal:
    from review.models import Criterion

    criteria = list(Criterion.objects.filter(rubric__batch=batch))
    return maximum_total({c.pk: c.max_points for c in criteria}, {c.pk: c.weight for c in criteria})


def ranked_table(batch, filters: RankFilters) -> list[RankedRow]:
    """Applications in or past expert review with their aggregated scores, best first; a fixed
    number of queries however many applications (applications, projects, review totals,
    assignment counts, the rubric)."""
    from review.models import Assignment, ExpertReview

    qs = (
        Application.objects.filter(batch=batch, status__in=RANKED_STATUSES)
        .select_related("school__province")
        .prefetch_related(Prefetch("projects", queryset=ProjectCategory.objects.order_by("position")))
    )
    if filters.province:
        qs = qs.filter(school__province_id=filters.province)
    if filters.school_type:
        qs = qs.filter(school__school_type=filters.school_type)
    if filters.category:
        qs = qs.filter(projects__code=filters.category)
    if filters.status:
        qs = qs.filter(status=filters.status)
    applications = list(qs.distinct())
    totals: dict[int, list[Decimal]] = {}
    for application_id, total in ExpertReview.objects.filter(
        assignment__application__batch=batch, assignment__is_active=True, state=ExpertReview.State.SUBMITTED
    ).values_list("assignment__application_id", "total"):
        totals.setdefault(application_id, []).append(total)
    assigned = dict(
        Assignment.objects.filter(application__batch=batch, is_active=True).values("application_id").annotate(n=Count("pk")).values_list("application_id", "n")
    )
    max_total = batch_max_total(batch)
    rows = [
        RankedRow(a, aggregate(totals.get(a.pk, []), max_total=max_total), assigned.get(a.pk, 0), len(totals.get(a.pk, [])))
        for a in applications
    ]
    rows.sort(key=lambda r: (r.score.mean is None, -(r.score.mean or 0), r.application.school.name))
    for position, row in enumerate(rows, start=1):
        row.rank = position if row.score.mean is not None else None
    return rows


def expert_queue(expert):
    """The expert's active assignments with their own review (never anyone else's)."""
    from review.models import Assignment

    return (
        Assignment.objects.filter(expert=expert, is_active=True)
        .select_related("application__school__province", "application__batch", "review")
        .order_by("application__batch", "application__number")
    )
