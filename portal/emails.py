"""E-mail from templates, in Chinese, through Django's configured backend."""
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def send_templated_mail(*, to: list[str], template: str, context: dict) -> bool:
    """Render `emails/<template>_subject.txt` and `emails/<template>.txt` and send them.

    A mail server that is down must not break the action that sent the mail: the failure is
    logged and False returned.
    """
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    body = render_to_string(f"emails/{template}.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    except Exception:  # noqa: BLE001 — any transport failure is logged, never raised to the user
        logger.exception("sending %s mail to %s failed", template, to)
        return False
    return True
