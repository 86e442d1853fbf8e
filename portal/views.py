"""Account pages: register a school, confirm the e-mail address, log in and out, reset a password."""
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.http import require_http_methods, require_safe

from portal import policy
from portal.forms import LoginForm, SchoolRegistrationForm
from portal.services import school_register, user_confirm_email

User = get_user_model()


@require_http_methods(["GET", "POST"])
def register(request):
    policy.public(request.user)
    if request.user.is_authenticated:
        return redirect("dashboard")
    form = SchoolRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = school_register(form=form, request=request)
        return render(request, "registration/register_done.html", {"email": user.email})
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
    return render(request, "registration/activation_failed.html", status=400)


class LoginView(auth_views.LoginView):
    authentication_form = LoginForm
    redirect_authenticated_user = True
