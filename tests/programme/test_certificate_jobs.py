"""荣誉证书 many at once (issue 16: 为本批次实验校颁发证书 or a whole decision at once, a background job
with progress and a ZIP) and the /verify/ page where anyone types a number. The tests' task backend
runs a job as it is queued, so the job's page reads done at once."""
import zipfile

import pytest
from django.urls import reverse

from programme.certificate_jobs import CertificateTarget, certificates_issue_job
from programme.certificates import certificate_issue, certificate_revoke
from programme.models import Award, Certificate, CertificateKind, ExperimentStatus
from review.models import ExportJob
from tests.review.national_helpers import pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]


def project_of(experiment_school):
    return experiment_school.projects.select_related("category").order_by("position", "pk")[0]


def zip_of(job) -> zipfile.ZipFile:
    job.refresh_from_db()
    assert job.state == ExportJob.State.DONE, job.error
    return zipfile.ZipFile(job.file.open("rb"))


def test_the_batch_job_issues_the_missing_and_zips_every_live_certificate_of_the_batch(client, trio, second_batch, staff_user):
    zj, js, sc = trio["zj"][0], trio["js"][0], trio["sc"][0]
    held = certificate_issue(experiment_school=zj, kind=CertificateKind.EXPERIMENT_SCHOOL, actor=staff_user)
    award = Award.objects.create(name="实验成果奖", levels="一等奖、二等奖")
    prize = certificate_issue(experiment_school=js, kind=CertificateKind.AWARD, actor=staff_user, award=award, level="一等奖", project=project_of(js))
    revoked = certificate_issue(experiment_school=sc, kind=CertificateKind.EXPERIMENT_SCHOOL, actor=staff_user)
    certificate_revoke(certificate=revoked, actor=staff_user, reason="学校名称有误。")
    client.force_login(staff_user)

    response = client.post(reverse("programme:staff_certificates_issue_batch", args=[second_batch.pk]), {"confirm": "yes"})

    job = ExportJob.objects.get()
    assert response.url == reverse("programme:staff_certificate_job", args=[job.pk])
    page = client.get(response.url).content.decode()
    assert "第二批实验校·实验校证书" in page and "新颁发证书 2 张；压缩包内共 4 张有效证书的 PDF。" in page  # js and sc (again)
    live = Certificate.objects.filter(revoked_at__isnull=True)
    assert live.filter(kind=CertificateKind.EXPERIMENT_SCHOOL).count() == 3 and held in live
    archive = zip_of(job)
    names = archive.namelist()
    assert len(names) == 4 and all(c.number in " ".join(names) for c in live) and revoked.number not in " ".join(names)
    prize_pdf = next(name for name in names if prize.number in name)
    assert prize_pdf.startswith("江苏省/江苏实验职业技术学院-实验成果奖_一等奖-")
    text = pdf_text(archive.read(prize_pdf))
    assert "实验成果奖一等奖" in text and f"http://testserver/verify/{prize.number}/" in text  # the QR's host: the one staff used

    status = client.get(reverse("programme:staff_certificate_job_status", args=[job.pk])).json()
    assert status["state"] == "done" and status["download"] == reverse("review:export_download", args=[job.pk])
    download = client.get(status["download"])
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    # The applications' PDF 打包 page lists its own ZIPs only; the certificates' job page is not one of theirs.
    exports = client.get(reverse("review:exports") + f"?batch={second_batch.pk}").content.decode()
    assert "实验校证书" not in exports


def test_a_target_the_rules_refuse_is_named_on_the_job_page_and_the_rest_are_issued(client, trio, second_batch, staff_user):
    zj, js = trio["zj"][0], trio["js"][0]
    js.status = ExperimentStatus.WITHDRAWN
    js.save(update_fields=["status"])
    award = Award.objects.create(name="实验成果奖", levels="一等奖、二等奖")
    targets = [CertificateTarget(zj, CertificateKind.AWARD, award, "一等奖", project_of(zj)),
               CertificateTarget(js, CertificateKind.AWARD, award, "二等奖", project_of(js))]  # fmt: skip

    job = certificates_issue_job(batch=second_batch, targets=targets, actor=staff_user, label="第二批·实验成果奖", site_url="https://caea.example/", award=award)

    assert list(Certificate.objects.values_list("school_name", "title")) == [("浙江实验职业技术学院", "实验成果奖 一等奖")]
    (name,) = zip_of(job).namelist()
    assert f"https://caea.example/verify/{Certificate.objects.get().number}/" in pdf_text(zip_of(job).read(name))
    client.force_login(staff_user)
    page = client.get(reverse("programme:staff_certificate_job", args=[job.pk])).content.decode()
    assert "以下未能颁发" in page and "江苏实验职业技术学院：该校状态为“已退出（自愿）”，不能颁发证书。" in page
    assert "新颁发证书 1 张；压缩包内共 1 张有效证书的 PDF。" in page


def test_an_award_decision_with_errors_names_each_line_and_keeps_what_was_typed(client, trio, second_batch, staff_user):
    zj = trio["zj"][0]
    client.force_login(staff_user)
    typed = "一等奖\t浙江实验职业技术学院\t不存在的项目\n特等奖\t江苏实验职业技术学院\n二等奖 宁波不存在学院\n三等奖"
    response = client.post(reverse("programme:staff_award_decisions"), {
        "batch": second_batch.pk, "award_name": "实验成果奖", "levels": "一等奖、二等奖", "winners": typed,
    })  # fmt: skip
    assert response.status_code == 400
    page = response.content.decode()
    offered = "、".join(str(p) for p in zj.projects.order_by("position", "pk"))
    assert f"第 1 行：浙江实验职业技术学院没有“不存在的项目”项目（该校的具体实施项目：{offered}）。" in page
    assert "第 2 行：等级“特等奖”不在所填等级（一等奖、二等奖）中。" in page
    assert "第 3 行：“宁波不存在学院”不是第二批实验校的实验校（请填写学校全称）。" in page
    assert "第 4 行：请按“等级、实验校名称、获奖项目”填写。" in page
    assert "一等奖\t浙江实验职业技术学院\t不存在的项目" in page  # the text as typed
    assert not Award.objects.exists() and not ExportJob.objects.exists() and not Certificate.objects.exists()


def test_an_award_decision_issues_all_its_certificates_at_once(client, trio, second_batch, staff_user):
    zj, js, sc = trio["zj"][0], trio["js"][0], trio["sc"][0]
    js.projects.exclude(pk=project_of(js).pk).delete()  # one project left: its line may leave the project out
    client.force_login(staff_user)
    assert "录入获奖决定" in client.get(reverse("programme:staff_award_decisions") + f"?batch={second_batch.pk}").content.decode()
    winners = f"一等奖\t浙江实验职业技术学院\t{project_of(zj)}\n二等奖，江苏实验职业技术学院\n二等奖 四川实验职业技术学院 {project_of(sc).category.name}\n"
    response = client.post(reverse("programme:staff_award_decisions"), {
        "batch": second_batch.pk, "award_name": "实验成果奖", "levels": "一等奖、二等奖", "winners": winners,
    })  # fmt: skip

    award = Award.objects.get()
    assert award.name == "实验成果奖" and award.level_list == ["一等奖", "二等奖"]
    issued = {(c.school_name, c.title, c.project_id) for c in Certificate.objects.all()}
    assert issued == {("浙江实验职业技术学院", "实验成果奖 一等奖", project_of(zj).pk), ("江苏实验职业技术学院", "实验成果奖 二等奖", project_of(js).pk),
                      ("四川实验职业技术学院", "实验成果奖 二等奖", project_of(sc).pk)}  # fmt: skip
    job = ExportJob.objects.get()
    assert len(zip_of(job).namelist()) == 3
    page = client.get(response.url).content.decode()
    assert "第二批实验校·实验成果奖" in page and "“实验成果奖”已颁发的证书" in page and page.count("实验成果奖 ") == 0  # levels in their own column
    assert all(c.number in page for c in Certificate.objects.all())
    table = page[page.index("“实验成果奖”已颁发的证书"):]
    assert table.index("一等奖") < table.index("二等奖") and table.index("江苏实验职业技术学院") < table.index("四川实验职业技术学院")

    # The same decision again: every project holds its certificate, named by its line.
    again = client.post(reverse("programme:staff_award_decisions"), {
        "batch": second_batch.pk, "award_name": "实验成果奖", "levels": "一等奖、二等奖", "winners": winners.splitlines()[0],
    })  # fmt: skip
    held = Certificate.objects.get(experiment_school=zj)
    assert again.status_code == 400 and f"第 1 行：浙江实验职业技术学院的“{project_of(zj)}”项目已获“实验成果奖 一等奖”（证书编号 {held.number}）" in again.content.decode()
    # An existing award keeps its levels.
    other = client.post(reverse("programme:staff_award_decisions"), {
        "batch": second_batch.pk, "award_name": "实验成果奖", "levels": "金奖、银奖", "winners": "金奖 浙江实验职业技术学院",
    })  # fmt: skip
    assert other.status_code == 400 and "奖项“实验成果奖”已设等级：一等奖、二等奖；请按此填写，或另起奖项名称。" in other.content.decode()
    assert ExportJob.objects.count() == 1


def test_an_applications_zip_is_not_a_certificates_job(client, second_batch, staff_user):
    job = ExportJob.objects.create(requested_by=staff_user, batch=second_batch, label="全部", selection={"scope": "all"})
    client.force_login(staff_user)
    assert client.get(reverse("programme:staff_certificate_job", args=[job.pk])).status_code == 404


# ---- /verify/: typing a number ---------------------------------------------------------------


def test_verify_alone_is_a_box_to_type_a_number_and_goes_to_its_page(client, trio, staff_user):
    certificate = certificate_issue(experiment_school=trio["zj"][0], kind=CertificateKind.EXPERIMENT_SCHOOL, actor=staff_user)
    page = client.get("/verify/")
    assert page.status_code == 200 and "证书编号" in page.content.decode() and 'name="number"' in page.content.decode()
    typed = " " + certificate.number.lower().replace("-", " ", 3) + " "  # lower case, spaces for some dashes
    response = client.get("/verify/", {"number": typed})
    assert response.status_code == 302 and response.url == f"/verify/{certificate.number}/"
    assert "证书有效" in client.get(response.url).content.decode()
    # Typed without any dash, in the address itself.
    compact = client.get(f"/verify/{certificate.number.replace('-', '').lower()}/")
    assert compact.status_code == 200 and "浙江实验职业技术学院" in compact.content.decode()


@pytest.mark.parametrize("typed, message", [
    ("", "请输入证书编号。"),
    ("CAEA-2025-ABCD", "证书编号由 CAEA、年份和 16 位字母数字组成"),
])  # fmt: skip
def test_verify_a_number_of_the_wrong_shape_is_answered_beside_the_box_and_kept(client, typed, message):
    response = client.get("/verify/", {"number": typed})
    page = response.content.decode()
    assert response.status_code == 400 and message in page
    assert f'value="{typed}"' in page if typed else 'value=' not in page.split('name="number"')[1].split(">")[0]


def test_verify_a_well_formed_number_no_one_holds_reads_not_found(client):
    response = client.get("/verify/", {"number": "caea-2000-aaaa-aaaa-aaaa-aaaa"}, follow=True)
    assert response.status_code == 404 and "未查询到该证书" in response.content.decode()
