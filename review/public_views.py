"""The public pages of the review: the published list of 实验校 (no login), searchable by name and
filtered by province and school type, and the same part of it as PDF."""
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from applications.models import Batch
from portal import policy
from review.documents import selected_groups, selected_list_pdf
from review.forms import PublicListFilterForm


@require_safe
def public_list(request, batch_id=None):
    """The published list of 实验校, by province and school type (public, no login); the GET form's
    ?q, ?province and ?school_type show a part of it (a value it cannot have sent is ignored)."""
    batch = policy.get_published_batch(request.user, batch_id)
    published = Batch.objects.filter(published_at__isnull=False).order_by("-published_at")
    form = PublicListFilterForm(request.GET, batch=batch)
    filters = form.filters()
    groups = selected_groups(batch, names_only=True, **filters) if batch else []
    return render(
        request,
        "review/public_list.html",
        {"batch": batch, "groups": groups, "batches": published, "form": form, "filtered": bool(filters),
         "filters_label": form.label(), "query": form.query(),
         "count": sum(len(apps) for _p, by_type in groups for _t, apps in by_type)},
    )  # fmt: skip


@require_safe
def public_list_pdf(request, batch_id=None):
    """The published list as PDF (names by province and school type), with the page's filters."""
    batch = policy.get_published_batch(request.user, batch_id)
    if batch is None:
        raise Http404("名单尚未公布")
    form = PublicListFilterForm(request.GET, batch=batch)
    response = HttpResponse(selected_list_pdf(batch, for_filing=False, filters=form.filters(), filters_label=form.label()),
                            content_type="application/pdf")  # fmt: skip
    response["Content-Disposition"] = content_disposition_header(True, f"{batch.short_name}名单.pdf")
    return response
