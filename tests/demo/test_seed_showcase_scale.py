"""seed_showcase_scale: the 项目展示推广网络平台 at scale for the benchmark (bench/showcase_pages.py),
made with bulk inserts. A small one here: 实验校 spread over the provinces, a few that left, the
published posts asked for (and the hidden ones never public), photos with their sizes, featured
posts and schools; the public pages open on it; --reset removes only its own."""
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.models import Batch
from demo.management.commands.seed_showcase_scale import SHOWCASE_PREFIX
from portal.models import User
from programme.models import (
    Activity, AnnualReport, Certificate, EvaluationRound, EvaluationSubmission, ExitReview, ExperimentSchool, ExperimentStatus, FeaturedSchool,
    Invitation, PostState, ReportReviewer, ShowcasePhoto, ShowcasePost,
)  # fmt: skip
from programme import evaluation_review
from programme.selectors import absences_in_a_row
from tests.programme.conftest import published_batch


def test_a_small_showcase_and_its_public_pages(db):
    mine = published_batch()  # not the command's: --reset leaves it alone
    call_command("seed_showcase_scale", schools=200, posts=1000, stdout=None)
    (batch,) = Batch.objects.filter(document_number__startswith=SHOWCASE_PREFIX)
    schools = ExperimentSchool.objects.filter(batch=batch)
    assert schools.count() == 200
    assert schools.values("school__province").distinct().count() >= 25  # spread over the provinces
    assert 0 < schools.exclude(status=ExperimentStatus.ACTIVE).count() < 20  # a few left (2 %)
    posts = ShowcasePost.objects.filter(experiment_school__batch=batch)
    assert posts.filter(state=PostState.PUBLISHED).count() == 1000
    assert posts.exclude(state=PostState.PUBLISHED).count() == 100
    assert posts.filter(featured=True).exclude(state=PostState.PUBLISHED).count() == 0
    photos = ShowcasePhoto.objects.filter(post__experiment_school__batch=batch)
    assert photos.count() > 500 and not photos.exclude(post__state=PostState.PUBLISHED).exists()
    assert FeaturedSchool.objects.filter(experiment_school__batch=batch).count() == 12

    active = schools.filter(status=ExperimentStatus.ACTIVE).count()
    listing = Client().get(reverse("showcase_public"), {"batch": batch.pk})
    assert f"符合条件的实验中的实验校 <strong>{active}</strong> 所" in listing.content.decode()
    post = posts.filter(state=PostState.PUBLISHED, experiment_school__status=ExperimentStatus.ACTIVE, photos__isnull=False).first()
    page = Client().get(reverse("showcase_post", args=[post.pk]))
    assert page.status_code == 200 and 'width="480"' in page.content.decode() and 'height="360"' in page.content.decode()
    photo = post.photos.first()
    assert Client().get(reverse("programme:showcase_photo_thumb", args=[photo.key])).status_code == 200

    call_command("seed_showcase_scale", schools=5, posts=10, reset=True, stdout=None)
    assert Batch.objects.filter(document_number__startswith=SHOWCASE_PREFIX).count() == 1
    assert ExperimentSchool.objects.filter(batch__document_number__startswith=SHOWCASE_PREFIX).count() == 5
    assert Batch.objects.filter(pk=mine.pk).exists()


def test_the_batch_has_two_years_of_its_cycle_that_the_programme_pages_open_on(db):
    """The 实验周期 of the same batch (bench/programme_pages.py): activities held and to come, the
    invitations with their outcomes, the exit cases made on purpose and no other two absences in a
    row, year 1's reports in every state and year 2's drafts, certificates, a 优质校评估 being scored, the accounts; the staff,
    school and expert pages open on it; --reset removes it with the rest."""
    call_command("seed_showcase_scale", schools=60, posts=100, stdout=None)
    (batch,) = Batch.objects.filter(document_number__startswith=SHOWCASE_PREFIX)
    schools = ExperimentSchool.objects.filter(batch=batch)
    activities = Activity.objects.filter(invitations__experiment_school__batch=batch).distinct()
    assert activities.count() == 16 and activities.filter(closed_at__isnull=False).count() == 13
    closed = Invitation.objects.filter(experiment_school__batch=batch, activity__closed_at__isnull=False)
    assert not closed.filter(outcome="").exists() and {"attended", "excused", "absent"} <= set(closed.values_list("outcome", flat=True))
    # The exit rule finds no two absences in a row but those the queue has (any review ends the run).
    reviews = ExitReview.objects.filter(experiment_school__batch=batch)
    assert reviews.filter(state="pending").exists() and reviews.filter(state="waived").exists()
    assert set(reviews.filter(state="confirmed").values_list("experiment_school", flat=True)) == set(
        schools.filter(status=ExperimentStatus.DEEMED_WITHDRAWN).values_list("pk", flat=True)
    )
    assert max(absences_in_a_row(schools.values_list("pk", flat=True)).values()) < 2
    for review in reviews.filter(state="confirmed").select_related("second_absence__activity"):
        later = Invitation.objects.filter(experiment_school=review.experiment_school, activity__starts_at__gt=review.second_absence.activity.closed_at)
        assert not later.exists()  # no invitation once deemed withdrawn
    reports = AnnualReport.objects.filter(experiment_school__batch=batch)
    assert {"accepted", "submitted", "returned", "draft"} <= set(reports.filter(year=1).values_list("state", flat=True))
    assert set(reports.filter(year=2).values_list("state", flat=True)) == {"draft"}
    assert not reports.exclude(state="draft").filter(reviewers__isnull=True).exists()
    assert Certificate.objects.filter(experiment_school__batch=batch, kind="experiment_school").exists()
    (evaluation_round,) = EvaluationRound.objects.filter(batch=batch)
    submitted = EvaluationSubmission.objects.filter(round=evaluation_round, state="submitted")
    assert submitted.count() == schools.filter(status=ExperimentStatus.ACTIVE).count() // 4
    assert all(s.assignments.filter(is_active=True).count() == 3 for s in submitted)
    ranked = evaluation_review.evaluation_ranking(evaluation_round)
    assert ranked[0].rank == 1 and ranked[0].score.mean is not None

    staff = Client()
    staff.force_login(User.objects.get(username="showcase-staff"))
    busiest = activities.filter(closed_at__isnull=False).first()
    for url in (reverse("programme:staff_schools"), reverse("programme:staff_activity", args=[busiest.pk]),
                reverse("programme:staff_attendance", args=[busiest.pk]), reverse("programme:staff_exits"),
                reverse("programme:report_staff_list") + f"?batch={batch.pk}", reverse("programme:report_totals") + f"?batch={batch.pk}",
                reverse("programme:evaluation_staff_ranking", args=[evaluation_round.pk])):
        assert staff.get(url).status_code == 200, url
    active = schools.filter(status=ExperimentStatus.ACTIVE).first()
    school = Client()
    school.force_login(User.objects.get(username=f"showcase-school-{active.pk}"))
    workspace = school.get(reverse("dashboard")).content.decode()
    coming = active.invitations.filter(activity__starts_at__gt=timezone.now()).select_related("activity").first()
    assert "实验校工作台" in workspace and "即将举行的项目组活动" in workspace and coming.activity.title in workspace
    expert = Client()
    expert.force_login(ReportReviewer.objects.filter(report__experiment_school__batch=batch).first().expert)
    assert expert.get(reverse("programme:report_expert_list")).status_code == 200

    call_command("seed_showcase_scale", schools=5, posts=10, reset=True, stdout=None)
    assert Activity.objects.count() == 16 and AnnualReport.objects.filter(experiment_school__batch=batch).count() == 0
    assert EvaluationRound.objects.count() == 1  # the new batch's
    assert not User.objects.filter(username=f"showcase-school-{active.pk}").exists()
