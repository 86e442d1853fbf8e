"""The 实验周期's getters in portal.policy: a school reaches only its own 实验校, invitations and
request to leave (another school's is a 404, as if it did not exist), the project group reaches
everything, everyone else is refused (403); a school no longer 实验中 may read, not change."""
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from portal import policy
from portal.models import Role
from programme.exits import withdrawal_request
from programme.experiment_schools import experiment_school_complete
from programme.models import ExitReview
from tests.conftest import aware, make_school, make_user
from tests.programme.conftest import held, invite, make_activity

AT = aware(2023, 11, 16, 9, 0)


@pytest.fixture
def outsiders(zhejiang_reviewer, expert_user):
    return [zhejiang_reviewer, expert_user]


@pytest.fixture
def activity(trio, staff_user):
    made = make_activity(staff_user, AT)
    invite(made, staff_user, [trio["zj"][0], trio["js"][0]])
    return made


def test_a_school_reaches_its_own_experiment_school_only(trio):
    zj, user = trio["zj"]
    assert policy.get_experiment_school_for_school(user) == zj
    assert policy.get_own_experiment_school(user) == zj
    never = make_user("never-selected", Role.SCHOOL, school=make_school("未入选学院", "330000"))
    with pytest.raises(Http404):
        policy.get_experiment_school_for_school(never)


def test_others_have_no_school_workspace(staff_user, outsiders):
    for user in [staff_user, *outsiders]:
        with pytest.raises(PermissionDenied):
            policy.get_experiment_school_for_school(user)


def test_a_school_no_longer_experimenting_reads_but_does_not_change(trio, staff_user):
    zj, user = trio["zj"]
    experiment_school_complete(experiment_school=zj, actor=staff_user, now=aware(2026, 7, 1, 9, 0))
    assert policy.get_experiment_school_for_school(user).status == "completed"
    with pytest.raises(PermissionDenied, match="已结项"):
        policy.get_own_experiment_school(user)
    zj.refresh_from_db()
    assert not policy.may_change_experiment_school(user, zj)


def test_a_school_reaches_its_own_invitations_only(trio, activity, outsiders, staff_user):
    own = activity.invitations.get(experiment_school=trio["zj"][0])
    other = activity.invitations.get(experiment_school=trio["js"][0])
    assert policy.get_school_invitation(trio["zj"][1], own.pk) == own
    with pytest.raises(Http404):
        policy.get_school_invitation(trio["zj"][1], other.pk)
    with pytest.raises(Http404):
        policy.get_school_invitation(trio["sc"][1], own.pk)  # not invited at all
    for user in [staff_user, *outsiders]:
        with pytest.raises(PermissionDenied):
            policy.get_school_invitation(user, own.pk)


def test_the_project_groups_getters(trio, activity, staff_user, admin_user, outsiders, private_media):
    zj, user = trio["zj"]
    invitation = activity.invitations.get(experiment_school=zj)
    request = withdrawal_request(experiment_school=zj, actor=user, reason="专业调整。", now=AT)
    held(staff_user, AT + timedelta(days=30), [trio["sc"][0]])
    held(staff_user, AT + timedelta(days=60), [trio["sc"][0]])
    review = ExitReview.objects.get()
    getters = [
        (policy.get_staff_experiment_school, zj.pk), (policy.get_staff_activity, activity.pk),
        (policy.get_staff_invitation, invitation.pk), (policy.get_staff_exit_review, review.pk),
        (policy.get_staff_withdrawal_request, request.pk),
    ]  # fmt: skip
    for getter, pk in getters:
        assert getter(staff_user, pk).pk == pk
        assert getter(admin_user, pk).pk == pk
        with pytest.raises(Http404):
            getter(staff_user, 999_999)
        for someone in [user, *outsiders]:
            with pytest.raises(PermissionDenied):
                getter(someone, pk)


def test_a_request_to_leave_is_seen_by_its_school_and_the_project_group(trio, staff_user, outsiders, private_media):
    zj, user = trio["zj"]
    request = withdrawal_request(experiment_school=zj, actor=user, reason="专业调整。", now=AT)
    assert policy.get_visible_withdrawal_request(user, request.pk) == request
    assert policy.get_visible_withdrawal_request(staff_user, request.pk) == request
    for someone in [trio["js"][1], *outsiders]:
        with pytest.raises(Http404):
            policy.get_visible_withdrawal_request(someone, request.pk)
