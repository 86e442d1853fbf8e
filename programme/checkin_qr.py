"""The activity's check-in code as a link and a QR code, shown at the venue: an attendee scans it
with a phone and lands on the school's check-in page with the code filled in.

helper-staff's copy, written against the signature helper-school provides (the lead keeps one at
merge): checkin_url(request, activity) and qr_svg(text)."""
import re

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_safe

from portal import policy


def checkin_url(request, activity) -> str:
    """The absolute URL of the school's check-in page with the activity's code."""
    return request.build_absolute_uri(reverse("programme:checkin", kwargs={"code": activity.checkin_code}))


def qr_svg(text: str) -> str:
    """`text` as a QR code: an inline SVG (paths only, no style attribute, so the page's
    Content-Security-Policy lets it in) that scales to its container."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=4,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)  # fmt: skip
    svg = image.to_string(encoding="unicode")
    # Sized by the page (width 100% of its box) rather than the library's fixed millimetres.
    return re.sub(r'<svg width="[^"]*" height="[^"]*"', '<svg width="100%" height="100%" role="img" aria-label="签到二维码"', svg, count=1)


@login_required
@require_safe
def checkin_entry(request, code):
    """Where the QR code leads in this branch (programme:checkin): the school's staff are taken to
    their workspace, where they check in with the code. helper-school's check-in page replaces it."""
    policy.require_school(request.user)
    messages.info(request, f"签到码 {code}：请在工作台对应的活动邀请中签到。")
    return redirect("dashboard")
