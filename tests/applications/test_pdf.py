"""The application PDF: what a reviewer reads on paper must hold every value the school typed,
the notice's labels, the number and version code on every page, and fonts that print Chinese."""
import io
import re
from datetime import date

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from applications.documents import application_pdf
from applications.forms import PLEDGE_TEXT
from portal.pdf import missing_glyphs
from tests.conftest import PASSWORD, complete_fields

# The notice's own labels of the 实验校资格申请表, in the order they appear on the form.
FORM_LABELS = [
    "实验校资格申请表", "学校名称", "负责人", "职务", "手机", "项目对接人", "单位地址", "项目小组成员",
    "具体实施项目", "实验方案", "含名称、内容、步骤、目标、特色等，至少2000字", "单位承诺书", "负责人签字",
    "单位意见（公章）", "上级主管部门意见", "单位盖章", "项目组意见", "年月日",
]  # fmt: skip
PROJECT_LABELS = [
    "职业教育融入社区（乡村）治理", "职业教育助力乡村振兴", "老年教育赋能提质", "在职人员继续教育",
    "城乡待业人员就业培训", "进城务工人员及新市民的素质提升培训", "其它",
]  # fmt: skip


def squeeze(text: str) -> str:
    """Text without white space: the PDF wraps long values across lines."""
    return re.sub(r"\s+", "", text)


def read_pdf(data: bytes):
    reader = PdfReader(io.BytesIO(data))
    pages = [page.extract_text() for page in reader.pages]
    return reader, pages


def embedded_font_names(reader) -> set[str]:
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descendant = descendant.get_object()
                descriptor = descendant.get("/FontDescriptor")
                if descriptor is not None and any(k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    names.add(str(descendant["/BaseFont"]))
    return names


def test_pdf_holds_every_value_entered_and_the_notice_labels(complete_application_a):
    application = complete_application_a
    reader, pages = read_pdf(application_pdf(application))
    text = squeeze("".join(pages))

    values = [v for k, v in complete_fields().items() if isinstance(v, str)]
    values += [application.school.name, application.school.address, application.number, application.version_code]
    values += [row.name for row in application.team.all()] + [row.mobile for row in application.team.all()]
    values += [row.duty for row in application.team.all()] + [row.department for row in application.team.all()]
    for value in values:
        assert squeeze(value) in text, value
    for label in FORM_LABELS + PROJECT_LABELS:
        assert squeeze(label) in text, label
    assert squeeze(PLEDGE_TEXT) in text


def test_pdf_ticks_exactly_the_chosen_projects(complete_application_a):
    _reader, pages = read_pdf(application_pdf(complete_application_a))
    text = squeeze("".join(pages))
    # A tick (√) stands in the box right before each chosen category, and only there.
    assert text.count("√") == 2
    assert "√职业教育助力乡村振兴" in text
    assert "√老年教育赋能提质" in text


def checkbox_squares(reader) -> list[tuple[float, float, float, float]]:
    """The 具体实施项目 boxes as drawn on page 1: (x, y, width, height) of each small square.
    WeasyPrint draws a bordered box as two rectangles (outer and inner edge of its border) filled
    even-odd; the inner one is taken."""
    page = reader.pages[0]
    operations = ContentStream(page.get_contents(), reader).operations
    squares = []
    for (inner, operator), (_outer, next_operator) in zip(operations, operations[1:]):
        if operator == next_operator == b"re":
            x, y, width, height = (float(value) for value in inner)
            if abs(width - height) < 0.01 and width < 20:  # 3.4 mm ≈ 12.9 px
                squares.append((x, y, width, height))
    return squares


def test_ticked_and_empty_boxes_are_drawn_alike(complete_application_a):
    # A ticked box once sat lower on its line than the empty ones beside it.
    reader, _pages = read_pdf(application_pdf(complete_application_a))
    squares = checkbox_squares(reader)
    assert len(squares) == len(PROJECT_LABELS)
    assert len({(round(width, 2), round(height, 2)) for _x, _y, width, height in squares}) == 1
    # Lines of text are about 25 px apart; boxes less than 10 px apart stand on the same line.
    rows: list[list[float]] = []
    for y in sorted(y for _x, y, _width, _height in squares):
        if rows and y - rows[-1][0] < 10:
            rows[-1].append(y)
        else:
            rows.append([y])
    assert len(rows) == 3 and all(max(row) - min(row) < 0.01 for row in rows), rows


def test_every_page_carries_the_number_and_version_code(complete_application_a):
    application = complete_application_a
    reader, pages = read_pdf(application_pdf(application))
    assert len(pages) >= 2  # the 2,000-字 plan alone runs over a page
    for number, page_text in enumerate(pages, start=1):
        assert application.number in page_text
        assert f"版本码 {application.version_code}" in page_text
        assert f"第 {number} 页" in page_text and f"共 {len(pages)} 页" in page_text


def test_pdf_is_a4_with_its_one_cjk_font_embedded_and_no_missing_glyph(complete_application_a):
    reader, pages = read_pdf(application_pdf(complete_application_a))
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)
    fonts = embedded_font_names(reader)
    # One typeface, Noto Serif CJK SC in its regular weight (print.css): each further face is
    # another font file subset and embedded in every PDF.
    assert {name.split("+", 1)[-1] for name in fonts} == {"Noto-Serif-CJK-SC"}, fonts
    assert missing_glyphs("".join(pages)) == set()


def test_draft_watermark_until_the_content_is_complete(complete_application_a):
    _r, final_pages = read_pdf(application_pdf(complete_application_a))
    assert all("草稿" not in page for page in final_pages)

    # One missing opinion makes the content incomplete again: every page says 草稿.
    complete_application_a.unit_opinion = ""
    complete_application_a.save()
    _r, pages = read_pdf(application_pdf(complete_application_a))
    assert all("草稿" in page for page in pages)


def pdf_text(application) -> str:
    _reader, pages = read_pdf(application_pdf(application))
    return squeeze("".join(pages))


def test_the_supervising_authoritys_slot_is_left_for_its_hand_and_seal(complete_application_a):
    # The notice's form: "上级主管部门意见：" then "单位盖章" and "年 月 日", for the authority to write
    # and seal by hand. The PDF names the authority the school gave, and nothing else stands there.
    text = pdf_text(complete_application_a)
    assert "上级主管部门意见：（上级主管部门：浙江省教育厅职业教育与成人教育处）单位盖章年月日项目组意见：" in text
    assert text.count("单位盖章") == 1


def test_without_the_authoritys_name_its_slot_is_blank(complete_application_a):
    complete_application_a.supervisor_name = ""
    complete_application_a.save()
    assert "上级主管部门意见：单位盖章年月日项目组意见：" in pdf_text(complete_application_a)


def test_an_opinion_typed_for_the_authority_before_is_not_printed(complete_application_a):
    # Drafts saved while the form still asked for them hold a typed opinion and date: they are not
    # the authority's, so they are not printed in its slot.
    complete_application_a.supervisor_opinion = "情况属实，同意推荐。"
    complete_application_a.supervisor_date = date(2023, 4, 10)
    complete_application_a.save()
    text = pdf_text(complete_application_a)
    assert "情况属实" not in text and "2023年4月10日" not in text


def test_group_opinion_is_left_blank_for_the_project_group(complete_application_a):
    _r, pages = read_pdf(application_pdf(complete_application_a))
    text = squeeze("".join(pages))
    # Nothing between the label and the signature line but the blank for the group to fill in.
    assert "项目组意见：负责人签字：年月日" in text


@pytest.mark.parametrize("download", [False, True])
def test_pdf_view_serves_the_school_its_form(client, complete_application_a, download):
    client.login(username="school-a", password=PASSWORD)
    url = f"/applications/{complete_application_a.pk}/pdf/" + ("?download=1" if download else "")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment" if download else "inline")
    assert complete_application_a.number in squeeze("".join(read_pdf(response.content)[1]))
