"""The application form by keyboard alone: the skip link, then Tab through the first sections
with the focus always visible, typing with the keyboard, saving with Enter and with Space; a field
the rules refuse is marked invalid with its message next to it, tied to it for screen readers."""
import pytest

from applications.models import Application
from tests.browser.steps import (
    assert_error_next_to, assert_focus_visible, be_patient, focused, log_in, tab_to,
)  # fmt: skip

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]


def test_the_first_sections_by_keyboard_only(page, audit, live_server, batch, zhejiang_window, user_a, application_a):
    be_patient(page)
    log_in(page, live_server, user_a.username)
    page.goto(f"{live_server.url}/applications/{application_a.pk}/edit/")
    keyboard = page.keyboard

    # The first Tab reaches the skip link, which shows itself and jumps over the navigation.
    keyboard.press("Tab")
    assert assert_focus_visible(page)["name"] == "跳到正文"
    keyboard.press("Enter")
    keyboard.press("Tab")
    assert page.evaluate("() => document.getElementById('main').contains(document.activeElement)")

    # Tab to the first field: every stop on the way shows where the focus is.
    stops = tab_to(page, "id_lead_name")
    assert len(stops) < 30, [s["id"] or s["name"] for s in stops]
    keyboard.type("王晓燕")
    keyboard.press("Tab")
    assert focused(page)["id"] == "id_lead_title"
    keyboard.type("副院长")
    keyboard.press("Tab")
    assert focused(page)["id"] == "id_lead_mobile"
    keyboard.type("1380000")  # too short: saved as a draft, refused by the rules
    tab_to(page, "id_liaison_name", limit=3)
    keyboard.type("何晓东")
    keyboard.press("Tab")
    keyboard.type("办公室主任")
    keyboard.press("Tab")
    keyboard.type("13700000001")
    keyboard.press("Tab")
    button = assert_focus_visible(page)
    assert (button["tag"], button["name"]) == ("button", "保存草稿")
    with page.expect_navigation():
        keyboard.press("Enter")
    assert "草稿已保存" in page.locator(".messages").inner_text()
    stored = Application.objects.get(pk=application_a.pk)
    assert (stored.lead_name, stored.lead_title, stored.liaison_mobile) == ("王晓燕", "副院长", "13700000001")

    # The refused number is marked, its message under it and read with it.
    mobile = page.locator("#id_lead_mobile")
    assert_error_next_to(page, mobile, "请输入 11 位中国大陆手机号码")
    audit.check("edit-with-error")

    # Back to the section (the save returned to its anchor): correct the number, save with Space.
    tab_to(page, "id_lead_mobile", limit=5)
    keyboard.press("Control+A")
    keyboard.type("13800000001")
    tab_to(page, "id_liaison_mobile", limit=5)
    keyboard.press("Tab")
    assert focused(page)["name"] == "保存草稿"
    with page.expect_navigation():
        keyboard.press("Space")
    assert "草稿已保存" in page.locator(".messages").inner_text()
    assert page.locator("#id_lead_mobile").get_attribute("aria-invalid") is None
    assert Application.objects.get(pk=application_a.pk).lead_mobile == "13800000001"
    audit.check("edit-corrected")
    audit.finish()
