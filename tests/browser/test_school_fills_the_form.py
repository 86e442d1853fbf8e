"""A school fills in the form in a real browser: the 字数 counter moves as it types and agrees
with the server, a draft is saved and found again after logging back in."""
import pytest

from applications.models import Application
from applications.wordcount import count_zi
from tests.applications.wordcount_cases import WORDCOUNT_CASES
from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD, PLAN_SENTENCE

# The live server needs committed data: transactional tests, with the reference data restored.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名或邮箱").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/dashboard/")


def test_school_fills_sees_counter_saves_and_finds_its_draft(page, live_server, batch, zhejiang_window, user_a):
    log_in(page, live_server, "school-a")
    page.get_by_role("button", name="开始填写实验校资格申请表").click()
    page.wait_for_url("**/edit/")

    page.get_by_label("负责人姓名", exact=True).fill("王晓燕")
    page.locator("#id_lead_title").fill("副院长")
    page.locator("#id_lead_mobile").fill("13800000001")
    page.get_by_label("项目对接人", exact=True).fill("何晓东")
    page.locator("#id_liaison_title").fill("办公室主任")
    page.locator("#id_liaison_mobile").fill("13700000001")
    page.get_by_label("老年教育赋能提质").check()

    # The team table: three rows are offered; the JavaScript button adds a fourth in place.
    rows = [("王晓燕", "副院长", "校领导", "13800000001", "总负责"), ("何晓东", "讲师", "继续教育学院", "13700000001", "对接"),
            ("刘芳", "副教授", "社区教育中心", "13600000001", "课程"), ("张伟", "讲师", "信息中心", "13500000001", "平台")]  # fmt: skip
    page.get_by_role("button", name="增加一行").click()
    for index, row in enumerate(rows):
        for field, value in zip(("name", "title", "department", "mobile", "duty"), row):
            page.locator(f"#id_team-{index}-{field}").fill(value)

    counter = page.locator("#plan-zi-total")
    assert counter.inner_text() == "0"
    page.get_by_label("名称", exact=True).fill("技能惠民")
    assert counter.inner_text() == "4"
    page.locator("#id_plan_content").press_sequentially("社区教育 2023 年")  # typed key by key
    assert counter.inner_text() == str(4 + count_zi("社区教育 2023 年"))
    page.locator("#id_plan_steps").fill(PLAN_SENTENCE * 3)
    expected_total = count_zi("技能惠民") + count_zi("社区教育 2023 年") + count_zi(PLAN_SENTENCE * 3)
    assert expected_total == 4 + 6 + 108
    assert counter.inner_text() == str(expected_total)
    screenshot(page, "school-form-filled")

    page.get_by_role("button", name="保存草稿").last.click()
    page.wait_for_load_state()
    assert "草稿已保存" in page.content()

    # Log out, log back in, and everything typed is there.
    page.get_by_role("button", name="退出").click()
    log_in(page, live_server, "school-a")
    page.get_by_role("link", name="继续填写").click()
    page.wait_for_url("**/edit/")
    assert page.locator("#id_lead_name").input_value() == "王晓燕"
    assert page.locator("#id_lead_mobile").input_value() == "13800000001"
    assert page.get_by_label("老年教育赋能提质").is_checked()
    assert page.locator("#id_plan_steps").input_value() == PLAN_SENTENCE * 3
    for index, row in enumerate(rows):
        assert page.locator(f"#id_team-{index}-name").input_value() == row[0]
        assert page.locator(f"#id_team-{index}-duty").input_value() == row[4]
    assert page.locator("#plan-zi-total").inner_text() == str(expected_total)
    screenshot(page, "school-form-reloaded")

    stored = Application.objects.get(school=user_a.school)
    assert [m.name for m in stored.team.all()] == [r[0] for r in rows]
    assert page.console_errors == []


def test_browser_counter_agrees_with_the_server(page, live_server, batch, zhejiang_window, user_a):
    log_in(page, live_server, "school-a")
    page.get_by_role("button", name="开始填写实验校资格申请表").click()
    page.wait_for_url("**/edit/")
    texts = [text for text, _expected in WORDCOUNT_CASES]
    browser_counts = page.evaluate("texts => texts.map(t => window.countZi(t))", texts)
    assert browser_counts == [count_zi(text) for text in texts]
    assert browser_counts == [expected for _text, expected in WORDCOUNT_CASES]
