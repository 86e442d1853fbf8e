from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from applications.admin import ApplicationAdmin
from applications.models import Application, Status
from applications.workflow import WorkflowError
from portal.admin import RecordHistoryAdmin
from review import decisions, expert_assignment
from review.exports import export_create
from review.models import (
    Assignment, AssignmentRun, ConflictDeclaration, Criterion, CriterionScore, DeadlineReminder, ExpertProfile, ExpertReview, ExportJob,
    FormalCheck, Forwarding, ListFiling, ProvincialReview, Rubric,
)  # fmt: skip


@admin.register(ProvincialReview)
class ProvincialReviewAdmin(RecordHistoryAdmin):
    list_display = ["application", "window", "rank", "decided_by", "decided_at", "paper_received_on"]
    list_filter = ["window__batch", "window__association"]
    search_fields = ["application__number", "application__school__name", "opinion", "decline_reason"]
    list_select_related = ["application__school", "window__association", "decided_by"]
    autocomplete_fields = ["application"]


@admin.register(Forwarding)
class ForwardingAdmin(admin.ModelAdmin):
    list_display = ["window", "forwarded_at", "forwarded_by", "application_count", "copied_on", "copied_to"]
    list_filter = ["window__batch"]
    search_fields = ["window__association__name"]
    readonly_fields = ["window", "forwarded_at", "forwarded_by", "application_count", "summary_pdf", "summary_xlsx",
                       "copied_on", "copied_to", "copy_note", "copy_recorded_by", "copy_recorded_at"]  # fmt: skip

    def has_add_permission(self, request):
        return False  # forwarding happens through the province's own page, once


@admin.register(ListFiling)
class ListFilingAdmin(RecordHistoryAdmin):
    list_display = ["batch", "filed_at", "filed_by", "note"]
    readonly_fields = ["batch", "filed_at", "filed_by", "file", "note", "selected_ids"]

    def has_add_permission(self, request):
        return False  # filed through the project group's publication page (review.decisions.file_list)


@admin.register(DeadlineReminder)
class DeadlineReminderAdmin(admin.ModelAdmin):
    list_display = ["kind", "application", "window", "deadline", "sent_at"]
    list_filter = ["kind"]
    search_fields = ["application__school__name", "window__association__name"]


# ---- National review ----------------------------------------------------------------------


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["position", "name", "description", "max_points", "weight"]


@admin.register(Rubric)
class RubricAdmin(admin.ModelAdmin):
    list_display = ["batch", "name", "criteria_count", "total_points"]
    search_fields = ["batch__short_name", "name"]
    inlines = [CriterionInline]

    @admin.display(description="评分项数")
    def criteria_count(self, obj):
        return obj.criteria.count()

    @admin.display(description="满分（加权）")
    def total_points(self, obj):
        return sum(c.max_points * c.weight for c in obj.criteria.all())


@admin.register(ExpertProfile)
class ExpertProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "institution", "title", "province", "capacity", "is_active"]
    list_filter = ["is_active", "province", "expertise"]
    search_fields = ["user__username", "user__last_name", "user__first_name", "institution"]
    autocomplete_fields = ["user", "province"]
    filter_horizontal = ["expertise"]


@admin.register(ConflictDeclaration)
class ConflictDeclarationAdmin(admin.ModelAdmin):
    list_display = ["expert", "application", "reason", "declared_at"]
    search_fields = ["expert__username", "expert__last_name", "application__number", "application__school__name"]
    autocomplete_fields = ["expert", "application"]


class CriterionScoreInline(admin.TabularInline):
    model = CriterionScore
    extra = 0
    fields = ["criterion", "points"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ExpertReview)
class ExpertReviewAdmin(RecordHistoryAdmin):
    list_display = ["assignment", "state", "total", "recommendation", "submitted_at", "reopened_until"]
    list_filter = ["state", "recommendation", "assignment__application__batch"]
    search_fields = ["assignment__application__number", "assignment__application__school__name", "assignment__expert__username"]
    readonly_fields = ["assignment", "state", "comment", "recommendation", "total", "submitted_at", "updated_at", "reopened_until"]
    inlines = [CriterionScoreInline]
    list_select_related = ["assignment__application__school", "assignment__expert"]

    def has_add_permission(self, request):
        return False  # experts score in their own pages; staff reopen there too (logged)


@admin.register(Assignment)
class AssignmentAdmin(RecordHistoryAdmin):
    list_display = ["application", "expert", "source", "is_active", "assigned_at", "end_reason"]
    list_filter = ["is_active", "source", "application__batch", "application__school__province"]
    search_fields = ["application__number", "application__school__name", "expert__username", "expert__last_name"]
    autocomplete_fields = ["application", "expert"]
    list_select_related = ["application__school", "expert"]
    readonly_fields = ["application", "expert", "source", "reason", "assigned_at", "assigned_by", "is_active", "ended_at", "end_reason"]

    def has_add_permission(self, request):
        return False  # assignments go through the assignment page or the bulk action, which check conflicts


@admin.register(FormalCheck)
class FormalCheckAdmin(RecordHistoryAdmin):
    list_display = ["application", "outcome", "decided_by", "decided_at"]
    list_filter = ["outcome", "application__batch"]
    search_fields = ["application__number", "application__school__name"]
    readonly_fields = ["application", "machine_items", "decided_by", "decided_at"]


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ["label", "state", "done", "total", "requested_by", "created_at"]
    list_filter = ["state", "batch"]
    readonly_fields = ["requested_by", "batch", "label", "selection", "state", "total", "done", "file", "error", "created_at", "finished_at"]


@admin.register(AssignmentRun)
class AssignmentRunAdmin(admin.ModelAdmin):
    """Runs of automatic assignment: a record of who ran it and what it did; written only by the job."""

    list_display = ["batch", "state", "added", "ended", "requested_by", "created_at"]
    list_filter = ["state", "batch"]
    readonly_fields = ["requested_by", "batch", "application_ids", "state", "total", "done", "added", "ended", "shortfalls", "error",
                       "created_at", "finished_at"]  # fmt: skip

    def has_add_permission(self, request):
        return False


class ReviewInline(admin.TabularInline):
    """Score history on the application: every assignment with its review, read-only."""

    model = Assignment
    extra = 0
    fields = ["expert", "is_active", "source", "review_state", "review_total", "end_reason"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "专家评审"

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="评分状态")
    def review_state(self, obj):
        review = getattr(obj, "review", None)
        return review.get_state_display() if review else "未评分"

    @admin.display(description="加权总分")
    def review_total(self, obj):
        review = getattr(obj, "review", None)
        return review.total if review and review.total is not None else "—"


class ReviewApplicationAdmin(ApplicationAdmin):
    """The application admin with the national review's bulk actions, each behind a confirmation page."""

    inlines = [*ApplicationAdmin.inlines, ReviewInline]
    actions = [*ApplicationAdmin.actions, "decide_selected", "decide_not_selected", "assign_experts", "export_pdfs"]

    def _confirm(self, request, queryset, *, action, title, needs_opinion=False, extra=None):
        return TemplateResponse(
            request,
            "admin/review/confirm_action.html",
            {**self.admin_site.each_context(request), "title": title, "queryset": queryset, "action": action,
             "needs_opinion": needs_opinion, "opts": self.model._meta, "extra": extra or [],
             "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME},
        )  # fmt: skip

    def _decide(self, request, queryset, selected: bool):
        label = "入选实验校" if selected else "不入选"
        opinion = request.POST.get("opinion", "").strip()
        if request.POST.get("confirm") != "yes" or not opinion:
            if request.POST.get("confirm") == "yes":
                self.message_user(request, "请填写项目组意见。", messages.ERROR)
            return self._confirm(request, queryset, action=request.POST["action"], title=f"确认：{label}", needs_opinion=True)
        try:
            count = decisions.decide_many(applications=list(queryset), actor=request.user, selected=selected, opinion=opinion)
        except WorkflowError as error:
            self.message_user(request, f"未作任何更改：{error}", messages.ERROR)
            return None
        self.message_user(request, f"已决定 {count} 份：{label}。")
        return None

    @admin.action(description="决定：入选实验校（需确认）")
    def decide_selected(self, request, queryset):
        return self._decide(request, queryset, True)

    @admin.action(description="决定：不入选（需确认）")
    def decide_not_selected(self, request, queryset):
        return self._decide(request, queryset, False)

    @admin.action(description="为所选申请自动分配评审专家（需确认）")
    def assign_experts(self, request, queryset):
        eligible = queryset.filter(status=Status.IN_EXPERT_REVIEW)
        batches = {a.batch for a in eligible.select_related("batch")}
        if request.POST.get("confirm") != "yes":
            extra = []
            for batch in batches:
                plan = expert_assignment.assignment_plan(batch, applications=eligible.filter(batch=batch))
                extra.append(f"{batch.short_name}：将新增 {len(plan.new)} 项分配" + ("；" + "".join(expert_assignment.shortfall_lines(plan)) if plan.shortfalls else ""))
            if not batches:
                extra.append("所选申请中没有处于“专家评审中”的申请。")
            return self._confirm(request, queryset, action="assign_experts", title="确认：自动分配评审专家", extra=extra)
        # Written by the job worker; each run's page shows its progress.
        runs = [expert_assignment.assignment_run_start(batch=batch, actor=request.user, applications=eligible.filter(batch=batch)) for batch in batches]
        if len(runs) == 1:
            return redirect("review:assignment_run", runs[0].pk)
        self.message_user(request, f"已开始 {len(runs)} 个批次的自动分配，进度见“专家分配”页。" if runs else "所选申请中没有处于“专家评审中”的申请。")
        return None

    @admin.action(description="打包导出所选申请的 PDF（需确认）")
    def export_pdfs(self, request, queryset):
        batches = {a.batch for a in queryset.select_related("batch")}
        if len(batches) != 1:
            self.message_user(request, "请只选择同一批次的申请。", messages.ERROR)
            return None
        if request.POST.get("confirm") != "yes":
            return self._confirm(request, queryset, action="export_pdfs", title=f"确认：打包导出 {queryset.count()} 份申请表 PDF")
        job = export_create(batch=batches.pop(), actor=request.user, scope="ids", ids=list(queryset.values_list("pk", flat=True)))
        return redirect("review:export_detail", job.pk)


admin.site.unregister(Application)
admin.site.register(Application, ReviewApplicationAdmin)
