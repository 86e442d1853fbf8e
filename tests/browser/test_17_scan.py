"""Issue 17, the signed scan, in a real browser: on a 390-px phone a school chooses three photos of
its form, sees them as thumbnails in order, moves one up, and uploads them as one PDF in that order;
a file that is no picture is refused, naming it, next to the field. The provincial reviewer then
sees every page of the scan beside the checklist and zooms in. Audited at 1280 and 390 px;
screenshots of each state also go to /work/helpers/shots/17scan/ (when that folder can be made)."""
import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from applications.models import SignedScan
from applications.workflow import submit
from tests.browser.audit import DESKTOP, PHONE
from tests.browser.steps import assert_error_next_to, be_patient, log_in, log_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]

SHOTS = Path("/work/helpers/shots/17scan")


def shots(page, name: str) -> None:
    """The page as it is now at 1280 and at 390 px, into SHOTS (kept for the lead to look at)."""
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    original = page.viewport_size
    for label, size in (("1280", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(original)


def photo(path: Path, colour: str, label: str) -> Path:
    """A phone photo of one page: a coloured sheet with its page number written large."""
    image = Image.new("RGB", (600, 850), colour)
    ImageDraw.Draw(image).text((260, 380), label, fill="black", font_size=120)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    path.write_bytes(buffer.getvalue())
    return path


def preview_names(page) -> list[str]:
    return page.locator("ol.scan-preview > li").all_inner_texts()


def test_a_school_uploads_three_photos_in_order_and_the_reviewer_sees_the_pages(
    page, audit, live_server, tmp_path, private_media, zhejiang_window, user_a, complete_application_a, zhejiang_reviewer
):
    be_patient(page)
    page.set_viewport_size(PHONE)
    first = photo(tmp_path / "第一页.jpg", "#f8f9fa", "1")
    second = photo(tmp_path / "第二页.jpg", "#e7f1ff", "2")
    third = photo(tmp_path / "第三页.jpg", "#fff3cd", "3")
    log_in(page, live_server, user_a.username)
    page.goto(f"{live_server.url}/applications/{complete_application_a.pk}/edit/#section-scan")
    field = page.get_by_label("签字盖章后的申请表扫描件")

    # A file that is no picture among the photos: refused, named, next to the field.
    notes = tmp_path / "说明.txt"
    notes.write_text("这不是扫描件", encoding="utf-8")
    field.set_input_files([str(first), str(notes)])
    with page.expect_navigation():
        page.get_by_role("button", name="上传扫描件").click()
    field = page.get_by_label("签字盖章后的申请表扫描件")
    assert_error_next_to(page, field, "“说明.txt”：只接受 PDF、JPEG 或 PNG 格式的扫描件")
    assert not SignedScan.objects.exists()
    audit.check("scan-refused-names-the-file", status=400)
    shots(page, "01-refused-names-the-file")

    # Chosen in the wrong order: 第二页, 第一页, 第三页 — then 第一页 moved up.
    field.set_input_files([str(second), str(first), str(third)])
    page.locator("ol.scan-preview canvas").nth(2).wait_for()
    assert page.locator("ol.scan-preview canvas").count() == 3
    assert "已选择 3 个文件，将按以下顺序合成为一个 PDF。" in page.locator("#section-scan").inner_text()
    names = preview_names(page)
    assert ["第二页.jpg" in names[0], "第一页.jpg" in names[1], "第三页.jpg" in names[2]] == [True, True, True]
    audit.check("scan-preview-as-chosen")
    shots(page, "02-preview-as-chosen")

    page.get_by_role("button", name="上移 第一页.jpg").click()
    names = preview_names(page)
    assert [n.split("\n")[0] for n in names] == ["第 1 份 第一页.jpg", "第 2 份 第二页.jpg", "第 3 份 第三页.jpg"]
    # The keyboard stays with the file that moved: its 上移 is now disabled (first place), so 下移.
    assert page.evaluate("() => document.activeElement.getAttribute('aria-label')") == "下移 第一页.jpg"
    # The input itself now holds the files in the order shown, which is what the form sends.
    assert page.evaluate("() => Array.from(document.querySelector('#id_scan').files, f => f.name)") == ["第一页.jpg", "第二页.jpg", "第三页.jpg"]
    audit.check("scan-preview-reordered")
    shots(page, "03-preview-reordered")

    with page.expect_navigation():
        page.get_by_role("button", name="上传扫描件").click()
    assert "扫描件已上传" in page.locator(".messages").inner_text()
    scan = SignedScan.objects.get(application=complete_application_a)
    assert (scan.kind, scan.page_count) == ("pdf", 3)
    assert [part["name"] for part in scan.parts] == ["第一页.jpg", "第二页.jpg", "第三页.jpg"]
    section = page.locator("#section-scan").inner_text()
    assert "第一页.jpg 等 3 个文件" in section and "共 3 页" in section
    # The form's PDF has 3 pages here too: no page warning.
    assert scan.form_page_count == 3 and "系统生成的申请表 PDF 共" not in section
    audit.check("scan-uploaded")
    shots(page, "04-uploaded")

    submit(application=complete_application_a, actor=user_a)
    log_out(page)
    log_in(page, live_server, zhejiang_reviewer.username)
    page.goto(f"{live_server.url}/review/province/applications/{complete_application_a.pk}/")
    viewer = page.locator("#section-scan")
    assert "盖章扫描件" in viewer.inner_text() and "共 3 页" in viewer.inner_text()
    images = viewer.get_by_role("img", name="扫描件第")
    assert images.count() == 3
    for index in range(3):
        images.nth(index).scroll_into_view_if_needed()
        page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=images.nth(index).element_handle())
    assert page.evaluate("(img) => img.naturalWidth", images.nth(0).element_handle()) == 1600
    # The school's own steps are not repeated to the reviewer.
    assert "打印，由负责人签字" not in page.locator("main").inner_text()
    viewer.scroll_into_view_if_needed()
    audit.check("reviewer-sees-the-pages")
    shots(page, "05-reviewer-sees-the-pages")

    viewer.get_by_role("button", name="放大").click()
    assert viewer.locator(".scan-pages").get_attribute("data-zoom") == "150"
    assert viewer.get_by_role("status").filter(has_text="150%").count() == 1
    width = page.evaluate("(img) => img.getBoundingClientRect().width", images.nth(0).element_handle())
    box = page.evaluate("(el) => el.clientWidth", viewer.locator(".scan-pages").element_handle())
    assert width > box * 1.4
    shots(page, "06-reviewer-zoomed")

    # A tap on a page opens it at full size.
    with page.context.expect_page() as opened:
        images.nth(1).click()
    full = opened.value
    full.wait_for_load_state()
    assert full.url.endswith(f"/scan/{scan.pk}/page/2/")
    full.close()
    audit.finish()
