"""Helpers of the 年度工作报告 tests: a report filled in completely through the service, and the
figures it carries."""
from programme import reports
from programme.models import AnnualReport, ReachedGroup, reached_field

# A year's numbers by group, in the notice's order: 社区居民, 乡村居民, 老年人, 在职人员, 城乡待业人员,
# 进城务工人员及新市民, 其它.
NUMBERS = (1200, 800, 650, 300, 120, 90, 0)


def complete_values(numbers=NUMBERS, **changes) -> dict:
    values = {reached_field(group): n for group, n in zip(ReachedGroup.values, numbers)}
    values.update(
        reached_other_note="",
        courses_resources="建设《社区老年人智能手机应用》等线上课程 6 门，编写乡村电商实训教材 1 本。",
        training="面向社区工作者开展培训 4 期，共 260 人次。",
        problems="乡村学习点网络条件不足，部分课程只能线下开展。",
        next_plan="新增 3 个乡村学习点，完成 10 门课程的线上化。",
    )
    values.update(changes)
    return values


def fill(report: AnnualReport, user, numbers=NUMBERS, **changes) -> AnnualReport:
    """Save every part of the report (each project's work included) as the school would."""
    work = {row.pk: f"{row.project_name}：依托社区学院开展讲座 12 场，服务居民 1500 人次。" for row in report.project_work.all()}
    return reports.report_save_draft(report=report, values=complete_values(numbers, **changes), work=work, actor=user,
                                     expected_revision=AnnualReport.objects.get(pk=report.pk).revision)  # fmt: skip
