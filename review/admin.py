from django.contrib import admin

from review.models import DeadlineReminder, Forwarding, ProvincialReview


@admin.register(ProvincialReview)
class ProvincialReviewAdmin(admin.ModelAdmin):
    list_display = ["application", "window", "rank", "decided_by", "decided_at", "paper_received_on"]
    list_filter = ["window__batch", "window__association"]
    search_fields = ["application__number", "application__school__name", "opinion", "decline_reason"]
    list_select_related = ["application__school", "window__association", "decided_by"]
    autocomplete_fields = ["application"]


@admin.register(Forwarding)
class ForwardingAdmin(admin.ModelAdmin):
    list_display = ["window", "forwarded_at", "forwarded_by", "application_count"]
    list_filter = ["window__batch"]
    search_fields = ["window__association__name"]
    readonly_fields = ["window", "forwarded_at", "forwarded_by", "application_count", "summary_pdf", "summary_xlsx"]

    def has_add_permission(self, request):
        return False  # forwarding happens through the province's own page, once


@admin.register(DeadlineReminder)
class DeadlineReminderAdmin(admin.ModelAdmin):
    list_display = ["kind", "application", "window", "deadline", "sent_at"]
    list_filter = ["kind"]
    search_fields = ["application__school__name", "window__association__name"]
