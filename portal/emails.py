"""E-mail from templates, in Chinese: queued in the database, delivered by a background job.

`queue_mail` is the one way the portal sends mail. It renders `emails/<template>_subject.txt` and
`emails/<template>.txt`, stores an OutgoingMail row in the caller's transaction and enqueues
`deliver_mail`. Delivery failures are logged, kept on the row and retried with growing delays;
`python manage.py send_queued_mail` sends whatever is still due (after an outage, or from cron).
"""
import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task

from portal.models import OutgoingMail

logger = logging.getLogger(__name__)


def queue_mail(*, to: list[str], template: str, context: dict) -> OutgoingMail | None:
    """Render and queue one mail to `to` (duplicates and blanks dropped); None when nobody is left."""
    recipients = sorted({address.strip().lower() for address in to if address and address.strip()})
    if not recipients:
        return None
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    body = render_to_string(f"emails/{template}.txt", context)
    mail = OutgoingMail.objects.create(to=recipients, subject=subject[:200], body=body, template=template)
    # With the database task backend the job row joins the caller's transaction: the mail is sent
    # only if the action commits. (The immediate backend of the tests sends at once.)
    _enqueue(deliver_mail, mail.pk)
    return mail


def _enqueue(job: Task, mail_id: int, run_after=None) -> None:
    try:
        (job.using(run_after=run_after) if run_after else job).enqueue(mail_id)
    except Exception:  # noqa: BLE001 — the row stays pending; send_queued_mail picks it up
        logger.exception("could not enqueue delivery of mail %s", mail_id)


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, … minutes, at most six hours."""
    return timedelta(minutes=min(2 ** (attempts - 1), 360))


def deliver(mail: OutgoingMail) -> bool:
    """Try to send `mail` once; record the outcome on the row. True when it went out."""
    if mail.state != OutgoingMail.State.PENDING:
        return mail.state == OutgoingMail.State.SENT
    mail.attempts += 1
    try:
        send_mail(mail.subject, mail.body, settings.DEFAULT_FROM_EMAIL, mail.to)
    except Exception as error:  # noqa: BLE001 — any transport failure is recorded, never raised
        logger.warning("mail %s (%s) to %s failed, attempt %s: %s", mail.pk, mail.template, mail.to, mail.attempts, error)
        mail.last_error = f"{type(error).__name__}: {error}"[:2000]
        if mail.attempts >= settings.MAIL_MAX_ATTEMPTS:
            mail.state = OutgoingMail.State.FAILED
            mail.next_attempt_at = None
            logger.error("mail %s to %s given up after %s attempts", mail.pk, mail.to, mail.attempts)
        else:
            mail.next_attempt_at = timezone.now() + retry_delay(mail.attempts)
        mail.save(update_fields=["attempts", "last_error", "state", "next_attempt_at"])
        return False
    mail.state = OutgoingMail.State.SENT
    mail.sent_at = timezone.now()
    mail.next_attempt_at = None
    mail.save(update_fields=["attempts", "state", "sent_at", "next_attempt_at"])
    return True


@task()
def deliver_mail(mail_id: int) -> bool:
    """Background job: send one queued mail; on failure schedule the next try when the task
    backend can defer (the database backend can), else leave it for send_queued_mail."""
    mail = OutgoingMail.objects.filter(pk=mail_id).first()
    if mail is None:
        return False
    sent = deliver(mail)
    if not sent and mail.state == OutgoingMail.State.PENDING and deliver_mail.get_backend().supports_defer:
        _enqueue(deliver_mail, mail.pk, run_after=mail.next_attempt_at)
    return sent


def send_due_mail(*, now=None, limit: int = 500) -> tuple[int, int]:
    """Send every pending mail whose next try is due. Returns (sent, failed)."""
    now = now or timezone.now()
    due = (
        OutgoingMail.objects.filter(state=OutgoingMail.State.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("created_at")[:limit]
    )
    sent = failed = 0
    for mail in due:
        if deliver(mail):
            sent += 1
        else:
            failed += 1
    return sent, failed

