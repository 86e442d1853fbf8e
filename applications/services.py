"""Writes to an application's content: creating it, saving a draft, recording a scan."""
import hashlib
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

from applications.documents import application_pdf
from applications.models import EDITABLE_STATUSES, TEAM_FIELDS, Application, Route, SignedScan, TeamMember, TimelineEntry
from applications.selectors import window_for
from applications.uploads import (
    GENERATED_PDF_UPLOADED, MAX_SCAN_FILES, assemble_pdf, generated_page_count, inspect_scan, is_generated_pdf, scan_page_count,
)  # fmt: skip
from applications.workflow import WorkflowError, status_label_for_school
from portal.models import School


def default_route(batch, school) -> str:
    """Through the provincial association when its province runs a window for the batch."""
    return Route.PROVINCIAL if window_for(batch, school.province) is not None else Route.DIRECT


def application_number(application: Application) -> str:
    """E.g. 2023-2-33-00017: year, the batch's own number (第二批 → 2), province code, serial.
    A number is given once, at creation, and never changes: it is printed on the signed scan."""
    return f"{application.batch.year}-{application.batch.sequence}-{application.school.province_id[:2]}-{application.pk:05d}"


def application_get_or_create(*, batch, school, actor) -> Application:
    """The school's application for `batch`, created (numbered, routed, logged) on first use."""
    with transaction.atomic():
        application, created = Application.objects.get_or_create(
            batch=batch, school=school, defaults={"route": default_route(batch, school)}
        )
        if created:
            application.number = application_number(application)
            application.version_code = application.content_fingerprint([], [])
            application.save(update_fields=["number", "version_code"])
            TimelineEntry.objects.create(
                application=application, actor=actor, action="create", to_status=application.status, comment="创建申请表"
            )
    return application


def refresh_version_code(application: Application) -> str:
    """Recompute and store the version code from what is stored now."""
    team = [row for row in application.team.all() if not row.is_blank()]
    codes = [p.code for p in application.projects.all()]
    application.version_code = application.content_fingerprint(team, codes)
    Application.objects.filter(pk=application.pk).update(version_code=application.version_code)
    return application.version_code


class DraftConflict(WorkflowError):
    """The draft was saved by someone else (another tab, a colleague) since this copy was opened."""

    def __init__(self, current_revision: int, saved_at):
        self.current_revision, self.saved_at = current_revision, saved_at
        super().__init__(
            f"这份申请表在您打开之后已被修改并保存（{timezone.localtime(saved_at):%H:%M:%S}），为免覆盖，本次没有保存。"
        )


class RevisionMissing(DraftConflict):
    """A save that does not say which revision it was made from (a page or a script without the
    form's revision field): it cannot be told from one made over a later save, so it is refused
    like one."""

    def __init__(self, current_revision: int, saved_at):
        self.current_revision, self.saved_at = current_revision, saved_at
        WorkflowError.__init__(self, "这次保存没有带上页面打开时的版本信息，无法确认是否会覆盖此后保存的内容，为免覆盖，本次没有保存。")


def _changed_fields(form, application: Application) -> list[str]:
    """The application's own fields this save changes: the form's fields whose cleaned value
    differs from the copy the form was made from (form.initial, read before validation wrote the
    new values into the instance). A section kept at its stored value for being over its cap
    counts as unchanged; "projects" when the chosen set differs."""
    changed = []
    for name in form._meta.fields:
        if name == "projects":
            before = {p.pk for p in form.initial.get("projects") or []}
            if before != {p.pk for p in form.cleaned_data.get("projects") or []}:
                changed.append(name)
        elif getattr(application, name) != form.initial.get(name):
            changed.append(name)
    return changed


def _team_plan(team_formset) -> tuple[list, list, list]:
    """(kept, to_write, to_delete) for the team table: the rows kept in their new order, those of
    them that are new, changed or moved (each written, each a history row), and the stored rows
    marked for deletion or emptied. Rows nobody touched are not written again."""
    kept, to_write, to_delete = [], [], []
    for subform in team_formset.forms:
        row = subform.instance
        if team_formset._should_delete_form(subform) or row.is_blank():
            if row.pk:
                to_delete.append(row)
            continue
        kept.append((subform, row))
    for position, (subform, row) in enumerate(kept):
        if row.pk is None or row.position != position or subform.has_changed():
            row.position = position
            to_write.append(row)
    return [row for _subform, row in kept], to_write, to_delete


def application_save_draft(*, application: Application, form, team_formset, actor, expected_revision: int | None,
                           now: datetime | None = None) -> Application:
    """Store everything typed in the form and the team table, whatever its completeness.

    `team_formset` is the bound team table, or None when it came back exactly as stored
    (forms.posted_team_as_stored: the rows are kept as they are). Blank team rows are dropped,
    the rest renumbered in order; the pledge's time is recorded when it is accepted and cleared
    when it is withdrawn; a save that changes anything raises the revision by one; the version
    code is computed from the content being stored. `expected_revision` is the revision the editor
    opened: a draft saved by someone else in between raises DraftConflict instead of being
    overwritten, and a save without one (None) raises RevisionMissing, a DraftConflict too.
    Nothing is stored when either is raised.

    Only what changed is written: the application's row in its changed columns (with the
    revision, the version code, the pledge's time and the time of saving), by one UPDATE that
    also checks the revision and the status, and one history row;
    the team rows that are new, changed or moved, each with its history row; the chosen projects
    only when they changed. A save that changes nothing (an autosave of an unchanged page) writes
    nothing at all and returns the application at its revision (no new revision, no history
    row); the revision and status checks hold for it as for any save.
    """
    if not application.is_editable:
        raise WorkflowError(f"申请表当前状态为“{status_label_for_school(application)}”，不能修改。", "not_editable")
    if expected_revision is None:
        raise RevisionMissing(application.revision, application.updated_at)
    if expected_revision != application.revision:
        raise DraftConflict(application.revision, application.updated_at)
    stored_pledge_at = application.pledge_accepted_at
    application = form.save(commit=False)
    changed = _changed_fields(form, application)
    accepted = form.cleaned_data.get("pledge_accept")
    pledge_at = None
    if accepted and application.pledge_signatory.strip():
        keeps_signature = stored_pledge_at and form.initial.get("pledge_signatory") == application.pledge_signatory
        pledge_at = stored_pledge_at if keeps_signature else (now or timezone.now())
    if team_formset is None:  # the team table came back as stored (forms.posted_team_as_stored)
        kept, to_write, to_delete = list(application.team.all()), [], []
    else:
        kept, to_write, to_delete = _team_plan(team_formset)
    projects = list(form.cleaned_data.get("projects") or [])
    version_code = application.content_fingerprint(kept, [p.code for p in projects])
    if not (changed or to_write or to_delete or pledge_at != stored_pledge_at or version_code != application.version_code):
        return application

    saved_at = timezone.now()
    columns = [name for name in changed if name != "projects"]
    stored = {name: getattr(application, name) for name in columns}
    stored.update(pledge_accepted_at=pledge_at, revision=expected_revision + 1, version_code=version_code, updated_at=saved_at)
    with transaction.atomic():
        # Checked and written in one statement: only the revision this copy was opened at, and
        # only while the school may edit (a save racing another, or a submission, writes nothing).
        written = Application.objects.filter(pk=application.pk, revision=expected_revision, status__in=EDITABLE_STATUSES).update(**stored)
        if not written:
            current = Application.objects.get(pk=application.pk)
            if not current.is_editable:
                raise WorkflowError(f"申请表当前状态为“{status_label_for_school(current)}”，不能修改。", "not_editable")
            raise DraftConflict(current.revision, current.updated_at)
        for name, value in stored.items():
            setattr(application, name, value)
        # The audit history's row, as Model.save() has django-simple-history record it (its
        # post_save receiver; no other receiver listens to the application's saves).
        post_save.send(sender=Application, instance=application, created=False, update_fields=frozenset(stored), raw=False,
                       using=Application.objects.db)  # fmt: skip
        if "projects" in changed:
            application.projects.set(projects)
        for row in to_delete:
            row.delete()
        for row in to_write:
            row.application = application
            row.save()
    # The pages load the application with its team and projects prefetched
    # (selectors.application_with_parts); that copy is stale now: a check after the save must see
    # what was just stored (callers that have the rows pass them to check_application).
    getattr(application, "_prefetched_objects_cache", {}).pop("team", None)
    getattr(application, "_prefetched_objects_cache", {}).pop("projects", None)
    return application


def scan_upload(*, application: Application, actor, uploaded_files=None, uploaded_file=None) -> SignedScan:
    """Check and store the signed, sealed scan, tied to the application's current version code.

    `uploaded_files` are the files the school chose, in its order (`uploaded_file` is one alone).
    Each is checked by its content (uploads.inspect_scan); a PDF that is the portal's own generated
    PDF is refused. One file is stored as it came; several are assembled into one PDF, their names
    and fingerprints kept in `parts`. The scan's pages and the generated PDF's are recorded (the
    pages warn when they differ), and a timeline entry says the scan was uploaded.

    Raises django.core.exceptions.ValidationError (Chinese messages, each naming its file when
    there are several) when a file is refused; nothing is stored then.
    """
    if not application.is_editable:
        raise WorkflowError(f"申请表当前状态为“{status_label_for_school(application)}”，不能更换扫描件。", "not_editable")
    files = list(uploaded_files or []) + ([uploaded_file] if uploaded_file is not None else [])
    if not files:
        raise ValidationError("请选择扫描件。", code="required")
    if len(files) > MAX_SCAN_FILES:
        raise ValidationError(f"一次最多上传 {MAX_SCAN_FILES} 个文件（当前 {len(files)} 个）。", code="too_many_files")
    total = sum(f.size for f in files)
    if len(files) > 1 and total > settings.SCAN_MAX_BYTES:
        raise ValidationError(
            f"所选文件合计 {total / 1024 / 1024:.1f} MB，扫描件合计不能超过 {settings.SCAN_MAX_BYTES // (1024 * 1024)} MB"
            "（可降低拍照或扫描分辨率后重新选择）。",
            code="too_large",
        )
    generated = application_pdf(application, show_group_opinion=False)
    parts, errors = [], []
    for file in files:
        name = _uploaded_name(file)
        try:
            kind, digest = inspect_scan(file, max_bytes=settings.SCAN_MAX_BYTES)
            data = file.read()
            file.seek(0)
            if kind == "pdf" and is_generated_pdf(data, generated):
                raise ValidationError(GENERATED_PDF_UPLOADED, code="generated_pdf")
        except ValidationError as error:
            for message in error.messages:
                errors.append(ValidationError(f"“{name}”：{message}" if len(files) > 1 else message, code=error.code))
            continue
        parts.append({"name": name, "kind": kind, "size": file.size, "sha256": digest, "pages": scan_page_count(kind, data), "data": data})
    if errors:
        raise ValidationError(errors)
    if len(parts) == 1:
        kind, stored, content = parts[0]["kind"], files[0], None
        original = parts[0]["name"]
    else:
        kind, content = "pdf", assemble_pdf([(part["kind"], part["data"]) for part in parts])
        stored = ContentFile(content)
        original = f"{parts[0]['name']} 等 {len(parts)} 个文件"[:200]
    data = content if content is not None else parts[0]["data"]
    suffix = {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png"}[kind]
    scan = SignedScan(
        application=application,
        kind=kind,
        original_name=original,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        version_code=application.version_code,
        page_count=sum(part["pages"] for part in parts),
        form_page_count=generated_page_count(generated),
        parts=[{key: value for key, value in part.items() if key != "data"} for part in parts] if len(parts) > 1 else [],
        uploaded_by=actor,
    )
    scan.file.save(f"scan{suffix}", stored, save=False)
    scan.save()
    TimelineEntry.objects.create(
        application=application, actor=actor, action="upload_scan", comment=f"上传盖章扫描件（版本 {scan.version_code}）"
    )
    return scan


def _uploaded_name(uploaded_file) -> str:
    """The file's own name as the school's device gave it (no folders), for messages and records."""
    return (uploaded_file.name or "scan").replace("\\", "/").rsplit("/", 1)[-1][:150]


def freeze_school_details(application: Application) -> None:
    """Copy the school's name and address, as they are now, into `application` (not saved: the
    caller saves it). workflow.submit calls it inside its transaction, so what the school submitted
    with is what every page, PDF and export shows from then on (Application.applicant_name), and
    the version code, which already covers them, does not change."""
    school = application.school
    application.submitted_school_name, application.submitted_school_address = school.name, school.address


def application_correct_school_details(*, application: Application, actor, name: str, address: str, reason: str) -> Application:
    """The project group corrects the name and address a submitted application shows (the school
    renamed itself, a typing error on the registration): a later change of the school's profile
    reaches a submitted application only this way.

    Side effects: the two fields are stored; one timeline row with the old and new values and the
    reason, internal (the school does not see it). The version code is not recomputed: it names the
    content of the school's signed scan, which stays the submitted one (the correction is the
    project group's, recorded here, not a change by the school that the scan would have to follow).
    Raises WorkflowError when `actor` is not of the project group, the application is still the
    school's to edit (its profile reaches it then), a value is empty or too long, or nothing changes.
    """
    from portal import policy

    if not policy.is_project_staff(actor):
        raise WorkflowError("只有项目组可以更正申报时的学校名称和地址。", "not_staff")
    name, address, reason = " ".join((name or "").split()), (address or "").strip(), (reason or "").strip()
    if not (name and address and reason):
        raise WorkflowError("请填写学校名称、单位地址和更正原因。", "required")
    if len(name) > Application._meta.get_field("submitted_school_name").max_length or len(address) > Application._meta.get_field("submitted_school_address").max_length:
        raise WorkflowError("学校名称最多 100 个字符，单位地址最多 200 个字符。", "too_long")
    with transaction.atomic():
        locked = Application.objects.select_for_update().select_related("school").get(pk=application.pk)
        if locked.is_editable:
            raise WorkflowError("申请表仍在学校手中（草稿或退回修改），学校在“单位信息”中修改即可。", "editable")
        old_name, old_address = locked.applicant_name, locked.applicant_address
        if (old_name, old_address) == (name, address):
            raise WorkflowError("学校名称和单位地址与现在的相同，无需更正。", "unchanged")
        locked.submitted_school_name, locked.submitted_school_address = name, address
        locked.save(update_fields=["submitted_school_name", "submitted_school_address", "updated_at"])
        TimelineEntry.objects.create(
            application=locked, actor=actor, action="correct_school_details", visible_to_school=False, comment="更正申报时的学校名称和单位地址",
            internal_comment=f"项目组更正申报时的学校信息：学校名称“{old_name}”→“{name}”；单位地址“{old_address}”→“{address}”。原因：{reason}",
        )  # fmt: skip
    return locked


def school_update_profile(*, form) -> None:
    """Save the school profile. The printed form shows the school's name and address, so the
    version codes of its editable applications are recomputed (an uploaded scan becomes stale).
    Submitted ones keep the name and address they were submitted with (freeze_school_details):
    only the project group changes those (application_correct_school_details)."""
    with transaction.atomic():
        school = form.save()
        for application in school.applications.filter(status__in=EDITABLE_STATUSES):
            refresh_version_code(application)


# What a new application takes from the school's earlier one (services.application_start_from_earlier):
# the people, the 项目小组 and the 实验方案, which a school carries from one batch to the next and edits.
# Not what was signed or sealed for that batch (the 承诺书's signature and time, the 单位意见 and the
# 上级主管部门 of 七), nor anything the portal gave the earlier one (number, version code, scans, dates,
# route, a 补正 deadline, the reviewers' opinions).
FIELDS_STARTED_FROM_EARLIER = (
    "lead_name", "lead_title", "lead_mobile", "lead_title_note", "liaison_name", "liaison_title", "liaison_mobile",
    "other_project_name", "plan_name", "plan_content", "plan_steps", "plan_goals", "plan_features",
)  # fmt: skip


def application_start_from_earlier(*, batch, school, earlier: Application, actor) -> Application:
    """Start the school's application for `batch` from the content of its `earlier` one (of an
    earlier batch), to edit before submitting.

    Side effects: a new application for `batch`, made as application_get_or_create makes one (its
    own number, routed for this batch, the 创建申请表 row); the fields FIELDS_STARTED_FROM_EARLIER,
    the 具体实施项目 and the 项目小组成员 (in their order) copied from `earlier`; its version code
    computed over the copy; one more timeline row, shown to the school and its reviewers:
    以申请编号 X（batch）的内容开始填写. `earlier` is not changed.
    Raises WorkflowError when `earlier` is not the school's, is not of an earlier batch, or the
    school has an application for `batch` already (nothing is written then)."""
    if earlier.school_id != school.pk:
        raise WorkflowError("只能以本校以往的申请表为基础开始填写。", "not_own")
    if earlier.batch_id == batch.pk or earlier.batch.national_deadline >= batch.national_deadline:
        raise WorkflowError("只能以以往批次的申请表为基础开始填写。", "not_earlier")
    with transaction.atomic():
        # Two clicks at once: the second waits here, then finds the first one's application.
        School.objects.select_for_update().filter(pk=school.pk).first()
        if Application.objects.filter(batch=batch, school=school).exists():
            raise WorkflowError(f"本校已有{batch.short_name}的申请表，请在原申请表上继续填写。", "already_started")
        application = application_get_or_create(batch=batch, school=school, actor=actor)
        for name in FIELDS_STARTED_FROM_EARLIER:
            setattr(application, name, getattr(earlier, name))
        application.save()
        application.projects.set(earlier.projects.all())
        TeamMember.objects.bulk_create(
            TeamMember(application=application, position=position, **{name: getattr(row, name) for name in TEAM_FIELDS})
            for position, row in enumerate(row for row in earlier.team.order_by("position", "pk") if not row.is_blank())
        )
        refresh_version_code(application)
        TimelineEntry.objects.create(
            application=application, actor=actor, action="start_from_earlier",
            comment=f"以申请编号 {earlier.number}（{earlier.batch.short_name}）的内容开始填写：负责人与项目对接人、项目小组成员、具体实施项目、实验方案",
        )  # fmt: skip
    return application
