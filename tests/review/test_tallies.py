"""The review tallies (review.tallies) follow every change of assignments and reviews through the
services: after each step they are what a fresh recomputation from the rows gives, and the ranked
table and the progress page show their figures."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from review.models import ExpertTally, ReviewTally
from review.expert_assignment import assignment_add, assignment_apply, assignment_remove, expert_declare_conflict
from review.expert_scoring import review_reopen
from review.rubric import rubric_ensure_default
from review.scoring import aggregate
from review.tallies import rebuild_tallies
from tests.review.national_helpers import (
    BEIJING, CHONGQING, FAIR, GOOD, GUANGDONG, HUBEI, SHANGHAI, TIANJIN, assign, in_review, make_expert, submit_review,
)  # fmt: skip

pytestmark = pytest.mark.usefixtures("private_media")


def snapshot():
    reviews = {t.application_id: (t.batch_id, t.assigned, t.submitted, t.scored, t.sum_cents, t.low_cents, t.high_cents, t.mean_cents)
               for t in ReviewTally.objects.all()}  # fmt: skip
    experts = {(t.batch_id, t.expert_id): (t.assigned, t.submitted) for t in ExpertTally.objects.all()}
    return reviews, experts


def assert_tallies_true():
    """What the services left equals a recomputation from scratch."""
    kept = snapshot()
    rebuild_tallies()
    rebuilt = snapshot()
    # An expert left with no active assignment has a row of zeros or none: the same to every page.
    assert (kept[0], without_zeros(kept[1])) == (rebuilt[0], without_zeros(rebuilt[1]))


def without_zeros(experts):
    return {k: v for k, v in experts.items() if v != (0, 0)}


@pytest.fixture
def experts(db):
    return [make_expert(f"t-{code}", code, f"{code}研究院", last_name=name)
            for code, name in ((BEIJING, "京"), (SHANGHAI, "沪"), (TIANJIN, "津"), (CHONGQING, "渝"), (GUANGDONG, "粤"))]  # fmt: skip


def test_every_service_step_keeps_the_tallies_true(batch, staff_user, experts):
    rubric_ensure_default(batch)
    application, _ = in_review(batch, "湖北汇总职业技术学院", staff_user, HUBEI)
    other, _ = in_review(batch, "湖北汇总第二职业技术学院", staff_user, HUBEI)

    _plan, added = assignment_apply(batch=batch, actor=staff_user)
    assert added == 6
    assert_tallies_true()
    tally = ReviewTally.objects.get(application=application)
    assert (tally.assigned, tally.submitted, tally.mean_cents) == (3, 0, None)

    first, second, third = application.assignments.filter(is_active=True).order_by("pk")
    submit_review(first, GOOD)
    submit_review(second, FAIR)
    assert_tallies_true()
    tally = ReviewTally.objects.get(application=application)
    assert (tally.submitted, tally.scored, tally.sum_cents, tally.low_cents, tally.high_cents) == (2, 2, 15800, 7000, 8800)
    assert tally.mean_cents == 7900 == int(aggregate([Decimal(88), Decimal(70)], max_total=Decimal(100)).mean * 100)

    review_reopen(review=second.review, actor=staff_user, reason="评分有误", until=timezone.now() + timedelta(days=1))
    assert_tallies_true()
    assert ReviewTally.objects.get(application=application).mean_cents == 8800

    replacement = expert_declare_conflict(assignment=third, expert=third.expert, reason="曾为该校提供咨询")
    assert replacement is not None
    assert_tallies_true()
    assignment_remove(assignment=replacement, actor=staff_user, reason="专家出国")
    assert_tallies_true()
    assert ReviewTally.objects.get(application=application).assigned == 2
    spare = next(e for e in experts if not application.assignments.filter(expert=e, is_active=True).exists()
                 and not application.conflicts.filter(expert=e).exists())  # fmt: skip
    assignment_add(application=application, expert=spare, actor=staff_user, reason="补充一位专家")
    assert_tallies_true()
    busiest = ExpertTally.objects.get(batch=batch, expert=first.expert)
    assert (busiest.assigned, busiest.submitted) == (first.expert.assignments.filter(is_active=True).count(), 1)


def test_the_ranking_and_the_progress_page_show_the_tallies(client, batch, staff_user, experts):
    rubric_ensure_default(batch)
    application, _ = in_review(batch, "湖北排名职业技术学院", staff_user, HUBEI)
    assignments = [assign(application, expert, staff_user) for expert in experts[:3]]
    for assignment in assignments[:2]:
        submit_review(assignment, GOOD)
    client.force_login(staff_user)

    ranking = client.get(reverse("review:ranking"), {"batch": batch.pk})
    (row,) = ranking.context["rows"]
    assert (row.assigned, row.submitted, row.mean_text, row.rank) == (3, 2, "88.00", 1)

    progress = client.get(reverse("review:progress"), {"batch": batch.pk})
    (shown,) = progress.context["per_application"]
    assert (shown.done, shown.assigned) == (2, 3)
    per_expert = {row["expert_id"]: (row["done"], row["total"]) for row in progress.context["per_expert"]}
    assert per_expert == {experts[0].pk: (1, 1), experts[1].pk: (1, 1), experts[2].pk: (0, 1)}
