"""The signed scan as several pages (issue 17): photos or PDFs chosen together become one PDF in the
order chosen, each checked by content (a refusal names the file); the scan's pages are recorded and
compared with the generated PDF's; the portal's own unsigned PDF is refused; the reviewers see every
page as an image beside their checklist, rendered once and kept by the scan's hash."""
import hashlib
import importlib
import io
import re

import pytest
from django.apps import apps
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader, PdfWriter

from applications import scan_render
from applications.documents import application_pdf
from applications.models import SignedScan
from applications.workflow import submit
from tests.conftest import jpeg_bytes, png_bytes, upload

pytestmark = pytest.mark.usefixtures("private_media")

GENERATED = "请上传签字盖章后的扫描件，而不是系统生成的 PDF。"


def photo(size, colour, fmt="JPEG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format=fmt)
    return buffer.getvalue()


def two_page_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_blank_page(width=842, height=595)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def stored_pdf(scan) -> PdfReader:
    with scan.file.open("rb") as handle:
        return PdfReader(io.BytesIO(handle.read()))


def page_image_sizes(reader: PdfReader) -> list[tuple[int, int]]:
    """The size of the one picture on each page, in page order."""
    return [page.images[0].image.size for page in reader.pages]


def upload_url(application):
    return reverse("applications:scan_upload", args=[application.pk])


def form_pages(application) -> int:
    return len(PdfReader(io.BytesIO(application_pdf(application, show_group_opinion=False))).pages)


@pytest.fixture
def school_client(client, user_a):
    client.force_login(user_a)
    return client


# --- several files, one PDF -------------------------------------------------------------------------


def test_three_photos_become_one_three_page_pdf_in_the_order_chosen(school_client, complete_application_a):
    pages = [
        ("第1页.jpg", photo((300, 420), "white")),
        ("第2页.png", photo((310, 430), "lightgrey", "PNG")),
        ("第3页.jpg", photo((320, 440), "white")),
    ]
    response = school_client.post(upload_url(complete_application_a), {"scan": [upload(name, data) for name, data in pages]})

    assert response.status_code == 302
    scan = SignedScan.objects.get(application=complete_application_a)
    assert (scan.kind, scan.page_count, scan.original_name) == ("pdf", 3, "第1页.jpg 等 3 个文件")
    reader = stored_pdf(scan)
    assert page_image_sizes(reader) == [(300, 420), (310, 430), (320, 440)]
    # Each picture fits an A4 page (595 × 842 pt), whatever the photo's own resolution said.
    assert all(round(float(page.mediabox.width)) == 595 and round(float(page.mediabox.height)) == 842 for page in reader.pages)
    # The photos go in unchanged: the JPEG's own bytes are the page's picture (no re-compression).
    assert reader.pages[0].images[0].data == pages[0][1]
    assert [(p["name"], p["kind"], p["pages"], p["sha256"]) for p in scan.parts] == [
        (name, "jpeg" if name.endswith(".jpg") else "png", 1, hashlib.sha256(data).hexdigest()) for name, data in pages
    ]
    with scan.file.open("rb") as handle:
        assert scan.sha256 == hashlib.sha256(handle.read()).hexdigest()


def test_reordered_files_are_assembled_in_the_order_sent(school_client, complete_application_a):
    first, second = photo((300, 420), "white"), photo((200, 280), "white")
    school_client.post(upload_url(complete_application_a), {"scan": [upload("b.jpg", second), upload("a.jpg", first)]})

    scan = SignedScan.objects.get(application=complete_application_a)
    assert page_image_sizes(stored_pdf(scan)) == [(200, 280), (300, 420)]
    assert [p["name"] for p in scan.parts] == ["b.jpg", "a.jpg"]


def test_an_image_and_a_pdf_become_one_pdf_with_all_their_pages(school_client, complete_application_a):
    response = school_client.post(
        upload_url(complete_application_a), {"scan": [upload("封面.jpg", jpeg_bytes()), upload("其余各页.pdf", two_page_pdf())]}
    )

    assert response.status_code == 302
    scan = SignedScan.objects.get(application=complete_application_a)
    reader = stored_pdf(scan)
    assert (scan.kind, scan.page_count, len(reader.pages)) == ("pdf", 3, 3)
    # The PDF's pages follow the photo, the landscape one still landscape.
    assert [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages[1:]] == [(595, 842), (842, 595)]
    assert [(p["name"], p["pages"]) for p in scan.parts] == [("封面.jpg", 1), ("其余各页.pdf", 2)]


def test_a_non_image_among_several_is_refused_naming_it_and_nothing_is_stored(school_client, complete_application_a, private_media):
    response = school_client.post(
        upload_url(complete_application_a),
        {"scan": [upload("第1页.png", png_bytes()), upload("说明.docx", b"PK\x03\x04" + b"\x00" * 200), upload("第3页.png", png_bytes())]},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "“说明.docx”：只接受 PDF、JPEG 或 PNG 格式的扫描件（按文件内容判断，改扩展名无效）。" in html
    assert "“第1页.png”" not in html
    assert not SignedScan.objects.exists()
    assert not [path for path in private_media.rglob("*") if path.is_file()]


def test_every_refused_file_is_named(school_client, complete_application_a):
    response = school_client.post(
        upload_url(complete_application_a),
        {"scan": [upload("坏.jpg", b"\xff\xd8\xff" + b"\x00" * 50), upload("好.png", png_bytes()), upload("假.pdf", b"<html><body>x</body></html>")]},
    )

    html = response.content.decode()
    assert "“坏.jpg”：图片文件已损坏或无法打开，请重新扫描后上传。" in html
    assert "“假.pdf”：只接受 PDF、JPEG 或 PNG 格式的扫描件" in html
    assert "“好.png”" not in html


def test_an_empty_file_among_several_is_named(school_client, complete_application_a):
    response = school_client.post(upload_url(complete_application_a), {"scan": [upload("1.png", png_bytes()), upload("空.png", b"")]})

    assert response.status_code == 400
    assert "“空.png”：所提交的是空文件。" in response.content.decode()
    assert not SignedScan.objects.exists()


def test_files_together_over_the_limit_are_refused(school_client, complete_application_a, settings):
    settings.SCAN_MAX_BYTES = 1000
    one = photo((40, 40), "white")
    assert 500 < len(one) <= 1000

    response = school_client.post(upload_url(complete_application_a), {"scan": [upload("1.jpg", one), upload("2.jpg", one)]})

    assert response.status_code == 400
    assert "扫描件合计不能超过" in response.content.decode()
    assert not SignedScan.objects.exists()


def test_one_file_is_stored_as_it_came_with_its_pages(school_client, complete_application_a):
    data = two_page_pdf()
    school_client.post(upload_url(complete_application_a), {"scan": upload("扫描件.pdf", data)})

    scan = SignedScan.objects.get(application=complete_application_a)
    with scan.file.open("rb") as handle:
        assert handle.read() == data
    assert (scan.page_count, scan.parts) == (2, [])


def test_the_upload_form_takes_several_files_and_previews_them(school_client, complete_application_a):
    html = school_client.get(reverse("applications:edit", args=[complete_application_a.pk])).content.decode()

    assert re.search(r'<input type="file" name="scan"[^>]* data-scan-preview=""[^>]* multiple[ >]', html)
    assert "js/scan-preview.js" in html
    assert "可一次选择多页照片或文件（按页码顺序）" in html


# --- pages against the generated PDF ----------------------------------------------------------------


def test_a_scan_with_fewer_pages_than_the_form_is_flagged_to_the_school_and_the_reviewer(
    client, user_a, complete_application_a, zhejiang_reviewer
):
    expected = form_pages(complete_application_a)
    assert expected >= 3
    client.force_login(user_a)
    client.post(upload_url(complete_application_a), {"scan": [upload(f"{n}.jpg", jpeg_bytes()) for n in range(expected - 1)]})
    scan = SignedScan.objects.get(application=complete_application_a)
    assert (scan.page_count, scan.form_page_count) == (expected - 1, expected)
    warning = f"扫描件共 {expected - 1} 页，系统生成的申请表 PDF 共 {expected} 页：请核对是否漏扫、多扫或重复了页面。"

    assert warning in client.get(reverse("applications:edit", args=[complete_application_a.pk])).content.decode()
    submit(application=complete_application_a, actor=user_a)
    client.force_login(zhejiang_reviewer)
    assert warning in client.get(reverse("review:province_application", args=[complete_application_a.pk])).content.decode()


def test_a_scan_with_the_forms_pages_is_not_flagged(school_client, complete_application_a):
    expected = form_pages(complete_application_a)
    school_client.post(upload_url(complete_application_a), {"scan": [upload(f"{n}.jpg", jpeg_bytes()) for n in range(expected)]})

    assert SignedScan.objects.get().page_count == expected
    assert "系统生成的申请表 PDF 共" not in school_client.get(reverse("applications:edit", args=[complete_application_a.pk])).content.decode()


# --- the generated PDF is no scan -------------------------------------------------------------------


def test_the_downloaded_generated_pdf_is_refused(school_client, complete_application_a):
    generated = school_client.get(reverse("applications:pdf", args=[complete_application_a.pk]) + "?download=1").content

    response = school_client.post(upload_url(complete_application_a), {"scan": upload("实验校资格申请表.pdf", generated)})

    assert response.status_code == 400
    assert GENERATED in response.content.decode()
    assert not SignedScan.objects.exists()


def test_the_generated_pdf_re_saved_with_the_same_text_is_refused(school_client, complete_application_a):
    generated = application_pdf(complete_application_a, show_group_opinion=False)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(generated)))
    writer.add_metadata({"/Producer": "Microsoft: Print To PDF", "/Title": "扫描件"})
    buffer = io.BytesIO()
    writer.write(buffer)
    resaved = buffer.getvalue()
    assert hashlib.sha256(resaved).digest() != hashlib.sha256(generated).digest()

    response = school_client.post(upload_url(complete_application_a), {"scan": [upload("1.jpg", jpeg_bytes()), upload("打印.pdf", resaved)]})

    assert response.status_code == 400
    assert f"“打印.pdf”：{GENERATED}" in response.content.decode()
    assert not SignedScan.objects.exists()


def test_the_generated_pdf_of_an_earlier_version_is_refused_too(school_client, complete_application_a):
    earlier = application_pdf(complete_application_a, show_group_opinion=False)
    complete_application_a.unit_opinion = "同意申报，并提供经费支持。"
    complete_application_a.save()
    from applications.services import refresh_version_code

    refresh_version_code(complete_application_a)
    complete_application_a.refresh_from_db()

    response = school_client.post(upload_url(complete_application_a), {"scan": upload("旧版.pdf", earlier)})

    assert response.status_code == 400
    assert GENERATED in response.content.decode()


def test_a_pdf_with_some_of_the_forms_text_is_a_scan(school_client, complete_application_a):
    """A scanner's OCR layer repeats some lines of the form, not all: the scan is taken."""
    from weasyprint import HTML

    ocr_like = HTML(string="<p>实验校资格申请表</p><p>学校名称 浙江示范职业技术学院</p><p>单位意见（公章）</p>").write_pdf()

    response = school_client.post(upload_url(complete_application_a), {"scan": upload("扫描.pdf", ocr_like)})

    assert response.status_code == 302
    assert SignedScan.objects.get().kind == "pdf"


# --- the viewer ---------------------------------------------------------------------------------------


def submitted_with_scan(client, user_a, application, files):
    client.force_login(user_a)
    assert client.post(upload_url(application), {"scan": files}).status_code == 302
    submit(application=application, actor=user_a)
    return SignedScan.objects.get(application=application)


def test_the_reviewer_sees_every_page_beside_the_checklist_and_not_the_upload_steps(
    client, user_a, complete_application_a, zhejiang_reviewer
):
    scan = submitted_with_scan(client, user_a, complete_application_a, [upload("1.jpg", jpeg_bytes()), upload("2-3.pdf", two_page_pdf())])
    client.force_login(zhejiang_reviewer)

    html = client.get(reverse("review:province_application", args=[complete_application_a.pk])).content.decode()

    for number in (1, 2, 3):
        url = reverse("applications:scan_page", args=[complete_application_a.pk, scan.pk, number])
        assert f'<img src="{url}" alt="扫描件第 {number} 页"' in html
        assert f'<a href="{url}" target="_blank"' in html
        assert f"第 {number} 页 / 共 3 页" in html
    assert reverse("applications:scan_page", args=[complete_application_a.pk, scan.pk, 4]) not in html
    assert "缩小" in html and "放大" in html
    # The school's steps (download, print, sign, upload) are the school's page, not the reviewer's.
    assert "打印，由负责人签字" not in html
    assert "上传扫描件</button>" not in html


def test_a_pdf_page_is_rendered_once_and_kept_by_the_scans_hash(client, user_a, complete_application_a, zhejiang_reviewer, monkeypatch, private_media):
    scan = submitted_with_scan(client, user_a, complete_application_a, [upload("1.jpg", jpeg_bytes()), upload("2-3.pdf", two_page_pdf())])
    client.force_login(zhejiang_reviewer)
    url = reverse("applications:scan_page", args=[complete_application_a.pk, scan.pk, 3])

    response = client.get(url)

    assert (response.status_code, response["Content-Type"]) == (200, "image/jpeg")
    image = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    # Page 3 is the PDF's landscape page, rendered 1600 px wide.
    assert image.size == (1600, round(1600 * 595 / 842))
    assert (private_media / "scan-pages" / scan.sha256 / "3.jpg").is_file()

    def no_second_render(*args):
        raise AssertionError("rendered again")

    monkeypatch.setattr(scan_render, "_render_pdf_page", no_second_render)
    assert client.get(url).status_code == 200


def test_an_image_scan_is_its_own_page_scaled_down(client, user_a, complete_application_a, zhejiang_reviewer):
    scan = submitted_with_scan(client, user_a, complete_application_a, upload("scan.png", photo((2400, 3394), "white", "PNG")))
    client.force_login(zhejiang_reviewer)

    response = client.get(reverse("applications:scan_page", args=[complete_application_a.pk, scan.pk, 1]))

    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).size == (1600, 2263)
    assert client.get(reverse("applications:scan_page", args=[complete_application_a.pk, scan.pk, 2])).status_code == 404


# --- scans uploaded before the page count -------------------------------------------------------------


def test_the_migration_counts_the_pages_of_earlier_scans(school_client, complete_application_a):
    school_client.post(upload_url(complete_application_a), {"scan": upload("a.pdf", two_page_pdf())})
    school_client.post(upload_url(complete_application_a), {"scan": upload("b.png", png_bytes())})
    SignedScan.objects.update(page_count=None)
    migration = importlib.import_module("applications.migrations.0013_scan_pages")

    migration.count_pages(apps, None)

    assert sorted(SignedScan.objects.values_list("original_name", "page_count")) == [("a.pdf", 2), ("b.png", 1)]
