"""seed_demo (demo/management/commands/seed_demo.py) takes every application through the services
the pages use, so each timeline is a path of the journey, the first batch's on its 2022 calendar
moved to about fifteen months ago; and it can run any number of times: a second run writes no row
of any model."""
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

    assert Application.objects.count() == 19  # fifteen schools this batch, four of them in the first batch too
    assert timeline_breaks(Application.objects.all()) == []


# The first batch as it happened in 2022 (Beijing time): opened on 20 April, submitted on 11 May,
# the list announced at the 项目工作会议 of Tuesday 28 June at 09:00.
REAL_CREATED, REAL_SUBMITTED, REAL_PUBLISHED = datetime(2022, 4, 20, 9, 0), datetime(2022, 5, 11, 10, 0), datetime(2022, 6, 28, 9, 0)


def test_the_first_batch_s_steps_keep_2022s_calendar_moved_to_about_fifteen_months_ago(db):
    seed()
    first = Batch.objects.get(document_number="中成协〔2022〕012号")
    published = timezone.localtime(first.published_at)

    assert 456 <= (timezone.localdate() - published.date()).days <= 462
    assert (published.weekday(), published.time()) == (REAL_PUBLISHED.weekday(), REAL_PUBLISHED.time())
    forwarded = {a.school.name for a in Application.objects.filter(batch=first, route="provincial")}
    assert forwarded == {"宁波市甬江职业高级中学", "温州市瓯海区职业教育中心"}
    for application in Application.objects.filter(batch=first).select_related("school"):
        steps = [(timezone.localtime(e.at), e.action) for e in application.timeline.all()]
        assert [at for at, _action in steps] == sorted(at for at, _action in steps), steps
        actions = [action for _at, action in steps]
        assert actions[:3] == ["create", "upload_scan", "submit"]
        assert (actions[3] == "province_recommend") == (application.school.name in forwarded)
        assert actions[-2:] == ["decide", "publish"]
        # Each step as far from publication as it was in 2022.
        assert steps[-1][0] == published
        assert published - steps[0][0] == REAL_PUBLISHED - REAL_CREATED
        assert published - timezone.localtime(application.submitted_at) == REAL_PUBLISHED - REAL_SUBMITTED
        assert steps[0][0] <= timezone.localtime(application.pledge_accepted_at) <= timezone.localtime(application.submitted_at)
    assert published - timezone.localtime(first.national_deadline) == REAL_PUBLISHED - datetime(2022, 5, 31, 23, 59, 59)


def test_an_expert_declared_a_conflict_and_was_replaced_or_not_needed(db):
    seed()

    declared = ConflictDeclaration.objects.select_related("application__school")
    assert {d.application.school.name for d in declared} == {"广东示范职业技术学院", "武汉市江夏区职业教育中心"}
    for declaration in declared:
        active = declaration.application.assignments.filter(is_active=True)
        assert not active.filter(expert=declaration.expert).exists()
        assert active.filter(expert__username="demo-expert").exists()
