"""Who may act in the provincial pages. Out of reach: 404; may see but not act: 403."""
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from applications.models import ProvincialWindow
from applications.permissions import get_visible_application
from portal.models import Role


def require_provincial_reviewer(user) -> None:
    if not user.is_authenticated or user.role != Role.PROVINCE or user.association_id is None:
        raise PermissionDenied("此页面仅供省级协会使用。")


def get_reviewer_window(user, window_id) -> ProvincialWindow:
    """The reviewer's own association's window; any other is a 404."""
    require_provincial_reviewer(user)
    return get_object_or_404(
        ProvincialWindow.objects.select_related("batch", "association__province"), pk=window_id, association_id=user.association_id
    )


def get_reviewer_application(user, pk, *, with_parts: bool = False):
    """An application the provincial reviewer handles. Outside their province: 404 (as for anyone
    who may not see it); someone who may see it but is no provincial reviewer: 403."""
    application = get_visible_application(user, pk, with_parts=with_parts)
    require_provincial_reviewer(user)
    return application


def require_project_staff(user) -> None:
    if not user.is_authenticated or user.role not in (Role.STAFF, Role.ADMIN):
        raise PermissionDenied("此页面仅供项目组使用。")


def require_expert(user) -> None:
    if not user.is_authenticated or user.role != Role.EXPERT:
        raise PermissionDenied("此页面仅供评审专家使用。")


def get_staff_application(user, pk, *, with_parts: bool = False):
    """An application that reached the project group; others are a 404, non-staff a 403."""
    application = get_visible_application(user, pk, with_parts=with_parts)
    require_project_staff(user)
    return application


def get_expert_assignment(user, pk):
    """The expert's own active assignment; anyone else's is a 404."""
    from review.models import Assignment

    require_expert(user)
    return get_object_or_404(
        Assignment.objects.select_related("application__batch", "application__school__province", "review"),
        pk=pk, expert=user, is_active=True,
    )  # fmt: skip
