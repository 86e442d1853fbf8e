"""The rubric and the score arithmetic (review/scoring.py): the default rubric of the notice's
申报基本条件 plus the plan's quality, weighted totals, and per application the mean (trimmed with
five reviews or more), the spread and the disagreement flag. Every expected number is worked out
by hand in the comment beside it."""
from decimal import Decimal

import pytest

from review.models import Criterion, ExpertReview, Rubric
from review.expert_assignment import assignment_remove
from review.expert_scoring import review_save
from review.rubric import DEFAULT_RUBRIC, rubric_ensure_default
from review.scoring import aggregate, is_half_step, maximum_total, weighted_total
from review.selectors import RankFilters, batch_max_total, ranked_table
from tests.review.national_helpers import BEIJING, CHONGQING, SHANGHAI, TIANJIN, assign, in_review, make_expert, submit_review

pytestmark = pytest.mark.usefixtures("private_media")  # scans and ZIPs go to a temporary directory

D = Decimal


# ---- The default rubric -------------------------------------------------------------------------

def test_the_default_rubric_is_the_notices_five_conditions_and_the_plan_for_100_points(batch):
    rubric = rubric_ensure_default(batch)
    criteria = list(rubric.criteria.order_by("position"))
    assert [c.name for c in criteria] == ["有意愿", "有组织", "有项目", "有团队", "有协调能力", "实验方案质量"]
    assert [c.max_points for c in criteria] == [D(10), D(15), D(15), D(15), D(15), D(30)]
    assert all(c.weight == 1 for c in criteria)
    assert all(c.description for c in criteria)
    # 10 + 15 × 4 + 30 = 100
    assert sum(c.max_points for c in criteria) == 100
    assert batch_max_total(batch) == D("100.00")
    assert sum(points for _name, _text, points in DEFAULT_RUBRIC) == 100


def test_ensuring_the_rubric_twice_keeps_one_set_of_criteria_and_the_admins_changes(batch):
    rubric = rubric_ensure_default(batch)
    Criterion.objects.filter(rubric=rubric, name="实验方案质量").update(weight=D(2))
    assert rubric_ensure_default(batch) == rubric
    assert Rubric.objects.filter(batch=batch).count() == 1
    assert Criterion.objects.filter(rubric=rubric).count() == 6
    assert Criterion.objects.get(rubric=rubric, name="实验方案质量").weight == D(2)


# ---- Weighted totals ------------------------------------------------------------------------------

def test_weighted_total_multiplies_each_score_by_its_weight():
    # 8 × 2 + 7.5 × 0.5 + 10 × 1 = 16 + 3.75 + 10 = 29.75
    assert weighted_total({1: D(8), 2: D("7.5"), 3: D(10)}, {1: D(2), 2: D("0.5"), 3: D(1)}) == D("29.75")


def test_weighted_total_keeps_two_decimals():
    # 7.5 × 1.25 = 9.375 → 9.38 (two decimals)
    assert weighted_total({1: D("7.5")}, {1: D("1.25")}) == D("9.38")


def test_the_maximum_total_weighs_each_maximum():
    # 10 × 1 + 30 × 2 = 70
    assert maximum_total({1: D(10), 2: D(30)}, {1: D(1), 2: D(2)}) == D("70.00")


@pytest.mark.parametrize("value, half", [("0", True), ("0.5", True), ("7.5", True), ("10", True), ("9.75", False), ("0.1", False), ("3.25", False)])
def test_scores_go_in_steps_of_half_a_point(value, half):
    assert is_half_step(D(value)) is half


# ---- Aggregation ----------------------------------------------------------------------------------

def test_no_reviews_give_no_score():
    result = aggregate([], max_total=D(100))
    assert (result.count, result.mean, result.spread, result.disagree, result.trimmed) == (0, None, None, False, False)


def test_one_review_is_its_own_mean_with_no_spread():
    result = aggregate([D("77.5")], max_total=D(100))
    assert (result.count, result.mean, result.spread, result.disagree, result.trimmed) == (1, D("77.50"), D(0), False, False)


def test_three_reviews_are_averaged_plainly():
    # (88 + 70 + 82) / 3 = 240 / 3 = 80.00; spread 88 − 70 = 18 ≤ 20 (20% of 100): no flag
    result = aggregate([D(88), D(70), D(82)], max_total=D(100))
    assert (result.count, result.mean, result.spread, result.disagree, result.trimmed) == (3, D("80.00"), D(18), False, False)


def test_the_mean_is_rounded_half_up_to_two_decimals():
    # (80 + 80.01) / 2 = 80.005 → 80.01 (half up, where banker's rounding would give 80.00)
    assert aggregate([D(80), D("80.01")], max_total=D(100)).mean == D("80.01")
    # (70 + 71 + 71) / 3 = 212 / 3 = 70.666… → 70.67
    assert aggregate([D(70), D(71), D(71)], max_total=D(100)).mean == D("70.67")


def test_four_reviews_are_not_trimmed():
    # (60 + 70 + 80 + 95) / 4 = 305 / 4 = 76.25; spread 95 − 60 = 35 > 20: flagged
    result = aggregate([D(95), D(60), D(80), D(70)], max_total=D(100))
    assert (result.mean, result.spread, result.disagree, result.trimmed) == (D("76.25"), D(35), True, False)


def test_five_reviews_drop_one_highest_and_one_lowest():
    # sorted 60, 70, 80, 90, 95 → keep 70, 80, 90 → 240 / 3 = 80.00 (untrimmed it would be 79.00);
    # the spread still uses all five: 95 − 60 = 35 > 20: flagged
    result = aggregate([D(90), D(60), D(95), D(70), D(80)], max_total=D(100))
    assert (result.count, result.mean, result.spread, result.disagree, result.trimmed) == (5, D("80.00"), D(35), True, True)


def test_six_reviews_with_ties_drop_only_one_of_each_extreme():
    # sorted 70, 70, 75, 80, 85, 85 → keep 70, 75, 80, 85 → 310 / 4 = 77.50; spread 15 ≤ 20
    result = aggregate([D(85), D(70), D(80), D(85), D(75), D(70)], max_total=D(100))
    assert (result.mean, result.spread, result.disagree, result.trimmed) == (D("77.50"), D(15), False, True)


def test_disagreement_is_a_spread_of_more_than_a_fifth_of_the_maximum():
    # 20% of 100 = 20: a spread of exactly 20 is not flagged, 20.5 is.
    assert aggregate([D(70), D(90)], max_total=D(100)).disagree is False
    assert aggregate([D(70), D("90.5")], max_total=D(100)).disagree is True
    # The threshold follows the rubric's maximum: 20% of 130 = 26; a spread of 25 is not flagged.
    assert aggregate([D(70), D(95)], max_total=D(130)).disagree is False
    assert aggregate([D(70), D(97)], max_total=D(130)).disagree is True


# ---- Through the database: what experts submit, what the ranked table shows -----------------------

@pytest.fixture
def weighted_rubric(batch):
    """The default rubric with the plan's quality weighted double: maximum 70 + 30 × 2 = 130."""
    rubric = rubric_ensure_default(batch)
    Criterion.objects.filter(rubric=rubric, name="实验方案质量").update(weight=D(2))
    return rubric


def test_a_submitted_review_stores_its_weighted_total(batch, weighted_rubric, staff_user):
    application, _ = in_review(batch, "四川加权职业技术学院", staff_user)
    expert = make_expert("expert-bj", BEIJING, "北京终身教育研究院")
    review = submit_review(assign(application, expert, staff_user), (9, 13.5, 13, 12.5, 14, 26))
    # 9 + 13.5 + 13 + 12.5 + 14 = 62, plus 26 × 2 = 52: 114.00
    assert review.total == D("114.00")
    assert batch_max_total(batch) == D("130.00")


def test_the_ranked_table_aggregates_the_submitted_totals(batch, weighted_rubric, staff_user):
    application, _ = in_review(batch, "四川汇总职业技术学院", staff_user)
    experts = [make_expert(f"expert-{code}", code, f"研究院{code}") for code in (BEIJING, SHANGHAI, TIANJIN)]
    # 62 + 26 × 2 = 114; 48.5 + 20 × 2 = 88.5; 55 + 24.5 × 2 = 104
    submit_review(assign(application, experts[0], staff_user), (9, 13.5, 13, 12.5, 14, 26))
    submit_review(assign(application, experts[1], staff_user), (7, 10, 10.5, 11, 10, 20))
    review = submit_review(assign(application, experts[2], staff_user), (8, 12, 12, 11.5, 11.5, 24.5))
    assert review.total == D("104.00")

    (row,) = ranked_table(batch, RankFilters())
    # mean (114 + 88.5 + 104) / 3 = 306.5 / 3 = 102.1666… → 102.17; spread 114 − 88.5 = 25.5;
    # 20% of 130 = 26 and 25.5 ≤ 26: not flagged
    assert (row.score.count, row.score.mean, row.score.spread, row.score.disagree) == (3, D("102.17"), D("25.5"), False)
    assert (row.submitted, row.assigned, row.rank) == (3, 3, 1)


def test_drafts_and_ended_assignments_do_not_count(batch, staff_user):
    rubric_ensure_default(batch)
    application, _ = in_review(batch, "四川草稿职业技术学院", staff_user)
    first, second, third = (make_expert(f"expert-{code}", code, f"研究院{code}") for code in (BEIJING, SHANGHAI, CHONGQING))
    submit_review(assign(application, first, staff_user), (9, 13.5, 13, 12.5, 14, 26))  # 88
    ended = assign(application, second, staff_user)
    submit_review(ended, (5, 5, 5, 5, 5, 5))  # 30, then the assignment is ended
    assignment_remove(assignment=ended, actor=staff_user, reason="专家身体原因退出")
    draft = assign(application, third, staff_user)
    review_save(assignment=draft, expert=third, points={}, comment="", recommendation="", submit=False)

    (row,) = ranked_table(batch, RankFilters())
    assert (row.score.count, row.score.mean, row.submitted, row.assigned) == (1, D("88.00"), 1, 2)
    assert ExpertReview.objects.filter(assignment__application=application).count() == 3
