"""The project group's forms of the 实验周期: the 实验校 list's filters, an activity, whom to invite,
a leave decision, an attendance list to import, the exit queue's decisions.

The rules live in the services (programme.activities, attendance, exits); these forms only read
what was typed, so that a page sent back shows every value as typed with the service's message
next to its field."""
import csv
import io

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import mark_safe

from applications.models import Batch, ProjectCategory
from portal.models import Province, SchoolType
from programme.models import ActivityKind, ExperimentSchool, ExperimentStatus

SELECT = {"class": "form-select"}
DATETIME_INPUT = {
    "widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    "input_formats": ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    "required": False,
    "error_messages": {"invalid": "请按“年-月-日 时:分”填写，例如 2024-05-16 09:00。"},
}


class ExperimentSchoolFilterForm(forms.Form):
    """The 实验校 list's ?batch, ?province, ?school_type, ?category and ?status. A value the page
    cannot have sent is dropped: that filter is off."""

    batch = forms.ModelChoiceField(label="批次", queryset=Batch.objects.filter(published_at__isnull=False).order_by("-year", "-pk"),
                                   required=False, empty_label="全部批次", widget=forms.Select(attrs=SELECT))  # fmt: skip
    province = forms.ModelChoiceField(label="省份", queryset=Province.objects.all(), required=False, to_field_name="code",
                                      empty_label="全部省份", widget=forms.Select(attrs=SELECT))  # fmt: skip
    school_type = forms.ChoiceField(label="学校类型", choices=[("", "全部类型"), *SchoolType.choices], required=False,
                                    widget=forms.Select(attrs=SELECT))  # fmt: skip
    category = forms.ModelChoiceField(label="具体实施项目", queryset=ProjectCategory.objects.order_by("position"), required=False,
                                      to_field_name="code", empty_label="全部项目", widget=forms.Select(attrs=SELECT))  # fmt: skip
    status = forms.ChoiceField(label="状态", choices=[("", "全部状态"), *ExperimentStatus.choices], required=False,
                               widget=forms.Select(attrs=SELECT))  # fmt: skip

    def filters(self) -> dict:
        """The valid filters, by name (a wrong one is left out, never an error page)."""
        self.is_valid()
        return {name: self.cleaned_data[name] for name in self.fields if self.cleaned_data.get(name)}

    def label(self) -> str:
        """The filters in words, for the XLSX's subtitle: "筛选：第一批实验校、浙江省" or "筛选：全部"."""
        words = []
        for name, value in self.filters().items():
            field = self.fields[name]
            words.append(dict(field.choices)[value] if isinstance(field, forms.ChoiceField) and not hasattr(field, "queryset") else str(value))
        return "筛选：" + ("、".join(words) if words else "全部")


class ActivityForm(forms.Form):
    """An activity as staff type it. Only the shape of each value is checked here (a time that is
    a time, an address that is an address); what is missing or out of order is
    programme.activities.activity_problems' business, told next to its field."""

    kind = forms.ChoiceField(label="活动类型", choices=ActivityKind.choices, widget=forms.Select(attrs=SELECT),
                             error_messages={"required": "请选择活动类型。", "invalid_choice": "请选择活动类型。"})  # fmt: skip
    title = forms.CharField(label="活动名称", max_length=200, required=False)
    starts_at = forms.DateTimeField(label="开始时间（北京时间）", **DATETIME_INPUT)
    ends_at = forms.DateTimeField(label="结束时间（北京时间）", **DATETIME_INPUT)
    place = forms.CharField(label="地点", max_length=200, required=False, help_text="线下活动的会场；线上活动可留空。")
    online_url = forms.URLField(label="线上参会地址", max_length=500, required=False, assume_scheme="https",
                                help_text="线上或线上线下结合的活动填写会议链接。", error_messages={"invalid": "请填写完整的网址，例如 https://meeting.example.cn/123。"})  # fmt: skip
    agenda = forms.CharField(label="议程", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    registration_deadline = forms.DateTimeField(label="回执截止时间（北京时间）", help_text="此前学校提交参会回执或请假，不能晚于开始时间。", **DATETIME_INPUT)
    max_attendees_per_school = forms.IntegerField(label="每校参会人数上限", min_value=1, max_value=50, initial=2,
                                                  error_messages={"required": "请填写每校参会人数上限。", "invalid": "请填写整数。",
                                                                  "min_value": "每校参会人数上限至少为 1 人。",
                                                                  "max_value": "每校参会人数上限最多为 50 人。"})  # fmt: skip
    counts_for_attendance = forms.BooleanField(label="计入项目活动参与情况（通知七.7：连续两次不参与项目组活动视为退出）", required=False, initial=True)


def experiment_school_label(school_name: str, province_name: str, batch_name: str) -> str:
    return f"{school_name}（{province_name}，{batch_name}）"


class ExperimentSchoolChoices(ModelChoiceIterator):
    """The choices of 实验校 read as the four columns their labels need: at 1,000 实验校, reading each
    as four models (the batch's wide row among them) took most of the activity page's time."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for pk, school, province, batch in self.queryset.values_list("pk", "school__name", "school__province__name", "batch__short_name"):
            yield (pk, experiment_school_label(school, province, batch))


class ExperimentSchoolsField(forms.ModelMultipleChoiceField):
    iterator = ExperimentSchoolChoices


class ManyOptionsSelectMultiple(forms.SelectMultiple):
    """A SelectMultiple whose options are written in Python, the same HTML as Django's: with 1,000
    实验校 to choose from, Django's template for each option took 100 ms of the activity's page
    (and format_html for each, 30 ms)."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {**self.build_attrs(self.attrs, attrs), "name": name, "multiple": True}
        chosen = {str(v) for v in self.format_value(value)}
        options = "\n".join(f'<option value="{escape(key)}"{" selected" if str(key) in chosen else ""}>{escape(label)}</option>'
                             for key, label in self.choices)  # fmt: skip
        return mark_safe(f"<select{flatatt(attrs)}>\n{options}\n</select>")


class InviteForm(forms.Form):
    """Whom to invite (activities.activity_invite): whole batches, whole provinces and schools chosen
    by hand, together; only 实验校 still 实验中 are invited."""

    batches = forms.ModelMultipleChoiceField(label="按批次", required=False, widget=forms.CheckboxSelectMultiple,
                                             queryset=Batch.objects.filter(published_at__isnull=False).order_by("-year", "-pk"))  # fmt: skip
    provinces = forms.ModelMultipleChoiceField(label="按省份", required=False, queryset=Province.objects.all(), to_field_name="code",
                                               widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 6}))  # fmt: skip
    experiment_schools = ExperimentSchoolsField(
        label="逐校选择", required=False, widget=ManyOptionsSelectMultiple(attrs={"class": "form-select", "size": 8}),
        queryset=ExperimentSchool.objects.filter(status=ExperimentStatus.ACTIVE).select_related("school__province", "batch")
        .order_by("school__province", "school__name"),
        help_text="按住 Ctrl（Mac 为 ⌘）可多选。",
    )  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("batches") or cleaned.get("provinces") or cleaned.get("experiment_schools")) and not self.errors:
            raise ValidationError("请至少选择一个批次、省份或学校。", code="nothing_chosen")
        return cleaned


class LeaveDecisionForm(forms.Form):
    decision = forms.ChoiceField(label="审核", choices=[("accept", "同意请假"), ("refuse", "不同意请假")], widget=forms.RadioSelect,
                                 error_messages={"required": "请选择同意或不同意。", "invalid_choice": "请选择同意或不同意。"})  # fmt: skip
    note = forms.CharField(label="审核意见（学校可见；不同意时必填）", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, invitation=None, **kwargs):
        # Two leave requests on one page: each form's fields get ids of their own.
        if invitation is not None:
            kwargs.setdefault("auto_id", f"id_leave_{invitation.pk}_%s")
        super().__init__(*args, **kwargs)


# An online meeting's export of who took part: the column that holds the school's name.
NAME_HEADERS = ("学校名称", "学校", "单位名称", "单位", "参会单位", "名称")
IMPORT_MAX_BYTES = 2 * 1024 * 1024


def names_from_table(rows: list[list]) -> list[str]:
    """The school names of a table (an XLSX sheet or a CSV): the column headed 学校名称 (or 单位…)
    when the first row has one, else the first column, every row."""
    rows = [[("" if cell is None else str(cell)).strip() for cell in row] for row in rows]
    rows = [row for row in rows if any(row)]
    if not rows:
        return []
    column = next((i for i, cell in enumerate(rows[0]) if cell in NAME_HEADERS), None)
    if column is None:
        return [row[0] for row in rows if row and row[0]]
    return [row[column] for row in rows[1:] if len(row) > column and row[column]]


class AttendanceImportForm(forms.Form):
    """An online activity's list of schools that took part: pasted (one name a line) or uploaded
    (XLSX or CSV, the column 学校名称 or the first)."""

    names = forms.CharField(label="粘贴名单（每行一所学校）", required=False, max_length=100_000, widget=forms.Textarea(attrs={"rows": 8}))
    file = forms.FileField(label="或上传名单（XLSX 或 CSV）", required=False,
                           help_text="取表头为“学校名称”（或“单位名称”）的一列，没有表头时取第一列。")  # fmt: skip

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None:
            return []
        if upload.size > IMPORT_MAX_BYTES:
            raise ValidationError("文件不能超过 2 MB。")
        data = upload.read()
        if data.startswith(b"PK"):
            from openpyxl import load_workbook

            try:
                sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
                return names_from_table([list(row) for row in sheet.iter_rows(values_only=True)])
            except Exception as error:  # a damaged or disguised file: openpyxl raises many kinds
                raise ValidationError("无法读取该 XLSX 文件，请另存为 XLSX 或 CSV 后重试。") from error
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if "\x00" in text:
                break
            return names_from_table(list(csv.reader(io.StringIO(text))))
        raise ValidationError("请上传 XLSX 或 CSV 文件（CSV 请用 UTF-8 或 GBK 编码）。")

    def clean(self):
        cleaned = super().clean()
        pasted = [line.strip() for line in (cleaned.get("names") or "").splitlines() if line.strip()]
        cleaned["school_names"] = pasted + list(cleaned.get("file") or [])
        if not self.errors and not cleaned["school_names"]:
            self.add_error("names", "请粘贴参加活动的学校名单，或上传名单文件。")
        return cleaned


class ExitConfirmForm(forms.Form):
    confirm = forms.BooleanField(label="确认该校视为退出", error_messages={"required": "请勾选“确认该校视为退出”后再提交。"})
    reason = forms.CharField(label="说明（选填，学校可见）", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ExitWaiveForm(forms.Form):
    reason = forms.CharField(label="不作退出处理的理由（学校可见）", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "不作退出处理时，请说明理由。"})  # fmt: skip


class CycleMoveForm(forms.Form):
    """A batch's 实验周期 moved: the new first day and why (the service checks the day against the
    项目工作会议 and logs the change on every 实验校)."""

    starts_on = forms.DateField(label="实验周期起始日", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                input_formats=["%Y-%m-%d"],
                                error_messages={"required": "请填写实验周期起始日。", "invalid": "请按“年-月-日”填写，例如 2023-06-28。"})  # fmt: skip
    reason = forms.CharField(label="调整原因（记入各实验校的变更记录）", max_length=500, widget=forms.TextInput(),
                             error_messages={"required": "请说明调整实验周期的原因。"})  # fmt: skip
