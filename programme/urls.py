"""The 实验周期's pages: the 实验校's own (workspace, team and projects, invitations, check-in, leaving
the programme), the project group's (实验校, activities, attendance, the exit queue) and the annual
reports (年度工作报告) of both."""
from django.urls import path

from programme import school_views

app_name = "programme"

# The 实验校's pages. Its workspace is the school's home, portal/urls.py's `dashboard`
# (school_views.dashboard); its application record stays at `applications_record`.
school_patterns = [
    path("team/", school_views.team, name="team"),
    path("invitations/<int:pk>/", school_views.invitation, name="invitation"),
    path("checkin/", school_views.checkin, name="checkin"),
    path("withdraw/", school_views.withdraw, name="withdraw"),
]

# The project group's pages (under staff/).
staff_patterns = []

# The annual reports (under reports/), the school's and the reviewers'.
report_patterns = []

urlpatterns = [*school_patterns, *staff_patterns, *report_patterns]
