"""The notice's 具体实施项目, in its order; 其它 asks for the project's own name."""
from django.db import migrations

from applications.reference import CATEGORIES, ensure_project_categories


def add_categories(apps, schema_editor):
    ensure_project_categories(apps.get_model("applications", "ProjectCategory"))


def remove_categories(apps, schema_editor):
    apps.get_model("applications", "ProjectCategory").objects.filter(code__in=[c for c, _n, _o in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("applications", "0002_initial")]
    operations = [migrations.RunPython(add_categories, remove_categories)]
