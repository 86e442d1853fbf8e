"""What every page about one application shows, built once for all of them: the school's edit,
detail and submit pages, the province's, the project group's and the expert's. Each view adds
only its own forms."""
import functools
import re
from dataclasses import dataclass
from datetime import datetime

from applications.documents import project_choices
from applications.models import Application, Status
from applications.rules import PLAN_MIN_ZI, SECTIONS, check_application
from applications.selectors import window_for
from applications.workflow import Deadline, allowed_actions, current_scan, deadline_for, scan_is_current
from portal import policy

# Who signs the project group's mails to a school (emails/_signature.txt): the return notice names
# the one who returned the application as the mail did.
PROJECT_GROUP_NAME = "中国成人教育协会 职业院校服务全民终身学习项目组"
# review.formal_check writes a 补正's timeline row as "请于 <deadline> 前补正：<reason>"; the notice
# shows the deadline on its own line, so the reason is read without that prefix.
CORRECTION_PREFIX = re.compile(r"^请于 .+? 前补正：")


@dataclass(frozen=True)
class ReturnNotice:
    """Why, by whom and when an application was returned (退回修改 by the province, 退回补正 by the
    project group), and by when it must come back."""

    reason: str
    returned_by: str
    returned_at: datetime
    deadline: Deadline
    is_correction: bool  # 补正: resubmitted straight to the project group


def return_notice(application: Application, entries=None) -> ReturnNotice | None:
    """The notice the school reads at the top of its pages while `application` is returned to it
    (None otherwise): the reason of the latest return on its timeline (`entries`, default the
    application's, read in order), who returned it, when, and the deadline that applies now."""
    if application.status != Status.RETURNED:
        return None
    entries = list(application.timeline.all()) if entries is None else list(entries)
    returns = [e for e in entries if e.to_status == Status.RETURNED and e.action in ("province_return", "formal_return")]
    if not returns:
        return None
    latest = max(returns, key=lambda e: (e.at, e.pk))
    if latest.action == "formal_return":
        reason, returned_by = CORRECTION_PREFIX.sub("", latest.comment), PROJECT_GROUP_NAME
    else:
        window = window_for(application.batch, application.school.province)
        association = getattr(latest.actor, "association", None) or (window.association if window else None)
        reason, returned_by = latest.comment, association.name if association else "省级协会"
    return ReturnNotice(reason, returned_by, latest.at, deadline_for(application), latest.action == "formal_return")


def revising_after_return(application: Application, notice: ReturnNotice | None, scan=None) -> bool:
    """Whether the school is still to act on a return: returned, and no scan uploaded since (a scan
    uploaded after the return is the school's revised, re-signed form, ready to submit again).
    While it holds, the form's finished sections read 请核对, not 已完成."""
    if notice is None:
        return False
    scan = scan if scan is not None else current_scan(application)
    return not (scan is not None and scan.uploaded_at > notice.returned_at and scan_is_current(application, scan))


def application_page(application: Application, user, *, check=None) -> dict:
    """The context every application page shares, as `user` may see it.

    `application` should come with its parts prefetched (selectors.application_with_parts). The
    status is the one this reader may know (policy.status_as_seen_by: no outcome before
    publication but for the project group); the timeline holds the rows this reader may read,
    each marked whether its internal comment is shown (policy.timeline_for); `allowed` is what
    the journey lets this user do now; `return_notice` says why it was returned while it is."""
    check = check or check_application(application)
    scan = current_scan(application)
    shown_status = policy.status_as_seen_by(user, application)
    timeline = policy.timeline_for(user, application.timeline.all())
    notice = return_notice(application, timeline)
    return {
        "application": application,
        "shown_status": shown_status,
        "shown_status_label": Status(shown_status).label,
        "check": check,
        "sections": [(key, title, check.sections[key]) for key, title, _fields in SECTIONS],
        "deadline": deadline_for(application),
        "scan": scan,
        "scan_current": scan_is_current(application, scan),
        "team": [row for row in application.team.all() if not row.is_blank()],
        # Only the detail page lists them (the form shows its own checkboxes): read when shown.
        "projects": functools.partial(project_choices, application),
        "timeline": timeline,
        "show_internal": policy.sees_internal_timeline(user),
        "allowed": allowed_actions(application, user, check=check),
        "plan_min_zi": PLAN_MIN_ZI,
        "return_notice": notice,
        "revising": revising_after_return(application, notice, scan),
    }
