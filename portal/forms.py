"""Account and school-profile forms."""
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm

from portal.emails import queue_mail
from portal.models import SCHOOL_NAME_TAKEN, School
from portal.services import registration_expired
from portal.throttling import WAIT_ATTRIBUTE
from portal.validators import normalize_credit_code

User = get_user_model()


class SchoolProfileForm(forms.ModelForm):
    class Meta:
        model = School
        fields = ["name", "province", "school_type", "address", "postcode", "credit_code", "contact_email", "contact_mobile"]
        help_texts = {
            "name": "与公章一致的全称。",
            "credit_code": "选填；18 位，系统会核对校验位。",
            "contact_mobile": "11 位手机号码。",
        }
        widgets = {
            "postcode": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 6}),
            "contact_mobile": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 11, "autocomplete": "tel"}),
        }
        error_messages = {"name": {"unique": SCHOOL_NAME_TAKEN}}

    def clean_name(self):
        # One space where several (or an ideographic one) were typed; look-alikes are refused by
        # School.validate_unique, invisible characters by the field's validator.
        return " ".join(self.cleaned_data["name"].split())

    def clean_credit_code(self):
        code = normalize_credit_code(self.cleaned_data.get("credit_code", ""))
        if code and School.objects.filter(credit_code=code).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("该统一社会信用代码已被其他单位使用。", code="duplicate_credit_code")
        return code


class SchoolRegistrationForm(SchoolProfileForm):
    """Registers a school and the first user acting for it (who logs in with the contact e-mail)."""

    contact_name = forms.CharField(label="联系人姓名", max_length=50)
    password1 = forms.CharField(
        label="密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="至少 8 位，不能全为数字，不能过于常见。",
    )
    password2 = forms.CharField(
        label="确认密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    class Meta(SchoolProfileForm.Meta):
        labels = {"contact_email": "联系邮箱（用于登录）"}

    def clean_contact_email(self):
        # An address that already has an account is not refused here: the form would tell anyone
        # who has an account. school_register answers the same and tells the address's owner.
        return self.cleaned_data["contact_email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "两次输入的密码不一致。")
        elif p1:
            probe = User(username=cleaned.get("contact_email", ""), email=cleaned.get("contact_email", ""))
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class LoginForm(AuthenticationForm):
    username = forms.CharField(label="用户名或邮箱", widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))
    error_messages = {
        "invalid_login": "用户名（邮箱）或密码不正确。",
        "inactive": "该账号尚未激活：请点击注册邮件中的确认链接。",
        "registration_expired": "该注册未在 %(hours)s 小时内确认邮箱，已失效：请重新注册。",
        "address_wait": "本网络地址近期登录失败次数较多，请 %(seconds)s 秒后再试。",
    }

    @property
    def wait_seconds(self) -> int:
        """Seconds the address must wait, when this attempt was refused for that (portal/throttling.py)."""
        return getattr(self.request, WAIT_ATTRIBUTE, 0)

    def confirm_login_allowed(self, user):
        if not user.is_active and registration_expired(user):
            raise forms.ValidationError(
                self.error_messages["registration_expired"], code="registration_expired",
                params={"hours": settings.REGISTRATION_CONFIRM_HOURS},
            )  # fmt: skip
        super().confirm_login_allowed(user)

    def get_invalid_login_error(self):
        # Refused before the password was tried: say how long to wait, not that it was wrong.
        if self.wait_seconds:
            return forms.ValidationError(self.error_messages["address_wait"], code="address_wait", params={"seconds": self.wait_seconds})
        return super().get_invalid_login_error()


class PasswordResetForm(DjangoPasswordResetForm):
    """Django's, with the mail through the portal's queue (portal/emails.py) like every other."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None):
        queue_mail(to=[to_email], template="password_reset", context=context)
