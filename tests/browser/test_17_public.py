"""The public side in a real browser (issue 17), at 1,280 and 390 px with the usual audits: the home
page's links to the published list, the notice and the blank form; its contacts tap-to-call; the
footer with the operator and the ICP 备案号; /list/ filtered by province on a phone with the GET
form (no script needed), and its PDF; and Django admin's application change form at 1,280 px,
with no critical `label` violation of the portal's own and nothing wider than the screen.
Screenshots of each state also go to /work/helpers/shots/17public/ when that folder's parent exists
(the helpers' review copy; the run's own artifacts folder has them in any case)."""
from pathlib import Path

import pytest
from django.urls import reverse

from portal.models import SchoolType
from review.decisions import decide
from review.rubric import rubric_ensure_default
from tests.browser.audit import AXE_RUN, DESKTOP, PHONE, _axe_source
from tests.browser.steps import log_in
from tests.conftest import aware
from tests.review.helpers import reload
from tests.review.national_helpers import BEIJING, GOOD, HUBEI, SICHUAN, assign, file_and_publish, in_review, make_expert, pdf_text, submit_review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data", "private_media")]

SHOTS = Path("/work/helpers/shots/17public")


def shoot(page, name: str):
    """A screenshot of the page as it is now, for the helpers' review folder (when there is one)."""
    if SHOTS.parent.is_dir():
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def shoot_both(page, name: str):
    original = page.viewport_size
    for suffix, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        shoot(page, f"{name}-{suffix}")
    page.set_viewport_size(original)


@pytest.fixture
def published_list(batch, staff_user):
    """Two 实验校 published: a Sichuan college and a Hubei 职教中心."""
    rubric_ensure_default(batch)
    expert = make_expert("expert-browser", BEIJING, "北京终身教育研究院")
    for name, province, kind in [("四川浏览职业技术学院", SICHUAN, SchoolType.HIGHER_VOCATIONAL),
                                 ("武汉浏览职业教育中心", HUBEI, SchoolType.VOCATIONAL_CENTER)]:  # fmt: skip
        application, _user = in_review(batch, name, staff_user, province, kind)
        submit_review(assign(application, expert, staff_user), GOOD)
        decide(application=reload(application), actor=staff_user, selected=True, opinion="经专家评审作出决定。")
    file_and_publish(batch, staff_user, now=aware(2023, 6, 28, 9, 0))
    return batch


def test_the_public_finds_the_list_downloads_and_whom_to_call(page, audit, live_server, settings, published_list, zhejiang_window):
    settings.ICP_NUMBER = "京ICP备12345678号-1"
    page.goto(f"{live_server.url}/")
    main, footer = page.locator("main"), page.locator("footer")
    block = page.get_by_role("region", name="实验校名单与下载")
    assert "第二批实验校名单" in block.inner_text() and "下载通知全文" in block.inner_text() and "下载空白《实验校资格申请表》" in block.inner_text()
    # The contacts are links a phone dials; the e-mail addresses open the mail program.
    assert page.locator('main a[href="tel:01081299751"]').inner_text() == "010-81299751"
    assert page.locator('main a[href="tel:18611285756"]').inner_text() == "18611285756"
    assert page.locator('main a[href="tel:057188031215"]').inner_text() == "0571-88031215"
    assert page.locator('main a[href="mailto:pengfang@enaea.edu.cn"]').count() == 1
    assert "主办：中国成人教育协会 · 职业院校服务全民终身学习项目组" in footer.inner_text()
    assert footer.get_by_role("link", name="京ICP备12345678号-1").get_attribute("href") == "https://beian.miit.gov.cn/"
    assert footer.locator('a[href="tel:01081299751"]').count() == 1
    audit.check("home")
    shoot_both(page, "01-home")

    notice = audit.download(block.get_by_role("link", name="下载通知全文"))
    assert "关于申报“职业院校服务全民终身学习项目”第二批实验校的通知" in notice.decode("utf-8")
    blank = pdf_text(audit.download(block.get_by_role("link", name="下载空白《实验校资格申请表》")))
    assert "空白申请表" in blank and "实验校资格申请表" in blank and "草稿" not in blank

    # A visitor on a phone opens the list and filters it by province with the page's own form.
    page.set_viewport_size(PHONE)
    with page.expect_navigation():
        block.get_by_role("link", name="第二批实验校名单").click()
    assert "共 2 所" in main.inner_text()
    audit.check("list")
    shoot(page, "02-list-phone")
    page.get_by_label("省份").select_option(label="湖北省")
    with page.expect_navigation():
        page.get_by_role("button", name="查询").click()
    text = main.inner_text()
    assert "筛选：湖北省：共 1 所" in text and "武汉浏览职业教育中心" in text and "四川浏览职业技术学院" not in text
    assert page.get_by_label("省份").input_value() == HUBEI  # the choice stays shown
    audit.check("list-filtered")
    shoot_both(page, "03-list-filtered")
    filtered = pdf_text(audit.download(page.get_by_role("link", name="下载筛选结果 PDF")))
    assert "筛选：湖北省（名单的一部分）" in filtered and "武汉浏览职业教育中心" in filtered and "四川浏览职业技术学院" not in filtered

    page.get_by_label("学校名称").fill("没有这所学校")
    with page.expect_navigation():
        page.get_by_role("button", name="查询").click()
    assert "没有符合条件的学校。" in main.inner_text()
    audit.check("list-nothing-found")
    shoot(page, "04-list-nothing-found-phone")
    audit.finish()


# What axe still finds on the change form that is Django admin's own, not the portal's (Django
# 5.2's templates and CSS; left to Django): `link-in-text-block` (serious) on the breadcrumbs,
# whose links differ from the text around them by colour alone; `empty-table-header` (minor) on
# the read-only tabular inlines (scans, timeline, reviews), whose first and last header cells
# (the row's object and the delete column) are empty.
DJANGO_OWN = {"link-in-text-block", "empty-table-header"}


def test_the_admin_change_form_labels_every_input_and_fits_the_screen(page, live_server, admin_user, batch, complete_application_a):
    log_in(page, live_server, "admin")
    page.goto(f"{live_server.url}{reverse('admin:applications_application_change', args=[complete_application_a.pk])}")
    page.wait_for_load_state("networkidle")
    assert page.viewport_size == DESKTOP
    # The team, stacked: every input with its own label, and the DELETE box named.
    labels = page.locator("#team-group label[for^='id_team-'][for$='-name']:not([for*='__prefix__'])")  # not the add-row template
    assert labels.count() == complete_application_a.team.count() >= 3 and labels.first.inner_text().startswith("姓名")
    page.evaluate(_axe_source() + "\n;0")
    violations = page.evaluate(AXE_RUN)
    critical = [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations if v["impact"] == "critical"]
    assert critical == []
    assert {v["id"] for v in violations} <= DJANGO_OWN, [(v["id"], v["impact"]) for v in violations]
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= DESKTOP["width"], width
    shoot(page, "05-admin-change-form-desktop")
