"""seed_demo (demo/management/commands/seed_demo.py) takes every application through the services
the pages use, so each timeline is a path of the journey, the 2022 batch's on 2022's dates; and it
can run any number of times: a second run writes no row of any model."""
import io
from datetime import datetime

from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from applications.models import Application, Batch, TimelineEntry
from review.models import ConflictDeclaration
from tests.demo.journey import timeline_breaks

PASSWORD = "demo-pass-journey-1"


def seed() -> None:
    call_command("seed_demo", password=PASSWORD, stdout=io.StringIO())


def rows_per_model() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_a_second_run_leaves_the_same_rows_in_every_model(db):
    seed()
    first = rows_per_model()
    timeline_ids = list(TimelineEntry.objects.order_by("pk").values_list("pk", "at"))

    seed()

    second = rows_per_model()
    assert {label: (n, second[label]) for label, n in first.items() if second[label] != n} == {}
    assert list(TimelineEntry.objects.order_by("pk").values_list("pk", "at")) == timeline_ids


def test_every_timeline_is_a_path_of_the_journey(db):
    seed()

    assert Application.objects.count() == 17  # fifteen schools this batch, two of them in 2022
    assert timeline_breaks(Application.objects.all()) == []


def test_the_2022_steps_carry_2022s_dates_in_the_order_they_were_taken(db):
    seed()
    first = Batch.objects.get(document_number="中成协〔2022〕012号")

    for application in Application.objects.filter(batch=first):
        steps = [(timezone.localtime(e.at), e.action) for e in application.timeline.all()]
        assert {at.year for at, _action in steps} == {2022}, steps
        actions = [action for _at, action in steps]
        assert actions[:4] == ["create", "upload_scan", "submit", "province_recommend"]
        assert actions[-2:] == ["decide", "publish"]
        assert steps[-1][0] == timezone.make_aware(datetime(2022, 6, 28, 9, 0))
        assert application.submitted_at.year == application.pledge_accepted_at.year == 2022


def test_an_expert_declared_a_conflict_and_was_replaced_or_not_needed(db):
    seed()

    declared = ConflictDeclaration.objects.select_related("application__school")
    assert {d.application.school.name for d in declared} == {"广东示范职业技术学院", "武汉市江夏区职业教育中心"}
    for declaration in declared:
        active = declaration.application.assignments.filter(is_active=True)
        assert not active.filter(expert=declaration.expert).exists()
        assert active.filter(expert__username="demo-expert").exists()
