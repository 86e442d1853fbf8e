"""荣誉证书 (notice 五: 颁发实验成果奖和荣誉证书; issue 16): a number no one can guess, one live certificate
of a kind per 实验校 (of an award per project), a batch issued once however often staff press the
button, revoking with a reason, the PDF as printed (A4 landscape, CJK embedded, the QR code of its
verify page) and the public verify page for a valid, a revoked and an unknown number."""
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.models import ProjectCategory
from applications.workflow import WorkflowError
from portal.pdf import missing_glyphs
from programme import certificates
from programme.certificates import certificate_issue, certificate_revoke, certificates_issue_for_batch
from programme.models import Award, Certificate, CertificateKind, ExperimentProject, ExperimentStatus
from tests.conftest import aware

pytestmark = pytest.mark.django_db

NUMBER = re.compile(r"^CAEA-20\d\d-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$")
TITLE = "职业院校服务全民终身学习项目第二批实验校"


@pytest.fixture
def award(db):
    return Award.objects.create(name="实验成果奖", levels="一等奖、二等奖、三等奖")


def project_of(experiment_school, position=0) -> ExperimentProject:
    return experiment_school.projects.select_related("category").order_by("position", "pk")[position]


def issue(experiment_school, staff_user, **extra) -> Certificate:
    return certificate_issue(experiment_school=experiment_school, kind=extra.pop("kind", CertificateKind.EXPERIMENT_SCHOOL), actor=staff_user, **extra)


# ---- The number ---------------------------------------------------------------------------------


def test_a_number_is_random_base32_under_the_year_and_never_repeats():
    numbers = {certificates.new_certificate_number(2024) for _ in range(200)}
    assert len(numbers) == 200
    assert all(NUMBER.match(n) and n.startswith("CAEA-2024-") for n in numbers), numbers


def test_a_number_already_taken_is_drawn_again(trio, staff_user, monkeypatch):
    taken = issue(trio["zj"][0], staff_user).number
    drawn = iter([taken, "CAEA-2024-AAAA-BBBB-CCCC-DDDD"])
    monkeypatch.setattr(certificates, "new_certificate_number", lambda year: next(drawn))
    assert issue(trio["js"][0], staff_user).number == "CAEA-2024-AAAA-BBBB-CCCC-DDDD"


def test_numbers_of_one_batch_do_not_follow_each_other(trio, second_batch, staff_user):
    certificates_issue_for_batch(batch=second_batch, actor=staff_user)
    codes = [n.split("-", 2)[2] for n in Certificate.objects.values_list("number", flat=True)]
    assert len(set(codes)) == 3 and len({code[:4] for code in codes}) == 3  # nothing shared, nothing counted up


# ---- Issuing one --------------------------------------------------------------------------------


def test_an_experiment_school_certificate_says_which_batch_and_whom(trio, staff_user):
    zj, _ = trio["zj"]
    certificate = issue(zj, staff_user, now=aware(2023, 7, 1, 10, 0))
    assert (certificate.school_name, certificate.title, certificate.kind) == ("浙江实验职业技术学院", TITLE, "experiment_school")
    assert certificate.number.startswith("CAEA-2023-") and certificate.issued_by == staff_user


def test_a_second_live_certificate_of_the_same_kind_is_refused_until_the_first_is_revoked(trio, staff_user):
    zj, _ = trio["zj"]
    first = issue(zj, staff_user)
    with pytest.raises(WorkflowError) as refused:
        issue(zj, staff_user)
    assert refused.value.code == "already_issued"
    certificate_revoke(certificate=first, actor=staff_user, reason="学校名称有误，重新颁发。")
    assert issue(zj, staff_user).number != first.number
    assert Certificate.objects.filter(experiment_school=zj).count() == 2


def test_an_award_names_its_level_and_the_winning_project_once_per_project(trio, staff_user, award):
    zj, _ = trio["zj"]
    first_project = project_of(zj)
    certificate = issue(zj, staff_user, kind=CertificateKind.AWARD, award=award, level="一等奖", project=first_project)
    assert (certificate.title, certificate.project_name) == ("实验成果奖 一等奖", str(first_project))
    with pytest.raises(WorkflowError) as refused:
        issue(zj, staff_user, kind=CertificateKind.AWARD, award=award, level="二等奖", project=first_project)
    assert refused.value.code == "already_issued"
    # A school's 实验校 certificate and its award are different kinds: both stand.
    issue(zj, staff_user)
    other = ExperimentProject.objects.create(experiment_school=zj, category=ProjectCategory.objects.exclude(pk=first_project.category_id).first(), position=9)
    issue(zj, staff_user, kind=CertificateKind.AWARD, award=award, level="三等奖", project=other)
    assert zj.certificates.filter(revoked_at__isnull=True).count() == 3


@pytest.mark.parametrize("extra, code", [
    ({"level": "特等奖"}, "level_missing"),  # not a level of 实验成果奖
    ({"level": "一等奖", "project": None}, "project_missing"),
    ({"level": "一等奖", "other_school_project": True}, "project_missing"),
])  # fmt: skip
def test_an_award_needs_one_of_its_levels_and_a_project_of_this_school(trio, staff_user, award, extra, code):
    zj, js = trio["zj"][0], trio["js"][0]
    project = project_of(js) if extra.pop("other_school_project", False) else project_of(zj)
    with pytest.raises(WorkflowError) as refused:
        issue(zj, staff_user, kind=CertificateKind.AWARD, award=award, **{"project": project, **extra})
    assert refused.value.code == code
    assert not Certificate.objects.exists()


def test_a_school_that_left_gets_no_certificate_and_quality_needs_a_published_excellent_conclusion(trio, staff_user):
    zj, _ = trio["zj"]
    type(zj).objects.filter(pk=zj.pk).update(status=ExperimentStatus.DEEMED_WITHDRAWN)
    with pytest.raises(WorkflowError) as refused:
        issue(zj, staff_user)
    assert refused.value.code == "school_left"
    with pytest.raises(WorkflowError) as quality:
        issue(trio["js"][0], staff_user, kind=CertificateKind.QUALITY_SCHOOL)
    assert quality.value.code == "not_excellent"
    assert not Certificate.objects.exists()


# ---- A whole batch ------------------------------------------------------------------------------


def test_issuing_for_a_batch_gives_each_school_one_and_again_gives_none(trio, second_batch, staff_user):
    zj, js, sc = (trio[k][0] for k in ("zj", "js", "sc"))
    already = issue(zj, staff_user)
    type(sc).objects.filter(pk=sc.pk).update(status=ExperimentStatus.WITHDRAWN)
    assert certificates_issue_for_batch(batch=second_batch, actor=staff_user) == 1  # 江苏 only
    assert certificates_issue_for_batch(batch=second_batch, actor=staff_user) == 0
    assert set(Certificate.objects.values_list("experiment_school__school__name", flat=True)) == {"浙江实验职业技术学院", "江苏实验职业技术学院"}
    assert zj.certificates.get() == already


def test_a_revoked_certificate_is_replaced_by_the_next_batch_run(trio, second_batch, staff_user):
    certificates_issue_for_batch(batch=second_batch, actor=staff_user)
    certificate_revoke(certificate=trio["zj"][0].certificates.get(), actor=staff_user, reason="学校名称变更。")
    assert certificates_issue_for_batch(batch=second_batch, actor=staff_user) == 1
    assert trio["zj"][0].certificates.filter(revoked_at__isnull=True).count() == 1


# ---- Revoking -----------------------------------------------------------------------------------


def test_revoking_needs_a_reason_and_happens_once(trio, staff_user):
    certificate = issue(trio["zj"][0], staff_user)
    with pytest.raises(WorkflowError) as no_reason:
        certificate_revoke(certificate=certificate, actor=staff_user, reason="  ")
    assert no_reason.value.code == "reason_missing"
    revoked = certificate_revoke(certificate=certificate, actor=staff_user, reason="误发。", now=aware(2024, 3, 5, 9, 0))
    assert (revoked.revoke_reason, revoked.revoked_by, revoked.revoked_at) == ("误发。", staff_user, aware(2024, 3, 5, 9, 0))
    with pytest.raises(WorkflowError) as twice:
        certificate_revoke(certificate=certificate, actor=staff_user, reason="再次撤销。")
    assert twice.value.code == "already_revoked"


# ---- The public verify page ---------------------------------------------------------------------


def test_the_verify_page_of_a_valid_certificate_says_whose_and_what_in_one_query(client, trio, staff_user):
    certificate = issue(trio["zj"][0], staff_user, now=aware(2023, 7, 1, 10, 0))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("certificate_verify", args=[certificate.number.lower()]))  # typed in lower case
    page = response.content.decode()
    assert response.status_code == 200 and len(queries) <= 2
    assert "证书有效" in page and "浙江实验职业技术学院" in page and TITLE in page and "2023年7月1日" in page
    assert "已撤销" not in page and trio["zj"][0].lead_mobile not in page


def test_the_verify_page_of_a_revoked_certificate_says_so_with_the_date(client, trio, staff_user):
    certificate = issue(trio["zj"][0], staff_user)
    certificate_revoke(certificate=certificate, actor=staff_user, reason="误发。", now=aware(2024, 3, 5, 9, 0))
    response = client.get(reverse("certificate_verify", args=[certificate.number]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "该证书已撤销，不再有效" in page and "撤销日期：2024年3月5日" in page
    assert "证书有效" not in page and "误发" not in page  # the reason is the project group's, not the public's


def test_the_verify_page_of_an_unknown_number_is_404(client, trio, staff_user):
    issue(trio["zj"][0], staff_user)
    response = client.get(reverse("certificate_verify", args=["CAEA-2023-AAAA-AAAA-AAAA-AAAA"]))
    assert response.status_code == 404
    assert "未查询到该证书" in response.content.decode() and "浙江" not in response.content.decode()


# ---- The PDF ------------------------------------------------------------------------------------


def test_the_pdf_is_one_landscape_a4_page_with_school_title_number_and_the_verify_address(client, trio, staff_user):
    from pypdf import PdfReader

    certificate = issue(trio["zj"][0], staff_user, now=aware(2023, 7, 1, 10, 0))
    client.force_login(staff_user)
    response = client.get(reverse("programme:certificate_pdf", args=[certificate.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)
    assert round(float(page.mediabox.width)) == 842  # A4 landscape: 297 mm in points
    text = page.extract_text()
    flat = re.sub(r"\s+", "", text)
    for expected in ("荣誉证书", "浙江实验职业技术学院", TITLE, certificate.number, "中国成人教育协会", "2023年7月1日",
                     f"/verify/{certificate.number}/"):  # fmt: skip
        assert expected in flat, expected
    assert missing_glyphs(text) == set()
    fonts = {str(f.get("/BaseFont")) for f in page["/Resources"]["/Font"].values()}
    assert any(re.match(r"^/[A-Z]{6}\+Noto-Serif-CJK-SC$", font) for font in fonts), fonts  # the CJK face, subset and embedded


def test_an_award_pdf_names_the_project_and_a_revoked_one_says_it_is_revoked(client, trio, staff_user, award):
    from pypdf import PdfReader

    zj, _ = trio["zj"]
    certificate = issue(zj, staff_user, kind=CertificateKind.AWARD, award=award, level="一等奖", project=project_of(zj))
    certificate_revoke(certificate=certificate, actor=staff_user, reason="误发。", now=aware(2024, 3, 5, 9, 0))
    client.force_login(staff_user)
    text = re.sub(r"\s+", "", PdfReader(io.BytesIO(client.get(reverse("programme:certificate_pdf", args=[certificate.pk])).content)).pages[0].extract_text())
    assert "实验成果奖一等奖" in text and re.sub(r"\s+", "", str(project_of(zj))) in text
    assert "本证书已于2024年3月5日撤销" in text


# ---- The pages ----------------------------------------------------------------------------------


def test_staff_issue_one_on_the_school_page_and_see_it_with_its_download(client, trio, staff_user):
    zj, _ = trio["zj"]
    client.force_login(staff_user)
    response = client.post(reverse("programme:staff_certificate_issue", args=[zj.pk]), {"kind": "experiment_school"})
    assert response.status_code == 302
    certificate = zj.certificates.get()
    page = client.get(reverse("programme:staff_school", args=[zj.pk])).content.decode()
    assert certificate.number in page and TITLE in page and reverse("programme:certificate_pdf", args=[certificate.pk]) in page
    assert "撤销证书" in page


def test_an_award_without_its_level_and_project_comes_back_with_the_errors_next_to_the_fields(client, trio, staff_user, award):
    zj, _ = trio["zj"]
    client.force_login(staff_user)
    response = client.post(reverse("programme:staff_certificate_issue", args=[zj.pk]), {"kind": "award"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "颁发奖项证书时，请选择奖项及等级。" in page and "颁发奖项证书时，请选择获奖项目。" in page
    assert not Certificate.objects.exists()
    ok = client.post(reverse("programme:staff_certificate_issue", args=[zj.pk]),
                     {"kind": "award", "award_level": f"{award.pk}:二等奖", "project": project_of(zj).pk})  # fmt: skip
    assert ok.status_code == 302 and zj.certificates.get().title == "实验成果奖 二等奖"


def test_a_second_certificate_of_the_kind_is_refused_on_the_page(client, trio, staff_user):
    zj, _ = trio["zj"]
    issue(zj, staff_user)
    client.force_login(staff_user)
    response = client.post(reverse("programme:staff_certificate_issue", args=[zj.pk]), {"kind": "experiment_school"})
    assert response.status_code == 400 and "该校已有同类有效证书" in response.content.decode()
    assert zj.certificates.count() == 1


def test_revoking_on_the_page_needs_the_reason(client, trio, staff_user):
    certificate = issue(trio["zj"][0], staff_user)
    client.force_login(staff_user)
    url = reverse("programme:staff_certificate_revoke", args=[certificate.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400 and "请填写撤销原因。" in response.content.decode()
    assert client.post(url, {"reason": "学校名称有误。"}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.is_revoked and certificate.revoke_reason == "学校名称有误。"


def test_the_cycles_page_issues_for_the_batch_once_ticked(client, trio, second_batch, staff_user, private_media):
    # The job runs at once under the tests' immediate task backend; tests/programme/test_certificate_jobs.py reads its ZIP.
    client.force_login(staff_user)
    assert "为本批次实验校颁发证书" in client.get(reverse("programme:staff_cycles")).content.decode()
    url = reverse("programme:staff_certificates_issue_batch", args=[second_batch.pk])
    client.post(url, {})
    assert not Certificate.objects.exists()  # not ticked
    response = client.post(url, {"confirm": "yes"}, follow=True)
    assert "新颁发证书 3 张；压缩包内共 3 张有效证书的 PDF。" in response.content.decode()
    response = client.post(url, {"confirm": "yes"}, follow=True)
    assert "没有需要新颁发的证书；压缩包内共 3 张有效证书的 PDF。" in response.content.decode() and Certificate.objects.count() == 3


def test_a_school_downloads_its_own_valid_certificates_from_its_workspace(client, trio, staff_user):
    (zj, zj_user), (js, js_user) = trio["zj"], trio["js"]
    mine = issue(zj, staff_user)
    theirs = issue(js, staff_user)
    client.force_login(zj_user)
    page = client.get(reverse("dashboard")).content.decode()
    assert "荣誉证书" in page and mine.number in page and theirs.number not in page
    assert client.get(reverse("programme:certificate_pdf", args=[mine.pk])).status_code == 200
    assert client.get(reverse("programme:certificate_pdf", args=[theirs.pk])).status_code == 404
    certificate_revoke(certificate=mine, actor=staff_user, reason="误发。", now=aware(2024, 3, 5, 9, 0))
    page = client.get(reverse("dashboard")).content.decode()
    assert "已于2024年3月5日撤销" in page and reverse("programme:certificate_pdf", args=[mine.pk]) not in page
    assert client.get(reverse("programme:certificate_pdf", args=[mine.pk])).status_code == 404
