"""The 优质校评估's pages as a 实验校 and the project group use them: the workspace card, the 申报材料's
form (caps said next to the fields, what was typed kept, autosave), evidence and the declaration,
submission refused late or incomplete with the reason on the page, read-only after; the PDF's text
with its version code and no missing glyphs; the staff pages that open a round and follow it."""
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.models import Role
from portal.pdf import missing_glyphs
from programme import evaluation
from programme.experiment_schools import experiment_schools_create_for
from programme.models import EvaluationRound, EvaluationState, EvaluationSubmission, ExperimentSchool
from tests.conftest import make_user, pdf_bytes, upload
from tests.programme.conftest import published_batch, selected_application
from tests.review.national_helpers import pdf_text

SUMMARY = "三年来，学校依托社区学院实施老年教育赋能提质项目，建成社区学习点 8 个，累计服务 2.6 万人次。"


@pytest.fixture
def staff(db):
    return make_user("evaluation-staff", Role.STAFF, is_staff=True)


@pytest.fixture
def school(db):
    """A 实验校 in the third year of its cycle today (its batch's list published 800 days ago)."""
    today = timezone.localdate()
    batch = published_batch("第一批实验校", 2022, "中成协〔2022〕012号", meeting_on=today - timedelta(days=800))
    application, user = selected_application(batch, "宁波社区职业技术学院", "330000")
    selected_application(batch, "绵阳老年职业学院", "510000")
    experiment_schools_create_for(batch=batch)
    return ExperimentSchool.objects.get(application=application), user


@pytest.fixture
def open_round(school, staff):
    now = timezone.now()
    standard = evaluation.standard_ensure_default(school[0].batch, published_at=now - timedelta(days=30))
    return evaluation.round_save(values={
        "standard": standard, "name": "第一批项目优质校评估", "opens_at": now - timedelta(days=5), "deadline": now + timedelta(days=5),
        "eligible_from_year": 3, "include_completed": True, "review_deadline": None, "experts_per_submission": 3,
    }, actor=staff)  # fmt: skip


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(submission, **texts) -> dict:
    data = {"revision": EvaluationSubmission.objects.get(pk=submission.pk).revision, "summary": texts.get("summary", SUMMARY)}
    for row in evaluation.sync_assessments(submission):
        data[f"criterion-{row.criterion_id}"] = texts.get(row.criterion.name, f"{row.criterion.name}：按指标要求逐项落实。")
    return data


def started(client, evaluation_round) -> EvaluationSubmission:
    response = client.post(reverse("programme:evaluation_start", args=[evaluation_round.pk]))
    submission = EvaluationSubmission.objects.get(round=evaluation_round)
    assert response.status_code == 302 and response["Location"] == reverse("programme:evaluation_edit", args=[submission.pk])
    return submission


def test_the_workspace_offers_an_eligible_school_its_evaluation(school, open_round):
    _experiment_school, user = school
    client = client_for(user)
    page = client.get(reverse("dashboard")).content.decode()
    assert "优质校评估" in page and "第一批项目优质校评估" in page and "开始填写申报材料" in page
    assert "实验校提交项目优质校评估申报材料，项目组组织专家依据《项目优质校建设标准》进行评估" in page
    submission = started(client, open_round)
    page = client.get(reverse("dashboard")).content.decode()
    assert "继续填写申报材料" in page and "草稿" in page
    assert reverse("programme:evaluation_edit", args=[submission.pk]) in page


def test_a_school_not_yet_eligible_reads_why_and_has_no_button(school, staff):
    experiment_school, user = school
    ExperimentSchool.objects.filter(pk=experiment_school.pk).update(cycle_starts_on=timezone.localdate() - timedelta(days=400),
                                                                    cycle_ends_on=timezone.localdate() + timedelta(days=700))  # fmt: skip
    now = timezone.now()
    evaluation.round_save(values={
        "standard": evaluation.standard_ensure_default(experiment_school.batch, published_at=now), "name": "第一批项目优质校评估",
        "opens_at": now - timedelta(days=1), "deadline": now + timedelta(days=5), "eligible_from_year": 3, "include_completed": True,
        "review_deadline": None, "experts_per_submission": 3,
    }, actor=staff)  # fmt: skip
    page = client_for(user).get(reverse("dashboard")).content.decode()
    assert "本轮评估面向实验周期第三年的实验校，贵校目前在实验周期第2年。" in page and "开始填写申报材料" not in page


def test_the_form_says_its_caps_keeps_what_was_typed_and_marks_a_text_over_its_cap(school, open_round):
    _experiment_school, user = school
    client = client_for(user)
    submission = started(client, open_round)
    page = client.get(reverse("programme:evaluation_edit", args=[submission.pk])).content.decode()
    for expected in ("建设总结", "最多 10000 个字符", "具体项目实施（满分 25 分）：自评说明", "最多 5000 个字符", "每项指标最多 5 个",
                     "不超过 20 MB", submission.version_code, "打印申报材料 PDF"):  # fmt: skip
        assert expected in page, expected
    data = form_data(submission, 具体项目实施="字" * 5001)
    response = client.post(reverse("programme:evaluation_edit", args=[submission.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "本栏最多 5000 个字符（含标点、空格和换行），目前 5001 个字符，请删去至少 1 个字符。" in page
    assert SUMMARY in page  # nothing typed is lost
    assert EvaluationSubmission.objects.get(pk=submission.pk).summary == ""


def test_save_then_submit_incomplete_lists_what_is_missing(school, open_round):
    _experiment_school, user = school
    client = client_for(user)
    submission = started(client, open_round)
    data = {**form_data(submission, 特色与示范推广=""), "submit": "1"}
    response = client.post(reverse("programme:evaluation_edit", args=[submission.pk]), data, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0].endswith("?check=1")
    assert "申报材料还不完整，不能提交" in page and "请填写“特色与示范推广”的自评说明。" in page and "请上传签字盖章的申报声明扫描件" in page
    saved = EvaluationSubmission.objects.get(pk=submission.pk)
    assert saved.summary == SUMMARY and saved.state == EvaluationState.DRAFT


def test_the_whole_journey_through_the_pages_ends_read_only(school, open_round):
    experiment_school, user = school
    client = client_for(user)
    submission = started(client, open_round)
    assert client.post(reverse("programme:evaluation_edit", args=[submission.pk]), form_data(submission)).status_code == 302
    first = evaluation.sync_assessments(submission)[0]
    response = client.post(reverse("programme:evaluation_evidence_upload", args=[submission.pk]),
                           {"criterion": first.criterion_id, "file": upload("项目实施方案.pdf", pdf_bytes()), "caption": "实施方案"})  # fmt: skip
    assert response.status_code == 302
    refused = client.post(reverse("programme:evaluation_evidence_upload", args=[submission.pk]),
                          {"criterion": first.criterion_id, "file": upload("假的.pdf", b"hello"), "caption": ""})  # fmt: skip
    assert refused.status_code == 400 and "只接受 PDF、JPEG 或 PNG 格式的佐证材料" in refused.content.decode()
    code = EvaluationSubmission.objects.get(pk=submission.pk).version_code
    response = client.post(reverse("programme:evaluation_declaration_upload", args=[submission.pk]), {"file": upload("声明.pdf", pdf_bytes())}, follow=True)
    assert f"申报声明扫描件已上传（对应版本码 {code}）" in response.content.decode() and "与当前内容一致" in response.content.decode()
    response = client.post(reverse("programme:evaluation_submit", args=[submission.pk]), follow=True)
    page = response.content.decode()
    assert "申报材料已提交项目组" in page and "已提交" in page and "项目实施方案.pdf" in page
    assert EvaluationSubmission.objects.get(pk=submission.pk).state == EvaluationState.SUBMITTED
    # Read-only: the form sends the school back to the submission; an edit posted anyway is refused.
    response = client.get(reverse("programme:evaluation_edit", args=[submission.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("programme:evaluation_detail", args=[submission.pk])
    client.post(reverse("programme:evaluation_edit", args=[submission.pk]), form_data(submission, summary="改了"))
    assert EvaluationSubmission.objects.get(pk=submission.pk).summary == SUMMARY
    assert experiment_school.school.name in client.get(reverse("programme:evaluation_detail", args=[submission.pk])).content.decode()


def test_submission_after_the_deadline_is_refused_on_the_server_with_the_deadline_in_words(school, open_round):
    _experiment_school, user = school
    client = client_for(user)
    submission = started(client, open_round)
    client.post(reverse("programme:evaluation_edit", args=[submission.pk]), form_data(submission))
    evaluation.declaration_upload(submission=EvaluationSubmission.objects.get(pk=submission.pk), uploaded_file=upload("d.pdf", pdf_bytes()), actor=user)
    deadline = timezone.now() - timedelta(minutes=2)
    EvaluationRound.objects.filter(pk=open_round.pk).update(deadline=deadline)
    response = client.post(reverse("programme:evaluation_submit", args=[submission.pk]), follow=True)
    page = response.content.decode()
    assert "第一批项目优质校评估的申报已截止" in page and f"{timezone.localtime(deadline):%Y年%m月%d日 %H:%M}:59（北京时间）前" in page
    assert EvaluationSubmission.objects.get(pk=submission.pk).state == EvaluationState.DRAFT


def test_autosave_stores_the_draft_and_answers_in_json(school, open_round):
    _experiment_school, user = school
    client = client_for(user)
    submission = started(client, open_round)
    response = client.post(reverse("programme:evaluation_autosave", args=[submission.pk]), form_data(submission))
    body = response.json()
    assert response.status_code == 200 and body["saved"] and body["revision"] == 1
    assert body["version_code"] == EvaluationSubmission.objects.get(pk=submission.pk).version_code
    stale = client.post(reverse("programme:evaluation_autosave", args=[submission.pk]), {**form_data(submission), "revision": 0})
    assert stale.status_code == 409 and stale.json()["conflict"]


def test_the_pdf_prints_the_whole_submission_with_its_version_code_and_no_missing_glyphs(school, open_round, staff):
    _experiment_school, user = school
    client = client_for(user)
    submission = started(client, open_round)
    draft = client.get(reverse("programme:evaluation_pdf", args=[submission.pk]))
    # Incomplete: the running header says 草稿 beside the version code (and the watermark shows it).
    assert draft["Content-Type"] == "application/pdf" and f"版本码{submission.version_code}·草稿" in pdf_text(draft.content)
    client.post(reverse("programme:evaluation_edit", args=[submission.pk]), form_data(submission, 服务全民终身学习成效="服务老年人 1.2 万人次（满意度 96%）。"))
    submission = EvaluationSubmission.objects.get(pk=submission.pk)
    response = client_for(staff).get(reverse("programme:evaluation_pdf", args=[submission.pk]))
    text = pdf_text(response.content)
    for expected in ("职业院校服务全民终身学习项目", "优质校评估申报材料", "宁波社区职业技术学院", "第一批项目优质校评估", "项目优质校建设标准（6项指标，满分100分）",
                     "一、建设总结", re.sub(r"\s+", "", SUMMARY), "1.具体项目实施（满分25分）", "服务老年人1.2万人次（满意度96%）。", "申报声明",
                     "负责人签字", "宁波社区职业技术学院（盖章）", f"本声明对应申报材料版本码：{submission.version_code}"):  # fmt: skip
        assert expected in text, expected
    assert f"版本码{submission.version_code}·草稿" not in text
    # Every page carries the version code (its running header).
    from io import BytesIO

    from pypdf import PdfReader

    pages = PdfReader(BytesIO(response.content)).pages
    assert len(pages) >= 2 and all(f"版本码 {submission.version_code}" in page.extract_text() for page in pages)
    assert missing_glyphs(text) == set()


def test_staff_open_a_round_with_errors_next_to_the_fields_and_follow_its_schools(school, staff):
    experiment_school, user = school
    evaluation.standard_ensure_default(experiment_school.batch, published_at=timezone.now())
    client = client_for(staff)
    page = client.get(reverse("programme:evaluation_staff_rounds")).content.decode()
    assert "优质校评估" in page and "新建评估轮次" in page and "还没有评估轮次" in page
    response = client.post(reverse("programme:evaluation_staff_round_new"), {"name": "第一批项目优质校评估", "opens_at": "2026-03-01T09:00"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "请选择建设标准。" in page and "请填写时间。" in page and 'value="2026-03-01T09:00"' in page
    standard = experiment_school.batch.evaluation_standards.get()
    now = timezone.localtime()
    data = {"standard": standard.pk, "name": "第一批项目优质校评估", "opens_at": f"{now - timedelta(days=1):%Y-%m-%dT%H:%M}",
            "deadline": f"{now - timedelta(days=2):%Y-%m-%dT%H:%M}", "eligible_from_year": 3, "include_completed": "on", "experts_per_submission": 3}  # fmt: skip
    response = client.post(reverse("programme:evaluation_staff_round_new"), data)
    assert response.status_code == 400 and "申报截止时间应晚于申报开始时间。" in response.content.decode()
    data["deadline"] = f"{now + timedelta(days=10):%Y-%m-%d}T23:59"
    response = client.post(reverse("programme:evaluation_staff_round_new"), data)
    evaluation_round = EvaluationRound.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("programme:evaluation_staff_round", args=[evaluation_round.pk])
    assert evaluation_round.batch == experiment_school.batch and timezone.localtime(evaluation_round.deadline).strftime("%H:%M") == "23:59"
    started(client_for(user), evaluation_round)
    page = client.get(reverse("programme:evaluation_staff_round", args=[evaluation_round.pk])).content.decode()
    assert "可申报 <strong>2</strong> 所" in page and "草稿 <strong>1</strong> 份" in page
    assert "宁波社区职业技术学院" in page and "绵阳老年职业学院" in page and "未开始" in page and "申报中" in page
    assert "申报声明：</span>未上传" in page  # 宁波 started and has not uploaded it yet
    assert "优质校评估</a>" in page  # the project group's tab
    response = client.post(reverse("programme:evaluation_staff_round_edit", args=[evaluation_round.pk]), {**data, "experts_per_submission": 5})
    assert response.status_code == 302 and EvaluationRound.objects.get().experts_per_submission == 5
