"""Scoped reads for the provincial pages: the queue and its counts, in a fixed number of queries
however many applications there are."""
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Case, CharField, Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from applications.models import RANKED_STATUSES, Application, ProjectCategory, ProvincialWindow, Route, SignedScan, Status
from applications.workflow import HELD_AT_NATIONAL, sources_of
from applications.rules import is_vice_principal
from applications.selectors import LONG_TEXT_FIELDS
from review.scoring import Aggregate, aggregate_stats, maximum_total

QUEUE_SORTS = {
    "submitted": ("submitted_at", "pk"),
    "-submitted": ("-submitted_at", "-pk"),
    "school": ("school__name", "pk"),
    "rank": ("provincial_review__rank", "school__name"),
    "status": ("province_status", "school__name"),
}
# What needs the province's decision first: what it may recommend.
NEEDS_DECISION = sources_of("province_recommend")
# What the project group may decide (or decide again until publication).
DECIDABLE = sources_of("decide")


def window_applications(window: ProvincialWindow) -> QuerySet[Application]:
    """Every application that came to `window` (submitted at least once through it)."""
    return Application.objects.filter(
        batch=window.batch, school__province=window.association.province, route=Route.PROVINCIAL, submitted_at__isnull=False
    )


def province_status() -> Case:
    """The status as the province may know it (applications.workflow.status_for_province), in SQL:
    the queue filters, sorts and counts by it, so that neither a tab's count nor the order of the
    rows tells what the project group has not published."""
    return Case(
        When(status__in=HELD_AT_NATIONAL, batch__published_at__isnull=True, then=Value(Status.AT_NATIONAL.value)),
        default=F("status"), output_field=CharField(),
    )  # fmt: skip


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
        .select_related("school", "provincial_review", "batch")
        .defer(*LONG_TEXT_FIELDS)
        .annotate(latest_scan_version=Subquery(latest_scan), province_status=province_status())
        .prefetch_related(Prefetch("projects", queryset=ProjectCategory.objects.order_by("position")))
    )
    if filters.status:
        qs = qs.filter(province_status=filters.status)
    if filters.school_type:
        qs = qs.filter(school__school_type=filters.school_type)
    if filters.q:
        qs = qs.filter(Q(school__name__icontains=filters.q) | Q(lead_name__icontains=filters.q) | Q(number__icontains=filters.q))
    return qs.order_by(*QUEUE_SORTS.get(filters.sort, QUEUE_SORTS["submitted"]))


def status_counts(window: ProvincialWindow) -> dict[str, int]:
    """The window's applications by the status the province may know (province_status)."""
    rows = window_applications(window).annotate(shown=province_status()).values("shown").annotate(n=Count("pk"))
    return {row["shown"]: row["n"] for row in rows}


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
    # Set by the page from applications.selectors.memberships_of_applicants (one query a page).
    for membership in getattr(application, "earlier_memberships", ()):
        flags.append(("info", membership.label))
    return flags


def paper_copy_states(applications) -> dict[int, tuple[str, str]]:
    """The paper copy as the project group sees it, per application id: (bootstrap colour, text),
    the text one of “已收到 2023-04-18” (registered by the province), “未收到” (its window asks for
    a paper copy, none registered yet) or “不需要” (a direct application, or a window that asks for
    none). Two queries however many applications."""
    from review.models import ProvincialReview

    applications = list(applications)
    batch_ids = {a.batch_id for a in applications}
    required = set(
        ProvincialWindow.objects.filter(batch_id__in=batch_ids, paper_required=True).values_list("batch_id", "association__province_id")
    )
    received = dict(
        ProvincialReview.objects.filter(application__in=[a.pk for a in applications], paper_received_on__isnull=False)
        .values_list("application_id", "paper_received_on")
    )  # fmt: skip
    states = {}
    for application in applications:
        if application.pk in received:
            states[application.pk] = ("success", f"已收到 {received[application.pk]:%Y-%m-%d}")
        elif application.route == Route.PROVINCIAL and (application.batch_id, application.school.province_id) in required:
            states[application.pk] = ("warning", "未收到")
        else:
            states[application.pk] = ("secondary", "不需要")
    return states


# ---- National review ----------------------------------------------------------------------



@dataclass(frozen=True)
class RankFilters:
    province: str = ""
    school_type: str = ""
    category: str = ""
    status: str = ""
    # Asked for on the page (?provisional=mixed): rows whose reviews are incomplete are ranked by
    # their mean among the complete ones, not after them.
    provisional_mixed: bool = False


@dataclass
class RankedRow:
    application: Application
    score: Aggregate
    assigned: int
    submitted: int
    rank: int | None = None

    # What the table prints, made here: the template language's lookups and filters cost a
    # tenth of a millisecond each, many times per row.
    @property
    def mean_text(self) -> str:
        return "" if self.score.mean is None else f"{self.score.mean:.2f}"

    @property
    def spread_text(self) -> str:
        return "" if self.score.spread is None else f"{self.score.spread:.2f}"

    @property
    def provisional(self) -> bool:
        """暂定: scored, but not every active assignment has a submitted review (e.g. 1/3), so
        the mean may still move."""
        return self.score.mean is not None and self.submitted < self.assigned

    @property
    def decidable(self) -> bool:
        return self.application.status in DECIDABLE

    @property
    def project_text(self) -> str:
        return "；".join(p.name for p in self.application.projects.all())


def batch_max_total(batch) -> Decimal:
    from review.models import Criterion

    criteria = list(Criterion.objects.filter(rubric__batch=batch))
    return maximum_total({c.pk: c.max_points for c in criteria}, {c.pk: c.weight for c in criteria})


RANKING_PAGE_SIZE = 50


def _ranked_applications(batch, filters: RankFilters) -> QuerySet[Application]:
    """The applications the ranked table holds under `filters`."""
    qs = Application.objects.filter(batch=batch, status__in=RANKED_STATUSES)
    if filters.province:
        qs = qs.filter(school__province_id=filters.province)
    if filters.school_type:
        qs = qs.filter(school__school_type=filters.school_type)
    if filters.category:
        qs = qs.filter(pk__in=Application.projects.through.objects.filter(projectcategory__code=filters.category).values("application_id"))
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs


def _ranked_queryset(batch, filters: RankFilters) -> QuerySet[Application]:
    """The ranked table as one query, best first, for any slice of it.

    Each application carries its review tally (review.tallies: active assignments, submitted
    reviews with a total, and their sum, lowest, highest and mean weighted total in cents, the
    mean as review.scoring computes it). The database sorts by the mean (unscored last), then the
    school's name, so a page reads only its own rows; the page's figures are then made by
    review.scoring.aggregate_stats from the same sums, to the cent what `aggregate` gives.

    Rows whose reviews are incomplete (暂定: fewer scored reviews than active assignments) come
    after every complete row, best first among themselves, unless `filters.provisional_mixed`."""
    scored = Q(review_tally__mean_cents__isnull=False)
    complete = scored & Q(review_tally__scored__gte=F("review_tally__assigned"))
    if filters.provisional_mixed:
        group = Case(When(scored, then=Value(0)), default=Value(2))
    else:
        group = Case(When(complete, then=Value(0)), When(scored, then=Value(1)), default=Value(2))
    return (
        _ranked_applications(batch, filters)
        .values("pk")
        .annotate(
            rank_assigned=Coalesce("review_tally__assigned", 0), rank_n=Coalesce("review_tally__scored", 0),
            rank_sum=F("review_tally__sum_cents"), rank_low=F("review_tally__low_cents"), rank_high=F("review_tally__high_cents"),
        )
        .annotate(rank_group=group)
        .order_by("rank_group", F("review_tally__mean_cents").desc(nulls_last=True), "school__name", "pk")
    )  # fmt: skip


def _cents(value) -> Decimal:
    return Decimal(int(round(value))).scaleb(-2)


def _rows(stats, max_total: Decimal, first_rank: int = 1) -> list[RankedRow]:
    """The ranked rows for `stats` (rows of _ranked_queryset, in order) with their applications:
    school, province and projects, without the plan's long texts (two queries)."""
    stats = list(stats)
    applications = (
        Application.objects.filter(pk__in=[s["pk"] for s in stats]).select_related("school__province").defer(*LONG_TEXT_FIELDS)
        .prefetch_related(Prefetch("projects", queryset=ProjectCategory.objects.order_by("position"))).in_bulk()
    )  # fmt: skip
    rows = []
    for position, s in enumerate(stats, start=first_rank):
        if s["rank_n"]:
            score = aggregate_stats(s["rank_n"], _cents(s["rank_sum"]), _cents(s["rank_low"]), _cents(s["rank_high"]), max_total=max_total)
        else:
            score = aggregate_stats(0, None, None, None, max_total=max_total)
        rows.append(RankedRow(applications[s["pk"]], score, s["rank_assigned"], s["rank_n"], position if score.mean is not None else None))
    return rows


def ranked_table(batch, filters: RankFilters) -> list[RankedRow]:
    """Applications in or past expert review with their aggregated scores, best first (all of
    them: the exports); a fixed number of queries however many applications."""
    return _rows(_ranked_queryset(batch, filters), batch_max_total(batch))


def ranked_page(batch, filters: RankFilters, page_number, *, per_page: int = RANKING_PAGE_SIZE):
    """One page of the ranked table: ranks count over the whole filtered table, and only the
    page's rows are read (the count from the plain filtered applications)."""
    paginator = Paginator(_ranked_queryset(batch, filters), per_page)
    paginator.count = _ranked_applications(batch, filters).count()
    page = paginator.get_page(page_number)
    page.object_list = _rows(page.object_list, batch_max_total(batch), first_rank=page.start_index())
    return page


def expert_queue(expert):
    """The expert's active assignments with their own review (never anyone else's)."""
    from review.models import Assignment

    return (
        Assignment.objects.filter(expert=expert, is_active=True)
        .select_related("application__school__province", "application__batch", "review")
        .defer(*(f"application__{name}" for name in LONG_TEXT_FIELDS))
        .order_by("application__batch", "application__number")
    )
