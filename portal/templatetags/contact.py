"""Contacts as links a phone can follow: each telephone number tap-to-call (tel:), an e-mail
address mailto:. The visible text stays as it was typed."""
import re

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()

# A number as people type it: a mobile (13800000000), a landline with its area code and an
# optional extension (010-81299751, 0571-88031215-8001), an international prefix (+86 …).
PHONE = re.compile(r"\+?\d[\d-]{5,}\d")
# The words of a field, between white space and the separators people put between several
# numbers (the notice's "010-81299751 18611285756", "周依依，0571-88031215").
WORD = re.compile(r"[^\s,，、;；/（）()]+")


def tel_href(number: str) -> str:
    """The tel: address of a number as typed: digits and a leading +; an extension after the
    landline's second hyphen is dialled after a pause (RFC 3966 ;ext=)."""
    digits = re.sub(r"[^\d+]", "", number)
    parts = number.split("-")
    if len(parts) == 3 and parts[0].startswith("0") and all(part.isdigit() for part in parts):
        return f"tel:{parts[0]}{parts[1]};ext={parts[2]}"
    return f"tel:{digits}"


@register.filter(is_safe=True)
def phone_links(value) -> str:
    """Every telephone number in `value` as a tel: link, anything else around it as text (escaped)."""
    text = "" if value is None else str(value)
    out, position = [], 0
    for token in WORD.finditer(text):
        out.append(escape(text[position:token.start()]))
        word = token.group()
        out.append(format_html('<a href="{}">{}</a>', tel_href(word), word) if PHONE.fullmatch(word) else escape(word))
        position = token.end()
    out.append(escape(text[position:]))
    return mark_safe("".join(out))


@register.filter(is_safe=True)
def email_link(value) -> str:
    """An e-mail address as a mailto: link (nothing when empty)."""
    if not value:
        return ""
    return format_html('<a href="mailto:{}">{}</a>', value, value)
