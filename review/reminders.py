"""Deadline reminders: schools whose application is not submitted yet, and provincial
associations with applications still waiting for a decision, a few days before the deadline that
applies to them. Each reminder is recorded, so one deadline never brings the same reminder twice."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from applications.models import EDITABLE_STATUSES, Application, Route, Status
from applications.notifications import association_addresses, school_addresses
from applications.selectors import open_batches
from portal.emails import queue_mail
from review.models import DeadlineReminder, Forwarding


@dataclass
class ReminderReport:
    schools: int = 0
    provinces: int = 0


def _record_once(**fields) -> bool:
    """Record a reminder; False when this exact reminder was recorded before."""
    try:
        with transaction.atomic():
            DeadlineReminder.objects.create(**fields)
    except IntegrityError:
        return False
    return True


def send_deadline_reminders(*, days: int, now: datetime | None = None) -> ReminderReport:
    """Queue every reminder due within `days` days before its deadline and not sent before."""
    now = now or timezone.now()
    horizon = now + timedelta(days=days)
    report = ReminderReport()
    for batch in open_batches().prefetch_related("windows__association"):
        windows = {w.association.province_id: w for w in batch.windows.all()}
        forwarded = set(Forwarding.objects.filter(window__batch=batch).values_list("window_id", flat=True))

        pending = Application.objects.filter(batch=batch, status__in=EDITABLE_STATUSES).select_related("school__province")
        for application in pending:
            window = windows.get(application.school.province_id) if application.route == Route.PROVINCIAL else None
            if window is not None and window.pk in forwarded:
                continue  # the province has forwarded: a late submission would not be accepted
            deadline = window.school_deadline if window else batch.national_deadline
            if not (now < deadline <= horizon):
                continue
            with transaction.atomic():
                if _record_once(kind=DeadlineReminder.Kind.SCHOOL_DRAFT, application=application, deadline=deadline):
                    queue_mail(
                        to=school_addresses(application.school),
                        template="school_deadline_reminder",
                        context={"application": application, "school": application.school, "batch": batch,
                                 "deadline": deadline, "owner": window.association.name if window else "中国成人教育协会项目组"},
                    )  # fmt: skip
                    report.schools += 1

        if not (now < batch.national_deadline <= horizon):
            continue
        for window in windows.values():
            if window.pk in forwarded:
                continue
            undecided = Application.objects.filter(
                batch=batch, school__province_id=window.association.province_id, route=Route.PROVINCIAL, status=Status.SUBMITTED
            ).count()
            if not undecided:
                continue
            with transaction.atomic():
                if _record_once(kind=DeadlineReminder.Kind.PROVINCE_UNDECIDED, window=window, deadline=batch.national_deadline):
                    queue_mail(
                        to=association_addresses(window.association),
                        template="province_deadline_reminder",
                        context={"window": window, "batch": batch, "undecided": undecided, "deadline": batch.national_deadline},
                    )
                    report.provinces += 1
    return report
