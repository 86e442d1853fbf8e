"""Expert assignment (review/assignment.py): hand-made cases for each rule, then Hypothesis
properties over random pools. Pure Python: no database."""
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from review.assignment import (
    REASON_CAPACITY,
    REASON_TOO_FEW,
    Candidate,
    Expert,
    Pair,
    Plan,
    is_eligible,
    plan_assignments,
)

ZJ, JS, SC, GD = "330000", "320000", "510000", "440000"


def cand(id, province=ZJ, institution=None, categories=()):
    return Candidate(id, province, institution or f"学校{id}", frozenset(categories))


def exp(id, province=JS, institution=None, expertise=(), capacity=None):
    return Expert(id, province, institution or f"单位{id}", frozenset(expertise), capacity)


def experts_of(plan: Plan, application_id: int) -> list[int]:
    return [p.expert_id for p in plan.new if p.application_id == application_id]


# --- is_eligible -----------------------------------------------------------------------------


def test_expert_of_same_province_is_not_eligible():
    assert not is_eligible(cand(1, ZJ), exp(1, ZJ), frozenset())
    assert is_eligible(cand(1, ZJ), exp(1, JS), frozenset())


def test_expert_of_same_institution_is_not_eligible_even_in_another_province():
    # A school with campuses in two provinces: the institution rule applies on its own.
    assert not is_eligible(cand(1, ZJ, "杭州职业技术学院"), exp(1, JS, "杭州职业技术学院"), frozenset())


def test_declared_conflict_is_not_eligible():
    assert not is_eligible(cand(1), exp(2), frozenset({Pair(1, 2)}))
    assert is_eligible(cand(1), exp(2), frozenset({Pair(2, 1)}))


# --- plan_assignments: the rules --------------------------------------------------------------


def test_province_conflict_is_skipped():
    plan = plan_assignments([cand(1, ZJ)], [exp(1, ZJ), exp(2, JS), exp(3, SC), exp(4, GD)])
    assert experts_of(plan, 1) == [2, 3, 4]
    assert plan.shortfalls == {}


def test_institution_conflict_is_skipped():
    experts = [exp(1, JS, "同一学院"), exp(2, JS), exp(3, SC), exp(4, GD)]
    plan = plan_assignments([cand(1, ZJ, "同一学院")], experts)
    assert experts_of(plan, 1) == [2, 3, 4]


def test_declared_conflict_is_skipped():
    plan = plan_assignments([cand(1)], [exp(1), exp(2), exp(3), exp(4)], conflicts=[Pair(1, 2)])
    assert experts_of(plan, 1) == [1, 3, 4]


def test_existing_assignments_count_towards_n():
    plan = plan_assignments(
        [cand(1)], [exp(1), exp(2), exp(3), exp(4)], existing=[Pair(1, 3), Pair(1, 4)]
    )
    assert experts_of(plan, 1) == [1]  # one more, and neither existing expert again
    assert plan.load == {1: 1, 2: 0, 3: 1, 4: 1}
    assert plan.dropped == []


def test_existing_assignments_of_other_applications_load_the_expert():
    # Expert 1 already reviews application 99 (not a candidate now), so 2 and 3 go first.
    plan = plan_assignments(
        [cand(1)], [exp(1), exp(2), exp(3)], per_application=2, existing=[Pair(99, 1)]
    )
    assert experts_of(plan, 1) == [2, 3]
    assert plan.load == {1: 1, 2: 1, 3: 1}


def test_candidate_with_enough_existing_gets_nothing_new():
    plan = plan_assignments(
        [cand(1)], [exp(1), exp(2), exp(3), exp(4)], per_application=2,
        existing=[Pair(1, 1), Pair(1, 2), Pair(1, 3)],
    )
    assert plan.new == [] and plan.shortfalls == {}


def test_existing_pair_that_became_a_conflict_is_replaced():
    plan = plan_assignments(
        [cand(1)], [exp(1), exp(2), exp(3), exp(4)],
        existing=[Pair(1, 1), Pair(1, 2), Pair(1, 3)],
        conflicts=[Pair(1, 2)],  # declared after the assignment
    )
    assert plan.new == [Pair(1, 4)]
    assert plan.dropped == [Pair(1, 2)]
    assert plan.load[2] == 0  # the dropped pair no longer loads the expert
    assert plan.shortfalls == {}


def test_existing_pair_with_expert_outside_the_pool_is_replaced():
    plan = plan_assignments([cand(1)], [exp(1), exp(2)], per_application=1, existing=[Pair(1, 77)])
    assert plan.new == [Pair(1, 1)]
    assert plan.dropped == [Pair(1, 77)]
    assert 77 not in plan.load


def test_capacity_is_respected_and_counts_existing():
    experts = [exp(1, capacity=1), exp(2, capacity=2), exp(3)]
    plan = plan_assignments(
        [cand(1), cand(2), cand(3)], experts, per_application=1, existing=[Pair(50, 1)]
    )
    load = Counter(p.expert_id for p in plan.new)
    assert load[1] == 0  # its one slot is taken by application 50
    assert load[2] <= 2
    assert plan.load[1] == 1
    assert plan.shortfalls == {}


def test_expert_over_capacity_through_existing_keeps_them_but_gets_nothing_new():
    plan = plan_assignments(
        [cand(1), cand(2), cand(3)], [exp(1, capacity=1), exp(2)], per_application=1,
        existing=[Pair(1, 1), Pair(2, 1)],
    )
    assert plan.new == [Pair(3, 2)]
    assert plan.dropped == []
    assert plan.load == {1: 2, 2: 1}


def test_most_constrained_candidate_goes_first():
    # Expert 1 (Jiangsu) is the only one application 2 (Sichuan) can have; application 1
    # (Guangdong) could have either. Taken by id, 1 would grab expert 1 (lower id, equal load)
    # and leave 2 short; most constrained first, both are served.
    experts = [exp(1, JS, capacity=1), exp(2, SC, capacity=1)]
    plan = plan_assignments([cand(1, GD), cand(2, SC)], experts, per_application=1)
    assert plan.new == [Pair(1, 2), Pair(2, 1)]
    assert plan.shortfalls == {}


def test_shortfall_is_reported_in_chinese():
    plan = plan_assignments([cand(17, ZJ)], [exp(1, ZJ), exp(2, JS), exp(3, SC)])
    assert experts_of(plan, 17) == [2, 3]
    assert plan.shortfalls == {17: 1}
    assert plan.shortfall_report() == ["申请 17 还缺 1 位评审专家：符合回避规则的专家不足。"]


def test_shortfall_from_capacity_says_so():
    experts = [exp(1, capacity=1), exp(2, capacity=1)]
    plan = plan_assignments([cand(1), cand(2)], experts, per_application=2)
    # Candidates are filled one at a time, so application 1 takes both experts' only slot.
    assert plan.new == [Pair(1, 1), Pair(1, 2)]
    assert plan.shortfalls == {2: 2}
    assert plan.reasons == {2: REASON_CAPACITY}
    assert plan.shortfall_report() == [f"申请 2 还缺 2 位评审专家：{REASON_CAPACITY}。"]


def test_no_shortfall_means_empty_report():
    plan = plan_assignments([cand(1)], [exp(1), exp(2), exp(3)])
    assert plan.shortfalls == {} and plan.shortfall_report() == []


def test_expertise_is_preferred_when_loads_are_equal():
    experts = [exp(1), exp(2, expertise={"A"}), exp(3, expertise={"A", "B"}), exp(4)]
    plan = plan_assignments([cand(1, categories={"A", "B"})], experts, per_application=2)
    assert experts_of(plan, 1) == [2, 3]


def test_lower_load_beats_expertise():
    experts = [exp(1), exp(2, expertise={"A"})]
    plan = plan_assignments(
        [cand(1, categories={"A"})], experts, per_application=1, existing=[Pair(90, 2)]
    )
    assert plan.new == [Pair(1, 1)]


def test_ties_are_broken_by_expert_id():
    plan = plan_assignments([cand(1)], [exp(5), exp(3), exp(9), exp(4)], per_application=2)
    assert plan.new == [Pair(1, 3), Pair(1, 4)]


def test_output_is_deterministic_and_independent_of_input_order():
    candidates = [cand(i, [ZJ, JS, SC][i % 3], categories={"A"} if i % 2 else {"B"}) for i in range(30)]
    experts = [exp(i, [ZJ, JS, SC, GD][i % 4], expertise={"A"} if i % 3 else {"B"}, capacity=8) for i in range(12)]
    kwargs = {"existing": [Pair(1, 2), Pair(3, 5)], "conflicts": [Pair(4, 1), Pair(1, 2)]}
    first = plan_assignments(candidates, experts, **kwargs)
    again = plan_assignments(candidates, experts, **kwargs)
    reversed_input = plan_assignments(candidates[::-1], experts[::-1], **kwargs)
    assert first == again == reversed_input


def test_per_application_zero_assigns_nothing():
    plan = plan_assignments([cand(1)], [exp(1)], per_application=0)
    assert plan.new == [] and plan.shortfalls == {}


def test_duplicate_ids_are_refused():
    with pytest.raises(ValueError):
        plan_assignments([cand(1), cand(1)], [exp(1)])
    with pytest.raises(ValueError):
        plan_assignments([cand(1)], [exp(1), exp(1)])


# --- Hypothesis properties ---------------------------------------------------------------------

# Few provinces, institutions and categories, so that every kind of conflict is frequent.
PROVINCES = ["11", "31", "33", "51"]
INSTITUTIONS = ["甲校", "乙校", "丙校", "丁校", "戊校", "己校"]
CATEGORIES = ["A", "B", "C", "D"]


@st.composite
def scenarios(draw, *, unlimited=False):
    categories = st.frozensets(st.sampled_from(CATEGORIES), max_size=3)
    capacity = st.none() if unlimited else st.one_of(st.none(), st.integers(0, 6))
    # Whole lists of tuples per draw: drawing field by field is several times slower.
    candidates = [
        Candidate(i, province, institution, chosen)
        for i, province, institution, chosen in draw(st.lists(
            st.tuples(st.integers(1, 1000), st.sampled_from(PROVINCES), st.sampled_from(INSTITUTIONS), categories),
            max_size=40, unique_by=lambda row: row[0],
        ))
    ]
    experts = [
        Expert(i, province, institution, known, cap)
        for i, province, institution, known, cap in draw(st.lists(
            st.tuples(st.integers(1, 1000), st.sampled_from(PROVINCES), st.sampled_from(INSTITUTIONS), categories, capacity),
            max_size=25, unique_by=lambda row: row[0],
        ))
    ]
    # Pairs may name applications outside the candidates (other batches) and experts outside the
    # pool, as the database can.
    app_ids = st.sampled_from([c.id for c in candidates] + [5000, 5001])
    exp_ids = st.sampled_from([e.id for e in experts] + [6000])
    pairs = st.builds(Pair, app_ids, exp_ids)
    existing = draw(st.lists(pairs, max_size=60))
    conflicts = draw(st.lists(pairs, max_size=40))
    per_application = draw(st.integers(0, 5))
    return candidates, experts, existing, conflicts, per_application


def _valid_existing(candidates, experts, existing, conflicts):
    """The existing pairs that should count, by the rules written out directly."""
    by_c = {c.id: c for c in candidates}
    by_e = {e.id: e for e in experts}
    conflict_set = frozenset(conflicts)
    return {
        p for p in set(existing)
        if p.application_id in by_c and p.expert_id in by_e
        and is_eligible(by_c[p.application_id], by_e[p.expert_id], conflict_set)
    }


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_no_returned_pair_breaks_a_rule(scenario):
    candidates, experts, existing, conflicts, n = scenario
    plan = plan_assignments(candidates, experts, per_application=n, existing=existing, conflicts=conflicts)
    by_c = {c.id: c for c in candidates}
    by_e = {e.id: e for e in experts}
    conflict_set = frozenset(conflicts)
    valid = _valid_existing(candidates, experts, existing, conflicts)

    # Eligible, known, and never a duplicate (within new, or of a pair that still counts).
    assert len(set(plan.new)) == len(plan.new)
    for p in plan.new:
        assert p.application_id in by_c and p.expert_id in by_e
        assert is_eligible(by_c[p.application_id], by_e[p.expert_id], conflict_set)
        assert p not in valid
    assert plan.new == sorted(plan.new, key=lambda p: (p.application_id, p.expert_id))

    # Dropped = the candidates' existing pairs that do not count.
    assert set(plan.dropped) == {p for p in set(existing) if p.application_id in by_c} - valid

    # Load = existing that still load the expert + new; capacity never exceeded by new pairs.
    charged = [p for p in set(existing) if p.expert_id in by_e and (p.application_id not in by_c or p in valid)]
    before = Counter(p.expert_id for p in charged)
    added = Counter(p.expert_id for p in plan.new)
    assert plan.load == {e.id: before[e.id] + added[e.id] for e in experts}
    for e in experts:
        if e.capacity is not None and added[e.id]:
            assert plan.load[e.id] <= e.capacity

    # Never more than N per candidate, and the shortfall is exactly what is missing.
    for c in candidates:
        have = sum(1 for p in valid if p.application_id == c.id) + added_for(plan, c.id)
        assert added_for(plan, c.id) == 0 or have <= n
        assert plan.shortfalls.get(c.id, 0) == max(0, n - have)
    assert all(v > 0 for v in plan.shortfalls.values())
    assert len(plan.shortfall_report()) == len(plan.shortfalls)
    assert set(plan.reasons) == set(plan.shortfalls)


def added_for(plan: Plan, application_id: int) -> int:
    return sum(1 for p in plan.new if p.application_id == application_id)


@settings(max_examples=200, deadline=None)
@given(scenarios(unlimited=True))
def test_unlimited_capacity_fills_every_candidate_that_can_be_filled(scenario):
    candidates, experts, existing, conflicts, n = scenario
    plan = plan_assignments(candidates, experts, per_application=n, existing=existing, conflicts=conflicts)
    conflict_set = frozenset(conflicts)
    valid = _valid_existing(candidates, experts, existing, conflicts)
    for c in candidates:
        eligible = sum(1 for e in experts if is_eligible(c, e, conflict_set))
        kept = sum(1 for p in valid if p.application_id == c.id)
        # N eligible experts whenever N exist (more only if more were already assigned).
        assert kept + added_for(plan, c.id) == max(kept, min(n, eligible))
        assert plan.shortfalls.get(c.id, 0) == max(0, n - eligible)
        if c.id in plan.shortfalls:
            assert plan.reasons[c.id] == REASON_TOO_FEW


@settings(max_examples=100, deadline=None)
@given(
    n_candidates=st.integers(0, 40),
    expert_ids=st.lists(st.integers(1, 1000), max_size=25, unique=True),
    expertise=st.lists(st.frozensets(st.sampled_from(CATEGORIES), max_size=3), min_size=25, max_size=25),
    n=st.integers(1, 5),
)
def test_load_is_balanced_when_everyone_is_eligible(n_candidates, expert_ids, expertise, n):
    # Applications in one province, experts all from another, distinct institutions, no
    # conflicts, no existing, unlimited capacity: expertise must not unbalance the load.
    candidates = [Candidate(i, "33", f"学校{i}", frozenset({"A", "B"})) for i in range(n_candidates)]
    experts = [Expert(i, "11", f"单位{i}", expertise[k]) for k, i in enumerate(expert_ids)]
    plan = plan_assignments(candidates, experts, per_application=n)
    if experts:
        assert max(plan.load.values()) - min(plan.load.values()) <= 1
        assert sum(plan.load.values()) == n_candidates * min(n, len(experts))


@settings(max_examples=60, deadline=None)
@given(scenarios(), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_input_order(scenario, rnd):
    candidates, experts, existing, conflicts, n = scenario
    plan = plan_assignments(candidates, experts, per_application=n, existing=existing, conflicts=conflicts)
    for items in (candidates, experts, existing, conflicts):
        rnd.shuffle(items)
    assert plan_assignments(candidates, experts, per_application=n, existing=existing, conflicts=conflicts) == plan
