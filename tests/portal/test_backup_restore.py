"""Backup and restore (`manage.py backup`, `manage.py restore --yes`): a backup holds the whole
database and every uploaded file, even after people named in the history were deleted, and only its
owner may read it; restoring it brings back exactly what was there, every row under its own id,
whatever was changed or deleted since; a backup that would write outside the upload folder is
refused before anything is touched."""
import hashlib
import io
import json
import os
import tarfile

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from applications.models import Application, SignedScan, TeamMember
from portal.models import Role, User
from review.models import CriterionScore, ExpertReview
from review.rubric import rubric_ensure_default
from tests.conftest import PASSWORD, make_user
from tests.review.helpers import submit_complete
from tests.review.national_helpers import FAIR, GOOD, assign, in_review, make_expert, submit_review

# Restoring flushes and reloads the database in a transaction of its own. Inside a test's
# transaction PostgreSQL refuses that (TRUNCATE with pending foreign-key checks), so the tests
# that restore run as transactional tests, with the reference data (provinces, project categories)
# put back first, since the flush after each such test removes it.
restores = pytest.mark.django_db(transaction=True)

TEAM_FIELDS = ("position", "name", "title", "department", "mobile", "duty")


@pytest.fixture
def scene(batch, staff_user, zhejiang_reviewer, complete_application_a, user_a, private_media):
    """School A's application submitted to Zhejiang with its scan and team; a direct application
    scored by two experts."""
    submit_complete(complete_application_a, user_a)
    rubric_ensure_default(batch)
    direct, _school_user = in_review(batch, "四川备份职业技术学院", staff_user)
    for username, province, institution, scores in [("expert-b1", "110000", "北京终身教育研究院", GOOD), ("expert-b2", "310000", "上海开放大学", FAIR)]:
        submit_review(assign(direct, make_expert(username, province, institution), staff_user), scores)
    return {"school_a": Application.objects.get(pk=complete_application_a.pk), "direct": Application.objects.get(pk=direct.pk)}


def snapshot() -> dict:
    """Everything the assertions compare: applications by number with their content and team,
    the scans' files, the expert reviews with their scores, and the size of the audit trail."""
    applications = {}
    for application in Application.objects.order_by("number"):
        applications[application.number] = {
            **{name: getattr(application, name) for name in (*Application.CONTENT_FIELDS, "status", "route", "version_code", "school_id")},
            "team": list(TeamMember.objects.filter(application=application).order_by("position").values_list(*TEAM_FIELDS)),
            "projects": sorted(application.projects.values_list("code", flat=True)),
        }
    return {
        "applications": applications,
        "scans": sorted((s.application.number, s.sha256, s.file.name, sha256_of(s.file)) for s in SignedScan.objects.all()),
        "reviews": sorted(ExpertReview.objects.values_list("assignment__application__number", "assignment__expert__username", "state", "total", "comment")),
        "scores": sorted(CriterionScore.objects.values_list("review__assignment__expert__username", "criterion__name", "points")),
        "history": Application.history.count(),
    }


# Not in a backup: rebuilt by migrate (under ids of their own, so rows that refer to them are
# compared by the natural key of what they refer to), or transient.
REBUILT = (ContentType, Permission)
TRANSIENT = ("sessions", "django_tasks_database")


def every_row() -> dict[str, list[dict]]:
    """Every row of every table the portal keeps, by model (many-to-many tables included), with
    references to content types and permissions given by natural key."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in TRANSIENT or model in REBUILT or model._meta.proxy:
            continue
        rows = []
        for row in model._base_manager.order_by("pk").values():
            for field in model._meta.concrete_fields:
                if field.is_relation and field.related_model in REBUILT and row[field.attname] is not None:
                    row[field.attname] = field.related_model._base_manager.get(pk=row[field.attname]).natural_key()
            rows.append(row)
        tables[model._meta.label] = rows
    return tables


def every_file(root) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def sha256_of(field_file) -> str | None:
    if not field_file.storage.exists(field_file.name):
        return None
    with field_file.open("rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


@restores
def test_restore_brings_back_deleted_and_changed_data_and_files(reference_data, scene, tmp_path, private_media):
    before = snapshot()
    assert len(before["applications"]) == 2 and len(before["scores"]) == 12 and before["scans"]  # arrange
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())

    # Everything goes wrong: an application deleted, a scan's file lost, a score changed.
    Application.objects.get(pk=scene["school_a"].pk).delete()
    for scan in SignedScan.objects.all():
        scan.file.storage.delete(scan.file.name)
    CriterionScore.objects.filter(review__assignment__expert__username="expert-b1").update(points=0)
    assert snapshot() != before

    out = io.StringIO()
    call_command("restore", str(archive), yes=True, stdout=out)

    assert "已从" in out.getvalue()
    after = snapshot()
    assert after["applications"] == before["applications"]
    assert after["scans"] == before["scans"]
    assert all(digest == stored for _number, digest, _name, stored in after["scans"])  # file bytes = recorded sha256
    assert after["reviews"] == before["reviews"]
    assert after["scores"] == before["scores"]
    assert after["history"] == before["history"]


@restores
def test_after_a_restore_people_log_in_with_their_passwords(reference_data, scene, client, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())

    call_command("restore", str(archive), yes=True, stdout=io.StringIO())

    assert client.login(username="school-a", password=PASSWORD)
    assert client.login(username="expert-b1", password=PASSWORD)


@restores
def test_after_users_were_deleted_a_backup_restores_every_row_and_file_into_an_empty_database(
    reference_data, scene, staff_user, tmp_path, private_media
):
    # People come and go: a member of staff who assigned an expert leaves (the assignment's history
    # still names them), and of three new accounts the middle one is deleted, leaving a gap in the ids.
    leaving = make_user("staff-leaving", Role.STAFF, is_staff=True)
    assign(scene["direct"], make_expert("expert-b3", "120000", "天津职业大学"), leaving)
    first, middle, last = (make_user(f"school-staff-{n}", Role.SCHOOL, school=scene["school_a"].school) for n in range(3))
    leaving.delete()
    middle.delete()
    # Rows only a restore by id gets right: group membership, a second factor with its secret.
    staff_user.groups.add(Group.objects.get(name="项目组"))
    TOTPDevice.objects.create(user=last, name="手机", confirmed=True)
    rows, files = every_row(), every_file(private_media)
    assert rows["portal.User"] and rows["auth.Group_permissions"] and rows["otp_totp.TOTPDevice"] and files  # arrange
    archive = tmp_path / "backup.tar.gz"

    call_command("backup", str(archive), stdout=io.StringIO())

    # An empty database (migrated, nothing else) and no uploads.
    call_command("flush", "--noinput", verbosity=0)
    for path in private_media.rglob("*"):
        if path.is_file():
            path.unlink()
    call_command("restore", str(archive), yes=True, stdout=io.StringIO())

    assert every_row() == rows
    assert every_file(private_media) == files
    # The database hands out ids after the restored ones (PostgreSQL's sequences were reset).
    newcomer = make_user("school-staff-new", Role.SCHOOL, school=scene["school_a"].school)
    assert newcomer.pk > last.pk
    newcomer.groups.add(Group.objects.get(name="项目组"))


@restores
def test_a_backup_of_the_first_format_still_restores(reference_data, scene, tmp_path, private_media):
    # Format 1 named users and groups by natural key instead of keeping their ids.
    before = snapshot()
    data = io.StringIO()
    call_command("dumpdata", "--natural-foreign", "--natural-primary", "--exclude=contenttypes", "--exclude=auth.permission",
                 "--exclude=sessions", "--exclude=admin.logentry", "--exclude=django_tasks_database", stdout=data)  # fmt: skip
    archive = tmp_path / "format-1.tar.gz"
    with tarfile.open(archive, "w:gz") as backup:
        uploaded = [(f"files/{p.relative_to(private_media).as_posix()}", p.read_bytes()) for p in private_media.rglob("*") if p.is_file()]
        manifest = json.dumps({"format": 1, "created": "2023-04-01T00:00:00", "files": len(uploaded)}).encode()
        for name, blob in [("manifest.json", manifest), ("data.json", data.getvalue().encode()), *uploaded]:
            info = tarfile.TarInfo(name)
            info.size = len(blob)
            backup.addfile(info, io.BytesIO(blob))
    Application.objects.get(pk=scene["school_a"].pk).delete()

    call_command("restore", str(archive), yes=True, stdout=io.StringIO())

    assert snapshot() == before
    assert User.objects.get(username="school-a").check_password(PASSWORD)


def test_only_its_owner_can_read_a_backup(scene, tmp_path):
    # It holds password hashes and second-factor secrets: created 0600 whatever the umask, also
    # when it replaces a file that anyone could read.
    replaced = tmp_path / "replaced.tar.gz"
    replaced.write_bytes(b"old")
    replaced.chmod(0o644)
    previous = os.umask(0o022)
    try:
        call_command("backup", str(tmp_path / "new.tar.gz"), stdout=io.StringIO())
        call_command("backup", str(replaced), stdout=io.StringIO())
    finally:
        os.umask(previous)

    assert oct((tmp_path / "new.tar.gz").stat().st_mode & 0o777) == "0o600"
    assert oct(replaced.stat().st_mode & 0o777) == "0o600"
    with tarfile.open(replaced, "r:gz") as backup:
        assert "data.json" in backup.getnames()


def test_the_backup_holds_the_data_and_every_uploaded_file(scene, tmp_path, private_media):
    archive = tmp_path / "backup.tar.gz"

    call_command("backup", str(archive), stdout=io.StringIO())

    with tarfile.open(archive, "r:gz") as backup:
        names = backup.getnames()
        manifest = json.load(backup.extractfile("manifest.json"))
        data = json.load(backup.extractfile("data.json"))
    uploaded = sorted(p.relative_to(private_media).as_posix() for p in private_media.rglob("*") if p.is_file())
    assert sorted(name[len("files/") :] for name in names if name.startswith("files/")) == uploaded
    assert manifest["files"] == len(uploaded) and manifest["format"] == 2
    models = {row["model"] for row in data}
    assert {"applications.application", "applications.teammember", "review.criterionscore", "applications.historicalapplication"} <= models
    # Sessions are transient and not worth restoring (and would hand out live logins).
    assert "sessions.session" not in models


def unsafe_backup(tmp_path, member_name: str):
    """A backup whose data is empty and whose one file would be written at `member_name`."""
    archive = tmp_path / "unsafe.tar.gz"
    with tarfile.open(archive, "w:gz") as backup:
        for name, blob in (("manifest.json", json.dumps({"format": 1, "created": "2023-04-01T00:00:00", "files": 1}).encode()),
                           ("data.json", b"[]"), (member_name, b"owned")):  # fmt: skip
            info = tarfile.TarInfo(name)
            info.size = len(blob)
            backup.addfile(info, io.BytesIO(blob))
    return archive


@pytest.mark.parametrize("member_name", ["files/../x", "files/scans/../../../x", "files//etc/x"])
def test_a_backup_writing_outside_the_upload_folder_is_refused_and_changes_nothing(scene, tmp_path, private_media, member_name):
    before = snapshot()
    archive = unsafe_backup(tmp_path, member_name)

    with pytest.raises(ValueError, match="备份中有不安全的路径"):
        call_command("restore", str(archive), yes=True, stdout=io.StringIO())

    # Refused before anything happened: the database was not emptied, no file was written.
    assert snapshot() == before
    assert not (private_media.parent / "x").exists()
    assert not any(path.read_bytes() == b"owned" for path in tmp_path.rglob("*") if path.is_file())


def test_a_backup_of_another_format_is_refused_and_changes_nothing(scene, tmp_path):
    before = snapshot()
    archive = tmp_path / "future.tar.gz"
    with tarfile.open(archive, "w:gz") as backup:
        blob = json.dumps({"format": 3}).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(blob)
        backup.addfile(info, io.BytesIO(blob))

    with pytest.raises(ValueError, match="不支持的备份格式：3"):
        call_command("restore", str(archive), yes=True, stdout=io.StringIO())
    assert snapshot() == before


def test_restoring_a_missing_file_says_so(db, tmp_path):
    with pytest.raises(CommandError, match="找不到备份文件"):
        call_command("restore", str(tmp_path / "nothing.tar.gz"), yes=True)
