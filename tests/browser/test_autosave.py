"""Autosave while typing: the state shows "已自动保存 HH:MM"; a dropped network is retried and
nothing typed is lost."""
import pytest

from applications.models import Application
from tests.browser.test_school_fills_the_form import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]


def open_form(page, live_server):
    log_in(page, live_server, "school-a")
    page.get_by_role("button", name="开始填写实验校资格申请表").click()
    page.wait_for_url("**/edit/")


def test_typing_is_saved_without_pressing_save(page, live_server, batch, zhejiang_window, user_a):
    open_form(page, live_server)
    page.locator("#id_lead_name").fill("王晓燕")
    page.locator("#id_team-0-name").fill("王晓燕")

    status = page.locator("#autosave-status")
    status.filter(has_text="已自动保存").wait_for(timeout=15_000)

    stored = Application.objects.get(school=user_a.school)
    assert stored.lead_name == "王晓燕"
    assert [m.name for m in stored.team.all()] == ["王晓燕"]
    # A second change is saved against the new revision (no false conflict) and does not
    # duplicate the team row the first autosave created.
    page.locator("#id_team-0-duty").fill("总负责")
    page.locator("#id_lead_title").fill("副院长")
    page.wait_for_function("document.getElementById('autosave-status').textContent.includes('已自动保存') && document.querySelector('#id_lead_title').value === '副院长'")
    page.wait_for_timeout(4500)
    stored.refresh_from_db()
    assert stored.lead_title == "副院长"
    assert [(m.name, m.duty) for m in stored.team.all()] == [("王晓燕", "总负责")]


def test_a_dropped_network_is_retried_and_nothing_is_lost(page, live_server, batch, zhejiang_window, user_a):
    open_form(page, live_server)
    page.context.set_offline(True)
    page.locator("#id_plan_name").fill("断网时写的方案名称")

    page.locator("#autosave-status").filter(has_text="网络中断").wait_for(timeout=15_000)
    assert page.locator("#id_plan_name").input_value() == "断网时写的方案名称"

    page.context.set_offline(False)
    page.locator("#autosave-status").filter(has_text="已自动保存").wait_for(timeout=30_000)
    assert Application.objects.get(school=user_a.school).plan_name == "断网时写的方案名称"
