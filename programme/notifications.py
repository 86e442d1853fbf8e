"""What the project group tells a 实验校 (a notice on its workspace and the same text by mail) and
what the 实验校 tells the project group (a mail to staff). Mails go through portal.emails.queue_mail,
stored with the action that causes them."""
from django.utils import timezone

from applications.notifications import school_addresses, staff_addresses
from portal.emails import queue_mail


def tell_school(experiment_school, *, kind: str, title: str, body: str, invitation=None, report=None, now=None,
                template: str = "experiment_notice", context: dict | None = None):
    """One notice on the 实验校's workspace and one mail to the school with its text.

    Side effects: a SchoolNotice row; one OutgoingMail (emails/<template>*.txt, by default
    experiment_notice; the annual reports' mails have their own, given `context` besides), delivered
    in the background. Returns the notice."""
    from programme.models import SchoolNotice

    notice = SchoolNotice.objects.create(
        experiment_school=experiment_school, kind=kind, title=title, body=body, invitation=invitation,
        report=report, created_at=now or timezone.now(),
    )  # fmt: skip
    queue_mail(
        to=school_addresses(experiment_school.school),
        template=template,
        context={"school": experiment_school.school, "experiment_school": experiment_school, "notice": notice, **(context or {})},
    )
    return notice


def tell_staff(*, template: str, context: dict) -> None:
    """A mail to every active member of the project group (emails/<template>*.txt)."""
    queue_mail(to=staff_addresses(), template=template, context=context)
