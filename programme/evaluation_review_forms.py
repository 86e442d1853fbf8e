"""Forms of the 优质校评估's expert and conclusion pages (programme.evaluation_review_views)."""
from django import forms

from programme.models import EvaluationOutcome


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label="评估结论", choices=[("", "请选择"), *EvaluationOutcome.choices], widget=forms.Select(attrs={"class": "form-select"}))
    opinion = forms.CharField(label="项目组意见", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="实验校在结果公布后看到。")  # fmt: skip


class ManualAssignmentForm(forms.Form):
    expert = forms.ChoiceField(label="专家", widget=forms.Select(attrs={"class": "form-select"}))
    reason = forms.CharField(label="调整理由", max_length=300)

    def __init__(self, *args, experts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expert"].choices = [("", "请选择"), *((str(p.user_id), str(p)) for p in experts)]


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=300)


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label="我已核对全部评估结论，确认公布", required=True)
