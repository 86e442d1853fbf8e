"""Checks an uploaded scan by its content, never by its name or the browser's content type."""
import hashlib
import html
import io
import re
import struct
import zlib
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from PIL import ExifTags, Image, IptcImagePlugin, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError

SIGNATURES = (
    (b"%PDF-", "pdf"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
)
# Refuse images so large that decoding them would exhaust memory (a "decompression bomb").
MAX_IMAGE_PIXELS = 80_000_000
TOO_MANY_PIXELS = "图片尺寸过大，请降低扫描分辨率（建议 200–300 dpi）后上传。"


def sniff_kind(head: bytes) -> str | None:
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            return kind
    return None


def _format_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.0f} MB"
    return f"{max(1, round(n / 1024))} KB"


def inspect_scan(uploaded_file, *, max_bytes: int) -> tuple[str, str]:
    """Return (kind, sha256) of an acceptable scan, or raise ValidationError with the reason.

    The size is checked before anything is read; the type comes from the first bytes; a PDF must
    open in a PDF library and have pages, with nothing that runs, embeds or links elsewhere; an
    image must decode in Pillow, with no markup in its bytes or its metadata's text.

    Such a file is refused, never cleaned by rewriting it: the sha256 (the scan's fingerprint) is
    of the bytes the school uploaded, which are the bytes stored and sent back, so the school can
    check the copy the reviewers see against its own file.
    """
    if uploaded_file.size == 0:
        raise ValidationError("文件是空的，请重新选择扫描件。", code="empty")
    if uploaded_file.size > max_bytes:
        raise ValidationError(
            f"文件过大（{uploaded_file.size / 1024 / 1024:.1f} MB），扫描件不能超过 {_format_size(max_bytes)}。",
            code="too_large",
        )
    uploaded_file.seek(0)
    kind = sniff_kind(uploaded_file.read(16))
    if kind is None:
        raise ValidationError(
            "只接受 PDF、JPEG 或 PNG 格式的扫描件（按文件内容判断，改扩展名无效）。", code="bad_type"
        )
    uploaded_file.seek(0)
    data = uploaded_file.read()
    if kind == "pdf":
        _check_pdf(data)
    else:
        _check_image(data, kind)
    uploaded_file.seek(0)
    return kind, hashlib.sha256(data).hexdigest()


# A scan is pictures of paper: nothing in it may run, launch or carry other files ...
ACTIVE_PDF_KEYS = frozenset({"/JS", "/JavaScript", "/Launch", "/EmbeddedFiles", "/EmbeddedFile", "/RichMedia", "/XFA", "/SubmitForm", "/ImportData"})
ACTIVE_PDF_ACTIONS = frozenset({"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/Rendition", "/Movie", "/Sound"})
# ... nor lead anywhere: a click on a scan shown in the browser would open a web page (a phishing
# page under the portal's name) or fetch another file.
LINK_PDF_ACTIONS = frozenset({"/URI", "/GoToR", "/GoToE"})
ACTIVE_PDF = "PDF 文件含有脚本、附件或表单动作，请直接上传扫描仪生成的 PDF 或图片。"
LINKED_PDF = "PDF 文件含有网页链接或打开其他文件的动作，请直接上传扫描仪生成的 PDF 或图片。"

# Markup that makes an image a polyglot a browser might run as a page, searched for in the file's
# raw bytes, pixel data included: only what random compressed bytes practically never spell (a few
# tag names; a tag whose printable text runs on to an event handler such as `<img src=x onerror=`).
MARKUP = re.compile(
    rb"<\s*(?:script|html|svg|iframe|body|object|embed)\b|javascript:|<[a-z][a-z0-9]*\s[\x20-\x7e]{0,500}?\bon[a-z]{3,}\s*=",
    re.IGNORECASE,
)
# Markup in the text an image carries (comments, descriptions, EXIF and XMP fields, PNG text chunks
# compressed or not), looked for once that text is decoded: any HTML element, event handler or
# script address. XMP's own elements are namespaced (<x:xmpmeta>, <rdf:li>) and pass.
MARKUP_IN_TEXT = re.compile(r"<\s*/?\s*[a-z][a-z0-9-]*(?=[\s/>])|\bon[a-z]{3,}\s*=|(?:java|vb)script\s*:", re.IGNORECASE)
POLYGLOT = "图片中夹带了网页代码，请重新扫描或另存为 JPEG/PNG 后上传。"
# A scanner writes a few hundred bytes of text; a compressed text chunk that inflates past this is
# refused rather than inflated (it could hide markup past any point we stopped at).
MAX_IMAGE_TEXT_BYTES = 1024 * 1024
TOO_MUCH_IMAGE_TEXT = "图片中附带的文字信息过多，请重新扫描或另存为 JPEG/PNG 后上传。"


def _check_pdf(data: bytes) -> None:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ValidationError("PDF 文件已加密，请上传未加密的扫描件。", code="encrypted")
        if len(reader.pages) == 0:
            raise ValidationError("PDF 文件没有页面。", code="no_pages")
        # pypdf repairs a file cut short by rebuilding its cross-reference table, so an
        # interrupted upload can still open: a complete PDF ends with %%EOF.
        if b"%%EOF" not in data[-2048:]:
            raise ValidationError("PDF 文件不完整（可能上传中断），请重新上传。", code="truncated_pdf")
        refusal = _pdf_refusal(reader)
        if refusal == "active_pdf":
            raise ValidationError(ACTIVE_PDF, code="active_pdf")
        if refusal == "linked_pdf":
            raise ValidationError(LINKED_PDF, code="linked_pdf")
    except ValidationError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError) as error:
        raise ValidationError("PDF 文件已损坏或无法打开，请重新扫描后上传。", code="bad_pdf") from error


def _pdf_refusal(reader: PdfReader, *, limit: int = 200_000) -> str | None:
    """Walk the document's object graph from its catalog (pages, annotations, actions, names,
    forms): "active_pdf" for anything that runs or embeds, "linked_pdf" for an action that opens a
    web page or another file (a link annotation's /URI, /GoToR, /GoToE), else None. Names are
    compared after pypdf decoded their #xx escapes, an action's type also when it is stored as a
    separate object, and compressed object streams are read too."""
    seen: set[int] = set()
    stack = [reader.trailer.get("/Root")]
    visited = 0
    while stack:
        node = stack.pop()
        if hasattr(node, "idnum"):
            if node.idnum in seen:
                continue
            seen.add(node.idnum)
            node = node.get_object()
        visited += 1
        if visited > limit:
            return "active_pdf"  # a graph this large is not a scan; refuse rather than spend the server
        if isinstance(node, dict):
            action = node.get("/S")
            if hasattr(action, "get_object"):  # `/S 12 0 R`: dict.get does not resolve it
                action = action.get_object()
            if ACTIVE_PDF_KEYS & set(node.keys()) or action in ACTIVE_PDF_ACTIONS:
                return "active_pdf"
            if action in LINK_PDF_ACTIONS:
                return "linked_pdf"
            # Page contents are drawing operators, never actions; /Parent only leads back up.
            stack.extend(value for key, value in node.items() if key not in ("/Parent", "/Contents"))
        elif isinstance(node, list):
            stack.extend(node)
    return None


def _check_image(data: bytes, kind: str) -> None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise ValidationError(TOO_MANY_PIXELS, code="too_many_pixels")
            if image.format.lower() != kind:
                raise ValidationError("图片格式与内容不符，请重新导出为 JPEG 或 PNG。", code="bad_image")
            image.verify()
            texts = list(_png_texts(data) if kind == "png" else _jpeg_texts(image))
        # verify() checks a PNG's chunks to the end but reads nothing of a JPEG's image data, and
        # decoding cannot tell either: WeasyPrint (imported for the PDFs) switches on Pillow's
        # LOAD_TRUNCATED_IMAGES for the whole process, so Pillow pads a cut-off JPEG silently.
        if MARKUP.search(data) or any(MARKUP_IN_TEXT.search(text) or MARKUP_IN_TEXT.search(html.unescape(text)) for text in texts):
            raise ValidationError(POLYGLOT, code="polyglot")
        if kind == "jpeg" and not _jpeg_reaches_its_end(data):
            raise ValidationError("图片文件已损坏或无法打开，请重新扫描后上传。", code="bad_image")
    except ValidationError:
        raise
    except Image.DecompressionBombError as error:
        # Pillow refuses to open an image over twice its own pixel limit before our check sees
        # it: the same "too large" the check gives, not "damaged".
        raise ValidationError(TOO_MANY_PIXELS, code="too_many_pixels") from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, struct.error, zlib.error) as error:
        raise ValidationError("图片文件已损坏或无法打开，请重新扫描后上传。", code="bad_image") from error


def _jpeg_reaches_its_end(data: bytes) -> bool:
    """Whether a JPEG's segments and scans run on to its end-of-image marker (FF D9): False for a
    file cut off part-way, such as an interrupted transfer."""
    pos = 2  # after the start-of-image marker FF D8
    while pos + 1 < len(data):
        if data[pos] != 0xFF:
            return False
        marker = data[pos + 1]
        if marker == 0xD9:
            return True
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        if pos + 4 > len(data):
            return False
        pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")  # the segment and its length
        if marker == 0xDA:
            # Start of scan: entropy-coded data up to the next marker. FF 00 is an escaped data
            # byte, FF D0–D7 a restart marker, FF FF fill; any other FF xx ends the scan.
            while True:
                pos = data.find(b"\xff", pos)
                if pos < 0 or pos + 1 >= len(data):
                    return False
                following = data[pos + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    pos += 2
                elif following == 0xFF:
                    pos += 1
                else:
                    break
    return False


# ---- The text an image carries ---------------------------------------------------------------------
# (Checked for markup by _check_image.) Image viewers, photo libraries and metadata tools show it;
# whichever shows it unescaped in a page would run what it hides.

# EXIF fields stored as bytes that hold text: Windows' XPTitle, XPComment, XPAuthor, XPKeywords and
# XPSubject (UTF-16LE), and UserComment (an 8-byte character set name, then the text).
EXIF_UTF16_TAGS = frozenset({0x9C9B, 0x9C9C, 0x9C9D, 0x9C9E, 0x9C9F})
EXIF_USER_COMMENT = 0x9286
EXIF_SUB_IFDS = (ExifTags.IFD.Exif, ExifTags.IFD.GPSInfo, ExifTags.IFD.Interop, ExifTags.IFD.IFD1)


def _exif_texts(payload: bytes) -> Iterator[str]:
    """Every text of an EXIF block (a JPEG's APP1 "Exif" segment, a PNG's eXIf chunk): the fields of
    the main, Exif, GPS, interoperability and thumbnail directories."""
    exif = Image.Exif()
    exif.load(payload)
    for directory in (exif, *(exif.get_ifd(ifd) for ifd in EXIF_SUB_IFDS)):
        for tag, value in directory.items():
            values = value if isinstance(value, tuple) else (value,)
            for item in values:
                if isinstance(item, str):
                    yield item
                elif isinstance(item, bytes) and tag in EXIF_UTF16_TAGS:
                    yield item.decode("utf-16-le", errors="replace")
                elif isinstance(item, bytes) and tag == EXIF_USER_COMMENT:
                    charset, text = item[:8], item[8:]
                    if charset.startswith(b"UNICODE"):
                        yield text.decode("utf-16-le", errors="replace")
                        yield text.decode("utf-16-be", errors="replace")
                    else:
                        yield text.decode("utf-8", errors="replace")


def _jpeg_texts(image) -> Iterator[str]:
    """A JPEG's comments (COM), EXIF fields, XMP packets and IPTC fields, as Pillow read them from
    the segments before the image data (what comes after is left to the raw-bytes search)."""
    for marker, payload in image.applist:
        if marker == "COM":
            yield payload.decode("utf-8", errors="replace")
        elif marker == "APP1" and payload.startswith(b"Exif\x00\x00"):
            yield from _exif_texts(payload)
        elif marker == "APP1":  # XMP (http://ns.adobe.com/xap/1.0/), extended XMP
            yield payload.decode("utf-8", errors="replace")
    for value in (IptcImagePlugin.getiptcinfo(image) or {}).values():
        for item in value if isinstance(value, list) else [value]:
            yield item.decode("utf-8", errors="replace")


def _inflate(compressed: bytes) -> bytes:
    """A compressed text chunk's text, inflated no further than one byte past the limit."""
    text = zlib.decompressobj().decompress(compressed, MAX_IMAGE_TEXT_BYTES + 1)
    if len(text) > MAX_IMAGE_TEXT_BYTES:
        raise ValidationError(TOO_MUCH_IMAGE_TEXT, code="too_much_text")
    return text


def _png_texts(data: bytes) -> Iterator[str]:
    """A PNG's text chunks (tEXt, zTXt, iTXt; keyword and text, inflated when compressed) and its
    EXIF chunk (eXIf), wherever they lie: before or after the image data. The chunks' layout and
    checksums were checked by Pillow's verify() first."""
    pos = 8  # after the signature
    while pos + 8 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length  # length, type, data, checksum
        if kind == b"IEND":
            return
        if kind == b"tEXt":
            yield body.decode("latin-1")
        elif kind == b"zTXt":
            keyword, _, rest = body.partition(b"\x00")
            yield keyword.decode("latin-1")
            yield _inflate(rest[1:]).decode("latin-1")  # after the compression method byte
        elif kind == b"iTXt":
            keyword, _, rest = body.partition(b"\x00")
            compressed, language_and_text = rest[:1] == b"\x01", rest[2:]
            language, _, rest = language_and_text.partition(b"\x00")
            translated, _, text = rest.partition(b"\x00")
            yield b" ".join((keyword, language, translated)).decode("utf-8", errors="replace")
            yield (_inflate(text) if compressed else text).decode("utf-8", errors="replace")
        elif kind == b"eXIf":
            yield from _exif_texts(body)


# ---- Several files as one scan ---------------------------------------------------------------------
# A school photographs a 4-page form page by page: the parts (each checked by inspect_scan first)
# become one PDF, in the order chosen. Images go in losslessly (img2pdf embeds a JPEG's own bytes,
# a PNG's pixels unchanged), each fitted into an A4 page turned as the image is; PDFs are
# concatenated page by page (pypdf).
MAX_SCAN_FILES = 20


def pdf_page_count(data: bytes) -> int:
    """The pages of a PDF inspect_scan accepted."""
    return len(PdfReader(io.BytesIO(data), strict=False).pages)


def generated_page_count(generated: bytes) -> int | None:
    """The pages of the portal's own PDF; None if it cannot be read (then no page warning, rather
    than a school unable to upload its scan)."""
    try:
        return pdf_page_count(generated) or None
    except (PdfReadError, ValueError, KeyError, TypeError, OSError):
        return None


def scan_page_count(kind: str, data: bytes) -> int:
    """The pages a checked part brings to the scan: an image is one page."""
    return pdf_page_count(data) if kind == "pdf" else 1


def assemble_pdf(parts: list[tuple[str, bytes]]) -> bytes:
    """One PDF of the checked parts [(kind, bytes), ...], in their order."""
    import img2pdf
    from pypdf import PdfWriter

    layout = img2pdf.get_layout_fun(
        (img2pdf.mm_to_pt(210), img2pdf.mm_to_pt(297)), fit=img2pdf.FitMode.into, auto_orient=True
    )
    writer = PdfWriter()
    for kind, data in parts:
        if kind == "pdf":
            writer.append(PdfReader(io.BytesIO(data), strict=False))
        else:
            # Rotation.ifvalid: a phone's EXIF orientation turns the page; a broken tag is ignored.
            page = img2pdf.convert(data, layout_fun=layout, rotation=img2pdf.Rotation.ifvalid)
            writer.append(PdfReader(io.BytesIO(page)))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# ---- The portal's own, unsigned PDF uploaded as the "signed scan" -------------------------------------
GENERATED_PDF_UPLOADED = "请上传签字盖章后的扫描件，而不是系统生成的 PDF。"
# Of the generated PDF's lines, the share an upload's text layer must repeat to be taken for it. A
# scan of the printed form has no text layer, or a scanner's OCR of it, which misreads some
# characters of most lines of Chinese text and never lays out the lines the same; the portal's own
# file, re-saved or printed to PDF again, repeats them all. Lines with the time the PDF was made,
# its version code or page numbers differ between two downloads and are not compared.
SAME_TEXT_SHARE = 0.9
_CHANGING_LINE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日|\d{1,2}:\d{2}|版本码|第\d+页")


def _pdf_text_lines(data: bytes, *, max_pages: int = 40) -> set[str]:
    """The distinct lines of a PDF's text layer, spaces removed, without the lines that change
    from one download to the next; an empty set for a PDF without text."""
    reader = PdfReader(io.BytesIO(data), strict=False)
    lines = set()
    for page in reader.pages[:max_pages]:
        try:
            text = page.extract_text() or ""
        except Exception:  # noqa: BLE001 — a text layer pypdf cannot read is no text layer to compare
            continue
        for line in text.splitlines():
            line = re.sub(r"\s+", "", line)
            if len(line) >= 4 and not _CHANGING_LINE.search(line):
                lines.add(line)
    return lines


def is_generated_pdf(upload: bytes, generated: bytes) -> bool:
    """Whether an uploaded PDF is the portal's generated PDF itself: the same bytes, or a text layer
    that repeats the generated PDF's lines (SAME_TEXT_SHARE of them)."""
    if hashlib.sha256(upload).digest() == hashlib.sha256(generated).digest():
        return True
    try:
        expected = _pdf_text_lines(generated)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError):
        expected = set()
    if not expected:
        return False
    found = _pdf_text_lines(upload)
    return len(expected & found) >= SAME_TEXT_SHARE * len(expected)
