"""Setting up and using a time-based one-time password (an authenticator app on a phone)."""
import base64
from io import BytesIO

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal import policy


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


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request):
    """Turn the second factor on (scan, then confirm with a code) or off (with a code)."""
    policy.require_second_factor_user(request.user)
    user = request.user
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    form = TokenForm(request.POST or None)
    action = request.POST.get("action")
    if request.method == "POST" and action == "start" and confirmed is None:
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        pending = TOTPDevice.objects.create(user=user, name="验证器应用", confirmed=False)
        form = TokenForm()
    elif request.method == "POST" and action == "confirm" and pending is not None and form.is_valid():
        if pending.verify_token(form.cleaned_data["token"]):
            pending.confirmed = True
            pending.save(update_fields=["confirmed"])
            otp_login(request, pending)
            messages.success(request, "两步验证已开启：以后登录时需要输入验证器应用中的 6 位验证码。")
            return redirect("otp_setup")
        form.add_error("token", "验证码不正确或已过期，请输入应用中当前显示的验证码。")
    elif request.method == "POST" and action == "disable" and policy.must_use_second_factor(user):
        # Off would only send them back here; a lost phone is reset by an administrator.
        form = TokenForm()
        messages.error(request, SECOND_FACTOR_REQUIRED)
    elif request.method == "POST" and action == "disable" and confirmed is not None and form.is_valid():
        if confirmed.verify_token(form.cleaned_data["token"]):
            confirmed.delete()
            messages.success(request, "两步验证已关闭。")
            return redirect("otp_setup")
        form.add_error("token", "验证码不正确或已过期。")
    context = {"confirmed": confirmed, "pending": pending, "form": form, "required": policy.must_use_second_factor(user)}
    if pending is not None and confirmed is None:
        context["qr"] = qr_data_uri(pending.config_url)
        context["secret"] = base64.b32encode(pending.bin_key).decode()
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
