"""The project group's Django admin group (review.roles.STAFF_GROUP) does everything on the
programme's models too: the programme's label joins review.roles.FULL_ACCESS_APPS when the app
loads, so every sync of the group (after migrate, in the seeders) includes them."""
from review import roles


def connect() -> None:
    if "programme" not in roles.FULL_ACCESS_APPS:
        roles.FULL_ACCESS_APPS.append("programme")
