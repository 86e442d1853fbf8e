"""What the provincial associations record about the applications they handle: the decision
(recommend with opinion and rank, or decline with a reason), the paper copy's arrival, and the
one-time forwarding of the recommended set with its 推荐汇总表."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from applications.models import Application, Batch, ProjectCategory, ProvincialWindow
from portal.models import Province


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

    history = HistoricalRecords()

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
    forwarded_at = models.DateTimeField("报送时间", default=timezone.now)
    forwarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, verbose_name="报送人")
    application_count = models.PositiveIntegerField("报送数量")
    summary_pdf = models.FileField("推荐汇总表（PDF）", upload_to=summary_upload_path)
    summary_xlsx = models.FileField("推荐汇总表（XLSX）", upload_to=summary_upload_path)
    # Notice 八.1: 将有关推荐情况抄报省级教育行政部门 — recorded by the province after forwarding.
    copied_on = models.DateField("抄报日期", null=True, blank=True)
    copied_to = models.CharField("抄报单位", max_length=100, blank=True, help_text="例如：浙江省教育厅")
    copy_note = models.CharField("抄报说明", max_length=300, blank=True)
    copy_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="抄报登记人"
    )
    copy_recorded_at = models.DateTimeField("抄报登记时间", null=True, blank=True)

    class Meta:
        verbose_name = "省级报送记录"
        verbose_name_plural = "省级报送记录"
        ordering = ["-forwarded_at"]

    def __str__(self):
        return f"{self.window} 报送 {self.application_count} 份"


def filing_upload_path(instance, filename):
    return f"filings/{instance.batch_id}/{filename}"


class ListFiling(models.Model):
    """The 实验校名单 filed with the China Adult Education Association (notice 八.2: 将实验校名单报中国成人教育
    协会备案) before it is published: when, by whom, and the very PDF filed, generated at filing time.
    It holds for the selection it was made from (`selected_ids`): a decision changed afterwards
    that changes who is selected voids it, and the list must be filed again before publication."""

    batch = models.OneToOneField(Batch, on_delete=models.CASCADE, related_name="list_filing", verbose_name="申报批次")
    filed_at = models.DateTimeField("备案时间", default=timezone.now)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="备案人")
    file = models.FileField("备案名单（PDF）", upload_to=filing_upload_path)
    note = models.CharField("备注", max_length=300, blank=True)
    selected_ids = models.JSONField("备案时的入选申请", default=list)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "实验校名单备案"
        verbose_name_plural = "实验校名单备案"

    def __str__(self):
        return f"{self.batch.short_name}名单备案（{timezone.localtime(self.filed_at):%Y-%m-%d}）"


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


# ---- National review (notice 八.2, 八.3 and 项目评估) ------------------------------------------

class Rubric(models.Model):
    """The scoring rubric of a batch, edited in admin."""

    batch = models.OneToOneField(Batch, on_delete=models.CASCADE, related_name="rubric", verbose_name="申报批次")
    name = models.CharField("名称", max_length=100, default="实验校资格评审评分表")

    class Meta:
        verbose_name = "评分标准"
        verbose_name_plural = "评分标准"

    def __str__(self):
        return f"{self.batch.short_name}·{self.name}"


class Criterion(models.Model):
    """One criterion: its description, maximum points (scored in steps of 0.5) and weight."""

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria", verbose_name="评分标准")
    position = models.PositiveSmallIntegerField("顺序", default=0)
    name = models.CharField("评分项", max_length=50)
    description = models.TextField("评分说明", blank=True)
    max_points = models.DecimalField("满分", max_digits=5, decimal_places=1)
    weight = models.DecimalField("权重", max_digits=4, decimal_places=2, default=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "评分项"
        verbose_name_plural = "评分项"
        ordering = ["rubric", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(max_points__gt=0), name="criterion_max_points_positive"),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="criterion_weight_positive"),
        ]

    def __str__(self):
        return f"{self.name}（{self.max_points} 分）"


class ExpertProfile(models.Model):
    """An expert of the project's expert team: where they come from (for conflicts) and what they know."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_profile", verbose_name="专家账号")
    institution = models.CharField("工作单位", max_length=100)
    title = models.CharField("职称/职务", max_length=50, blank=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, verbose_name="所在省份")
    expertise = models.ManyToManyField(ProjectCategory, blank=True, verbose_name="擅长领域")
    capacity = models.PositiveIntegerField("最多评审份数", null=True, blank=True, help_text="留空表示不限")
    is_active = models.BooleanField("参与本批评审", default=True)

    class Meta:
        verbose_name = "评审专家"
        verbose_name_plural = "评审专家"
        ordering = ["province", "institution"]

    def __str__(self):
        return f"{self.user.get_full_name() or self.user.username}（{self.institution}）"


class ConflictDeclaration(models.Model):
    """An expert declaring a conflict of interest with one application (then never assigned to it)."""

    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conflicts", verbose_name="专家")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="conflicts", verbose_name="申请表")
    reason = models.CharField("回避理由", max_length=300)
    declared_at = models.DateTimeField("声明时间", auto_now_add=True)

    class Meta:
        verbose_name = "回避声明"
        verbose_name_plural = "回避声明"
        constraints = [models.UniqueConstraint(fields=["expert", "application"], name="one_conflict_per_expert_and_application")]

    def __str__(self):
        return f"{self.expert} 回避 {self.application}"


class Assignment(models.Model):
    """An expert assigned to score an application. Ended assignments are kept for the record."""

    class Source(models.TextChoices):
        AUTO = "auto", "自动分配"
        MANUAL = "manual", "人工调整"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="assignments", verbose_name="申请表")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments", verbose_name="专家")
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.AUTO)
    reason = models.CharField("调整理由", max_length=300, blank=True)
    assigned_at = models.DateTimeField("分配时间", auto_now_add=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="分配人")
    is_active = models.BooleanField("有效", default=True)
    ended_at = models.DateTimeField("撤销时间", null=True, blank=True)
    end_reason = models.CharField("撤销理由", max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "评审分配"
        verbose_name_plural = "评审分配"
        ordering = ["application", "assigned_at"]
        constraints = [
            models.UniqueConstraint(fields=["application", "expert"], condition=models.Q(is_active=True), name="one_active_assignment_per_pair")
        ]
        indexes = [models.Index(fields=["expert", "is_active"])]

    def __str__(self):
        return f"{self.expert} → {self.application}"


class ExpertReview(models.Model):
    """An expert's scores, comment and recommendation for one assignment."""

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交"

    class Recommendation(models.TextChoices):
        STRONG = "strong", "强烈推荐"
        YES = "yes", "推荐"
        NO = "no", "不推荐"

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="review", verbose_name="评审分配")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.DRAFT)
    comment = models.TextField("评审意见", blank=True)
    recommendation = models.CharField("推荐意见", max_length=10, choices=Recommendation.choices, blank=True)
    # The weighted total is stored when the review is submitted (scores are then locked) so the
    # ranked table needs one query for all reviews however many there are.
    total = models.DecimalField("加权总分", max_digits=7, decimal_places=2, null=True, blank=True)
    updated_at = models.DateTimeField("最后保存", auto_now=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    reopened_until = models.DateTimeField("重新开放至", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "专家评分"
        verbose_name_plural = "专家评分"

    def __str__(self):
        return f"{self.assignment}（{self.get_state_display()}）"


class CriterionScore(models.Model):
    review = models.ForeignKey(ExpertReview, on_delete=models.CASCADE, related_name="scores", verbose_name="专家评分")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, verbose_name="评分项")
    points = models.DecimalField("得分", max_digits=5, decimal_places=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "单项得分"
        verbose_name_plural = "单项得分"
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="one_score_per_criterion"),
            models.CheckConstraint(condition=models.Q(points__gte=0), name="points_not_negative"),
        ]


class FormalCheck(models.Model):
    """The project group's 形式审查 of an application that reached it. The machine-checkable items
    are computed when shown; the person ticks the others and decides."""

    class Outcome(models.TextChoices):
        PASSED = "passed", "通过"
        RETURNED = "returned", "退回补正"
        REJECTED = "rejected", "不予受理"

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="formal_check", verbose_name="申请表")
    seals_present = models.BooleanField("扫描件有单位公章和上级主管部门公章", default=False)
    seals_legible = models.BooleanField("公章、签字清晰可辨", default=False)
    consistent = models.BooleanField("扫描件与在线填写内容一致", default=False)
    machine_items = models.JSONField("系统检查结果", default=dict)
    outcome = models.CharField("结论", max_length=10, choices=Outcome.choices, blank=True)
    reason = models.TextField("说明", blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="审查人")
    decided_at = models.DateTimeField("审查时间", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "形式审查"
        verbose_name_plural = "形式审查"

    def __str__(self):
        return f"{self.application} {self.get_outcome_display()}"


def export_upload_path(instance, filename):
    return f"exports/{instance.pk or 'new'}/{filename}"


class BackgroundJob(models.Model):
    """A long operation run by the job worker (django-tasks): its row carries the state and the
    progress, and a page follows it with a progress bar (static/js/job-progress.js)."""

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="申请人")
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, verbose_name="申报批次")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField("总数", default=0)
    done = models.PositiveIntegerField("已完成", default=0)
    error = models.TextField("错误", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else (100 if self.state == self.State.DONE else 0)

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)


class ExportJob(BackgroundJob):
    """A ZIP of many PDFs built by a background job; the page follows its progress."""

    label = models.CharField("范围", max_length=200)
    selection = models.JSONField("筛选条件", default=dict)
    file = models.FileField("ZIP 文件", upload_to=export_upload_path, blank=True)

    class Meta(BackgroundJob.Meta):
        verbose_name = "PDF 打包导出"
        verbose_name_plural = "PDF 打包导出"

    def __str__(self):
        return f"{self.label}（{self.get_state_display()}）"


class AssignmentRun(BackgroundJob):
    """One run of automatic expert assignment, for a whole batch or for applications picked in
    admin, written in steps by a background job so that its page shows the progress."""

    application_ids = models.JSONField("所选申请", default=list, blank=True, help_text="为空时为本批次全部“专家评审中”的申请")
    added = models.PositiveIntegerField("新增分配", default=0)
    ended = models.PositiveIntegerField("撤销分配", default=0)
    shortfalls = models.JSONField("专家不足", default=list, blank=True)

    class Meta(BackgroundJob.Meta):
        verbose_name = "自动分配评审专家"
        verbose_name_plural = "自动分配评审专家"

    def __str__(self):
        return f"{self.batch} 自动分配（{self.get_state_display()}）"

    @property
    def summary(self) -> str:
        """What a finished run did, as its page says it ("" until it is done)."""
        if self.state != self.State.DONE:
            return ""
        return f"已新增 {self.added} 项专家分配" + (f"，撤销 {self.ended} 项" if self.ended else "") + "。"

    @property
    def scope_label(self) -> str:
        return f"所选 {len(self.application_ids)} 份申请" if self.application_ids else "本批次全部待分配的申请"


class ReviewTally(models.Model):
    """One application's expert-review figures: its active assignments and the weighted totals of
    their submitted reviews, in cents. Kept by review.tallies whenever an assignment or a review
    changes, so that the ranked table and the progress page sort and page in the database instead of
    aggregating every review of the batch on every request. Never edited by hand: `manage.py
    rebuild_tallies` recomputes them all."""

    application = models.OneToOneField(Application, primary_key=True, on_delete=models.CASCADE, related_name="review_tally", verbose_name="申请")
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="+", verbose_name="申报批次")
    assigned = models.PositiveIntegerField("有效分配", default=0)
    submitted = models.PositiveIntegerField("已提交评分", default=0)
    scored = models.PositiveIntegerField("有总分的评分", default=0)
    sum_cents = models.BigIntegerField("总分之和（分）", null=True)
    low_cents = models.BigIntegerField("最低总分（分）", null=True)
    high_cents = models.BigIntegerField("最高总分（分）", null=True)
    mean_cents = models.BigIntegerField("平均分（分）", null=True)

    class Meta:
        verbose_name = "评审汇总"
        verbose_name_plural = "评审汇总"
        indexes = [models.Index(fields=["batch", "mean_cents"])]


class ExpertTally(models.Model):
    """One expert's workload in one batch: active assignments and submitted reviews (review.tallies)."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="+", verbose_name="申报批次")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="专家")
    assigned = models.PositiveIntegerField("有效分配", default=0)
    submitted = models.PositiveIntegerField("已提交评分", default=0)

    class Meta:
        verbose_name = "专家评审量"
        verbose_name_plural = "专家评审量"
        constraints = [models.UniqueConstraint(fields=["batch", "expert"], name="one_tally_per_expert_and_batch")]
