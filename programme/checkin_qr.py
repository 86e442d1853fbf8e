"""The check-in QR code shown at the venue (签到码, as a QR code): it opens the check-in page with
the activity's code filled in. The school's check-in page (programme.school_views.checkin) and the
project group's venue page (programme.staff_views.venue) both build it here, so the address shown
and the page that reads it cannot drift apart."""
import re

import qrcode
import qrcode.image.svg
from django.urls import reverse
from django.utils.html import escape


def checkin_url(request, activity) -> str:
    """The absolute address of the check-in page with `activity`'s code filled in, on the host the
    request came to (as the attendee's phone will reach it)."""
    return request.build_absolute_uri(reverse("programme:checkin", kwargs={"code": activity.checkin_code}))


def qr_svg(text: str, label: str = "签到二维码") -> str:
    """`text` as a QR code: inline SVG markup (a white ground and one path, no XML declaration, no
    style attribute) that scales with its container (viewBox; width and height 100%); `label` is
    what a screen reader announces."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=4,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)  # fmt: skip
    markup = image.to_string(encoding="unicode")
    # The library sizes the image in millimetres and leaves it transparent: the page decides how
    # big it is shown, and a white rectangle under the modules keeps the quiet zone a scanner
    # needs on any background (attributes, not style: the portal's CSP allows no inline style).
    return re.sub(r'^<svg width="[^"]*" height="[^"]*"([^>]*)>',
                  rf'<svg width="100%" height="100%" role="img" aria-label="{escape(label)}"\1><rect width="100%" height="100%" fill="#ffffff"/>',
                  markup, count=1)
