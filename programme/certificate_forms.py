"""The project group's forms of the 荣誉证书: one certificate for a 实验校 (实验校证书 or an award
for one of its projects), and revoking one with its reason. The rules live in programme.certificates;
these forms read what was chosen and say next to the field what is missing."""
from django import forms

from programme.models import Award, CertificateKind

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
