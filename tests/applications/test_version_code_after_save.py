"""The version code follows what is stored after every save, the team table included: a scan
printed before a change to the team alone is no longer current."""
from django.urls import reverse

from applications.models import Application
from tests.applications.pages import form_values


def test_a_change_to_the_team_alone_changes_the_version_code(client, user_a, complete_application_a):
    client.force_login(user_a)
    url = reverse("applications:edit", args=[complete_application_a.pk])
    before = Application.objects.get(pk=complete_application_a.pk).version_code
    values = form_values(client.get(url).content.decode(), "application-form")
    values["team-1-name"] = "改过的名字"

    assert client.post(url, values).status_code == 302

    stored = Application.objects.get(pk=complete_application_a.pk)
    team = [row for row in stored.team.all() if not row.is_blank()]
    assert "改过的名字" in [row.name for row in team]
    assert stored.version_code == stored.content_fingerprint(team, [p.code for p in stored.projects.all()])
    assert stored.version_code != before
