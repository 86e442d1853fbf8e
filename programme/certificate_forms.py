"""The project group's forms of the 荣誉证书: one certificate for a 实验校 (实验校证书 or an award
for one of its projects), and revoking one with its reason. The rules live in programme.certificates;
these forms read what was chosen and say next to the field what is missing."""
import re

from django import forms

from applications.models import Batch
from programme.certificates import LEFT, is_number_shaped, live_certificates, normalise_number
from programme.models import Award, CertificateKind, ExperimentSchool

ISSUABLE_KINDS = [(CertificateKind.EXPERIMENT_SCHOOL, "实验校证书"), (CertificateKind.AWARD, "奖项证书（如实验成果奖）")]


def award_level_choices() -> list[tuple[str, str]]:
    """Every level of every award staff may issue, as "<award id>:<level>" → "实验成果奖 一等奖"."""
    return [(f"{award.pk}:{level}", f"{award.name} {level}") for award in Award.objects.filter(is_active=True) for level in award.level_list]


class CertificateIssueForm(forms.Form):
    kind = forms.ChoiceField(label="证书类型", choices=ISSUABLE_KINDS, widget=forms.RadioSelect, initial=CertificateKind.EXPERIMENT_SCHOOL,
                             error_messages={"required": "请选择证书类型。", "invalid_choice": "请选择证书类型。"})  # fmt: skip
    award_level = forms.ChoiceField(label="奖项及等级", required=False, widget=forms.Select(attrs={"class": "form-select"}),
                                    error_messages={"invalid_choice": "请从列表中选择奖项及等级。"})  # fmt: skip
    project = forms.ModelChoiceField(label="获奖项目", queryset=None, required=False, empty_label="（颁发奖项证书时选择）",
                                     widget=forms.Select(attrs={"class": "form-select"}),
                                     error_messages={"invalid_choice": "请从列表中选择该校的具体实施项目。"})  # fmt: skip

    def __init__(self, *args, experiment_school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award_level"].choices = [("", "（颁发奖项证书时选择）"), *award_level_choices()]
        self.fields["project"].queryset = experiment_school.projects.select_related("category")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == CertificateKind.AWARD:
            if not cleaned.get("award_level") and "award_level" not in self.errors:
                self.add_error("award_level", "颁发奖项证书时，请选择奖项及等级。")
            if not cleaned.get("project") and "project" not in self.errors:
                self.add_error("project", "颁发奖项证书时，请选择获奖项目。")
        return cleaned

    def award_and_level(self) -> tuple[Award | None, str]:
        """The award and level chosen (None, "" for a 实验校 certificate)."""
        if self.cleaned_data["kind"] != CertificateKind.AWARD:
            return None, ""
        award_id, _, level = self.cleaned_data["award_level"].partition(":")
        return Award.objects.get(pk=int(award_id)), level


class CertificateRevokeForm(forms.Form):
    reason = forms.CharField(label="撤销原因", max_length=1000, widget=forms.TextInput(),
                             error_messages={"required": "请填写撤销原因。"})  # fmt: skip


def certificates_context(experiment_school, forms: dict) -> dict:
    """What the 实验校's staff page shows of its certificates: each with its revoke form, and the
    issue form (`forms`: {"issue": form} or {"revoke": (certificate id, form)} sent back with errors)."""
    revoke_pk, revoke_form = forms.get("revoke", (None, None))
    rows = list(experiment_school.certificates.select_related("issued_by", "revoked_by"))
    for row in rows:
        row.revoke_form = revoke_form if row.pk == revoke_pk else CertificateRevokeForm(auto_id=f"id_revoke_{row.pk}_%s")
    return {"certificates": rows,
            "certificate_form": forms.get("issue") or CertificateIssueForm(experiment_school=experiment_school, auto_id="id_certificate_%s")}  # fmt: skip


class AwardDecisionForm(forms.Form):
    """An award decision (实验成果奖 一等奖/二等奖 …): the award, its levels from the highest, and the
    winners one a line — 等级, 实验校, 获奖项目 separated by tabs (pasted from a spreadsheet), commas
    or spaces; the project may be left out for a school with one project. Each line's error names
    its line, and the text stays as typed."""

    batch = forms.ModelChoiceField(label="批次", queryset=None, empty_label=None, widget=forms.Select(attrs={"class": "form-select"}),
                                   error_messages={"required": "请选择批次。", "invalid_choice": "请选择已公布名单的批次。"})  # fmt: skip
    award_name = forms.CharField(label="奖项名称", max_length=100, help_text="例如：实验成果奖。已有的奖项沿用其等级。",
                                 error_messages={"required": "请填写奖项名称。"})  # fmt: skip
    levels = forms.CharField(label="等级", max_length=200, help_text="用顿号分隔，从高到低，例如：一等奖、二等奖、三等奖",
                             error_messages={"required": "请填写奖项等级。"})  # fmt: skip
    winners = forms.CharField(
        label="获奖名单", widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}), error_messages={"required": "请填写获奖名单。"},
        help_text="每行一项：等级、实验校名称、获奖项目（可从表格复制粘贴；该校只有一个项目时可不写项目）。例如：一等奖　宁波职业技术学院　社区教育",
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["batch"].queryset = Batch.objects.filter(published_at__isnull=False).order_by("-year")

    def clean(self):
        cleaned = super().clean()
        levels = Award(levels=cleaned.get("levels", "")).level_list
        if "levels" in cleaned and not levels:
            self.add_error("levels", "请填写奖项等级。")
        award = Award.objects.filter(name=cleaned.get("award_name", "").strip()).first()
        if award is not None and levels and award.level_list != levels:
            self.add_error("levels", f"奖项“{award.name}”已设等级：{'、'.join(award.level_list)}；请按此填写，或另起奖项名称。")
        if award is not None and not award.is_active:
            self.add_error("award_name", f"奖项“{award.name}”已停用，不再颁发。")
        if self.errors or "winners" not in cleaned:
            return cleaned
        winners, problems = parse_winners(cleaned["winners"], batch=cleaned["batch"], levels=levels, award=award)
        for problem in problems:
            self.add_error("winners", problem)
        cleaned["award"], cleaned["level_list"], cleaned["winner_rows"] = award, levels, winners
        return cleaned


def _split_winner_line(line: str) -> list[str]:
    if "\t" in line:
        parts = line.split("\t")
    elif re.search("[,，、;；]", line):
        parts = re.split("[,，、;；]", line)
    else:
        parts = line.split(maxsplit=2)
    return [part.strip() for part in parts if part.strip()]


def parse_winners(text: str, *, batch, levels: list[str], award) -> tuple[list[tuple[str, object, object]], list[str]]:
    """The winners typed or pasted, one a line: (level, 实验校, project) for each, and what is
    wrong, line by line (第 3 行：…). A school is one of `batch`'s 实验校 by its name; a project one
    of that school's by its name (its category's, or 类别：名称); `award`, when it exists already,
    must not have a live certificate for that project."""
    schools = {es.school.name: es for es in ExperimentSchool.objects.filter(batch=batch).select_related("school").prefetch_related("projects__category")}
    winners, problems, seen = [], [], set()
    for number, line in enumerate(text.splitlines(), start=1):
        parts = _split_winner_line(line)
        if not parts:
            continue
        where = f"第 {number} 行"
        if len(parts) not in (2, 3):
            problems.append(f"{where}：请按“等级、实验校名称、获奖项目”填写。")
            continue
        level, school_name, project_name = parts[0], parts[1], (parts[2] if len(parts) == 3 else "")
        if level not in levels:
            problems.append(f"{where}：等级“{level}”不在所填等级（{'、'.join(levels)}）中。")
            continue
        experiment_school = schools.get(school_name)
        if experiment_school is None:
            problems.append(f"{where}：“{school_name}”不是{batch.short_name}的实验校（请填写学校全称）。")
            continue
        if experiment_school.status in LEFT:
            problems.append(f"{where}：{school_name}已退出项目（{experiment_school.get_status_display()}），不能颁发证书。")
            continue
        projects = list(experiment_school.projects.all())
        if project_name:
            project = next((p for p in projects if project_name in (str(p), p.category.name, p.other_name)), None)
        else:
            project = projects[0] if len(projects) == 1 else None
        if project is None:
            offered = "、".join(str(p) for p in projects) or "无"
            problems.append(f"{where}：请填写{school_name}的获奖项目（该校的具体实施项目：{offered}）。" if not project_name
                            else f"{where}：{school_name}没有“{project_name}”项目（该校的具体实施项目：{offered}）。")  # fmt: skip
            continue
        if project.pk in seen:
            problems.append(f"{where}：{school_name}的“{project}”项目在名单中重复。")
            continue
        seen.add(project.pk)
        held = award and live_certificates(experiment_school, CertificateKind.AWARD, award, project).first()
        if held:
            problems.append(f"{where}：{school_name}的“{project}”项目已获“{held.title}”（证书编号 {held.number}）；如需改颁，请先撤销原证书。")
            continue
        winners.append((level, experiment_school, project))
    if not winners and not problems:
        problems.append("请填写获奖名单。")
    return winners, problems


class VerifyLookupForm(forms.Form):
    """The number a visitor types on /verify/ (any case, with or without spaces and dashes)."""

    number = forms.CharField(label="证书编号", max_length=80, widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                                                                         "spellcheck": "false", "placeholder": "CAEA-2025-XXXX-XXXX-XXXX-XXXX"}),
                             help_text="证书左下方二维码旁印有证书编号，例如 CAEA-2025-ABCD-EFGH-JKLM-NPQR；大小写、空格和连字符均可。",
                             error_messages={"required": "请输入证书编号。"})  # fmt: skip

    def clean_number(self):
        number = normalise_number(self.cleaned_data["number"])
        if not is_number_shaped(number):
            raise forms.ValidationError("证书编号由 CAEA、年份和 16 位字母数字组成，例如 CAEA-2025-ABCD-EFGH-JKLM-NPQR，请核对后重新输入。")
        return number
