"""The autosave as static/js/autosave.js sends it: the form as JSON, {name: [values]}, the CSRF token
in the X-CSRFToken header (portal/autosave_body.py). It saves as the form body did, a page opened
before the change still saves with its form body, and what is not such an object is a 400, with
nothing stored. An autosave whose team table came back as stored builds no team formset, writes
no team row and still answers with the rows' ids."""
import json

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from applications.models import Application, TeamMember
from tests.applications.pages import read_form

WRITES = ("INSERT", "UPDATE", "DELETE")


def opened(client, application) -> dict[str, list[str]]:
    response = client.get(reverse("applications:edit", args=[application.pk]))
    assert response.status_code == 200
    values, _attrs = read_form(response.content.decode(), "application-form")
    return {name: list(found) for name, found in values.items()}


def post_json(client, application, values, **headers):
    return client.post(reverse("applications:autosave", args=[application.pk]), json.dumps(values, ensure_ascii=False),
                       content_type="application/json", HTTP_X_REQUESTED_WITH="fetch", **headers)  # fmt: skip


def csrf_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_the_json_autosave_saves_with_the_pages_csrf_token(user_a, complete_application_a):
    client = csrf_client(user_a)
    values = opened(client, complete_application_a)
    values["unit_opinion"] = ["同意申报，学校在人员、经费、场地方面给予保障。（自动保存）"]

    response = post_json(client, complete_application_a, values, HTTP_X_CSRFTOKEN=values["csrfmiddlewaretoken"][0])

    assert response.status_code == 200 and response.json()["saved"] is True
    stored = Application.objects.get(pk=complete_application_a.pk)
    assert stored.unit_opinion == "同意申报，学校在人员、经费、场地方面给予保障。（自动保存）"
    assert stored.revision == int(values["revision"][0]) + 1


def test_without_the_csrf_header_the_json_autosave_is_refused(user_a, complete_application_a):
    client = csrf_client(user_a)
    values = opened(client, complete_application_a)
    values["unit_opinion"] = ["不应保存"]

    response = post_json(client, complete_application_a, values)  # the token in the body alone is not read from JSON

    assert response.status_code == 403
    assert Application.objects.get(pk=complete_application_a.pk).unit_opinion != "不应保存"


def test_a_page_opened_before_still_saves_with_its_form_body(user_a, complete_application_a):
    client = csrf_client(user_a)
    values = opened(client, complete_application_a)
    values["unit_opinion"] = ["旧页面的自动保存"]

    response = client.post(reverse("applications:autosave", args=[complete_application_a.pk]), values, HTTP_X_REQUESTED_WITH="fetch")

    assert response.status_code == 200 and response.json()["saved"] is True
    assert Application.objects.get(pk=complete_application_a.pk).unit_opinion == "旧页面的自动保存"


def test_a_body_that_is_not_the_forms_object_is_a_400_and_stores_nothing(client, user_a, complete_application_a):
    client.force_login(user_a)
    values = opened(client, complete_application_a)
    before = Application.objects.get(pk=complete_application_a.pk)
    url = reverse("applications:autosave", args=[complete_application_a.pk])
    for body in ("{not json", "[1, 2]", json.dumps({**values, "unit_opinion": [1]}), json.dumps({**values, "unit_opinion": {"a": "b"}}),
                 b"\xff\xfe{}"):  # fmt: skip
        response = client.post(url, body, content_type="application/json", HTTP_X_REQUESTED_WITH="fetch")
        assert response.status_code == 400, body
    with override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=len(values) - 1):
        assert post_json(client, complete_application_a, values).status_code == 400
    after = Application.objects.get(pk=complete_application_a.pk)
    assert (after.revision, after.updated_at) == (before.revision, before.updated_at)


def test_an_autosave_with_the_team_as_stored_writes_no_team_row_and_answers_its_ids(client, user_a, complete_application_a, monkeypatch):
    def no_formset(**kwargs):
        raise AssertionError("the team came back as stored: no formset to build")

    monkeypatch.setattr("applications.autosave.team_formset", no_formset)
    client.force_login(user_a)
    values = opened(client, complete_application_a)
    values["plan_goals"] = [values["plan_goals"][0] + "（补充）"]
    stored_ids = list(complete_application_a.team.order_by("position", "pk").values_list("pk", flat=True))
    team_history = TeamMember.history.filter(application_id=complete_application_a.pk).count()

    with CaptureQueriesContext(connection) as captured:
        response = post_json(client, complete_application_a, values)

    assert response.status_code == 200 and response.json()["saved"] is True
    total = int(values["team-TOTAL_FORMS"][0])
    assert response.json()["team_ids"] == stored_ids + [None] * (total - len(stored_ids))
    sql = [q["sql"] for q in captured.captured_queries]
    assert not any("applications_teammember" in query and query.lstrip().upper().startswith(WRITES) for query in sql)
    assert TeamMember.history.filter(application_id=complete_application_a.pk).count() == team_history
    assert Application.objects.get(pk=complete_application_a.pk).plan_goals.endswith("（补充）")


def test_a_team_cell_changed_by_a_space_goes_through_the_formset(client, user_a, complete_application_a):
    client.force_login(user_a)
    values = opened(client, complete_application_a)
    values["team-0-duty"] = ["  " + values["team-0-duty"][0] + "，兼联络  "]

    response = post_json(client, complete_application_a, values)

    assert response.status_code == 200 and response.json()["saved"] is True
    first = complete_application_a.team.order_by("position", "pk").first()
    assert first.duty == values["team-0-duty"][0].strip()  # cleaned as the form cleans it


def test_the_projects_as_stored_are_not_looked_up_again_and_a_new_choice_is(client, user_a, complete_application_a):
    from applications.models import ProjectCategory

    client.force_login(user_a)
    values = opened(client, complete_application_a)
    values["unit_opinion"] = ["同意申报。（项目未改）"]
    with CaptureQueriesContext(connection) as captured:
        assert post_json(client, complete_application_a, values).status_code == 200
    lookups = [q["sql"] for q in captured.captured_queries if 'WHERE "applications_projectcategory"."id" IN' in q["sql"]]
    assert lookups == []

    chosen = {int(pk) for pk in values["projects"]}
    other = ProjectCategory.objects.exclude(pk__in=chosen).exclude(is_other=True).order_by("position").first()
    values["projects"] = [str(other.pk)]
    values["revision"] = [str(Application.objects.get(pk=complete_application_a.pk).revision)]
    assert post_json(client, complete_application_a, values).json()["saved"] is True
    assert list(complete_application_a.projects.values_list("pk", flat=True)) == [other.pk]
    values["projects"] = ["999999"]  # no such category
    values["revision"] = [str(Application.objects.get(pk=complete_application_a.pk).revision)]
    refused = post_json(client, complete_application_a, values)
    assert refused.status_code == 400 and "projects" in refused.json()["errors"]
