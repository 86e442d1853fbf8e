"""The 实验周期 after selection (notice 五、项目实施, 七.7, 八.3): the 实验校 of a batch with its projects,
team and status, the project group's activities with their invitations, replies and attendance,
the exit rule's staff queue, voluntary withdrawals and the notices a 实验校 reads on its workspace.

Models hold data only: every write that changes a status, an answer or an attendance goes through
the services (programme.experiment_schools, activities, attendance, exits), which log it.
"""
import hashlib
import uuid
from datetime import date, timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from applications.models import Application, Batch, ProjectCategory
from applications.selectors import CYCLE_YEARS, add_years
from portal.models import School
from portal.validators import validate_mobile


def cycle_end(starts_on: date) -> date:
    """The last day of the three years (实验周期：三年) that start on `starts_on`."""
    return add_years(starts_on, CYCLE_YEARS) - timedelta(days=1)


class ExperimentStatus(models.TextChoices):
    ACTIVE = "active", "实验中"
    WITHDRAWN = "withdrawn", "已退出（自愿）"
    DEEMED_WITHDRAWN = "deemed_withdrawn", "视为退出（连续两次未参与项目组活动）"
    COMPLETED = "completed", "已结项"


class ExperimentSchool(models.Model):
    """A school selected in a published list: a 实验校 of that batch for its three-year cycle.

    Its 负责人, 项目对接人, projects and team start as a copy of the application and are kept
    current here, so the submitted application stays as it was signed and sealed."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="experiment_schools", verbose_name="学校")
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="experiment_schools", verbose_name="批次")
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="experiment_school", verbose_name="入选的申请表"
    )
    cycle_starts_on = models.DateField("实验周期起始日")
    cycle_ends_on = models.DateField("实验周期结束日", help_text="三年实验周期的最后一天。")
    status = models.CharField("状态", max_length=20, choices=ExperimentStatus.choices, default=ExperimentStatus.ACTIVE)

    lead_name = models.CharField("负责人姓名", max_length=50)
    lead_title = models.CharField("负责人职务", max_length=50)
    lead_mobile = models.CharField("负责人手机", max_length=20)
    lead_title_note = models.CharField("负责人职务说明", max_length=300, blank=True)
    liaison_name = models.CharField("项目对接人姓名", max_length=50, blank=True)
    liaison_title = models.CharField("项目对接人职务", max_length=50, blank=True)
    liaison_mobile = models.CharField("项目对接人手机", max_length=20, blank=True)

    created_at = models.DateTimeField("成为实验校时间", auto_now_add=True)
    updated_at = models.DateTimeField("最后修改", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "实验校"
        verbose_name_plural = "实验校"
        ordering = ["batch", "school__province", "school__name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "batch"], name="one_experiment_school_per_batch"),
            models.CheckConstraint(condition=models.Q(cycle_ends_on__gt=models.F("cycle_starts_on")), name="cycle_ends_after_start"),
        ]
        indexes = [models.Index(fields=["batch", "status"], name="experiment_batch_status")]

    def __str__(self):
        return f"{self.school.name}（{self.batch.short_name}）"

    @property
    def is_active(self) -> bool:
        return self.status == ExperimentStatus.ACTIVE

    def cycle_year(self, on: date | None = None) -> int | None:
        """Which year of the three (1, 2, 3) the day `on` (default: today in Beijing) falls in;
        None before the cycle starts or after its last day. Year 1 runs from the start to the
        day before its first anniversary."""
        on = on or timezone.localdate()
        if not self.cycle_starts_on <= on <= self.cycle_ends_on:
            return None
        for year in range(1, CYCLE_YEARS + 1):
            if on < add_years(self.cycle_starts_on, year):
                return year
        return CYCLE_YEARS  # not reached: cycle_ends_on is the day before the third anniversary

    def days_left(self, on: date | None = None) -> int:
        """Days of the cycle still to come on `on` (default: today in Beijing), that day included:
        the whole length on the first day, 1 on the last, 0 afterwards."""
        on = on or timezone.localdate()
        if on < self.cycle_starts_on:
            on = self.cycle_starts_on
        return max(0, (self.cycle_ends_on - on).days + 1)


class ExperimentProject(models.Model):
    """One of the 实验校's 1–2 具体实施项目 (notice 五: 在三年实验周期内实施1-2个具体项目)."""

    experiment_school = models.ForeignKey(ExperimentSchool, on_delete=models.CASCADE, related_name="projects", verbose_name="实验校")
    category = models.ForeignKey(ProjectCategory, on_delete=models.PROTECT, verbose_name="具体实施项目")
    other_name = models.CharField("其它项目名称", max_length=100, blank=True)
    position = models.PositiveSmallIntegerField("顺序", default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "实验校具体实施项目"
        verbose_name_plural = "实验校具体实施项目"
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["experiment_school", "category"], name="one_project_of_each_category")]

    def __str__(self):
        return f"{self.category.name}：{self.other_name}" if self.other_name else self.category.name


class ExperimentTeamMember(models.Model):
    """A member of the 实验校's 项目小组; the first row is the 负责人."""

    experiment_school = models.ForeignKey(ExperimentSchool, on_delete=models.CASCADE, related_name="team", verbose_name="实验校")
    position = models.PositiveSmallIntegerField("序号", default=0)
    name = models.CharField("姓名", max_length=50)
    title = models.CharField("职务/职称", max_length=50)
    department = models.CharField("部门", max_length=100, blank=True)
    mobile = models.CharField("手机", max_length=20, validators=[validate_mobile])
    duty = models.CharField("分工", max_length=200)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "实验校项目小组成员"
        verbose_name_plural = "实验校项目小组成员"
        ordering = ["position", "pk"]

    def __str__(self):
        return self.name


class ExperimentLogEntry(models.Model):
    """One change of a 实验校: its status (from, to, why) or its team and projects (what changed)."""

    class Action(models.TextChoices):
        CREATED = "created", "成为实验校"
        STATUS = "status", "状态变更"
        TEAM = "team", "项目小组变更"
        PROJECTS = "projects", "具体实施项目变更"
        CYCLE = "cycle", "实验周期变更"

    experiment_school = models.ForeignKey(ExperimentSchool, on_delete=models.CASCADE, related_name="log", verbose_name="实验校")
    at = models.DateTimeField("时间", default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="操作人")
    action = models.CharField("操作", max_length=20, choices=Action.choices)
    from_status = models.CharField("原状态", max_length=20, choices=ExperimentStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=20, choices=ExperimentStatus.choices, blank=True)
    reason = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "实验校变更记录"
        verbose_name_plural = "实验校变更记录"
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.experiment_school_id} {self.get_action_display()} {timezone.localtime(self.at):%Y-%m-%d %H:%M}"


class ActivityKind(models.TextChoices):
    WORK_MEETING = "work_meeting", "项目工作会议"
    SEMINAR = "seminar", "研讨交流会议"
    TRAINING = "training", "队伍培训"
    EXCHANGE = "exchange", "经验交流"
    SHOWCASE = "showcase", "成果展示"
    OTHER = "other", "其它"


class Activity(models.Model):
    """An activity of the project group (五: 每年组织 2-3 次项目研讨交流会议; 共同培训项目实施团队; 共同开展
    经验交流和成果展示等活动) to which 实验校 are invited. Those that count (七.7) feed the exit rule
    once closed."""

    kind = models.CharField("活动类型", max_length=20, choices=ActivityKind.choices)
    title = models.CharField("活动名称", max_length=200)
    starts_at = models.DateTimeField("开始时间", help_text="北京时间")
    ends_at = models.DateTimeField("结束时间", help_text="北京时间")
    place = models.CharField("地点", max_length=200, blank=True)
    online_url = models.URLField("线上参会地址", max_length=500, blank=True)
    agenda = models.TextField("议程", blank=True)
    registration_deadline = models.DateTimeField("回执截止时间", help_text="北京时间；此前学校提交参会回执或请假。")
    max_attendees_per_school = models.PositiveSmallIntegerField("每校参会人数上限", default=2)
    counts_for_attendance = models.BooleanField(
        "计入项目活动参与情况", default=True, help_text="通知七.7：连续两次不参与项目组活动视为退出。不计入的活动缺席不影响。"
    )
    # Shown at the venue (as a QR code): an attendee of an invited school checks in with it during
    # the activity's hours. Random (programme.activities.new_checkin_code), never derived from the id.
    checkin_code = models.CharField("签到码", max_length=12, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="创建人"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True, help_text="关闭时未签到又未获准请假的学校记缺席一次。")
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="关闭人"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "项目活动"
        verbose_name_plural = "项目活动"
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="activity_ends_after_start"),
            models.CheckConstraint(condition=models.Q(max_attendees_per_school__gte=1), name="activity_admits_someone"),
        ]

    def __str__(self):
        return f"{self.title}（{timezone.localtime(self.starts_at):%Y-%m-%d}）"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def is_online(self) -> bool:
        return bool(self.online_url) and not self.place


class Outcome(models.TextChoices):
    """What a closed activity was for an invited 实验校 (programme.exit_rule reads these)."""

    ATTENDED = "attended", "已参加"
    EXCUSED = "excused", "请假（已批准）"
    ABSENT = "absent", "缺席"


class Invitation(models.Model):
    """One 实验校 invited to one activity: its answer (回执 with attendees, or 请假), the project
    group's decision on a leave request, its attendance and, once the activity is closed, its outcome."""

    class Reply(models.TextChoices):
        NONE = "", "未回复"
        ATTENDING = "attending", "参加"
        LEAVE = "leave", "请假"

    class LeaveDecision(models.TextChoices):
        PENDING = "", "待审核"
        ACCEPTED = "accepted", "同意请假"
        REFUSED = "refused", "不同意请假"

    class AttendanceSource(models.TextChoices):
        NONE = "", "—"
        STAFF = "staff", "项目组现场签到"
        CODE = "code", "签到码签到"
        IMPORT = "import", "线上名单导入"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="invitations", verbose_name="活动")
    experiment_school = models.ForeignKey(ExperimentSchool, on_delete=models.CASCADE, related_name="invitations", verbose_name="实验校")
    invited_at = models.DateTimeField("邀请时间", default=timezone.now)

    reply = models.CharField("回执", max_length=10, choices=Reply.choices, blank=True, default=Reply.NONE)
    replied_at = models.DateTimeField("回执时间", null=True, blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="回执人")
    leave_reason = models.TextField("请假事由", blank=True)
    leave_decision = models.CharField("请假审核", max_length=10, choices=LeaveDecision.choices, blank=True, default=LeaveDecision.PENDING)
    leave_decision_note = models.TextField("审核意见", blank=True)
    leave_decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    leave_decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="审核人")

    attended = models.BooleanField("已签到", default=False)
    attended_at = models.DateTimeField("签到时间", null=True, blank=True)
    attendance_source = models.CharField("签到方式", max_length=10, choices=AttendanceSource.choices, blank=True, default=AttendanceSource.NONE)
    attendance_marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="签到登记人")

    outcome = models.CharField("结果", max_length=10, choices=Outcome.choices, blank=True, help_text="活动关闭时确定。")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "活动邀请"
        verbose_name_plural = "活动邀请与回执"
        ordering = ["activity", "experiment_school__school__province", "experiment_school__school__name"]
        constraints = [models.UniqueConstraint(fields=["activity", "experiment_school"], name="one_invitation_per_school")]
        indexes = [models.Index(fields=["experiment_school", "outcome"], name="invitation_school_outcome")]

    def __str__(self):
        return f"{self.activity.title} · {self.experiment_school.school.name}"

    @property
    def leave_pending(self) -> bool:
        return self.reply == self.Reply.LEAVE and self.leave_decision == self.LeaveDecision.PENDING

    @property
    def leave_accepted(self) -> bool:
        return self.reply == self.Reply.LEAVE and self.leave_decision == self.LeaveDecision.ACCEPTED


class Attendee(models.Model):
    """A person an invited 实验校 registers for an activity (回执: 姓名, 职务, 手机)."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="attendees", verbose_name="活动邀请")
    position = models.PositiveSmallIntegerField("序号", default=0)
    name = models.CharField("姓名", max_length=50)
    title = models.CharField("职务", max_length=50)
    mobile = models.CharField("手机", max_length=20, validators=[validate_mobile])
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)

    class Meta:
        verbose_name = "参会人员"
        verbose_name_plural = "参会人员"
        ordering = ["position", "pk"]

    def __str__(self):
        return f"{self.name}（{self.title}）"


class SchoolNotice(models.Model):
    """A notice from the project group on the 实验校's workspace (each is also mailed)."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", "活动通知"
        LEAVE_DECIDED = "leave_decided", "请假审核结果"
        ABSENCE_WARNING = "absence_warning", "缺席提醒"
        EXIT_CONFIRMED = "exit_confirmed", "视为退出"
        EXIT_WAIVED = "exit_waived", "不作退出处理"
        WITHDRAWAL_ACKNOWLEDGED = "withdrawal_acknowledged", "退出申请已确认"
        REPORT_DUE_SOON = "report_due_soon", "年度工作报告截止提醒"
        REPORT_LATE = "report_late", "年度工作报告逾期提醒"
        REPORT_RETURNED = "report_returned", "年度工作报告退回修改"
        REPORT_ACCEPTED = "report_accepted", "年度工作报告已通过"
        REPORT_COMMENT = "report_comment", "年度工作报告业务指导"
        EVALUATION_PUBLISHED = "evaluation_published", "优质校评估结果"
        POST_PUBLISHED = "post_published", "建设动态已发布"
        POST_RETURNED = "post_returned", "建设动态已退回"
        POST_UNPUBLISHED = "post_unpublished", "建设动态已撤下"

    experiment_school = models.ForeignKey(ExperimentSchool, on_delete=models.CASCADE, related_name="notices", verbose_name="实验校")
    kind = models.CharField("类型", max_length=30, choices=Kind.choices)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, null=True, blank=True, related_name="notices", verbose_name="相关活动邀请")
    report = models.ForeignKey("AnnualReport", on_delete=models.CASCADE, null=True, blank=True, related_name="notices", verbose_name="相关年度工作报告")
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "实验校通知"
        verbose_name_plural = "实验校通知"
        ordering = ["-created_at", "-pk"]
        constraints = [
            # An absence is warned about once, however often the rule runs over it.
            models.UniqueConstraint(
                fields=["invitation"], condition=models.Q(kind="absence_warning"), name="one_warning_per_absence"
            ),
        ]

    def __str__(self):
        return self.title


class ExitReview(models.Model):
    """七.7 (连续两次不参与项目组活动视为退出): a 实验校 absent from two counting activities in a row,
    in the project group's queue with the two absences as evidence, until staff confirm (the school
    is 视为退出) or waive it with a reason. One row per pair of absences: never twice for the same."""

    class State(models.TextChoices):
        PENDING = "pending", "待审核"
        CONFIRMED = "confirmed", "确认视为退出"
        WAIVED = "waived", "不作退出处理"

    experiment_school = models.ForeignKey(ExperimentSchool, on_delete=models.CASCADE, related_name="exit_reviews", verbose_name="实验校")
    first_absence = models.ForeignKey(Invitation, on_delete=models.PROTECT, related_name="+", verbose_name="第一次缺席")
    second_absence = models.OneToOneField(Invitation, on_delete=models.PROTECT, related_name="exit_review", verbose_name="第二次缺席")
    state = models.CharField("审核状态", max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField("进入审核时间", default=timezone.now)
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="审核人")
    reason = models.TextField("审核说明", blank=True, help_text="不作退出处理时必填。")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "视为退出审核"
        verbose_name_plural = "视为退出审核"
        ordering = ["state", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["experiment_school"], condition=models.Q(state="pending"), name="one_pending_exit_review"
            ),
        ]

    def __str__(self):
        return f"{self.experiment_school} · {self.get_state_display()}"


def letter_upload_path(instance, filename):
    # As for the application's scans: a random name with the extension of the detected type.
    suffix = PurePosixPath(filename).suffix.lower()
    return f"withdrawals/{instance.experiment_school_id}/{uuid.uuid4().hex}{suffix}"


class WithdrawalRequest(models.Model):
    """A 实验校 asking to leave (七.7: 实验校有退出项目实施的权力): a reason and, optionally, a signed
    letter; the project group acknowledges it and the status becomes 已退出（自愿）."""

    class State(models.TextChoices):
        PENDING = "pending", "待确认"
        ACKNOWLEDGED = "acknowledged", "已确认退出"

    experiment_school = models.ForeignKey(ExperimentSchool, on_delete=models.CASCADE, related_name="withdrawal_requests", verbose_name="实验校")
    reason = models.TextField("退出原因")
    letter = models.FileField("退出申请函（签字盖章扫描件）", upload_to=letter_upload_path, blank=True)
    letter_kind = models.CharField("文件类型", max_length=8, blank=True)
    letter_name = models.CharField("原文件名", max_length=200, blank=True)
    letter_size = models.PositiveBigIntegerField("大小（字节）", null=True, blank=True)
    letter_sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="申请人")
    state = models.CharField("状态", max_length=15, choices=State.choices, default=State.PENDING)
    acknowledged_at = models.DateTimeField("确认时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="确认人")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "退出申请"
        verbose_name_plural = "退出申请"
        ordering = ["state", "-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["experiment_school"], condition=models.Q(state="pending"), name="one_pending_withdrawal_request"
            ),
        ]

    def __str__(self):
        return f"{self.experiment_school} · {self.get_state_display()}"

    @property
    def letter_content_type(self) -> str:
        return {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}.get(self.letter_kind, "application/octet-stream")


# ---- 年度工作报告 (五: 业务指导、实验评估) ------------------------------------------------------------
# Each 实验校 files one report for each year of its cycle, due on a date the project group sets per
# batch and year (ReportDeadline; by default the last day of that cycle year). The writes go
# through programme.reports, which logs every change of state.


class ReachedGroup(models.TextChoices):
    """The groups whose numbers a report gives (the 具体实施项目 of 五 name who they serve)."""

    COMMUNITY = "community", "社区居民"
    RURAL = "rural", "乡村居民"
    ELDERLY = "elderly", "老年人"
    EMPLOYED = "employed", "在职人员"
    UNEMPLOYED = "unemployed", "城乡待业人员"
    MIGRANT = "migrant", "进城务工人员及新市民"
    OTHER = "other", "其它"


def reached_field(group: str) -> str:
    """The AnnualReport field holding the number reached in `group`."""
    return f"reached_{group}"


REACHED_FIELDS = tuple(reached_field(value) for value in ReachedGroup.values)


class ReportDeadline(models.Model):
    """When a batch's 实验校 file the report of one cycle year, as the project group set it (on the
    reports' deadline page or in admin). Without a row the report is due at the end of the last day
    of that cycle year (programme.reports.default_due_at)."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="report_deadlines", verbose_name="批次")
    year = models.PositiveSmallIntegerField("实验周期年度", choices=[(1, "第一年"), (2, "第二年"), (3, "第三年")])
    due_at = models.DateTimeField("提交截止时间", help_text="北京时间，精确到分钟。")
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="设置人")
    updated_at = models.DateTimeField("最后修改", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "年度工作报告截止时间"
        verbose_name_plural = "年度工作报告截止时间"
        ordering = ["batch", "year"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "year"], name="one_report_deadline_per_batch_year"),
            models.CheckConstraint(condition=models.Q(year__gte=1, year__lte=3), name="report_deadline_year_1_to_3"),
        ]

    def __str__(self):
        return f"{self.batch.short_name} 第{self.year}年 {timezone.localtime(self.due_at):%Y-%m-%d %H:%M}"


class ReportState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    RETURNED = "returned", "退回修改"
    ACCEPTED = "accepted", "已通过"


# The school may change its report in these states.
EDITABLE_REPORT_STATES = (ReportState.DRAFT, ReportState.RETURNED)


class AnnualReport(models.Model):
    """A 实验校's 年度工作报告 for one year of its cycle: what was done for each project
    (ReportProjectWork), the numbers reached by group, courses and resources built, training
    held, problems, next year's plan, photos and attachments; its state and history."""

    experiment_school = models.ForeignKey(ExperimentSchool, on_delete=models.PROTECT, related_name="reports", verbose_name="实验校")
    year = models.PositiveSmallIntegerField("实验周期年度")
    state = models.CharField("状态", max_length=12, choices=ReportState.choices, default=ReportState.DRAFT)

    reached_community = models.PositiveIntegerField("社区居民", null=True, blank=True)
    reached_rural = models.PositiveIntegerField("乡村居民", null=True, blank=True)
    reached_elderly = models.PositiveIntegerField("老年人", null=True, blank=True)
    reached_employed = models.PositiveIntegerField("在职人员", null=True, blank=True)
    reached_unemployed = models.PositiveIntegerField("城乡待业人员", null=True, blank=True)
    reached_migrant = models.PositiveIntegerField("进城务工人员及新市民", null=True, blank=True)
    reached_other = models.PositiveIntegerField("其它", null=True, blank=True)
    reached_other_note = models.CharField("其它人群说明", max_length=200, blank=True)
    courses_resources = models.TextField("建设的课程与学习资源", blank=True)
    training = models.TextField("开展的培训", blank=True)
    problems = models.TextField("存在的问题", blank=True)
    next_plan = models.TextField("下一年度工作计划", blank=True)

    # One more on every save of the draft: a save made from an older copy is refused, not applied
    # over a later one (as the application's drafts).
    revision = models.PositiveIntegerField("版本", default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="创建人")
    updated_at = models.DateTimeField("最后保存", auto_now=True)
    submitted_at = models.DateTimeField("最近提交时间", null=True, blank=True)
    decided_at = models.DateTimeField("审阅时间", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="审阅人")
    return_reason = models.TextField("退回原因", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "年度工作报告"
        verbose_name_plural = "年度工作报告"
        ordering = ["experiment_school", "year"]
        constraints = [
            models.UniqueConstraint(fields=["experiment_school", "year"], name="one_report_per_school_year"),
            models.CheckConstraint(condition=models.Q(year__gte=1, year__lte=3), name="report_year_1_to_3"),
        ]
        indexes = [models.Index(fields=["state", "year"], name="report_state_year")]

    def __str__(self):
        return f"{self.experiment_school.school.name} 第{self.year}年度工作报告"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("programme:report_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_REPORT_STATES

    @property
    def reached_total(self) -> int:
        return sum(getattr(self, name) or 0 for name in REACHED_FIELDS)

    def reached_rows(self) -> list[tuple[str, int | None]]:
        """(group, number) in the notice's order, for the pages and the PDF."""
        return [(label, getattr(self, reached_field(value))) for value, label in ReachedGroup.choices]


class ReportProjectWork(models.Model):
    """What was done this year for one of the 实验校's 具体实施项目."""

    # By category and name, not by the ExperimentProject row: the school's projects are rewritten
    # whole when it changes them (experiment_schools.projects_update), and the text must stay.
    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="project_work", verbose_name="年度工作报告")
    category = models.ForeignKey(ProjectCategory, on_delete=models.PROTECT, related_name="+", verbose_name="具体实施项目")
    project_name = models.CharField("项目名称", max_length=200)
    position = models.PositiveSmallIntegerField("顺序", default=0)
    done = models.TextField("开展的工作与成效", blank=True)

    class Meta:
        verbose_name = "项目年度工作"
        verbose_name_plural = "项目年度工作"
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["report", "category"], name="one_work_row_per_project")]

    def __str__(self):
        return self.project_name


def report_file_path(instance, filename):
    # As for the application's scans: a random name with the extension of the detected type.
    suffix = PurePosixPath(filename).suffix.lower()
    return f"reports/{instance.report_id}/{uuid.uuid4().hex}{suffix}"


class ReportAttachment(models.Model):
    """A photo (JPEG or PNG) or an attachment (PDF, JPEG or PNG) of a report, checked by content
    (applications.uploads.inspect_scan). Private: only the report's readers download it."""

    class Kind(models.TextChoices):
        PHOTO = "photo", "照片"
        DOCUMENT = "document", "附件"

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="attachments", verbose_name="年度工作报告")
    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    file = models.FileField("文件", upload_to=report_file_path)
    file_kind = models.CharField("文件类型", max_length=8)
    original_name = models.CharField("原文件名", max_length=200)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    caption = models.CharField("说明", max_length=200, blank=True)
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="上传人")

    class Meta:
        verbose_name = "年度工作报告附件"
        verbose_name_plural = "年度工作报告附件"
        ordering = ["kind", "uploaded_at", "pk"]

    def __str__(self):
        return self.original_name

    @property
    def content_type(self) -> str:
        return {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}.get(self.file_kind, "application/octet-stream")


class ReportLogEntry(models.Model):
    """One step of a report's history: created, submitted, returned (why), accepted."""

    class Action(models.TextChoices):
        CREATED = "created", "开始填写"
        SUBMITTED = "submitted", "提交"
        RETURNED = "returned", "退回修改"
        ACCEPTED = "accepted", "通过"

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="log", verbose_name="年度工作报告")
    at = models.DateTimeField("时间", default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="操作人")
    action = models.CharField("操作", max_length=12, choices=Action.choices)
    from_state = models.CharField("原状态", max_length=12, choices=ReportState.choices, blank=True)
    to_state = models.CharField("新状态", max_length=12, choices=ReportState.choices)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "年度工作报告记录"
        verbose_name_plural = "年度工作报告记录"
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.report_id} {self.get_action_display()}"


class ReportComment(models.Model):
    """业务指导: a reviewer's comment on a report, which the school reads on the report's page."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="comments", verbose_name="年度工作报告")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="指导人")
    body = models.TextField("指导意见")
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "业务指导意见"
        verbose_name_plural = "业务指导意见"
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.report_id} · {self.author}"


class ReportReviewer(models.Model):
    """An expert the project group asked to read a report, comment on it and accept or return it."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="reviewers", verbose_name="年度工作报告")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_reviews", verbose_name="专家")
    assigned_at = models.DateTimeField("指派时间", default=timezone.now)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="指派人")

    class Meta:
        verbose_name = "年度工作报告指导专家"
        verbose_name_plural = "年度工作报告指导专家"
        ordering = ["assigned_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["report", "expert"], name="one_assignment_per_report_expert")]

    def __str__(self):
        return f"{self.report_id} · {self.expert}"


class ReportReminder(models.Model):
    """A reminder that was sent about the report of one 实验校 and year, so each kind (before the
    due date, after it) goes out once, even when the report was not started or the date moves."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", "截止前提醒"
        LATE = "late", "逾期提醒"

    experiment_school = models.ForeignKey(ExperimentSchool, on_delete=models.CASCADE, related_name="report_reminders", verbose_name="实验校")
    year = models.PositiveSmallIntegerField("实验周期年度")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    due_at = models.DateTimeField("所提醒的截止时间")
    sent_at = models.DateTimeField("发送时间", default=timezone.now)

    class Meta:
        verbose_name = "年度工作报告提醒"
        verbose_name_plural = "年度工作报告提醒"
        constraints = [models.UniqueConstraint(fields=["experiment_school", "year", "kind"], name="one_report_reminder_per_kind")]

    def __str__(self):
        return f"{self.experiment_school_id} 第{self.year}年 {self.get_kind_display()}"


# ---- 实验成果奖 and 荣誉证书 (issue 16) ---------------------------------------------------------------


class Award(models.Model):
    """An award the project group defines (五: 颁发实验成果奖), e.g. 实验成果奖 with its levels
    一等奖、二等奖、三等奖; edited in admin. A certificate of it names the level and the winning project."""

    name = models.CharField("奖项名称", max_length=100, unique=True, help_text="例如：实验成果奖")
    levels = models.CharField("等级", max_length=200, help_text="用顿号分隔，按从高到低排列，例如：一等奖、二等奖、三等奖")
    is_active = models.BooleanField("可颁发", default=True, help_text="取消勾选后不再出现在颁发证书的选项中；已颁发的证书不受影响。")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "奖项"
        verbose_name_plural = "奖项"
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def level_list(self) -> list[str]:
        """The levels in the order staff typed them (、 or a comma between them)."""
        return [level.strip() for level in self.levels.replace("，", "、").replace(",", "、").split("、") if level.strip()]


class CertificateKind(models.TextChoices):
    EXPERIMENT_SCHOOL = "experiment_school", "实验校证书"
    QUALITY_SCHOOL = "quality_school", "优质校证书"
    AWARD = "award", "奖项证书"


class Certificate(models.Model):
    """A 荣誉证书 issued to a 实验校 (programme.certificates issues and revokes them): its number,
    printed with a QR code of the public page /verify/<number>/, is random (never derived from the
    id), so certificates cannot be enumerated. What it certifies is stored as issued (school name,
    title, project), so it reads the same however the school's record changes later."""

    number = models.CharField("证书编号", max_length=40, unique=True, editable=False)
    kind = models.CharField("证书类型", max_length=20, choices=CertificateKind.choices)
    experiment_school = models.ForeignKey(ExperimentSchool, on_delete=models.PROTECT, related_name="certificates", verbose_name="实验校")
    award = models.ForeignKey(Award, on_delete=models.PROTECT, null=True, blank=True, related_name="certificates", verbose_name="奖项")
    award_level = models.CharField("奖项等级", max_length=30, blank=True)
    project = models.ForeignKey(
        ExperimentProject, on_delete=models.PROTECT, null=True, blank=True, related_name="certificates", verbose_name="获奖项目"
    )
    school_name = models.CharField("获证学校", max_length=200)
    title = models.CharField("证书内容", max_length=200, help_text="例如：职业院校服务全民终身学习项目第一批实验校；或：实验成果奖 一等奖")
    project_name = models.CharField("获奖项目名称", max_length=200, blank=True)
    issued_at = models.DateTimeField("颁发时间", default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="颁发人")
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="撤销人")
    revoke_reason = models.TextField("撤销原因", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "荣誉证书"
        verbose_name_plural = "荣誉证书"
        ordering = ["-issued_at", "-pk"]
        constraints = [
            # One live certificate of a kind for a school (实验校, 优质校), and of an award for one of
            # its projects; a revoked one does not count, so a corrected one can be issued.
            models.UniqueConstraint(
                fields=["experiment_school", "kind"], condition=models.Q(revoked_at__isnull=True) & ~models.Q(kind="award"),
                name="one_live_certificate_of_a_kind",
            ),
            models.UniqueConstraint(
                fields=["experiment_school", "award", "project"], condition=models.Q(revoked_at__isnull=True, kind="award"),
                name="one_live_award_per_project",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="award") | models.Q(award__isnull=False, project__isnull=False),
                name="award_certificate_names_award_and_project",
            ),
        ]

    def __str__(self):
        return f"{self.number} · {self.school_name} · {self.title}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


# ---- 优质校评估 (五: 制订项目优质校建设标准 … 组织项目优质校评估; 项目评估：实验校提交项目优质校评估申报材料，
# 项目组组织专家依据建设标准进行评估) (issue 16) ------------------------------------------------------
# The project group publishes a 建设标准 for a batch's 实验校 (criteria like the selection rubric's,
# edited in admin) and opens an evaluation round; an eligible 实验校 writes its 申报材料 against
# every criterion, prints it with its version code and uploads the signed and sealed declaration;
# experts score it against the same criteria (review.assignment and review.scoring do the
# arithmetic); the project group decides 优质校 / 合格 / 不合格 and publishes. Writes go through
# programme.evaluation (and the experts' and decisions' services built on it).


class EvaluationStandard(models.Model):
    """A 项目优质校建设标准 for the 实验校 of one batch: its criteria (EvaluationCriterion) are what the
    school assesses itself against and what the experts score. Edited in admin, like the rubric."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="evaluation_standards", verbose_name="实验校批次")
    name = models.CharField("名称", max_length=100, default="项目优质校建设标准")
    description = models.TextField("说明", blank=True, help_text="实验校申报时在标准上方看到。")
    published_at = models.DateTimeField(
        "发布时间", null=True, blank=True, help_text="北京时间；发布后实验校可以看到，评估轮次只能使用已发布的标准。"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "优质校建设标准"
        verbose_name_plural = "优质校建设标准"
        ordering = ["batch", "name"]
        constraints = [models.UniqueConstraint(fields=["batch", "name"], name="one_standard_name_per_batch")]

    def __str__(self):
        return f"{self.batch.short_name}·{self.name}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class EvaluationCriterion(models.Model):
    """One criterion of a 建设标准: as review.Criterion (maximum points scored in steps of 0.5, a
    weight), so review.scoring computes the totals the same way."""

    standard = models.ForeignKey(EvaluationStandard, on_delete=models.CASCADE, related_name="criteria", verbose_name="建设标准")
    position = models.PositiveSmallIntegerField("顺序", default=0)
    name = models.CharField("评估指标", max_length=100)
    description = models.TextField("指标说明", blank=True, help_text="实验校自评和专家评分的依据。")
    max_points = models.DecimalField("满分", max_digits=5, decimal_places=1)
    weight = models.DecimalField("权重", max_digits=4, decimal_places=2, default=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "评估指标"
        verbose_name_plural = "评估指标"
        ordering = ["standard", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(max_points__gt=0), name="evaluation_criterion_max_points_positive"),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="evaluation_criterion_weight_positive"),
        ]

    def __str__(self):
        return f"{self.name}（{self.max_points} 分）"


class EvaluationRound(models.Model):
    """One 优质校评估 of a batch's 实验校 against a published 建设标准: the window in which the eligible
    实验校 submit (Beijing time; a deadline shown as 23:59 accepts 23:59:59.999, as the application's,
    applications.workflow.deadline_end), who may apply, the experts' scoring deadline and number per
    submission, and when the results were published (the schools see no outcome before)."""

    standard = models.ForeignKey(EvaluationStandard, on_delete=models.PROTECT, related_name="rounds", verbose_name="建设标准")
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="evaluation_rounds", verbose_name="实验校批次")
    name = models.CharField("名称", max_length=100, default="项目优质校评估")
    opens_at = models.DateTimeField("申报开始时间", help_text="北京时间")
    deadline = models.DateTimeField("申报截止时间", help_text="北京时间，精确到分钟：显示为 23:59 时，23:59:59 前提交均有效。")
    # Who may apply: an active 实验校 in this year of its cycle or later (e.g. 3: those in their third
    # year) and, if ticked, one whose three years are over (已结项). Read on the day it acts.
    eligible_from_year = models.PositiveSmallIntegerField(
        "可申报的实验周期年度", default=3, choices=[(1, "第一年起"), (2, "第二年起"), (3, "第三年")],
        help_text="实验中的实验校在实验周期的这一年度及以后可以申报。",
    )  # fmt: skip
    include_completed = models.BooleanField("已结项的实验校可以申报", default=True)
    review_deadline = models.DateTimeField(
        "专家评分截止时间", null=True, blank=True, help_text="北京时间；此后评分锁定，项目组可个别重新开放。"
    )
    experts_per_submission = models.PositiveSmallIntegerField("每份申报评审专家数", default=3)
    published_at = models.DateTimeField("结果公布时间", null=True, blank=True, help_text="公布前实验校看不到评估结果。")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="创建人")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "优质校评估轮次"
        verbose_name_plural = "优质校评估轮次"
        ordering = ["-opens_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "name"], name="one_evaluation_round_name_per_batch"),
            models.CheckConstraint(condition=models.Q(deadline__gt=models.F("opens_at")), name="evaluation_deadline_after_opening"),
            models.CheckConstraint(condition=models.Q(experts_per_submission__gte=1), name="evaluation_needs_an_expert"),
            models.CheckConstraint(
                condition=models.Q(eligible_from_year__gte=1, eligible_from_year__lte=3), name="evaluation_eligible_year_1_to_3"
            ),
        ]

    def __str__(self):
        return f"{self.batch.short_name}·{self.name}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class EvaluationState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"


class EvaluationSubmission(models.Model):
    """A 实验校's 优质校评估申报材料 in one round: a self-assessment against every criterion
    (EvaluationSelfAssessment, with evidence), a summary, and the signed and sealed declaration
    (EvaluationDeclaration) tied to the version code of the printed PDF. One per school per round;
    read-only once submitted."""

    # The fields printed on the PDF besides the self-assessments; the version code is a hash over them.
    CONTENT_FIELDS = ("summary",)

    round = models.ForeignKey(EvaluationRound, on_delete=models.PROTECT, related_name="submissions", verbose_name="评估轮次")
    experiment_school = models.ForeignKey(
        ExperimentSchool, on_delete=models.PROTECT, related_name="evaluation_submissions", verbose_name="实验校"
    )
    state = models.CharField("状态", max_length=12, choices=EvaluationState.choices, default=EvaluationState.DRAFT)
    summary = models.TextField("建设总结", blank=True, help_text="三年来优质校建设的总体情况、主要成效和特色。")
    version_code = models.CharField("版本码", max_length=12, blank=True)
    # The school's name when it submitted (printed on the signed declaration), as the application's.
    submitted_school_name = models.CharField("申报时的学校名称", max_length=100, blank=True)
    # One more on every save of the draft: a save made from an older copy is refused (as the
    # application's drafts, applications.autosave).
    revision = models.PositiveIntegerField("保存次数", default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="创建人")
    updated_at = models.DateTimeField("最后保存", auto_now=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="提交人"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "优质校评估申报材料"
        verbose_name_plural = "优质校评估申报材料"
        ordering = ["round", "experiment_school"]
        constraints = [models.UniqueConstraint(fields=["round", "experiment_school"], name="one_evaluation_submission_per_school")]
        indexes = [models.Index(fields=["round", "state"], name="evaluation_round_state")]

    def __str__(self):
        return f"{self.experiment_school.school.name} · {self.round}"

    @property
    def is_editable(self) -> bool:
        return self.state == EvaluationState.DRAFT

    @property
    def applicant_name(self) -> str:
        """The school's name as the submission shows it: the profile's while a draft, the one it
        was submitted with after."""
        if self.submitted_school_name and not self.is_editable:
            return self.submitted_school_name
        return self.experiment_school.school.name

    def content_fingerprint(self, assessments) -> str:
        """The version code: a short hash of everything printed on the PDF (school, round, summary,
        every criterion's self-assessment and its evidence files), so a scan can be tied to the
        exact content it shows. `assessments` are this submission's rows, evidence prefetched."""
        parts = [self.applicant_name, str(self.round_id)]
        parts += [str(getattr(self, name) or "") for name in self.CONTENT_FIELDS]
        for row in assessments:
            parts += [str(row.criterion_id), row.text]
            parts += [f"{item.sha256}:{item.caption}" for item in row.evidence.all()]
        digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
        return digest[:8].upper()


class EvaluationSelfAssessment(models.Model):
    """The school's self-assessment against one criterion of the 建设标准: what it did and achieved."""

    submission = models.ForeignKey(EvaluationSubmission, on_delete=models.CASCADE, related_name="self_assessments", verbose_name="申报材料")
    criterion = models.ForeignKey(EvaluationCriterion, on_delete=models.PROTECT, related_name="self_assessments", verbose_name="评估指标")
    text = models.TextField("自评说明", blank=True)
    updated_at = models.DateTimeField("最后保存", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "自评"
        verbose_name_plural = "自评"
        ordering = ["criterion__position", "criterion_id"]
        constraints = [models.UniqueConstraint(fields=["submission", "criterion"], name="one_self_assessment_per_criterion")]

    def __str__(self):
        return f"{self.submission_id} · {self.criterion.name}"


def evaluation_file_path(instance, filename):
    # As for the application's scans: a random name with the extension of the detected type.
    suffix = PurePosixPath(filename).suffix.lower()
    return f"evaluations/{instance.submission_id}/{uuid.uuid4().hex}{suffix}"


class EvaluationFile(models.Model):
    """What an evidence file and a declaration scan both keep: the file under a random name, its
    type as detected from its content (applications.uploads.inspect_scan), its name, size and
    fingerprint, who uploaded it and when."""

    file = models.FileField("文件", upload_to=evaluation_file_path)
    file_kind = models.CharField("文件类型", max_length=8)
    original_name = models.CharField("原文件名", max_length=200)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="上传人")

    class Meta:
        abstract = True

    @property
    def content_type(self) -> str:
        return {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}.get(self.file_kind, "application/octet-stream")


class EvaluationEvidence(EvaluationFile):
    """An evidence file (PDF, JPEG or PNG) for one criterion's self-assessment. Private: only the
    submission's readers download it."""

    submission = models.ForeignKey(EvaluationSubmission, on_delete=models.CASCADE, related_name="evidence", verbose_name="申报材料")
    assessment = models.ForeignKey(EvaluationSelfAssessment, on_delete=models.CASCADE, related_name="evidence", verbose_name="自评")
    caption = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name


class EvaluationDeclaration(EvaluationFile):
    """The signed and sealed declaration (the printed submission's 申报声明 page), tied to the version
    code it was printed from, as the application's SignedScan."""

    submission = models.ForeignKey(EvaluationSubmission, on_delete=models.CASCADE, related_name="declarations", verbose_name="申报材料")
    version_code = models.CharField("对应版本码", max_length=12)

    class Meta:
        verbose_name = "盖章申报声明"
        verbose_name_plural = "盖章申报声明"
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return f"{self.original_name}（版本 {self.version_code}）"


class EvaluationLogEntry(models.Model):
    """One step of a submission's history: started, submitted, decided, published."""

    class Action(models.TextChoices):
        CREATED = "created", "开始填写"
        SUBMITTED = "submitted", "提交"
        DECIDED = "decided", "评估结论"
        PUBLISHED = "published", "公布结果"

    submission = models.ForeignKey(EvaluationSubmission, on_delete=models.CASCADE, related_name="log", verbose_name="申报材料")
    at = models.DateTimeField("时间", default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="操作人")
    action = models.CharField("操作", max_length=12, choices=Action.choices)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "优质校评估记录"
        verbose_name_plural = "优质校评估记录"
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.submission_id} {self.get_action_display()}"


# ---- 优质校评估: the experts (shaped as review.models' Assignment, ConflictDeclaration, ExpertReview and
# CriterionScore, so review.assignment.plan_assignments and review.scoring serve both) ----------------
# `expert` is the expert's user account, as in review.Assignment (its ExpertProfile is
# user.expert_profile: province and institution for the conflict rules, capacity, expertise).


class EvaluationConflict(models.Model):
    """An expert declaring a conflict of interest with one submission (then never assigned to it)."""

    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="evaluation_conflicts", verbose_name="专家")
    submission = models.ForeignKey(EvaluationSubmission, on_delete=models.CASCADE, related_name="conflicts", verbose_name="申报材料")
    reason = models.CharField("回避理由", max_length=300)
    declared_at = models.DateTimeField("声明时间", default=timezone.now)

    class Meta:
        verbose_name = "优质校评估回避声明"
        verbose_name_plural = "优质校评估回避声明"
        constraints = [models.UniqueConstraint(fields=["expert", "submission"], name="one_evaluation_conflict_per_pair")]

    def __str__(self):
        return f"{self.expert} 回避 {self.submission}"


class EvaluationAssignment(models.Model):
    """An expert assigned to score a submission. Ended assignments are kept for the record, with
    when and why they ended."""

    class Source(models.TextChoices):
        AUTO = "auto", "自动分配"
        MANUAL = "manual", "人工调整"

    submission = models.ForeignKey(EvaluationSubmission, on_delete=models.CASCADE, related_name="assignments", verbose_name="申报材料")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evaluation_assignments", verbose_name="专家")
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.AUTO)
    reason = models.CharField("调整理由", max_length=300, blank=True)
    assigned_at = models.DateTimeField("分配时间", default=timezone.now)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="分配人")
    is_active = models.BooleanField("有效", default=True)
    ended_at = models.DateTimeField("撤销时间", null=True, blank=True)
    end_reason = models.CharField("撤销理由", max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "优质校评估分配"
        verbose_name_plural = "优质校评估分配"
        ordering = ["submission", "assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "expert"], condition=models.Q(is_active=True), name="one_active_evaluation_assignment_per_pair"
            )
        ]
        indexes = [models.Index(fields=["expert", "is_active"], name="evaluation_expert_active")]

    def __str__(self):
        return f"{self.expert} → {self.submission}"


class EvaluationReview(models.Model):
    """An expert's scores (EvaluationScore, one per criterion) and comment for one assignment;
    `total` is the weighted total (review.scoring.weighted_total) stored on submission."""

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交"

    assignment = models.OneToOneField(EvaluationAssignment, on_delete=models.CASCADE, related_name="review", verbose_name="评估分配")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.DRAFT)
    comment = models.TextField("评估意见", blank=True)
    total = models.DecimalField("加权总分", max_digits=7, decimal_places=2, null=True, blank=True)
    updated_at = models.DateTimeField("最后保存", auto_now=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    reopened_until = models.DateTimeField("重新开放至", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "优质校评估专家评分"
        verbose_name_plural = "优质校评估专家评分"

    def __str__(self):
        return f"{self.assignment}（{self.get_state_display()}）"


class EvaluationScore(models.Model):
    review = models.ForeignKey(EvaluationReview, on_delete=models.CASCADE, related_name="scores", verbose_name="专家评分")
    criterion = models.ForeignKey(EvaluationCriterion, on_delete=models.PROTECT, related_name="+", verbose_name="评估指标")
    points = models.DecimalField("得分", max_digits=5, decimal_places=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "优质校评估单项得分"
        verbose_name_plural = "优质校评估单项得分"
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="one_evaluation_score_per_criterion"),
            models.CheckConstraint(condition=models.Q(points__gte=0), name="evaluation_points_not_negative"),
        ]


class EvaluationOutcome(models.TextChoices):
    EXCELLENT = "excellent", "优质校"
    QUALIFIED = "qualified", "合格"
    UNQUALIFIED = "unqualified", "不合格"


class EvaluationDecision(models.Model):
    """The project group's conclusion on a submission, with its 项目组意见; the school reads it once
    the round's results are published (EvaluationRound.published_at)."""

    submission = models.OneToOneField(EvaluationSubmission, on_delete=models.CASCADE, related_name="decision", verbose_name="申报材料")
    outcome = models.CharField("评估结论", max_length=12, choices=EvaluationOutcome.choices)
    opinion = models.TextField("项目组意见")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="决定人")
    decided_at = models.DateTimeField("决定时间", default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "优质校评估结论"
        verbose_name_plural = "优质校评估结论"
        ordering = ["submission"]

    def __str__(self):
        return f"{self.submission} · {self.get_outcome_display()}"


# ---- 建设动态 and 成果展示 (issue 16: the showcase) ----------------------------------------------------


class PostState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待审核"
    PUBLISHED = "published", "已发布"
    RETURNED = "returned", "已退回"


# The school may change its post in these states (a published post is changed only after staff
# unpublish it, which returns it with the reason).
EDITABLE_POST_STATES = (PostState.DRAFT, PostState.RETURNED)
POST_PHOTOS_MAX = 9


def post_attachment_path(instance, filename):
    # A random name with the extension of the detected type, as for the reports' files.
    suffix = PurePosixPath(filename).suffix.lower()
    return f"showcase/{instance.experiment_school_id}/attachments/{uuid.uuid4().hex}{suffix}"


class ShowcasePost(models.Model):
    """A 实验校's 建设动态 (五: 展示宣传各实验校建设动态和成果): title, text, up to nine photos
    (ShowcasePhoto) and one optional PDF attachment. It is public only once the project group
    approves it (已发布); staff may return it with a reason, unpublish it (returned with a reason)
    and feature it (成果展示) on the home page. Every move goes through programme.showcase."""

    experiment_school = models.ForeignKey(ExperimentSchool, on_delete=models.PROTECT, related_name="posts", verbose_name="实验校")
    title = models.CharField("标题", max_length=100)
    body = models.TextField("正文")
    state = models.CharField("状态", max_length=12, choices=PostState.choices, default=PostState.DRAFT)
    return_reason = models.TextField("退回原因", blank=True, help_text="退回或撤下发布时填写，学校可见。")

    # Optional PDF, checked by content (applications.uploads.inspect_scan).
    attachment = models.FileField("附件", upload_to=post_attachment_path, blank=True)
    attachment_name = models.CharField("附件原文件名", max_length=200, blank=True)
    attachment_size = models.PositiveBigIntegerField("附件大小（字节）", null=True, blank=True)
    attachment_sha256 = models.CharField("附件 SHA-256", max_length=64, blank=True)

    # One more on every save of the draft: a save made from an older copy is refused (as reports).
    revision = models.PositiveIntegerField("版本", default=0)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="创建人")
    updated_at = models.DateTimeField("最后保存", default=timezone.now)
    submitted_at = models.DateTimeField("最近提交时间", null=True, blank=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="审核人")
    published_at = models.DateTimeField("发布时间", null=True, blank=True, help_text="最近一次审核通过的时间；公开列表按此排序。")

    featured = models.BooleanField("成果展示", default=False, help_text="在首页成果展示中推荐（仅已发布的动态显示）。")
    featured_at = models.DateTimeField("推荐时间", null=True, blank=True)

    class Meta:
        verbose_name = "建设动态"
        verbose_name_plural = "建设动态"
        ordering = ["-published_at", "-updated_at", "-pk"]
        indexes = [
            # The public lists: published posts, newest first (all, by school, featured).
            models.Index(fields=["state", "-published_at"], name="post_state_published"),
            models.Index(fields=["experiment_school", "state", "-published_at"], name="post_school_state"),
            models.Index(fields=["featured", "-featured_at"], name="post_featured", condition=models.Q(featured=True)),
            # The staff queue: 待审核, oldest submission first.
            models.Index(fields=["state", "submitted_at"], name="post_state_submitted"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(state="published") | models.Q(published_at__isnull=False), name="published_post_has_date"),
            models.CheckConstraint(condition=models.Q(featured=False) | models.Q(featured_at__isnull=False), name="featured_post_has_date"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_published(self) -> bool:
        return self.state == PostState.PUBLISHED

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_POST_STATES


def new_photo_key() -> str:
    return uuid.uuid4().hex


def post_photo_path(instance, filename):
    # The name is the photo's random key: a new photo is a new name, so a public copy may be cached
    # for long (programme.showcase_views.photo).
    suffix = PurePosixPath(filename).suffix.lower()
    return f"showcase/{instance.post.experiment_school_id}/photos/{instance.key}{suffix}"


def post_thumbnail_path(instance, filename):
    suffix = PurePosixPath(filename).suffix.lower()
    return f"showcase/{instance.post.experiment_school_id}/photos/{instance.key}-thumb{suffix}"


class ShowcasePhoto(models.Model):
    """One photo of a post, re-encoded by programme.images (resized, oriented, no EXIF/GPS/XMP):
    the image (at most ~1600 px) and a thumbnail for lists (~480 px), with the pixel sizes of both
    so pages reserve the space before the image arrives (no layout shift). The uploaded bytes are
    not kept."""

    post = models.ForeignKey(ShowcasePost, on_delete=models.CASCADE, related_name="photos", verbose_name="建设动态")
    # Random, in the URL and the file name: never the id, so photos of unpublished posts cannot be
    # enumerated, and a new photo gets a new URL.
    key = models.CharField("标识", max_length=32, unique=True, default=new_photo_key, editable=False)
    position = models.PositiveSmallIntegerField("顺序", default=0)
    image = models.FileField("图片", upload_to=post_photo_path)
    image_format = models.CharField("图片格式", max_length=8, help_text="jpeg 或 webp")
    width = models.PositiveIntegerField("宽（像素）")
    height = models.PositiveIntegerField("高（像素）")
    size = models.PositiveIntegerField("大小（字节）")
    thumbnail = models.FileField("缩略图", upload_to=post_thumbnail_path)
    thumb_width = models.PositiveIntegerField("缩略图宽（像素）")
    thumb_height = models.PositiveIntegerField("缩略图高（像素）")
    caption = models.CharField("说明", max_length=200, blank=True)
    original_name = models.CharField("原文件名", max_length=200, blank=True)
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="上传人")

    class Meta:
        verbose_name = "建设动态照片"
        verbose_name_plural = "建设动态照片"
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["post", "position"], name="post_photo_order")]

    def __str__(self):
        return self.original_name or self.key

    @property
    def content_type(self) -> str:
        return {"jpeg": "image/jpeg", "webp": "image/webp"}.get(self.image_format, "application/octet-stream")


class ShowcaseLogEntry(models.Model):
    """One step of a post's history: created, submitted, published, returned or unpublished (why),
    featured or not."""

    class Action(models.TextChoices):
        CREATED = "created", "创建"
        SUBMITTED = "submitted", "提交审核"
        PUBLISHED = "published", "审核通过并发布"
        RETURNED = "returned", "退回"
        UNPUBLISHED = "unpublished", "撤下发布"
        FEATURED = "featured", "推荐到成果展示"
        UNFEATURED = "unfeatured", "取消成果展示"

    post = models.ForeignKey(ShowcasePost, on_delete=models.CASCADE, related_name="log", verbose_name="建设动态")
    at = models.DateTimeField("时间", default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="操作人")
    action = models.CharField("操作", max_length=12, choices=Action.choices)
    from_state = models.CharField("原状态", max_length=12, choices=PostState.choices, blank=True)
    to_state = models.CharField("新状态", max_length=12, choices=PostState.choices, blank=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "建设动态记录"
        verbose_name_plural = "建设动态记录"
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.post_id} {self.get_action_display()}"


class FeaturedSchool(models.Model):
    """A 实验校 the project group features (成果展示) on the home page: one row while featured,
    deleted when no longer. A small model rather than a field on ExperimentSchool, so featuring
    leaves the 实验校's own record and history alone. Shown only while the school is 实验中 or
    已结项 (a school that left is not shown as a current one)."""

    experiment_school = models.OneToOneField(ExperimentSchool, on_delete=models.CASCADE, related_name="featured", verbose_name="实验校")
    note = models.CharField("推荐语", max_length=200, blank=True, help_text="首页成果展示中学校名下的一句话，可不填。")
    featured_at = models.DateTimeField("推荐时间", default=timezone.now)
    featured_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="推荐人")

    class Meta:
        verbose_name = "成果展示学校"
        verbose_name_plural = "成果展示学校"
        ordering = ["-featured_at", "-pk"]

    def __str__(self):
        return str(self.experiment_school)
