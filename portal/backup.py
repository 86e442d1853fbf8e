"""Backup and restore of everything the portal holds: the database (as Django fixtures, so a
backup taken on SQLite restores on PostgreSQL and back) and the uploaded files.

Every row keeps its own id, and references are written as the ids they hold: history keeps the id
of a user deleted since, and a restore must put each row back under its id, or history and
assignments would land on whichever account got that id next. Only content types and permissions
are left out and referred to by name (natural key): migrate rebuilds them, under ids of its own.
The archive holds password hashes and second-factor secrets, so only its owner may read it."""
import datetime
import json
import logging
import os
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import management
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.json import Serializer as JSONSerializer
from django.db import connection, transaction

from portal.models import School
from portal.validators import name_key

logger = logging.getLogger(__name__)

# Rebuilt by migrate under ids of their own: referred to by natural key, never written.
REBUILT_MODELS = (ContentType, Permission)
# Transient: sessions (live logins) and the job queue's rows. Emptied by a restore all the same.
TRANSIENT_APPS = ("sessions", "django_tasks_database")
# 1: natural keys for users and groups (before ids were kept); still restored.
FORMAT_VERSION = 2
READABLE_FORMATS = (1, 2)


class FullPrecisionEncoder(DjangoJSONEncoder):
    """Times to the microsecond: Django's encoder cuts them to milliseconds, which would change
    every timestamp and reorder history rows written within one millisecond."""

    def default(self, o):
        if isinstance(o, (datetime.datetime, datetime.time)):
            return o.isoformat()
        return super().default(o)


class BackupSerializer(JSONSerializer):
    """Django's JSON fixtures with every reference as the id it holds, looked up in nothing (so a
    reference to a deleted row is written as it is), except references to REBUILT_MODELS, written
    by natural key. Many-to-many links are rows of their own tables (with their ids), so they are
    not repeated inside the rows they link."""

    def handle_fk_field(self, obj, field):
        self.use_natural_foreign_keys = field.remote_field.model in REBUILT_MODELS
        super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj, field):
        pass


def backed_up_models() -> list:
    """Every model whose rows a backup holds, many-to-many tables included."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
        and model not in REBUILT_MODELS and model._meta.app_label not in TRANSIENT_APPS
    ]  # fmt: skip


def _every_row():
    for model in backed_up_models():
        yield from model._base_manager.order_by("pk").iterator(chunk_size=2000)


def _stored_files() -> list[str]:
    """Every file under PRIVATE_MEDIA_ROOT, as relative paths. (With object storage the bucket is
    backed up by the store's own means: docs/scaling.md.)"""
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    if not root.exists():
        return []
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _add_file(archive: tarfile.TarFile, relative: str) -> bool:
    """Add one stored file; False when it was deleted since it was listed (an upload replaced)."""
    try:
        archive.add(Path(settings.PRIVATE_MEDIA_ROOT) / relative, arcname=f"files/{relative}")
    except FileNotFoundError:
        logger.warning("backup: %s was deleted while the backup ran; left out", relative)
        return False
    return True


def backup_to(path: Path) -> dict:
    """Write a .tar.gz with manifest.json, data.json (every row) and files/… at `path`; return the
    manifest. The archive is created readable by its owner only (0600) under a temporary name
    beside `path` and renamed into place when complete, so a failed backup leaves no half archive
    and never replaces a good one."""
    path = Path(path)
    descriptor, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")  # mode 0600
    try:
        with tempfile.TemporaryDirectory() as scratch:
            fixture = Path(scratch) / "data.json"
            with fixture.open("w", encoding="utf-8") as stream:
                BackupSerializer().serialize(_every_row(), stream=stream, cls=FullPrecisionEncoder)
            with os.fdopen(descriptor, "wb") as target, tarfile.open(fileobj=target, mode="w:gz") as archive:
                files = sum(_add_file(archive, relative) for relative in _stored_files())
                manifest = {"format": FORMAT_VERSION, "created": datetime.datetime.now().isoformat(timespec="seconds"), "files": files}
                manifest_file = Path(scratch) / "manifest.json"
                manifest_file.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
                archive.add(manifest_file, arcname="manifest.json")
                archive.add(fixture, arcname="data.json")
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
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


def _empty_tables() -> None:
    """Delete every row of every table but those migrate rebuilt (content types, permissions),
    restarting the ids where the database numbers them."""
    kept = {model._meta.db_table for model in REBUILT_MODELS}
    tables = [table for table in connection.introspection.django_table_names(only_existing=True) if table not in kept]
    with connection.cursor() as cursor:
        for statement in connection.ops.sql_flush(no_style(), tables, reset_sequences=True):
            cursor.execute(statement)


def _fill_name_keys() -> None:
    """Backups made before schools had a name key (portal migration 0005) load without it."""
    for pk, name in School.objects.filter(name_key=None).values_list("pk", "name"):
        School.objects.filter(pk=pk).update(name_key=name_key(name))


def _reset_sequences() -> None:
    """Make the database hand out ids after the restored ones (PostgreSQL's sequences; SQLite
    follows the largest id by itself), for every table, many-to-many ones included."""
    models = [model for model in apps.get_models(include_auto_created=True) if model._meta.managed and not model._meta.proxy]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


def restore_from(path: Path) -> dict:
    """Replace the database's content and the uploaded files with the backup's.

    The database must be migrated to the same schema (run migrate first). The backup is checked
    first (format, file paths), so a refused backup changes nothing. The data is replaced in one
    transaction: every table emptied (sessions too: nobody stays logged in across a restore),
    every row loaded under its own id, the id sequences moved past them. Files are written after
    the data loaded."""
    with tarfile.open(path, "r:gz") as archive:
        manifest = json.load(archive.extractfile("manifest.json"))
        if manifest.get("format") not in READABLE_FORMATS:
            raise ValueError(f"不支持的备份格式：{manifest.get('format')}")
        files = _file_members(archive)
        with tempfile.TemporaryDirectory() as scratch:
            fixture = Path(scratch) / "data.json"
            fixture.write_bytes(archive.extractfile("data.json").read())
            with transaction.atomic():
                _empty_tables()
                management.call_command("loaddata", str(fixture), verbosity=0)
                _fill_name_keys()
                _reset_sequences()
        for member, relative in files:
            if default_storage.exists(relative):
                default_storage.delete(relative)
            default_storage.save(relative, archive.extractfile(member))
    return manifest
