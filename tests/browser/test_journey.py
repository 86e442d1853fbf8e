"""The whole journey of one application in a real browser, each step by the role that does it,
through the pages only: a Zhejiang school registers, fills in and saves its form, prints the PDF,
uploads the scan and submits; the Zhejiang association returns it; the school fixes it on a phone
and submits again; the association recommends and forwards; the project group passes the formal
check and assigns experts; three experts score; the project group decides and publishes; the
school, now a 实验校, lands on its workspace and reads its outcome on its application record; the
public sees the list.

Every page on the way is checked as the role that sees it (tests/browser/audit.py): axe-core at
desktop and phone width, no sideways scrolling on a phone, the Nu HTML Checker, no console error
and no failed request. Accounts other than the school's are set up directly (the project group
creates them in admin); every step of the journey itself goes through the pages.
"""
import pytest
from django.utils import timezone

from applications.models import Application, Status
from review import expert_scoring, rubric
from tests.browser.audit import PHONE
from tests.browser.steps import (
    be_patient, confirmation_link, download_pdf, fill_application, log_in, log_out, save_draft, scan_files,
    submit_application, upload_scan,
)  # fmt: skip
from tests.review.national_helpers import BEIJING, SHANGHAI, TIANJIN, make_expert

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]

SCHOOL_EMAIL = "jiaowu@zjsf.example.cn"
SCHOOL_PASSWORD = "Zhejiang-Shifan-2023!"
SCHOOL_NAME = "浙江示范职业技术学院"


@pytest.fixture
def experts(db):
    return [
        make_expert("expert-bj", BEIJING, "北京师范大学", last_name="张", first_name="明"),
        make_expert("expert-sh", SHANGHAI, "华东师范大学", last_name="李", first_name="华"),
        make_expert("expert-tj", TIANJIN, "天津大学", last_name="王", first_name="芳"),
    ]


def test_the_whole_journey(page, audit, live_server, tmp_path, private_media, batch, zhejiang_window,
                           zhejiang_reviewer, staff_user, experts):  # fmt: skip
    be_patient(page)
    rubric.rubric_ensure_default(batch)
    png, pdf = scan_files(tmp_path)
    base = live_server.url

    # --- The public reads the call; a school registers and confirms its address --------------
    page.goto(f"{base}/")
    audit.check("public-home")
    page.get_by_role("link", name="学校注册").first.click()
    page.wait_for_url("**/accounts/register/")
    audit.check("register")

    page.get_by_label("学校名称").fill(SCHOOL_NAME)
    page.get_by_label("所在省份").select_option(label="浙江省")
    page.get_by_label("学校类型").select_option(index=1)
    page.get_by_label("单位地址").fill("浙江省杭州市西湖区文三路 1 号")
    page.get_by_label("邮政编码").fill("310012")
    page.get_by_label("联系邮箱（用于登录）").fill(SCHOOL_EMAIL)
    page.get_by_label("联系手机").fill("1390000000")  # one digit short: refused next to its field
    page.get_by_label("联系人姓名").fill("陈老师")
    page.locator("#id_password1").fill(SCHOOL_PASSWORD)
    page.locator("#id_password2").fill(SCHOOL_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="注册").click()
    mobile = page.get_by_label("联系手机")
    assert mobile.get_attribute("aria-invalid") == "true"
    error_id = mobile.get_attribute("aria-describedby")
    assert error_id and page.locator(f"#{error_id.split()[0]}").is_visible()
    audit.check("register-error", status=200)

    mobile.fill("13900000000")
    page.locator("#id_password1").fill(SCHOOL_PASSWORD)
    page.locator("#id_password2").fill(SCHOOL_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="注册").click()
    assert SCHOOL_EMAIL in page.locator("main").inner_text()
    audit.check("register-done")

    page.goto(confirmation_link(SCHOOL_EMAIL))
    assert "邮箱已确认" in page.locator(".messages").inner_text()
    audit.check("email-confirmed-login")

    # --- The school fills in, saves, prints, uploads the scan and submits ----------------------
    log_in(page, live_server, SCHOOL_EMAIL, SCHOOL_PASSWORD)
    audit.check("school-dashboard")
    with page.expect_navigation():
        page.get_by_role("link", name="单位信息").click()
    audit.check("school-profile")
    with page.expect_navigation():
        page.get_by_role("link", name="工作台").click()
    with page.expect_navigation():
        page.get_by_role("button", name="开始填写实验校资格申请表").click()
    audit.check("school-edit-empty")

    fill_application(page)
    save_draft(page)
    audit.check("school-edit-saved")

    download_pdf(page, audit)
    upload_scan(page, png)
    audit.check("school-scan-uploaded")

    submit_application(page)
    audit.check("school-submit")
    with page.expect_navigation():
        page.get_by_role("button", name="确认提交").click()
    assert "申请表已提交" in page.locator(".messages").inner_text()
    assert Status.SUBMITTED.label in page.locator("main").inner_text()
    audit.check("school-submitted")
    log_out(page)
    audit.check("logged-out")

    # --- The Zhejiang association returns it ---------------------------------------------------
    log_in(page, live_server, zhejiang_reviewer.username)
    audit.check("province-queue")
    with page.expect_navigation():
        page.get_by_role("link", name=SCHOOL_NAME).click()
    audit.check("province-application")
    page.get_by_label("退回理由（学校可见）").fill("请在单位意见中写明学校的保障措施，并重新盖章上传。")
    with page.expect_navigation():
        page.get_by_role("button", name="退回学校").click()
    assert "已退回学校修改" in page.locator(".messages").inner_text()
    audit.check("province-returned")
    log_out(page)

    # --- The school fixes it on a phone and submits again --------------------------------------
    page.set_viewport_size(PHONE)
    log_in(page, live_server, SCHOOL_EMAIL, SCHOOL_PASSWORD)
    assert Status.RETURNED.label in page.locator("main").inner_text()
    audit.check("school-dashboard-returned")
    with page.expect_navigation():
        page.get_by_role("link", name="继续填写").click()
    page.locator("#id_unit_opinion").fill("同意申报。学校在人员、经费、场地等方面给予保障。")
    save_draft(page)
    # The content changed after the scan: the page says so, and the scan must be uploaded again.
    assert page.locator("#section-scan").get_by_text("扫描件已过期").is_visible()
    audit.check("school-edit-stale-scan")
    download_pdf(page, audit)
    upload_scan(page, pdf)
    submit_application(page)
    with page.expect_navigation():
        page.get_by_role("button", name="确认提交").click()
    assert "申请表已提交" in page.locator(".messages").inner_text()
    audit.check("school-resubmitted")
    log_out(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    # --- The association recommends and forwards -----------------------------------------------
    log_in(page, live_server, zhejiang_reviewer.username)
    with page.expect_navigation():
        page.get_by_role("link", name=SCHOOL_NAME).click()
    page.get_by_label("推荐意见").fill("办学特色鲜明，社区教育基础扎实，同意推荐。")
    page.get_by_label("推荐排名").fill("1")
    with page.expect_navigation():
        page.get_by_role("button", name="推荐", exact=True).click()
    assert "已推荐" in page.locator(".messages").inner_text()
    audit.check("province-recommended")
    with page.expect_navigation():
        page.get_by_role("link", name="← 返回申请列表").click()
    with page.expect_navigation():
        page.get_by_role("link", name="报送项目组", exact=True).click()
    audit.check("province-forward")
    with page.expect_navigation():
        page.get_by_role("button", name="确认报送 1 份推荐申请").click()
    assert "已将 1 份推荐申请报送项目组" in page.locator(".messages").inner_text()
    audit.check("province-forwarded")
    log_out(page)

    # --- The project group: formal check, then the experts are assigned ------------------------
    log_in(page, live_server, staff_user.username)
    audit.check("national-home")
    with page.expect_navigation():
        page.get_by_role("link", name="形式审查", exact=True).click()
    audit.check("national-list")
    application = Application.objects.get(school__name=SCHOOL_NAME)
    with page.expect_navigation():
        page.get_by_role("link", name=application.number).click()
    audit.check("national-application")
    page.get_by_label("扫描件有单位公章和上级主管部门公章").check()
    page.get_by_label("公章、签字清晰可辨").check()
    page.get_by_label("扫描件与在线填写内容一致").check()
    page.get_by_label("通过").check()
    with page.expect_navigation():
        page.get_by_role("button", name="记录审查结论").click()
    assert "形式审查结论已记录" in page.locator(".messages").inner_text()
    audit.check("national-formal-check-passed")

    with page.expect_navigation():
        page.get_by_role("link", name="← 申请列表").click()
    with page.expect_navigation():
        page.get_by_role("link", name="专家分配").click()
    audit.check("national-assignment-preview")
    with page.expect_navigation():
        page.get_by_role("button", name="应用此方案（新增 3 项分配）").click()
    # The run's page: its progress bar, full, and what it did (the tests' task backend runs it at once).
    assert page.get_by_role("progressbar", name="分配进度").get_attribute("aria-valuenow") == "100"
    assert "已新增 3 项专家分配" in page.locator("[data-job-summary]").inner_text()
    audit.check("national-assignment-applied")
    log_out(page)

    # --- Three experts score -------------------------------------------------------------------
    criteria = expert_scoring.criteria_of(batch)
    for number, expert in enumerate(experts):
        log_in(page, live_server, expert.username)
        first = number == 0
        if first:
            audit.check("expert-home")
        with page.expect_navigation():
            page.get_by_role("link", name=application.number).click()
        if first:
            audit.check("expert-score")
        for criterion in criteria:
            page.locator(f"#id_score-{criterion.pk}").fill(str(criterion.max_points - number))
        page.get_by_label("评审意见").fill("方案完整，团队分工明确，建议入选。")
        page.get_by_label("推荐意见").select_option(label="推荐")
        with page.expect_navigation():
            page.get_by_role("button", name="提交评分", exact=True).click()
        assert "评分已提交" in page.locator(".messages").inner_text()
        if first:
            audit.check("expert-scored")
        log_out(page)

    # --- The project group decides and publishes -----------------------------------------------
    log_in(page, live_server, staff_user.username)
    with page.expect_navigation():
        page.get_by_role("link", name="评审进度").click()
    audit.check("national-progress")
    with page.expect_navigation():
        page.get_by_role("link", name="排名与决定").click()
    audit.check("national-ranking")
    with page.expect_navigation():
        page.get_by_role("link", name=SCHOOL_NAME).click()
    page.get_by_label("入选实验校").check()
    page.locator("#id_opinion").fill("符合实验校条件，同意入选。")
    page.get_by_label("负责人签字（姓名）").fill("彭老师")
    with page.expect_navigation():
        page.get_by_role("button", name="记录决定").click()
    assert "决定已记录" in page.locator(".messages").inner_text()
    audit.check("national-decided")

    with page.expect_navigation():
        page.get_by_role("link", name="← 申请列表").click()
    with page.expect_navigation():
        page.get_by_role("link", name="PDF 打包").click()
    audit.check("national-exports")
    with page.expect_navigation():
        page.get_by_role("button", name="开始打包").click()
    page.get_by_role("link", name="下载 ZIP").wait_for()
    audit.check("national-export-progress")

    with page.expect_navigation():
        page.get_by_role("link", name="← PDF 打包").click()
    with page.expect_navigation():
        page.get_by_role("link", name="公布名单").click()
    audit.check("national-publish")
    # 八.2 before 八.3: the list is filed with the association, then published at the 项目工作会议.
    with page.expect_navigation():
        page.get_by_role("button", name="登记已报协会备案（保存当前名单 PDF）").click()
    assert "已登记实验校名单报中国成人教育协会备案" in page.locator(".messages").inner_text()
    audit.check("national-list-filed")
    page.get_by_label("项目工作会议名称").fill("2023年职业院校服务全民终身学习项目工作会议")
    page.get_by_label("会议日期").fill(timezone.localdate().isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="确认公布名单").click()
    assert "名单已公布，共 1 所实验校" in page.locator(".messages").inner_text()
    audit.check("national-published")
    log_out(page)

    # --- The school sees its outcome; the public sees the list ---------------------------------
    # Once the list is published the school is a 实验校: its home is its workspace (year 1 of its
    # cycle), and its application's outcome is one link away, on its 申报记录.
    log_in(page, live_server, SCHOOL_EMAIL, SCHOOL_PASSWORD)
    workspace = page.locator("main").inner_text()
    assert f"{SCHOOL_NAME} · 实验校工作台" in workspace and "第 1 年" in workspace and "实验中" in workspace
    audit.check("school-workspace-selected")
    with page.expect_navigation():
        page.get_by_role("link", name="申报记录").click()
    assert Status.SELECTED.label in page.locator("main").inner_text()
    audit.check("school-dashboard-selected")
    with page.expect_navigation():
        page.get_by_role("link", name="查看申请与办理记录").click()
    assert Status.SELECTED.label in page.locator("main").inner_text()
    audit.check("school-outcome")
    log_out(page)

    page.goto(f"{base}/list/")
    assert SCHOOL_NAME in page.locator("main").inner_text()
    audit.check("public-list")

    assert Application.objects.get(pk=application.pk).status == Status.SELECTED
    audit.finish()
