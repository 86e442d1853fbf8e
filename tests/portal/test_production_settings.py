"""Production settings come from the environment only: hashed static files, uploads on the local
disk or on private object storage, a protected-file server that fits the storage, JSON logs.

Each case loads portal/settings.py in a fresh interpreter with exactly the environment given."""
import json
import os
import subprocess
import sys

from django.conf import settings as django_settings

PRODUCTION = {"DEBUG": "false", "SECRET_KEY": "x" * 50}
# Variables of the portal that must not leak from the environment running the tests.
PORTAL_VARIABLES = ("AWS_", "PROTECTED_FILES_", "LOG_FORMAT", "DATABASE_URL", "STATIC_ROOT", "PRIVATE_MEDIA_ROOT", "BEHIND_PROXY", "TRUSTED_PROXY_COUNT")

PRINT = """
import json
from portal import settings as s
print(json.dumps({"storages": s.STORAGES, "log_format": s.LOG_FORMAT, "protected": s.PROTECTED_FILES_SERVER,
                  "exempt": s.SECURE_REDIRECT_EXEMPT, "middleware": s.MIDDLEWARE[:4],
                  "trusted_proxies": s.TRUSTED_PROXY_COUNT}, default=str))
"""


def load(**environment) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(PORTAL_VARIABLES)}
    env.update(environment)
    return subprocess.run(
        [sys.executable, "-c", PRINT], cwd=django_settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )  # fmt: skip


def settings_for(**environment) -> dict:
    result = load(**environment)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_serves_hashed_compressed_static_files_and_keeps_uploads_on_disk(tmp_path):
    loaded = settings_for(**PRODUCTION, PRIVATE_MEDIA_ROOT=str(tmp_path))
    assert loaded["storages"]["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert loaded["storages"]["default"] == {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path), "base_url": None},
    }
    assert loaded["log_format"] == "json"
    assert loaded["protected"] == "django"
    assert loaded["exempt"] == ["^healthz$"]
    assert loaded["middleware"] == [
        "portal.request_id.RequestIdMiddleware",
        "portal.http_headers.PermissionsPolicyMiddleware",
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
    ]


def test_development_keeps_plain_static_files_and_plain_logs():
    loaded = settings_for(DEBUG="true")
    assert loaded["storages"]["staticfiles"]["BACKEND"] == "django.contrib.staticfiles.storage.StaticFilesStorage"
    assert loaded["log_format"] == "plain"


def test_a_bucket_puts_uploads_on_private_object_storage():
    loaded = settings_for(
        **PRODUCTION,
        AWS_STORAGE_BUCKET_NAME="portal-uploads",
        AWS_S3_ENDPOINT_URL="https://minio.internal:9000",
        AWS_S3_REGION_NAME="cn-east-1",
        AWS_ACCESS_KEY_ID="portal",
        AWS_SECRET_ACCESS_KEY="not-a-real-secret",
        AWS_S3_ADDRESSING_STYLE="path",
        AWS_LOCATION="uploads",
        PROTECTED_FILES_SERVER="s3-redirect",
        PROTECTED_FILES_URL_SECONDS="45",
    )  # fmt: skip
    default = loaded["storages"]["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    options = default["OPTIONS"]
    assert options["bucket_name"] == "portal-uploads"
    assert options["endpoint_url"] == "https://minio.internal:9000"
    assert options["region_name"] == "cn-east-1"
    assert (options["access_key"], options["secret_key"]) == ("portal", "not-a-real-secret")
    assert options["addressing_style"] == "path"
    assert options["location"] == "uploads"
    # Private objects, reachable only through signed, short-lived URLs, never overwritten.
    assert options["default_acl"] == "private"
    assert options["querystring_auth"] is True
    assert options["querystring_expire"] == 45
    assert options["file_overwrite"] is False
    assert "custom_domain" not in options
    assert loaded["protected"] == "s3-redirect"


def test_without_keys_boto3_finds_credentials_itself_and_acls_can_be_left_out():
    options = settings_for(**PRODUCTION, AWS_STORAGE_BUCKET_NAME="b", AWS_DEFAULT_ACL="")["storages"]["default"]["OPTIONS"]
    assert options["access_key"] is None and options["secret_key"] is None
    assert options["endpoint_url"] is None
    assert options["default_acl"] is None


def test_nginx_cannot_send_files_that_are_on_object_storage():
    result = load(**PRODUCTION, AWS_STORAGE_BUCKET_NAME="b", PROTECTED_FILES_SERVER="nginx")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_a_presigned_redirect_needs_object_storage():
    result = load(**PRODUCTION, PROTECTED_FILES_SERVER="s3-redirect")
    assert result.returncode != 0
    assert "AWS_STORAGE_BUCKET_NAME" in result.stderr


def test_unknown_values_fail_at_start():
    assert load(**PRODUCTION, PROTECTED_FILES_SERVER="lighttpd").returncode != 0
    assert load(**PRODUCTION, LOG_FORMAT="xml").returncode != 0
    assert settings_for(**PRODUCTION, LOG_FORMAT="plain")["log_format"] == "plain"


def test_behind_the_proxy_one_proxy_is_trusted_unless_told_otherwise():
    # The right-most X-Forwarded-For entry is nginx's (deploy/nginx/portal.conf); without a proxy
    # no header is believed.
    assert settings_for(**PRODUCTION)["trusted_proxies"] == 0
    assert settings_for(**PRODUCTION, BEHIND_PROXY="true")["trusted_proxies"] == 1
    assert settings_for(**PRODUCTION, BEHIND_PROXY="true", TRUSTED_PROXY_COUNT="2")["trusted_proxies"] == 2
    refused = load(**PRODUCTION, TRUSTED_PROXY_COUNT="-1")
    assert refused.returncode != 0 and "TRUSTED_PROXY_COUNT 不能为负数" in refused.stderr
