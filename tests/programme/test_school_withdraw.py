"""实验校有退出项目实施的权力 (七.7), the school's side (programme/withdraw/): a reason, an optional
signed letter checked by its content like the application's scans, the pending request shown
until the project group acknowledges it, then the acknowledgement and the status 已退出（自愿）."""
import pytest
from django.urls import reverse

from programme import exits
from programme.models import ExperimentStatus, WithdrawalRequest
from tests.conftest import pdf_bytes, upload
from tests.programme.school_helpers import second_batch, signed_in  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
URL = reverse("programme:withdraw")


def test_the_request_with_its_letter_is_stored_and_shown_until_acknowledged(trio, staff_user, private_media):
    sc, user = trio["sc"]
    client = signed_in(user)
    assert "申请退出项目实施" in client.get(URL).content.decode()
    response = client.post(URL, {"reason": "学校专业调整，无力继续实施。", "confirm": "on",
                                 "letter": upload("退出申请函.pdf", pdf_bytes(), "application/pdf")})  # fmt: skip
    assert response.status_code == 302
    request = WithdrawalRequest.objects.get(experiment_school=sc)
    assert (request.reason, request.letter_kind, request.letter_name, request.requested_by) == ("学校专业调整，无力继续实施。", "pdf", "退出申请函.pdf", user)
    page = client.get(URL).content.decode()
    assert "退出申请已提交" in page and "待确认" in page and "正等待项目组确认" in page and "退出申请函.pdf" in page
    assert "提交退出申请</button>" not in page  # one request at a time
    assert "已于" in client.get(reverse("dashboard")).content.decode()  # the workspace says it waits

    exits.withdrawal_acknowledge(request=request, actor=staff_user)
    page = client.get(URL).content.decode()
    assert "已确认退出" in page and "贵校状态为“已退出（自愿）”" in page
    sc.refresh_from_db()
    assert sc.status == ExperimentStatus.WITHDRAWN
    assert client.post(URL, {"reason": "再次申请。", "confirm": "on"}).status_code == 403


def test_a_letter_that_is_no_pdf_is_refused_next_to_the_field_and_the_reason_kept(trio, private_media):
    sc, user = trio["sc"]
    response = signed_in(user).post(URL, {"reason": "学校专业调整。", "confirm": "on",
                                          "letter": upload("退出申请函.pdf", b"not really a pdf", "application/pdf")})  # fmt: skip
    text = response.content.decode()
    assert response.status_code == 400
    assert "只接受 PDF、JPEG 或 PNG 格式的扫描件（按文件内容判断，改扩展名无效）。" in text
    assert "学校专业调整。</textarea>" in text
    assert not WithdrawalRequest.objects.exists()


def test_a_reason_and_the_confirmation_are_asked_for(trio):
    sc, user = trio["sc"]
    response = signed_in(user).post(URL, {"reason": ""})
    text = response.content.decode()
    assert response.status_code == 400
    assert "请勾选确认后再提交退出申请。" in text
    response = signed_in(user).post(URL, {"reason": " ", "confirm": "on"})
    assert "请填写退出原因。" in response.content.decode()
    assert not WithdrawalRequest.objects.exists()
