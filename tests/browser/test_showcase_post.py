"""建设动态 in a real browser (issue 16: a school posts an update from a phone with photos, staff
approve it, the public sees it): school A, on a 390-px phone, writes a post from its workspace with
two photos taken by a phone (GPS in their EXIF) and submits it; before 审核 the public finds neither
the post in the feed nor its photo at its address; the project group approves it on the desktop;
then the public reads it in the Atom feed and opens its photo, which carries no GPS.

Every page is checked as the role that sees it (tests/browser/audit.py): axe at desktop and phone
width, no sideways scrolling on a phone, the Nu HTML Checker, no console error."""
import io
import xml.etree.ElementTree as ET

import pytest
from PIL import ExifTags, Image

from programme.models import PostState, ShowcasePost
from tests.browser.audit import PHONE
from tests.browser.steps import log_in
from tests.programme.conftest import trio  # noqa: F401 (fixture)
from tests.programme.school_helpers import second_batch  # noqa: F401 (fixture: year 2 of the cycle today)
from tests.programme.test_showcase_images import gps_exif, photo_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data", "private_media")]

ATOM = "{http://www.w3.org/2005/Atom}"
TITLE = "社区老年学校智能手机课开班"
BODY = "本周我校社区学院分院开设智能手机应用课堂，首期 40 名老年居民参加。\n\n学生志愿者一对一指导视频通话和网上挂号。"


def test_a_school_posts_from_a_phone_staff_approve_and_the_public_sees_it(browser, page, audit, live_server, trio, staff_user, tmp_path):
    base = live_server.url
    experiment_school, user = trio["zj"]
    photos = []
    for n in range(2):
        path = tmp_path / f"IMG_000{n}.jpg"
        path.write_bytes(photo_bytes(size=(2000, 1500), exif=gps_exif()))
        photos.append(str(path))

    # --- 1. School A, on a phone, writes a post with two photos and submits it --------------------
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        phone = context.new_page()
        phone.set_default_timeout(15_000)
        audit.attach(phone)
        audit.page = phone
        log_in(phone, live_server, user.username)
        with phone.expect_navigation():
            phone.get_by_role("link", name="查看和撰写建设动态").click()
        assert "还没有建设动态" in phone.locator("main").inner_text()
        audit.check("school-showcase-empty")
        with phone.expect_navigation():
            phone.get_by_role("link", name="写一条建设动态").click()
        # A slip first: no title. Told next to the field, the text stays.
        phone.get_by_label("正文").fill(BODY)
        with phone.expect_navigation():
            phone.get_by_role("button", name="保存草稿").click()
        assert "请填写标题。" in phone.locator("#div_id_title").inner_text()
        assert phone.get_by_label("正文").input_value() == BODY
        audit.check("school-showcase-no-title", status=400)
        phone.get_by_label("标题").fill(TITLE)
        phone.get_by_label("照片", exact=True).set_input_files(photos)
        with phone.expect_navigation():
            phone.get_by_role("button", name="保存并提交审核").click()
        main = phone.locator("main").inner_text()
        assert "已提交项目组审核" in main and TITLE in main and "学生志愿者一对一指导" in main
        post = ShowcasePost.objects.get()
        assert post.state == PostState.SUBMITTED and post.photos.count() == 2
        # The thumbnails reserve their space (width and height) and load lazily.
        thumbs = phone.locator("main img")
        assert thumbs.count() == 2 and thumbs.first.get_attribute("loading") == "lazy" and thumbs.first.get_attribute("width") == "480"
        audit.check("school-showcase-submitted")
    finally:
        context.close()

    # --- 2. Before 审核 nothing of it is public ------------------------------------------------------
    public = browser.new_context(locale="zh-CN").request
    photo = post.photos.first()
    assert public.get(f"{base}/programme/showcase/photos/{photo.key}.jpg").status == 404
    assert TITLE not in public.get(f"{base}/showcase/feed/").text()

    # --- 3. The project group approves it ---------------------------------------------------------
    audit.page = page
    log_in(page, live_server, staff_user.username)
    page.goto(f"{base}/programme/staff/showcase/")
    assert TITLE in page.locator("main").inner_text() and "待审核（1）" in page.locator("main").inner_text()
    audit.check("staff-showcase-queue")
    with page.expect_navigation():
        page.get_by_role("link", name=TITLE).click()
    audit.check("staff-showcase-post")
    with page.expect_navigation():
        page.get_by_role("button", name="审核通过并发布").click()
    assert f"已发布“{TITLE}”，并已通知学校。" in page.locator(".messages").inner_text()
    audit.check("staff-showcase-approved")

    # --- 4. The public reads it in the feed and opens its photo -------------------------------------
    feed = public.get(f"{base}/showcase/feed/")
    assert feed.status == 200 and feed.headers["content-type"].startswith("application/atom+xml")
    [entry] = ET.fromstring(feed.body()).findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == TITLE
    assert entry.find(f"{ATOM}author/{ATOM}name").text == experiment_school.school.name
    summary = entry.find(f"{ATOM}summary").text
    assert "学生志愿者一对一指导" in summary
    image = public.get(f"{base}/programme/showcase/photos/{photo.key}.jpg")
    assert image.status == 200 and "public" in image.headers["cache-control"]
    picture = Image.open(io.BytesIO(image.body()))
    assert picture.size == (1600, 1200) and not picture.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    audit.finish()
