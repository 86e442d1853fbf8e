"""Issue 17, the reviewers' pages in a real browser at 1,280 and 390 px, with the usual audits
(axe, Nu, sideways scroll, console): the province's 推荐/退回/不予推荐, the project group's formal
check and the expert's score buttons are on screen as the page loads (not under another element),
and a jump lands on the form with its button in view; the expert's running total reads what the
server stores on submission; the queue, the national list, the ranking (with its 暂定 row) and the
team table are cards on a phone, never a column one or two characters wide; chart labels are drawn
at 12 px or more. Screenshots of each state go to /work/helpers/shots/17review/ (or
$REVIEW_SHOTS_DIR) as well as the run's artifacts."""
import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from review.models import ExpertReview
from review.rubric import rubric_ensure_default
from tests.browser.audit import DESKTOP, PHONE
from tests.browser.conftest import screenshot
from tests.browser.steps import be_patient, log_in, log_out
from tests.review.helpers import submit_complete
from tests.review.national_helpers import BEIJING, FAIR, GOOD, GUANGDONG, HUBEI, SHANGHAI, SICHUAN, assign, at_national, in_review, make_expert, submit_review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data", "private_media")]

SHOTS = Path(os.environ.get("REVIEW_SHOTS_DIR", "/work/helpers/shots/17review"))
# The narrowest a shown column may be: at 390 px (issue 17's test) 48 px; at 1,280 px a column as
# narrow as two characters and its padding (40 px) is what made the queue unreadable.
NARROW_PX = {390: 48, 1280: 40}

# Every visible cell of a table shown as a table (not as cards), narrower than `min`. A closed
# <details> (a chart's data table) keeps its cells laid out but not shown: not visible.
NARROW_CELLS = """(min) => Array.from(document.querySelectorAll("main td, main th")).filter(cell => {
  const style = getComputedStyle(cell), box = cell.getBoundingClientRect();
  if (cell.closest("details:not([open])") || !cell.checkVisibility({visibilityProperty: true})) return false;
  return style.display === "table-cell" && box.width > 0 && box.height > 0 && box.width < min;
}).map(cell => `${cell.tagName} ${Math.round(cell.getBoundingClientRect().width)}px: ${cell.innerText.slice(0, 20)}`)"""

# Whether the element is inside the viewport and is what a tap at its centre reaches.
ON_SCREEN = """(el) => {
  const box = el.getBoundingClientRect();
  if (box.width === 0 || box.top < 0 || box.left < 0 || box.bottom > innerHeight || box.right > innerWidth) return false;
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return hit === el || el.contains(hit);
}"""

# The size each chart label is drawn at on screen: its font size times the SVG's scale.
CHART_TEXT_PX = """() => Array.from(document.querySelectorAll("svg.chart-svg text")).map(t =>
  parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)"""


def shot(page, name):
    path = screenshot(page, name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / f"{name}.png")


def at_both_widths(page):
    for name, size in (("1280", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(size)
        yield name


def assert_on_screen(page, locator, what):
    """`locator` is on screen and not under another element, at once or within a second (a jump
    scrolls smoothly: Bootstrap's scroll-behavior)."""
    locator.first.wait_for()
    try:
        page.wait_for_function(ON_SCREEN, arg=locator.first.element_handle(), timeout=1500)
    except PlaywrightTimeoutError:
        raise AssertionError(f"{what}: not on screen at {page.viewport_size['width']} px without scrolling") from None


def assert_no_narrow_columns(page, what):
    least = NARROW_PX[page.viewport_size["width"]]
    narrow = page.evaluate(NARROW_CELLS, least)
    assert not narrow, f"{what} at {page.viewport_size['width']} px: cells narrower than {least} px: {narrow}"


def assert_cards(page, table_selector, what):
    display = page.locator(table_selector).first.evaluate("t => getComputedStyle(t.querySelector('tbody tr')).display")
    assert display == "block", f"{what}: rows are {display} at 390 px, not cards"


def assert_readable_tables(page, name):
    """At both widths no column narrower than NARROW_PX (screenshots of each); at 390 px the
    page's first table is cards. Leaves the page at 390 px."""
    for width in at_both_widths(page):
        assert_no_narrow_columns(page, name)
        shot(page, f"{name}-{width}")
    assert_cards(page, "table.team-table", name)


@pytest.fixture
def scene(batch, staff_user, complete_application_a, user_a, zhejiang_reviewer):
    """School A's application with the Zhejiang association; at the project group one
    application waiting for its formal check and three in review: Sichuan 88 and 70 (complete),
    Guangdong 70 (complete), Hubei 88 from one of two experts (暂定), plus one for the expert on
    this page to score."""
    rubric_ensure_default(batch)
    provincial = submit_complete(complete_application_a, user_a)
    waiting, _ = at_national(batch, "山东浏览器职业技术学院", "370000")
    bj = make_expert("expert-bj", BEIJING, "北京终身教育研究院", last_name="钱", first_name="评审")
    sh = make_expert("expert-sh", SHANGHAI, "上海开放大学", last_name="孙", first_name="评审")
    sichuan, _ = in_review(batch, "四川浏览器职业技术学院", staff_user, SICHUAN)
    guangdong, _ = in_review(batch, "广东浏览器职业学校", staff_user, GUANGDONG)
    hubei, _ = in_review(batch, "武汉浏览器职业教育中心", staff_user, HUBEI)
    submit_review(assign(sichuan, bj, staff_user), GOOD)
    submit_review(assign(sichuan, sh, staff_user), FAIR)
    submit_review(assign(guangdong, bj, staff_user), FAIR)
    submit_review(assign(hubei, bj, staff_user), GOOD)
    to_score = assign(hubei, sh, staff_user)
    return {"provincial": provincial, "waiting": waiting, "hubei": hubei, "to_score": to_score, "expert": sh}


def test_reviewers_act_without_scrolling_and_read_tables_on_a_phone(page, live_server, audit, scene, batch, staff_user, zhejiang_reviewer):
    be_patient(page)
    url = live_server.url

    # The province: its queue as cards, then the application with 推荐/退回/不予推荐 on screen.
    log_in(page, live_server, zhejiang_reviewer.username)
    page.goto(f"{url}/review/province/")
    page.get_by_role("link", name=scene["provincial"].applicant_name).first.wait_for()
    assert_readable_tables(page, "province-queue")
    audit.check("province-queue")

    page.goto(f"{url}/review/province/applications/{scene['provincial'].pk}/")
    bar = page.get_by_role("navigation", name="省级办理")
    for width in at_both_widths(page):
        page.evaluate("() => window.scrollTo(0, 0)")
        for label in ("推荐", "退回修改", "不予推荐"):
            assert_on_screen(page, bar.get_by_role("link", name=label, exact=True), f"province {label}")
        assert_no_narrow_columns(page, "province application")
        shot(page, f"province-application-{width}")
    assert_cards(page, "table.team-table", "team table")
    assert "打印，由负责人签字" not in page.inner_text("main")
    bar.get_by_role("link", name="不予推荐").click()
    assert_on_screen(page, page.get_by_role("button", name="不予推荐"), "不予推荐 button after the jump")
    shot(page, "province-decline-jump-390")
    # The pointer leaves the link it clicked (axe would judge its hover colours mid-transition).
    page.mouse.move(1, 1)
    page.wait_for_timeout(400)
    page.set_viewport_size(DESKTOP)
    audit.check("province-application")
    log_out(page)

    # The project group: the list and the ranking as cards, the 暂定 row marked, the formal check at once.
    log_in(page, live_server, staff_user.username)
    page.goto(f"{url}/review/national/applications/?batch={batch.pk}")
    page.get_by_role("link", name="XLSX").wait_for()
    assert_readable_tables(page, "national-list")
    audit.check("national-list")

    page.goto(f"{url}/review/national/ranking/?batch={batch.pk}")
    provisional = page.locator("tr.rank-provisional")
    assert provisional.count() == 1 and "武汉浏览器职业教育中心" in provisional.inner_text() and "暂定" in provisional.inner_text()
    names = page.locator("tbody tr a").all_inner_texts()
    assert names.index("武汉浏览器职业教育中心") > names.index("广东浏览器职业学校")
    assert_readable_tables(page, "ranking")
    assert provisional.locator(".badge", has_text="暂定").is_visible()
    audit.check("ranking")

    page.goto(f"{url}/review/national/applications/{scene['waiting'].pk}/")
    bar = page.get_by_role("navigation", name="项目组办理")
    for width in at_both_widths(page):
        page.evaluate("() => window.scrollTo(0, 0)")
        assert_on_screen(page, bar.get_by_role("link", name="形式审查"), "形式审查")
        shot(page, f"national-application-{width}")
    bar.get_by_role("link", name="形式审查").click()
    page.get_by_role("button", name="记录审查结论").scroll_into_view_if_needed()
    assert_on_screen(page, page.get_by_role("button", name="记录审查结论"), "记录审查结论 after the jump")
    page.set_viewport_size(DESKTOP)
    audit.check("national-application")

    page.goto(f"{url}/review/national/?batch={batch.pk}")
    page.locator("svg.chart-svg").first.wait_for()
    for width in at_both_widths(page):
        sizes = page.evaluate(CHART_TEXT_PX)
        assert sizes and min(sizes) >= 12, f"chart text at {width} px: {sorted(sizes)[:5]}"
        shot(page, f"national-home-charts-{width}")
    assert page.locator("figure.chart details table").count() == page.locator("svg.chart-svg").count() == 3
    audit.check("national-home")
    log_out(page)

    # The expert: the buttons and the running total on screen; the total is what the server stores.
    log_in(page, live_server, scene["expert"].username)
    page.goto(f"{url}/review/expert/assignments/{scene['to_score'].pk}/")
    for width in at_both_widths(page):
        page.evaluate("() => window.scrollTo(0, 0)")
        assert_on_screen(page, page.get_by_role("button", name="提交评分"), "提交评分")
        assert_on_screen(page, page.locator("[data-score-total]"), "running total")
        shot(page, f"expert-score-{width}")
    inputs = page.locator("input[data-weight]")
    for index, value in enumerate(GOOD):
        inputs.nth(index).fill(str(value))
        if index == 2:
            page.locator("[data-score-total]").filter(has_text="35.50").wait_for()  # 9 + 13.5 + 13
    page.locator("[data-score-total]").filter(has_text="88.00").wait_for()
    assert "已评 6 / 6 项" in page.locator(".review-actions").inner_text()
    inputs.nth(0).fill("11")  # above 有意愿's 10: left out and named
    assert "有意愿" in page.locator("[data-score-problem]").inner_text()
    assert page.locator("[data-score-total]").inner_text() == "79.00"
    inputs.nth(0).fill("9")
    shot(page, "expert-score-filled-390")
    page.set_viewport_size(DESKTOP)
    page.get_by_label("评审意见").fill("方案扎实，团队分工明确。")
    page.get_by_label("推荐意见").select_option("yes")
    audit.check("expert-score")
    with page.expect_navigation():
        page.get_by_role("button", name="提交评分").click()
    review = ExpertReview.objects.get(assignment=scene["to_score"])
    assert (review.state, str(review.total)) == (ExpertReview.State.SUBMITTED, "88.00")
    audit.finish()
