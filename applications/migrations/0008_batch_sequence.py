"""Batch.sequence, the batch's own number (第二批 → 2) for application numbers instead of its
database id. Existing batches get theirs from the 第N批 of their short name where it parses and is
free, else the next free number in the order of year and date of issue.

Application numbers already given are NOT renumbered: they are printed on the PDFs that schools
signed, sealed and uploaded as scans (and on the paper copies provinces hold), so an existing
“2023-1-…” stays as it is; only applications created from now on use the batch's own number."""
import re

import django.core.validators
from django.db import migrations, models

DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def sequence_in_name(short_name):
    # A frozen copy of applications.models.sequence_in_name as it was when this migration was written.
    match = re.search(r"第\s*([0-9]+|[一二三四五六七八九十]+)\s*批", short_name or "")
    if not match:
        return None
    text = match.group(1)
    if text.isdigit():
        return int(text) or None
    if "十" not in text:
        return DIGITS[text] if len(text) == 1 else None
    tens, _, units = text.partition("十")
    if len(tens) > 1 or len(units) > 1:
        return None
    return DIGITS.get(tens, 1 if not tens else 0) * 10 + DIGITS.get(units, 0)


def fill_sequences(apps, schema_editor):
    Batch = apps.get_model("applications", "Batch")
    HistoricalBatch = apps.get_model("applications", "HistoricalBatch")
    batches = list(Batch.objects.order_by("year", "issued_on", "pk"))
    taken = set()
    unnamed = []
    for batch in batches:
        named = sequence_in_name(batch.short_name)
        if named is not None and named not in taken:
            batch.sequence = named
            taken.add(named)
        else:
            unnamed.append(batch)
    for batch in unnamed:  # in the order of year and date of issue, after the named ones' numbers
        batch.sequence = next(n for n in range(1, len(batches) + max(taken, default=0) + 2) if n not in taken)
        taken.add(batch.sequence)
    for batch in batches:
        Batch.objects.filter(pk=batch.pk).update(sequence=batch.sequence)
        HistoricalBatch.objects.filter(id=batch.pk).update(sequence=batch.sequence)
    # History rows of batches deleted since: their number is unknown and never used again.
    HistoricalBatch.objects.filter(sequence__isnull=True).update(sequence=0)


class Migration(migrations.Migration):

    dependencies = [
        ("applications", "0007_national_list_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="batch",
            name="sequence",
            field=models.PositiveIntegerField(null=True, verbose_name="批次序号"),
        ),
        migrations.AddField(
            model_name="historicalbatch",
            name="sequence",
            field=models.PositiveIntegerField(null=True, verbose_name="批次序号"),
        ),
        migrations.RunPython(fill_sequences, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="batch",
            name="sequence",
            field=models.PositiveIntegerField(
                blank=True, unique=True, validators=[django.core.validators.MinValueValidator(1)], verbose_name="批次序号",
                help_text="第几批，申请编号的第二段（第二批 → 2023-2-…）。创建时确定，之后不能修改；留空则取简称中的“第N批”。",
            ),
        ),
        migrations.AlterField(
            model_name="historicalbatch",
            name="sequence",
            field=models.PositiveIntegerField(
                blank=True, db_index=True, validators=[django.core.validators.MinValueValidator(1)], verbose_name="批次序号",
                help_text="第几批，申请编号的第二段（第二批 → 2023-2-…）。创建时确定，之后不能修改；留空则取简称中的“第N批”。",
            ),
        ),
        migrations.AddConstraint(
            model_name="batch",
            constraint=models.CheckConstraint(condition=models.Q(sequence__gte=1), name="batch_sequence_from_one"),
        ),
    ]
