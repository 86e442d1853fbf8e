"""Two other ways through the submit page, in a real browser: a Sichuan school (its province runs no
window) submits straight to the project group; a Zhejiang school whose provincial deadline has
passed is refused, on the page and by the server, with the message in Chinese."""
from datetime import timedelta

import pytest
from django.utils import timezone

from applications.models import Application, Route, Status
from applications.services import scan_upload
from tests.browser.steps import (
    be_patient, download_pdf, fill_application, log_in, save_draft, scan_files, submit_application, upload_scan,
)  # fmt: skip
from tests.conftest import png_bytes, upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]


def test_a_school_without_a_window_submits_straight_to_the_project_group(
    page, audit, live_server, tmp_path, private_media, batch, zhejiang_window, user_direct
):
    be_patient(page)
    _png, pdf = scan_files(tmp_path)
    log_in(page, live_server, user_direct.username)
    audit.check("direct-dashboard")
    with page.expect_navigation():
        page.get_by_role("button", name="开始填写实验校资格申请表").click()
    assert "申报途径：直接向项目组申报" in page.locator("#section-basic").inner_text()
    fill_application(page)
    save_draft(page)
    download_pdf(page, audit)
    upload_scan(page, pdf)
    audit.check("direct-edit")
    submit_application(page)
    assert "直接报送中国成人教育协会项目组" in page.locator("main").inner_text()
    audit.check("direct-submit")
    with page.expect_navigation():
        page.get_by_role("button", name="确认提交").click()

    assert Status.AT_NATIONAL.label == "已报送项目组"
    assert "已报送项目组" in page.locator("main").inner_text()
    audit.check("direct-submitted")
    stored = Application.objects.get(school=user_direct.school)
    assert (stored.route, stored.status) == (Route.DIRECT, Status.AT_NATIONAL)
    audit.finish()


def test_a_late_submission_is_refused(page, audit, live_server, private_media, batch, zhejiang_window, user_a, complete_application_a):
    scan_upload(application=complete_application_a, uploaded_file=upload("scan.png", png_bytes()), actor=user_a)
    log_in(page, live_server, user_a.username)
    page.goto(f"{live_server.url}/applications/{complete_application_a.pk}/submit/")
    confirm = page.get_by_role("button", name="确认提交")
    assert confirm.is_visible()

    # The deadline passes while the page is open: the server refuses the click.
    zhejiang_window.school_deadline = timezone.now() - timedelta(minutes=1)
    zhejiang_window.save()
    with page.expect_navigation():
        confirm.click()
    refusal = page.locator(".messages").inner_text()
    assert "未能提交：已超过提交截止时间（浙江省成人教育与职业教育协会：" in refusal
    assert "不能再提交" in refusal
    # The page shown again says why, and offers no submit button.
    assert "已超过提交截止时间" in page.locator(".alert-warning").inner_text()
    assert page.get_by_role("button", name="确认提交").count() == 0
    audit.check("late-refused")
    assert Application.objects.get(pk=complete_application_a.pk).status == Status.DRAFT
    audit.finish()
