"""Django admin shows an application's status and the fields the journey's steps set, and edits
none of them: a move is made only by applications.workflow.transition, which writes the timeline
(an admin POST that set `selected` on an application still with its province would bypass it)."""
from django.urls import reverse

from applications.admin import ApplicationAdmin
from applications.models import Application, Status, TimelineEntry
from tests.conftest import aware
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


def test_the_batch_admin_says_what_a_deadline_stores_and_what_it_means(client, admin_user, batch):
    batch.national_deadline = aware(2023, 4, 28, 23, 59)
    batch.save()
    client.force_login(admin_user)

    html = client.get(reverse("admin:applications_batch_change", args=[batch.pk])).content.decode()

    assert "截止到该分钟结束：例如 23:59 表示当天 23:59:59 之前均有效。" in html
    assert "2023年04月28日 23:59:59（北京时间）前" in html
    assert 'value="23:59"' in html  # the time to the minute, no seconds to misread
