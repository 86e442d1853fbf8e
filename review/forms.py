from django import forms
from django.utils import timezone

from applications.models import Status
from portal.models import SchoolType


class ReturnForm(forms.Form):
    reason = forms.CharField(label="退回理由（学校可见）", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class RecommendForm(forms.Form):
    opinion = forms.CharField(label="推荐意见", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    rank = forms.IntegerField(label="推荐排名", min_value=1, max_value=9999, help_text="在本省已推荐的学校中的排名，1 为最优先。")


class DeclineForm(forms.Form):
    reason = forms.CharField(label="不予推荐理由（学校可见）", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class RankForm(forms.Form):
    rank = forms.IntegerField(label="调整推荐排名", min_value=1, max_value=9999, help_text="若该排名已被占用，两者互换。")


class PaperForm(forms.Form):
    received_on = forms.DateField(label="纸质版收到日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()


PROVINCIAL_STATUSES = [
    ("", "全部状态"),
    (Status.SUBMITTED, "待决定"),
    (Status.RETURNED, Status.RETURNED.label),
    (Status.RECOMMENDED, Status.RECOMMENDED.label),
    (Status.NOT_RECOMMENDED, Status.NOT_RECOMMENDED.label),
    (Status.AT_NATIONAL, Status.AT_NATIONAL.label),
]


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", choices=PROVINCIAL_STATUSES, required=False, widget=forms.Select(attrs={"class": "form-select"}))
    school_type = forms.ChoiceField(
        label="学校类型", choices=[("", "全部类型"), *SchoolType.choices], required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    q = forms.CharField(
        label="搜索", required=False, max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "学校名称、负责人或申请编号", "class": "form-control", "type": "search"}),
    )  # fmt: skip
    sort = forms.ChoiceField(
        label="排序",
        choices=[("submitted", "提交时间（早→晚）"), ("-submitted", "提交时间（晚→早）"), ("school", "学校名称"), ("rank", "推荐排名"), ("status", "状态")],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
