"""A school that is a current 实验校 of an earlier batch (selected in a batch whose list was published,
inside the three years of its 实验周期 — notice 五: 实验周期：三年) and applies again: the school is told
so on its dashboard, the province sees a flag in its queue, the project group in its list and on
the application's page. Dates from the notices: the first batch (中成协〔2022〕012号) announced in June
2022 is current while the second batch is called in 2023; a batch announced in 2019 is not."""
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, Batch, Status
from applications.selectors import experiment_memberships, memberships_of_applicants
from tests.conftest import aware
from tests.review.helpers import submitted_application
from tests.review.national_helpers import at_national, national_list_queries

NOTICE = dict(contact_name="彭老师", contact_phones="010-81299751", contact_email="pengfang@enaea.edu.cn", is_open=False)


def earlier_batch(short_name, year, published_at, cycle_starts_on=None, number=""):
    return Batch.objects.create(
        title=f"{short_name}实验校申报", short_name=short_name, document_number=number or f"中成协〔{year}〕012号", year=year,
        issued_on=date(year, 3, 1), national_deadline=published_at - timedelta(days=60), published_at=published_at,
        cycle_starts_on=cycle_starts_on, **NOTICE,
    )  # fmt: skip


def selected_in(batch, school, status=Status.SELECTED):
    return Application.objects.create(batch=batch, school=school, status=status, number=f"{batch.year}-{batch.sequence}-{school.pk}")


@pytest.fixture
def first_batch(db):
    """The first batch, its list announced at the 项目工作会议 of 28 June 2022."""
    return earlier_batch("第一批实验校", 2022, aware(2022, 6, 28, 15, 0), cycle_starts_on=date(2022, 6, 28))


# ---- The selector ---------------------------------------------------------------------------------

def test_a_first_batch_school_of_june_2022_is_current_when_the_second_batch_is_called(first_batch, school_a):
    selected_in(first_batch, school_a)
    [membership] = experiment_memberships([school_a.pk], on=date(2023, 4, 20))[school_a.pk]
    assert (membership.batch, membership.starts_on, membership.ends_on) == (first_batch, date(2022, 6, 28), date(2025, 6, 27))
    assert membership.label == "现为第一批实验校（实验周期至 2025-06-27）"


def test_the_three_years_end_on_the_day_before_the_third_anniversary(first_batch, school_a):
    selected_in(first_batch, school_a)
    assert experiment_memberships([school_a.pk], on=date(2025, 6, 27))
    assert experiment_memberships([school_a.pk], on=date(2025, 6, 28)) == {}
    assert experiment_memberships([school_a.pk], on=date(2022, 6, 27)) == {}  # before the meeting


def test_a_school_selected_in_2019_is_no_longer_current_in_2023(school_a):
    old = earlier_batch("试点批", 2019, aware(2019, 6, 20, 10, 0), number="中成协〔2019〕008号")  # no meeting recorded: publication day
    selected_in(old, school_a)
    assert experiment_memberships([school_a.pk], on=date(2023, 4, 20)) == {}
    assert experiment_memberships([school_a.pk], on=date(2022, 6, 19))[school_a.pk][0].ends_on == date(2022, 6, 19)


def test_only_a_selection_in_a_published_list_counts(first_batch, school_a, school_b):
    selected_in(first_batch, school_b, status=Status.NOT_SELECTED)
    unpublished = earlier_batch("第三批实验校", 2024, aware(2024, 6, 28, 15, 0), number="中成协〔2024〕001号")
    Batch.objects.filter(pk=unpublished.pk).update(published_at=None, cycle_starts_on=None)
    selected_in(unpublished, school_a)  # decided, not yet published
    assert experiment_memberships([school_a.pk, school_b.pk], on=date(2024, 7, 1)) == {}


def test_in_bulk_the_applications_own_batch_is_left_out(first_batch, school_a):
    own = selected_in(first_batch, school_a)
    assert memberships_of_applicants([own], on=date(2023, 4, 20)) == {own.pk: []}


# ---- The pages ------------------------------------------------------------------------------------

@pytest.fixture
def current_first_batch(db):
    """A first batch whose three years are running today (announced a year ago)."""
    today = timezone.localdate()
    return earlier_batch("第一批实验校", 2022, timezone.now() - timedelta(days=365), cycle_starts_on=today - timedelta(days=365))


def test_the_school_is_told_on_its_dashboard(client, batch, current_first_batch, user_a, user_b):
    selected_in(current_first_batch, user_a.school)
    ends = current_first_batch.cycle_starts_on.replace(year=current_first_batch.cycle_starts_on.year + 3) - timedelta(days=1)
    client.force_login(user_a)
    html = client.get(reverse("dashboard")).content.decode()
    assert f"贵校现为第一批实验校（实验周期至 {ends:%Y-%m-%d}）：入选后实验周期三年（通知五）" in html
    client.force_login(user_b)
    assert "贵校现为" not in client.get(reverse("dashboard")).content.decode()


def test_the_province_sees_a_flag_in_its_queue(client, batch, zhejiang_window, zhejiang_reviewer, current_first_batch):
    again, _ = submitted_application(batch, "杭州再次申报职业技术学院")
    selected_in(current_first_batch, again.school)
    submitted_application(batch, "宁波首次申报职业技术学院")
    client.force_login(zhejiang_reviewer)
    response = client.get(reverse("review:province_queue", args=[zhejiang_window.pk]))
    flags = {application.school.name: [text for _colour, text in row_flags] for application, row_flags in response.context["rows"]}
    assert any(text.startswith("现为第一批实验校（实验周期至") for text in flags["杭州再次申报职业技术学院"])
    assert not any(text.startswith("现为") for text in flags["宁波首次申报职业技术学院"])


def test_staff_see_a_flag_in_the_list_and_on_the_application(client, batch, staff_user, current_first_batch):
    again, _ = at_national(batch, "四川再次申报职业技术学院")
    selected_in(current_first_batch, again.school)
    first_time, _ = at_national(batch, "四川首次申报职业技术学院")
    client.force_login(staff_user)
    listing = client.get(reverse("review:national_list"), {"batch": batch.pk}).content.decode()
    row = lambda name: listing.split(name, 1)[1].split("</tr>", 1)[0]  # noqa: E731
    assert "现为第一批实验校（实验周期至" in row("四川再次申报职业技术学院")
    assert "现为" not in row("四川首次申报职业技术学院")
    page = client.get(reverse("review:national_application", args=[again.pk])).content.decode()
    assert "该校现为第一批实验校（实验周期至" in page and "此次再次申报" in page
    assert "该校现为" not in client.get(reverse("review:national_application", args=[first_time.pk])).content.decode()


def test_the_flags_cost_no_query_per_row(client, batch, staff_user, current_first_batch):
    client.force_login(staff_user)

    application, _ = at_national(batch, "四川再次申报职业技术学院")
    selected_in(current_first_batch, application.school)
    before = national_list_queries(client, batch)
    for n in range(4):
        application, _ = at_national(batch, f"四川再次申报第{n}职业技术学院")
        selected_in(current_first_batch, application.school)
    assert national_list_queries(client, batch) == before
