"""The review's documents, read back with pypdf: an expert's score sheet, the ranked score table
and the 实验校名单 (for 备案 and for publication); and the ZIP of application PDFs built by a
background job (run at once by the tests' immediate task backend) with its progress and download."""
import io
import zipfile
from urllib.parse import unquote
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import Province, SchoolType
from review.exports import build_pdf_zip, export_create
from review.models import ExportJob
from review.decisions import decide
from review.rubric import rubric_ensure_default
from tests.conftest import aware
from tests.review.national_helpers import (
    BEIJING,
    FAIR,
    GOOD,
    GUANGDONG,
    HUBEI,
    SHANGHAI,
    SICHUAN,
    assign,
    at_national,
    file_and_publish,
    in_review,
    make_expert,
    pdf_text,
    submit_review,
)

pytestmark = pytest.mark.usefixtures("private_media")  # scans and ZIPs go to a temporary directory


@pytest.fixture
def reviewed(batch, staff_user, private_media):
    """Three scored applications (Sichuan 88, Hubei mean 79, Guangdong 70), two experts."""
    rubric_ensure_default(batch)
    qian = make_expert("expert-qian", BEIJING, "北京终身教育研究院", last_name="钱", first_name="评审")
    sun = make_expert("expert-sun", SHANGHAI, "上海开放大学", last_name="孙", first_name="其他")
    sichuan, _ = in_review(batch, "四川文档职业技术学院", staff_user, SICHUAN, SchoolType.HIGHER_VOCATIONAL)
    hubei, _ = in_review(batch, "武汉文档职业教育中心", staff_user, HUBEI, SchoolType.VOCATIONAL_CENTER)
    guangdong, _ = in_review(batch, "广东文档职业学校", staff_user, GUANGDONG, SchoolType.SECONDARY_VOCATIONAL)
    reviews = {
        "qian_sichuan": submit_review(assign(sichuan, qian, staff_user), GOOD, comment="方案扎实，特色鲜明。", recommendation="strong"),
        "qian_hubei": submit_review(assign(hubei, qian, staff_user), GOOD),
        "sun_hubei": submit_review(assign(hubei, sun, staff_user), FAIR, comment="孙的意见", recommendation="no"),
        "sun_guangdong": submit_review(assign(guangdong, sun, staff_user), FAIR),
    }
    return {"qian": qian, "sun": sun, "sichuan": sichuan, "hubei": hubei, "guangdong": guangdong, "reviews": reviews}


def sheet_url(review):
    return reverse("review:score_sheet", args=[review.pk])


# ---- The score sheet ---------------------------------------------------------------------------------

def test_the_score_sheet_shows_the_criteria_points_total_comment_and_expert(client, reviewed):
    review = reviewed["reviews"]["qian_sichuan"]
    client.force_login(reviewed["qian"])
    response = client.get(sheet_url(review))
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert f"专家评分表-{reviewed['sichuan'].number}.pdf" in unquote(response["Content-Disposition"])
    text = pdf_text(response.content)

    application = reviewed["sichuan"]
    assert f"申请编号{application.number}评审状态已提交学校名称四川文档职业技术学院实验方案{application.plan_name}" in text
    # Each criterion: its number, name, maximum, weight, then the expert's points.
    for position, (name, maximum, points) in enumerate(
        [("有意愿", "10.0", "9.0"), ("有组织", "15.0", "13.5"), ("有项目", "15.0", "13.0"),
         ("有团队", "15.0", "12.5"), ("有协调能力", "15.0", "14.0"), ("实验方案质量", "30.0", "26.0")], start=1):  # fmt: skip
        assert f"{position}{name}" in text
        assert f"{maximum}1.00{points}" in text, name
    assert "加权总分88.00" in text
    assert "推荐意见：强烈推荐" in text
    assert "评审意见：方案扎实，特色鲜明。" in text
    assert "评审专家签字：（钱评审）" in text
    assert f"{timezone.localtime(review.submitted_at):%Y年%-m月%-d日}" in text


def test_staff_may_read_every_score_sheet(client, reviewed, staff_user):
    client.force_login(staff_user)
    for review in reviewed["reviews"].values():
        response = client.get(sheet_url(review))
        assert response.status_code == 200
        assert review.assignment.application.number in pdf_text(response.content)


def test_an_expert_reads_only_their_own_score_sheets(client, reviewed):
    client.force_login(reviewed["qian"])
    assert client.get(sheet_url(reviewed["reviews"]["qian_hubei"])).status_code == 200
    for key in ("sun_hubei", "sun_guangdong"):
        # Another expert's sheet does not exist for them (404: review ids cannot be probed).
        assert client.get(sheet_url(reviewed["reviews"][key])).status_code == 404
    assert client.get(reverse("review:score_sheet", args=[999999])).status_code == 404


# ---- The ranked score table --------------------------------------------------------------------------

def test_the_ranking_pdf_lists_the_rows_with_their_means(client, batch, reviewed, staff_user):
    client.force_login(staff_user)
    response = client.get(reverse("review:ranking_export", args=["pdf"]), {"batch": batch.pk})
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert response["Content-Disposition"].startswith("inline")
    text = pdf_text(response.content)
    assert "“职业院校服务全民终身学习项目”第二批实验校评审排名表筛选：全部共3份" in text
    sichuan, hubei, guangdong = reviewed["sichuan"], reviewed["hubei"], reviewed["guangdong"]
    # rank, number, school, province, type, projects, reviews, mean, spread, flag, status — in rank order
    rows = [
        f"1{sichuan.number}四川文档职业技术学院四川省高等职业院校职业教育助力乡村振兴；老年教育赋能提质1/188.000.00评审完成",
        f"2{hubei.number}武汉文档职业教育中心湖北省职教中心职业教育助力乡村振兴；老年教育赋能提质2/279.0018.00评审完成",
        f"3{guangdong.number}广东文档职业学校广东省中等职业学校职业教育助力乡村振兴；老年教育赋能提质1/170.000.00评审完成",
    ]
    for row in rows:
        assert row in text
    assert text.index(rows[0]) < text.index(rows[1]) < text.index(rows[2])


def test_the_ranking_pdf_follows_the_filters(client, batch, reviewed, staff_user):
    client.force_login(staff_user)
    response = client.get(reverse("review:ranking_export", args=["pdf"]), {"batch": batch.pk, "province": HUBEI})
    text = pdf_text(response.content)
    assert "筛选：湖北省共1份" in text
    assert "武汉文档职业教育中心" in text
    assert "四川文档职业技术学院" not in text and "广东文档职业学校" not in text


# ---- The 实验校名单 ----------------------------------------------------------------------------------

@pytest.fixture
def decided(batch, reviewed, staff_user):
    for key in ("sichuan", "hubei"):
        decide(application=reviewed[key], actor=staff_user, selected=True, opinion="同意列为实验校。")
    decide(application=reviewed["guangdong"], actor=staff_user, selected=False, opinion="暂不列入。")
    return reviewed


def list_pdf(client, batch, kind):
    response = client.get(reverse("review:selected_list", args=[kind]), {"batch": batch.pk})
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    return pdf_text(response.content)


def test_the_filing_list_has_numbers_projects_leads_and_phones_by_province(client, batch, decided, staff_user):
    client.force_login(staff_user)
    text = list_pdf(client, batch, "filing")
    assert "“职业院校服务全民终身学习项目”第二批实验校名单（待公布）" in text
    assert "报中国成人教育协会备案" in text
    hubei, sichuan = decided["hubei"], decided["sichuan"]
    hubei_row = f"湖北省学校类型学校名称申请编号具体实施项目负责人手机职教中心武汉文档职业教育中心{hubei.number}职业教育助力乡村振兴；老年教育赋能提质王晓燕（副院长）13800000001"
    sichuan_row = f"四川省学校类型学校名称申请编号具体实施项目负责人手机高等职业院校四川文档职业技术学院{sichuan.number}"
    assert hubei_row in text and sichuan_row in text
    assert text.index(hubei_row) < text.index(sichuan_row)  # provinces in code order: 42 before 51
    assert "广东文档职业学校" not in text


def test_the_public_list_has_names_by_province_and_type_and_no_contacts(client, batch, decided, staff_user):
    client.force_login(staff_user)
    file_and_publish(batch, staff_user, now=aware(2023, 6, 28, 9, 0))
    text = list_pdf(client, batch, "public")
    assert "“职业院校服务全民终身学习项目”第二批实验校名单2023年6月28日公布" in text
    assert "公布稿" in text
    assert "湖北省职教中心（1所）：武汉文档职业教育中心四川省高等职业院校（1所）：四川文档职业技术学院" in text
    for private in ("13800000001", "王晓燕", decided["hubei"].number, "广东文档职业学校"):
        assert private not in text


# ---- The ZIP export -----------------------------------------------------------------------------------

def test_an_export_builds_one_pdf_per_selected_application_at_once(client, batch, decided, staff_user, private_media):
    client.force_login(staff_user)
    response = client.post(reverse("review:exports"), {"batch": batch.pk, "scope": "selected"})

    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("review:export_detail", args=[job.pk])
    assert (job.state, job.total, job.done, job.percent, job.requested_by) == ("done", 2, 2, 100, staff_user)
    assert job.label == "第二批实验校·入选的申请"
    # The file went to the test's own storage, never into the repository.
    assert Path(job.file.path).is_relative_to(private_media)

    status = client.get(reverse("review:export_status", args=[job.pk])).json()
    download = reverse("review:export_download", args=[job.pk])
    assert status == {"state": "done", "label": "已完成", "done": 2, "total": 2, "percent": 100, "download": download, "error": ""}
    page = client.get(reverse("review:export_detail", args=[job.pk])).content.decode()
    assert "进度 <span data-job-done>2</span> / <span data-job-total>2</span>" in page and download in page

    response = client.get(download)
    assert (response.status_code, response["Content-Type"]) == (200, "application/zip")
    assert response["Content-Disposition"].startswith("attachment")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    hubei, sichuan = decided["hubei"], decided["sichuan"]
    assert archive.namelist() == [f"湖北省/{hubei.number}-武汉文档职业教育中心.pdf", f"四川省/{sichuan.number}-四川文档职业技术学院.pdf"]
    for name, application in zip(archive.namelist(), (hubei, sichuan)):
        text = pdf_text(archive.read(name))
        assert application.number in text and application.school.name in text
        assert "同意列为实验校。" in text  # the 项目组意见 is printed on the bundled forms


def test_an_export_of_one_province_or_of_everything(batch, decided, staff_user, private_media):
    waiting, _ = at_national(batch, "四川待审文档学校")
    job = export_create(batch=batch, actor=staff_user, scope="province", province=Province.objects.get(code=SICHUAN))
    job.refresh_from_db()
    assert (job.state, job.total, job.label) == ("done", 2, "第二批实验校·四川省的全部申请")
    names = zipfile.ZipFile(job.file.open("rb")).namelist()
    assert names == sorted([f"四川省/{decided['sichuan'].number}-四川文档职业技术学院.pdf", f"四川省/{waiting.number}-四川待审文档学校.pdf"])

    job = export_create(batch=batch, actor=staff_user, scope="all")
    job.refresh_from_db()
    assert (job.state, job.done, job.total) == ("done", 4, 4)
    assert len(zipfile.ZipFile(job.file.open("rb")).namelist()) == 4


def test_running_a_finished_job_again_does_nothing(batch, staff_user, private_media):
    job = export_create(batch=batch, actor=staff_user, scope="all")
    job.refresh_from_db()
    name = job.file.name
    build_pdf_zip.call(job.pk)
    job.refresh_from_db()
    assert (job.state, job.file.name, ExportJob.objects.count()) == ("done", name, 1)


def test_a_province_scope_needs_a_province(client, batch, decided, staff_user):
    client.force_login(staff_user)
    response = client.post(reverse("review:exports"), {"batch": batch.pk, "scope": "province"})
    assert response.status_code == 200
    assert "请选择省份。" in response.content.decode()
    assert not ExportJob.objects.exists()


def test_an_unfinished_job_has_no_download(client, batch, staff_user):
    job = ExportJob.objects.create(requested_by=staff_user, batch=batch, label="排队中的打包", selection={"scope": "selected"})
    client.force_login(staff_user)
    status = client.get(reverse("review:export_status", args=[job.pk])).json()
    assert (status["state"], status["download"], status["percent"]) == ("queued", None, 0)
    assert client.get(reverse("review:export_download", args=[job.pk])).status_code == 404


@pytest.mark.parametrize("role", ["school", "province", "expert", "anonymous"])
def test_only_staff_download_an_export(client, batch, staff_user, user_direct, zhejiang_reviewer, role, private_media):
    job = export_create(batch=batch, actor=staff_user, scope="all")  # nothing at the project group yet: an empty ZIP
    job.refresh_from_db()
    assert job.state == "done"
    users = {"school": user_direct, "province": zhejiang_reviewer, "expert": make_expert("expert-x", BEIJING, "北京某院")}
    if role != "anonymous":
        client.force_login(users[role])
    for url in (reverse("review:export_download", args=[job.pk]), reverse("review:export_status", args=[job.pk])):
        response = client.get(url)
        assert response.status_code == (302 if role == "anonymous" else 403), url

