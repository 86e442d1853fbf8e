"""Reads of the public 项目展示推广网络平台 (五: 建设项目网络平台并展示宣传各实验校建设动态和成果), no login:
the list of 实验校 with its filters and search, a 实验校's page, one published post, and the home
page's latest news and 成果展示. Each reads a fixed number of queries whatever the number of 实验校
and posts (tests/programme/test_showcase_public.py counts them at 10 and at 500).

Who is shown: the list's current 实验校 are those 实验中; a school whose cycle is over (已结项) is not
current either, but its page and posts stay public (its 建设动态 and 成果 are the programme's record)
and the list shows the 已结项 ones on request (?status=completed). A school that left the programme
(自愿退出 or 视为退出) is not shown at all: its page and its posts' pages are a 404 (portal.policy)."""
from dataclasses import dataclass

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from applications.models import Batch, ProjectCategory
from portal import policy
from portal.models import Province, SchoolType
from programme.evaluation_review import excellent_decisions, published_decision
from programme.models import (
    EvaluationDecision, EvaluationOutcome, ExperimentProject, ExperimentSchool, ExperimentStatus, FeaturedSchool, PostState, ShowcasePhoto,
    ShowcasePost,
)  # fmt: skip

# The statuses whose school the public sees: 实验中 (current) and 已结项 (its cycle done); one rule,
# the policy's, which also answers the school's and the post's pages.
SHOWN_STATUSES = policy.PUBLIC_EXPERIMENT_STATUSES
SCHOOLS_PER_PAGE = 24
POSTS_PER_PAGE = 10
HOME_NEWS = 5
HOME_FEATURED_POSTS = 6
HOME_FEATURED_SCHOOLS = 6
SEARCH_MAX_LENGTH = 100

LIST_STATUSES = [("", "实验中"), ("completed", "已结项")]


class ShowcaseFilterForm(forms.Form):
    """The list's ?q, ?province, ?school_type, ?category, ?batch and ?status. A value the page
    cannot have sent (an unknown code, a NUL character, an over-long search) is dropped: that
    filter is off, the others still apply. The choices are read once (three queries) and checked
    in memory, so no junk reaches the database."""

    q = forms.CharField(
        label="搜索", required=False, max_length=SEARCH_MAX_LENGTH, strip=True,
        widget=forms.TextInput(attrs={"placeholder": "学校名称或项目名称", "class": "form-control", "type": "search"}),
    )  # fmt: skip
    province = forms.ChoiceField(label="省份", required=False, widget=forms.Select(attrs={"class": "form-select"}))
    school_type = forms.ChoiceField(
        label="学校类型", choices=[("", "全部类型"), *SchoolType.choices], required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    category = forms.ChoiceField(label="具体实施项目", required=False, widget=forms.Select(attrs={"class": "form-select"}))
    batch = forms.ChoiceField(label="批次", required=False, widget=forms.Select(attrs={"class": "form-select"}))
    status = forms.ChoiceField(label="状态", choices=LIST_STATUSES, required=False, widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, data):
        super().__init__(data)
        self.fields["province"].choices = [("", "全部省份"), *Province.objects.values_list("code", "name")]
        self.fields["category"].choices = [("", "全部项目"), *ProjectCategory.objects.order_by("position").values_list("code", "name")]
        self.fields["batch"].choices = [("", "全部批次"), *((str(b.pk), b.short_name) for b in showcase_batches())]

    def chosen(self) -> dict:
        """The valid filters only: with a bad value in one field the others still apply."""
        self.is_valid()
        return {name: value for name, value in getattr(self, "cleaned_data", {}).items() if value not in (None, "")}


def showcase_batches() -> list[Batch]:
    """The published batches that have 实验校, newest first (the list's batch filter)."""
    has_schools = Exists(ExperimentSchool.objects.filter(batch=OuterRef("pk")))
    return list(Batch.objects.filter(has_schools, published_at__isnull=False).order_by("-published_at", "-pk").only("pk", "short_name"))


def _projects_prefetch() -> Prefetch:
    return Prefetch("projects", ExperimentProject.objects.select_related("category").order_by("position", "pk"))


def _schools(filters: dict) -> QuerySet[ExperimentSchool]:
    status = ExperimentStatus.COMPLETED if filters.get("status") == "completed" else ExperimentStatus.ACTIVE
    qs = ExperimentSchool.objects.filter(status=status)
    if province := filters.get("province"):
        qs = qs.filter(school__province_id=province)
    if school_type := filters.get("school_type"):
        qs = qs.filter(school__school_type=school_type)
    if category := filters.get("category"):
        qs = qs.filter(Exists(ExperimentProject.objects.filter(experiment_school=OuterRef("pk"), category__code=category)))
    if batch := filters.get("batch"):
        qs = qs.filter(batch_id=int(batch))
    if q := filters.get("q"):
        # The school's name, or one of its projects' names (the category's, or an 其它 project's own).
        named = ExperimentProject.objects.filter(experiment_school=OuterRef("pk")).filter(Q(category__name__icontains=q) | Q(other_name__icontains=q))
        qs = qs.filter(Q(school__name__icontains=q) | Exists(named))
    return qs.order_by("school__province_id", "school__name", "pk")


def _published_counts(experiment_school_ids) -> dict[int, int]:
    rows = (
        ShowcasePost.objects.filter(experiment_school_id__in=experiment_school_ids, state=PostState.PUBLISHED)
        .values("experiment_school_id").annotate(n=Count("pk")).values_list("experiment_school_id", "n")
    )  # fmt: skip
    return dict(rows)


def school_list(filters: dict, page_number) -> Page:
    """One page of the 实验校 the filters choose, by province and name, each with its school,
    province, batch, projects and the number of its published posts (`published_posts`). Four
    queries: the count, the page, its projects, its post counts."""
    qs = _schools(filters).select_related("school__province", "batch").prefetch_related(_projects_prefetch())
    qs = qs.annotate(is_excellent=Exists(excellent_decisions().filter(submission__experiment_school=OuterRef("pk"))))
    page = Paginator(qs, SCHOOLS_PER_PAGE).get_page(page_number)
    counts = _published_counts([s.pk for s in page.object_list])
    for experiment_school in page.object_list:
        experiment_school.published_posts = counts.get(experiment_school.pk, 0)
    return page


def _photos_prefetch() -> Prefetch:
    return Prefetch("photos", ShowcasePhoto.objects.order_by("position", "pk"))


def _left_schools() -> QuerySet:
    return ExperimentSchool.objects.exclude(status__in=SHOWN_STATUSES).values("pk")


def shown_posts() -> QuerySet[ShowcasePost]:
    """Published posts of schools the public sees. The few schools that left are kept out by key
    (NOT IN a small subquery, read once) rather than by a join on every 实验校's status, so the
    database walks the posts' own index in date order and stops at the page's end."""
    return ShowcasePost.objects.filter(state=PostState.PUBLISHED).exclude(experiment_school_id__in=_left_schools())


def public_posts() -> QuerySet[ShowcasePost]:
    """shown_posts, newest first, with their school, province and batch."""
    return shown_posts().select_related("experiment_school__school__province", "experiment_school__batch").order_by("-published_at", "-pk")


@dataclass
class SchoolPage:
    experiment_school: ExperimentSchool
    projects: list
    posts: Page  # its published 建设动态, newest first, with their photos
    achievements: list  # its posts the project group featured (成果展示), with their photos
    featured: FeaturedSchool | None
    excellent: EvaluationDecision | None  # its published 优质校 conclusion (优质校评估), if any


def school_page(experiment_school: ExperimentSchool, page_number) -> SchoolPage:
    """A 实验校's public page: its projects, a page of its published posts (newest first) and its
    成果 (its featured posts) and, once published, its 优质校 conclusion. Seven queries, whatever the number of its posts (the school itself,
    with its FeaturedSchool, comes from the policy's getter)."""
    posts = public_posts().filter(experiment_school=experiment_school).prefetch_related(_photos_prefetch())
    page = Paginator(posts, POSTS_PER_PAGE).get_page(page_number)
    achievements = list(posts.filter(featured=True).order_by("-featured_at", "-pk")[:HOME_FEATURED_POSTS])
    # Read with the school (policy.get_public_experiment_school: select_related); None if not featured.
    featured = getattr(experiment_school, "featured", None)
    projects = list(experiment_school.projects.select_related("category").order_by("position", "pk"))
    excellent = published_decision(experiment_school, outcome=EvaluationOutcome.EXCELLENT)
    return SchoolPage(experiment_school=experiment_school, projects=projects, posts=page, achievements=achievements, featured=featured,
                      excellent=excellent)  # fmt: skip


def post_with_photos(post: ShowcasePost) -> list[ShowcasePhoto]:
    return list(post.photos.order_by("position", "pk"))


@dataclass
class HomeShowcase:
    news: list  # the latest published posts
    featured_posts: list  # 成果展示: posts the project group featured
    featured_schools: list  # 成果展示: schools the project group featured

    def __bool__(self):
        return bool(self.news or self.featured_posts or self.featured_schools)


def _newest(keys_of: QuerySet[ShowcasePost], order: tuple, count: int) -> list[ShowcasePost]:
    """The first `count` published posts of `keys_of` in `order`, read in two steps: the keys alone
    (from the posts' own index in that order), then those rows, published ones only, with their
    school, province, batch and photos. In one step SQLite's planner starts from the joined
    tables and sorts every published post (20,000 in the benchmark) to keep five."""
    keys = list(keys_of.order_by(*order).values_list("pk", flat=True)[:count])
    rows = ShowcasePost.objects.filter(state=PostState.PUBLISHED).select_related("experiment_school__school__province", "experiment_school__batch")
    found = rows.prefetch_related(_photos_prefetch()).in_bulk(keys)
    return [found[key] for key in keys if key in found]


def home_showcase() -> HomeShowcase:
    """The home page's 建设动态 (the latest few) and 成果展示 (featured posts and schools; a featured
    school that left is not shown). Seven queries."""
    news = _newest(shown_posts(), ("-published_at", "-pk"), HOME_NEWS)
    # A featured post is a published one (programme.showcase: only a published post is featured,
    # unpublishing unfeatures it; _newest checks again). Its keys come from the small partial index
    # of featured posts: with the state in the query SQLite sorts every published post instead.
    featured = ShowcasePost.objects.filter(featured=True).exclude(experiment_school_id__in=_left_schools())
    featured_posts = _newest(featured, ("-featured_at", "-pk"), HOME_FEATURED_POSTS)
    featured_schools = list(
        FeaturedSchool.objects.filter(experiment_school__status__in=SHOWN_STATUSES)
        .select_related("experiment_school__school__province", "experiment_school__batch")
        .order_by("-featured_at", "-pk")[:HOME_FEATURED_SCHOOLS]
    )  # fmt: skip
    return HomeShowcase(news=news, featured_posts=featured_posts, featured_schools=featured_schools)
