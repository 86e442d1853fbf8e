"""Protected downloads (portal/protected.py): streamed by the app, handed to nginx or Apache, or
redirected to a presigned object-storage URL, always with the type, the file name and nosniff."""
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage
from django.db.models.fields.files import FieldFile, FileField
from django.http import FileResponse

from portal.protected import protected_file_response

CONTENT = b"%PDF-1.7 signed and sealed"


class _Owner:
    """FieldFile needs an instance and a field; none of the tests here saves a model."""


def stored_file(storage: Storage, name: str, data: bytes = CONTENT) -> FieldFile:
    saved = storage.save(name, ContentFile(data))
    field = FileField(storage=storage)
    field.attname = field.name = "file"
    return FieldFile(_Owner(), field, saved)


@pytest.fixture
def media(tmp_path, settings):
    root = tmp_path / "uploads"
    root.mkdir()
    settings.PRIVATE_MEDIA_ROOT = root
    return FileSystemStorage(location=str(root), base_url=None)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_by_default_the_app_streams_the_file(media, settings):
    settings.PROTECTED_FILES_SERVER = "django"
    response = protected_file_response(stored_file(media, "scans/7/a.pdf"), content_type="application/pdf", filename="盖章扫描件-7.pdf", attachment=False)
    assert isinstance(response, FileResponse)
    assert body(response) == CONTENT
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == "inline; filename*=utf-8''%E7%9B%96%E7%AB%A0%E6%89%AB%E6%8F%8F%E4%BB%B6-7.pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "X-Accel-Redirect" not in response


def test_an_attachment_is_offered_for_download_with_its_name(media, settings):
    settings.PROTECTED_FILES_SERVER = "django"
    response = protected_file_response(stored_file(media, "exports/3/bundle.zip"), content_type="application/zip", filename="bundle.zip", attachment=True)
    assert response["Content-Disposition"] == 'attachment; filename="bundle.zip"'


def test_with_nginx_the_app_sends_only_the_internal_redirect(media, settings):
    settings.PROTECTED_FILES_SERVER = "nginx"
    settings.PROTECTED_FILES_INTERNAL_PREFIX = "/_protected/"
    fieldfile = stored_file(media, "forwardings/4/推荐汇总表 2023.pdf")
    response = protected_file_response(fieldfile, content_type="application/pdf", filename="推荐汇总表.pdf", attachment=True)
    assert not isinstance(response, FileResponse)
    assert response.content == b""
    # Percent-encoded, as nginx (since 1.5.9) expects; the name is the storage's, relative to the root.
    assert response["X-Accel-Redirect"] == "/_protected/forwardings/4/%E6%8E%A8%E8%8D%90%E6%B1%87%E6%80%BB%E8%A1%A8%202023.pdf"
    assert fieldfile.name == "forwardings/4/推荐汇总表 2023.pdf"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_internal_prefix_comes_from_the_settings(media, settings):
    settings.PROTECTED_FILES_SERVER = "nginx"
    settings.PROTECTED_FILES_INTERNAL_PREFIX = "/internal-files"
    response = protected_file_response(stored_file(media, "scans/1/x.png"), content_type="image/png", filename="x.png", attachment=False)
    assert response["X-Accel-Redirect"] == "/internal-files/scans/1/x.png"


def test_with_apache_the_app_sends_the_absolute_path(media, settings):
    settings.PROTECTED_FILES_SERVER = "apache"
    response = protected_file_response(stored_file(media, "scans/1/x.jpg"), content_type="image/jpeg", filename="x.jpg", attachment=False)
    assert response["X-Sendfile"] == str(settings.PRIVATE_MEDIA_ROOT.resolve() / "scans" / "1" / "x.jpg")
    assert response.content == b""


def test_a_file_outside_the_private_root_is_streamed_rather_than_exposed(tmp_path, settings):
    settings.PROTECTED_FILES_SERVER = "nginx"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "uploads"
    elsewhere = FileSystemStorage(location=str(tmp_path / "elsewhere"), base_url=None)
    response = protected_file_response(stored_file(elsewhere, "a.pdf"), content_type="application/pdf", filename="a.pdf", attachment=False)
    assert "X-Accel-Redirect" not in response
    assert body(response) == CONTENT


class MemoryStorage(Storage):
    """Object storage as the portal sees it: files without a local path."""

    def __init__(self):
        self.files = {}

    def _save(self, name, content):
        self.files[name] = content.read()
        return name

    def _open(self, name, mode="rb"):
        return ContentFile(self.files[name], name=name)

    def exists(self, name):
        return name in self.files


def test_files_on_object_storage_are_streamed_even_when_nginx_is_configured(settings, tmp_path):
    settings.PROTECTED_FILES_SERVER = "nginx"
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    response = protected_file_response(stored_file(MemoryStorage(), "scans/2/b.pdf"), content_type="application/pdf", filename="b.pdf", attachment=False)
    assert isinstance(response, FileResponse)
    assert body(response) == CONTENT
    assert response["X-Content-Type-Options"] == "nosniff"


def test_with_s3_redirect_the_browser_gets_a_short_lived_presigned_url(settings):
    from storages.backends.s3 import S3Storage

    settings.PROTECTED_FILES_SERVER = "s3-redirect"
    settings.PROTECTED_FILES_URL_SECONDS = 60
    # Presigning is computed locally: no object store is contacted.
    storage = S3Storage(
        bucket_name="portal-uploads", endpoint_url="http://127.0.0.1:9", region_name="us-east-1",
        access_key="test-access", secret_key="test-secret", addressing_style="path", signature_version="s3v4",
        querystring_auth=True,
    )  # fmt: skip
    field = FileField(storage=storage)
    field.attname = field.name = "file"
    fieldfile = FieldFile(_Owner(), field, "scans/9/c.pdf")
    response = protected_file_response(fieldfile, content_type="application/pdf", filename="盖章扫描件.pdf", attachment=False)
    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert (url.scheme, url.netloc, url.path) == ("http", "127.0.0.1:9", "/portal-uploads/scans/9/c.pdf")
    query = parse_qs(url.query)
    assert query["X-Amz-Expires"] == ["60"]
    assert query["response-content-type"] == ["application/pdf"]
    assert query["response-content-disposition"] == ["inline; filename*=utf-8''%E7%9B%96%E7%AB%A0%E6%89%AB%E6%8F%8F%E4%BB%B6.pdf"]
    assert "X-Amz-Signature" in query
    assert "no-store" in response["Cache-Control"]
