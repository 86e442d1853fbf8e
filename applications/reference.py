"""The notice's 具体实施项目, in its order; 其它 asks for the project's own name. Seeded by a data
migration; `ensure_project_categories` restores them where a test flushed the database."""

CATEGORIES = [
    ("community-governance", "职业教育融入社区（乡村）治理", False),
    ("rural-revitalisation", "职业教育助力乡村振兴", False),
    ("elderly-education", "老年教育赋能提质", False),
    ("continuing-education", "在职人员继续教育", False),
    ("employment-training", "城乡待业人员就业培训", False),
    ("migrant-workers", "进城务工人员及新市民的素质提升培训", False),
    ("other", "其它", True),
]


def ensure_project_categories(category_model=None) -> None:
    if category_model is None:
        from applications.models import ProjectCategory as category_model
    for position, (code, name, is_other) in enumerate(CATEGORIES):
        category_model.objects.update_or_create(code=code, defaults={"name": name, "position": position, "is_other": is_other})
