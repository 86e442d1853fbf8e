"""What anyone may download without an account: the current batch's 实验校资格申请表, empty."""
from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from applications.documents import APPLICATION_PDF_STYLESHEETS
from applications.forms import PLEDGE_TEXT
from applications.models import Batch, ProjectCategory
from applications.selectors import current_batch
from portal import policy
from portal.pdf import html_to_pdf, render_html

# Rows of the blank form's 项目小组成员 table, to fill by hand (the notice asks for at least 3).
BLANK_TEAM_ROWS = 6


class BlankApplication:
    """An application with nothing filled in: its batch, and every other field reads as empty."""

    def __init__(self, batch: Batch):
        self.batch = batch

    def __getattr__(self, name):
        return ""


def blank_form_pdf(batch: Batch) -> bytes:
    """The application PDF's own layout (applications/pdf/application.html) with nothing filled in:
    no number, no 草稿 mark, the notice's categories unticked, room to write by hand."""
    context = {
        "blank": True,
        "application": BlankApplication(batch),
        "team": [{}] * BLANK_TEAM_ROWS,
        "projects": [(category, False) for category in ProjectCategory.objects.order_by("position")],
        "pledge_text": PLEDGE_TEXT,
        "is_draft": False,
        "show_group_opinion": False,
    }
    return html_to_pdf(render_html("applications/pdf/application.html", context), APPLICATION_PDF_STYLESHEETS)


@require_safe
def blank_form(request):
    """The current batch's blank 实验校资格申请表 as PDF (public, no login), rendered on request
    like the public list's PDF (about half a second): it prints the batch's 文号 and the notice's
    categories from the database, so it is never out of date."""
    policy.public(request.user)
    batch = current_batch()
    if batch is None:
        raise Http404("目前没有申报批次")
    response = HttpResponse(blank_form_pdf(batch), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, f"实验校资格申请表（空白）-{batch.short_name}.pdf")
    return response
