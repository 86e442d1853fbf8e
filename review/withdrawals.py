"""What a school's withdrawal (applications.workflow.withdraw) means for the review: its experts'
assignments end (their tasks disappear from their lists, the tallies follow) and its provincial rank
is freed for another school (a window's quota counts ranks)."""
from applications.workflow import application_moved


def on_application_moved(sender, *, application, move, actor, now, **kwargs) -> None:
    """Receiver of applications.workflow.application_moved, inside the mover's transaction.

    Side effects on a withdrawal: every active assignment of the application ends with a timeline
    row (hidden from the school); its ProvincialReview keeps its opinion but loses its rank."""
    if move.action != "withdraw":
        return
    from review.expert_assignment import end_assignment
    from review.models import Assignment, ProvincialReview

    for assignment in Assignment.objects.select_for_update().filter(application=application, is_active=True).select_related("expert", "application"):
        end_assignment(assignment, actor, "学校已撤回申请")
    ProvincialReview.objects.filter(application=application, rank__isnull=False).update(rank=None)


def connect() -> None:
    application_moved.connect(on_application_moved, dispatch_uid="review.withdrawals")
