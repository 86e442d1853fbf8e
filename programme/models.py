"""The 实验周期 after selection (notice 五、项目实施, 七.7, 八.3): the 实验校 of a batch with its projects,
team and status, the project group's activities with their invitations, replies and attendance,
the exit rule's staff queue, voluntary withdrawals and the notices a 实验校 reads on its workspace.

Models hold data only: every write that changes a status, an answer or an attendance goes through
the services (programme.experiment_schools, activities, attendance, exits), which log it.
"""
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

    experiment_school = models.ForeignKey(ExperimentSchool, on_delete=models.CASCADE, related_name="notices", verbose_name="实验校")
    kind = models.CharField("类型", max_length=30, choices=Kind.choices)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, null=True, blank=True, related_name="notices", verbose_name="相关活动邀请")
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
