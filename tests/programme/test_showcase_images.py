"""Photos of a 建设动态 (issue 16: Photos are re-encoded and resized (thumbnails for lists), their
metadata (GPS and the rest) stripped, size-capped): programme.images.process_photo."""
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from programme import images


def photo_bytes(size=(4000, 3000), fmt="JPEG", colour=(200, 30, 30), exif=None, **options) -> bytes:
    picture = Image.new("RGB", size, colour)
    # A marker in the top-left corner, to see where it ends up after the orientation is applied.
    picture.paste((0, 0, 255), (0, 0, size[0] // 4, size[1] // 4))
    buffer = io.BytesIO()
    if exif is not None:
        options["exif"] = exif
    picture.save(buffer, fmt, **options)
    return buffer.getvalue()


def gps_exif(orientation=1) -> Image.Exif:
    """EXIF as a phone writes it: camera, time, orientation and where (GPS: 北京, 39.9°N 116.4°E)."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone 15"
    exif[ExifTags.Base.DateTime] = "2024:05:01 10:00:00"
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (39.0, 54.0, 27.0),
        ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (116.0, 23.0, 17.0),
    }  # fmt: skip
    return exif


def upload(data: bytes, name="IMG_0001.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def opened(content_file) -> Image.Image:
    content_file.seek(0)
    return Image.open(io.BytesIO(content_file.read()))


def test_a_phone_photo_with_gps_comes_out_without_exif_gps_or_xmp():
    source = photo_bytes(exif=gps_exif(), icc_profile=b"")
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test's photo has GPS
    processed = images.process_photo(upload(source))
    for output in (processed.image, processed.thumbnail):
        picture = opened(output)
        assert picture.format == "JPEG"
        assert len(picture.getexif()) == 0
        assert not picture.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert "exif" not in picture.info and "xmp" not in picture.info and "icc_profile" not in picture.info
        output.seek(0)
        raw = output.read()
        assert b"Exif" not in raw and b"PhoneMaker" not in raw and b"http://ns.adobe.com/xap" not in raw


def test_xmp_and_comments_are_dropped():
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><exif:GPSLatitude>39,54N</exif:GPSLatitude></rdf:RDF></x:xmpmeta>'
    source = photo_bytes(xmp=xmp, comment=b"taken at home")
    processed = images.process_photo(upload(source))
    processed.image.seek(0)
    raw = processed.image.read()
    assert b"xmpmeta" not in raw and b"GPSLatitude" not in raw and b"taken at home" not in raw


def test_resized_to_1600_and_a_480_thumbnail_with_their_sizes():
    processed = images.process_photo(upload(photo_bytes(size=(4000, 3000))))
    assert (processed.width, processed.height) == (1600, 1200)
    assert (processed.thumb_width, processed.thumb_height) == (480, 360)
    assert opened(processed.image).size == (1600, 1200)
    assert opened(processed.thumbnail).size == (480, 360)
    assert processed.image_format == "jpeg"


def test_a_small_photo_is_not_enlarged():
    processed = images.process_photo(upload(photo_bytes(size=(800, 600))))
    assert (processed.width, processed.height) == (800, 600)
    assert (processed.thumb_width, processed.thumb_height) == (480, 360)


def test_the_exif_orientation_is_applied():
    # Orientation 6: the camera was held upright, the sensor's picture must turn 90° clockwise.
    source = photo_bytes(size=(4000, 3000), exif=gps_exif(orientation=6))
    processed = images.process_photo(upload(source))
    assert (processed.width, processed.height) == (1200, 1600)  # portrait now
    picture = opened(processed.image).convert("RGB")
    # The blue corner was top-left of the sensor's picture: after turning clockwise it is top-right.
    assert picture.getpixel((picture.width - 20, 20))[2] > 200
    assert picture.getpixel((20, 20))[0] > 150


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted_and_come_out_as_jpeg(fmt):
    processed = images.process_photo(upload(photo_bytes(size=(2000, 1000), fmt=fmt), name="photo.bin"))
    assert opened(processed.image).format == "JPEG"
    assert (processed.width, processed.height) == (1600, 800)


def test_a_transparent_png_is_laid_on_white():
    picture = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    processed = images.process_photo(upload(buffer.getvalue(), name="logo.png"))
    assert opened(processed.image).convert("RGB").getpixel((50, 50)) == (255, 255, 255)


def refusal(data: bytes, name="IMG.jpg", **options) -> str:
    with pytest.raises(ValidationError) as caught:
        images.process_photo(upload(data, name=name), **options)
    return caught.value.messages[0]


def test_a_non_image_is_refused_by_content_whatever_its_name():
    assert refusal(b"%PDF-1.7\n...", name="photo.jpg") == images.NOT_AN_IMAGE
    assert refusal(b"<html><script>alert(1)</script></html>", name="photo.png") == images.NOT_AN_IMAGE
    assert "JPEG、PNG 或 WebP" in images.NOT_AN_IMAGE


def test_heic_is_refused_with_a_way_out():
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
    message = refusal(heic, name="IMG_0001.HEIC")
    assert "HEIC" in message and "兼容性最佳" in message


def test_a_decompression_bomb_is_refused_before_decoding():
    # 12,000 × 12,000 = 144 million pixels in a few hundred kilobytes of PNG.
    bomb = Image.new("1", (12_000, 12_000))
    buffer = io.BytesIO()
    bomb.save(buffer, "PNG")
    assert len(buffer.getvalue()) < 1024 * 1024
    assert refusal(buffer.getvalue(), name="bomb.png") == images.TOO_MANY_PIXELS


def test_over_the_byte_cap_is_refused_with_the_cap_named():
    message = refusal(photo_bytes(size=(400, 300)), max_bytes=1024)
    assert message.startswith("照片过大") and "1 KB" in message


def test_the_cap_is_a_setting(settings):
    settings.SHOWCASE_PHOTO_MAX_BYTES = 2048
    assert refusal(photo_bytes(size=(400, 300))).startswith("照片过大")


def test_an_empty_or_cut_short_jpeg_is_refused():
    assert refusal(b"") == "文件是空的，请重新选择照片。"
    whole = photo_bytes(size=(800, 600))
    assert refusal(whole[: len(whole) // 2]) == images.DAMAGED
