"""The 实验校's forms: its team and projects, its answer to an invitation, checking in, asking to
leave. They only carry what was typed: the rules are the services' (programme.experiment_schools,
activities, attendance, exits), whose messages by field are shown next to the fields
(applications.forms.attach_rule_messages), so a form sent back keeps everything typed."""
from django import forms
from django.conf import settings

from applications.forms import attach_rule_messages
from applications.rules import LEAD_TITLE_RULE
from programme.activities import AttendeeRow
from programme.experiment_schools import MemberRow, project_categories

MOBILE = {"inputmode": "numeric", "autocomplete": "tel"}


def _text(label, max_length, *, widget=None, **extra):
    # Not required here: the service says what is missing, in its own words, next to the field.
    return forms.CharField(label=label, max_length=max_length, required=False, widget=widget, **extra)


class TeamPeopleForm(forms.Form):
    """负责人 and 项目对接人 (as in the application: the 负责人 a vice-principal, or a reason)."""

    lead_name = _text("负责人姓名", 50)
    lead_title = _text("负责人职务", 50)
    lead_mobile = _text("负责人手机", 20, widget=forms.TextInput(attrs=MOBILE))
    lead_title_note = _text("负责人职务说明", 300, widget=forms.Textarea(attrs={"rows": 2}),
                            help_text=f"{LEAD_TITLE_RULE}；负责人为其他职务时，请简要说明原因。")  # fmt: skip
    liaison_name = _text("项目对接人姓名", 50)
    liaison_title = _text("项目对接人职务", 50)
    liaison_mobile = _text("项目对接人手机", 20, widget=forms.TextInput(attrs=MOBILE))

    @classmethod
    def initial_of(cls, experiment_school) -> dict:
        return {name: getattr(experiment_school, name) for name in cls.base_fields}


class MemberForm(forms.Form):
    """A row of the 项目小组 (the fields of the application's team table: applications/templatetags/team_table.py)."""

    name = _text("姓名", 50)
    title = _text("职务/职称", 50)
    department = _text("部门", 100)
    mobile = _text("手机", 20)
    duty = _text("分工", 200)


def team_formset(*, experiment_school=None, data=None, add_rows: int = 0):
    """The team table, prefix "team" like the application's (static/js/team.js adds rows in place):
    the 实验校's members, then empty rows to reach three, plus `add_rows` ("增加一行" without JavaScript)."""
    members = list(experiment_school.team.all()) if experiment_school is not None else []
    formset_class = forms.formset_factory(MemberForm, extra=max(0, 3 - len(members)) + add_rows, can_delete=True,
                                          max_num=30, validate_max=True)  # fmt: skip
    initial = [{name: getattr(member, name) for name in MemberForm.base_fields} for member in members]
    return formset_class(data=data, initial=initial, prefix="team")


def member_rows(formset) -> tuple[list[MemberRow], list]:
    """The rows the school kept (not ticked 删除, not blank), and for each the form it came from, so
    the service's messages by row ("team-<n>-<field>") go back next to the right cells."""
    rows, forms_of_rows = [], []
    for form in formset.forms:
        data = form.cleaned_data if form.is_valid() else {}
        if data.get("DELETE"):
            continue
        row = MemberRow(**{name: data.get(name, "") or "" for name in MemberForm.base_fields}).cleaned()
        if not row.is_blank():
            rows.append(row)
            forms_of_rows.append(form)
    return rows, forms_of_rows


def attach_row_messages(prefix: str, forms_of_rows: list, problems: dict[str, list[str]]) -> None:
    """Put the service's "<prefix>-<n>-<field>" messages on the n-th kept row's field (the
    messages for the whole table, "team" or "attendees", the page shows above it)."""
    for key, texts in problems.items():
        head, _, rest = key.partition("-")
        if head != prefix or not rest:
            continue
        index, _, name = rest.partition("-")
        if index.isdigit() and int(index) < len(forms_of_rows):
            attach_rule_messages(forms_of_rows[int(index)], {name: texts})


class ProjectsForm(forms.Form):
    categories = forms.ModelMultipleChoiceField(
        label="具体实施项目", queryset=project_categories(), required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text="通知五：在三年实验周期内实施 1–2 个具体项目。",
    )
    other_project_name = _text("其它项目名称", 100, help_text="选择“其它”时填写。")

    @classmethod
    def initial_of(cls, experiment_school) -> dict:
        projects = list(experiment_school.projects.all())
        other = next((p.other_name for p in projects if p.other_name), "")
        return {"categories": [p.category_id for p in projects], "other_project_name": other}


class AttendeeForm(forms.Form):
    name = _text("姓名", 50)
    title = _text("职务", 50)
    mobile = _text("手机", 20, widget=forms.TextInput(attrs=MOBILE), help_text="签到时核对。")

    def clean_mobile(self):
        # Typed on a phone as "138 1111 2222" or "138-1111-2222": stored as the 11 digits the
        # check-in page compares with.
        return "".join(ch for ch in self.cleaned_data["mobile"] if ch not in " -\u3000")


def attendee_formset(*, invitation, data=None):
    """As many rows as the activity admits per school (每校参会人数上限), the registered ones first."""
    limit = invitation.activity.max_attendees_per_school
    registered = list(invitation.attendees.all())
    # No validate_max: a row too many is the service's to refuse, in the notice's words.
    formset_class = forms.formset_factory(AttendeeForm, extra=max(0, limit - len(registered)), max_num=limit)
    initial = [{"name": a.name, "title": a.title, "mobile": a.mobile} for a in registered]
    return formset_class(data=data, initial=initial, prefix="attendee")


def attendee_rows(formset) -> tuple[list[AttendeeRow], list]:
    """The rows typed (blank ones left out), with the form of each (see member_rows)."""
    rows, forms_of_rows = [], []
    for form in formset.forms:
        data = form.cleaned_data if form.is_valid() else {}
        row = AttendeeRow(**{name: data.get(name, "") or "" for name in AttendeeForm.base_fields}).cleaned()
        if not row.is_blank():
            rows.append(row)
            forms_of_rows.append(form)
    return rows, forms_of_rows


class LeaveForm(forms.Form):
    leave_reason = _text("请假事由", 1000, widget=forms.Textarea(attrs={"rows": 3}),
                         help_text="项目组审核后通知贵校；同意请假的不计缺席。")  # fmt: skip


class CheckinForm(forms.Form):
    """The code shown at the venue and the mobile number the attendee was registered with."""

    code = forms.CharField(label="签到码", max_length=20, error_messages={"required": "请填写现场公布的签到码。"},
                           widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}))  # fmt: skip
    mobile = forms.CharField(label="报名时填写的手机号", max_length=20, required=False, widget=forms.TextInput(attrs=MOBILE),
                             help_text="学校参会回执中登记的手机号。")  # fmt: skip


class WithdrawalForm(forms.Form):
    reason = _text("退出原因", 2000, widget=forms.Textarea(attrs={"rows": 4}))
    letter = forms.FileField(
        label="退出申请函（签字盖章扫描件，可选）", required=False,
        help_text=f"PDF、JPEG 或 PNG，不超过 {settings.SCAN_MAX_BYTES // (1024 * 1024)} MB。",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )  # fmt: skip
    confirm = forms.BooleanField(
        label="我校确认申请退出“职业院校服务全民终身学习项目”实验校（通知七.7：实验校有退出项目实施的权力）。",
        error_messages={"required": "请勾选确认后再提交退出申请。"},
    )  # fmt: skip
