"""Writes to an application's content: creating it, saving a draft, recording a scan."""
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from applications.models import EDITABLE_STATUSES, Application, Route, SignedScan, TimelineEntry
from applications.selectors import window_for
from applications.uploads import inspect_scan
from applications.workflow import WorkflowError, status_label_for_school


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


def application_save_draft(*, application: Application, form, team_formset, actor, expected_revision: int | None,
                           now: datetime | None = None) -> Application:
    """Store everything typed in the form and the team table, whatever its completeness.

    Blank team rows are dropped, the rest renumbered in order; the pledge's time is recorded when
    it is accepted and cleared when it is withdrawn; the revision goes up by one; the version code
    is recomputed. `expected_revision` is the revision the editor opened: a draft saved by someone
    else in between raises DraftConflict instead of being overwritten, and a save without one
    (None) raises RevisionMissing, a DraftConflict too. Nothing is stored when either is raised.
    """
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if not locked.is_editable:
            raise WorkflowError(f"申请表当前状态为“{status_label_for_school(locked)}”，不能修改。", "not_editable")
        if expected_revision is None:
            raise RevisionMissing(locked.revision, locked.updated_at)
        if expected_revision != locked.revision:
            raise DraftConflict(locked.revision, locked.updated_at)
        application = form.save(commit=False)
        accepted = form.cleaned_data.get("pledge_accept")
        if accepted and application.pledge_signatory.strip():
            if not locked.pledge_accepted_at or locked.pledge_signatory != application.pledge_signatory:
                application.pledge_accepted_at = now or timezone.now()
        else:
            application.pledge_accepted_at = None
        application.revision = locked.revision + 1
        application.save()
        form.save_m2m()

        # Rows marked for deletion and rows left blank are removed; the rest keep their order.
        kept = []
        for subform in team_formset.forms:
            row = subform.instance
            if team_formset._should_delete_form(subform) or row.is_blank():
                if row.pk:
                    row.delete()
                continue
            kept.append(row)
        for position, row in enumerate(kept):
            row.position = position
            row.application = application
            row.save()
        # The pages load the application with its team prefetched (selectors.application_with_parts);
        # that copy is stale now, and the version code (and any check after the save) must see
        # the rows just stored, or a change to the team alone would leave a printed scan "current".
        getattr(application, "_prefetched_objects_cache", {}).pop("team", None)
        refresh_version_code(application)
    return application


def scan_upload(*, application: Application, uploaded_file, actor) -> SignedScan:
    """Check and store the signed, sealed scan, tied to the application's current version code.

    Raises django.core.exceptions.ValidationError (with a Chinese message) when the file is refused;
    nothing is stored then.
    """
    if not application.is_editable:
        raise WorkflowError(f"申请表当前状态为“{status_label_for_school(application)}”，不能更换扫描件。", "not_editable")
    kind, digest = inspect_scan(uploaded_file, max_bytes=settings.SCAN_MAX_BYTES)
    original = (uploaded_file.name or "scan").replace("\\", "/").rsplit("/", 1)[-1][:150]
    suffix = {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png"}[kind]
    scan = SignedScan(
        application=application,
        kind=kind,
        original_name=original,
        size=uploaded_file.size,
        sha256=digest,
        version_code=application.version_code,
        uploaded_by=actor,
    )
    scan.file.save(f"scan{suffix}", uploaded_file, save=False)
    scan.save()
    TimelineEntry.objects.create(
        application=application, actor=actor, action="upload_scan", comment=f"上传盖章扫描件（版本 {scan.version_code}）"
    )
    return scan


def school_update_profile(*, form) -> None:
    """Save the school profile. The printed form shows the school's name and address, so the
    version codes of its editable applications are recomputed (an uploaded scan becomes stale)."""
    with transaction.atomic():
        school = form.save()
        for application in school.applications.filter(status__in=EDITABLE_STATUSES):
            refresh_version_code(application)
