"""The project group's Django admin group (review.roles.STAFF_GROUP) also gets every permission on
the programme's models. Connected after review's receiver, so on every post_migrate it adds to the
set that review has just set."""
from django.contrib.auth.models import Group, Permission
from django.db.models.signals import post_migrate


def add_programme_permissions(**kwargs) -> None:
    from review.roles import STAFF_GROUP

    group, _ = Group.objects.get_or_create(name=STAFF_GROUP)
    group.permissions.add(*Permission.objects.filter(content_type__app_label="programme"))


def connect() -> None:
    post_migrate.connect(add_programme_permissions, dispatch_uid="programme.roles.add_programme_permissions")
