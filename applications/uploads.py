"""Checks an uploaded scan by its content, never by its name or the browser's content type."""
import hashlib
import io
import re

from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError
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
    open in a PDF library and have pages, an image must decode in Pillow.
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


# A scan is pictures of paper: nothing in it may run, launch or carry other files.
ACTIVE_PDF_KEYS = frozenset({"/JS", "/JavaScript", "/Launch", "/EmbeddedFiles", "/EmbeddedFile", "/RichMedia", "/XFA", "/SubmitForm", "/ImportData"})
# Markup that makes an image a polyglot a browser might run as a page.
MARKUP = re.compile(rb"<\s*(?:script|html|svg|iframe|body|object|embed)\b|javascript:", re.IGNORECASE)


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
        if _has_active_content(reader):
            raise ValidationError("PDF 文件含有脚本、附件或表单动作，请直接上传扫描仪生成的 PDF 或图片。", code="active_pdf")
    except ValidationError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError) as error:
        raise ValidationError("PDF 文件已损坏或无法打开，请重新扫描后上传。", code="bad_pdf") from error


def _has_active_content(reader: PdfReader, *, limit: int = 200_000) -> bool:
    """Walk the document's object graph from its catalog (pages, annotations, actions, names,
    forms) looking for anything that runs or embeds. Names are compared after pypdf decoded
    their #xx escapes, and compressed object streams are read too."""
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
            return True  # a graph this large is not a scan; refuse rather than spend the server
        if isinstance(node, dict):
            if ACTIVE_PDF_KEYS & set(node.keys()) or node.get("/S") in ("/JavaScript", "/Launch", "/SubmitForm", "/ImportData"):
                return True
            # Page contents are drawing operators, never actions; /Parent only leads back up.
            stack.extend(value for key, value in node.items() if key not in ("/Parent", "/Contents"))
        elif isinstance(node, list):
            stack.extend(node)
    return False


def _check_image(data: bytes, kind: str) -> None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise ValidationError(TOO_MANY_PIXELS, code="too_many_pixels")
            if image.format.lower() != kind:
                raise ValidationError("图片格式与内容不符，请重新导出为 JPEG 或 PNG。", code="bad_image")
            image.verify()
        # verify() checks a PNG's chunks to the end but reads nothing of a JPEG's image data, and
        # decoding cannot tell either: WeasyPrint (imported for the PDFs) switches on Pillow's
        # LOAD_TRUNCATED_IMAGES for the whole process, so Pillow pads a cut-off JPEG silently.
        if MARKUP.search(data):
            raise ValidationError("图片中夹带了网页代码，请重新扫描或另存为 JPEG/PNG 后上传。", code="polyglot")
        if kind == "jpeg" and not _jpeg_reaches_its_end(data):
            raise ValidationError("图片文件已损坏或无法打开，请重新扫描后上传。", code="bad_image")
    except ValidationError:
        raise
    except Image.DecompressionBombError as error:
        # Pillow refuses to open an image over twice its own pixel limit before our check sees
        # it: the same "too large" the check gives, not "damaged".
        raise ValidationError(TOO_MANY_PIXELS, code="too_many_pixels") from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
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
