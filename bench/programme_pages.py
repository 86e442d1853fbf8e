"""Server time and queries of the 实验周期's signed-in pages (programme/), in-process, on the
database named by DATABASE_URL after `manage.py seed_showcase_scale` (1,000 实验校 in year 2 of their
cycle, with two years of activities, invitations, reports and certificates), as bench/pages.py
measures the review's pages.

    python bench/programme_pages.py --out programme.json [--requests 60] [--warmup 3]

As the users who open them, chosen the same way at any size:
- the project group (showcase-staff, signed in with its second factor as a real sign-in leaves it):
  the 实验校 list (first page; filtered by the heaviest province), the page of the 实验校 with the
  most invitations, the activity list, the page of the busiest closed activity and of the busiest to
  come, the attendance sheet of the latest held and not yet closed (and a search on it for the first
  four characters of that school's name: its province and city), the exit
  queue, the 年度工作报告 list and the totals of people reached;
- that 实验校's account: its workspace (/dashboard/) and its team page;
- the expert with the most reports: the reports assigned to them;
- the 优质校评估: the round's ranked table (project group), and the home of the expert with the most
  submissions to score.

After one request of every page the process's objects are frozen out of the garbage collector
(gc.freeze), as deploy/gunicorn.conf.py's workers freeze theirs (bench/pages.py warm_and_freeze, which
bench/pages.py and bench/showcase_pages.py use too).
"""
import sys
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import django_setup, write_json  # noqa: E402
from pages import measure, measure_pages, script_arguments, signed_in, trivial_url, warm_and_freeze  # noqa: E402


def targets():
    """Each page's URL and the user who opens it."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.urls import reverse
    from django.utils import timezone

    from demo.management.commands.seed_showcase_scale import SHOWCASE_PREFIX
    from programme.models import (
        Activity, EvaluationAssignment, EvaluationRound, EvaluationSubmission, ExitReview, ExperimentSchool, Invitation, ReportReviewer,
    )  # fmt: skip

    User = get_user_model()
    batch = ExperimentSchool.objects.filter(batch__document_number__startswith=SHOWCASE_PREFIX).latest("batch_id").batch
    schools = ExperimentSchool.objects.filter(batch=batch)
    staff = User.objects.get(username="showcase-staff")
    # The 实验校 still 实验中 with the most invitations (its page lists them all; its workspace is the busiest).
    busiest_school = schools.filter(status="active").annotate(n=Count("invitations")).order_by("-n", "pk").first()
    school_user = User.objects.get(username=f"showcase-school-{busiest_school.pk}")
    now = timezone.now()
    activities = Activity.objects.filter(invitations__experiment_school__batch=batch).annotate(n=Count("invitations")).order_by("-n", "-starts_at", "-pk")
    # The busiest closed activity (its page with what closing did), the busiest to come (the invite
    # form, leave requests to decide), and the latest held and not yet closed (its sheet being marked).
    closed = activities.filter(closed_at__isnull=False).first()
    upcoming = activities.filter(closed_at__isnull=True, starts_at__gt=now).first()
    marking = activities.filter(closed_at__isnull=True, starts_at__lte=now).order_by("-starts_at", "-pk").first()
    heaviest = schools.values("school__province_id").annotate(n=Count("pk")).order_by("-n", "school__province_id")[0]["school__province_id"]
    expert_row = (
        ReportReviewer.objects.filter(report__experiment_school__batch=batch).values("expert").annotate(n=Count("pk")).order_by("-n", "expert")[0]
    )
    expert = User.objects.get(pk=expert_row["expert"])
    evaluation_round = EvaluationRound.objects.filter(batch=batch).latest("opens_at")
    scorer_row = (
        EvaluationAssignment.objects.filter(submission__round=evaluation_round, is_active=True).values("expert").annotate(n=Count("pk"))
        .order_by("-n", "expert")[0]
    )  # fmt: skip
    scorer = User.objects.get(pk=scorer_row["expert"])
    listing = reverse("programme:staff_schools")
    pages = {
        "staff_schools": (listing, staff),
        "staff_schools_province": (f"{listing}?province={heaviest}", staff),
        "staff_school": (reverse("programme:staff_school", args=[busiest_school.pk]), staff),
        "staff_activities": (reverse("programme:staff_activities"), staff),
        "staff_activity": (reverse("programme:staff_activity", args=[closed.pk]), staff),
        "staff_activity_upcoming": (reverse("programme:staff_activity", args=[upcoming.pk]), staff),
        "staff_attendance": (reverse("programme:staff_attendance", args=[marking.pk]), staff),
        "staff_attendance_search": (reverse("programme:staff_attendance", args=[marking.pk]) + "?q=" + quote(busiest_school.school.name[:4]), staff),
        "staff_exits": (reverse("programme:staff_exits"), staff),
        "report_staff_list": (reverse("programme:report_staff_list") + f"?batch={batch.pk}", staff),
        "report_totals": (reverse("programme:report_totals") + f"?batch={batch.pk}", staff),
        "school_workspace": (reverse("dashboard"), school_user),
        "school_team": (reverse("programme:team"), school_user),
        "report_expert_list": (reverse("programme:report_expert_list"), expert),
        "evaluation_ranking": (reverse("programme:evaluation_staff_ranking", args=[evaluation_round.pk]), staff),
        "evaluation_expert_home": (reverse("programme:evaluation_expert_home"), scorer),
    }
    info = {
        "batch": batch.pk,
        "experiment_schools": schools.count(),
        "activities": Activity.objects.filter(invitations__experiment_school__batch=batch).distinct().count(),
        "invitations": Invitation.objects.filter(experiment_school__batch=batch).count(),
        "busiest_school_invitations": busiest_school.n,
        "closed_activity_invitations": closed.n,
        "upcoming_activity_invitations": upcoming.n,
        "marking_activity_invitations": marking.n,
        "province": heaviest,
        "province_schools": schools.filter(school__province_id=heaviest).count(),
        "exit_queue": ExitReview.objects.filter(experiment_school__batch=batch, state=ExitReview.State.PENDING).count(),
        "expert_reports": expert_row["n"],
        "evaluation_submissions": EvaluationSubmission.objects.filter(round=evaluation_round).count(),
        "scorer_assignments": scorer_row["n"],
    }
    return pages, info


def main():
    args = script_arguments(requests=60)
    django_setup()
    from django.test import Client

    pages, info = targets()
    if args.only:
        pages = {k: v for k, v in pages.items() if k in args.only.split(",")}
    anonymous = Client(HTTP_HOST="127.0.0.1")
    clients = {user.pk: signed_in(user) for _url, user in pages.values()}
    # As deploy/gunicorn.conf.py's workers do once warm: every page opened once, then what is loaded
    # so far frozen out of the garbage collector's full collections (each walked all of Django and
    # made the p95 of the bigger pages twice their p50 in-process; a worker in production never pays it).
    warm_and_freeze([lambda u=url, c=clients[user.pk]: c.get(u) for url, user in pages.values()])
    results = {"info": info, "pages": {"trivial": measure(anonymous, trivial_url(), requests=args.requests, warmup=args.warmup)}}
    measure_pages(results, {name: url for name, (url, _user) in pages.items()}, lambda name: clients[pages[name][1].pk],
                  requests=args.requests, warmup=args.warmup, width=24)  # fmt: skip
    if args.out:
        write_json(args.out, results)


if __name__ == "__main__":
    main()
