"""Setting up and using a time-based one-time password (an authenticator app on a phone)."""
import base64
from io import BytesIO

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal import policy, second_factor


SECOND_FACTOR_REQUIRED = "项目组和管理员必须使用两步验证，不能关闭。手机丢失或更换时，请联系系统管理员重置。"


class TokenForm(forms.Form):
    token = forms.RegexField(
        label="验证码", regex=r"^\d{6}$", error_messages={"invalid": "请输入验证器应用显示的 6 位数字。"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6, "autofocus": True}),
    )  # fmt: skip


def qr_data_uri(text: str) -> str:
    """An SVG QR code of `text` as a data: URI (allowed by the CSP's img-src)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


class EnrolmentForm(TokenForm):
    """Confirming a new authenticator: the set-up code from the mail and the app's first code."""

    enrolment_code = forms.RegexField(
        label="邮件中的设置码", regex=rf"^\d{{{second_factor.CODE_DIGITS}}}$",
        error_messages={"invalid": f"请输入邮件中的 {second_factor.CODE_DIGITS} 位数字设置码。"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": second_factor.CODE_DIGITS, "autofocus": True}),
    )  # fmt: skip
    field_order = ["enrolment_code", "token"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["token"].label = "验证器应用中的验证码"
        self.fields["token"].widget.attrs.pop("autofocus", None)


ENROLMENT_GONE = "本次设置已失效（设置码已过期，或已在别处重新开始），请重新开始设置。"


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request):
    """Turn the second factor on (a set-up code by mail, then scan, then both codes) or, for those
    not required to use it, off (with a code). Side effects: portal.second_factor's."""
    policy.require_second_factor_user(request.user)
    user = request.user
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolment = second_factor.current_enrolment(request) if confirmed is None else None
    if enrolment is not None and enrolment.expired:
        second_factor.abandon_enrolment(request, enrolment)
        enrolment = None
        if request.method == "GET":
            messages.warning(request, ENROLMENT_GONE)
    action = request.POST.get("action")
    form = EnrolmentForm() if enrolment is not None else TokenForm()
    if request.method == "POST" and action == "start" and confirmed is None:
        try:
            enrolment = second_factor.start_enrolment(request)
            form = EnrolmentForm()
        except second_factor.EnrolmentRefused as refusal:
            messages.error(request, str(refusal))
    elif request.method == "POST" and action == "confirm" and confirmed is None:
        if enrolment is None:
            messages.error(request, ENROLMENT_GONE)
        else:
            form = EnrolmentForm(request.POST)
            if form.is_valid():
                if not second_factor.check_code(request, enrolment, form.cleaned_data["enrolment_code"]):
                    if second_factor.enrolment_void(request):
                        messages.error(request, "设置码输错次数过多，本次设置已作废。请重新开始设置，我们会发送新的设置码。")
                        return redirect("otp_setup")
                    form.add_error("enrolment_code", "设置码不正确，请输入最近一封设置邮件中的设置码。")
                elif enrolment.device.verify_token(form.cleaned_data["token"]):
                    otp_login(request, second_factor.finish_enrolment(request, enrolment))
                    messages.success(request, "两步验证已开启：以后登录时需要输入验证器应用中的 6 位验证码。")
                    return redirect("otp_setup")
                else:
                    form.add_error("token", "验证码不正确或已过期，请输入应用中当前显示的验证码。")
    elif request.method == "POST" and action == "disable" and policy.must_use_second_factor(user):
        # Off would only send them back here; a lost phone is reset by an administrator.
        messages.error(request, SECOND_FACTOR_REQUIRED)
    elif request.method == "POST" and action == "disable" and confirmed is not None:
        form = TokenForm(request.POST)
        if form.is_valid():
            if confirmed.verify_token(form.cleaned_data["token"]):
                confirmed.delete()
                messages.success(request, "两步验证已关闭。")
                return redirect("otp_setup")
            form.add_error("token", "验证码不正确或已过期。")
    context = {
        "confirmed": confirmed, "pending": enrolment, "form": form, "required": policy.must_use_second_factor(user),
        "address": second_factor.masked_address(user.email) if user.email else "", "minutes": settings.OTP_ENROLMENT_CODE_MINUTES,
    }  # fmt: skip
    if enrolment is not None:
        context["qr"] = qr_data_uri(enrolment.device.config_url)
        context["secret"] = base64.b32encode(enrolment.device.bin_key).decode()
    return render(request, "registration/otp_setup.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    """The second step of signing in."""
    policy.require_signed_in(request.user)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in TOTPDevice.objects.filter(user=request.user, confirmed=True):
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                return redirect(next_url or "dashboard")
        form.add_error("token", "验证码不正确或已过期，请输入应用中当前显示的验证码。")
    return render(request, "registration/otp_verify.html", {"form": form, "next": next_url})
