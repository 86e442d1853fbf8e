"""The Django admin group of the project group's staff, kept in step with the models.

Staff work in the review pages and in Django admin; admin needs model permissions, which this
group carries: everything on the applications and review models (and those of the apps above that
join FULL_ACCESS_APPS), and viewing (not editing) organisations and users, which the admins manage.
Run after every migrate."""
from django.contrib.auth.models import Group, Permission
from django.db.models.signals import post_migrate

STAFF_GROUP = "项目组"
# The apps whose models the group may do everything on; an app above review adds its own label
# when it loads (programme.roles), so review need not know it.
FULL_ACCESS_APPS = ["applications", "review"]


def sync_staff_group(**kwargs) -> Group:
    group, _ = Group.objects.get_or_create(name=STAFF_GROUP)
    full = Permission.objects.filter(content_type__app_label__in=FULL_ACCESS_APPS)
    view_only = Permission.objects.filter(content_type__app_label="portal", codename__startswith="view_")
    group.permissions.set(list(full) + list(view_only))
    return group


def connect() -> None:
    post_migrate.connect(sync_staff_group, dispatch_uid="review.roles.sync_staff_group")
