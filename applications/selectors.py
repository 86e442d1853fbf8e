"""Scoped reads: which batches, windows and applications a user may see."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from applications.models import NATIONAL_STATUSES, WINDOW_MEMO, Application, Batch, ProvincialWindow, Route, Status
from portal.models import Role


# The application's long texts: lists and tables never show them, and at 10,000 applications of
# 2,000–6,000 字 they are most of the bytes a list would read (defer them there).
LONG_TEXT_FIELDS = (
    "plan_content", "plan_steps", "plan_goals", "plan_features", "lead_title_note", "unit_opinion", "supervisor_opinion",
    "group_opinion",
)  # fmt: skip


def page_in_order(qs: QuerySet, page_number, per_page: int) -> Page:
    """One page of `qs` in its order, read in two steps: the database counts, sorts and slices the
    keys alone (no select_related joins, no subqueries in the select list, no wide rows), then reads
    only the page's rows with everything `qs` asks for. At national scale the planner otherwise
    sorts thousands of wide, joined rows to show fifty."""
    keys = Paginator(qs.values_list("pk", flat=True), per_page)
    page = keys.get_page(page_number)
    rows = qs.order_by().in_bulk(list(page.object_list))
    page.object_list = [rows[pk] for pk in page.object_list]
    return page


def open_batches() -> QuerySet[Batch]:
    return Batch.objects.filter(is_open=True).order_by("national_deadline")


def current_batch() -> Batch | None:
    """The batch the home page announces: the open one closing first, else the latest."""
    return open_batches().first() or Batch.objects.order_by("-year", "-national_deadline").first()


def window_for(batch: Batch, province) -> ProvincialWindow | None:
    """The provincial window of `province` for `batch`, if its association runs one.

    Remembered on this `batch` object: one application page asks four times (the deadline, the
    route, the journey's facts), and a batch object lives for one request. A window saved
    through this same batch object is forgotten there (ProvincialWindow.save)."""
    memo = batch.__dict__.setdefault(WINDOW_MEMO, {})
    key = getattr(province, "pk", province)
    if key not in memo:
        memo[key] = ProvincialWindow.objects.select_related("association").filter(batch=batch, association__province=province).first()
    return memo[key]



def route_is_choosable(application: Application) -> bool:
    """Whether the school chooses its 申报途径: the batch takes direct applications and its province
    runs a window for it (else the one route there is is shown, not chosen). Read from the
    application's has_provincial_window annotation (application_with_form_parts) when it has one."""
    if not application.batch.allow_direct:
        return False
    known = getattr(application, "has_provincial_window", None)
    return known if known is not None else window_for(application.batch, application.school.province) is not None


def paper_copy_window(application: Application, window: ProvincialWindow | None) -> ProvincialWindow | None:
    """Where the school sends its signed, sealed paper copy: `window` (the application's provincial
    window, or None where its province runs none) when the window asks for a paper copy and the
    application was submitted through it; otherwise None (nothing to post)."""
    if window is None or not window.paper_required:
        return None
    if application.route != Route.PROVINCIAL or application.submitted_at is None:
        return None
    return window


def applications_visible_to(user) -> QuerySet[Application]:
    """Every application `user` may read. Anything outside this set is a 404 for them."""
    qs = Application.objects.select_related("batch", "school", "school__province")
    if not user.is_authenticated:
        return qs.none()
    if user.role == Role.SCHOOL:
        return qs.filter(school_id=user.school_id)
    if user.role == Role.PROVINCE and user.association_id:
        # A province sees what its schools submitted through it, never their drafts.
        return qs.filter(
            school__province_id=user.association.province_id, route=Route.PROVINCIAL, submitted_at__isnull=False
        )
    if user.role == Role.STAFF:
        # The project group sees what reached it: direct submissions and forwarded provincial
        # sets (never a province's applications before it forwards them), and 补正 returns.
        return qs.filter(Q(status__in=NATIONAL_STATUSES) | Q(correction_deadline__isnull=False))
    if user.role == Role.ADMIN:
        return qs.exclude(submitted_at__isnull=True)
    if user.role == Role.EXPERT:
        return qs.filter(assignments__expert=user, assignments__is_active=True).distinct()
    return qs.none()


def applications_editable_by(user) -> QuerySet[Application]:
    """Applications whose content `user` may change: only a school's own."""
    if not user.is_authenticated or user.role != Role.SCHOOL:
        return Application.objects.none()
    return Application.objects.select_related("batch", "school", "school__province").filter(school_id=user.school_id)


def application_with_form_parts(qs: QuerySet[Application]) -> QuerySet[Application]:
    """Prefetch what the form and its rules read: the team rows and the chosen projects, and
    whether the school's province runs a window for the batch (route_is_choosable), in the same
    query as the application."""
    window = ProvincialWindow.objects.filter(batch=OuterRef("batch"), association__province=OuterRef("school__province"))
    return qs.annotate(has_provincial_window=Exists(window)).prefetch_related("team", "projects")


def application_with_parts(qs: QuerySet[Application]) -> QuerySet[Application]:
    """Prefetch what the form, detail page and PDF show, so they run a fixed number of queries."""
    from applications.models import SignedScan, TimelineEntry

    return qs.prefetch_related(
        "team",
        "projects",
        Prefetch("scans", queryset=SignedScan.objects.order_by("-uploaded_at", "-pk")),
        Prefetch("timeline", queryset=TimelineEntry.objects.select_related("actor__association").order_by("at", "pk")),
    )


# ---- 实验校 of earlier batches (notice 五: 实验周期：三年) ---------------------------------------------

CYCLE_YEARS = 3


def add_years(day: date, years: int) -> date:
    """The same day `years` later (29 February → 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class ExperimentMembership:
    """A school selected in a published batch, inside that batch's three-year 实验周期."""

    batch: Batch
    starts_on: date
    ends_on: date  # the last day of the three years

    @property
    def label(self) -> str:
        name = self.batch.short_name if self.batch.short_name.endswith("实验校") else f"{self.batch.short_name}实验校"
        return f"现为{name}（实验周期至 {self.ends_on:%Y-%m-%d}）"


def cycle_start(batch: Batch) -> date | None:
    """When the batch's 实验周期 starts: the date publication stored (the 项目工作会议's, by default),
    else the day the list was published (Beijing time); None before publication."""
    if batch.published_at is None:
        return None
    return batch.cycle_starts_on or timezone.localdate(batch.published_at)


# Functions returning a condition (a boolean expression over an Application row) that holds
# when that selected application's 实验校 left the programme before its three years were over
# (七.7: 视为退出 or 自愿退出). The 实验周期 lives in programme/, above this app, which registers
# its function at start-up (programme.apps); a school that left is no longer a current 实验校.
# A condition, not a second query: the list pages ask this for their page's schools, and the
# answer joins the selection's one query whatever the page holds.
left_the_programme: list = []


def experiment_memberships(school_ids, *, on: date | None = None) -> dict[int, list[ExperimentMembership]]:
    """school id → the batches whose current 实验校 the school is on `on` (default today): selected
    in a batch whose list was published, the day inside the three years from the batch's cycle
    start, and not left the programme since (left_the_programme). One query for any number of
    schools (a list page asks for its page's schools at once)."""
    on = on or timezone.localdate()
    earliest = add_years(on, -CYCLE_YEARS) - timedelta(days=1)  # a little wide: exact check below
    earliest_at = timezone.make_aware(datetime.combine(earliest, time.min))
    selected = (
        Application.objects.filter(school_id__in=set(school_ids), status=Status.SELECTED, batch__published_at__isnull=False)
        .filter(Q(batch__cycle_starts_on__gte=earliest) | Q(batch__cycle_starts_on__isnull=True, batch__published_at__gte=earliest_at))
        .select_related("batch")
        .only("school_id", "batch__short_name", "batch__published_at", "batch__cycle_starts_on", "batch__document_number")
        .order_by("batch__published_at")
    )  # fmt: skip
    for number, condition in enumerate(left_the_programme):
        selected = selected.annotate(**{f"left_programme_{number}": condition()})
    found: dict[int, list[ExperimentMembership]] = {}
    for application in selected:
        if any(getattr(application, f"left_programme_{number}") for number in range(len(left_the_programme))):
            continue
        starts_on = cycle_start(application.batch)
        ends_on = add_years(starts_on, CYCLE_YEARS) - timedelta(days=1)
        if starts_on <= on <= ends_on:
            found.setdefault(application.school_id, []).append(ExperimentMembership(application.batch, starts_on, ends_on))
    return found


def memberships_of_applicants(applications, *, on: date | None = None) -> dict[int, list[ExperimentMembership]]:
    """application id → the earlier batches whose current 实验校 its school is (its own batch left out)."""
    applications = list(applications)
    by_school = experiment_memberships({a.school_id for a in applications}, on=on)
    return {a.pk: [m for m in by_school.get(a.school_id, []) if m.batch.pk != a.batch_id] for a in applications}
