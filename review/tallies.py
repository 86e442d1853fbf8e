"""The review tallies (review.models.ReviewTally per application, ExpertTally per expert and batch):
figures of the expert review kept beside the rows they come from, so that the national pages read a
few narrow rows instead of aggregating every assignment and review of the batch per request.

They are recomputed, never incremented: `refresh_tallies(ids)` reads the applications' assignments
and reviews as they are and overwrites their tallies, and their experts'. Every save or delete of an
assignment or a review does it through the signals below, in the same transaction; code that writes
those rows in bulk (bulk_create and update() send no signals) calls refresh_tallies itself."""
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.signals import post_delete, post_save

from review.scoring import aggregate_stats


def _cents(value: Decimal) -> int:
    return int((Decimal(value) * 100).to_integral_value(rounding=ROUND_HALF_UP))


def refresh_tallies(application_ids: Iterable[int]) -> None:
    """Recompute the tallies of these applications and of every expert assigned to any of them
    (whatever the batch), from the assignments and reviews as stored now."""
    from applications.models import Application
    from review.models import Assignment, ExpertReview, ExpertTally, ReviewTally

    ids = set(application_ids)
    if not ids:
        return
    batches = dict(Application.objects.filter(pk__in=ids).values_list("pk", "batch_id"))
    rows = Assignment.objects.filter(application_id__in=batches).values_list("application_id", "expert_id", "is_active", "review__state", "review__total")
    figures = {pk: {"assigned": 0, "submitted": 0, "totals": []} for pk in batches}
    experts = set()
    for application_id, expert_id, is_active, state, total in rows:
        experts.add((batches[application_id], expert_id))
        if not is_active:
            continue
        entry = figures[application_id]
        entry["assigned"] += 1
        if state == ExpertReview.State.SUBMITTED:
            entry["submitted"] += 1
            if total is not None:
                entry["totals"].append(Decimal(total))
    tallies = []
    for pk, entry in figures.items():
        totals = entry["totals"]
        tally = ReviewTally(application_id=pk, batch_id=batches[pk], assigned=entry["assigned"], submitted=entry["submitted"], scored=len(totals))
        if totals:
            low, high, whole = min(totals), max(totals), sum(totals, Decimal(0))
            # The mean exactly as review.scoring gives it (trimmed from TRIM_FROM reviews on).
            mean = aggregate_stats(len(totals), whole, low, high, max_total=Decimal(0)).mean
            tally.sum_cents, tally.low_cents, tally.high_cents, tally.mean_cents = _cents(whole), _cents(low), _cents(high), _cents(mean)
        tallies.append(tally)
    ReviewTally.objects.bulk_create(
        tallies, update_conflicts=True, unique_fields=["application"],
        update_fields=["batch", "assigned", "submitted", "scored", "sum_cents", "low_cents", "high_cents", "mean_cents"],
    )  # fmt: skip
    _refresh_experts(experts)


def _refresh_experts(pairs: set[tuple[int, int]]) -> None:
    from review.models import Assignment, ExpertReview, ExpertTally

    if not pairs:
        return
    by_batch = defaultdict(set)
    for batch_id, expert_id in pairs:
        by_batch[batch_id].add(expert_id)
    for batch_id, expert_ids in by_batch.items():
        counts = (
            Assignment.objects.filter(application__batch_id=batch_id, expert_id__in=expert_ids, is_active=True)
            .values("expert_id")
            .annotate(assigned=Count("pk"), submitted=Count("pk", filter=Q(review__state=ExpertReview.State.SUBMITTED)))
        )
        found = {row["expert_id"]: row for row in counts}
        ExpertTally.objects.bulk_create(
            [ExpertTally(batch_id=batch_id, expert_id=e, assigned=found.get(e, {}).get("assigned", 0), submitted=found.get(e, {}).get("submitted", 0))
             for e in expert_ids],
            update_conflicts=True, unique_fields=["batch", "expert"], update_fields=["assigned", "submitted"],
        )  # fmt: skip


def rebuild_tallies(batch=None) -> int:
    """Recompute every tally (of one batch, or of all): after bulk loads, or to repair. Returns
    how many applications were tallied."""
    from review.models import Assignment, ExpertTally, ReviewTally

    assignments = Assignment.objects.all() if batch is None else Assignment.objects.filter(application__batch=batch)
    ids = set(assignments.values_list("application_id", flat=True))
    stale = ReviewTally.objects.all() if batch is None else ReviewTally.objects.filter(batch=batch)
    stale.exclude(application_id__in=ids).delete()
    (ExpertTally.objects.all() if batch is None else ExpertTally.objects.filter(batch=batch)).delete()
    ordered = sorted(ids)
    for start in range(0, len(ordered), 2000):
        refresh_tallies(ordered[start:start + 2000])
    return len(ids)


def _assignment_saved(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata (manage.py restore): the backup carries its tallies
        return
    refresh_tallies([instance.application_id])


def _review_saved(sender, instance, raw=False, **kwargs):
    from review.models import Assignment

    if raw:
        return
    refresh_tallies(Assignment.objects.filter(pk=instance.assignment_id).values_list("application_id", flat=True))


def _deleted(sender, instance, **kwargs):
    # Rows are deleted when their application (or batch, or expert) is: refreshing at once would
    # write a tally for an application about to go. After the commit, whatever is left is tallied.
    from review.models import Assignment

    if isinstance(instance, Assignment):
        application_id = instance.application_id
        transaction.on_commit(lambda: refresh_tallies([application_id]))
    else:
        assignment_id = instance.assignment_id
        transaction.on_commit(lambda: refresh_tallies(Assignment.objects.filter(pk=assignment_id).values_list("application_id", flat=True)))


def connect() -> None:
    from review.models import Assignment, ExpertReview

    post_save.connect(_assignment_saved, sender=Assignment, dispatch_uid="review.tallies.assignment_saved")
    post_save.connect(_review_saved, sender=ExpertReview, dispatch_uid="review.tallies.review_saved")
    for model in (Assignment, ExpertReview):
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"review.tallies.{model.__name__}_deleted")
