"""Batches, provincial windows and the 实验校资格申请表 with its parts.

Models hold data only; every write that changes an application's state goes through
`applications.workflow` and every content save through `applications.services`.
"""
import hashlib
import re
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from applications.rules import OPINION_MAX_CHARS, PLAN_SECTION_MAX_CHARS, MaxCharactersValidator
from portal.models import Association, School


CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def sequence_in_name(short_name: str) -> int | None:
    """The N of “第N批” in a batch's short name (第二批实验校 → 2, 第12批 → 12, 第二十一批 → 21), if any."""
    match = re.search(r"第\s*([0-9]+|[一二三四五六七八九十]+)\s*批", short_name or "")
    if not match:
        return None
    text = match.group(1)
    if text.isdigit():
        return int(text) or None
    if "十" not in text:
        return CHINESE_DIGITS[text] if len(text) == 1 else None
    tens, _, units = text.partition("十")
    if len(tens) > 1 or len(units) > 1:
        return None
    return CHINESE_DIGITS.get(tens, 1 if not tens else 0) * 10 + CHINESE_DIGITS.get(units, 0)


class Batch(models.Model):
    """One call for 实验校 (e.g. the second batch, 中成协〔2023〕010号) with its national deadline."""

    title = models.CharField("通知标题", max_length=200)
    short_name = models.CharField("简称", max_length=50, help_text="例如：第二批实验校")
    # The batch's own number, printed in every application number (2023-2-… for 第二批): never the
    # database id, which follows the order batches happened to be entered in.
    sequence = models.PositiveIntegerField(
        "批次序号", unique=True, blank=True, validators=[MinValueValidator(1)],
        help_text="第几批，申请编号的第二段（第二批 → 2023-2-…）。创建时确定，之后不能修改；留空则取简称中的“第N批”。",
    )  # fmt: skip
    document_number = models.CharField("文号", max_length=50, unique=True)
    year = models.PositiveSmallIntegerField("年度")
    issued_on = models.DateField("发文日期")
    national_deadline = models.DateTimeField("全国申报截止时间", help_text="北京时间；直接向项目组申报的学校以此为准。")
    allow_direct = models.BooleanField(
        "允许学校直接向项目组申报", default=True, help_text="所在省份设有省级推荐渠道的学校也可选择直接申报。"
    )
    is_open = models.BooleanField("开放申报", default=True)
    review_deadline = models.DateTimeField(
        "专家评分截止时间", null=True, blank=True, help_text="北京时间；此后评分锁定，项目组可个别重新开放。"
    )
    experts_per_application = models.PositiveSmallIntegerField("每份申请评审专家数", default=3)
    published_at = models.DateTimeField("名单公布时间", null=True, blank=True, help_text="公布前学校看不到评审结果。")
    # Notice 八.3: 2023年6月召开项目工作会议，公布实验校名单. Set by publication (review.decisions.publish).
    publication_meeting = models.CharField("公布名单的项目工作会议", max_length=100, blank=True)
    publication_meeting_on = models.DateField("项目工作会议日期", null=True, blank=True)
    cycle_starts_on = models.DateField(
        "实验周期起始日", null=True, blank=True, help_text="公布名单时确定，默认为项目工作会议日期；实验周期三年（通知五）。"
    )
    contact_name = models.CharField("联系人", max_length=50)
    contact_phones = models.CharField("联系电话", max_length=100)
    contact_email = models.EmailField("电子邮箱")
    summary = models.TextField("通知摘要", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "申报批次"
        verbose_name_plural = "申报批次"
        ordering = ["-year", "-national_deadline"]
        constraints = [models.CheckConstraint(condition=models.Q(sequence__gte=1), name="batch_sequence_from_one")]

    def __str__(self):
        return f"{self.short_name}（{self.document_number}）"

    def save(self, *args, **kwargs):
        if self.sequence is None:
            self.sequence = self.default_sequence()
        super().save(*args, **kwargs)

    def default_sequence(self) -> int:
        """The N of “第N批” in the short name, else (no N, or its N already taken) the next free one."""
        taken = set(Batch.objects.exclude(pk=self.pk).values_list("sequence", flat=True))
        named = sequence_in_name(self.short_name)
        if named is not None and named not in taken:
            return named
        return max(taken, default=0) + 1


# Where selectors.window_for remembers a batch object's windows (by province) for its lifetime.
WINDOW_MEMO = "_provincial_windows"


class ProvincialWindow(models.Model):
    """A provincial association's channel for a batch: schools of that province submit to it by its
    own (earlier) deadline, and it forwards its recommendations to the national project group."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="windows", verbose_name="申报批次")
    association = models.ForeignKey(Association, on_delete=models.PROTECT, verbose_name="省级协会")
    forwarding_number = models.CharField("转发文号", max_length=50, blank=True)
    school_deadline = models.DateTimeField("学校提交截止时间", help_text="北京时间")
    contact_name = models.CharField("联系人", max_length=50)
    contact_phone = models.CharField("联系电话", max_length=50)
    contact_email = models.EmailField("电子邮箱", blank=True)
    paper_required = models.BooleanField(
        "要求寄送纸质版", default=False, help_text="学校提交后须将签字盖章的纸质申请表寄至下面的地址（如浙江：纸质版寄至杭州市教工路 42 号 A803）。"
    )
    paper_address = models.CharField("纸质版寄送地址", max_length=200, blank=True, help_text="例如：杭州市教工路 42 号 A803（请寄顺丰）")
    quota = models.PositiveIntegerField("推荐名额", null=True, blank=True, help_text="留空表示不限")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "省级推荐渠道"
        verbose_name_plural = "省级推荐渠道"
        ordering = ["batch", "association__province"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "association"], name="one_window_per_association_and_batch")
        ]

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self._forget_memo()

    def delete(self, *args, **kwargs):
        self._forget_memo()
        return super().delete(*args, **kwargs)

    def _forget_memo(self):
        # The batch object this window hangs on may have remembered the province's window.
        if (batch := self._state.fields_cache.get("batch")) is not None:
            batch.__dict__.pop(WINDOW_MEMO, None)

    def __str__(self):
        return f"{self.association}·{self.batch.short_name}"

    def clean(self):
        if self.paper_required and not self.paper_address.strip():
            raise ValidationError({"paper_address": "要求寄送纸质版时，请填写纸质版寄送地址，学校提交后会看到它。"})


class ProjectCategory(models.Model):
    """One of the notice's 具体实施项目 (seeded by a migration; 其它 needs its own name)."""

    code = models.SlugField("代码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=50, unique=True)
    position = models.PositiveSmallIntegerField("顺序", default=0)
    is_other = models.BooleanField("需填写名称", default=False)

    class Meta:
        verbose_name = "具体实施项目"
        verbose_name_plural = "具体实施项目"
        ordering = ["position"]

    def __str__(self):
        return self.name


class Status(models.TextChoices):
    DRAFT = "draft", "草稿"
    RETURNED = "returned", "退回修改"
    SUBMITTED = "submitted", "已提交，待省级推荐"
    RECOMMENDED = "recommended", "已获省级推荐"
    NOT_RECOMMENDED = "not_recommended", "未获省级推荐"
    AT_NATIONAL = "at_national", "已报送项目组"
    IN_EXPERT_REVIEW = "in_expert_review", "专家评审中"
    SCORED = "scored", "评审完成"
    SELECTED = "selected", "入选实验校"
    NOT_SELECTED = "not_selected", "未入选"
    REJECTED = "rejected", "不予受理"
    WITHDRAWN = "withdrawn", "已撤回"


# The status groups, defined here once (the moves between statuses are applications.workflow.JOURNEY).
# The school may change the content.
EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)
# Where the national project group holds the application.
NATIONAL_STATUSES = (
    Status.AT_NATIONAL, Status.IN_EXPERT_REVIEW, Status.SCORED, Status.SELECTED, Status.NOT_SELECTED, Status.REJECTED,
)  # fmt: skip
# In the experts' hands: assignments may change, scores may be given.
IN_REVIEW_STATUSES = (Status.IN_EXPERT_REVIEW, Status.SCORED)
# The project group's decision, hidden from the school until the list is published.
OUTCOME_STATUSES = (Status.SELECTED, Status.NOT_SELECTED)
# On the ranked table: reviewed or being reviewed.
RANKED_STATUSES = IN_REVIEW_STATUSES + OUTCOME_STATUSES
# At the project group and not yet decided: publication waits for these.
UNDECIDED_NATIONAL_STATUSES = (Status.AT_NATIONAL,) + IN_REVIEW_STATUSES


class Route(models.TextChoices):
    PROVINCIAL = "provincial", "经省级协会推荐"
    DIRECT = "direct", "直接向项目组申报"


# The caps of the long sections (applications.rules says why these numbers). max_length on a
# TextField is for the forms (the database does not hold it); the validator is the check, the same
# in every form and in full_clean, counting a line break once. Rows stored before the caps keep
# their text: they are shown and printed whole, and the rules refuse to submit them until cut.
_plan_section = {"max_length": PLAN_SECTION_MAX_CHARS, "validators": [MaxCharactersValidator(PLAN_SECTION_MAX_CHARS)]}
_opinion = {"max_length": OPINION_MAX_CHARS, "validators": [MaxCharactersValidator(OPINION_MAX_CHARS)]}


class Application(models.Model):
    """A school's 实验校资格申请表 for one batch."""

    # The fields that make up the printed form's content; the version code is a hash over them.
    # supervisor_opinion and supervisor_date are not printed (the authority writes its opinion and
    # date by hand), so they are not part of it.
    CONTENT_FIELDS = (
        "lead_name", "lead_title", "lead_mobile", "lead_title_note",
        "liaison_name", "liaison_title", "liaison_mobile",
        "other_project_name",
        "plan_name", "plan_content", "plan_steps", "plan_goals", "plan_features",
        "pledge_signatory",
        "unit_opinion", "supervisor_name",
    )  # fmt: skip

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="applications", verbose_name="申报批次")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="applications", verbose_name="申报单位")
    number = models.CharField("申请编号", max_length=30, unique=True, null=True, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    route = models.CharField("申报途径", max_length=12, choices=Route.choices, default=Route.PROVINCIAL)
    version_code = models.CharField("版本码", max_length=12, blank=True)
    revision = models.PositiveIntegerField("保存次数", default=0)
    # The school's name and address as it submitted (applications.services.freeze_school_details,
    # at every submission): the signed scan shows them, so once submitted every page, PDF and export
    # shows these (applicant_name, applicant_address), not the profile, which the school may change
    # later; only the project group corrects them (services.application_correct_school_details).
    submitted_school_name = models.CharField("申报时的学校名称", max_length=100, blank=True)
    submitted_school_address = models.CharField("申报时的单位地址", max_length=200, blank=True)

    lead_name = models.CharField("负责人姓名", max_length=50, blank=True)
    lead_title = models.CharField("负责人职务", max_length=50, blank=True)
    lead_mobile = models.CharField("负责人手机", max_length=20, blank=True)
    lead_title_note = models.CharField(
        "负责人职务说明", max_length=300, blank=True, help_text="负责人不是副校长（副院长、副主任）时，请说明原因。"
    )
    liaison_name = models.CharField("项目对接人姓名", max_length=50, blank=True)
    liaison_title = models.CharField("项目对接人职务", max_length=50, blank=True)
    liaison_mobile = models.CharField("项目对接人手机", max_length=20, blank=True)

    projects = models.ManyToManyField(ProjectCategory, blank=True, verbose_name="具体实施项目")
    other_project_name = models.CharField("其它项目名称", max_length=100, blank=True)

    plan_name = models.CharField("实验方案名称", max_length=200, blank=True)
    plan_content = models.TextField("实验方案内容", blank=True, **_plan_section)
    plan_steps = models.TextField("实施步骤", blank=True, **_plan_section)
    plan_goals = models.TextField("实验目标", blank=True, **_plan_section)
    plan_features = models.TextField("项目特色", blank=True, **_plan_section)

    pledge_signatory = models.CharField("承诺书负责人签字（输入姓名）", max_length=50, blank=True)
    pledge_accepted_at = models.DateTimeField("承诺时间", null=True, blank=True)

    unit_opinion = models.TextField("单位意见", blank=True, **_opinion)
    supervisor_name = models.CharField("上级主管部门名称", max_length=100, blank=True)
    # Kept for what drafts stored before the form stopped asking for them; never printed or
    # required: the authority writes its opinion and date by hand on the printed form.
    supervisor_opinion = models.TextField("上级主管部门意见", blank=True, **_opinion)
    supervisor_date = models.DateField("上级主管部门意见日期", null=True, blank=True)

    group_opinion = models.TextField("项目组意见", blank=True, **_opinion)
    group_opinion_signer = models.CharField("项目组负责人", max_length=50, blank=True)
    group_opinion_date = models.DateField("项目组意见日期", null=True, blank=True)

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("最后保存", auto_now=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    correction_deadline = models.DateTimeField(
        "补正截止时间", null=True, blank=True, help_text="项目组退回补正时设定；补正后直接提交项目组。"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "实验校资格申请表"
        verbose_name_plural = "实验校资格申请表"
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "school"], name="one_application_per_school_and_batch")
        ]
        indexes = [
            # The national lists filter a batch by status and need only these columns: with them in
            # the index (PostgreSQL) the wide rows, plans and all, are not read.
            models.Index(fields=["batch", "status"], include=["id", "school", "number"], name="application_batch_status"),
            # The admin change list's order (Meta.ordering, then the key).
            models.Index(fields=["-updated_at", "-id"], name="application_recent_first"),
        ]

    def __str__(self):
        return f"{self.number or '（未编号）'} {self.applicant_name}"

    def get_absolute_url(self):
        return reverse("applications:detail", args=[self.pk])

    @property
    def is_editable(self):
        return self.status in EDITABLE_STATUSES

    @property
    def applicant_name(self) -> str:
        """The school's name as this application shows it: the profile's while the school may
        edit the application (a draft, or returned to it), the one it was submitted with after."""
        return self.submitted_school_name if self.submitted_school_name and not self.is_editable else self.school.name

    @property
    def applicant_address(self) -> str:
        """The 单位地址 as this application shows it (as applicant_name)."""
        return self.submitted_school_address if self.submitted_school_name and not self.is_editable else self.school.address

    @property
    def declined_by_province(self):
        return self.status == Status.NOT_RECOMMENDED

    @property
    def is_withdrawn(self):
        return self.status == Status.WITHDRAWN

    @property
    def in_review(self):
        """In the experts' hands: assignments may change, scores may be given."""
        return self.status in IN_REVIEW_STATUSES

    def content_fingerprint(self, team_rows, project_codes) -> str:
        """The version code: a short hash of everything printed on the form, so a scan can be tied
        to the exact content it shows. `team_rows` and `project_codes` are passed in because they
        live in other tables."""
        parts = [self.applicant_name, self.applicant_address]
        parts += [str(getattr(self, name) or "") for name in self.CONTENT_FIELDS]
        parts += sorted(project_codes)
        for row in team_rows:
            parts += [row.name, row.title, row.department, row.mobile, row.duty]
        digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
        return digest[:8].upper()


# What a school types in a row of the team table (the form's cells, in their order).
TEAM_FIELDS = ("name", "title", "department", "mobile", "duty")


class TeamMember(models.Model):
    """A row of the 项目小组成员 table; the first row is the 负责人."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="team", verbose_name="申请表")
    position = models.PositiveSmallIntegerField("序号", default=0)
    name = models.CharField("姓名", max_length=50, blank=True)
    title = models.CharField("职务/职称", max_length=50, blank=True)
    department = models.CharField("部门", max_length=100, blank=True)
    mobile = models.CharField("手机", max_length=20, blank=True)
    duty = models.CharField("分工", max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "项目小组成员"
        verbose_name_plural = "项目小组成员"
        ordering = ["position", "pk"]

    def __str__(self):
        return self.name

    def is_blank(self):
        return not any([self.name, self.title, self.department, self.mobile, self.duty])


def scan_upload_path(instance, filename):
    # The stored name never comes from the uploader: a random name with the extension of the
    # type we detected from the content.
    suffix = PurePosixPath(filename).suffix.lower()
    return f"scans/{instance.application_id}/{uuid.uuid4().hex}{suffix}"


class SignedScan(models.Model):
    """The signed and sealed scan of the printed form, tied to the version code it was printed from."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        JPEG = "jpeg", "JPEG 图片"
        PNG = "png", "PNG 图片"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="scans", verbose_name="申请表")
    file = models.FileField("文件", upload_to=scan_upload_path)
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    original_name = models.CharField("原文件名", max_length=200)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    version_code = models.CharField("对应版本码", max_length=12)
    # Pages of the stored file, and of the generated PDF of the same version when it was uploaded:
    # when they differ a page is missing or extra, and the school and the reviewers are told.
    page_count = models.PositiveSmallIntegerField("页数", null=True)
    form_page_count = models.PositiveSmallIntegerField("申请表 PDF 页数", null=True)
    # The files the school chose, in its order, when several were assembled into this one PDF:
    # [{"name", "kind", "size", "sha256", "pages"}], so each can be checked against the school's own.
    parts = models.JSONField("组成文件", default=list, blank=True)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, verbose_name="上传人"
    )

    class Meta:
        verbose_name = "盖章扫描件"
        verbose_name_plural = "盖章扫描件"
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return f"{self.original_name}（版本 {self.version_code}）"

    @property
    def content_type(self):
        return {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}[self.kind]

    @property
    def page_numbers(self):
        """1 … the scan's pages, for the viewer."""
        return range(1, (self.page_count or 1) + 1)

    @property
    def page_count_differs(self) -> bool:
        return bool(self.page_count and self.form_page_count and self.page_count != self.form_page_count)


class TimelineEntry(models.Model):
    """One step of an application's journey: who did what, when, from which status to which."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="timeline", verbose_name="申请表"
    )
    at = models.DateTimeField("时间", auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, verbose_name="操作人")
    action = models.CharField("操作", max_length=30)
    from_status = models.CharField("原状态", max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField("新状态", max_length=20, choices=Status.choices, blank=True)
    comment = models.TextField("说明", blank=True)
    internal_comment = models.TextField("内部意见", blank=True, help_text="仅评审人员可见，学校看不到。")
    visible_to_school = models.BooleanField("学校可见", default=True)

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.application_id} {self.action} {self.at:%Y-%m-%d %H:%M}"
