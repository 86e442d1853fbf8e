"""Two tabs or two colleagues editing the same draft: the later save from an older copy is told,
keeps what it typed on screen, and never silently overwrites the other. A save that does not say
which copy it was made from (no revision, or one that is no number) is refused the same way."""
from django.urls import reverse

from applications.models import Application
from tests.applications.pages import form_values
from tests.conftest import PASSWORD


def open_form(client, application) -> dict:
    """The values the edit page would submit, as a browser would send them."""
    response = client.get(reverse("applications:edit", args=[application.pk]))
    assert response.status_code == 200
    return form_values(response.content.decode(), "application-form")


def test_the_second_save_from_an_older_copy_is_refused_and_keeps_its_text(client, application_a, user_a):
    client.login(username="school-a", password=PASSWORD)
    first_tab = open_form(client, application_a)
    second_tab = open_form(client, application_a)

    first_tab["lead_name"] = "王晓燕"
    assert client.post(reverse("applications:edit", args=[application_a.pk]), first_tab).status_code == 302

    second_tab["lead_name"] = "陈明华"
    second_tab["plan_name"] = "第二个窗口里写的方案名称"
    response = client.post(reverse("applications:edit", args=[application_a.pk]), second_tab)

    page = response.content.decode()
    assert response.status_code == 200
    assert "为免覆盖，本次没有保存" in page
    # What the second tab typed is still on screen, to merge ...
    assert form_values(page, "application-form")["plan_name"] == "第二个窗口里写的方案名称"
    assert form_values(page, "application-form")["lead_name"] == "陈明华"
    # ... and the first tab's save stands.
    stored = Application.objects.get(pk=application_a.pk)
    assert (stored.lead_name, stored.plan_name) == ("王晓燕", "")


def test_saving_again_after_the_warning_goes_through(client, application_a, user_a):
    client.login(username="school-a", password=PASSWORD)
    first_tab = open_form(client, application_a)
    second_tab = open_form(client, application_a)
    first_tab["lead_name"] = "王晓燕"
    client.post(reverse("applications:edit", args=[application_a.pk]), first_tab)
    second_tab["lead_name"] = "陈明华"
    warned = client.post(reverse("applications:edit", args=[application_a.pk]), second_tab)

    # The warning page carries the current revision: the person merged, and saves deliberately.
    merged = form_values(warned.content.decode(), "application-form")
    response = client.post(reverse("applications:edit", args=[application_a.pk]), merged)

    assert response.status_code == 302
    assert Application.objects.get(pk=application_a.pk).lead_name == "陈明华"


def test_one_tab_saving_twice_is_no_conflict(client, application_a, user_a):
    client.login(username="school-a", password=PASSWORD)
    values = open_form(client, application_a)
    values["lead_name"] = "王晓燕"
    client.post(reverse("applications:edit", args=[application_a.pk]), values)

    again = open_form(client, application_a)  # the page after the redirect, as the browser shows it
    again["lead_title"] = "副院长"
    assert client.post(reverse("applications:edit", args=[application_a.pk]), again).status_code == 302
    assert Application.objects.get(pk=application_a.pk).lead_title == "副院长"


def test_a_save_without_its_revision_is_refused_and_keeps_its_text(client, application_a, user_a):
    # A page (or a script) that does not say which revision it was opened at could be overwriting a
    # later save: it is refused like a conflict, not stored unchecked.
    client.login(username="school-a", password=PASSWORD)
    before = Application.objects.get(pk=application_a.pk)
    for revision in (None, "", "abc", "-1", "²"):
        values = open_form(client, application_a)
        values.pop("revision")
        if revision is not None:
            values["revision"] = revision
        values["lead_name"] = "陈明华"
        values["plan_name"] = "没有版本号的窗口里写的方案名称"

        response = client.post(reverse("applications:edit", args=[application_a.pk]), values)

        page = response.content.decode()
        assert response.status_code == 200, revision
        assert "这次保存没有带上页面打开时的版本信息" in page and "为免覆盖，本次没有保存" in page
        assert form_values(page, "application-form")["plan_name"] == "没有版本号的窗口里写的方案名称"
        assert form_values(page, "application-form")["lead_name"] == "陈明华"
        stored = Application.objects.get(pk=application_a.pk)
        assert (stored.revision, stored.lead_name, stored.plan_name) == (before.revision, before.lead_name, before.plan_name)


def test_after_the_warning_about_a_missing_revision_saving_again_goes_through(client, application_a, user_a):
    client.login(username="school-a", password=PASSWORD)
    values = open_form(client, application_a)
    values.pop("revision")
    values["lead_name"] = "陈明华"
    warned = client.post(reverse("applications:edit", args=[application_a.pk]), values)

    # The page now carries the revision it shows: saving it is a deliberate save of that copy.
    response = client.post(reverse("applications:edit", args=[application_a.pk]), form_values(warned.content.decode(), "application-form"))

    assert response.status_code == 302
    assert Application.objects.get(pk=application_a.pk).lead_name == "陈明华"


def test_an_autosave_without_its_revision_is_refused(client, application_a, user_a):
    client.login(username="school-a", password=PASSWORD)
    values = open_form(client, application_a)
    values.pop("revision")
    values["lead_name"] = "陈明华"
    before = Application.objects.get(pk=application_a.pk)

    response = client.post(reverse("applications:autosave", args=[application_a.pk]), values)

    assert response.status_code == 409
    assert response.json()["saved"] is False and "为免覆盖，本次没有保存" in response.json()["message"]
    stored = Application.objects.get(pk=application_a.pk)
    assert (stored.revision, stored.lead_name) == (before.revision, before.lead_name)
