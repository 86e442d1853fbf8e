"""What every page about one application shows, built once for all of them: the school's edit,
detail and submit pages, the province's, the project group's and the expert's. Each view adds
only its own forms."""
from applications.documents import project_choices
from applications.models import Application, Status
from applications.rules import PLAN_MIN_ZI, SECTIONS, check_application
from applications.workflow import allowed_actions, current_scan, deadline_for, scan_is_current
from portal import policy


def application_page(application: Application, user, *, check=None) -> dict:
    """The context every application page shares, as `user` may see it.

    `application` should come with its parts prefetched (selectors.application_with_parts). The
    status is the one this reader may know (policy.status_as_seen_by: no outcome before
    publication but for the project group); the timeline holds the rows this reader may read,
    each marked whether its internal comment is shown (policy.timeline_for); `allowed` is what
    the journey lets this user do now."""
    check = check or check_application(application)
    scan = current_scan(application)
    shown_status = policy.status_as_seen_by(user, application)
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
        "projects": project_choices(application),
        "timeline": policy.timeline_for(user, application.timeline.all()),
        "show_internal": policy.sees_internal_timeline(user),
        "allowed": allowed_actions(application, user, check=check),
        "plan_min_zi": PLAN_MIN_ZI,
    }
