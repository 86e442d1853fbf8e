"""The selection rubric a batch starts with, from the notice's 申报基本条件."""
from decimal import Decimal

from applications.models import Batch
from review.models import Criterion, Rubric


# The notice's 申报基本条件 (有意愿, 有组织, 有项目, 有团队, 有协调能力) and the quality of the 实验方案:
# 100 points in all, every weight 1. Staff adjust it per batch in admin.
DEFAULT_RUBRIC = (
    ("有意愿", "有强烈的实验愿望和积极性，愿意接受中国成人教育协会的指导和项目组的管理。", 10),
    ("有组织", "得到当地教育主管部门的同意和支持，成立由学校主管部门牵头的项目领导小组。", 15),
    ("有项目", "有明确的具体实施项目（1–2 个），能自行组织力量实施项目、自行解决项目经费。", 15),
    ("有团队", "成立由副校长任负责人的项目小组，成员不少于 3 人，分工明确，能参与项目组活动。", 15),
    ("有协调能力", "能发动全域参与项目实施，发挥自身优势积极开展活动，能完成项目组交办的任务。", 15),
    ("实验方案质量", "名称、内容、步骤、目标、特色完整清晰，切实可行，特色鲜明，不少于 2000 字。", 30),
)


def rubric_ensure_default(batch: Batch):
    """The batch's rubric, created from DEFAULT_RUBRIC when it has none."""
    rubric, created = Rubric.objects.get_or_create(batch=batch)
    if created or not rubric.criteria.exists():
        Criterion.objects.bulk_create(
            Criterion(rubric=rubric, position=i, name=name, description=text, max_points=Decimal(points), weight=Decimal(1))
            for i, (name, text, points) in enumerate(DEFAULT_RUBRIC)
        )
    return rubric
