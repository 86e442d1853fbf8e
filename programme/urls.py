"""The 实验周期's pages: the 实验校's own (workspace, team and projects, invitations, check-in, leaving
the programme), the project group's (实验校, activities, attendance, the exit queue) and the annual
reports (年度工作报告) of both."""
from django.urls import path  # noqa: F401

app_name = "programme"

# The 实验校's pages.
school_patterns = []

# The project group's pages (under staff/).
staff_patterns = []

# The annual reports (under reports/), the school's and the reviewers'.
report_patterns = []

urlpatterns = [*school_patterns, *staff_patterns, *report_patterns]
