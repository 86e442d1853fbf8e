"""Django admin shows an application's status and the fields the journey's steps set, and edits
none of them: a move is made only by applications.workflow.transition, which writes the timeline
(an admin POST that set `selected` on an application still with its province would bypass it)."""
from django.urls import reverse

from applications.admin import ApplicationAdmin
from applications.models import Application, Status, TimelineEntry
from tests.review.helpers import submit_complete


def test_the_admin_change_form_has_no_status_input(client, admin_user, application_a, user_a, private_media):
    application = submit_complete(application_a, user_a)
    client.force_login(admin_user)

    html = client.get(reverse("admin:applications_application_change", args=[application.pk])).content.decode()

    assert 'name="status"' not in html
    assert "已提交，待省级推荐" in html
    assert 'name="correction_deadline_0"' not in html


def test_an_admin_post_naming_a_status_changes_nothing(client, admin_user, application_a, user_a, private_media):
    application = submit_complete(application_a, user_a)
    rows = TimelineEntry.objects.filter(application=application).count()
    client.force_login(admin_user)
    url = reverse("admin:applications_application_change", args=[application.pk])

    client.post(url, {"status": Status.SELECTED, "lead_name": application.lead_name, "_save": "保存"})

    assert Application.objects.get(pk=application.pk).status == Status.SUBMITTED
    assert TimelineEntry.objects.filter(application=application).count() == rows


def test_nobody_adds_an_application_in_admin(rf, admin_user):
    request = rf.get("/")
    request.user = admin_user
    assert ApplicationAdmin(Application, None).has_add_permission(request) is False


def test_reverting_to_an_earlier_history_row_does_not_move_the_status(client, admin_user, application_a, user_a, private_media):
    draft_version = application_a.history.latest()
    application = submit_complete(application_a, user_a)
    client.force_login(admin_user)
    url = reverse("admin:applications_application_simple_history", args=[application.pk, draft_version.history_id])

    client.post(url, {"lead_name": "改回", "_save": "保存"})

    assert Application.objects.get(pk=application.pk).status == Status.SUBMITTED
