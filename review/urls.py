from django.urls import path

from review import expert_views, national_views, provincial_views

app_name = "review"

urlpatterns = [
    # Provincial associations
    path("province/", provincial_views.province_home, name="province_home"),
    path("province/windows/<int:window_id>/", provincial_views.province_queue, name="province_queue"),
    path("province/windows/<int:window_id>/forward/", provincial_views.province_forward, name="province_forward"),
    path("province/windows/<int:window_id>/copy/", provincial_views.province_record_copy, name="province_record_copy"),
    path("province/windows/<int:window_id>/summary.<str:fmt>", provincial_views.province_summary, name="province_summary"),
    path("province/applications/<int:pk>/", provincial_views.province_application, name="province_application"),
    path("province/applications/<int:pk>/<str:action>/", provincial_views.province_action, name="province_action"),
    # The national project group
    path("national/", national_views.national_home, name="national_home"),
    path("national/applications/", national_views.national_list, name="national_list"),
    path("national/applications.<str:fmt>", national_views.national_list, name="national_list_export"),
    path("national/applications/<int:pk>/", national_views.national_application, name="national_application"),
    path("national/applications/<int:pk>/formal-check/", national_views.formal_check, name="formal_check"),
    path("national/applications/<int:pk>/assign/", national_views.assign_expert, name="assign_expert"),
    path("national/applications/<int:pk>/decide/", national_views.decide, name="decide"),
    path("national/assignments/<int:assignment_id>/end/", national_views.end_assignment, name="end_assignment"),
    path("national/reviews/<int:review_id>/reopen/", national_views.reopen_review, name="reopen_review"),
    path("national/assignment/", national_views.assignment, name="assignment"),
    path("national/assignment/runs/<int:run_id>/", national_views.assignment_run, name="assignment_run"),
    path("national/assignment/runs/<int:run_id>/status/", national_views.assignment_run_status, name="assignment_run_status"),
    path("national/progress/", national_views.progress, name="progress"),
    path("national/ranking/", national_views.ranking, name="ranking"),
    path("national/ranking.<str:fmt>", national_views.ranking, name="ranking_export"),
    path("national/ranking/decide/", national_views.bulk_decide, name="bulk_decide"),
    path("national/publish/", national_views.publish, name="publish"),
    path("national/filing/", national_views.file_list, name="file_list"),
    path("national/filing.pdf", national_views.filing_pdf, name="filing_pdf"),
    path("national/list/<str:kind>.pdf", national_views.selected_list, name="selected_list"),
    path("national/exports/", national_views.exports, name="exports"),
    path("national/exports/<int:job_id>/", national_views.export_detail, name="export_detail"),
    path("national/exports/<int:job_id>/status/", national_views.export_status, name="export_status"),
    path("national/exports/<int:job_id>/download/", national_views.export_download, name="export_download"),
    path("reviews/<int:review_id>/sheet.pdf", national_views.score_sheet, name="score_sheet"),
    # Experts
    path("expert/", expert_views.expert_home, name="expert_home"),
    path("expert/assignments/<int:assignment_id>/", expert_views.score, name="expert_score"),
    path("expert/assignments/<int:assignment_id>/conflict/", expert_views.declare_conflict, name="declare_conflict"),
]
