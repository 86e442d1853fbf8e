"""What the provincial associations record about the applications they handle: the decision
(recommend with opinion and rank, or decline with a reason), the paper copy's arrival, and the
one-time forwarding of the recommended set with its 推荐汇总表."""
from django.conf import settings
from django.db import models

from applications.models import Application, ProvincialWindow


class ProvincialReview(models.Model):
    """The province's record on one application; created when it first acts on it."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="provincial_review", verbose_name="申请表"
    )
    window = models.ForeignKey(ProvincialWindow, on_delete=models.PROTECT, related_name="reviews", verbose_name="省级推荐渠道")
    opinion = models.TextField("推荐意见", blank=True)
    rank = models.PositiveSmallIntegerField("推荐排名", null=True, blank=True)
    decline_reason = models.TextField("不予推荐理由", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="决定人"
    )
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    paper_received_on = models.DateField("纸质版收到日期", null=True, blank=True)
    paper_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="登记人"
    )

    class Meta:
        verbose_name = "省级推荐记录"
        verbose_name_plural = "省级推荐记录"
        constraints = [
            # Two recommended applications of one window never share a rank.
            models.UniqueConstraint(fields=["window", "rank"], condition=models.Q(rank__isnull=False), name="unique_rank_per_window"),
            models.CheckConstraint(condition=models.Q(rank__isnull=True) | models.Q(rank__gte=1), name="rank_from_one"),
        ]

    def __str__(self):
        return f"{self.application}（{self.window.association}）"


def summary_upload_path(instance, filename):
    return f"forwardings/{instance.window_id}/{filename}"


class Forwarding(models.Model):
    """The provincial association forwarding its recommended set to the national project group:
    once per window (a second click finds this row and does nothing)."""

    window = models.OneToOneField(ProvincialWindow, on_delete=models.PROTECT, related_name="forwarding", verbose_name="省级推荐渠道")
    forwarded_at = models.DateTimeField("报送时间", auto_now_add=True)
    forwarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, verbose_name="报送人")
    application_count = models.PositiveIntegerField("报送数量")
    summary_pdf = models.FileField("推荐汇总表（PDF）", upload_to=summary_upload_path)
    summary_xlsx = models.FileField("推荐汇总表（XLSX）", upload_to=summary_upload_path)

    class Meta:
        verbose_name = "省级报送记录"
        verbose_name_plural = "省级报送记录"
        ordering = ["-forwarded_at"]

    def __str__(self):
        return f"{self.window} 报送 {self.application_count} 份"


class DeadlineReminder(models.Model):
    """A reminder that was sent, so the same deadline never brings the same reminder twice."""

    class Kind(models.TextChoices):
        SCHOOL_DRAFT = "school_draft", "学校未提交提醒"
        PROVINCE_UNDECIDED = "province_undecided", "省级待决定提醒"

    kind = models.CharField("类型", max_length=24, choices=Kind.choices)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, null=True, blank=True, verbose_name="申请表")
    window = models.ForeignKey(ProvincialWindow, on_delete=models.CASCADE, null=True, blank=True, verbose_name="省级推荐渠道")
    deadline = models.DateTimeField("所提醒的截止时间")
    sent_at = models.DateTimeField("发送时间", auto_now_add=True)

    class Meta:
        verbose_name = "截止提醒"
        verbose_name_plural = "截止提醒"
        constraints = [
            models.UniqueConstraint(fields=["kind", "application", "deadline"], condition=models.Q(application__isnull=False), name="one_school_reminder_per_deadline"),
            models.UniqueConstraint(fields=["kind", "window", "deadline"], condition=models.Q(window__isnull=False), name="one_province_reminder_per_deadline"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.deadline:%Y-%m-%d}"
