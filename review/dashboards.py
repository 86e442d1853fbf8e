"""Numbers people would rather look at than read: the national funnel, applications per
province and stage, project categories, and a province's own funnel and deadlines. Each chart is
one aggregate query, however many applications there are."""
from datetime import datetime

from django.db.models import Count, Q
from django.utils import timezone

from applications.models import NATIONAL_STATUSES, Application, ProjectCategory, Route, Status
from portal.charts import Bar, Chart, Segment, bar_chart

REVIEWED = (Status.IN_EXPERT_REVIEW, Status.SCORED, Status.SELECTED, Status.NOT_SELECTED)
SCORED = (Status.SCORED, Status.SELECTED, Status.NOT_SELECTED)
PROVINCIAL = (Status.SUBMITTED, Status.RETURNED, Status.RECOMMENDED)
CLOSED = (Status.NOT_RECOMMENDED, Status.REJECTED, Status.NOT_SELECTED, Status.WITHDRAWN)


def _funnel(title: str, stages: list[tuple[str, int]]) -> Chart:
    return bar_chart(title, [Bar(label, [Segment(label, value, "fill-primary")]) for label, value in stages])


def national_funnel(batch) -> Chart:
    counts = Application.objects.filter(batch=batch).aggregate(
        created=Count("pk"),
        submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
        national=Count("pk", filter=Q(status__in=NATIONAL_STATUSES)),
        reviewed=Count("pk", filter=Q(status__in=REVIEWED)),
        scored=Count("pk", filter=Q(status__in=SCORED)),
        selected=Count("pk", filter=Q(status=Status.SELECTED)),
    )
    return _funnel(
        "从填写到入选",
        [("已创建", counts["created"]), ("已提交", counts["submitted"]), ("报送项目组", counts["national"]),
         ("通过形式审查", counts["reviewed"]), ("评审完成", counts["scored"]), ("入选", counts["selected"])],
    )  # fmt: skip


def province_stage_chart(batch) -> Chart:
    rows = (
        Application.objects.filter(batch=batch)
        .values("school__province__name", "school__province_id")
        .annotate(
            draft=Count("pk", filter=Q(status=Status.DRAFT)),
            provincial=Count("pk", filter=Q(status__in=PROVINCIAL)),
            national=Count("pk", filter=Q(status__in=(Status.AT_NATIONAL, Status.IN_EXPERT_REVIEW, Status.SCORED))),
            selected=Count("pk", filter=Q(status=Status.SELECTED)),
            closed=Count("pk", filter=Q(status__in=CLOSED)),
        )
        .order_by("school__province_id")
    )
    bars = [
        Bar(row["school__province__name"], [
            Segment("草稿", row["draft"], "fill-muted"), Segment("省级阶段", row["provincial"], "fill-info"),
            Segment("项目组评审", row["national"], "fill-primary"), Segment("入选", row["selected"], "fill-success"),
            Segment("未推荐/未入选", row["closed"], "fill-danger"),
        ])  # fmt: skip
        for row in rows
    ]
    legend = [("草稿", "fill-muted"), ("省级阶段", "fill-info"), ("项目组评审", "fill-primary"), ("入选", "fill-success"), ("未推荐/未入选", "fill-danger")]
    return bar_chart("各省申请所处阶段", bars, legend=legend)


def category_chart(batch) -> Chart:
    rows = (
        ProjectCategory.objects.order_by("position")
        .annotate(n=Count("application", filter=Q(application__batch=batch, application__submitted_at__isnull=False)))
    )
    return bar_chart("具体实施项目（已提交的申请）", [Bar(c.name, [Segment(c.name, c.n, "fill-info")]) for c in rows])


def province_funnel(window) -> Chart:
    counts = Application.objects.filter(batch=window.batch, school__province_id=window.association.province_id).aggregate(
        created=Count("pk"),
        submitted=Count("pk", filter=Q(submitted_at__isnull=False, route=Route.PROVINCIAL)),
        recommended=Count("pk", filter=Q(route=Route.PROVINCIAL, status__in=(Status.RECOMMENDED, *NATIONAL_STATUSES), provincial_review__rank__isnull=False)),
        forwarded=Count("pk", filter=Q(route=Route.PROVINCIAL, status__in=NATIONAL_STATUSES)),
    )
    return _funnel(
        f"{window.association.province.name}：从填写到报送",
        [("已创建", counts["created"]), ("已提交本会", counts["submitted"]), ("已推荐", counts["recommended"]), ("已报送项目组", counts["forwarded"])],
    )


def time_left(deadline: datetime, now: datetime | None = None) -> str:
    """"还剩 3 天 5 小时" / "还剩 4 小时 10 分" / "已截止"."""
    seconds = (deadline - (now or timezone.now())).total_seconds()
    if seconds <= 0:
        return "已截止"
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    return f"还剩 {days} 天 {hours} 小时" if days else f"还剩 {hours} 小时 {rest // 60} 分"
