"""The signed, sealed scan: accepted only when its content is a real PDF, JPEG or PNG within the
size limit; refused with a Chinese message and nothing stored otherwise; downloadable by those
who may read the application."""
import hashlib
import io
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from applications.models import Application, SignedScan, Status, TimelineEntry
from applications.uploads import inspect_scan
from tests.conftest import jpeg_bytes, pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.usefixtures("private_media")

BAD_TYPE = "只接受 PDF、JPEG 或 PNG 格式的扫描件（按文件内容判断，改扩展名无效）。"
BAD_PDF = "PDF 文件已损坏或无法打开，请重新扫描后上传。"
BAD_IMAGE = "图片文件已损坏或无法打开，请重新扫描后上传。"


def noisy_jpeg() -> bytes:
    # Noise does not compress, so the file has plenty of image data after its header.
    buffer = io.BytesIO()
    Image.effect_noise((300, 300), 60).convert("RGB").save(buffer, format="JPEG")
    return buffer.getvalue()


def empty_pdf() -> bytes:
    from pypdf import PdfWriter

    buffer = io.BytesIO()
    PdfWriter().write(buffer)
    return buffer.getvalue()


def encrypted_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt("secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]


def upload_url(application):
    return reverse("applications:scan_upload", args=[application.pk])


@pytest.fixture
def school_client(client, user_a):
    client.force_login(user_a)
    return client


# --- accepted ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "kind", "suffix"),
    [
        ("扫描件.pdf", pdf_bytes(), "pdf", ".pdf"),
        ("scan.jpg", jpeg_bytes(), "jpeg", ".jpg"),
        ("scan.png", png_bytes(), "png", ".png"),
        # Judged by content: a real PNG with a wrong extension is a PNG, and stored as one.
        ("scan.pdf", png_bytes(), "png", ".png"),
    ],
)
def test_a_real_scan_is_stored_tied_to_the_current_version(
    school_client, user_a, complete_application_a, private_media, name, data, kind, suffix
):
    response = school_client.post(upload_url(complete_application_a), {"scan": upload(name, data)})

    assert response.status_code == 302
    assert response["Location"] == reverse("applications:edit", args=[complete_application_a.pk]) + "#section-scan"
    scan = SignedScan.objects.get(application=complete_application_a)
    assert (scan.kind, scan.version_code, scan.sha256, scan.size, scan.original_name, scan.uploaded_by) == (
        kind, complete_application_a.version_code, hashlib.sha256(data).hexdigest(), len(data), name, user_a,
    )  # fmt: skip
    # The stored name comes from the server (random, with the detected type's extension), never
    # from the uploader.
    [path] = stored_files(private_media)
    assert (path.read_bytes(), path.suffix, path.parent.name) == (data, suffix, str(complete_application_a.pk))
    assert name.rsplit(".", 1)[0] not in path.name
    assert TimelineEntry.objects.filter(application=complete_application_a, action="upload_scan").count() == 1


def test_the_page_after_uploading_shows_the_scan_as_current(school_client, complete_application_a):
    response = school_client.post(upload_url(complete_application_a), {"scan": upload("scan.png", png_bytes())}, follow=True)

    html = response.content.decode()
    assert f"扫描件已上传，对应版本 {complete_application_a.version_code}。" in html
    assert "已上传当前版本" in html


# --- refused -----------------------------------------------------------------------------------

REFUSED = [
    pytest.param("scan.pdf", b"MZ\x90\x00" + b"\x00" * 2048, BAD_TYPE, id="windows executable named .pdf"),
    pytest.param("scan.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 2048, BAD_TYPE, id="elf executable named .pdf"),
    pytest.param("scan.png", b"<!doctype html><html><script>alert(1)</script></html>", BAD_TYPE, id="html named .png"),
    pytest.param(
        "scan.svg",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>',
        BAD_TYPE,
        id="svg",
    ),
    pytest.param("scan.pdf", b"%PDF-1.4\n garbage", BAD_PDF, id="corrupt pdf"),
    pytest.param("scan.pdf", pdf_bytes()[: len(pdf_bytes()) // 2], BAD_PDF, id="truncated pdf"),
    pytest.param("scan.pdf", empty_pdf(), "PDF 文件没有页面。", id="pdf without pages"),
    # Reviewers could not open it without the password.
    pytest.param("scan.pdf", encrypted_pdf(), "PDF 文件已加密，请上传未加密的扫描件。", id="encrypted pdf"),
    pytest.param("scan.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 20, BAD_IMAGE, id="png header then garbage"),
    pytest.param("scan.png", png_bytes()[:60], BAD_IMAGE, id="truncated png"),
    # A photo cut off half-way (an interrupted transfer): the header is fine, the picture is not.
    pytest.param("scan.jpg", noisy_jpeg()[: len(noisy_jpeg()) // 2], BAD_IMAGE, id="truncated jpeg"),
]


@pytest.mark.parametrize(("name", "data", "message"), REFUSED)
def test_a_bad_file_is_refused_with_a_message_and_nothing_is_stored(
    school_client, complete_application_a, private_media, name, data, message
):
    response = school_client.post(upload_url(complete_application_a), {"scan": upload(name, data)})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert SignedScan.objects.count() == 0
    assert stored_files(private_media) == []
    assert TimelineEntry.objects.filter(action="upload_scan").count() == 0


@pytest.mark.parametrize(("name", "data", "message"), REFUSED)
def test_inspect_scan_refuses_the_same_files(name, data, message):
    with pytest.raises(ValidationError) as refused:
        inspect_scan(upload(name, data), max_bytes=settings.SCAN_MAX_BYTES)
    assert refused.value.messages == [message]


def test_an_empty_file_is_refused(school_client, complete_application_a, private_media):
    response = school_client.post(upload_url(complete_application_a), {"scan": upload("scan.pdf", b"")})

    assert response.status_code == 400
    assert "所提交的是空文件。" in response.content.decode()
    assert (SignedScan.objects.count(), stored_files(private_media)) == (0, [])


def test_inspect_scan_refuses_an_empty_file():
    with pytest.raises(ValidationError) as refused:
        inspect_scan(upload("scan.pdf", b""), max_bytes=settings.SCAN_MAX_BYTES)
    assert refused.value.messages == ["文件是空的，请重新选择扫描件。"]


def test_a_post_without_a_file_is_refused(school_client, complete_application_a):
    response = school_client.post(upload_url(complete_application_a), {})

    assert response.status_code == 400
    assert "这个字段是必填项。" in response.content.decode()
    assert SignedScan.objects.count() == 0


@override_settings(SCAN_MAX_BYTES=1024)
def test_a_file_over_the_size_limit_is_refused(school_client, complete_application_a, private_media):
    data = jpeg_bytes()
    assert len(data) > 1024  # arrange: a real JPEG, refused for its size alone

    response = school_client.post(upload_url(complete_application_a), {"scan": upload("scan.jpg", data)})

    assert response.status_code == 400
    assert "文件过大" in response.content.decode()
    assert (SignedScan.objects.count(), stored_files(private_media)) == (0, [])


def test_the_size_limit_is_inclusive(school_client, complete_application_a, settings):
    data = png_bytes()
    settings.SCAN_MAX_BYTES = len(data) - 1
    refused = school_client.post(upload_url(complete_application_a), {"scan": upload("scan.png", data)})
    settings.SCAN_MAX_BYTES = len(data)
    accepted = school_client.post(upload_url(complete_application_a), {"scan": upload("scan.png", data)})

    assert (refused.status_code, accepted.status_code, SignedScan.objects.count()) == (400, 302, 1)


def test_the_default_limit_is_20_mb():
    twenty_mb = 20 * 1024 * 1024
    assert settings.SCAN_MAX_BYTES == twenty_mb
    # One byte over: refused for its size, before the content is even looked at.
    with pytest.raises(ValidationError) as too_large:
        inspect_scan(upload("scan.pdf", b"%PDF-" + b"\x00" * (twenty_mb - 4)), max_bytes=settings.SCAN_MAX_BYTES)
    assert too_large.value.code == "too_large"
    assert "扫描件不能超过 20 MB" in too_large.value.messages[0]
    # Exactly 20 MB passes the size check (and is then judged by its content).
    with pytest.raises(ValidationError) as judged:
        inspect_scan(upload("scan.pdf", b"%PDF-" + b"\x00" * (twenty_mb - 5)), max_bytes=settings.SCAN_MAX_BYTES)
    assert judged.value.code == "bad_pdf"


def test_an_image_too_large_to_decode_safely_is_refused():
    # 9,500 × 9,000 pixels (85.5 million, over the portal's 80 million) of a single colour: a
    # tiny PNG that would take hundreds of megabytes to decode.
    buffer = io.BytesIO()
    Image.new("1", (9_500, 9_000)).save(buffer, format="PNG")
    with pytest.raises(ValidationError) as refused:
        inspect_scan(upload("scan.png", buffer.getvalue()), max_bytes=settings.SCAN_MAX_BYTES)
    assert refused.value.messages == ["图片尺寸过大，请降低扫描分辨率（建议 200–300 dpi）后上传。"]


def test_a_submitted_application_takes_no_new_scan(school_client, complete_application_a):
    Application.objects.filter(pk=complete_application_a.pk).update(status=Status.SUBMITTED)

    response = school_client.post(upload_url(complete_application_a), {"scan": upload("scan.png", png_bytes())}, follow=True)

    assert "不能更换扫描件" in response.content.decode()
    assert SignedScan.objects.count() == 0


# --- download ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "content_type", "suffix"),
    [
        ("scan.pdf", pdf_bytes(), "application/pdf", ".pdf"),
        ("scan.jpg", jpeg_bytes(), "image/jpeg", ".jpg"),
        ("scan.png", png_bytes(), "image/png", ".png"),
    ],
)
def test_the_owner_downloads_the_scan_with_its_type(school_client, complete_application_a, name, data, content_type, suffix):
    school_client.post(upload_url(complete_application_a), {"scan": upload(name, data, "application/octet-stream")})
    scan = SignedScan.objects.get()

    response = school_client.get(reverse("applications:scan_download", args=[complete_application_a.pk, scan.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert (response["Content-Type"], response["X-Content-Type-Options"]) == (content_type, "nosniff")
    # Shown inline, under a name that says what it is: application number and version code.
    expected_name = f"盖章扫描件-{complete_application_a.number}-{scan.version_code}{suffix}"
    assert response["Content-Disposition"] == f"inline; filename*=utf-8''{quote(expected_name)}"


def test_a_scan_of_another_application_is_not_found_through_this_one(
    school_client, complete_application_a, application_b, user_b, private_media
):
    from applications.services import scan_upload

    other = scan_upload(application=application_b, uploaded_file=upload("scan.png", png_bytes()), actor=user_b)

    response = school_client.get(reverse("applications:scan_download", args=[complete_application_a.pk, other.pk]))

    assert response.status_code == 404
