"""The 31 provincial-level divisions of mainland China with their GB/T 2260 codes, plus
新疆生产建设兵团 (code 660000, as used in education statistics)."""
from django.db import migrations

from portal.reference import PROVINCES, ensure_provinces


def add_provinces(apps, schema_editor):
    ensure_provinces(apps.get_model("portal", "Province"))


def remove_provinces(apps, schema_editor):
    apps.get_model("portal", "Province").objects.filter(code__in=[c for c, _ in PROVINCES]).delete()


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]
    operations = [migrations.RunPython(add_provinces, remove_provinces)]
