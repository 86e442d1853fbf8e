"""A 荣誉证书's QR code, in a real browser (issue 16: a certificate's QR link opens its verification
page): the project group issues the batch's certificates through the job (its page, then the ZIP),
the certificate's PDF is rendered to an image (pdftoppm) and its QR code read (zxing-cpp) as a
phone's camera would read it; it holds the absolute address of the verify page, which a visitor
with no account opens and reads 证书有效. A revoked certificate's page reads 已撤销 with the date; at
/verify/ a number typed in lower case with spaces finds its page, and a number of the wrong shape is
answered next to the box with what was typed kept. The verify pages at 1280 and 390 px and the
certificate as PNG go to the helpers' shots folder too (SHOTS), to be looked at."""
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
import zxingcpp
from django.utils import timezone
from PIL import Image

from programme.certificates import certificate_revoke
from programme.models import Certificate, CertificateKind
from tests.browser.audit import DESKTOP, PHONE
from tests.browser.steps import assert_error_next_to, log_in, log_out
from tests.programme.conftest import trio  # noqa: F401 (fixture)
from tests.programme.school_helpers import second_batch  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data", "private_media")]

SHOTS = Path("/work/helpers/shots/certs2")


def qr_codes_of(pdf: bytes, folder: Path) -> tuple[list[str], Path]:
    """The texts of the QR codes on the PDF's first page, read from the page rendered at 150 dpi,
    and the PNG they were read from."""
    (folder / "certificate.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", str(folder / "certificate.pdf"), str(folder / "certificate")],
                   check=True, timeout=120)  # fmt: skip
    png = folder / "certificate.png"
    return [code.text for code in zxingcpp.read_barcodes(Image.open(png)) if code.format == zxingcpp.BarcodeFormat.QRCode], png


def shoot(page, name: str, folder: Path) -> None:
    """The page at 1280 and at 390 px, into the run's folder and SHOTS."""
    original = page.viewport_size
    for width, size in (("1280", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(size)
        path = folder / f"{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        if SHOTS.parent.is_dir():
            SHOTS.mkdir(exist_ok=True)
            shutil.copy(path, SHOTS / path.name)
    page.set_viewport_size(original)


def test_a_certificate_s_qr_code_opens_its_verify_page(page, audit, live_server, trio, second_batch, staff_user, tmp_path):
    main = page.locator("main")
    log_in(page, live_server, staff_user.username)
    page.goto(f"{live_server.url}/programme/staff/cycles/")
    page.get_by_label("确认为本批次实验校颁发证书").check()
    with page.expect_navigation():
        page.get_by_role("button", name="为本批次实验校颁发证书").click()
    assert "第一批实验校·实验校证书" in main.inner_text() and "新颁发证书 3 张；压缩包内共 3 张有效证书的 PDF。" in main.inner_text()
    audit.check("certificate-job")
    assert len(audit.download(page.get_by_role("link", name="下载证书 ZIP"))) > 0

    zj, js = trio["zj"][0], trio["js"][0]
    certificate = Certificate.objects.get(experiment_school=zj, kind=CertificateKind.EXPERIMENT_SCHOOL)
    revoked = Certificate.objects.get(experiment_school=js, kind=CertificateKind.EXPERIMENT_SCHOOL)
    certificate_revoke(certificate=revoked, actor=staff_user, reason="学校名称有误。", now=timezone.make_aware(datetime(2024, 3, 5, 9, 0)))
    response = page.request.get(f"{live_server.url}/programme/certificates/{certificate.pk}/pdf/")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    codes, png = qr_codes_of(response.body(), tmp_path)
    if SHOTS.parent.is_dir():
        SHOTS.mkdir(exist_ok=True)
        shutil.copy(png, SHOTS / "certificate-pdf.png")
    verify_address = f"{live_server.url}/verify/{certificate.number}/"
    assert codes == [verify_address]  # the absolute address, on the host staff downloaded it from
    log_out(page)

    # A visitor with no account, as the phone's camera opens the address.
    page.goto(codes[0])
    assert "证书有效" in main.inner_text() and "浙江实验职业技术学院" in main.inner_text()
    assert "职业院校服务全民终身学习项目第一批实验校" in main.inner_text() and certificate.number in main.inner_text()
    audit.check("verify-valid")
    shoot(page, "verify-valid", tmp_path)

    page.goto(f"{live_server.url}/verify/{revoked.number}/")
    assert "已撤销" in main.inner_text() and "撤销日期：2024年3月5日" in main.inner_text()
    assert "学校名称有误" not in main.inner_text()  # the reason is the project group's, not the public's
    audit.check("verify-revoked")
    shoot(page, "verify-revoked", tmp_path)

    # /verify/: typed from paper, in lower case, spaces for dashes.
    page.goto(f"{live_server.url}/verify/")
    shoot(page, "verify-lookup", tmp_path)
    audit.check("verify-lookup")
    page.get_by_label("证书编号").fill("caea 2024 abcd")
    with page.expect_navigation():
        page.get_by_role("button", name="查验").click()
    assert_error_next_to(page, page.get_by_label("证书编号"), "证书编号由 CAEA、年份和 16 位字母数字组成")
    assert page.get_by_label("证书编号").input_value() == "caea 2024 abcd"  # nothing typed is lost
    audit.check("verify-lookup-error", status=400)
    shoot(page, "verify-lookup-error", tmp_path)
    page.get_by_label("证书编号").fill(certificate.number.lower().replace("-", " "))
    with page.expect_navigation():
        page.get_by_role("button", name="查验").click()
    assert page.url == verify_address and "证书有效" in main.inner_text()
    audit.finish()
