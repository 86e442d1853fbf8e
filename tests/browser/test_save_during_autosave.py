"""A click on "保存草稿" while an autosave of the same page is still on its way (stored by the server,
its answer not yet back) saves the draft: the page waits for the autosave's new revision instead of
sending the old one and warning the school of a conflict with itself."""
import pytest

from applications.models import Application
from tests.browser.steps import be_patient, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]


def test_saving_while_an_autosave_is_under_way(page, live_server, batch, zhejiang_window, user_a, application_a):
    be_patient(page)
    held = []

    def hold_the_answer(route):
        held.append((route, route.fetch()))  # the server stores it now; the page hears later

    log_in(page, live_server, user_a.username)
    page.goto(f"{live_server.url}/applications/{application_a.pk}/edit/")
    page.route("**/autosave/", hold_the_answer)
    page.locator("#id_lead_name").fill("王晓燕")
    for _ in range(200):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "no autosave was sent"
    assert Application.objects.get(pk=application_a.pk).lead_name == "王晓燕"

    page.locator("#id_lead_title").fill("副院长")
    page.locator(".save-bar").get_by_role("button", name="保存草稿").click()
    route, response = held[0]
    try:
        route.fulfill(response=response)
    except Exception:  # noqa: BLE001 — the page already left (and cancelled the autosave)
        pass
    page.wait_for_load_state()
    conflict = page.get_by_text("您在本页填写的内容都还在")
    page.locator(".messages").or_(conflict).first.wait_for()
    assert conflict.count() == 0, "the school was warned of a conflict with its own autosave"
    assert "草稿已保存" in page.locator(".messages").inner_text()
    assert Application.objects.get(pk=application_a.pk).lead_title == "副院长"
