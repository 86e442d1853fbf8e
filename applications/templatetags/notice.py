"""Texts of the notice that several pages show, rendered from their one copy in applications.reference."""
from django import template

from applications.reference import BASIC_CONDITIONS, BASIC_CONDITIONS_INTRO

register = template.Library()


@register.inclusion_tag("applications/_basic_conditions.html")
def basic_conditions():
    """七、申报基本条件: the notice's introduction and its seven conditions, numbered by the list."""
    return {"intro": BASIC_CONDITIONS_INTRO, "conditions": BASIC_CONDITIONS}
