"""The 荣誉证书 in the demo data (seed_demo's certificates), as README's demo table tells it: the first
batch's 实验校 still in the programme hold a 实验校 certificate issued the day after the list's
项目工作会议 (苏州, which left, none); 温州's is revoked with a reason; one award decision, 实验成果奖
一等奖 (宁波) and 二等奖 (温州), issued at once through the certificates' job with its ZIP; the
numbers to type into /verify/ are printed.

Seeded once for the module (in a transaction rolled back at the end; PDFs laid out by the access
matrix's stand-in)."""
from datetime import datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone

from portal.models import User
from programme.models import Award, Certificate, CertificateKind, ExperimentSchool
from review.models import ExportJob
# The demo seeded once for the module, as the 实验周期's demo tests seed it (their fixtures, their module's files).
from tests.demo.test_seed_demo_programme import MIANYANG, NINGBO, README, WENZHOU, _private_media, seed, seeded  # noqa: F401 (fixtures)


def signed_in(client, username):
    client.force_login(User.objects.get(username=username))
    return client


def test_the_first_batch_s_schools_in_the_programme_hold_a_certificate_from_the_day_after_the_meeting(seeded, db):
    starts = ExperimentSchool.objects.get(school__name=NINGBO, batch__document_number="中成协〔2022〕012号").cycle_starts_on
    held = Certificate.objects.filter(kind=CertificateKind.EXPERIMENT_SCHOOL).order_by("school_name")
    assert sorted(c.school_name for c in held) == sorted([NINGBO, WENZHOU, MIANYANG])  # 苏州 left: none
    issued_on = timezone.make_aware(datetime.combine(starts + timedelta(days=1), time(10, 0)))
    assert {c.issued_at for c in held} == {issued_on}
    assert {c.title for c in held} == {"职业院校服务全民终身学习项目第一批实验校"}


def test_wenzhou_s_is_revoked_with_its_reason_and_the_verify_page_says_so(seeded, db, client):
    revoked = Certificate.objects.get(school_name=WENZHOU, kind=CertificateKind.EXPERIMENT_SCHOOL)
    assert revoked.is_revoked and revoked.revoke_reason == "颁发有误，本证书作废；以项目组另行颁发的证书为准。"
    page = client.get(reverse("certificate_verify", args=[revoked.number])).content.decode()
    assert "该证书已撤销，不再有效" in page and f"撤销日期：{timezone.localtime(revoked.revoked_at):%Y年%-m月%-d日}" in page
    valid = Certificate.objects.get(school_name=NINGBO, kind=CertificateKind.EXPERIMENT_SCHOOL)
    assert "证书有效" in client.get(reverse("certificate_verify", args=[valid.number])).content.decode()
    assert valid.number in seeded and revoked.number in seeded  # the numbers to type into /verify/


def test_the_award_decision_issued_its_certificates_through_the_job(seeded, db, client):
    award = Award.objects.get()
    assert award.name == "实验成果奖" and award.level_list == ["一等奖", "二等奖", "三等奖"]
    assert sorted(award.certificates.values_list("school_name", "award_level")) == sorted([(NINGBO, "一等奖"), (WENZHOU, "二等奖")])
    job = ExportJob.objects.get(selection__scope="certificates", selection__award=award.pk)
    assert job.state == ExportJob.State.DONE and job.done == 2 and job.file
    page = signed_in(client, "demo-staff").get(reverse("programme:staff_award_decisions")).content.decode()
    assert "第一批实验校·实验成果奖" in page
    job_page = client.get(reverse("programme:staff_certificate_job", args=[job.pk])).content.decode()
    assert "下载证书 ZIP" in job_page and all(c.number in job_page for c in award.certificates.all())


def test_ningbo_downloads_its_three_certificates_from_its_workspace(seeded, db, client):
    # 实验校, 实验成果奖 一等奖 and, from the 优质校评估 published later (seed_demo's evaluation_results), 优质校.
    assert Certificate.objects.filter(school_name=NINGBO).count() == 3
    page = signed_in(client, "demo-school-zj2").get(reverse("dashboard")).content.decode()
    for certificate in Certificate.objects.filter(school_name=NINGBO):
        assert certificate.number in page and reverse("programme:certificate_pdf", args=[certificate.pk]) in page


def test_a_second_run_issues_nothing_more(seeded, db):
    before = (Certificate.objects.count(), ExportJob.objects.count(), Award.objects.count())
    seed()
    # 实验校 ×3, the award ×2 and 宁波's 优质校 (the 优质校评估's job): six certificates from two jobs.
    assert (Certificate.objects.count(), ExportJob.objects.count(), Award.objects.count()) == before == (6, 2, 1)


def test_the_readme_names_what_the_demo_s_certificates_show():
    readme = README.read_text()
    assert "/verify/" in readme and "实验成果奖" in readme and "/programme/staff/certificates/awards/" in readme
