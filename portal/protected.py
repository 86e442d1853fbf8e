"""Sending a protected file (a signed scan, a 推荐汇总表, a ZIP export) after the view has checked
that the user may have it.

How the bytes leave depends on PROTECTED_FILES_SERVER (portal/settings.py):

- "django" (default): the app streams the file from its storage. On object storage, django-storages
  first copies the object to a temporary file on the app server (in memory up to a few MB).
- "nginx": an empty response with `X-Accel-Redirect: <PROTECTED_FILES_INTERNAL_PREFIX><path>`; nginx
  sends the file from its `internal` location mapped to PRIVATE_MEDIA_ROOT (deploy/nginx/portal.conf)
  and the app worker is free at once. The path is percent-encoded, as nginx expects.
- "apache": the same with `X-Sendfile: <absolute path>` (mod_xsendfile 1.0, which unescapes it).
- "s3-redirect": a redirect to a presigned URL of the object, valid PROTECTED_FILES_URL_SECONDS, with
  the response's type and file name signed into it; the object store sends the bytes.

Files that are not on the local disk under PRIVATE_MEDIA_ROOT (nginx, apache) are streamed instead.
"""
import logging
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header

logger = logging.getLogger(__name__)


def protected_file_response(fieldfile, *, content_type: str, filename: str, attachment: bool) -> HttpResponse:
    """The response that sends `fieldfile` (a FieldFile) as `filename`, shown in the browser or
    downloaded (`attachment`)."""
    server = settings.PROTECTED_FILES_SERVER
    disposition = content_disposition_header(attachment, filename)
    response = None
    if server in ("nginx", "apache"):
        path = _local_path(fieldfile)
        if path is not None:
            response = HttpResponse(content_type=content_type)
            if server == "nginx":
                prefix = settings.PROTECTED_FILES_INTERNAL_PREFIX.rstrip("/") + "/"
                relative = path.relative_to(Path(settings.PRIVATE_MEDIA_ROOT).resolve())
                response["X-Accel-Redirect"] = prefix + quote(relative.as_posix())
            else:
                response["X-Sendfile"] = quote(str(path))
    elif server == "s3-redirect":
        url = fieldfile.storage.url(
            fieldfile.name,
            parameters={"ResponseContentType": content_type, "ResponseContentDisposition": disposition},
            expire=settings.PROTECTED_FILES_URL_SECONDS,
        )
        response = HttpResponseRedirect(url)
    if response is None:
        response = FileResponse(fieldfile.open("rb"), content_type=content_type)
    if not isinstance(response, HttpResponseRedirect):
        response["Content-Disposition"] = disposition
        response["X-Content-Type-Options"] = "nosniff"
    # Personal documents: never kept by a shared cache or in the browser's disk cache.
    patch_cache_control(response, private=True, no_store=True)
    return response


def _local_path(fieldfile) -> Path | None:
    """The file's absolute path when it lies on this machine's disk under PRIVATE_MEDIA_ROOT."""
    try:
        path = Path(fieldfile.storage.path(fieldfile.name)).resolve()
    except NotImplementedError:  # object storage: no local path
        return None
    root = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    if not path.is_relative_to(root):
        logger.warning("protected file %s is outside PRIVATE_MEDIA_ROOT; streaming it", fieldfile.name)
        return None
    return path
