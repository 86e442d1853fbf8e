"""Who may do what to an application. Views call these on their first line.

Out of the user's reach: 404 (we do not even confirm it exists). Within reach but not theirs to
change: 403.
"""
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from applications.models import Application
from applications.selectors import application_with_parts, applications_editable_by, applications_visible_to
from portal.models import Role


def get_visible_application(user, pk, *, with_parts: bool = False) -> Application:
    qs = applications_visible_to(user)
    return get_object_or_404(application_with_parts(qs) if with_parts else qs, pk=pk)


def get_own_application(user, pk, *, with_parts: bool = False) -> Application:
    """The school's own application, for writing. Another school's is a 404; someone who may
    read it but is not the school (a reviewer, staff) gets a 403."""
    qs = applications_editable_by(user)
    application = (application_with_parts(qs) if with_parts else qs).filter(pk=pk).first()
    if application is None:
        get_visible_application(user, pk)  # 404 when the user may not even see it
        raise PermissionDenied("只有申报单位本身可以修改申请表。")
    return application


def require_school(user) -> None:
    if not user.is_authenticated or user.role != Role.SCHOOL or user.school_id is None:
        raise PermissionDenied("此页面仅供申报单位使用。")
