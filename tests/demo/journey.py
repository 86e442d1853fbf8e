"""What the tests of the seeders check of every application they make: its timeline is a path of
the journey table (applications.workflow.JOURNEY), read in the order the pages show it (TimelineEntry.Meta.ordering, time then id)."""
from applications.models import Application, Status, TimelineEntry
from applications.workflow import find_move


def timeline_breaks(applications) -> list[str]:
    """One line per application whose timeline is not a path: the first row with a status must
    open the draft, each later move must start from the status the move before it ended in, and
    the last must end in the status the application has. Empty when every timeline is a path."""
    ids = list(applications.values_list("pk", flat=True))
    moves: dict[int, list[tuple[str, str, str]]] = {pk: [] for pk in ids}
    rows = TimelineEntry.objects.filter(application_id__in=ids).exclude(to_status="").order_by("at", "pk")
    for application_id, action, from_status, to_status in rows.values_list("application_id", "action", "from_status", "to_status"):
        moves[application_id].append((action, from_status, to_status))
    breaks = []
    for application in Application.objects.filter(pk__in=ids).only("pk", "number", "status"):
        path = moves[application.pk]
        if not path or path[0] != ("create", "", Status.DRAFT):
            breaks.append(f"{application.number}: starts with {path[:1]}, not the draft's creation")
            continue
        for (_a, _f, before), (action, from_status, to_status) in zip(path, path[1:]):
            if from_status != before:
                breaks.append(f"{application.number}: {action} {from_status}→{to_status} after a move that ended in {before}")
            elif find_move(action, from_status, to_status) is None:
                breaks.append(f"{application.number}: {action} {from_status}→{to_status} is not a move of the journey table")
        if path[-1][2] != application.status:
            breaks.append(f"{application.number}: the timeline ends in {path[-1][2]}, the application is {application.status}")
    return breaks
