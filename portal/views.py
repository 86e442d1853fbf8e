"""Account pages: register a school, confirm the e-mail address, log in and out, reset a password."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.http import require_http_methods, require_safe

from portal import policy
from portal.forms import LoginForm, PasswordResetForm, SchoolRegistrationForm
from portal.services import registrations_expire, school_register, user_confirm_email
from portal.throttling import account_mail_allowed

User = get_user_model()


@require_http_methods(["GET", "POST"])
def register(request):
    policy.public(request.user)
    if request.user.is_authenticated:
        return redirect("dashboard")
    if request.method == "POST":
        # Registrations never confirmed in time hold no name, credit code or address any more.
        registrations_expire()
    form = SchoolRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # The same page whether or not the address already had an account (school_register).
        school_register(form=form, request=request)
        context = {"email": form.cleaned_data["contact_email"], "hours": settings.REGISTRATION_CONFIRM_HOURS}
        return render(request, "registration/register_done.html", context)
    return render(request, "registration/register.html", {"form": form})


@require_safe
def activate(request, uidb64, token):
    policy.public(request.user)
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        user = None
    if user is not None and user.is_active:
        messages.info(request, "该账号已激活，请直接登录。")
        return redirect("login")
    if user_confirm_email(user=user, token=token):
        messages.success(request, "邮箱已确认，账号已激活。请登录。")
        return redirect("login")
    return render(request, "registration/activation_failed.html", {"hours": settings.REGISTRATION_CONFIRM_HOURS}, status=400)


class LoginView(auth_views.LoginView):
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.wait_seconds:
            # Too many requests from this address for now, and when to come back (portal/throttling.py).
            response.status_code = 429
            response["Retry-After"] = str(form.wait_seconds)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, with the mail queued (PasswordResetForm) and limited per address and per client
    (portal/throttling.py). The answer is the same whether a mail went out, was held back by the
    limits, or the address has no account."""

    form_class = PasswordResetForm

    def form_valid(self, form):
        if account_mail_allowed(self.request, form.cleaned_data["email"]):
            return super().form_valid(form)
        return HttpResponseRedirect(self.get_success_url())
