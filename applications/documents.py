"""The application PDF, laid out like the official 实验校资格申请表 on A4."""
from django.utils import timezone

from applications.forms import PLEDGE_TEXT
from applications.models import ProjectCategory
from applications.rules import check_application
from portal.pdf import html_to_pdf, render_html


def project_choices(application) -> list[tuple[ProjectCategory, bool]]:
    """Every category of the notice, in its order, with whether the application chose it."""
    chosen = {p.pk for p in application.projects.all()}
    return [(category, category.pk in chosen) for category in ProjectCategory.objects.order_by("position")]


APPLICATION_PDF_STYLESHEETS = ("css/print.css",)


def is_archived_copy(application) -> bool:
    """Whether the application's PDF is the copy an archive keeps: the application as submitted,
    out of the school's hands (no longer editable). Those are PDF/A (portal.pdf.ARCHIVAL_PDF_VARIANT);
    a draft the school is still printing is not."""
    return not application.is_editable


def application_pdf(application, *, show_group_opinion: bool = True) -> bytes:
    """The form as PDF. Every page carries the application number and version code; a 草稿
    watermark stays until every rule of the form is met (the content is then final, ready to be
    signed and sealed). The 项目组意见 is printed unless `show_group_opinion` is false (the school's
    own copy before the list is published: the opinion would tell the outcome). PDF/A once
    submitted (is_archived_copy)."""
    html = application_pdf_html(application, show_group_opinion=show_group_opinion)
    return html_to_pdf(html, APPLICATION_PDF_STYLESHEETS, archival=is_archived_copy(application))


def application_pdf_html(application, *, show_group_opinion: bool = True) -> str:
    """The HTML application_pdf lays out (what needs the database; the layout does not)."""
    team = [row for row in application.team.all() if not row.is_blank()]
    check = check_application(application, team_rows=team)
    context = {
        "application": application,
        "school": application.school,
        "team": team,
        "projects": project_choices(application),
        "pledge_text": PLEDGE_TEXT,
        "is_draft": not check.complete,
        "plan_zi": check.plan_zi,
        "show_group_opinion": show_group_opinion,
        "generated_at": timezone.localtime(),
    }
    return render_html("applications/pdf/application.html", context)
