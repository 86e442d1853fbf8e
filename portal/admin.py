from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from portal import second_factor
from portal.models import Association, OutgoingMail, Province, School, User


class RecordHistoryAdmin(SimpleHistoryAdmin):
    """The admin with its audit history, which is a record to read, never a way back: a revert
    would set any field (an application's status among them) behind the services' backs, with no
    timeline row. SIMPLE_HISTORY_REVERT_DISABLED only hides the button; this refuses the POST."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied("审计记录只能查看，不能用于恢复旧版本。")
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Association)
class AssociationAdmin(admin.ModelAdmin):
    list_display = ["name", "province", "email"]
    list_filter = ["province"]
    search_fields = ["name", "province__name"]
    autocomplete_fields = ["province"]


@admin.register(School)
class SchoolAdmin(RecordHistoryAdmin):
    list_display = ["name", "province", "school_type", "contact_email", "contact_mobile", "created_at"]
    list_filter = ["province", "school_type"]
    search_fields = ["name", "credit_code", "contact_email", "contact_mobile"]
    autocomplete_fields = ["province"]


@admin.register(User)
class UserAdmin(RecordHistoryAdmin, BaseUserAdmin):
    list_display = ["username", "get_full_name", "email", "role", "school", "association", "is_active"]
    list_filter = ["role", "is_active", "is_staff", "association"]
    search_fields = ["username", "email", "last_name", "first_name", "school__name"]
    autocomplete_fields = ["school", "association"]
    fieldsets = BaseUserAdmin.fieldsets + (("角色与单位", {"fields": ("role", "school", "association", "mobile")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("角色与单位", {"fields": ("email", "role", "school", "association")}),)
    actions = ["reset_second_factor"]

    def get_list_display(self, request):
        return [*super().get_list_display(request), "has_second_factor"]

    def get_queryset(self, request):
        confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(second_factor_on=Exists(confirmed))

    @admin.display(description="两步验证", boolean=True, ordering="second_factor_on")
    def has_second_factor(self, obj):
        return obj.second_factor_on

    def has_reset_second_factor_permission(self, request):
        return request.user.has_perm("otp_totp.delete_totpdevice")

    @admin.action(description="重置两步验证（手机丢失或更换：删除验证器，下次登录时重新设置）", permissions=["reset_second_factor"])
    def reset_second_factor(self, request, queryset):
        """Re-enrolment goes through an administrator: the owner then sets up again with a new
        mailed set-up code (portal.second_factor)."""
        reset = [user for user in queryset if second_factor.reset_second_factor(user, by=request.user)]
        if reset:
            self.message_user(request, f"已重置 {len(reset)} 个账号的两步验证：{'、'.join(user.username for user in reset)}。", messages.SUCCESS)
        else:
            self.message_user(request, "所选账号都没有设置两步验证。", messages.WARNING)


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipients", "template", "state", "attempts", "created_at", "sent_at"]
    list_filter = ["state", "template"]
    search_fields = ["subject", "body"]
    readonly_fields = ["to", "subject", "body", "template", "state", "attempts", "last_error", "next_attempt_at", "created_at", "sent_at"]

    @admin.display(description="收件人")
    def recipients(self, obj):
        return ", ".join(obj.to)
