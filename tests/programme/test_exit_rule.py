"""七.7: 连续两次不参与项目组活动视为退出 — the pure rule (programme.exit_rule) on sequences made by
hand and on generated ones. An accepted leave is not an absence and does not break a run; a refused
leave is an absence; only taking part resets the count; activities that do not count are skipped."""
from hypothesis import given
from hypothesis import strategies as st

from programme.exit_rule import Outcome, Record, assess, consecutive_absences, exit_proposal

A, E, X = Outcome.ATTENDED, Outcome.EXCUSED, Outcome.ABSENT


def seq(*steps):
    """Records keyed 1, 2, …; a step is an Outcome, or (Outcome, False) for an activity not counting."""
    records = []
    for key, step in enumerate(steps, start=1):
        outcome, counts = step if isinstance(step, tuple) else (step, True)
        records.append(Record(key=key, outcome=outcome, counts=counts))
    return records


# ---- Hand-made sequences ---------------------------------------------------------------------------

def test_no_activity_yet_nothing_to_say():
    assessment = assess([])
    assert (assessment.absences, assessment.warn, assessment.proposal) == (0, False, None)


def test_one_absence_warns_and_proposes_nothing():
    assessment = assess(seq(X))
    assert (assessment.absences, assessment.warn, assessment.proposal) == (1, True, None)


def test_two_absences_in_a_row_propose_withdrawal_with_both_as_evidence():
    assessment = assess(seq(A, X, X))
    assert (assessment.absences, assessment.warn, assessment.proposal) == (2, False, (2, 3))


def test_attending_resets_the_count():
    assert exit_proposal(seq(X, A, X)) is None
    assert consecutive_absences(seq(X, A, X)) == 1
    assert consecutive_absences(seq(X, X, A)) == 0


def test_an_accepted_leave_is_no_absence_and_does_not_break_a_run():
    assert consecutive_absences(seq(E)) == 0
    assert consecutive_absences(seq(E, E, E)) == 0
    assert exit_proposal(seq(X, E)) is None
    # absent, excused, absent: the school took part in none of the three — two absences in a row.
    assert exit_proposal(seq(X, E, X)) == (1, 3)
    assert exit_proposal(seq(X, E, A, X)) is None


def test_a_refused_leave_not_followed_by_attending_is_an_absence():
    # The caller turns a refused leave into ABSENT (nobody came, no accepted leave): see
    # programme.attendance.outcome_of; here it is simply an absence.
    assert exit_proposal(seq(A, X, X)) == (2, 3)


def test_activities_that_do_not_count_are_skipped_whatever_their_outcome():
    assert exit_proposal(seq(X, (X, False), X)) == (1, 3)
    assert exit_proposal(seq(X, (A, False), X)) == (1, 3)  # attending one that does not count resets nothing
    assert exit_proposal(seq((X, False), (X, False))) is None
    assert consecutive_absences(seq((X, False))) == 0


def test_three_in_a_row_propose_the_first_two():
    assert exit_proposal(seq(X, X, X)) == (1, 2)


def test_since_reads_only_what_came_after_a_reviewed_pair():
    records = seq(X, X, X)
    assert assess(records, since=2).absences == 1 and assess(records, since=2).warn
    assert exit_proposal(seq(X, X, X, X), since=2) == (3, 4)
    assert consecutive_absences(records, since=3) == 0


# ---- Properties -------------------------------------------------------------------------------------

steps = st.lists(st.tuples(st.sampled_from(list(Outcome)), st.booleans()), max_size=30)


def records_of(pairs):
    return [Record(key=i, outcome=o, counts=c) for i, (o, c) in enumerate(pairs)]


@given(steps)
def test_attending_a_counting_activity_always_resets(pairs):
    records = records_of(pairs) + [Record(key="last", outcome=A)]
    assert consecutive_absences(records) == 0 and exit_proposal(records) is None


@given(steps, st.sampled_from([(E, True), (A, False), (X, False), (E, False)]))
def test_an_excused_or_non_counting_activity_changes_nothing(pairs, skipped):
    before = assess(records_of(pairs))
    after = assess(records_of(pairs) + [Record(key="skipped", outcome=skipped[0], counts=skipped[1])])
    assert after == before


@given(steps)
def test_an_absence_adds_one(pairs):
    records = records_of(pairs)
    assert consecutive_absences(records + [Record(key="new", outcome=X)]) == consecutive_absences(records) + 1


@given(steps)
def test_the_count_is_the_absences_since_the_last_counting_attendance(pairs):
    counting = [o for o, c in pairs if c and o is not E]
    last_attended = max((i for i, o in enumerate(counting) if o is A), default=-1)
    assert consecutive_absences(records_of(pairs)) == len(counting) - last_attended - 1


@given(steps)
def test_a_proposal_is_two_counting_absences_with_no_counting_attendance_between(pairs):
    records = records_of(pairs)
    proposal = exit_proposal(records)
    assert (proposal is not None) == (consecutive_absences(records) >= 2)
    if proposal is not None:
        first, second = proposal
        assert first < second
        assert all(r.outcome is X and r.counts for r in records if r.key in proposal)
        between = [r for r in records if first < r.key < second]
        assert not any(r.outcome is A and r.counts for r in between)
        assert not any(r.outcome is X and r.counts for r in between)
