"""Server time and queries of the public pages of the 项目展示推广网络平台 (no login), in-process, on
the database named by DATABASE_URL after `manage.py seed_showcase_scale` (1,000 实验校 and 20,000
published 建设动态 by default), as bench/pages.py measures the review's pages.

    python bench/showcase_pages.py --out showcase.json [--requests 60] [--warmup 3]

Pages: the 实验校 list (first page; filtered by the heaviest province and a project category; a
search of a frequent word), the page of the school with the most published posts, a post with
three photos, and the home page with its latest news and 成果展示.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import django_setup, write_json  # noqa: E402
from pages import measure, measure_pages, script_arguments, trivial_url, warm_and_freeze  # noqa: E402


# The project category the filtered list is asked for.
FILTERED_CATEGORY = "elderly-education"


def targets():
    from django.db.models import Count, Q
    from django.urls import reverse

    from demo.management.commands.seed_showcase_scale import SHOWCASE_PREFIX
    from programme.models import ExperimentSchool, PostState, ShowcasePost
    from programme.showcase_public import POSTS_PER_PAGE

    batch = ExperimentSchool.objects.filter(batch__document_number__startswith=SHOWCASE_PREFIX).latest("batch_id").batch
    schools = ExperimentSchool.objects.filter(batch=batch, status="active")
    busiest = schools.annotate(n=Count("posts", filter=Q(posts__state=PostState.PUBLISHED))).order_by("-n", "pk").first()
    post = (
        ShowcasePost.objects.filter(experiment_school__batch=batch, state=PostState.PUBLISHED, experiment_school__status="active")
        .annotate(photos_n=Count("photos")).order_by("-photos_n", "-published_at").first()
    )  # fmt: skip
    # The province with the most 实验校 carrying the filtered category (ties: the lowest code), so
    # that the filtered list shows schools at any size and on either engine (a tie broken by the
    # database's order gave PostgreSQL's 10-school run a province with none, and fewer queries).
    carrying = schools.filter(projects__category__code=FILTERED_CATEGORY)
    heaviest = carrying.values("school__province_id").annotate(n=Count("pk", distinct=True)).order_by("-n", "school__province_id")[0]["school__province_id"]
    listing = reverse("showcase_public")
    pages = {
        "showcase_list": listing,
        "showcase_list_filtered": f"{listing}?province={heaviest}&category={FILTERED_CATEGORY}",
        "showcase_search": f"{listing}?q=职业",
        "showcase_school": reverse("showcase_school", args=[busiest.pk]),
        "showcase_school_last_page": reverse("showcase_school", args=[busiest.pk]) + f"?page={-(-busiest.n // POSTS_PER_PAGE)}",
        "showcase_post": reverse("showcase_post", args=[post.pk]),
        "home": reverse("home"),
    }
    info = {
        "batch": batch.pk,
        "experiment_schools": ExperimentSchool.objects.filter(batch=batch).count(),
        "experiment_schools_active": schools.count(),
        "published_posts": ShowcasePost.objects.filter(experiment_school__batch=batch, state=PostState.PUBLISHED).count(),
        "busiest_school_posts": busiest.n,
        "post_photos": post.photos_n,
        "province": heaviest,
    }
    return pages, info


def main():
    args = script_arguments(requests=60)
    django_setup()
    from django.test import Client

    pages, info = targets()
    if args.only:
        pages = {k: v for k, v in pages.items() if k in args.only.split(",")}
    client = Client(HTTP_HOST="127.0.0.1")  # the public: no login
    warm_and_freeze([lambda u=url: client.get(u) for url in [trivial_url(), *pages.values()]])
    results = {"info": info, "pages": {"trivial": measure(client, trivial_url(), requests=args.requests, warmup=args.warmup)}}
    measure_pages(results, pages, lambda _name: client, requests=args.requests, warmup=args.warmup, width=26)
    if args.out:
        write_json(args.out, results)


if __name__ == "__main__":
    main()
