"""The documents an archive keeps are PDF/A (issue 17; portal.pdf.ARCHIVAL_PDF_VARIANT, PDF/A-2b):
the 实验校名单 as filed for 备案, the province's 推荐汇总表 as stored when it forwards, and the
application as submitted (its PDF once it left the school's hands, alone or in the ZIP). Each
carries an sRGB output intent and XMP metadata naming part 2, level B; its CJK text is drawn by
the embedded fonts, with no missing glyph. What is still being worked on (a draft) is not."""
import io
import re
import zipfile

import pytest
from django.urls import reverse
from pypdf import PdfReader

from applications.documents import application_pdf
from applications.selectors import application_with_parts
from applications.models import Application
from portal.pdf import missing_glyphs
from review.decisions import file_list
from review.provincial import province_forward
from review.rubric import rubric_ensure_default
from tests.review.helpers import new_application, reload, submitted_application
from tests.review.national_helpers import decided_pair, pdf_text
from tests.review.test_forwarding import decided  # noqa: F401 (the fixture: Zhejiang's recommended set)

pytestmark = pytest.mark.usefixtures("private_media")


def pdfa_identification(data: bytes) -> tuple[str, str] | None:
    """(part, conformance) of a PDF/A file, from its XMP metadata, when it also declares the
    PDF/A output intent; None for a PDF that is not PDF/A."""
    root = PdfReader(io.BytesIO(data)).trailer["/Root"]
    if "/OutputIntents" not in root or "/Metadata" not in root:
        return None
    intents = [intent.get_object() for intent in root["/OutputIntents"]]
    assert [str(intent["/S"]) for intent in intents] == ["/GTS_PDFA1"]
    assert all("/DestOutputProfile" in intent for intent in intents)  # the ICC profile (sRGB) itself
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    found = re.search(r'pdfaid:part="(\d)" pdfaid:conformance="([ABU])"', xmp)
    return (found[1], found[2]) if found else None


def assert_archival(data: bytes, *expected_words: str):
    assert pdfa_identification(data) == ("2", "B")
    text = pdf_text(data)
    for words in expected_words:
        assert words in text, words
    assert missing_glyphs(text) == set()
    fonts = {str(font.get_object().get("/BaseFont")) for page in PdfReader(io.BytesIO(data)).pages for font in page["/Resources"]["/Font"].values()}
    assert any(re.match(r"^/[A-Z]{6}\+Noto-Serif-CJK-SC$", font) for font in fonts), fonts


def test_the_summary_stored_when_the_province_forwards_is_pdfa(zhejiang_window, zhejiang_reviewer, decided):  # noqa: F811
    forwarding = province_forward(window=zhejiang_window, actor=zhejiang_reviewer)
    with forwarding.summary_pdf.open("rb") as stored:
        assert_archival(stored.read(), "浙江省成人教育与职业教育协会", "推荐汇总表", "杭州西湖职业技术学院")


def test_the_summary_the_province_downloads_is_pdfa(client, zhejiang_window, zhejiang_reviewer, decided):  # noqa: F811
    client.force_login(zhejiang_reviewer)
    response = client.get(reverse("review:province_summary", args=[zhejiang_window.pk, "pdf"]))
    assert response.status_code == 200
    assert_archival(response.content, "推荐汇总表")


def test_the_list_filed_for_the_association_is_pdfa(batch, staff_user):
    rubric_ensure_default(batch)
    decided_pair(batch, staff_user, selected_name="四川归档职业技术学院", other_name="武汉归档职业教育中心")
    filing = file_list(batch=batch, actor=staff_user)
    with filing.file.open("rb") as stored:
        assert_archival(stored.read(), "报中国成人教育协会备案", "四川归档职业技术学院")


def test_the_application_as_submitted_is_pdfa_and_a_draft_is_not(batch, zhejiang_window):
    draft, _user = new_application(batch, "宁波草稿职业技术学院")
    assert pdfa_identification(application_pdf(application_with_parts(Application.objects).get(pk=draft.pk))) is None

    submitted, _user = submitted_application(batch, "杭州提交职业技术学院")
    data = application_pdf(application_with_parts(Application.objects).get(pk=submitted.pk))
    assert_archival(data, "实验校资格申请表", reload(submitted).number, "杭州提交职业技术学院")


def test_the_application_pdf_page_serves_the_archived_copy_once_submitted(client, batch, zhejiang_window, zhejiang_reviewer):
    submitted, _user = submitted_application(batch, "嘉兴提交职业技术学院")
    client.force_login(zhejiang_reviewer)
    response = client.get(reverse("applications:pdf", args=[submitted.pk]))
    assert response.status_code == 200
    assert pdfa_identification(response.content) == ("2", "B")


def test_the_zip_of_submitted_applications_holds_pdfa_files(client, batch, staff_user):
    rubric_ensure_default(batch)
    made = decided_pair(batch, staff_user, selected_name="四川打包职业技术学院", other_name="武汉打包职业教育中心")
    client.force_login(staff_user)
    client.post(reverse("review:exports"), {"batch": batch.pk, "scope": "selected"})
    from review.models import ExportJob

    job = ExportJob.objects.get()
    with job.file.open("rb") as stored, zipfile.ZipFile(io.BytesIO(stored.read())) as archive:
        [name] = archive.namelist()
        assert made["yes"].number in name
        assert pdfa_identification(archive.read(name)) == ("2", "B")
