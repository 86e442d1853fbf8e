"""The public on a phone (390 px), in a real browser, with no account: the home page's 建设动态 and
成果展示, a post with its photos (lazy thumbnails that keep their place: no layout shift as they
arrive; a tap opens the full photo), the school's page, and the 实验校 list filtered and searched.
Each page passes the audit (tests/browser/audit.py: axe at 1280 and 390 px, no sideways scrolling,
the Nu checker, the CSP rule) with its screenshots at both widths."""
import pytest

from programme import showcase
from tests.browser.audit import PHONE
from tests.programme.conftest import trio  # noqa: F401 (fixture)
from tests.programme.school_helpers import second_batch  # noqa: F401 (fixture)
from tests.programme.test_showcase import published

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data", "private_media")]

# Sums every layout shift of the page from its start (CLS without the session windows): what the
# reader sees move, photos arriving included.
LAYOUT_SHIFTS = """
window.__shift = 0;
new PerformanceObserver(list => { for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shift += e.value; })
  .observe({type: "layout-shift", buffered: true});
"""


def test_the_public_reads_the_news_a_post_with_its_photos_a_school_and_the_list_on_a_phone(page, audit, live_server, trio, staff_user):
    zj, zj_user = trio["zj"]
    js, js_user = trio["js"]
    post = published(zj, zj_user, staff_user, title="社区学习中心揭牌", photos=4,
                     body="本周我校与街道共建的社区学习中心揭牌，首批开设 6 门课程。\n\n居民可在家门口参加老年教育和技能培训。")  # fmt: skip
    published(js, js_user, staff_user, title="老年大学秋季开学", photos=1)
    showcase.post_feature(post=post, actor=staff_user, featured=True)
    showcase.school_feature(experiment_school=js, actor=staff_user, note="老年教育课程覆盖全市社区")
    page.add_init_script(LAYOUT_SHIFTS)
    page.set_viewport_size(PHONE)
    main = page.locator("main")

    page.goto(f"{live_server.url}/")
    assert "成果展示" in main.inner_text() and "老年教育课程覆盖全市社区" in main.inner_text()
    assert "实验校建设动态" in main.inner_text() and "老年大学秋季开学" in main.inner_text()
    audit.check("home")

    with page.expect_navigation():
        page.locator("#home-news ~ ul").get_by_role("link", name="社区学习中心揭牌").click()
    assert "首批开设 6 门课程" in main.inner_text() and "浙江实验职业技术学院" in main.inner_text()
    thumbnails = main.locator("img.showcase-photo")
    assert thumbnails.count() == 4
    for i in range(4):
        assert thumbnails.nth(i).get_attribute("loading") == "lazy"
        assert thumbnails.nth(i).get_attribute("width") and thumbnails.nth(i).get_attribute("height")
    main.locator("img.showcase-photo").last.scroll_into_view_if_needed()
    page.wait_for_function("() => [...document.querySelectorAll('img.showcase-photo')].every(i => i.complete && i.naturalWidth > 0)")
    assert page.evaluate("window.__shift") < 0.01  # nothing moved as the photos came in
    audit.check("post")

    # A tap opens the full photo: the thumbnail's link. Fetched rather than opened, as Chromium's
    # own image viewer styles itself inline, which the photo's CSP (rightly) refuses.
    full = page.request.get(live_server.url + main.locator("a:has(img.showcase-photo)").first.get_attribute("href"))
    assert full.ok and full.headers["content-type"] == "image/jpeg"
    thumbnail = page.request.get(live_server.url + thumbnails.first.get_attribute("src"))
    assert len(full.body()) > len(thumbnail.body())  # the full size, not the thumbnail

    with page.expect_navigation():
        main.get_by_role("link", name="浙江实验职业技术学院").first.click()
    text = main.inner_text()
    assert "具体实施项目" in text and "成果" in text and "建设动态（1 条）" in text
    audit.check("school")

    page.goto(f"{live_server.url}/showcase/")
    assert "共实验中的实验校 3 所" in main.inner_text()
    audit.check("list")
    page.get_by_label("省份").select_option(label="江苏省")
    with page.expect_navigation():
        page.get_by_role("button", name="筛选").click()
    assert "符合条件的实验中的实验校 1 所" in main.inner_text() and "江苏实验职业技术学院" in main.inner_text()
    page.get_by_label("搜索").fill("没有这个学校")
    with page.expect_navigation():
        page.get_by_role("button", name="筛选").click()
    assert "没有符合条件的实验校" in main.inner_text()
    assert page.get_by_label("省份").input_value() == "320000" and page.get_by_label("搜索").input_value() == "没有这个学校"  # kept
    audit.check("list-none")
    audit.finish()
