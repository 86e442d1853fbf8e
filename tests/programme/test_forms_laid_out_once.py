"""What the activity's page writes its own way for speed at 1,000 实验校 must be what Django and
crispy write: the 逐校选择 of 实验校 (four columns read, the options written in Python) and the leave
decision forms and the exit queue's (one of each laid out, each row given its ids)."""
from datetime import timedelta

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import forms
from django.test.html import parse_html
from django.urls import reverse
from django.utils import timezone

from programme import activities
from programme.models import Activity, ExitReview, ExperimentSchool, ExperimentStatus, Invitation
from programme.staff_forms import ExitConfirmForm, ExitWaiveForm, InviteForm, LeaveDecisionForm, experiment_school_label
from tests.programme.conftest import make_activity, published_batch


@pytest.fixture
def second_batch(db):
    """The trio's batch, its cycle under way now (year 2), so that its schools can be invited today."""
    return published_batch(meeting_on=timezone.localdate() - timedelta(days=400))


class DjangoInviteForm(forms.Form):
    """The same field as Django writes it: the stock field and widget, each option's label from its model."""

    experiment_schools = forms.ModelMultipleChoiceField(
        label="逐校选择", required=False, widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 8}),
        queryset=ExperimentSchool.objects.filter(status=ExperimentStatus.ACTIVE).select_related("school__province", "batch")
        .order_by("school__province", "school__name"),
        help_text="按住 Ctrl（Mac 为 ⌘）可多选。",
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["experiment_schools"].label_from_instance = lambda es: experiment_school_label(
            es.school.name, es.school.province.name, es.batch.short_name
        )


def test_the_schools_select_is_the_html_django_writes_with_the_chosen_school_selected(trio):
    zhejiang = trio["zj"][0]
    data = {"experiment_schools": [str(zhejiang.pk)]}
    ours = str(InviteForm(data=data)["experiment_schools"])
    assert parse_html(ours) == parse_html(str(DjangoInviteForm(data=data)["experiment_schools"]))
    assert f'<option value="{zhejiang.pk}" selected>浙江实验职业技术学院（浙江省，第二批实验校）</option>' in ours
    assert ours.count("<option") == 3 and ours.count(" selected") == 1


def test_a_school_chosen_by_hand_is_read_back_as_the_school(trio):
    sichuan = trio["sc"][0]
    form = InviteForm(data={"experiment_schools": [str(sichuan.pk)]})
    assert form.is_valid()
    assert list(form.cleaned_data["experiment_schools"]) == [sichuan]


def test_each_waiting_leave_request_has_the_decision_form_crispy_lays_out_for_it(client, trio, staff_user):
    """The activity's page lays one blank form out and gives each leave request its ids: the same
    HTML as crispy's own for that request, the ids apart from every other's."""
    activity = make_activity(staff_user, timezone.now() + timedelta(days=30))
    for key in ("zj", "sc"):
        experiment_school, user = trio[key]
        activities.activity_invite(activity=activity, actor=staff_user, experiment_schools=[experiment_school])
        activities.invitation_request_leave(invitation=activity.invitations.get(experiment_school=experiment_school), actor=user,
                                            reason="同期承办省级技能大赛。")  # fmt: skip
    client.force_login(staff_user)
    page = client.get(reverse("programme:staff_activity", args=[activity.pk])).content.decode()
    waiting = list(activity.invitations.order_by("pk"))
    for invitation in waiting:
        assert str(as_crispy_form(LeaveDecisionForm(invitation=invitation))) in page
    assert page.count('id="id_leave_') == 2 * 3  # two forms, each two radio buttons and a note of its own
    assert len({f"id_leave_{i.pk}_note" for i in waiting} & set(page.split('"'))) == 2


def test_each_school_in_the_exit_queue_has_the_two_decision_forms_crispy_lays_out_for_it(client, trio, staff_user):
    earlier = [make_activity(staff_user, timezone.now() - timedelta(days=d), title=f"{d} 天前的研讨交流会议") for d in (90, 30)]
    Activity.objects.filter(pk__in=[a.pk for a in earlier]).update(closed_at=timezone.now() - timedelta(days=1))
    queued = [trio["zj"][0], trio["js"][0]]
    for school in queued:
        first, second = (Invitation.objects.create(activity=a, experiment_school=school, outcome="absent") for a in earlier)
        ExitReview.objects.create(experiment_school=school, first_absence=first, second_absence=second)
    client.force_login(staff_user)
    page = client.get(reverse("programme:staff_exits")).content.decode()
    for review in ExitReview.objects.all():
        assert str(as_crispy_form(ExitConfirmForm(auto_id=f"id_confirm_{review.pk}_%s"))) in page
        assert str(as_crispy_form(ExitWaiveForm(auto_id=f"id_waive_{review.pk}_%s"))) in page
    assert page.count('id="id_confirm_') == 2 * 2 and page.count('id="id_waive_') == 2


def test_a_decision_sent_back_keeps_its_error_next_to_its_field_in_the_queue(client, trio, staff_user):
    earlier = [make_activity(staff_user, timezone.now() - timedelta(days=d), title=f"{d} 天前的研讨交流会议") for d in (90, 30)]
    Activity.objects.filter(pk__in=[a.pk for a in earlier]).update(closed_at=timezone.now() - timedelta(days=1))
    first, second = (Invitation.objects.create(activity=a, experiment_school=trio["sc"][0], outcome="absent") for a in earlier)
    review = ExitReview.objects.create(experiment_school=trio["sc"][0], first_absence=first, second_absence=second)
    client.force_login(staff_user)
    response = client.post(reverse("programme:staff_exit_waive", args=[review.pk]), {"reason": ""})
    page = response.content.decode()
    assert response.status_code == 400 and "不作退出处理时，请说明理由。" in page
    assert f'id="id_waive_{review.pk}_reason_error"' in page and page.count('id="id_waive_') == 1 + 1
