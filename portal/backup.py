"""Backup and restore of everything the portal holds: the database (as Django fixtures, so a
backup taken on SQLite restores on PostgreSQL and back) and the uploaded files."""
import io
import json
import tarfile
import tempfile
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core import management
from django.core.files.storage import default_storage
from django.db import transaction

# Rebuilt by migrate, or transient: not part of a backup.
EXCLUDED_MODELS = ("contenttypes", "auth.permission", "sessions", "admin.logentry", "django_tasks_database")
FORMAT_VERSION = 1


def _stored_files():
    """Every file in the default (private) storage, as relative paths."""
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    if not root.exists():
        return []
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def backup_to(path: Path) -> dict:
    """Write a .tar.gz with data.json (all models), manifest.json and files/…; return the manifest."""
    data = io.StringIO()
    management.call_command(
        "dumpdata", "--natural-foreign", "--natural-primary", *[f"--exclude={m}" for m in EXCLUDED_MODELS],
        "--indent", "0", stdout=data,
    )  # fmt: skip
    files = _stored_files()
    manifest = {"format": FORMAT_VERSION, "created": datetime.now().isoformat(timespec="seconds"), "files": len(files)}
    with tarfile.open(path, "w:gz") as archive:
        for name, payload in (("manifest.json", json.dumps(manifest, ensure_ascii=False)), ("data.json", data.getvalue())):
            blob = payload.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(blob)
            archive.addfile(info, io.BytesIO(blob))
        root = Path(settings.PRIVATE_MEDIA_ROOT)
        for relative in files:
            archive.add(root / relative, arcname=f"files/{relative}")
    return manifest


def _file_members(archive: tarfile.TarFile) -> list[tuple[tarfile.TarInfo, str]]:
    """The backup's uploaded files as (member, path inside the storage). Any path that would land
    outside the upload folder refuses the whole backup."""
    members = []
    for member in archive.getmembers():
        if not member.isfile() or not member.name.startswith("files/"):
            continue
        relative = member.name[len("files/") :]
        if relative.startswith("/") or ".." in Path(relative).parts:
            raise ValueError(f"备份中有不安全的路径：{member.name}")
        members.append((member, relative))
    return members


def restore_from(path: Path) -> dict:
    """Replace the database's content and the uploaded files with the backup's.

    The database must be migrated to the same schema (run migrate first). The backup is checked
    first (format, file paths), so a refused backup changes nothing. Everything happens in one
    transaction for the data; files are written after the data loaded."""
    with tarfile.open(path, "r:gz") as archive:
        manifest = json.load(archive.extractfile("manifest.json"))
        if manifest.get("format") != FORMAT_VERSION:
            raise ValueError(f"不支持的备份格式：{manifest.get('format')}")
        files = _file_members(archive)
        with tempfile.TemporaryDirectory() as scratch:
            fixture = Path(scratch) / "data.json"
            fixture.write_bytes(archive.extractfile("data.json").read())
            with transaction.atomic():
                management.call_command("flush", "--noinput", verbosity=0)
                management.call_command("loaddata", str(fixture), verbosity=0)
        for member, relative in files:
            if default_storage.exists(relative):
                default_storage.delete(relative)
            default_storage.save(relative, archive.extractfile(member))
    return manifest
