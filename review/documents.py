"""The province's 推荐汇总表 (rank, school, type, projects chosen, lead and contact), as PDF for
sealing and as XLSX for 抄报 to the provincial education department."""
import io
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from applications.models import Application, ProjectCategory, ProvincialWindow, Route, Status
from portal.pdf import render_pdf

SUMMARY_COLUMNS = ("推荐排名", "学校名称", "学校类型", "具体实施项目", "负责人", "职务", "负责人手机", "项目对接人", "对接人手机", "申请编号")


@dataclass(frozen=True)
class SummaryRow:
    rank: int
    school: str
    school_type: str
    projects: str
    lead_name: str
    lead_title: str
    lead_mobile: str
    liaison_name: str
    liaison_mobile: str
    number: str

    def cells(self) -> tuple:
        return (self.rank, self.school, self.school_type, self.projects, self.lead_name, self.lead_title,
                self.lead_mobile, self.liaison_name, self.liaison_mobile, self.number)  # fmt: skip


def project_names(application: Application) -> str:
    names = []
    for category in application.projects.all():
        names.append(f"其它（{application.other_project_name}）" if category.is_other else category.name)
    return "；".join(names)


def recommendation_rows(window: ProvincialWindow) -> list[SummaryRow]:
    """The window's recommended applications (before or after forwarding), in rank order."""
    applications = (
        Application.objects.filter(
            batch=window.batch, school__province=window.association.province, route=Route.PROVINCIAL,
            status__in=[Status.RECOMMENDED, Status.AT_NATIONAL, Status.IN_EXPERT_REVIEW, Status.SCORED,
                        Status.SELECTED, Status.NOT_SELECTED, Status.REJECTED],
            provincial_review__rank__isnull=False,
        )
        .select_related("school", "provincial_review")
        .prefetch_related(Prefetch("projects", queryset=ProjectCategory.objects.order_by("position")))
        .order_by("provincial_review__rank")
    )  # fmt: skip
    return [
        SummaryRow(
            rank=a.provincial_review.rank, school=a.school.name, school_type=a.school.get_school_type_display(),
            projects=project_names(a), lead_name=a.lead_name, lead_title=a.lead_title, lead_mobile=a.lead_mobile,
            liaison_name=a.liaison_name, liaison_mobile=a.liaison_mobile, number=a.number,
        )  # fmt: skip
        for a in applications
    ]


def summary_pdf(window: ProvincialWindow, rows: list[SummaryRow], *, forwarded_at: datetime | None = None) -> bytes:
    return render_pdf(
        "review/pdf/summary.html",
        {"window": window, "batch": window.batch, "rows": rows, "columns": SUMMARY_COLUMNS,
         "forwarded_at": forwarded_at, "generated_at": timezone.localtime()},
        stylesheets=("css/print.css", "css/print-landscape.css"),
    )  # fmt: skip


def summary_xlsx(window: ProvincialWindow, rows: list[SummaryRow]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "推荐汇总表"
    title = f"{window.association.name} {window.batch.short_name}推荐汇总表"
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(SUMMARY_COLUMNS))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append([f"依据：{window.batch.document_number}" + (f"、{window.forwarding_number}" if window.forwarding_number else "")])
    sheet.append(list(SUMMARY_COLUMNS))
    thin = Side(style="thin")
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    for row in rows:
        sheet.append(list(row.cells()))
    widths = (8, 30, 14, 40, 10, 12, 14, 10, 14, 18)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=3, column=index).column_letter].width = width
    sheet.freeze_panes = "A4"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
