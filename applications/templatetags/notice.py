"""Texts of the notice that several pages show, rendered from their one copy in applications.reference."""
from django import template

from applications.reference import BASIC_CONDITIONS, BASIC_CONDITIONS_INTRO, NOTICE_DOWNLOADS

register = template.Library()


@register.inclusion_tag("applications/_basic_conditions.html")
def basic_conditions():
    """七、申报基本条件: the notice's introduction and its seven conditions, numbered by the list."""
    return {"intro": BASIC_CONDITIONS_INTRO, "conditions": BASIC_CONDITIONS}


@register.inclusion_tag("applications/_public_downloads.html")
def public_downloads(batch):
    """The home page's links for the public: every published 实验校名单 (newest first), the
    notice's text when the portal ships it for `batch` (NOTICE_DOWNLOADS) and the blank form."""
    from applications.models import Batch

    notice = NOTICE_DOWNLOADS.get(batch.document_number) if batch else None
    published = Batch.objects.filter(published_at__isnull=False).order_by("-published_at").only("short_name", "document_number", "published_at")
    return {"batch": batch, "published": published, "notice_path": notice[0] if notice else "", "notice_filename": notice[1] if notice else ""}
