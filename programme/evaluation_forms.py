"""The forms of the 优质校评估's pages: the project group's round (window, who may apply, experts),
the 实验校's 申报材料 (summary and one self-assessment per criterion), its evidence and its signed
declaration. The rules live in programme.evaluation; these forms read what was typed, so a page
sent back keeps every value with the service's message next to its field."""
from django import forms

from applications.rules import MaxCharactersValidator
from programme.evaluation import ASSESSMENT_MAX_CHARS, CAPTION_MAX_CHARS, EVIDENCE_PER_CRITERION_MAX, ROUND_FIELDS, SUMMARY_MAX_CHARS
from programme.models import EvaluationRound, EvaluationStandard
from programme.staff_forms import DATETIME_INPUT
from review.forms import OwnIdsForm

FILE_HELP = "PDF、JPEG 或 PNG，不超过 {mb} MB（按文件内容判断类型，改扩展名无效）。"


class RoundForm(forms.ModelForm):
    """An evaluation round as the project group sets it; the service checks it whole."""

    opens_at = forms.DateTimeField(label="申报开始时间（北京时间）", **{**DATETIME_INPUT, "required": True})
    deadline = forms.DateTimeField(
        label="申报截止时间（北京时间）", help_text="精确到分钟：填 23:59 时，23:59:59 前提交均有效。", **{**DATETIME_INPUT, "required": True}
    )
    review_deadline = forms.DateTimeField(label="专家评分截止时间（北京时间）", help_text="可留空，之后再定。", **DATETIME_INPUT)

    class Meta:
        model = EvaluationRound
        fields = list(ROUND_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        standards = EvaluationStandard.objects.select_related("batch").order_by("-batch__year", "-batch__pk", "name")
        self.fields["standard"].queryset = standards
        self.fields["standard"].label_from_instance = lambda s: f"{s.batch.short_name} · {s.name}" + ("" if s.is_published else "（未发布）")
        self.fields["standard"].help_text = "评估面向该标准所属批次的实验校；建设标准及其评估指标在后台编辑和发布。"
        self.fields["experts_per_submission"].widget.attrs.update(min=1, max=20)
        for name in ("opens_at", "deadline", "review_deadline"):
            self.fields[name].error_messages["required"] = "请填写时间。"
        self.fields["standard"].error_messages.update(required="请选择建设标准。", invalid_choice="请选择建设标准。")
        self.fields["name"].error_messages["required"] = "请填写名称。"

    def _post_clean(self):
        # The model's own checks (the unique name, the constraints) are the service's, which says
        # them in the notice's words next to the field; nothing is written by validation.
        pass

    def values(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in ROUND_FIELDS}


class SubmissionForm(forms.Form):
    """The 申报材料 as the school types it: the summary and one text per criterion, "criterion-<id>".
    Every field may be blank in a draft (submission's check says what is missing); no text may
    exceed its cap."""

    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    summary = forms.CharField(
        label="建设总结", required=False, strip=False, validators=[MaxCharactersValidator(SUMMARY_MAX_CHARS)],
        widget=forms.Textarea(attrs={"rows": 10, "data-char-max": SUMMARY_MAX_CHARS}),
        help_text=f"三年来优质校建设的总体情况、主要成效和特色，最多 {SUMMARY_MAX_CHARS} 个字符。",
    )  # fmt: skip

    def __init__(self, *args, submission, assessments, **kwargs):
        super().__init__(*args, **kwargs)
        self.assessments = list(assessments)
        if not self.is_bound:
            self.fields["revision"].initial = submission.revision
            self.fields["summary"].initial = submission.summary
        for row in self.assessments:
            criterion = row.criterion
            self.fields[f"criterion-{criterion.pk}"] = forms.CharField(
                label=f"{criterion.name}（满分 {criterion.max_points.normalize():f} 分）：自评说明", required=False, initial=row.text, strip=False,
                widget=forms.Textarea(attrs={"rows": 6, "data-char-max": ASSESSMENT_MAX_CHARS}),
                validators=[MaxCharactersValidator(ASSESSMENT_MAX_CHARS)],
                help_text=f"对照指标说明写明做了什么、取得了什么成效，最多 {ASSESSMENT_MAX_CHARS} 个字符。",
            )  # fmt: skip

    def criterion_fields(self):
        """(self-assessment row, its field) in the 建设标准's order."""
        return [(row, self[f"criterion-{row.criterion_id}"]) for row in self.assessments]

    def texts(self) -> dict[int, str]:
        return {row.criterion_id: self.cleaned_data[f"criterion-{row.criterion_id}"] for row in self.assessments}


class EvidenceForm(OwnIdsForm):
    field_ids = "id_evidence_%s"
    criterion = forms.TypedChoiceField(label="对应指标", coerce=int, error_messages={"required": "请选择佐证材料对应的评估指标。",
                                                                                  "invalid_choice": "请选择佐证材料对应的评估指标。"})  # fmt: skip
    file = forms.FileField(label="佐证材料", error_messages={"required": "请选择要上传的文件。"})
    caption = forms.CharField(label="说明", required=False, max_length=CAPTION_MAX_CHARS,
                              help_text=f"例如：2024 年社区老年大学课程表；最多 {CAPTION_MAX_CHARS} 个字符。")  # fmt: skip

    def __init__(self, *args, criteria, max_mb: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].choices = [("", "请选择"), *((c.pk, c.name) for c in criteria)]
        self.fields["file"].help_text = FILE_HELP.format(mb=max_mb) + f"每项指标最多 {EVIDENCE_PER_CRITERION_MAX} 个。"


class DeclarationForm(OwnIdsForm):
    field_ids = "id_declaration_%s"
    file = forms.FileField(label="签字盖章的申报声明扫描件", error_messages={"required": "请选择要上传的扫描件。"})

    def __init__(self, *args, max_mb: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = FILE_HELP.format(mb=max_mb)
