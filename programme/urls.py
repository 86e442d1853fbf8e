"""The 实验周期's pages: the 实验校's own (workspace, team and projects, invitations, check-in, leaving
the programme), the project group's (实验校, activities, attendance, the exit queue) and the annual
reports (年度工作报告) of both."""
from django.urls import path

from programme import certificate_views, report_views, school_views, showcase_views, staff_views

app_name = "programme"

# The 实验校's pages. Its workspace is the school's home, portal/urls.py's `dashboard`
# (school_views.dashboard); its application record stays at `applications_record`.
school_patterns = [
    path("team/", school_views.team, name="team"),
    path("invitations/<int:pk>/", school_views.invitation, name="invitation"),
    # Check-in: typed at checkin/, or opened from the venue's QR code with the code in the address
    # (programme.checkin_qr.checkin_url); one page, one name.
    path("checkin/", school_views.checkin, name="checkin"),
    path("checkin/<str:code>/", school_views.checkin, name="checkin"),
    path("withdraw/", school_views.withdraw, name="withdraw"),
]

# The project group's pages (under staff/).
staff_patterns = [
    path("staff/schools/", staff_views.experiment_schools, name="staff_schools"),
    path("staff/schools.xlsx", staff_views.experiment_schools, {"fmt": "xlsx"}, name="staff_schools_xlsx"),
    path("staff/schools/<int:pk>/", staff_views.experiment_school, name="staff_school"),
    path("staff/cycles/", staff_views.cycles, name="staff_cycles"),
    path("staff/cycles/<int:batch_id>/move/", staff_views.cycle_move_view, name="staff_cycle_move"),
    path("staff/cycles/<int:batch_id>/complete/", staff_views.cycle_complete, name="staff_cycle_complete"),
    path("staff/activities/", staff_views.activity_list, name="staff_activities"),
    path("staff/activities/new/", staff_views.activity_new, name="staff_activity_new"),
    path("staff/activities/<int:pk>/", staff_views.activity_detail, name="staff_activity"),
    path("staff/activities/<int:pk>/invite/", staff_views.activity_invite, name="staff_activity_invite"),
    path("staff/activities/<int:pk>/attendance/", staff_views.attendance_sheet, name="staff_attendance"),
    path("staff/activities/<int:pk>/import/", staff_views.attendance_import, name="staff_attendance_import"),
    path("staff/activities/<int:pk>/close/", staff_views.activity_close, name="staff_activity_close"),
    path("staff/activities/<int:pk>/signin.pdf", staff_views.signin_sheet, name="staff_signin_sheet"),
    path("staff/activities/<int:pk>/registrations.xlsx", staff_views.registrations_xlsx, name="staff_registrations_xlsx"),
    path("staff/activities/<int:pk>/venue/", staff_views.venue, name="staff_venue"),
    path("staff/invitations/<int:pk>/leave/", staff_views.leave_decide, name="staff_leave_decide"),
    path("staff/invitations/<int:pk>/attendance/", staff_views.attendance_mark, name="staff_attendance_mark"),
    path("staff/exits/", staff_views.exit_queue_page, name="staff_exits"),
    path("staff/exits/<int:pk>/confirm/", staff_views.exit_confirm, name="staff_exit_confirm"),
    path("staff/exits/<int:pk>/waive/", staff_views.exit_waive, name="staff_exit_waive"),
    path("staff/withdrawals/<int:pk>/letter/", staff_views.withdrawal_letter, name="staff_withdrawal_letter"),
    path("staff/withdrawals/<int:pk>/acknowledge/", staff_views.withdrawal_acknowledge, name="staff_withdrawal_acknowledge"),
]

# The annual reports (under reports/), the school's and the reviewers'.
report_patterns = [
    path("reports/", report_views.report_school_list, name="report_school_list"),
    path("reports/year/<int:year>/start/", report_views.report_start, name="report_start"),
    path("reports/<int:pk>/", report_views.report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", report_views.report_edit, name="report_edit"),
    path("reports/<int:pk>/autosave/", report_views.report_autosave, name="report_autosave"),
    path("reports/<int:pk>/submit/", report_views.report_submit, name="report_submit"),
    path("reports/<int:pk>/attachments/", report_views.report_attachment_upload, name="report_attachment_upload"),
    path("reports/<int:pk>/attachments/<int:attachment_id>/", report_views.report_attachment_download, name="report_attachment_download"),
    path("reports/<int:pk>/attachments/<int:attachment_id>/delete/", report_views.report_attachment_delete, name="report_attachment_delete"),
    path("reports/<int:pk>/comment/", report_views.report_comment, name="report_comment"),
    path("reports/<int:pk>/decide/", report_views.report_decide, name="report_decide"),
    path("reports/<int:pk>/pdf/", report_views.report_pdf, name="report_pdf"),
    path("reports/expert/", report_views.report_expert_list, name="report_expert_list"),
    path("reports/staff/", report_views.report_staff_list, name="report_staff_list"),
    path("reports/staff/assign/", report_views.report_assign, name="report_assign"),
    path("reports/staff/reviewers/<int:reviewer_id>/remove/", report_views.report_reviewer_remove, name="report_reviewer_remove"),
    path("reports/staff/deadlines/", report_views.report_deadlines, name="report_deadlines"),
    path("reports/staff/totals/", report_views.report_totals, name="report_totals"),
    path("reports/staff/totals/<str:table>.xlsx", report_views.report_totals_xlsx, name="report_totals_xlsx"),
]

# The 荣誉证书 (issue 16): issued and revoked by the project group, the PDF for staff and its school.
# The public verify page, /verify/<number>/, is portal/urls.py's `certificate_verify`.
certificate_patterns = [
    path("staff/schools/<int:pk>/certificates/issue/", certificate_views.certificate_issue, name="staff_certificate_issue"),
    path("staff/cycles/<int:batch_id>/certificates/", certificate_views.certificates_issue_batch, name="staff_certificates_issue_batch"),
    path("staff/certificates/<int:pk>/revoke/", certificate_views.certificate_revoke, name="staff_certificate_revoke"),
    path("certificates/<int:pk>/pdf/", certificate_views.certificate_pdf, name="certificate_pdf"),
]

# 建设动态 (issue 16): the school's posts, the project group's 审核 and 成果展示, the photos and the
# attachment behind the policy (public once published). The Atom feed is portal/urls.py's
# `showcase_feed`; the public pages are mounted there beside it.
showcase_patterns = [
    path("showcase/", showcase_views.school_posts, name="showcase_school_list"),
    path("showcase/new/", showcase_views.post_new, name="showcase_new"),
    path("showcase/<int:pk>/", showcase_views.post_detail, name="showcase_post"),
    path("showcase/<int:pk>/edit/", showcase_views.post_edit, name="showcase_edit"),
    path("showcase/<int:pk>/submit/", showcase_views.post_submit, name="showcase_submit"),
    path("showcase/<int:pk>/photos/<int:photo_id>/delete/", showcase_views.photo_delete, name="showcase_photo_delete"),
    path("showcase/<int:pk>/attachment/delete/", showcase_views.attachment_delete, name="showcase_attachment_delete"),
    # The thumbnail's route first: <str:key>.jpg would take "<key>-thumb" for a key.
    path("showcase/photos/<str:key>-thumb.jpg", showcase_views.photo, {"variant": "thumb"}, name="showcase_photo_thumb"),
    path("showcase/photos/<str:key>.jpg", showcase_views.photo, name="showcase_photo"),
    path("showcase/<int:pk>/attachment/", showcase_views.attachment, name="showcase_attachment"),
    path("staff/showcase/", showcase_views.staff_queue, name="staff_showcase"),
    path("staff/showcase/<int:pk>/", showcase_views.staff_post, name="staff_showcase_post"),
    path("staff/showcase/<int:pk>/approve/", showcase_views.staff_approve, name="staff_showcase_approve"),
    path("staff/showcase/<int:pk>/return/", showcase_views.staff_return, name="staff_showcase_return"),
    path("staff/showcase/<int:pk>/unpublish/", showcase_views.staff_unpublish, name="staff_showcase_unpublish"),
    path("staff/showcase/<int:pk>/feature/", showcase_views.staff_feature_post, name="staff_showcase_feature"),
    path("staff/schools/<int:pk>/feature/", showcase_views.staff_feature_school, name="staff_school_feature"),
]

urlpatterns = [*school_patterns, *staff_patterns, *report_patterns, *certificate_patterns, *showcase_patterns]
