"""The province's 推荐汇总表 (rank, school, type, projects chosen, lead and contact), as PDF for
sealing and as XLSX for 抄报 to the provincial education department."""
import csv
import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, Side

from applications.models import Application, ProjectCategory, ProvincialWindow, Route, Status
from applications.selectors import LONG_TEXT_FIELDS
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
            rank=a.provincial_review.rank, school=a.applicant_name, school_type=a.school.get_school_type_display(),
            projects=project_names(a), lead_name=a.lead_name, lead_title=a.lead_title, lead_mobile=a.lead_mobile,
            liaison_name=a.liaison_name, liaison_mobile=a.liaison_mobile, number=a.number,
        )  # fmt: skip
        for a in applications
    ]


def summary_pdf(window: ProvincialWindow, rows: list[SummaryRow], *, forwarded_at: datetime | None = None) -> bytes:
    """The 推荐汇总表 as PDF/A: the province seals it and 抄报 the provincial education department,
    and the stored copy of a forwarded set is the archived one."""
    return render_pdf(
        "review/pdf/summary.html",
        {"window": window, "batch": window.batch, "rows": rows, "columns": SUMMARY_COLUMNS,
         "forwarded_at": forwarded_at, "generated_at": timezone.localtime()},
        stylesheets=("css/print.css", "css/print-landscape.css"), archival=True,
    )  # fmt: skip


def summary_xlsx(window: ProvincialWindow, rows: list[SummaryRow]) -> bytes:
    subtitle = f"依据：{window.batch.document_number}" + (f"、{window.forwarding_number}" if window.forwarding_number else "")
    return table_xlsx(
        title=f"{window.association.name} {window.batch.short_name}推荐汇总表",
        subtitle=subtitle,
        header=SUMMARY_COLUMNS,
        rows=[row.cells() for row in rows],
        widths=(8, 30, 14, 40, 10, 12, 14, 10, 14, 18),
        sheet_name="推荐汇总表",
    )


# Scores (Decimal) are stored in the worksheet as numbers shown with two decimals, so that Excel
# sorts and sums them; text that only looks like a number (a mobile, an application number) stays text.
SCORE_NUMBER_FORMAT = "0.00"


def _xlsx_value(value):
    """What a cell stores: a Decimal or float as a number (its cell gets SCORE_NUMBER_FORMAT); text
    without the control characters a worksheet cannot hold (Word pastes \x0b); the rest as it is."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def table_xlsx(*, title: str, subtitle: str, header, rows, widths=(), sheet_name: str = "Sheet1") -> bytes:
    """One worksheet made for Excel users: a title line, a subtitle line, a bold bordered header
    with an auto-filter, then the rows (scores and counts as numbers). Printed landscape, fitted to
    the page's width, the header repeated on every page."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name[:31]
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append([subtitle])
    sheet.append(list(header))
    header_row = sheet.max_row
    thin = Side(style="thin")
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    for row in rows:
        sheet.append([_xlsx_value(value) for value in row])
        for cell, value in zip(sheet[sheet.max_row], row):
            # Text starting with "=" stays text, never a live formula.
            if cell.data_type == "f":
                cell.data_type = "s"
            elif isinstance(value, (Decimal, float)):
                cell.number_format = SCORE_NUMBER_FORMAT
    last_column = sheet.cell(row=header_row, column=len(header)).column_letter
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=header_row, column=index).column_letter].width = width
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.auto_filter.ref = f"A{header_row}:{last_column}{max(sheet.max_row, header_row)}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    # Fit every column on the page's width; as many pages down as the rows need (0: no limit).
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_csv(header, rows) -> bytes:
    """CSV in UTF-8 with a byte-order mark, so that Excel on Chinese Windows opens it correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    # A spreadsheet program opening the file would run a cell starting with = + - @ as a formula:
    # such text gets a leading apostrophe, which marks it as text.
    writer.writerows([f"'{value}" if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")) else value for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# ---- National review documents ----------------------------------------------------------

CENT = Decimal("0.01")
RANKING_COLUMNS = ("名次", "申请编号", "学校名称", "省份", "学校类型", "具体实施项目", "评审数", "平均分", "极差", "分歧", "状态")


PROVISIONAL_MARK = "暂定"


def rank_text(row) -> str | int:
    """The 名次 as the page shows it: a provisional row's (reviews incomplete) carries 暂定."""
    if row.rank is None:
        return ""
    return f"{row.rank}（{PROVISIONAL_MARK}）" if row.provisional else row.rank


def ranking_cells(rows) -> list[tuple]:
    """Exactly the columns the ranked table shows, one tuple per row, in the page's order."""
    return [
        (
            rank_text(row), row.application.number, row.application.applicant_name, row.application.school.province.name,
            row.application.school.get_school_type_display(), project_names(row.application),
            # Scores as numbers to the cent (Decimal): the XLSX stores numbers, the CSV and PDF print "93.50".
            f"{row.submitted}/{row.assigned}", "" if row.score.mean is None else row.score.mean.quantize(CENT),
            "" if row.score.spread is None else row.score.spread.quantize(CENT), "分歧较大" if row.score.disagree else "",
            row.application.get_status_display(),
        )  # fmt: skip
        for row in rows
    ]


def provisional_note(rows, *, mixed: bool) -> str:
    """What the page, the PDF and the XLSX say about the 暂定 rows among `rows` ("" when none)."""
    count = sum(1 for row in rows if row.provisional)
    if not count:
        return ""
    where = "按平均分与其他申请一同排名" if mixed else "排在评审全部完成的申请之后"
    return f"标“{PROVISIONAL_MARK}”的 {count} 份申请专家评审尚未全部提交，名次可能变化，{where}。"


def ranking_pdf(batch, rows, *, filters_label: str, provisional_mixed: bool = False) -> bytes:
    return render_pdf(
        "review/pdf/ranking.html",
        {"batch": batch, "columns": RANKING_COLUMNS, "cells": ranking_cells(rows), "filters_label": filters_label,
         "provisional_note": provisional_note(rows, mixed=provisional_mixed), "generated_at": timezone.localtime()},
        stylesheets=("css/print.css", "css/print-landscape.css"),
    )  # fmt: skip


def score_sheet_pdf(review, criteria, scores: dict[int, object]) -> bytes:
    """An expert's score sheet: the criteria with their points, the comment and a line to sign."""
    assignment = review.assignment
    return render_pdf(
        "review/pdf/score_sheet.html",
        {"review": review, "assignment": assignment, "application": assignment.application, "expert": assignment.expert,
         "rows": [(c, scores.get(c.pk)) for c in criteria], "generated_at": timezone.localtime()},
    )  # fmt: skip


def selected_groups(batch, *, names_only: bool = False, province=None, school_type: str = "", q: str = "") -> list[tuple[str, list[tuple[str, list[Application]]]]]:
    """The selected schools grouped by province (in code order), then by school type. The list
    for 备案 shows numbers, leads and projects; the public page only the names (`names_only`:
    nothing else is read, for 320 schools on a page anyone may open). The public page's filters:
    one `province`, one `school_type`, `q` a part of the name the list shows."""
    from portal.models import SchoolType

    applications = (
        Application.objects.filter(batch=batch, status=Status.SELECTED)
        .select_related("school__province")
        .order_by("school__province_id", "school__school_type", "school__name")
    )
    if province is not None:
        applications = applications.filter(school__province=province)
    if school_type:
        applications = applications.filter(school__school_type=school_type)
    if q:
        # The name shown is the one submitted (a selected application is no longer editable),
        # the profile's where none was stored (Application.applicant_name).
        applications = applications.filter(Q(submitted_school_name__icontains=q) | Q(submitted_school_name="", school__name__icontains=q))
    if names_only:
        applications = applications.only("status", "submitted_school_name", "school__name", "school__school_type", "school__province__name")
    else:
        applications = applications.defer(*LONG_TEXT_FIELDS).prefetch_related(
            Prefetch("projects", queryset=ProjectCategory.objects.order_by("position"))
        )
    groups: dict[str, dict[str, list[Application]]] = {}
    for application in applications:
        by_type = groups.setdefault(application.school.province.name, {})
        by_type.setdefault(application.school.get_school_type_display(), []).append(application)
    order = [label for _value, label in SchoolType.choices]
    return [(province, sorted(by_type.items(), key=lambda item: order.index(item[0]))) for province, by_type in groups.items()]


def selected_list_pdf(batch, *, for_filing: bool, filters: dict | None = None, filters_label: str = "") -> bytes:
    """The 实验校名单: for 备案 with the CAEA (numbers, leads and contacts), or for publication
    (names only; the public page's `filters`, named by `filters_label`, give a part of it)."""
    groups = selected_groups(batch) if for_filing else selected_groups(batch, names_only=True, **(filters or {}))
    return render_pdf(
        "review/pdf/selected_list.html",
        {"batch": batch, "groups": groups, "for_filing": for_filing, "filters_label": filters_label, "generated_at": timezone.localtime()},
        stylesheets=("css/print.css",) if not for_filing else ("css/print.css", "css/print-landscape.css"), archival=for_filing,
    )  # fmt: skip
