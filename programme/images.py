"""Photos of a 建设动态 (programme.showcase): an upload from a phone is checked by its content, opened
with Pillow under a pixel limit (a "decompression bomb" is refused before it is decoded), turned
upright by its EXIF orientation, and re-encoded as a new JPEG at most PHOTO_MAX_EDGE pixels on its
long side plus a thumbnail of THUMB_MAX_EDGE for lists. Nothing of the upload's metadata survives:
no EXIF (GPS, camera, time), no XMP, no comments; a colour profile is applied (converted to sRGB)
and then dropped, so the public copy tells nothing of where or with what it was taken.

Unlike the application's scans (applications.uploads.inspect_scan, which refuses and keeps the
school's bytes), a photo is public once approved, so it is always rewritten.
"""
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from applications.uploads import _format_size, _jpeg_reaches_its_end

PHOTO_MAX_EDGE = 1600
THUMB_MAX_EDGE = 480
QUALITY = 82
# A phone's camera makes 12–50 megapixels; past this an upload is refused before decoding.
MAX_PIXELS = 60_000_000

# (leading bytes, kind) of the formats a phone's browser sends; HEIC is named only to refuse it with
# a way out (this server's Pillow has no HEIF decoder).
_SIGNATURES = ((b"\xff\xd8\xff", "jpeg"), (b"\x89PNG\r\n\x1a\n", "png"))
HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif")

NOT_AN_IMAGE = "只接受 JPEG、PNG 或 WebP 格式的照片（按文件内容判断，改扩展名无效）。"
HEIC_REFUSED = "暂不支持 HEIC/HEIF 格式的照片。请在手机相机设置中选择“兼容性最佳”，或先另存为 JPEG 后上传。"
DAMAGED = "照片文件已损坏或无法打开，请重新选择。"
TOO_MANY_PIXELS = "照片尺寸过大（像素过多），请缩小后再上传。"


@dataclass
class ProcessedPhoto:
    """A re-encoded photo and its thumbnail (JPEG bytes, ready for a FileField) with their sizes."""

    image: ContentFile
    width: int
    height: int
    thumbnail: ContentFile
    thumb_width: int
    thumb_height: int
    image_format: str = "jpeg"


def sniff_photo(head: bytes) -> str | None:
    """The photo format its first bytes say ('jpeg', 'png', 'webp', 'heif'), or None."""
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return "heif"
    return None


def process_photo(uploaded_file, *, max_bytes: int | None = None) -> ProcessedPhoto:
    """The upload re-encoded for the showcase, or ValidationError (one message in Chinese, for the
    field) when it is empty, over `max_bytes` (default settings.SHOWCASE_PHOTO_MAX_BYTES), not a
    JPEG/PNG/WebP by content, HEIC, damaged or cut short, or over MAX_PIXELS."""
    max_bytes = max_bytes or settings.SHOWCASE_PHOTO_MAX_BYTES
    if uploaded_file.size == 0:
        raise ValidationError("文件是空的，请重新选择照片。", code="empty")
    if uploaded_file.size > max_bytes:
        raise ValidationError(
            f"照片过大（{uploaded_file.size / 1024 / 1024:.1f} MB），每张不能超过 {_format_size(max_bytes)}。", code="too_large"
        )
    uploaded_file.seek(0)
    data = uploaded_file.read()
    uploaded_file.seek(0)
    kind = sniff_photo(data[:16])
    if kind == "heif":
        raise ValidationError(HEIC_REFUSED, code="heic")
    if kind is None:
        raise ValidationError(NOT_AN_IMAGE, code="bad_type")
    # WeasyPrint (imported for the PDFs) lets Pillow pad a cut-off JPEG silently: look for its end.
    if kind == "jpeg" and not _jpeg_reaches_its_end(data):
        raise ValidationError(DAMAGED, code="bad_image")
    try:
        with warnings.catch_warnings():
            # Pillow warns past its own limit; ours (MAX_PIXELS, below) is lower and refuses.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data))
        with opened:
            if opened.format.lower() != kind:
                raise ValidationError(NOT_AN_IMAGE, code="bad_type")
            # The size is in the header: checked before a single pixel is decoded.
            if opened.width * opened.height > MAX_PIXELS:
                raise ValidationError(TOO_MANY_PIXELS, code="too_many_pixels")
            opened.load()
            picture = _upright_srgb(opened)
    except ValidationError:
        raise
    except Image.DecompressionBombError as error:
        raise ValidationError(TOO_MANY_PIXELS, code="too_many_pixels") from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise ValidationError(DAMAGED, code="bad_image") from error
    image, width, height = _encode(picture, PHOTO_MAX_EDGE)
    thumbnail, thumb_width, thumb_height = _encode(picture, THUMB_MAX_EDGE)
    return ProcessedPhoto(image=image, width=width, height=height, thumbnail=thumbnail, thumb_width=thumb_width, thumb_height=thumb_height)


def _upright_srgb(image: Image.Image) -> Image.Image:
    """The picture as the camera meant it to be seen: rotated by its EXIF orientation, colours
    converted to sRGB from an embedded profile, transparency laid on white, in RGB."""
    upright = ImageOps.exif_transpose(image)
    profile = image.info.get("icc_profile")
    if profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            upright = ImageCms.profileToProfile(upright, source, ImageCms.createProfile("sRGB"), outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: keep the pixels as they are, the profile is dropped anyway
    if upright.mode in ("RGBA", "LA", "PA") or (upright.mode == "P" and "transparency" in upright.info):
        rgba = upright.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return upright.convert("RGB")


def _encode(picture: Image.Image, max_edge: int) -> tuple[ContentFile, int, int]:
    """A new JPEG of `picture` fitted within max_edge × max_edge: no EXIF, no XMP, no profile."""
    copy = picture.copy()
    copy.thumbnail((max_edge, max_edge), Image.Resampling.LANCZOS)
    # Some encoders fall back on what the image read carried (its profile, EXIF, comments): nothing
    # of the upload's is left to fall back on, and no exif=, icc_profile= or comment= is passed.
    copy.info = {}
    buffer = io.BytesIO()
    copy.save(buffer, "JPEG", quality=QUALITY, optimize=True, progressive=True)
    return ContentFile(buffer.getvalue()), copy.width, copy.height
