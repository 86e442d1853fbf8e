"""The public pages of the review: the published list of 实验校 (no login)."""
from django.shortcuts import render
from django.views.decorators.http import require_safe

from applications.models import Batch
from portal import policy
from review.documents import selected_groups


@require_safe
def public_list(request, batch_id=None):
    """The published list of 实验校, by province and school type (public, no login)."""
    batch = policy.get_published_batch(request.user, batch_id)
    published = Batch.objects.filter(published_at__isnull=False).order_by("-published_at")
    groups = selected_groups(batch, names_only=True) if batch else []
    return render(
        request,
        "review/public_list.html",
        {"batch": batch, "groups": groups, "batches": published, "count": sum(len(apps) for _p, by_type in groups for _t, apps in by_type)},
    )
