"""The notice's 具体实施项目, in its order; 其它 asks for the project's own name."""
from django.db import migrations

CATEGORIES = [
    ("community-governance", "职业教育融入社区（乡村）治理", False),
    ("rural-revitalisation", "职业教育助力乡村振兴", False),
    ("elderly-education", "老年教育赋能提质", False),
    ("continuing-education", "在职人员继续教育", False),
    ("employment-training", "城乡待业人员就业培训", False),
    ("migrant-workers", "进城务工人员及新市民的素质提升培训", False),
    ("other", "其它", True),
]


def add_categories(apps, schema_editor):
    ProjectCategory = apps.get_model("applications", "ProjectCategory")
    for position, (code, name, is_other) in enumerate(CATEGORIES):
        ProjectCategory.objects.update_or_create(
            code=code, defaults={"name": name, "position": position, "is_other": is_other}
        )


def remove_categories(apps, schema_editor):
    apps.get_model("applications", "ProjectCategory").objects.filter(code__in=[c for c, _n, _o in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("applications", "0002_initial")]
    operations = [migrations.RunPython(add_categories, remove_categories)]
