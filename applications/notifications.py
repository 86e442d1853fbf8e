"""Who is told what when an application moves. Every mail goes through portal.emails.queue_mail,
so it is stored with the action and delivered in the background."""
from django.contrib.auth import get_user_model

from applications.selectors import window_for
from portal.emails import queue_mail
from portal.models import Role

User = get_user_model()


def school_addresses(school) -> list[str]:
    """The school's contact address and every active account of the school."""
    users = User.objects.filter(school=school, is_active=True).values_list("email", flat=True)
    return [school.contact_email, *users]


def association_addresses(association) -> list[str]:
    return list(
        User.objects.filter(association=association, role=Role.PROVINCE, is_active=True).values_list("email", flat=True)
    )


def staff_addresses() -> list[str]:
    return list(User.objects.filter(role=Role.STAFF, is_active=True).values_list("email", flat=True))


# The steps only a provincial association takes: their mails are signed by the school's
# association even when the caller does not name it.
ASSOCIATION_EVENTS = ("recommended", "declined", "forwarded")


def notify_school(application, *, event: str, comment: str = "", sender=None) -> None:
    """Tell the school about `event` (a template under emails/school_<event>*.txt).

    `sender` is who acted: the provincial Association, or None for the project group; the mail is
    signed by it (emails/_signature.txt). A return (退回修改 by a province, 退回补正 by the project
    group) shares one template, so its caller says who returned it.
    Side effect: one OutgoingMail row, delivered in the background."""
    if sender is None and event in ASSOCIATION_EVENTS:
        window = window_for(application.batch, application.school.province)
        sender = window.association if window is not None else None
    queue_mail(
        to=school_addresses(application.school),
        template=f"school_{event}",
        context={
            "application": application, "school": application.school, "batch": application.batch,
            "comment": comment, "sender": sender,
        },
    )  # fmt: skip


def notify_reviewers_of_submission(application, *, window) -> None:
    """A new submission goes to the provincial association's reviewers, or to the project group
    when the school applied directly."""
    if window is not None:
        to = association_addresses(window.association)
    else:
        to = staff_addresses()
    queue_mail(
        to=to,
        template="reviewer_submitted",
        context={"application": application, "school": application.school, "batch": application.batch, "window": window},
    )


def notify_reviewers_of_withdrawal(application, *, window, reason: str) -> None:
    """A withdrawal is told to whoever holds the application: the provincial association's
    reviewers (`window`) before it forwarded it, else the project group."""
    to = association_addresses(window.association) if window is not None else staff_addresses()
    queue_mail(
        to=to,
        template="reviewer_withdrawn",
        context={"application": application, "school": application.school, "batch": application.batch, "window": window, "comment": reason},
    )
