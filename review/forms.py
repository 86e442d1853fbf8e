from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.http import urlencode

from applications.models import NATIONAL_STATUSES, Application, ProjectCategory, Status
from portal.models import Province, Role, SchoolType
from review.models import ExpertReview, FormalCheck


class OwnIdsForm(forms.Form):
    """A form that shares its page with others: its fields get ids of their own (`field_ids`), so a
    label never points at another form's field of the same name. Field names stay as they are."""

    field_ids = "id_%s"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", self.field_ids)
        super().__init__(*args, **kwargs)


class ReturnForm(OwnIdsForm):
    field_ids = "id_return_%s"
    reason = forms.CharField(label="退回理由（学校可见）", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class RecommendForm(forms.Form):
    opinion = forms.CharField(label="推荐意见", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    rank = forms.IntegerField(label="推荐排名", min_value=1, max_value=9999, help_text="在本省已推荐的学校中的排名，1 为最优先。")


class DeclineForm(OwnIdsForm):
    field_ids = "id_decline_%s"
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


# The longest search a list page takes: longer text is no school name, number or person's name.
SEARCH_MAX_LENGTH = 100


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", choices=PROVINCIAL_STATUSES, required=False, widget=forms.Select(attrs={"class": "form-select"}))
    school_type = forms.ChoiceField(
        label="学校类型", choices=[("", "全部类型"), *SchoolType.choices], required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    q = forms.CharField(
        label="搜索", required=False, max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "学校名称、负责人或申请编号", "class": "form-control", "type": "search"}),
    )  # fmt: skip
    sort = forms.ChoiceField(
        label="排序",
        choices=[("submitted", "提交时间（早→晚）"), ("-submitted", "提交时间（晚→早）"), ("school", "学校名称"), ("rank", "推荐排名"), ("status", "状态")],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


# ---- National review ----------------------------------------------------------------------

class NationalListFilterForm(forms.Form):
    """The national list's ?status and ?q (its template draws the fields itself). A value the
    page cannot have sent (another status, a NUL character, an over-long search) is dropped: that
    filter is off."""

    status = forms.ChoiceField(choices=[(s, s) for s in (*NATIONAL_STATUSES, Status.RETURNED)], required=False)
    q = forms.CharField(required=False, max_length=SEARCH_MAX_LENGTH)

    def filters(self) -> dict[str, str]:
        self.is_valid()
        return {name: self.cleaned_data.get(name, "") for name in self.fields}


class FormalCheckForm(OwnIdsForm):
    field_ids = "id_formal_%s"
    seals_present = forms.BooleanField(label="扫描件有单位公章和上级主管部门公章", required=False)
    seals_legible = forms.BooleanField(label="公章、签字清晰可辨", required=False)
    consistent = forms.BooleanField(label="扫描件与在线填写内容一致", required=False)
    outcome = forms.ChoiceField(label="结论", choices=FormalCheck.Outcome.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label="说明（退回补正、不予受理时必填，学校可见）", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    correction_deadline = forms.DateTimeField(
        label="补正截止时间（北京时间）", required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )  # fmt: skip


class AssignExpertForm(OwnIdsForm):
    field_ids = "id_assign_%s"
    expert = forms.ModelChoiceField(label="专家", queryset=get_user_model().objects.none(), widget=forms.Select(attrs={"class": "form-select"}))
    reason = forms.CharField(label="调整理由", max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expert"].queryset = (
            get_user_model().objects.filter(role=Role.EXPERT, expert_profile__is_active=True).select_related("expert_profile").order_by("last_name")
        )
        self.fields["expert"].label_from_instance = lambda u: f"{u.get_full_name() or u.username}（{u.expert_profile.institution}，{u.expert_profile.province_id}）"


class EndAssignmentForm(forms.Form):
    reason = forms.CharField(label="撤销理由", max_length=300)


class ReopenForm(forms.Form):
    reason = forms.CharField(label="重新开放理由", max_length=300)
    until = forms.DateTimeField(
        label="开放至（北京时间）", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )  # fmt: skip


class DecisionForm(forms.Form):
    selected = forms.TypedChoiceField(
        label="决定", choices=[("1", "入选实验校"), ("0", "不入选")], coerce=lambda v: v == "1", widget=forms.RadioSelect
    )
    opinion = forms.CharField(label="项目组意见", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    signer = forms.CharField(label="负责人签字（姓名）", required=False, max_length=50)


class BulkDecisionForm(forms.Form):
    selected = forms.TypedChoiceField(
        label="决定", choices=[("1", "入选实验校"), ("0", "不入选")], coerce=lambda v: v == "1", widget=forms.RadioSelect
    )
    opinion = forms.CharField(label="项目组意见（用于所选全部申请）", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class RankFilterForm(forms.Form):
    province = forms.ModelChoiceField(label="省份", queryset=Province.objects.all(), required=False, to_field_name="code",
                                      empty_label="全部省份", widget=forms.Select(attrs={"class": "form-select"}))  # fmt: skip
    school_type = forms.ChoiceField(label="学校类型", choices=[("", "全部类型"), *SchoolType.choices], required=False, widget=forms.Select(attrs={"class": "form-select"}))
    category = forms.ModelChoiceField(label="具体实施项目", queryset=ProjectCategory.objects.order_by("position"), required=False,
                                      to_field_name="code", empty_label="全部项目", widget=forms.Select(attrs={"class": "form-select"}))  # fmt: skip
    status = forms.ChoiceField(
        label="状态", required=False, widget=forms.Select(attrs={"class": "form-select"}),
        choices=[("", "全部"), (Status.IN_EXPERT_REVIEW, Status.IN_EXPERT_REVIEW.label), (Status.SCORED, Status.SCORED.label),
                 (Status.SELECTED, Status.SELECTED.label), (Status.NOT_SELECTED, Status.NOT_SELECTED.label)],
    )  # fmt: skip
    provisional = forms.ChoiceField(
        label="暂定行", required=False, widget=forms.Select(attrs={"class": "form-select"}),
        choices=[("", "排在评审完成的之后"), ("mixed", "按平均分一同排名")],
        help_text="评审未全部提交的申请（如 1/3）标为“暂定”。",
    )  # fmt: skip


class ConflictForm(forms.Form):
    reason = forms.CharField(label="回避理由", max_length=300, help_text="例如：曾在该校任职、参与过该方案的指导等。")


def score_form_class(criteria, *, recommendation: bool = True, comment_label: str = "评审意见"):
    """The expert's score form for a batch's rubric (or a 优质校建设标准: programme.evaluation_review,
    without a recommendation): one field per criterion, then comment and recommendation. Fields are
    free text so that a draft keeps whatever was typed; the rules are checked by
    review.expert_scoring.review_save (programme.evaluation_review.evaluation_review_save)."""
    fields = {}
    for criterion in criteria:
        fields[f"score-{criterion.pk}"] = forms.CharField(
            label=f"{criterion.name}（0–{criterion.max_points} 分）", required=False, help_text=criterion.description,
            # data-weight: the page's running total (static/js/score-total.js) weighs as the server does.
            widget=forms.NumberInput(attrs={"step": "0.5", "min": "0", "max": str(criterion.max_points), "inputmode": "decimal",
                                            "data-weight": str(criterion.weight)}),  # fmt: skip
        )  # fmt: skip
    fields["comment"] = forms.CharField(label=comment_label, required=False, widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    if recommendation:
        fields["recommendation"] = forms.ChoiceField(
            label="推荐意见", required=False, choices=[("", "请选择"), *ExpertReview.Recommendation.choices], widget=forms.Select(attrs={"class": "form-select"})
        )
    return type("ScoreForm", (forms.Form,), fields)


class ExportForm(forms.Form):
    SCOPES = [("selected", "入选的申请"), ("province", "某一省份的全部申请"), ("all", "本批次报送项目组的全部申请")]
    scope = forms.ChoiceField(label="范围", choices=SCOPES, widget=forms.RadioSelect, initial="selected")
    province = forms.ModelChoiceField(label="省份（范围为某一省份时）", queryset=Province.objects.all(), required=False, to_field_name="code",
                                      widget=forms.Select(attrs={"class": "form-select"}))  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("scope") == "province" and not cleaned.get("province"):
            self.add_error("province", "请选择省份。")
        return cleaned


DATE_WIDGET = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class CopyForm(forms.Form):
    """八.1: the 推荐汇总表 抄报 the provincial education department (after forwarding)."""

    copied_on = forms.DateField(label="抄报日期", **DATE_WIDGET)
    copied_to = forms.CharField(label="抄报单位", max_length=100, help_text="省级教育行政部门，例如：浙江省教育厅")
    note = forms.CharField(label="说明（选填）", required=False, max_length=300, help_text="例如：随文报送，文号")

    # Which field a refusal of review.provincial.province_record_copy belongs to (by its code).
    FIELD_OF_CODE = {"copy_department_missing": "copied_to", "copy_date_missing": "copied_on", "copy_in_future": "copied_on",
                     "copy_before_forwarding": "copied_on"}  # fmt: skip


class FilingForm(forms.Form):
    """八.2: the 实验校名单 filed with the China Adult Education Association."""

    note = forms.CharField(label="备注（选填）", required=False, max_length=300, help_text="例如：报协会秘书处，经办人")


class PublishForm(forms.Form):
    """八.3: the list is announced at a 项目工作会议; its date starts the 实验周期."""

    meeting = forms.CharField(label="项目工作会议名称", max_length=100, help_text="公布名单的会议，例如：2023年职业院校服务全民终身学习项目工作会议")
    meeting_on = forms.DateField(label="会议日期", **DATE_WIDGET)
    cycle_starts_on = forms.DateField(label="实验周期起始日（选填）", required=False, help_text="留空则为会议日期；实验周期三年（通知五）。", **DATE_WIDGET)

    FIELD_OF_CODE = {"meeting_missing": "meeting", "meeting_date_missing": "meeting_on", "meeting_in_future": "meeting_on",
                     "meeting_before_filing": "meeting_on", "cycle_before_meeting": "cycle_starts_on"}  # fmt: skip


def add_workflow_error(form, error) -> bool:
    """Put a refusal next to the field it is about (by its code, from the form's FIELD_OF_CODE);
    False when it belongs to no field (the page shows it as a message)."""
    field = getattr(form, "FIELD_OF_CODE", {}).get(getattr(error, "code", ""))
    if field is None:
        return False
    form.add_error(field, str(error))
    return True


class PublicListFilterForm(forms.Form):
    """The public list's ?q (part of a school's name), ?province and ?school_type. A value the page
    cannot have sent is dropped: that filter is off, the whole list shows."""

    q = forms.CharField(label="学校名称", max_length=50, required=False, strip=True,
                        widget=forms.TextInput(attrs={"class": "form-control", "type": "search", "placeholder": "输入校名中的字词"}))  # fmt: skip
    province = forms.ModelChoiceField(label="省份", queryset=Province.objects.all(), required=False, to_field_name="code",
                                      empty_label="全部省份", widget=forms.Select(attrs={"class": "form-select"}))  # fmt: skip
    school_type = forms.ChoiceField(label="学校类型", choices=[("", "全部类型"), *SchoolType.choices], required=False,
                                    widget=forms.Select(attrs={"class": "form-select"}))  # fmt: skip

    def __init__(self, data=None, *, batch=None, **kwargs):
        super().__init__(data, **kwargs)
        if batch is not None:
            # Only the provinces the list has: a choice never leads to an empty list.
            codes = Application.objects.filter(batch=batch, status=Status.SELECTED).values("school__province_id")
            self.fields["province"].queryset = Province.objects.filter(code__in=codes)

    def filters(self) -> dict:
        """The valid filters, by name, for review.documents.selected_groups (a wrong one is left out)."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {name: cleaned[name] for name in self.fields if cleaned.get(name)}

    def query(self) -> str:
        """The valid filters as a query string, for the PDF's link ("" when none)."""
        return urlencode({name: value.code if name == "province" else value for name, value in self.filters().items()})

    def label(self) -> str:
        """The filters in words, for the PDF: "筛选：浙江省、高等职业院校、校名含“宁波”" or ""."""
        filters = self.filters()
        words = []
        if "province" in filters:
            words.append(filters["province"].name)
        if "school_type" in filters:
            words.append(SchoolType(filters["school_type"]).label)
        if "q" in filters:
            words.append(f"校名含“{filters['q']}”")
        return "筛选：" + "、".join(words) if words else ""
