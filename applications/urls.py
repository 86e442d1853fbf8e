from django.urls import path

from applications import autosave, views

app_name = "applications"

urlpatterns = [
    path("profile/", views.school_profile, name="profile"),
    path("batches/<int:batch_id>/start/", views.application_start, name="start"),
    path("applications/<int:pk>/", views.application_detail, name="detail"),
    path("applications/<int:pk>/edit/", views.application_edit, name="edit"),
    path("applications/<int:pk>/autosave/", autosave.application_autosave, name="autosave"),
    path("applications/<int:pk>/pdf/", views.application_pdf_view, name="pdf"),
    path("applications/<int:pk>/scan/", views.scan_upload_view, name="scan_upload"),
    path("applications/<int:pk>/scan/<int:scan_id>/", views.scan_download, name="scan_download"),
    path("applications/<int:pk>/scan/<int:scan_id>/page/<int:page>/", views.scan_page_view, name="scan_page"),
    path("applications/<int:pk>/submit/", views.application_submit, name="submit"),
    path("applications/<int:pk>/move/<slug:action>/", views.application_move, name="move"),
]
