"""Issue 17, the reviewers' pages: the ranked table marks a row whose reviews are incomplete
(e.g. 1/3) as 暂定 and does not rank it above complete ones unless asked, and its CSV, XLSX and
PDF follow the page (same order, same mark); the national application list exported as CSV and
XLSX with the page's filters; chart labels drawn at 12 px or more at any width, each chart with
its data table; the reviewers' pages without the school's print-and-upload steps, their actions
in a bar that jumps to them, the expert's running total weighing as the server does."""
import csv
import io
import re
from datetime import timedelta
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from applications.models import Status
from portal.charts import Bar, Segment, bar_chart
from portal.models import SchoolType
from review.formal_check import formal_check_decide
from review.models import Criterion
from review.rubric import rubric_ensure_default
from tests.review.national_helpers import (
    BEIJING,
    FAIR,
    GOOD,
    GUANGDONG,
    HUBEI,
    SHANDONG,
    SHANGHAI,
    SICHUAN,
    TIANJIN,
    assign,
    at_national,
    in_review,
    make_expert,
    pdf_text,
    submit_review,
)

pytestmark = pytest.mark.usefixtures("private_media")

D = Decimal


@pytest.fixture
def table(batch, staff_user):
    """Sichuan: 88 and 70 from two of two experts (mean 79, complete); Guangdong: 70 from one of
    one (complete); Hubei: 88 from one of two (暂定: the second review is missing); Shandong:
    assigned, not scored."""
    rubric_ensure_default(batch)
    bj = make_expert("expert-bj", BEIJING, "北京终身教育研究院")
    sh = make_expert("expert-sh", SHANGHAI, "上海开放大学")
    tj = make_expert("expert-tj", TIANJIN, "天津职业大学")
    sichuan, _ = in_review(batch, "四川排序职业技术学院", staff_user, SICHUAN, SchoolType.HIGHER_VOCATIONAL)
    guangdong, _ = in_review(batch, "广东排序职业学校", staff_user, GUANGDONG, SchoolType.SECONDARY_VOCATIONAL)
    hubei, _ = in_review(batch, "武汉排序职业教育中心", staff_user, HUBEI, SchoolType.VOCATIONAL_CENTER)
    shandong, _ = in_review(batch, "山东排序职业技术学院", staff_user, SHANDONG, SchoolType.HIGHER_VOCATIONAL)
    submit_review(assign(sichuan, bj, staff_user), GOOD)
    submit_review(assign(sichuan, sh, staff_user), FAIR)
    submit_review(assign(guangdong, bj, staff_user), FAIR)
    submit_review(assign(hubei, bj, staff_user), GOOD)
    assign(hubei, tj, staff_user)
    assign(shandong, sh, staff_user)
    return {"sichuan": sichuan, "guangdong": guangdong, "hubei": hubei, "shandong": shandong}


@pytest.fixture
def staff(client, staff_user):
    client.force_login(staff_user)
    return client


DEFAULT_ORDER = ("sichuan", "guangdong", "hubei", "shandong")
MIXED_ORDER = ("hubei", "sichuan", "guangdong", "shandong")


def page_rows(client, batch, **query):
    response = client.get(reverse("review:ranking"), {"batch": batch.pk, **query})
    assert response.status_code == 200
    return response, response.context["rows"]


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))[1:]


def xlsx_sheet(content: bytes):
    return load_workbook(io.BytesIO(content)).active


# ---- The ranked table: 暂定 rows ------------------------------------------------------------------

def test_a_row_with_incomplete_reviews_is_marked_and_ranked_after_the_complete_ones(staff, batch, table):
    response, rows = page_rows(staff, batch)

    # Hubei's 88 from one of two experts is not ranked above Sichuan's 79 and Guangdong's 70.
    assert [row.application.number for row in rows] == [table[k].number for k in DEFAULT_ORDER]
    assert [row.rank for row in rows] == [1, 2, 3, None]
    assert [row.provisional for row in rows] == [False, False, True, False]
    assert [(row.submitted, row.assigned) for row in rows] == [(2, 2), (1, 1), (1, 2), (0, 1)]
    html = response.content.decode()
    marked = re.findall(r'<tr class="rank-provisional">.*?</tr>', html, re.S)
    assert len(marked) == 1 and "武汉排序职业教育中心" in marked[0] and ">暂定</span>" in marked[0] and "1/2" in marked[0]
    assert "评审尚未全部提交的（如 1/3）标为“暂定”" in html and "排在评审全部完成的申请之后" in html


def test_asked_for_a_provisional_row_is_ranked_by_its_mean_still_marked(staff, batch, table):
    response, rows = page_rows(staff, batch, provisional="mixed")

    assert [row.application.number for row in rows] == [table[k].number for k in MIXED_ORDER]
    assert [row.rank for row in rows] == [1, 2, 3, None]
    assert [row.provisional for row in rows] == [True, False, False, False]
    assert "现按平均分与其他申请一同排名" in response.content.decode()


def test_the_second_review_makes_the_row_complete_and_ranks_it_by_its_mean(staff, batch, table):
    from review.models import Assignment

    submit_review(Assignment.objects.get(application=table["hubei"], expert__username="expert-tj"), GOOD)

    _response, rows = page_rows(staff, batch)

    assert [row.application.number for row in rows] == [table[k].number for k in MIXED_ORDER]
    assert [row.provisional for row in rows] == [False, False, False, False]


@pytest.mark.parametrize("query, order, ranks", [
    ({}, DEFAULT_ORDER, ["1", "2", "3（暂定）", ""]),
    ({"provisional": "mixed"}, MIXED_ORDER, ["1（暂定）", "2", "3", ""]),
])  # fmt: skip
def test_the_csv_and_xlsx_follow_the_page_in_order_and_mark(staff, batch, table, query, order, ranks):
    _response, rows = page_rows(staff, batch, **query)
    shown = [row.application.number for row in rows]
    assert shown == [table[k].number for k in order]

    response = staff.get(reverse("review:ranking_export", args=["csv"]), {"batch": batch.pk, **query})
    assert response.status_code == 200
    cells = csv_rows(response.content)
    assert [row[1] for row in cells] == shown
    assert [row[0] for row in cells] == ranks
    hubei = next(row for row in cells if row[1] == table["hubei"].number)
    assert hubei[6:8] == ["1/2", "88.00"]

    response = staff.get(reverse("review:ranking_export", args=["xlsx"]), {"batch": batch.pk, **query})
    sheet = xlsx_sheet(response.content)
    values = [row for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert [row[1] for row in values] == shown
    assert ["" if row[0] is None else str(row[0]) for row in values] == ranks
    assert "标“暂定”的 1 份申请专家评审尚未全部提交" in sheet["A2"].value


def test_the_pdf_follows_the_page_in_order_and_mark(staff, batch, table):
    for query, order, where in [({}, DEFAULT_ORDER, "排在评审全部完成的申请之后"), ({"provisional": "mixed"}, MIXED_ORDER, "按平均分与其他申请一同排名")]:
        response = staff.get(reverse("review:ranking_export", args=["pdf"]), {"batch": batch.pk, **query})
        assert response.status_code == 200
        text = pdf_text(response.content)
        assert f"标“暂定”的1份申请专家评审尚未全部提交，名次可能变化，{where}。" in text
        positions = [text.index(table[k].number) for k in order]
        assert positions == sorted(positions), query
        rank = "3（暂定）" if not query else "1（暂定）"
        assert f"{rank}{table['hubei'].number}武汉排序职业教育中心" in text


def test_a_table_without_provisional_rows_says_nothing_of_them_in_its_documents(staff, batch, table):
    response = staff.get(reverse("review:ranking_export", args=["pdf"]), {"batch": batch.pk, "province": SICHUAN})
    text = pdf_text(response.content)
    assert "筛选：四川省共1份" in text and "暂定" not in text


def test_a_junk_provisional_value_is_no_filter(staff, batch, table):
    _response, rows = page_rows(staff, batch, provisional="mixed'--")
    assert [row.application.number for row in rows] == [table[k].number for k in DEFAULT_ORDER]


# ---- The national application list: CSV and XLSX ------------------------------------------------------

@pytest.fixture
def listed(batch, staff_user):
    """Four applications at the project group: two at_national (Sichuan, Hubei), one in review
    (Guangdong) and one returned for correction (Shandong)."""
    sichuan, _ = at_national(batch, "四川列表职业技术学院", SICHUAN, SchoolType.HIGHER_VOCATIONAL)
    hubei, _ = at_national(batch, "武汉列表职业教育中心", HUBEI, SchoolType.VOCATIONAL_CENTER)
    guangdong, _ = in_review(batch, "广东列表职业学校", staff_user, GUANGDONG, SchoolType.SECONDARY_VOCATIONAL)
    shandong, _ = at_national(batch, "山东列表职业技术学院", SHANDONG, SchoolType.HIGHER_VOCATIONAL)
    formal_check_decide(application=shandong, actor=staff_user, outcome="returned", reason="请补盖公章。",
                        correction_deadline=timezone.now() + timedelta(days=7))  # fmt: skip
    return {"sichuan": sichuan, "hubei": hubei, "guangdong": guangdong, "shandong": shandong}


NATIONAL_LIST_HEADER = ["申请编号", "学校名称", "省份", "学校类型", "途径", "状态", "纸质版", "既往实验校"]


def list_page_numbers(client, batch, **query) -> list[str]:
    response = client.get(reverse("review:national_list"), {"batch": batch.pk, **query})
    assert response.status_code == 200
    return [a.number for a in response.context["page"].object_list]


@pytest.mark.parametrize("query, expected", [
    ({}, ["guangdong", "shandong", "hubei", "sichuan"]),  # by province code: 37, 42, 44, 51 — then number
    ({"status": Status.AT_NATIONAL}, ["hubei", "sichuan"]),
    ({"status": Status.RETURNED}, ["shandong"]),
    ({"q": "列表职业技术"}, ["shandong", "sichuan"]),
    ({"q": "江苏"}, []),
])  # fmt: skip
def test_the_national_list_exports_hold_the_rows_the_page_shows(staff, batch, listed, query, expected):
    shown = list_page_numbers(staff, batch, **query)
    numbers = sorted((listed[k] for k in expected), key=lambda a: (a.school.province_id, a.number))
    assert shown == [a.number for a in numbers]

    response = staff.get(reverse("review:national_list_export", args=["csv"]), {"batch": batch.pk, **query})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == NATIONAL_LIST_HEADER
    assert [row[0] for row in rows[1:]] == shown

    response = staff.get(reverse("review:national_list_export", args=["xlsx"]), {"batch": batch.pk, **query})
    assert response.status_code == 200
    sheet = xlsx_sheet(response.content)
    assert [c.value for c in sheet[3]] == NATIONAL_LIST_HEADER
    assert [row[0] for row in sheet.iter_rows(min_row=4, values_only=True)] == shown
    assert sheet["A1"].value == "第二批实验校申请列表（项目组）"
    assert sheet["A2"].value.endswith(f"共 {len(shown)} 份")


def test_the_national_list_export_cells_are_the_columns_of_the_page(staff, batch, listed):
    response = staff.get(reverse("review:national_list_export", args=["csv"]), {"batch": batch.pk, "status": Status.RETURNED})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1] == [listed["shandong"].number, "山东列表职业技术学院", "山东省", "高等职业院校", "直接向项目组申报", "退回修改", "不需要", ""]
    response = staff.get(reverse("review:national_list_export", args=["xlsx"]), {"batch": batch.pk, "status": Status.RETURNED, "q": "山东"})
    assert xlsx_sheet(response.content)["A2"].value == "筛选：退回修改、搜索“山东”　共 1 份"


def test_the_national_list_page_links_its_exports_with_its_filters(staff, batch, listed):
    html = staff.get(reverse("review:national_list"), {"batch": batch.pk, "status": Status.AT_NATIONAL}).content.decode()
    url = reverse("review:national_list_export", args=["csv"])
    assert f'href="{url}?batch={batch.pk}&amp;status=at_national"' in html
    assert "导出筛选出的全部 2 份" in html


# ---- Charts ----------------------------------------------------------------------------------------

def elements(svg, tag: str) -> list[ElementTree.Element]:
    # Inline SVG in HTML carries no xmlns: its tags parse without a namespace.
    return [e for e in svg.iter() if e.tag.rsplit("}", 1)[-1] == tag]


def chart_svgs(html: str) -> list[ElementTree.Element]:
    return [ElementTree.fromstring(svg) for svg in re.findall(r'<svg width="100%"[^>]*class="chart-svg".*?</svg>', html, re.S)]


def test_chart_labels_are_drawn_at_12_px_or_more_at_any_width(staff, batch, listed):
    html = staff.get(reverse("review:national_home"), {"batch": batch.pk}).content.decode()
    svgs = chart_svgs(html)
    assert len(svgs) == 3
    for svg in svgs:
        # No viewBox: the drawing is not scaled to the screen, one unit is one CSS pixel.
        assert svg.get("viewBox") is None and svg.get("width") == "100%"
        sizes = [float(t.get("font-size")) for t in elements(svg, "text")]
        assert sizes and min(sizes) >= 12
        for rect in elements(svg, "rect"):
            assert rect.get("x").endswith("%") and rect.get("width").endswith("%")
            assert float(rect.get("x")[:-1]) + float(rect.get("width")[:-1]) <= 100


def test_every_chart_keeps_its_data_table(staff, batch, listed):
    html = staff.get(reverse("review:national_home"), {"batch": batch.pk}).content.decode()
    figures = re.findall(r'<figure class="chart.*?</figure>', html, re.S)
    assert len(figures) == 3
    for figure in figures:
        labels = re.findall(r'<text x="0"[^>]*class="chart-label">([^<]*)</text>', figure)
        table = re.search(r"<summary>查看数据</summary>\s*<table.*?</table>", figure, re.S).group(0)
        assert labels and re.findall(r'<th scope="row">([^<]*)</th>', table) == labels


def test_bars_keep_their_proportions_in_percent():
    chart = bar_chart("测试", [Bar("甲", [Segment("一", 30, "fill-primary"), Segment("二", 10, "fill-info")]), Bar("乙", [Segment("一", 20, "fill-primary")])])
    first, second = chart.bars
    assert [p["width"] for p in first.pieces] == [63.75, 21.25] and first.end == 85.0
    assert [p["x"] for p in first.pieces] == [0, 63.75]
    assert second.pieces[0]["width"] == 42.5
    assert (first.y, second.y) == (0, 47) and chart.height == 94


# ---- The reviewers' application pages --------------------------------------------------------------

SCHOOL_STEPS = ("打印，由负责人签字，加盖单位公章并请上级主管部门盖章。", "八、打印、签章与上传扫描件")


def test_the_province_page_has_its_actions_in_the_bar_and_not_the_schools_steps(client, submitted_a, zhejiang_reviewer):
    client.force_login(zhejiang_reviewer)
    html = client.get(reverse("review:province_application", args=[submitted_a.pk])).content.decode()
    bar = re.search(r'<nav class="review-actions" aria-label="省级办理">.*?</nav>', html, re.S).group(0)
    links = re.findall(r'href="#([^"]+)">([^<]+)</a>', bar)
    assert links == [("act-province_recommend", "推荐"), ("act-province_return", "退回修改"), ("act-province_decline", "不予推荐"), ("act-paper", "纸质版")]
    for anchor, _label in links:
        assert f'id="{anchor}"' in html
    assert "签字盖章扫描件" in html
    for step in SCHOOL_STEPS:
        assert step not in html


def test_the_school_still_reads_its_print_and_upload_steps(client, complete_application_a, user_a):
    client.force_login(user_a)
    html = client.get(reverse("applications:edit", args=[complete_application_a.pk])).content.decode()
    for step in SCHOOL_STEPS:
        assert step in html


def test_the_project_groups_page_jumps_to_the_formal_check_and_has_no_school_steps(staff, batch, listed):
    html = staff.get(reverse("review:national_application", args=[listed["sichuan"].pk])).content.decode()
    bar = re.search(r'<nav class="review-actions" aria-label="项目组办理">.*?</nav>', html, re.S).group(0)
    assert re.findall(r'href="#([^"]+)">([^<]+)</a>', bar) == [("fc-heading", "形式审查")]
    for step in SCHOOL_STEPS:
        assert step not in html

    html = staff.get(reverse("review:national_application", args=[listed["guangdong"].pk])).content.decode()
    bar = re.search(r'<nav class="review-actions" aria-label="项目组办理">.*?</nav>', html, re.S).group(0)
    assert re.findall(r'href="#([^"]+)">([^<]+)</a>', bar) == [("as-heading", "分配专家")]


def test_the_score_form_carries_the_weights_the_running_total_uses(client, batch, staff_user):
    rubric_ensure_default(batch)
    expert = make_expert("expert-bj", BEIJING, "北京终身教育研究院")
    application, _ = in_review(batch, "四川合计职业技术学院", staff_user, SICHUAN)
    assignment = assign(application, expert, staff_user)
    client.force_login(expert)
    url = reverse("review:expert_score", args=[assignment.pk])

    html = client.get(url).content.decode()
    inputs = re.findall(r'<input[^>]*name="score-\d+"[^>]*>', html)
    weights = {re.search(r'name="score-(\d+)"', i).group(1): re.search(r'data-weight="([^"]+)"', i).group(1) for i in inputs}
    criteria = list(Criterion.objects.filter(rubric__batch=batch))
    assert weights == {str(c.pk): str(c.weight) for c in criteria}
    assert "<strong data-score-total>—</strong> / 100" in html
    assert "js/score-total.js" in html
    # The buttons sit in the bar with the total (reachable at once), once each.
    assert html.count('value="submit"') == 1 and html.count('value="save"') == 1
