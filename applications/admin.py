from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext

from applications.models import Application, Batch, ProjectCategory, ProvincialWindow, SignedScan, TeamMember, TimelineEntry
from applications.selectors import LONG_TEXT_FIELDS
from applications.services import application_correct_school_details
from applications.workflow import WorkflowError, deadline_in_words
from portal.admin import RecordHistoryAdmin


DEADLINE_HELP = "北京时间，填写日期和时刻（时:分）。截止到该分钟结束：例如 23:59 表示当天 23:59:59 之前均有效。"


def deadline_fields_say_what_they_store(form_class, names):
    """The admin's deadline inputs: a date and a time to the minute (no seconds to misread), with
    a help text saying how the portal reads them (applications.workflow.deadline_end)."""
    for name in names:
        field = form_class.base_fields.get(name)
        if field is not None:
            field.help_text = DEADLINE_HELP
            field.widget = admin.widgets.AdminSplitDateTime()
            field.widget.widgets[1].format = "%H:%M"
            # The field's <label> points at the date input only; admin prints "日期:" and "时间:"
            # before the two inputs as bare text. Each input is named for a screen reader.
            date_input, time_input = field.widget.widgets
            date_input.attrs["aria-label"] = f"{field.label}：日期"
            time_input.attrs["aria-label"] = f"{field.label}：时刻（时:分）"
    return form_class


class ProvincialWindowInline(admin.TabularInline):
    model = ProvincialWindow
    extra = 0
    autocomplete_fields = ["association"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        deadline_fields_say_what_they_store(formset.form, ["school_deadline"])
        return formset


@admin.register(Batch)
class BatchAdmin(RecordHistoryAdmin):
    list_display = ["short_name", "sequence", "document_number", "year", "national_deadline", "is_open", "allow_direct"]
    list_filter = ["is_open", "year"]
    search_fields = ["title", "short_name", "document_number"]
    readonly_fields = ["national_deadline_in_words", "review_deadline_in_words"]
    inlines = [ProvincialWindowInline]

    def get_form(self, request, obj=None, **kwargs):
        return deadline_fields_say_what_they_store(super().get_form(request, obj, **kwargs), ["national_deadline", "review_deadline"])

    def get_readonly_fields(self, request, obj=None):
        # The batch's number is in every application number of the batch, printed on signed scans:
        # set when the batch is created, never changed.
        return [*super().get_readonly_fields(request, obj), *(["sequence"] if obj is not None else [])]

    @admin.display(description="全国申报截止（按此执行）")
    def national_deadline_in_words(self, obj):
        return deadline_in_words(obj.national_deadline) if obj and obj.pk else "保存后显示"

    @admin.display(description="专家评分截止（按此执行）")
    def review_deadline_in_words(self, obj):
        return deadline_in_words(obj.review_deadline) if obj and obj.pk else "保存后显示"


@admin.register(ProvincialWindow)
class ProvincialWindowAdmin(RecordHistoryAdmin):
    readonly_fields = ["school_deadline_in_words"]

    def get_form(self, request, obj=None, **kwargs):
        return deadline_fields_say_what_they_store(super().get_form(request, obj, **kwargs), ["school_deadline"])

    @admin.display(description="学校提交截止（按此执行）")
    def school_deadline_in_words(self, obj):
        return deadline_in_words(obj.school_deadline) if obj and obj.pk else "保存后显示"

    list_display = ["association", "batch", "forwarding_number", "school_deadline", "quota", "contact_name", "paper_required"]
    list_filter = ["batch", "association__province", "paper_required"]
    search_fields = ["association__name", "forwarding_number", "contact_name"]
    autocomplete_fields = ["association"]


@admin.register(ProjectCategory)
class ProjectCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "position", "is_other"]
    search_fields = ["name", "code"]


class TeamMemberInline(admin.StackedInline):
    """The 项目小组成员 on the application's change form, stacked: each input with its own label
    (a tabular inline names its columns only in the table's header, which leaves every input
    unlabelled for a screen reader, axe's critical `label`), and its six fields on two lines
    instead of one row 1,900 px wide at a 1,280-px screen."""

    model = TeamMember
    extra = 0
    fieldsets = [(None, {"fields": [("position", "name", "title"), ("department", "mobile", "duty")]})]


class SignedScanInline(admin.TabularInline):
    model = SignedScan
    extra = 0
    fields = ["original_name", "kind", "size", "version_code", "uploaded_at", "uploaded_by"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class TimelineEntryInline(admin.TabularInline):
    model = TimelineEntry
    extra = 0
    fields = ["at", "actor", "action", "from_status", "to_status", "comment", "visible_to_school"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ApplicationChangeList(ChangeList):
    """The change list reads no plan text: at 10,000 applications of 2,000–6,000 字 a page of
    rows would otherwise carry megabytes nobody sees."""

    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).defer(*LONG_TEXT_FIELDS)


class CorrectSchoolDetailsForm(forms.Form):
    name = forms.CharField(label="学校名称", max_length=100)
    address = forms.CharField(label="单位地址", max_length=200)
    reason = forms.CharField(label="更正原因", max_length=500, widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
                             help_text="记入办理记录（内部，学校看不到）。版本码不变：学校的盖章扫描件仍然有效。")  # fmt: skip


@admin.register(Application)
class ApplicationAdmin(RecordHistoryAdmin):
    list_display = ["number", "applicant", "province", "school_type", "status", "route", "lead_name", "submitted_at"]
    # Fifty rows a page: the admin renders every cell through its templates (about a millisecond
    # a row), so a hundred rows alone would take most of the page's time budget at national scale.
    list_per_page = 50
    list_filter = ["batch", "status", "route", "school__province", "school__school_type", "projects"]
    search_fields = ["number", "school__name", "lead_name", "liaison_name", "plan_name"]
    list_select_related = ["school__province", "batch"]
    # The status moves only along the journey (applications.workflow.transition), which writes the
    # timeline and tells the people concerned: here it is shown, never edited, and so are the
    # fields the journey's steps set.
    readonly_fields = [
        "status", "route", "batch", "school", "number", "version_code", "revision", "created_at", "updated_at", "submitted_at",
        "pledge_accepted_at", "correction_deadline", "group_opinion", "group_opinion_signer", "group_opinion_date",
        # As submitted: changed only by the correction below, which logs it.
        "submitted_school_name", "submitted_school_address",
    ]  # fmt: skip
    inlines = [TeamMemberInline, SignedScanInline, TimelineEntryInline]
    actions = ["correct_school_details"]

    def get_changelist(self, request, **kwargs):
        return ApplicationChangeList

    def has_add_permission(self, request):
        return False  # a school opens its application itself (numbered, routed and logged by the service)

    def action_checkbox(self, obj):
        """The row's checkbox for the bulk actions, the same HTML as Django's, made by format_html
        instead of a form widget rendered through the template engine for every row: that was a
        sixth of the change list's time at fifty rows (bench/README.md)."""
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">', helpers.ACTION_CHECKBOX_NAME, obj.pk, label
        )

    @admin.display(description="申报单位", ordering="school__name")
    def applicant(self, obj):
        """The name the application shows: the one it was submitted with, once submitted."""
        return obj.applicant_name

    @admin.action(description="更正申报时的学校名称和单位地址（选一份）", permissions=["change"])
    def correct_school_details(self, request, queryset):
        """The project group corrects what a submitted application shows as the school's name and
        address (services.application_correct_school_details: logged, the version code kept)."""
        if queryset.count() != 1:
            self.message_user(request, "请只选择一份申请进行更正。", messages.ERROR)
            return None
        application = queryset.select_related("school").get()
        confirmed = request.POST.get("confirm") == "yes"
        form = CorrectSchoolDetailsForm(
            request.POST if confirmed else None,
            initial={"name": application.applicant_name, "address": application.applicant_address},
        )
        if confirmed and form.is_valid():
            try:
                application_correct_school_details(application=application, actor=request.user, **form.cleaned_data)
            except WorkflowError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(request, f"已更正 {application.number} 的学校名称和单位地址，并记入办理记录。")
                return None
        return TemplateResponse(
            request,
            "admin/applications/correct_school_details.html",
            {**self.admin_site.each_context(request), "title": "更正申报时的学校名称和单位地址", "application": application,
             "form": form, "action": request.POST["action"], "opts": self.model._meta,
             "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME},
        )  # fmt: skip

    @admin.display(description="省份", ordering="school__province")
    def province(self, obj):
        return obj.school.province

    @admin.display(description="学校类型", ordering="school__school_type")
    def school_type(self, obj):
        return obj.school.get_school_type_display()


@admin.register(TimelineEntry)
class TimelineEntryAdmin(admin.ModelAdmin):
    list_display = ["application", "at", "actor", "action", "from_status", "to_status", "visible_to_school"]
    list_filter = ["action", "to_status", "visible_to_school"]
    search_fields = ["application__number", "application__school__name", "comment"]
    list_select_related = ["application__school", "actor"]

    def has_change_permission(self, request, obj=None):
        return False  # the timeline is a record; it is never edited


@admin.register(SignedScan)
class SignedScanAdmin(admin.ModelAdmin):
    list_display = ["application", "original_name", "kind", "size", "version_code", "uploaded_at"]
    list_filter = ["kind"]
    search_fields = ["application__number", "application__school__name", "original_name", "sha256"]
    list_select_related = ["application__school"]
    readonly_fields = ["application", "file", "kind", "original_name", "size", "sha256", "version_code", "uploaded_by"]


@admin.register(TeamMember)
class TeamMemberAdmin(RecordHistoryAdmin):
    list_display = ["name", "title", "department", "mobile", "duty", "application"]
    list_filter = ["application__batch", "application__school__province"]
    search_fields = ["name", "mobile", "application__number", "application__school__name"]
    list_select_related = ["application__school"]
    autocomplete_fields = ["application"]
