"""A signed scan's pages as images for the reviewers' viewer, rendered once and kept by the scan's hash.

PDF pages are rendered in the process by PDFium (pypdfium2: one pinned wheel with no dependencies,
installed from requirements.lock like everything else, so the Docker image and bin/setup need no
new system package; pdftoppm would be a subprocess per page and poppler-utils in every image).
An image scan is its own single page, turned as its EXIF says and scaled down.

A page is stored as a JPEG under scan-pages/<sha256>/<page>.jpg in the same private storage as the
scans (local disk or the bucket), so every app server finds what one rendered, and is sent through
portal.protected like the scan itself.
"""
import io
import threading

from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile
from PIL import Image, ImageOps

from applications.models import SignedScan

# Wide enough to read a signature and a seal when opened at full size (about 190 dpi across A4).
PAGE_WIDTH_PX = 1600
# A page far taller than A4 (a long receipt-like photo) is capped rather than rendered huge.
MAX_PAGE_HEIGHT_PX = 4000
JPEG_QUALITY = 85
# PDFium is not thread-safe: one render at a time in a process (gunicorn may run threads).
_PDFIUM_LOCK = threading.Lock()


def page_image_name(scan: SignedScan, number: int) -> str:
    return f"scan-pages/{scan.sha256}/{number}.jpg"


def scan_page_file(scan: SignedScan, number: int) -> FieldFile:
    """The stored image of page `number` (1-based) of `scan`, rendered and stored on first use.

    Side effect: writes scan-pages/<sha256>/<number>.jpg to the default storage when it is missing.
    The caller has checked that the user may see the scan and that the page exists."""
    field = SignedScan._meta.get_field("file")
    name = page_image_name(scan, number)
    if not field.storage.exists(name):
        with scan.file.open("rb") as handle:
            data = handle.read()
        image = _render_pdf_page(data, number) if scan.kind == "pdf" else _image_page(data)
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
        if not field.storage.exists(name):  # another request may have rendered it meanwhile
            name = field.storage.save(name, ContentFile(buffer.getvalue()))
    return FieldFile(scan, field, name)


def _fit(width: float, height: float) -> float:
    """The scale that makes a page PAGE_WIDTH_PX wide, or MAX_PAGE_HEIGHT_PX high if that is less."""
    return min(PAGE_WIDTH_PX / width, MAX_PAGE_HEIGHT_PX / height)


def _render_pdf_page(data: bytes, number: int) -> Image.Image:
    import pypdfium2

    with _PDFIUM_LOCK:
        document = pypdfium2.PdfDocument(data)
        try:
            page = document[number - 1]
            try:
                width, height = page.get_size()
                bitmap = page.render(scale=_fit(width, height))
                image = bitmap.to_pil().convert("RGB")
            finally:
                page.close()
        finally:
            document.close()
    return image


def _image_page(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as opened:
        image = ImageOps.exif_transpose(opened)
        if image.mode in ("RGBA", "LA", "P"):
            image = image.convert("RGBA")
            white = Image.new("RGB", image.size, "white")
            white.paste(image, mask=image.getchannel("A"))
            image = white
        else:
            image = image.convert("RGB")
    scale = _fit(image.width, image.height)
    if scale < 1:
        image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.LANCZOS)
    return image
