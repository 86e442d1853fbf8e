from django.urls import path

from review import views

app_name = "review"

urlpatterns = [
    path("province/", views.province_home, name="province_home"),
    path("province/windows/<int:window_id>/", views.province_queue, name="province_queue"),
    path("province/windows/<int:window_id>/forward/", views.province_forward, name="province_forward"),
    path("province/windows/<int:window_id>/summary.<str:fmt>", views.province_summary, name="province_summary"),
    path("province/applications/<int:pk>/", views.province_application, name="province_application"),
    path("province/applications/<int:pk>/<str:action>/", views.province_action, name="province_action"),
]
