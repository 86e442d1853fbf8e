from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.http import require_http_methods, require_safe

from applications import public_views as applications_public_views
from applications import views as applications_views
from portal import health, otp_views, views
from programme import certificate_views, school_views, showcase_public_views, showcase_views
from review import public_views

admin.site.site_header = "职业院校服务全民终身学习项目 · 管理后台"
admin.site.site_title = "实验校申报管理"
admin.site.index_title = "管理"

# Django's account views take PUT like POST (its form views' put()), or any method at all (a reset
# link no longer valid); like the portal's own views, a form takes GET and POST only, a page that
# only reads GET and HEAD.
form_methods = require_http_methods(["GET", "POST"])

account_patterns = [
    path("register/", views.register, name="register"),
    path("activate/<str:uidb64>/<str:token>/", views.activate, name="activate"),
    path("login/", form_methods(views.LoginView.as_view()), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("otp/", otp_views.otp_setup, name="otp_setup"),
    path("otp/verify/", otp_views.otp_verify, name="otp_verify"),
    path("password/change/", form_methods(auth_views.PasswordChangeView.as_view()), name="password_change"),
    path("password/change/done/", require_safe(auth_views.PasswordChangeDoneView.as_view()), name="password_change_done"),
    path("password/reset/", form_methods(views.PasswordResetView.as_view()), name="password_reset"),
    path("password/reset/done/", require_safe(auth_views.PasswordResetDoneView.as_view()), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", form_methods(auth_views.PasswordResetConfirmView.as_view()), name="password_reset_confirm"),
    path("reset/done/", require_safe(auth_views.PasswordResetCompleteView.as_view()), name="password_reset_complete"),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include(account_patterns)),
    # The home page with the 建设动态 and 成果展示 (applications may not import programme: they meet
    # in programme.showcase_public_views.home, which renders applications.views.home's page).
    path("", showcase_public_views.home, name="home"),
    # A school that is or was a 实验校 lands on its workspace, which links to its application
    # record; every other user on what applications.views.dashboard shows them (applications may
    # not import programme: the two meet here).
    path("dashboard/", school_views.dashboard, name="dashboard"),
    path("dashboard/applications/", applications_views.dashboard, name="applications_record"),
    path("review/", include("review.urls")),
    path("programme/", include("programme.urls")),
    path("list/", public_views.public_list, name="public_list"),
    path("list/<int:batch_id>/", public_views.public_list, name="public_list_batch"),
    path("list/pdf/", public_views.public_list_pdf, name="public_list_pdf"),
    path("list/<int:batch_id>/pdf/", public_views.public_list_pdf, name="public_list_batch_pdf"),
    # The current batch's 实验校资格申请表, empty: to read before applying, or to fill by hand.
    path("downloads/blank-form/", applications_public_views.blank_form, name="blank_form"),
    # A certificate's QR code opens this: anyone, signed in or not (programme.certificate_views.verify).
    path("verify/<str:number>/", certificate_views.verify, name="certificate_verify"),
    path("verify/", certificate_views.verify_lookup, name="certificate_lookup"),
    path("showcase/feed/", showcase_views.post_feed, name="showcase_feed"),
    # 项目展示推广网络平台: the public 实验校 list, a 实验校's page, a published 建设动态 (no login).
    path("showcase/", showcase_public_views.school_list, name="showcase_public"),
    path("showcase/schools/<int:pk>/", showcase_public_views.school, name="showcase_school"),
    path("showcase/posts/<int:pk>/", showcase_public_views.post, name="showcase_post"),
    path("", include("applications.urls")),
]
