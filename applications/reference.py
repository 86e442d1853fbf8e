"""What the notice itself says that the portal shows or stores as it is.

Its 具体实施项目, in its order (其它 asks for the project's own name), seeded by a data migration;
`ensure_project_categories` restores them where a test flushed the database. Its 申报基本条件 (七、1–7)."""

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


# 七、申报基本条件, in the notice's words, shown to applicants on the home page and the form (through
# the {% basic_conditions %} tag). Quoted as the notice prints them, its slips included (条件 4:
# 参与项目组的的活动).
BASIC_CONDITIONS_INTRO = "为确保项目顺利实施，各实验校必须具备以下基本条件："
BASIC_CONDITIONS = (
    "有意愿：有强烈的实验愿望和积极性，并接受中国成人教育协会的指导和项目组的管理。",
    "有组织：应得到当地教育主管部门的同意，并得到当地政府和教育部门的重视和支持，成立由学校主管部门牵头的项目领导小组。",
    "有项目：应有明确的具体项目，能自行组织力量实施项目，能自行解决项目经费。",
    "有团队：应成立由副校长为项目负责人的项目小组，项目小组成员至少 3 人以上，参与项目组的的活动，组织开展工作。",
    "有协调能力：能发动全域参与项目实施，并能发挥自身优势，积极开展活动，能承担并能完成项目实施和完成项目组交办的其它任务。",
    "愿意接受项目组在项目实施、项目团队培训等方面的指导、支持和服务。",
    "连续两次不参与项目组活动视为退出，实验校有退出项目实施的权力。",
)


# The notice's own text, shipped as a static file for the home page's download (static/downloads/):
# by the batch's 文号. The copy is the repo's source of truth as forwarded by the Zhejiang association
# (浙成职协〔2023〕6号, with 中成协〔2023〕010号 and its 实验校资格申请表), unchanged.
NOTICE_DOWNLOADS = {
    "中成协〔2023〕010号": ("downloads/notice-2023-010.txt", "关于申报“职业院校服务全民终身学习项目”第二批实验校的通知.txt"),
}
