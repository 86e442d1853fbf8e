"""The 年度工作报告's pages as the school, the project group and an assigned expert use them: the form
that keeps what was typed, autosave, submission that lists what is missing, comments and decisions
the school reads, the PDF, the totals with their XLSX, and the lists at constant queries."""
import io
import re
import subprocess
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from applications.models import Application, Status
from portal.models import Role
from portal.pdf import missing_glyphs
from programme import reports
from programme.models import AnnualReport, ExperimentSchool, ReachedGroup, ReportState
from programme.report_selectors import report_states_by_school, reports_due_for
from tests.conftest import fill_complete, make_school, make_user, png_bytes, upload
from tests.programme.conftest import published_batch
from tests.programme.report_helpers import NUMBERS, complete_values, fill


@pytest.fixture
def staff(db):
    return make_user("report-staff", Role.STAFF, is_staff=True)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(report, **changes) -> dict:
    """What the edit page posts: every field, the work rows, the revision it was opened at."""
    data = {name: "" if value is None else value for name, value in complete_values(**changes).items()}
    for row in report.project_work.all():
        data[f"work-{row.pk}"] = f"{row.project_name}：开展社区讲座 12 场。"
    data["revision"] = AnnualReport.objects.get(pk=report.pk).revision
    return data


@pytest.fixture
def current(trio):
    """Zhejiang's 实验校 in year 1 of a cycle that began 100 days ago, its user and its report."""
    zj, user = trio["zj"]
    ExperimentSchool.objects.filter(pk=zj.pk).update(cycle_starts_on=timezone.localdate() - timedelta(days=100),
                                                     cycle_ends_on=timezone.localdate() + timedelta(days=1000))  # fmt: skip
    zj.refresh_from_db()
    return zj, user


def test_the_school_starts_writes_and_submits_its_report_through_the_pages(current, staff):
    zj, user = current
    school = client_for(user)
    page = school.get(reverse("programme:report_school_list"))
    assert "第1年度工作报告" in page.content.decode() and "未开始" in page.content.decode()
    response = school.post(reverse("programme:report_start", args=[1]))
    report = AnnualReport.objects.get(experiment_school=zj, year=1)
    assert response["Location"] == reverse("programme:report_edit", args=[report.pk])
    assert "第1年度工作报告" in school.get(response["Location"]).content.decode()

    # A negative number and a typo are told next to their fields; nothing is stored, everything typed comes back.
    bad = form_data(report, reached_elderly=-3, reached_rural="八百", problems="网络条件不足。")
    response = school.post(reverse("programme:report_edit", args=[report.pk]), bad)
    text = response.content.decode()
    assert response.status_code == 400
    assert "人数不能为负数。" in text and "请填写整数（没有请填 0）。" in text and "网络条件不足。" in text
    report.refresh_from_db()
    assert report.problems == "" and report.revision == 0

    # Submission of an incomplete report lists what is missing next to the fields.
    response = school.post(reverse("programme:report_edit", args=[report.pk]), {**form_data(report), "next_plan": "", "submit": "1"}, follow=True)
    text = response.content.decode()
    assert "报告还不完整，不能提交" in text and "请填写下一年度工作计划。" in text
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT and report.problems == complete_values()["problems"]

    response = school.post(reverse("programme:report_edit", args=[report.pk]), {**form_data(report), "submit": "1"})
    report.refresh_from_db()
    assert response["Location"] == report.get_absolute_url() and report.state == ReportState.SUBMITTED
    # Submitted: the form is closed to the school, the page reads it.
    assert school.get(reverse("programme:report_edit", args=[report.pk]))["Location"] == report.get_absolute_url()
    detail = school.get(report.get_absolute_url()).content.decode()
    assert "已提交" in detail and "开展社区讲座 12 场。" in detail


def test_autosave_stores_the_draft_and_refuses_an_older_copy(current):
    zj, user = current
    school = client_for(user)
    report = reports.report_start(experiment_school=zj, year=1, actor=user)
    data = form_data(report, problems="自动保存的文字")
    answer = school.post(reverse("programme:report_autosave", args=[report.pk]), data)
    assert answer.status_code == 200 and answer.json()["saved"] is True and answer.json()["revision"] == 1
    assert AnnualReport.objects.get(pk=report.pk).problems == "自动保存的文字"
    stale = school.post(reverse("programme:report_autosave", args=[report.pk]), {**data, "problems": "旧窗口"})
    assert stale.status_code == 409 and stale.json()["conflict"] is True
    bad = school.post(reverse("programme:report_autosave", args=[report.pk]), {**data, "revision": 1, "reached_other": "-1"})
    assert bad.status_code == 400 and bad.json()["errors"] == {"reached_other": ["人数不能为负数。"]}
    # The full page keeps the typed text on a conflict and says so.
    page = school.post(reverse("programme:report_edit", args=[report.pk]), {**data, "problems": "另一个窗口里的文字"})
    assert page.status_code == 409 and "另一个窗口里的文字" in page.content.decode() and "为免覆盖，本次没有保存" in page.content.decode()


def test_a_photo_is_uploaded_and_a_bad_file_is_told_next_to_the_field(current, private_media):
    zj, user = current
    school = client_for(user)
    report = reports.report_start(experiment_school=zj, year=1, actor=user)
    url = reverse("programme:report_attachment_upload", args=[report.pk])
    response = school.post(url, {"kind": "photo", "caption": "社区讲座", "file": upload("讲座.png", png_bytes())})
    assert response.status_code == 302
    attachment = report.attachments.get()
    download = school.get(reverse("programme:report_attachment_download", args=[report.pk, attachment.pk]))
    assert download["Content-Type"] == "image/png" and b"".join(download.streaming_content) == png_bytes()
    response = school.post(url, {"kind": "photo", "caption": "", "file": upload("fake.png", b"GIF89a not a png")})
    assert response.status_code == 400 and "只接受 PDF、JPEG 或 PNG 格式的照片" in response.content.decode()
    school.post(reverse("programme:report_attachment_delete", args=[report.pk, attachment.pk]))  # without the button's confirm: kept
    assert report.attachments.count() == 1
    school.post(reverse("programme:report_attachment_delete", args=[report.pk, attachment.pk]), {"confirm": "1"})
    assert not report.attachments.exists()


def test_reviewers_comment_and_return_and_the_school_sees_it(current, staff):
    from tests.review.national_helpers import BEIJING, make_expert

    zj, user = current
    report = reports.report_submit(report=fill(reports.report_start(experiment_school=zj, year=1, actor=user), user), actor=user)
    expert = make_expert("report-expert", BEIJING, "北京终身教育研究院", last_name="钱")
    other_expert = make_expert("report-other", BEIJING, "北京开放大学", last_name="孙")
    staff_client = client_for(staff)
    staff_client.post(reverse("programme:report_assign"), {"expert": expert.pk, "reports": [report.pk], "next": report.get_absolute_url()})
    assert list(report.reviewers.values_list("expert", flat=True)) == [expert.pk]

    assert client_for(other_expert).get(report.get_absolute_url()).status_code == 404
    expert_client = client_for(expert)
    assert zj.school.name in expert_client.get(reverse("programme:report_expert_list")).content.decode()
    expert_client.post(reverse("programme:report_comment", args=[report.pk]), {"body": "建议补充老年学员的学习成果案例。"})
    empty = expert_client.post(reverse("programme:report_decide", args=[report.pk]), {"action": "return", "reason": ""})
    assert empty.status_code == 400 and "退回修改时请填写原因。" in empty.content.decode()
    expert_client.post(reverse("programme:report_decide", args=[report.pk]), {"action": "return", "reason": "请补充培训的时间和人次"})
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED

    school = client_for(user)
    assert school.post(reverse("programme:report_comment", args=[report.pk]), {"body": "自己评自己"}).status_code == 403
    page = school.get(reverse("programme:report_school_list")).content.decode()
    assert "建议补充老年学员的学习成果案例。" in page and "退回原因：请补充培训的时间和人次" in page and "修改后重新提交" in page
    edit = school.get(reverse("programme:report_edit", args=[report.pk])).content.decode()
    assert "请补充培训的时间和人次" in edit
    school.post(reverse("programme:report_edit", args=[report.pk]), {**form_data(report), "submit": "1"})
    staff_client.post(reverse("programme:report_decide", args=[report.pk]), {"action": "accept"})
    report.refresh_from_db()
    assert report.state == ReportState.ACCEPTED


def pdf_text(content: bytes) -> str:
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True)
    return result.stdout.decode()


def test_the_report_pdf_prints_its_contents_in_chinese_with_embedded_fonts(current, staff):
    zj, user = current
    report = fill(reports.report_start(experiment_school=zj, year=1, actor=user), user, problems="乡村学习点网络条件不足（约 30%）。")
    response = client_for(staff).get(reverse("programme:report_pdf", args=[report.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = re.sub(r"\s+", "", pdf_text(response.content))
    for expected in (zj.school.name, "第1年度工作报告", "社区居民", "1200", "进城务工人员及新市民", "乡村学习点网络条件不足（约30%）。",
                     "下一年度工作计划", f"合计{sum(NUMBERS)}"):  # fmt: skip
        assert expected in text, expected
    fonts = subprocess.run(["pdffonts", "-"], input=response.content, capture_output=True, check=True).stdout.decode()
    assert "NotoSerifCJK" in fonts.replace("-", "") and all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:] if line.strip())
    assert missing_glyphs(pdf_text(response.content)) == set()


def test_the_totals_page_and_its_xlsx_agree_with_the_accepted_reports(current, staff):
    zj, user = current
    report = reports.report_submit(report=fill(reports.report_start(experiment_school=zj, year=1, actor=user), user), actor=user)
    reports.report_accept(report=report, actor=staff)
    client = client_for(staff)
    page = client.get(reverse("programme:report_totals")).content.decode()
    assert f"已通过的年度工作报告 1 份，合计服务 {sum(NUMBERS)} 人次" in page
    for table in ("group", "province", "category", "year"):
        response = client.get(reverse("programme:report_totals_xlsx", args=[table]))
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [list(row) for row in sheet.iter_rows(min_row=4, values_only=True)]
        if table == "group":
            assert rows == [[label, n] for (_v, label), n in zip(ReachedGroup.choices, NUMBERS)] + [["合计", sum(NUMBERS)]]
        elif table == "province":
            assert rows == [["浙江省", *NUMBERS, sum(NUMBERS)]]
        elif table == "year":
            assert rows == [["第1年", *NUMBERS, sum(NUMBERS)]]
        else:
            assert sorted(row[0] for row in rows) == sorted(str(p.category) for p in zj.projects.all())
    assert client.get(reverse("programme:report_totals_xlsx", args=["school"])).status_code == 404


def test_staff_set_the_due_dates_on_their_page(current, staff):
    zj, _user = current
    client = client_for(staff)
    url = reverse("programme:report_deadlines") + f"?batch={zj.batch_id}"
    assert "未设置，按默认" in client.get(url).content.decode()
    response = client.post(url, {"batch": zj.batch_id, "year_2": "2025-07-15T17:00"})
    assert response.status_code == 302
    assert [(d.year, timezone.localtime(d.due_at).strftime("%Y-%m-%d %H:%M")) for d in zj.batch.report_deadlines.all()] == [(2, "2025-07-15 17:00")]
    bad = client.post(url, {"batch": zj.batch_id, "year_1": "明年七月"})
    assert bad.status_code == 400 and "请填写日期和时间" in bad.content.decode()


# ---- Constant queries at 10 and 500 实验校 ------------------------------------------------------------


def many_experiment_schools(count: int):
    """`count` 实验校 of one batch (bulk-made), each with a started report of year 1 for half of them."""
    batch = published_batch(short_name=f"规模{count}", number=f"中成协〔2099〕{count}号")
    batch.cycle_starts_on = timezone.localdate() - timedelta(days=400)
    batch.save()
    from portal.models import School

    base = make_school("规模模板学院", "330000")
    schools = School.objects.bulk_create([School(name=f"规模{count}实验学院{i:04d}", province_id=base.province_id, school_type=base.school_type,
                                                 address=base.address, postcode=base.postcode) for i in range(count)])  # fmt: skip
    template = fill_complete(Application.objects.create(batch=batch, school=base))
    applications = Application.objects.bulk_create([Application(batch=batch, school=s, status=Status.SELECTED, number=f"S{count}-{i}",
                                                                 lead_name=template.lead_name, lead_title=template.lead_title,
                                                                 lead_mobile=template.lead_mobile) for i, s in enumerate(schools)])  # fmt: skip
    starts = batch.cycle_starts_on
    from programme.models import cycle_end

    made = ExperimentSchool.objects.bulk_create([
        ExperimentSchool(school=a.school, batch=batch, application=a, cycle_starts_on=starts, cycle_ends_on=cycle_end(starts),
                         lead_name="王", lead_title="副校长", lead_mobile="13800000000") for a in applications
    ])  # fmt: skip
    AnnualReport.objects.bulk_create([AnnualReport(experiment_school=e, year=1) for e in made[::2]])
    return batch, made


@pytest.mark.parametrize("count", [10, 500])
def test_the_staff_list_and_the_summaries_take_the_same_queries_at_10_and_500(db, staff, count, django_assert_num_queries):
    batch, made = many_experiment_schools(count)
    client = client_for(staff)
    url = reverse("programme:report_staff_list") + f"?batch={batch.pk}"
    client.get(url)  # warm the session and caches
    with django_assert_num_queries(QUERIES["staff_list"]):
        response = client.get(url)
    assert response.status_code == 200 and f"共 {count * 2} 项" in response.content.decode()
    with django_assert_num_queries(3):
        summary = report_states_by_school([e.pk for e in made])
    assert len(summary) == count and summary[made[0].pk]["label"].startswith("草稿 1")
    with django_assert_num_queries(3):
        reports_due_for(made[0])


# The session is not written on every request (SESSION_RENEW_SECONDS): no BEGIN, UPDATE, COMMIT of it
# here; and whether the user has a second factor is read with the user (portal/auth_backends.py).
QUERIES = {"staff_list": 11}


def test_the_workspace_panel_shows_due_drafts_returned_with_comments_and_accepted(trio, staff):
    """templates/programme/reports/_workspace_panel.html as the school's workspace includes it."""
    from django.template.loader import render_to_string

    zj, user = trio["zj"]
    now = timezone.make_aware(timezone.datetime(2025, 9, 1, 10, 0))  # year 3 of the cycle
    year_1 = reports.report_submit(report=fill(reports.report_start(experiment_school=zj, year=1, actor=user, now=now), user), actor=user, now=now)
    reports.report_accept(report=year_1, actor=staff, now=now)
    year_2 = reports.report_submit(report=fill(reports.report_start(experiment_school=zj, year=2, actor=user, now=now), user), actor=user, now=now)
    reports.report_comment(report=year_2, actor=staff, body="培训部分写得很具体。", now=now)
    reports.report_return(report=year_2, actor=staff, reason="请补充课程清单", now=now)
    html = render_to_string("programme/reports/_workspace_panel.html",
                            {"experiment_school": zj, "reports_due": reports_due_for(zj, now=now)})  # fmt: skip
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "第3年度工作报告 未开始 已逾期" not in text  # year 3 is due on 27 June 2026: not late yet
    assert "第3年度工作报告 未开始" in text and "开始填写" in text
    assert "第2年度工作报告 退回修改" in text and "退回原因：请补充课程清单" in text and "培训部分写得很具体。" in text
    assert "第1年度工作报告 已通过" in text
    assert text.index("第3年度") < text.index("第2年度") < text.index("第1年度")
