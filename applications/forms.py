"""The school's forms: the 申请表 itself, its team table and the scan upload.

Field-level checks here are only what storage needs (lengths, a real date); the form's rules live
in `applications.rules` so that a draft can hold anything typed and the rules are checked in one
place. `attach_rule_messages` puts the rules' messages next to their fields.
"""
import functools

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.forms.models import ModelChoiceIterator

from applications.models import TEAM_FIELDS, Application, ProjectCategory, Route, TeamMember
from applications.rules import LEAD_TITLE_RULE, PLAN_FIELDS, TEXT_MAX_CHARS, too_long_message
from portal.validators import DATABASE_ID_RANGE, parsed_id

PLEDGE_TEXT = (
    "我单位自愿参加“职业院校服务全民终身学习”项目，并成为实验校，接受中国成人教育协会和项目组的指导、支持、协助与管理；"
    "我单位具备实验校的条件，并为项目实验提供包括人员、经费、办公条件等支持；我单位愿意完成总项目组交办的各项工作等。"
)


# Django's own Chinese message for a NUL character, "不允许是用空字符串。", reads as "no empty text".
NUL_MESSAGE = "内容中含有空字符（NUL），无法保存，请删除后重新输入。"


def _explain_nul_characters(form) -> None:
    for field in form.fields.values():
        field.error_messages["null_characters_not_allowed"] = NUL_MESSAGE


def _text(rows=4, **attrs):
    return forms.Textarea(attrs={"rows": rows, **attrs})


def _mobile_input():
    return forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel", "maxlength": 20, "placeholder": "11 位手机号码"})


class _CategoriesReadOnce(ModelChoiceIterator):
    """The choices from the categories the field read once (ProjectChoiceField.categories).
    Django's own iterator asks the database on every pass (on PostgreSQL through a server-side
    cursor, three round trips), and the edit page passes twice: the cached field's key, then the
    checkboxes."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for category in self.field.categories():
            yield self.choice(category)

    def __len__(self):
        return len(self.field.categories()) + (self.field.empty_label is not None)


class ProjectChoiceField(forms.ModelMultipleChoiceField):
    """The 具体实施项目 checkboxes, their categories read once per form. A posted value that is a
    whole number outside the database's id range is refused as an invalid choice, next to the
    field, before it reaches a query: SQLite cannot bind it at all (OverflowError, a server
    error), whatever Django's own check would say."""

    iterator = _CategoriesReadOnce
    _categories = None
    # The categories the application has stored (ApplicationForm sets them from its instance).
    stored_choice = None

    def categories(self) -> list:
        if self._categories is None:
            self._categories = list(self.queryset)
        return self._categories

    def _set_queryset(self, queryset):
        self._categories = None  # another queryset (each form's copy of the field gets its own): read again
        super()._set_queryset(queryset)

    queryset = property(forms.ModelMultipleChoiceField._get_queryset, _set_queryset)

    def clean(self, value):
        for pk in value or ():
            try:
                number = int(str(pk))  # what the query would make of it
            except ValueError:
                continue  # not a number at all: Django's own check refuses it
            if number not in DATABASE_ID_RANGE:
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk})
        stored = self.stored_choice
        if stored and isinstance(value, (list, tuple)) and sorted(map(str, value)) == sorted(str(category.pk) for category in stored):
            # The same categories as stored (read with the application, so they exist): no query
            # to find them again; in the order the queryset gives, as Django's check returns them.
            self.run_validators(value)
            return sorted(stored, key=lambda category: category.position)
        return super().clean(value)


class ApplicationForm(forms.ModelForm):
    pledge_accept = forms.BooleanField(
        label="本单位已阅读并同意以上承诺，由负责人签字确认", required=False
    )
    # The revision the page was opened at: a save from an older copy, or one that does not say
    # which copy it was made from, is refused, not overwritten (services.application_save_draft).
    # Read as it comes, not as a number: a missing or mangled value must not make the form invalid
    # with an error on a hidden field nobody can see or mend, but be refused with its own message.
    revision = forms.Field(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Application
        fields = [
            "route",
            "lead_name", "lead_title", "lead_mobile", "lead_title_note",
            "liaison_name", "liaison_title", "liaison_mobile",
            "projects", "other_project_name",
            *PLAN_FIELDS,
            "pledge_signatory",
            # Not supervisor_opinion, supervisor_date: the authority writes and seals those on paper.
            "unit_opinion", "supervisor_name",
        ]  # fmt: skip
        labels = {
            "route": "申报途径",
            "lead_name": "负责人姓名",
            "lead_title": "职务",
            "lead_mobile": "手机",
            "lead_title_note": "负责人职务说明",
            "liaison_name": "项目对接人",
            "liaison_title": "职务",
            "liaison_mobile": "手机",
            "projects": "具体实施项目（选择 1–2 项）",
            "other_project_name": "其它项目名称",
            "plan_name": "名称",
            "plan_content": "内容",
            "plan_steps": "步骤",
            "plan_goals": "目标",
            "plan_features": "特色",
            "pledge_signatory": "负责人签字（请输入负责人姓名）",
            "unit_opinion": "单位意见",
            "supervisor_name": "上级主管部门名称（选填）",
        }
        help_texts = {
            "lead_title": f"{LEAD_TITLE_RULE}。",
            "lead_title_note": "负责人为其他职务时必填，评审人员会看到此说明。",
            "other_project_name": "勾选“其它”时填写。",
            "plan_name": "实验方案的名称。",
            "unit_opinion": "打印后加盖单位公章。",
            "supervisor_name": "上级主管部门意见由该部门在打印的申请表上填写、盖章并签署日期，网上无需填写；填写部门名称后，会印在该栏中。",
        }
        field_classes = {"projects": ProjectChoiceField}
        widgets = {
            "route": forms.RadioSelect,
            "lead_mobile": _mobile_input(),
            "liaison_mobile": _mobile_input(),
            "lead_title_note": _text(2),
            "projects": forms.CheckboxSelectMultiple,
            "plan_name": forms.TextInput(attrs={"data-zi-group": "plan"}),
            "plan_content": _text(12, **{"data-zi-group": "plan"}),
            "plan_steps": _text(8, **{"data-zi-group": "plan"}),
            "plan_goals": _text(6, **{"data-zi-group": "plan"}),
            "plan_features": _text(6, **{"data-zi-group": "plan"}),
            "unit_opinion": _text(3),
        }

    def __init__(self, *args, route_choosable: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        _explain_nul_characters(self)
        self.fields["projects"].queryset = ProjectCategory.objects.order_by("position")
        self.fields["projects"].stored_choice = [p for p in self.initial.get("projects") or [] if isinstance(p, ProjectCategory)]
        self.fields["pledge_accept"].initial = bool(self.instance.pledge_accepted_at)
        self.fields["revision"].initial = self.instance.revision
        self.fields["route"].required = False
        if not route_choosable:
            # The school has one route only (no provincial window, or the batch allows no direct
            # applications): it is shown, not chosen.
            self.fields["route"].disabled = True
        self.fields["route"].choices = Route.choices
        # Typed text over a section's cap, by field: not stored, kept for the page (clean).
        self.too_long: dict[str, str] = {}
        for name, limit in TEXT_MAX_CHARS.items():
            if name in self.fields:
                field = self.fields[name]
                # No maxlength in the page: a browser cuts a pasted text at it without a word (the
                # school would lose the rest unseen), and counts a line break once where Django's
                # own length check counts the two characters the browser sends. The model's
                # validator (applications.rules.MaxCharactersValidator) is the check; the live
                # counter (static/js/wordcount.js) shows the cap.
                field.max_length = None
                field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
                field.widget.attrs.pop("maxlength", None)
                field.widget.attrs["data-char-max"] = limit
                note = f"本栏最多 {limit} 个字符。"
                field.help_text = f"{field.help_text} {note}" if field.help_text else note

    def clean(self):
        """A section over its cap does not stop the save: the rest of the form is stored, and that
        section keeps what was stored before (so no text is cut, and nothing over the cap is
        kept); the typed text is remembered in `too_long` for the page to show back with the
        message, so the school can shorten it."""
        cleaned = super().clean()
        for name in TEXT_MAX_CHARS:
            if name in cleaned and too_long_message(name, cleaned[name]):
                self.too_long[name] = cleaned[name]
                cleaned[name] = self.initial.get(name) or ""
        return cleaned

    def _get_validation_exclusions(self):
        # The section kept at its stored value is not checked again: a row from before the caps
        # may hold an over-long one, and saving the rest must still work (the rules flag it).
        return super()._get_validation_exclusions() | set(self.too_long)

    def too_long_messages(self) -> dict[str, list[str]]:
        """The messages for the sections left unsaved because they were over their caps."""
        return {
            name: [f"{too_long_message(name, text)}本栏这次没有保存（仍为上次保存的内容），您输入的文字仍在框中，请删减后再保存。"]
            for name, text in self.too_long.items()
        }

    def clean_revision(self) -> int | None:
        """The revision the page was opened at; None when the save does not carry one it can be."""
        return parsed_id(self.cleaned_data.get("revision", ""))

    def clean_route(self):
        return self.cleaned_data.get("route") or self.instance.route


class TeamMemberForm(forms.ModelForm):
    class Meta:
        model = TeamMember
        fields = list(TEAM_FIELDS)
        labels = {"name": "姓名", "title": "职务/职称", "department": "部门", "mobile": "手机", "duty": "分工"}
        widgets = {"mobile": _mobile_input()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _explain_nul_characters(self)


class LoadedRowField(forms.ModelChoiceField):
    """The hidden id of a team row, looked up among the rows the formset has read already.

    Django's own field for it asks the database once a row (30 rows: 30 queries on every save);
    these are the application's rows, read once. An id that is none of them (a row deleted
    meanwhile, another application's) is refused as Django refuses an id it cannot find."""

    def __init__(self, formset, **kwargs):
        self.formset = formset
        super().__init__(formset.get_queryset(), **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        row = None
        if (key := parsed_id(value)) is not None:
            row = self.formset._existing_object(key)
        if row is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})
        return row


class TeamFormSet(BaseInlineFormSet):
    def get_queryset(self):
        # The application's rows as its page read them (prefetched, in the same order), rather
        # than a second query for the same rows.
        if not hasattr(self, "_queryset"):
            prefetched = getattr(self.instance, "_prefetched_objects_cache", {}).get("team")
            if prefetched is not None and self.instance.pk is not None and prefetched.ordered:
                self._queryset = prefetched
        return super().get_queryset()

    def add_fields(self, form, index):
        super().add_fields(form, index)
        name = self._pk_field.name
        django_field = form.fields[name]
        form.fields[name] = LoadedRowField(self, initial=django_field.initial, required=False, widget=django_field.widget)


@functools.lru_cache(maxsize=64)
def _team_formset_class(extra: int):
    return inlineformset_factory(
        Application, TeamMember, form=TeamMemberForm, formset=TeamFormSet, extra=extra, can_delete=True, max_num=30, validate_max=True
    )


def team_formset(*, application, data=None, add_rows: int = 0):
    """The team table with enough empty rows to reach three people, plus `add_rows` more
    (the no-JavaScript "增加一行" button reloads the page asking for one more)."""
    existing = len(application.team.all()) if application.pk else 0  # the prefetched rows, when they are
    extra = max(0, 3 - existing) + min(add_rows, 30)
    formset_class = _team_formset_class(extra)
    return formset_class(data=data, instance=application, prefix="team", queryset=application.team.order_by("position", "pk"))


def posted_team_as_stored(application, data) -> list | None:
    """The team table posted in `data` when it is exactly the stored one: the application's rows
    with their ids, in their order, every cell as stored, none marked for deletion, followed only
    by empty rows. Returns [each posted row's stored TeamMember, or None for an empty row]; None
    when anything differs (or cannot be told apart cheaply), and the whole formset must be bound.

    An autosave sends the whole page every few seconds and the team rarely changes: this spares
    it building and validating thirty row forms that would all come out unchanged. Values are
    compared as posted, so anything the form would have to clean (a space, another spelling of
    an id) simply takes the formset's way."""
    stored = list(application.team.all())  # the prefetched rows, in the model's order (position, pk)
    try:
        total = int(data.get("team-TOTAL_FORMS", ""))
        initial = int(data.get("team-INITIAL_FORMS", ""))
    except ValueError:
        return None
    if initial != len(stored) or not len(stored) <= total <= _team_formset_class(0).max_num:
        return None
    rows = []
    for index in range(total):
        prefix = f"team-{index}-"
        row = stored[index] if index < len(stored) else None
        if row is not None and row.position != index:
            return None  # stored out of order: the formset renumbers them
        if data.get(prefix + "DELETE") or data.get(prefix + "id", "") != ("" if row is None else str(row.pk)):
            return None
        if any(data.get(prefix + name, "") != ("" if row is None else getattr(row, name)) for name in TEAM_FIELDS):
            return None
        rows.append(row)
    return rows


def attach_rule_messages(form, messages: dict[str, list[str]]) -> None:
    """Show the rules' messages next to their fields, on a bound or an unbound form."""
    errors = form.errors  # an empty ErrorDict on an unbound form, which we may extend
    for name, texts in messages.items():
        if name in form.fields:
            # field_id gives the message element the id the input's aria-describedby points to
            # (as Form.add_error does), so screen readers read the message with the field.
            new = form.error_class(renderer=form.renderer, field_id=form[name].auto_id)
            errors.setdefault(name, new).extend(texts)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one <input type="file" multiple>, in the order the browser sent them
    (the order chosen, and reordered in the page's preview)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        one = super().clean
        if not isinstance(data, (list, tuple)) or len(data) < 2:
            return [one(data[0] if isinstance(data, (list, tuple)) and data else data, initial)]
        # Several files: every refusal, each naming its file, rather than the first one alone.
        cleaned, errors = [], []
        for item in data:
            try:
                cleaned.append(one(item, initial))
            except ValidationError as error:
                errors.extend(ValidationError(f"“{getattr(item, 'name', '')}”：{message}") for message in error.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned


class ScanUploadForm(forms.Form):
    scan = MultipleFileField(
        label="签字盖章后的申请表扫描件",
        help_text=(
            "PDF、JPEG 或 PNG，可一次选择多页照片或文件（按页码顺序），合计不超过 20 MB，系统合成为一个 PDF。"
            "请上传由本页“下载申请表 PDF”打印、签字盖章后的扫描件。"
        ),
        widget=MultipleFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png", "data-scan-preview": ""}),
    )


class WithdrawForm(forms.Form):
    """Withdrawing (撤回) asks why: the reviewers who hold the application read it."""

    reason = forms.CharField(
        label="撤回原因", max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写撤回原因。"},
        help_text="省级协会或项目组会看到这段说明。截止时间前可以重新填写并再次提交。",
    )  # fmt: skip
