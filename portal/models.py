"""Organisations and people: provinces, provincial associations, schools and users with a role."""
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from portal.validators import name_key, validate_credit_code, validate_mobile, validate_postcode, validate_visible_text


class Province(models.Model):
    """A provincial-level division: the 31 of GB/T 2260 plus 新疆生产建设兵团."""

    code = models.CharField("行政区划代码", max_length=6, primary_key=True)
    name = models.CharField("名称", max_length=20, unique=True)

    class Meta:
        verbose_name = "省级行政区"
        verbose_name_plural = "省级行政区"
        ordering = ["code"]

    def __str__(self):
        return self.name


class Association(models.Model):
    """A provincial association (成人教育协会 or its like) that organises and recommends applications."""

    name = models.CharField("协会名称", max_length=100, unique=True)
    province = models.OneToOneField(Province, on_delete=models.PROTECT, verbose_name="所在省份")
    address = models.CharField("通讯地址", max_length=200, blank=True)
    email = models.EmailField("电子邮箱", blank=True)

    class Meta:
        verbose_name = "省级协会"
        verbose_name_plural = "省级协会"
        ordering = ["province"]

    def __str__(self):
        return self.name


class SchoolType(models.TextChoices):
    HIGHER_VOCATIONAL = "higher", "高等职业院校"
    SECONDARY_VOCATIONAL = "secondary", "中等职业学校"
    VOCATIONAL_CENTER = "center", "职教中心"
    OTHER = "other", "其他相关单位"


# What a school is told when its name, or one that looks the same, is taken.
SCHOOL_NAME_TAKEN = "该学校已注册。如需账号，请联系本校已注册的同事或项目组。"


class SchoolManager(models.Manager):
    def bulk_create(self, objs, *args, **kwargs):
        # bulk_create calls no save(): the name key is set here (seeders, tests).
        objs = list(objs)
        for school in objs:
            school.name_key = name_key(school.name)
        return super().bulk_create(objs, *args, **kwargs)


class School(models.Model):
    """An applicant unit: a 职业院校, a 职教中心 or a related unit."""

    name = models.CharField("学校名称", max_length=100, unique=True, validators=[validate_visible_text])
    # The name as compared (portal.validators.name_key), unique so that a look-alike of a registered
    # name (full-width letters, spaces) cannot hold it twice; set on save. NFKC may lengthen a name
    # (one character can become several), hence the room. Empty (NULL) only for rows loaded raw
    # from a backup older than the key, until the restore fills it in.
    name_key = models.CharField("名称比对键", max_length=400, unique=True, null=True, editable=False)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, verbose_name="所在省份")
    school_type = models.CharField("学校类型", max_length=16, choices=SchoolType.choices)
    address = models.CharField("单位地址", max_length=200)
    postcode = models.CharField("邮政编码", max_length=6, validators=[validate_postcode])
    credit_code = models.CharField(
        "统一社会信用代码", max_length=18, blank=True, validators=[validate_credit_code]
    )
    contact_email = models.EmailField("联系邮箱")
    contact_mobile = models.CharField("联系手机", max_length=11, validators=[validate_mobile])
    created_at = models.DateTimeField("注册时间", auto_now_add=True)

    objects = SchoolManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "申报单位"
        verbose_name_plural = "申报单位"
        ordering = ["province", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"], condition=~models.Q(credit_code=""), name="unique_school_credit_code"
            )
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_key = name_key(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key"}
        super().save(*args, **kwargs)

    def validate_unique(self, exclude=None):
        """An identical name is refused by the field; a name that only looks different (full-width,
        spaces, case) is refused here, for the registration and profile forms and admin alike."""
        super().validate_unique(exclude=exclude)
        if exclude and "name" in exclude:
            return
        if School.objects.filter(name_key=name_key(self.name)).exclude(pk=self.pk).exists():
            raise ValidationError({"name": ValidationError(SCHOOL_NAME_TAKEN, code="unique")})


class Role(models.TextChoices):
    SCHOOL = "school", "申报单位"
    PROVINCE = "province", "省级协会"
    STAFF = "staff", "项目组"
    EXPERT = "expert", "评审专家"
    ADMIN = "admin", "系统管理员"


class User(AbstractUser):
    """A person who logs in. The role says which pages they work in; school and association say
    for whom (a school's staff act for their school, a reviewer for their association)."""

    role = models.CharField("角色", max_length=16, choices=Role.choices, default=Role.SCHOOL)
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name="申报单位"
    )
    association = models.ForeignKey(
        Association, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name="省级协会"
    )
    mobile = models.CharField("手机", max_length=11, blank=True, validators=[validate_mobile])

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta(AbstractUser.Meta):
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="school") | models.Q(school__isnull=False),
                name="school_user_has_school",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="province") | models.Q(association__isnull=False),
                name="province_user_has_association",
            ),
        ]

    def __str__(self):
        full = self.get_full_name()
        return f"{full}（{self.username}）" if full else self.username

    def get_full_name(self):
        # Chinese names are written family name first, without a space.
        return f"{self.last_name}{self.first_name}".strip()

    def get_short_name(self):
        return self.get_full_name() or self.username

    def get_absolute_url(self):
        return reverse("dashboard")

    @property
    def is_school(self):
        return self.role == Role.SCHOOL

    @property
    def is_provincial_reviewer(self):
        return self.role == Role.PROVINCE

    @property
    def is_project_staff(self):
        return self.role in (Role.STAFF, Role.ADMIN)


class OutgoingMail(models.Model):
    """A mail the portal owes someone. Rows are written in the same transaction as the action that
    causes them, so no notification is lost, and delivered by a background job, so a mail server
    that is down never slows or breaks the action; failures are kept and retried."""

    class State(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    to = models.JSONField("收件人", default=list)
    subject = models.CharField("主题", max_length=200)
    body = models.TextField("正文")
    template = models.CharField("模板", max_length=50)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.TextField("最近错误", blank=True)
    next_attempt_at = models.DateTimeField("下次尝试", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "待发邮件"
        verbose_name_plural = "邮件发送记录"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)}"
