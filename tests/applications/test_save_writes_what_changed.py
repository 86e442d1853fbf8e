"""Deadline night (issue 18): a save writes what changed and nothing else, and an autosave answers
with what the page needs, not a page. The revision check, the audit history and the version code
hold for every save: a changed field gives one new revision and one history row of the
application; a changed team row one history row of that row alone; a save that changes nothing
writes nothing (no revision, no history, the time of the last save kept), yet is still refused when
it comes from an older copy."""
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.forms import ApplicationForm, team_formset
from applications.models import Application, TeamMember
from applications.selectors import application_with_form_parts
from applications.services import DraftConflict, application_save_draft, refresh_version_code
from applications.workflow import WorkflowError
from tests.applications.pages import form_values

WRITES = ("INSERT", "UPDATE", "DELETE")


def edit_url(application):
    return reverse("applications:edit", args=[application.pk])


def autosave_url(application):
    return reverse("applications:autosave", args=[application.pk])


def opened(client, application) -> dict:
    response = client.get(edit_url(application))
    assert response.status_code == 200
    return form_values(response.content.decode(), "application-form")


def autosave(client, application, values):
    return client.post(autosave_url(application), values, HTTP_X_REQUESTED_WITH="fetch")


def history_counts(application) -> tuple[int, int]:
    return application.history.count(), TeamMember.history.filter(application_id=application.pk).count()


def recomputed_version_code(application) -> str:
    stored = Application.objects.get(pk=application.pk)
    expected = refresh_version_code(stored)
    return expected


def test_an_autosave_answers_with_what_the_page_needs_not_a_page(client, user_a, complete_application_a):
    client.force_login(user_a)
    values = opened(client, complete_application_a)
    values["unit_opinion"] = "同意申报，学校在人员、经费、场地方面给予保障。（改）"

    response = autosave(client, complete_application_a, values)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    answer = json.loads(response.content)
    stored = Application.objects.get(pk=complete_application_a.pk)
    assert answer["saved"] is True
    assert answer["revision"] == stored.revision == int(values["revision"]) + 1
    assert answer["version_code"] == stored.version_code
    assert answer["saved_at"].count(":") == 1  # 时:分, Beijing time
    assert set(answer["sections"]) == {"basic", "people", "team", "projects", "plan", "pledge", "opinions"}
    assert all(label in ("已完成", "未完成", "有错误") for label in answer["sections"].values())
    assert answer["plan_zi"] > 0
    assert len(answer["team_ids"]) == int(values["team-TOTAL_FORMS"])
    assert "<html" not in response.content.decode() and len(response.content) < 2000


def test_a_changed_field_writes_the_application_once_and_no_team_row(client, user_a, complete_application_a):
    client.force_login(user_a)
    values = opened(client, complete_application_a)
    before = Application.objects.get(pk=complete_application_a.pk)
    applications, team = history_counts(before)
    values["unit_opinion"] = "同意申报。（第二次修改）"

    with CaptureQueriesContext(connection) as captured:
        assert autosave(client, complete_application_a, values).status_code == 200

    stored = Application.objects.get(pk=complete_application_a.pk)
    assert stored.unit_opinion == "同意申报。（第二次修改）"
    assert stored.revision == before.revision + 1
    assert history_counts(stored) == (applications + 1, team)  # the audit history keeps the save
    assert stored.history.latest().unit_opinion == "同意申报。（第二次修改）"
    assert stored.version_code == recomputed_version_code(stored) != before.version_code
    writes = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]
    assert not any("applications_teammember" in sql for sql in writes)
    assert not any("django_session" in sql for sql in writes)  # renewed at most once a minute
    # The application's row is written in the changed columns, not the whole plan again.
    update = next(sql for sql in writes if sql.startswith('UPDATE "applications_application"'))
    assert '"plan_content"' not in update and '"unit_opinion"' in update


def test_a_changed_team_row_writes_that_row_alone(client, user_a, complete_application_a):
    client.force_login(user_a)
    values = opened(client, complete_application_a)
    before = Application.objects.get(pk=complete_application_a.pk)
    applications, team = history_counts(before)
    changed_row = int(values["team-1-id"])
    values["team-1-duty"] = "课程开发与教学组织"

    assert autosave(client, complete_application_a, values).status_code == 200

    stored = Application.objects.get(pk=complete_application_a.pk)
    assert history_counts(stored) == (applications + 1, team + 1)
    assert TeamMember.history.filter(application_id=stored.pk).latest().id == changed_row
    assert TeamMember.objects.get(pk=changed_row).duty == "课程开发与教学组织"
    assert stored.version_code == recomputed_version_code(stored) != before.version_code


def test_deleting_a_team_row_renumbers_and_writes_the_moved_rows(client, user_a, complete_application_a):
    client.force_login(user_a)
    values = opened(client, complete_application_a)
    ids = [int(values[f"team-{i}-id"]) for i in range(int(values["team-INITIAL_FORMS"]))]
    assert len(ids) >= 3
    values["team-1-DELETE"] = "on"

    answer = autosave(client, complete_application_a, values).json()

    stored = Application.objects.get(pk=complete_application_a.pk)
    kept = list(stored.team.order_by("position"))
    assert [row.pk for row in kept] == [ids[0], *ids[2:]]
    assert [row.position for row in kept] == list(range(len(kept)))
    assert answer["team_ids"][:len(ids)] == [ids[0], None, *ids[2:]]
    assert stored.version_code == recomputed_version_code(stored)


def test_an_unchanged_autosave_writes_nothing_and_keeps_the_revision(client, user_a, complete_application_a):
    client.force_login(user_a)
    values = opened(client, complete_application_a)
    before = Application.objects.get(pk=complete_application_a.pk)
    history = history_counts(before)

    with CaptureQueriesContext(connection) as captured:
        response = autosave(client, complete_application_a, values)

    assert response.status_code == 200
    assert response.json()["saved"] is True and response.json()["revision"] == before.revision
    assert response.json()["version_code"] == before.version_code
    assert [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)] == []
    after = Application.objects.get(pk=complete_application_a.pk)
    assert (after.revision, after.updated_at, after.version_code) == (before.revision, before.updated_at, before.version_code)
    assert history_counts(after) == history


def test_an_unchanged_autosave_from_an_older_copy_is_still_a_conflict(client, user_a, complete_application_a):
    client.force_login(user_a)
    old_copy = opened(client, complete_application_a)
    newer = dict(old_copy, liaison_title="继续教育学院副院长")
    assert autosave(client, complete_application_a, newer).status_code == 200

    response = autosave(client, complete_application_a, old_copy)  # the other tab, untouched

    assert response.status_code == 409 and response.json()["conflict"] is True
    assert Application.objects.get(pk=complete_application_a.pk).liaison_title == "继续教育学院副院长"


def test_a_team_row_id_of_another_application_is_refused(client, user_a, complete_application_a, application_b):
    client.force_login(user_a)
    foreign = TeamMember.objects.create(application=application_b, position=0, name="别校成员", title="教师", mobile="13800000000", duty="无")
    values = opened(client, complete_application_a)
    values["team-0-id"] = str(foreign.pk)
    values["team-0-name"] = "冒名"

    response = autosave(client, complete_application_a, values)

    assert response.status_code == 400 and response.json()["saved"] is False
    assert TeamMember.objects.get(pk=foreign.pk).name == "别校成员"
    assert not TeamMember.objects.filter(name="冒名").exists()


def test_a_save_racing_another_is_refused_by_the_write_itself(user_a, complete_application_a):
    # Both requests read revision r; the other one writes first. This one's check before writing
    # passes on its own (stale) copy; the UPDATE, which checks the revision itself, writes nothing.
    def stale_form():
        application = application_with_form_parts(Application.objects.filter(pk=complete_application_a.pk)).get()
        data = {name: value for name, value in ApplicationForm(instance=application).initial.items() if isinstance(value, str)}
        data.update(revision=str(application.revision), unit_opinion="后到的保存", projects=[str(p.pk) for p in application.projects.all()])
        data.update(pledge_accept="on" if application.pledge_accepted_at else "")
        form = ApplicationForm(data, instance=application)
        formset = team_formset(application=application, data={"team-TOTAL_FORMS": "0", "team-INITIAL_FORMS": "0"})
        return application, form, formset

    application, form, formset = stale_form()
    Application.objects.filter(pk=application.pk).update(revision=application.revision + 1)  # the other save
    assert form.is_valid(), form.errors
    formset.is_valid()
    history = history_counts(application)
    with pytest.raises(DraftConflict):
        application_save_draft(application=application, form=form, team_formset=formset, actor=user_a, expected_revision=application.revision)
    assert Application.objects.get(pk=application.pk).unit_opinion != "后到的保存"
    assert history_counts(application) == history

    application, form, formset = stale_form()
    Application.objects.filter(pk=application.pk).update(status="submitted")  # submitted in another tab meanwhile
    assert form.is_valid()
    formset.is_valid()
    with pytest.raises(WorkflowError) as refused:
        application_save_draft(application=application, form=form, team_formset=formset, actor=user_a, expected_revision=application.revision)
    assert refused.value.code == "not_editable" and not isinstance(refused.value, DraftConflict)
    assert Application.objects.get(pk=application.pk).unit_opinion != "后到的保存"
