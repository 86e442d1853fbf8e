"""The forms of the 年度工作报告's pages: the school's report (with one text per project), its
photos and attachments; the reviewers' comment and decision; the project group's due dates, list
filters and expert assignment."""
from django import forms
from django.contrib.auth import get_user_model

from applications.rules import MaxCharactersValidator
from portal.models import Province, Role
from programme.models import AnnualReport, ReachedGroup, ReportAttachment, ReportState, reached_field
from programme.reports import REASON_MAX_CHARS, TEXT_MAX_CHARS
from programme.report_selectors import NOT_STARTED, NOT_STARTED_LABEL
from review.forms import OwnIdsForm

# A sanity bound, not a rule of the notice: a typing slip (an extra digit or three) is told at once.
REACHED_MAX = 10_000_000
NUMBER_MESSAGES = {
    "invalid": "请填写整数（没有请填 0）。",
    "min_value": "人数不能为负数。",
    "max_value": f"人数不能超过 {REACHED_MAX:,}，请核对。",
}
TEXT_ROWS = {"courses_resources": 5, "training": 5, "problems": 4, "next_plan": 5}
HELP = {
    "courses_resources": "本年度建设的课程、教材、数字化学习资源等（名称、数量、面向人群）。",
    "training": "本年度开展的培训（主题、时间、对象、人次）。",
    "problems": "实施中遇到的困难和问题。",
    "next_plan": "下一年度的目标、主要举措和时间安排。",
}


class ReportForm(forms.ModelForm):
    """The report as the school types it. Every field may be left blank in a draft (the
    completeness check of submission says what is missing); what is typed must be valid: numbers
    non-negative integers, texts within their caps. One text field per work row, "work-<id>"."""

    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = AnnualReport
        fields = [reached_field(v) for v in ReachedGroup.values] + ["reached_other_note", "courses_resources", "training", "problems", "next_plan"]

    def __init__(self, *args, work_rows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.work_rows = list(work_rows)
        if not self.is_bound:
            self.fields["revision"].initial = self.instance.revision
        for value in ReachedGroup.values:
            name = reached_field(value)
            self.fields[name] = forms.IntegerField(
                label=self.fields[name].label, required=False, min_value=0, max_value=REACHED_MAX, error_messages=NUMBER_MESSAGES,
                widget=forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "numeric"}),
            )  # fmt: skip
        self.fields["reached_other_note"].help_text = "填写了“其它”人数时，请说明是哪些人群。"
        for name, rows in TEXT_ROWS.items():
            self.fields[name].widget = forms.Textarea(attrs={"rows": rows, "data-char-max": TEXT_MAX_CHARS})
            self.fields[name].help_text = HELP[name]
            self.fields[name].validators.append(MaxCharactersValidator(TEXT_MAX_CHARS))
        for row in self.work_rows:
            self.fields[f"work-{row.pk}"] = forms.CharField(
                label=f"{row.project_name}：本年度开展的工作与成效", required=False, initial=row.done, strip=False,
                widget=forms.Textarea(attrs={"rows": 6, "data-char-max": TEXT_MAX_CHARS}), validators=[MaxCharactersValidator(TEXT_MAX_CHARS)],
            )  # fmt: skip
        if self.next_plan_label:
            self.fields["next_plan"].label = self.next_plan_label

    @property
    def next_plan_label(self) -> str:
        return "后续工作计划" if self.instance.year == 3 else ""

    def work_fields(self):
        return [self[f"work-{row.pk}"] for row in self.work_rows]

    def number_fields(self):
        return [self[reached_field(v)] for v in ReachedGroup.values]

    def text_fields(self):
        return [self[name] for name in TEXT_ROWS]

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}

    def work(self) -> dict[int, str]:
        return {row.pk: self.cleaned_data[f"work-{row.pk}"] for row in self.work_rows}


class AttachmentForm(OwnIdsForm):
    field_ids = "id_upload_%s"
    kind = forms.ChoiceField(label="类别", choices=ReportAttachment.Kind.choices, initial=ReportAttachment.Kind.PHOTO)
    file = forms.FileField(label="文件", help_text="照片：JPEG 或 PNG，不超过 10 MB；附件：PDF、JPEG 或 PNG，不超过 20 MB。按文件内容判断类型。",
                           error_messages={"required": "请选择要上传的文件。"})  # fmt: skip
    caption = forms.CharField(label="说明", required=False, max_length=200)


class CommentForm(OwnIdsForm):
    field_ids = "id_comment_%s"
    body = forms.CharField(label="业务指导意见（学校可见）", widget=forms.Textarea(attrs={"rows": 4}),
                           validators=[MaxCharactersValidator(REASON_MAX_CHARS)], error_messages={"required": "请填写指导意见。"})  # fmt: skip


class DecisionForm(OwnIdsForm):
    field_ids = "id_decision_%s"
    action = forms.ChoiceField(label="审阅结论", choices=[("accept", "通过"), ("return", "退回修改")], widget=forms.RadioSelect,
                               error_messages={"required": "请选择通过或退回修改。"})  # fmt: skip
    reason = forms.CharField(label="退回原因（退回修改时必填，学校可见）", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             validators=[MaxCharactersValidator(REASON_MAX_CHARS)])  # fmt: skip

    def clean(self):
        data = super().clean()
        if data.get("action") == "return" and not (data.get("reason") or "").strip():
            self.add_error("reason", "退回修改时请填写原因。")
        return data


DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class DeadlinesForm(forms.Form):
    """The due dates of a batch's three years; a year left blank keeps its date (or the default)."""

    def __init__(self, *args, current: dict[int, object], **kwargs):
        super().__init__(*args, **kwargs)
        for year in (1, 2, 3):
            self.fields[f"year_{year}"] = forms.DateTimeField(
                label=f"第{year}年度工作报告截止时间（北京时间）", required=False, initial=current.get(year), widget=DATETIME_WIDGET,
                input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"], error_messages={"invalid": "请填写日期和时间，如 2024-07-15 17:00。"},
            )  # fmt: skip


class StaffFilterForm(forms.Form):
    year = forms.TypedChoiceField(label="年度", required=False, coerce=int, empty_value=None,
                                  choices=[("", "全部年度"), (1, "第一年"), (2, "第二年"), (3, "第三年")])  # fmt: skip
    state = forms.ChoiceField(label="状态", required=False,
                              choices=[("", "全部状态"), (NOT_STARTED, NOT_STARTED_LABEL), *ReportState.choices, ("late", "逾期未交")])  # fmt: skip
    province = forms.ModelChoiceField(label="省份", required=False, queryset=Province.objects.all(), empty_label="全部省份")


class AssignForm(OwnIdsForm):
    """Assign one expert to the reports ticked on the list (or the one report of its page)."""

    field_ids = "id_assign_%s"
    expert = forms.ModelChoiceField(label="指派专家", queryset=get_user_model().objects.none(), error_messages={"required": "请选择专家。"})
    reports = forms.ModelMultipleChoiceField(queryset=AnnualReport.objects.all(), error_messages={"required": "请勾选要指派的报告。"},
                                             widget=forms.MultipleHiddenInput)  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expert"].queryset = get_user_model().objects.filter(role=Role.EXPERT, is_active=True).order_by("last_name", "username")
        self.fields["expert"].label_from_instance = lambda u: u.get_full_name() or u.username
