"""The XLSX exports made for Excel users (issue 17): scores and counts stored as numbers (a mean of
"93.50" stored as text can be neither sorted nor summed), scores shown with two decimals; an
auto-filter on the header row; the header repeated on every printed page; landscape, fitted to
the page's width. Every XLSX of the portal is made by review.documents.table_xlsx (the one
Workbook outside the tests and the scale seeder's import sample): the ranking, the 推荐汇总表, the
实验校 list, an activity's registrations and the report totals are read back here."""
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from review.documents import table_xlsx
from review.provincial import province_forward
from tests.review.test_forwarding import decided  # noqa: F401 (the fixture: Zhejiang's recommended set)
from tests.review.test_national_ranking import table  # noqa: F401 (the fixture)

pytestmark = pytest.mark.usefixtures("private_media")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sheet_of(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def assert_made_for_excel(sheet, columns: int, rows: int):
    """Header on row 3 under the title and subtitle: filtered, repeated when printed; landscape A4
    fitted to one page wide."""
    last = sheet.cell(row=3, column=columns).column_letter
    assert sheet.auto_filter.ref == f"A3:{last}{3 + rows}"
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9  # A4 (ECMA-376 paper size code)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.freeze_panes == "A4"


def test_the_ranking_stores_ranks_and_scores_as_numbers(client, staff_user, batch, table):  # noqa: F811
    client.force_login(staff_user)
    response = client.get(reverse("review:ranking_export", args=["xlsx"]), {"batch": batch.pk})
    assert (response.status_code, response["Content-Type"]) == (200, XLSX)
    sheet = sheet_of(response.content)
    header = [cell.value for cell in sheet[3]]
    assert header == ["名次", "申请编号", "学校名称", "省份", "学校类型", "具体实施项目", "评审数", "平均分", "极差", "分歧", "状态"]
    rank, number, _school, _province, _type, _projects, reviews, mean, spread, _flag, _status = sheet[5]  # Hubei: 2nd
    assert (rank.value, rank.data_type) == (2, "n")
    assert (mean.value, mean.data_type, mean.number_format) == (79.0, "n", "0.00")
    assert (spread.value, spread.data_type, spread.number_format) == (18.0, "n", "0.00")
    # What only looks like a number stays text: the application number, "2/2" reviews.
    assert (number.value, number.data_type) == (table["hubei"].number, "s")
    assert (reviews.value, reviews.data_type) == ("2/2", "s")
    # Shandong is not scored yet: no rank, no mean (empty cells, not "0" or "").
    assert [sheet.cell(row=7, column=c).value for c in (1, 8, 9)] == [None, None, None]
    assert [sheet.cell(row=r, column=8).value for r in (4, 5, 6)] == [88.0, 79.0, 70.0]
    assert_made_for_excel(sheet, columns=11, rows=4)


def test_the_ranking_csv_and_pdf_still_print_two_decimals(client, staff_user, batch, table):  # noqa: F811
    client.force_login(staff_user)
    csv_text = client.get(reverse("review:ranking_export", args=["csv"]), {"batch": batch.pk}).content.decode("utf-8-sig")
    assert ",2/2,79.00,18.00,," in csv_text


def test_the_summary_stores_ranks_as_numbers_and_mobiles_as_text(zhejiang_window, zhejiang_reviewer, decided):  # noqa: F811
    forwarding = province_forward(window=zhejiang_window, actor=zhejiang_reviewer)
    with forwarding.summary_xlsx.open("rb") as stored:
        sheet = sheet_of(stored.read())
    rows = sheet.max_row - 3
    assert rows >= 2
    for row in sheet.iter_rows(min_row=4):
        assert row[0].data_type == "n" and isinstance(row[0].value, int)
        assert row[6].data_type == "s" and len(row[6].value) == 11  # 负责人手机 keeps its digits as typed
    assert [sheet.cell(row=r, column=1).value for r in range(4, 4 + rows)] == list(range(1, rows + 1))
    assert_made_for_excel(sheet, columns=10, rows=rows)


def test_an_empty_table_still_filters_and_prints_its_header():
    sheet = sheet_of(table_xlsx(title="标题", subtitle="筛选：全部", header=("名次", "平均分"), rows=[]))
    assert_made_for_excel(sheet, columns=2, rows=0)


def test_decimals_become_numbers_and_text_stays_text():
    from decimal import Decimal

    sheet = sheet_of(table_xlsx(title="t", subtitle="s", header=("a", "b", "c", "d"),
                                rows=[(Decimal("93.50"), 3, "=SUM(A1)", "13800000000")]))  # fmt: skip
    a, b, c, d = sheet[4]
    assert (a.value, a.data_type, a.number_format) == (93.5, "n", "0.00")
    assert (b.value, b.data_type) == (3, "n")
    assert (c.value, c.data_type) == ("=SUM(A1)", "s")  # never a live formula
    assert (d.value, d.data_type) == ("13800000000", "s")


def test_the_experiment_schools_and_totals_keep_their_counts_as_numbers(client, staff_user, db):
    client.force_login(staff_user)
    response = client.get(reverse("programme:staff_schools_xlsx"))
    assert (response.status_code, response["Content-Type"]) == (200, XLSX)
    assert_made_for_excel(sheet_of(response.content), columns=16, rows=0)
    response = client.get(reverse("programme:report_totals_xlsx", args=["group"]))
    sheet = sheet_of(response.content)
    total = sheet.cell(row=sheet.max_row, column=2)
    assert (sheet.cell(row=sheet.max_row, column=1).value, total.value, total.data_type) == ("合计", 0, "n")
    assert_made_for_excel(sheet, columns=2, rows=sheet.max_row - 3)
