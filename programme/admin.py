"""Django admin of the 实验周期: to read everything and to fix an activity's description. Statuses,
answers, attendance, outcomes and decisions are read-only here: they change only through the
services (programme.experiment_schools, activities, attendance, exits), which log them and tell
the school; the audit history is a record, never a way back (portal.admin.RecordHistoryAdmin)."""
from django.contrib import admin, messages
from django.db import models

from applications.workflow import WorkflowError
from portal.admin import RecordHistoryAdmin
from programme import attendance
from programme.activities import new_checkin_code
from programme.models import (
    Activity, AnnualReport, Attendee, Award, Certificate, EvaluationCriterion, EvaluationDeclaration, EvaluationEvidence, EvaluationLogEntry,
    EvaluationRound, EvaluationSelfAssessment, EvaluationStandard, EvaluationSubmission, ExitReview, ExperimentLogEntry, ExperimentProject, ExperimentSchool, ExperimentTeamMember,
    Invitation, ReportAttachment, ReportComment, ReportDeadline, ReportLogEntry, ReportProjectWork, ReportReminder, ReportReviewer,
    SchoolNotice, WithdrawalRequest,
)  # fmt: skip


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MadeByServices:
    """A record the services make and change (with their log rows and mails): read here, never
    added or edited by hand."""

    def has_add_permission(self, request):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


class MadeByServicesAdmin(MadeByServices, RecordHistoryAdmin):
    pass


class ProjectInline(ReadOnlyInline):
    model = ExperimentProject
    fields = ["position", "category", "other_name"]


class TeamInline(ReadOnlyInline):
    model = ExperimentTeamMember
    fields = ["position", "name", "title", "department", "mobile", "duty"]


class LogInline(ReadOnlyInline):
    model = ExperimentLogEntry
    fields = ["at", "actor", "action", "from_status", "to_status", "reason"]


@admin.register(ExperimentSchool)
class ExperimentSchoolAdmin(MadeByServicesAdmin):
    list_display = ["school", "batch", "status", "cycle_starts_on", "cycle_ends_on", "lead_name", "lead_title"]
    list_filter = ["batch", "status", "school__province", "school__school_type"]
    search_fields = ["school__name", "lead_name", "liaison_name"]
    list_select_related = ["school", "batch"]
    inlines = [ProjectInline, TeamInline, LogInline]  # made by publishing the list (or manage.py create_experiment_schools)


class InvitationInline(ReadOnlyInline):
    model = Invitation
    fields = ["experiment_school", "reply", "leave_decision", "attended", "attendance_source", "outcome"]


@admin.register(Activity)
class ActivityAdmin(RecordHistoryAdmin):
    list_display = ["title", "kind", "starts_at", "ends_at", "registration_deadline", "counts_for_attendance", "closed_at"]
    list_filter = ["kind", "counts_for_attendance"]
    search_fields = ["title", "place", "agenda"]
    readonly_fields = ["checkin_code", "created_by", "created_at", "closed_at", "closed_by"]
    inlines = [InvitationInline]
    # An online meeting's address typed without a scheme is an https one (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["close_activities"]

    def get_readonly_fields(self, request, obj=None):
        # Once closed, the outcomes rest on the activity as it was: nothing of it changes.
        if obj is not None and obj.is_closed:
            return [f.name for f in self.model._meta.fields]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.checkin_code, obj.created_by = new_checkin_code(), request.user
        super().save_model(request, obj, form, change)

    @admin.action(description="关闭所选活动（未签到且未获准请假的学校记缺席）")
    def close_activities(self, request, queryset):
        for activity in queryset:
            try:
                report = attendance.activity_close(activity=activity, actor=request.user)
            except WorkflowError as error:
                self.message_user(request, f"{activity.title}：{error}", messages.ERROR)
            else:
                self.message_user(request, f"{activity.title}：已关闭，参加 {report.attended}、请假 {report.excused}、缺席 {report.absent}。")


class AttendeeInline(ReadOnlyInline):
    model = Attendee
    fields = ["position", "name", "title", "mobile", "checked_in_at"]


@admin.register(Invitation)
class InvitationAdmin(MadeByServicesAdmin):
    list_display = ["activity", "experiment_school", "reply", "leave_decision", "attended", "outcome"]
    list_filter = ["reply", "leave_decision", "attended", "outcome", "activity"]
    search_fields = ["experiment_school__school__name", "activity__title"]
    list_select_related = ["activity", "experiment_school__school", "experiment_school__batch"]
    inlines = [AttendeeInline]


@admin.register(SchoolNotice)
class SchoolNoticeAdmin(MadeByServices, admin.ModelAdmin):
    list_display = ["title", "experiment_school", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["title", "body", "experiment_school__school__name"]
    list_select_related = ["experiment_school__school", "experiment_school__batch"]


@admin.register(ExitReview)
class ExitReviewAdmin(MadeByServicesAdmin):
    list_display = ["experiment_school", "state", "first_absence", "second_absence", "created_at", "decided_by", "decided_at"]
    list_filter = ["state"]
    search_fields = ["experiment_school__school__name", "reason"]
    list_select_related = ["experiment_school__school", "experiment_school__batch", "first_absence__activity",
                           "second_absence__activity", "first_absence__experiment_school__school",
                           "second_absence__experiment_school__school", "decided_by"]  # fmt: skip


@admin.register(WithdrawalRequest)
class WithdrawalRequestAdmin(MadeByServicesAdmin):
    list_display = ["experiment_school", "state", "requested_at", "requested_by", "acknowledged_at", "acknowledged_by"]
    list_filter = ["state"]
    search_fields = ["experiment_school__school__name", "reason"]
    list_select_related = ["experiment_school__school", "experiment_school__batch", "requested_by", "acknowledged_by"]


# ---- 年度工作报告 -----------------------------------------------------------------------------------
# The reports are written by their schools and decided by reviewers on the portal's pages (with
# their history rows and mails): read-only here. The due dates are the project group's to set,
# here or on the reports' deadline page (/programme/reports/staff/deadlines/).


@admin.register(ReportDeadline)
class ReportDeadlineAdmin(RecordHistoryAdmin):
    list_display = ["batch", "year", "due_at", "set_by", "updated_at"]
    list_filter = ["batch"]
    fields = ["batch", "year", "due_at"]

    def save_model(self, request, obj, form, change):
        obj.set_by = request.user
        super().save_model(request, obj, form, change)


class ReportWorkInline(ReadOnlyInline):
    model = ReportProjectWork
    fields = ["position", "project_name", "done"]


class ReportAttachmentInline(ReadOnlyInline):
    model = ReportAttachment
    fields = ["kind", "original_name", "file_kind", "size", "caption", "uploaded_at"]


class ReportCommentInline(ReadOnlyInline):
    model = ReportComment
    fields = ["created_at", "author", "body"]


class ReportReviewerInline(ReadOnlyInline):
    model = ReportReviewer
    fields = ["expert", "assigned_at", "assigned_by"]


class ReportLogInline(ReadOnlyInline):
    model = ReportLogEntry
    fields = ["at", "actor", "action", "from_state", "to_state", "note"]


@admin.register(AnnualReport)
class AnnualReportAdmin(MadeByServicesAdmin):
    list_display = ["experiment_school", "year", "state", "submitted_at", "decided_at"]
    list_filter = ["state", "year", "experiment_school__batch"]
    search_fields = ["experiment_school__school__name"]
    inlines = [ReportWorkInline, ReportAttachmentInline, ReportCommentInline, ReportReviewerInline, ReportLogInline]


@admin.register(ReportReminder)
class ReportReminderAdmin(MadeByServices, admin.ModelAdmin):
    list_display = ["experiment_school", "year", "kind", "due_at", "sent_at"]
    list_filter = ["kind", "year"]


# ---- 荣誉证书 (issue 16) ----------------------------------------------------------------------------


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    """Staff define the awards (实验成果奖 with 一等奖、二等奖、三等奖) here; certificates of them are
    issued on the 实验校's page."""

    list_display = ("name", "levels", "is_active", "created_at")


@admin.register(Certificate)
class CertificateAdmin(MadeByServicesAdmin):
    """Read only: certificates are issued and revoked on the 实验校's page (programme.certificates)."""

    list_display = ("number", "school_name", "title", "issued_at", "revoked_at")
    list_filter = ("kind",)
    search_fields = ("number", "school_name")


# ---- 优质校评估 (issue 16) --------------------------------------------------------------------------


class EvaluationCriterionInline(admin.TabularInline):
    model = EvaluationCriterion
    extra = 0
    fields = ["position", "name", "description", "max_points", "weight"]


@admin.register(EvaluationStandard)
class EvaluationStandardAdmin(RecordHistoryAdmin):
    """The 项目优质校建设标准 of a batch and its criteria (as the selection rubric): staff edit them
    here and publish the standard by giving it a 发布时间; a round (the staff page 优质校评估) then
    uses it, the 实验校 assess themselves against it and the experts score by it."""

    list_display = ["name", "batch", "published_at", "criteria_count", "total_points"]
    list_filter = ["batch"]
    search_fields = ["name", "batch__short_name"]
    inlines = [EvaluationCriterionInline]

    @admin.display(description="指标数")
    def criteria_count(self, obj):
        return obj.criteria.count()

    @admin.display(description="满分（加权）")
    def total_points(self, obj):
        return sum(c.max_points * c.weight for c in obj.criteria.all())


@admin.register(EvaluationRound)
class EvaluationRoundAdmin(MadeByServicesAdmin):
    """Read only: rounds are opened and changed on the staff page 优质校评估 (programme.evaluation)."""

    list_display = ["name", "batch", "opens_at", "deadline", "published_at"]
    list_filter = ["batch"]


class SelfAssessmentInline(ReadOnlyInline):
    model = EvaluationSelfAssessment
    fields = ["criterion", "text"]


class EvidenceInline(ReadOnlyInline):
    model = EvaluationEvidence
    fields = ["assessment", "original_name", "file_kind", "size", "caption", "uploaded_at"]


class DeclarationInline(ReadOnlyInline):
    model = EvaluationDeclaration
    fields = ["original_name", "file_kind", "version_code", "uploaded_at", "uploaded_by"]


class EvaluationLogInline(ReadOnlyInline):
    model = EvaluationLogEntry
    fields = ["at", "actor", "action", "note"]


@admin.register(EvaluationSubmission)
class EvaluationSubmissionAdmin(MadeByServicesAdmin):
    """Read only: the 实验校 writes and submits its 申报材料 on its own pages (programme.evaluation)."""

    list_display = ["experiment_school", "round", "state", "version_code", "submitted_at"]
    list_filter = ["round", "state"]
    search_fields = ["experiment_school__school__name"]
    inlines = [SelfAssessmentInline, EvidenceInline, DeclarationInline, EvaluationLogInline]
