"""Who is told what when an application moves. Every mail goes through portal.emails.queue_mail,
so it is stored with the action and delivered in the background."""
from django.contrib.auth import get_user_model

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


def notify_school(application, *, event: str, comment: str = "") -> None:
    """Tell the school about `event` (a template under emails/school_<event>*.txt)."""
    queue_mail(
        to=school_addresses(application.school),
        template=f"school_{event}",
        context={"application": application, "school": application.school, "batch": application.batch, "comment": comment},
    )


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
