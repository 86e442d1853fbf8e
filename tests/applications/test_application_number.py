"""申请编号 carry the batch's own number (第二批 → 2023-2-…), not its database id: a batch keeps the
number it was created with, whatever order the batches were entered in."""
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import Batch, sequence_in_name
from applications.services import application_get_or_create

pytestmark = pytest.mark.django_db

NOTICE = dict(contact_name="彭老师", contact_phones="010-81299751 18611285756", contact_email="pengfang@enaea.edu.cn")


def second_batch(**extra):
    return Batch.objects.create(
        title="关于申报“职业院校服务全民终身学习项目”第二批实验校的通知", short_name="第二批实验校", document_number="中成协〔2023〕010号",
        year=2023, issued_on=date(2023, 3, 14), national_deadline=timezone.now() + timedelta(days=30), **NOTICE, **extra,
    )  # fmt: skip


def first_batch(**extra):
    return Batch.objects.create(
        title="关于申报“职业院校服务全民终身学习项目”第一批实验校的通知", short_name="第一批实验校", document_number="中成协〔2022〕012号",
        year=2022, issued_on=date(2022, 3, 1), national_deadline=timezone.now() - timedelta(days=300), is_open=False, **NOTICE, **extra,
    )  # fmt: skip


def test_the_second_batch_entered_first_still_numbers_its_applications_2023_2(school_a, user_a):
    # The second batch is entered first and given database id 1; the first batch comes after it
    # with id 2, so an id-based number would read 2023-1-… for the second batch.
    second = second_batch(pk=1)
    first = first_batch(pk=2)

    application = application_get_or_create(batch=second, school=school_a, actor=user_a)
    older = application_get_or_create(batch=first, school=school_a, actor=user_a)

    assert (second.sequence, first.sequence) == (2, 1)
    assert application.number == f"2023-2-33-{application.pk:05d}"
    assert older.number == f"2022-1-33-{older.pk:05d}"


@pytest.mark.parametrize("short_name, number", [
    ("第一批实验校", 1), ("第二批实验校", 2), ("第 3 批", 3), ("第十批", 10), ("第十二批", 12), ("第二十批", 20), ("第二十一批实验校", 21),
    ("实验校申报", None), ("第零批", None), ("第0批", None),
])  # fmt: skip
def test_the_number_in_a_short_name(short_name, number):
    assert sequence_in_name(short_name) == number


def test_the_number_in_the_migration_reads_names_as_the_model_does():
    from importlib import import_module

    migration = import_module("applications.migrations.0008_batch_sequence")
    for name in ("第二批实验校", "第十二批", "第二十一批实验校", "规模测试第7批", "实验校申报"):
        assert migration.sequence_in_name(name) == sequence_in_name(name), name


def test_a_batch_without_a_free_number_in_its_name_takes_the_next_one():
    second_batch()
    assert Batch.objects.create(title="补充申报", short_name="补充申报", document_number="中成协〔2023〕020号", year=2023,
                                issued_on=date(2023, 9, 1), national_deadline=timezone.now(), **NOTICE).sequence == 3  # fmt: skip
    assert Batch.objects.create(title="又一个第二批", short_name="第二批（重发）", document_number="中成协〔2023〕021号", year=2023,
                                issued_on=date(2023, 9, 2), national_deadline=timezone.now(), **NOTICE).sequence == 4  # fmt: skip


def test_the_admin_sets_the_number_on_creation_and_never_changes_it(client, admin_user):
    client.force_login(admin_user)
    add = client.get(reverse("admin:applications_batch_add")).content.decode()
    assert 'name="sequence"' in add  # editable when the batch is created
    batch = second_batch()

    change = client.get(reverse("admin:applications_batch_change", args=[batch.pk])).content.decode()

    assert 'name="sequence"' not in change  # read-only afterwards: shown, not a field
    assert "批次序号" in change
