"""The journey table (applications.workflow.JOURNEY) is the only place a move is allowed: every
status × every move of the table is tried through `transition`, with the move's own person and every
condition of the table holding, and exactly the table's moves succeed, each writing one timeline row.
Then each move is tried by people it does not name."""
import pytest
from django.db import transaction

from applications.models import Application, Route, Status, TimelineEntry
from applications.services import scan_upload
from applications.workflow import ACTIONS, JOURNEY, Who, WorkflowError, allowed_actions, lock_application, sources_of, transition
from tests.conftest import fill_complete, png_bytes, upload

pytestmark = pytest.mark.usefixtures("private_media")

# Every (action, target) the table knows.
MOVES = sorted({(move.action, move.target) for move in JOURNEY})


@pytest.fixture
def people(user_a, zhejiang_reviewer, staff_user):
    return {Who.SCHOOL: user_a, Who.PROVINCE: zhejiang_reviewer, Who.STAFF: staff_user}


@pytest.fixture
def ready(application_a, user_a, zhejiang_window):
    """School A's application, complete and scanned: every condition of the table holds for it
    (deadlines ahead, the Zhejiang window open and not forwarded, nothing published)."""
    application = fill_complete(application_a)
    scan_upload(application=application, uploaded_file=upload("scan.png", png_bytes(), "image/png"), actor=user_a)
    return Application.objects.get(pk=application.pk)


def arrange(application, status, target, action):
    """Put the application in `status` (by hand: this is the arrangement, not the journey), on the
    route the move needs (a submission straight to the project group is a direct application)."""
    route = Route.DIRECT if (action, target) == ("submit", Status.AT_NATIONAL) else Route.PROVINCIAL
    Application.objects.filter(pk=application.pk).update(status=status, route=route)
    return Application.objects.get(pk=application.pk)


def who_for(action, target):
    return next(m for m in JOURNEY if (m.action, m.target) == (action, target)).who[0]


@pytest.mark.parametrize("action, target", MOVES)
@pytest.mark.parametrize("status", Status.values)
def test_exactly_the_tables_moves_succeed_each_with_one_timeline_row(ready, people, status, action, target):
    application = arrange(ready, status, target, action)
    allowed = any(m.action == action and m.target == target and status in m.sources for m in JOURNEY)
    rows_before = TimelineEntry.objects.filter(application=application).count()

    try:
        with transaction.atomic():
            locked = lock_application(application)
            transition(application=locked, action=action, to_status=target, actor=people[who_for(action, target)])
    except WorkflowError as refused:
        assert not allowed, f"{status} --{action}--> {target} refused: {refused.code} {refused}"
        assert refused.code == "wrong_status"
        assert Application.objects.get(pk=application.pk).status == status
        assert TimelineEntry.objects.filter(application=application).count() == rows_before
        return
    assert allowed, f"{status} --{action}--> {target} succeeded but is not in the table"
    assert Application.objects.get(pk=application.pk).status == target
    (row,) = TimelineEntry.objects.filter(application=application)[rows_before:]
    assert (row.action, row.from_status, row.to_status, row.actor) == (action, status, target, people[who_for(action, target)])


@pytest.mark.parametrize("action, target", MOVES)
def test_nobody_but_the_person_the_table_names_makes_a_move(ready, people, user_b, jiangsu_reviewer, expert_user, action, target):
    move = next(m for m in JOURNEY if (m.action, m.target) == (action, target))
    application = arrange(ready, move.sources[0], target, action)
    outsiders = {Who.SCHOOL: user_b, Who.PROVINCE: jiangsu_reviewer, "unassigned expert": expert_user} | people
    for who, person in outsiders.items():
        if who in move.who:
            continue
        with pytest.raises(WorkflowError) as refused, transaction.atomic():
            transition(application=lock_application(application), action=action, to_status=target, actor=person)
        assert refused.value.code == "not_permitted", (who, refused.value)
    assert TimelineEntry.objects.filter(application=application, action=action).count() == 0


def test_an_action_the_table_does_not_know_is_refused(ready, staff_user):
    with pytest.raises(WorkflowError) as refused, transaction.atomic():
        transition(application=lock_application(ready), action="select_without_review", to_status=Status.SELECTED, actor=staff_user)

    assert refused.value.code == "unknown_action"
    assert Application.objects.get(pk=ready.pk).status == Status.DRAFT


def test_pages_are_offered_what_the_table_allows(ready, people):
    # The school's complete, scanned draft: it may submit (to its province) and withdraw.
    assert set(allowed_actions(ready, people[Who.SCHOOL])) == {"submit", "withdraw"}
    assert allowed_actions(ready, people[Who.PROVINCE]) == {}
    assert allowed_actions(ready, people[Who.STAFF]) == {}
    # Submitted to Zhejiang: the province's three decisions, and the school may still withdraw.
    submitted = arrange(ready, Status.SUBMITTED, Status.SUBMITTED, "submit")
    assert set(allowed_actions(submitted, people[Who.PROVINCE])) == {"province_return", "province_recommend", "province_decline"}
    assert set(allowed_actions(submitted, people[Who.SCHOOL])) == {"withdraw"}


def test_status_groups_come_from_the_table():
    assert sources_of("decide") == (Status.SCORED, Status.SELECTED, Status.NOT_SELECTED)
    assert sources_of("province_recommend") == (Status.SUBMITTED,)
    assert set(ACTIONS) == {m.action for m in JOURNEY}
