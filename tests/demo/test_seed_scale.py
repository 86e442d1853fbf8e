"""seed_scale: a batch at national scale for the benchmarks (bench/), made with bulk inserts. A
small one here: every application past the draft is complete by the form's rules with a plan of
2,000–6,000 字 and a current scan; reviews carry their weighted totals; assignments keep the
conflict rules; a second run adds a batch with the same schools; --reset removes only its own."""
from collections import Counter

import pytest
from django.core.management import call_command

from applications.models import Application, Batch, Status
from applications.rules import check_application
from applications.selectors import application_with_parts
from portal.models import School
from review.models import Assignment, CriterionScore, ExpertReview, ProvincialReview
from review.expert_assignment import normalise_institution
from review.expert_scoring import criteria_of
from review.scoring import weighted_total
from review.selectors import RankFilters, ranked_table
from tests.demo.journey import timeline_breaks

pytestmark = pytest.mark.usefixtures("private_media")


def scale_batches():
    return Batch.objects.filter(document_number__startswith="规模测试").order_by("pk")


def test_a_small_national_batch(batch, staff_user):
    call_command("seed_scale", applications=120, experts=30, password="scale-test-pass", stdout=None)
    (generated,) = scale_batches()
    applications = list(application_with_parts(Application.objects.filter(batch=generated).select_related("batch", "school__province")))
    assert len(applications) == 120
    assert len({a.school.province_id for a in applications}) >= 20  # all over the country
    statuses = Counter(a.status for a in applications)
    assert statuses[Status.DRAFT] and statuses[Status.IN_EXPERT_REVIEW] and statuses[Status.SCORED]
    assert statuses[Status.SELECTED] == round(120 * 0.032)
    for a in applications:
        team = [row for row in a.team.all() if not row.is_blank()]
        assert a.version_code == a.content_fingerprint(team, [p.code for p in a.projects.all()])
        assert a.number.startswith(f"{generated.year}-{generated.sequence}-{a.school.province_id[:2]}-")
        if a.status == Status.DRAFT:
            continue
        check = check_application(a, team_rows=team)
        assert check.complete, (a.number, check.missing, check.invalid)
        assert 2000 <= check.plan_zi <= 6300
        scan = a.scans.all()[0]
        assert scan.version_code == a.version_code or a.status == Status.RETURNED
    # Provincial ranks are unique in each window.
    ranks = list(ProvincialReview.objects.filter(window__batch=generated, rank__isnull=False).values_list("window_id", "rank"))
    assert len(ranks) == len(set(ranks))
    # Assignments keep the conflict rules; submitted reviews carry the weighted total of their scores.
    for assignment in Assignment.objects.filter(application__batch=generated).select_related("application__school", "expert__expert_profile"):
        profile = assignment.expert.expert_profile
        assert profile.province_id != assignment.application.school.province_id
        assert normalise_institution(profile.institution) != normalise_institution(assignment.application.school.name)
    weights = {c.pk: c.weight for c in criteria_of(generated)}
    submitted = ExpertReview.objects.filter(assignment__application__batch=generated, state=ExpertReview.State.SUBMITTED)
    assert submitted.exists()
    for review in submitted:
        points = {s.criterion_id: s.points for s in CriterionScore.objects.filter(review=review)}
        assert review.total == weighted_total(points, weights)
    for a in applications:
        if a.status in (Status.SCORED, Status.SELECTED, Status.NOT_SELECTED):
            states = set(ExpertReview.objects.filter(assignment__application=a).values_list("state", flat=True))
            assert states == {ExpertReview.State.SUBMITTED}
    # The selected are the best of the scored.
    rows = ranked_table(generated, RankFilters())
    selected_means = [r.score.mean for r in rows if r.application.status == Status.SELECTED]
    others = [r.score.mean for r in rows if r.application.status in (Status.SCORED, Status.NOT_SELECTED)]
    assert min(selected_means) >= max(others)

    # A second run: a second batch, the same schools; --reset removes both and nothing else.
    schools = School.objects.count()
    call_command("seed_scale", applications=120, experts=30, password="scale-test-pass", stdout=None)
    assert scale_batches().count() == 2 and School.objects.count() == schools
    call_command("seed_scale", applications=10, experts=30, reset=True, password="scale-test-pass", stdout=None)
    assert scale_batches().count() == 1 and Application.objects.filter(batch__in=scale_batches()).count() == 10
    assert Batch.objects.filter(pk=batch.pk).exists()  # the tests' own batch is left alone


def test_every_generated_timeline_is_a_path_of_the_journey(db):
    # Rows are written in bulk, not by the services: each move still starts where the one before it
    # ended, and the last ends in the status the application is stored with.
    call_command("seed_scale", applications=150, experts=12, published=True, password="scale-test-pass", stdout=None)
    (generated,) = scale_batches()

    statuses = set(Application.objects.filter(batch=generated).values_list("status", flat=True))
    assert {Status.RETURNED, Status.NOT_RECOMMENDED, Status.REJECTED, Status.SELECTED, Status.NOT_SELECTED} <= statuses
    assert timeline_breaks(Application.objects.filter(batch=generated)) == []
