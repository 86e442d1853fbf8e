"""The 优质校评估's rules, from the notice's words (五、项目实施 · 项目评估：实验校提交项目优质校评估申报材料，
项目组组织专家依据建设标准进行评估; 服务内容：制订项目优质校建设标准 … 组织项目优质校评估与推广): who may apply,
the window to the end of the deadline's minute (Beijing time), completeness, the declaration tied to
the version code, drafts that never overwrite a later save, read-only after submission."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from applications.workflow import WorkflowError
from portal.models import Role
from programme import evaluation
from programme.models import (
    EvaluationCriterion, EvaluationLogEntry, EvaluationState, EvaluationSubmission, ExperimentSchool, ExperimentStatus,
)  # fmt: skip
from tests.conftest import aware, jpeg_bytes, make_user, pdf_bytes, upload
from tests.programme.conftest import published_batch, selected_application
from tests.programme.evaluation_helpers import DEADLINE, DURING, OPENS_AT, declare, fill, make_round, ready


@pytest.fixture
def staff(db):
    return make_user("evaluation-staff", Role.STAFF, is_staff=True)


@pytest.fixture
def third_year(trio, staff):
    """The second batch's round for its third-year 实验校 and Zhejiang's 实验校 with its user."""
    return make_round(trio["zj"][0].batch, staff), *trio["zj"]


def start(evaluation_round, experiment_school, user, now=DURING):
    return evaluation.submission_start(evaluation_round=evaluation_round, experiment_school=experiment_school, actor=user, now=now)


def submit(submission, user, now=DURING):
    return evaluation.submission_submit(submission=submission, actor=user, now=now)


# ---- 项目评估：实验校提交项目优质校评估申报材料，项目组组织专家依据建设标准进行评估 ---------------------------


def test_the_school_assesses_itself_against_every_criterion_of_the_standard_and_submits(third_year, staff):
    evaluation_round, zj, user = third_year
    submission = start(evaluation_round, zj, user)
    names = [row.criterion.name for row in evaluation.sync_assessments(submission)]
    assert names == [name for name, _text, _points in evaluation.DEFAULT_STANDARD]
    assert evaluation.maximum_points(evaluation.criteria_of(evaluation_round.standard)) == Decimal("100.00")
    # A criterion staff add in admin after the school started is one more to assess itself against.
    EvaluationCriterion.objects.create(standard=evaluation_round.standard, position=9, name="数字化学习资源", max_points=5)
    assert [row.criterion.name for row in evaluation.sync_assessments(submission)][-1] == "数字化学习资源"
    submission = fill(submission, user)
    declare(submission, user)
    mail.outbox.clear()
    submitted = submit(EvaluationSubmission.objects.get(pk=submission.pk), user)
    assert (submitted.state, submitted.submitted_at, submitted.submitted_by) == (EvaluationState.SUBMITTED, DURING, user)
    assert submitted.submitted_school_name == zj.school.name
    assert [entry.action for entry in submitted.log.all()] == [EvaluationLogEntry.Action.CREATED, EvaluationLogEntry.Action.SUBMITTED]
    assert [m.to for m in mail.outbox] == [["evaluation-staff@example.cn"]]
    assert zj.school.name in mail.outbox[0].subject and submitted.version_code in mail.outbox[0].body


def test_one_submission_per_school_and_round(third_year):
    evaluation_round, zj, user = third_year
    assert start(evaluation_round, zj, user) == start(evaluation_round, zj, user, now=DURING + timedelta(days=1))
    assert EvaluationSubmission.objects.count() == 1


# ---- Who may apply ------------------------------------------------------------------------------------


def test_a_third_year_round_refuses_a_school_in_its_second_year_and_says_why(trio, staff):
    zj, user = trio["zj"]
    # The second batch's second year runs from 28 June 2024 to 27 June 2025.
    evaluation_round = make_round(zj.batch, staff, opens_at=aware(2025, 3, 1, 9, 0), deadline=aware(2025, 4, 30, 23, 59),
                                  review_deadline=None)  # fmt: skip
    with pytest.raises(WorkflowError) as refused:
        start(evaluation_round, zj, user, now=aware(2025, 4, 1, 10, 0))
    assert refused.value.code == "not_eligible" and "第三年" in refused.value.message and "第2年" in refused.value.message
    assert not EvaluationSubmission.objects.exists()
    # The same round open to the second year from on takes it.
    evaluation.round_save(values={**{n: getattr(evaluation_round, n) for n in evaluation.ROUND_FIELDS}, "eligible_from_year": 2},
                          actor=staff, evaluation_round=evaluation_round)  # fmt: skip
    assert start(evaluation_round, zj, user, now=aware(2025, 4, 1, 10, 0)).state == EvaluationState.DRAFT


def test_a_school_that_left_may_not_apply_one_that_completed_may_if_the_round_admits_it(trio, staff):
    (zj, zj_user), (js, js_user) = trio["zj"], trio["js"]
    ExperimentSchool.objects.filter(pk=zj.pk).update(status=ExperimentStatus.WITHDRAWN)
    ExperimentSchool.objects.filter(pk=js.pk).update(status=ExperimentStatus.COMPLETED)
    zj.refresh_from_db()
    js.refresh_from_db()
    evaluation_round = make_round(zj.batch, staff)
    with pytest.raises(WorkflowError, match="已退出（自愿）") as refused:
        start(evaluation_round, zj, zj_user)
    assert refused.value.code == "not_eligible"
    assert start(evaluation_round, js, js_user).state == EvaluationState.DRAFT
    closed = make_round(zj.batch, staff, name="仅限实验中的实验校", include_completed=False)
    with pytest.raises(WorkflowError, match="不接受已结项"):
        start(closed, js, js_user)
    assert {s.school.name for s in evaluation.eligible_schools(evaluation_round, on=DURING.date())} == {js.school.name, trio["sc"][0].school.name}


def test_a_round_is_for_the_schools_of_its_batch_only(trio, staff):
    zj, _user = trio["zj"]
    first = published_batch("第一批实验校", 2022, "中成协〔2022〕012号", meeting_on=zj.batch.publication_meeting_on - timedelta(days=365))
    application, other_user = selected_application(first, "广东实验职业技术学院", "440000")
    from programme.experiment_schools import experiment_schools_create_for

    experiment_schools_create_for(batch=first)
    other = ExperimentSchool.objects.get(application=application)
    with pytest.raises(WorkflowError, match="第二批实验校的实验校") as refused:
        start(make_round(zj.batch, staff), other, other_user)
    assert refused.value.code == "not_eligible"


def test_a_standard_not_published_cannot_be_used_for_a_round(trio, staff):
    standard = evaluation.standard_ensure_default(trio["zj"][0].batch)
    values = {"standard": standard, "name": "评估", "opens_at": OPENS_AT, "deadline": DEADLINE, "eligible_from_year": 3,
              "include_completed": True, "review_deadline": None, "experts_per_submission": 3}  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        evaluation.round_save(values=values, actor=staff)
    assert refused.value.message_dict == {"standard": ["该建设标准尚未发布（在后台填写发布时间后才能用于评估）。"]}


def test_a_round_refuses_a_deadline_before_its_opening_a_scoring_deadline_before_the_deadline_and_a_name_twice(trio, staff):
    evaluation_round = make_round(trio["zj"][0].batch, staff)
    values = {n: getattr(evaluation_round, n) for n in evaluation.ROUND_FIELDS}
    with pytest.raises(ValidationError) as refused:
        evaluation.round_save(values={**values, "deadline": OPENS_AT - timedelta(minutes=1), "review_deadline": OPENS_AT - timedelta(days=1),
                                      "experts_per_submission": 0}, actor=staff)  # fmt: skip
    assert refused.value.message_dict == {
        "deadline": ["申报截止时间应晚于申报开始时间。"], "review_deadline": ["专家评分截止时间应晚于申报截止时间。"],
        "experts_per_submission": ["每份申报的评审专家数应在 1 到 20 之间。"], "name": ["第二批实验校已有名为“2026年项目优质校评估”的评估轮次。"],
    }  # fmt: skip


# ---- The window, to the end of the deadline's minute (Beijing time) ------------------------------------


def test_the_deadline_shown_as_23_59_accepts_23_59_59_999_and_refuses_the_next_minute(trio, staff):
    evaluation_round = make_round(trio["zj"][0].batch, staff)
    (zj, zj_user), (js, js_user) = trio["zj"], trio["js"]
    on_time = ready(evaluation_round, zj, zj_user)
    late = ready(evaluation_round, js, js_user)
    last_instant = DEADLINE + timedelta(seconds=59, microseconds=999_999)
    assert submit(on_time, zj_user, now=last_instant).state == EvaluationState.SUBMITTED
    with pytest.raises(WorkflowError) as refused:
        submit(late, js_user, now=DEADLINE + timedelta(minutes=1))
    assert refused.value.code == "deadline_passed"
    assert "已截止" in refused.value.message and "2026年04月30日 23:59:59（北京时间）前" in refused.value.message
    assert EvaluationSubmission.objects.get(pk=late.pk).state == EvaluationState.DRAFT
    # Nor may it go on writing its draft, or upload.
    with pytest.raises(WorkflowError, match="已截止"):
        fill(late, js_user, now=DEADLINE + timedelta(minutes=1))
    with pytest.raises(WorkflowError, match="已截止"):
        declare(late, js_user, now=DEADLINE + timedelta(minutes=1))


def test_nothing_is_taken_before_the_round_opens(third_year):
    evaluation_round, zj, user = third_year
    with pytest.raises(WorkflowError) as refused:
        start(evaluation_round, zj, user, now=OPENS_AT - timedelta(seconds=1))
    assert refused.value.code == "not_open" and "2026年03月01日 09:00（北京时间）开始" in refused.value.message
    assert start(evaluation_round, zj, user, now=OPENS_AT).state == EvaluationState.DRAFT


# ---- Complete, declared for this very content, then read-only -----------------------------------------


def test_submission_is_refused_while_incomplete_listing_what_is_missing(third_year):
    evaluation_round, zj, user = third_year
    submission = start(evaluation_round, zj, user)
    with pytest.raises(WorkflowError) as refused:
        submit(submission, user)
    assert refused.value.code == "incomplete"
    for expected in ("请填写建设总结。", "请填写“具体项目实施”的自评说明。", "请填写“特色与示范推广”的自评说明。", "请上传签字盖章的申报声明扫描件"):
        assert expected in refused.value.message, expected
    submission = fill(submission, user, 服务全民终身学习成效="   ")
    check = evaluation.check_submission(submission)
    assert list(check.missing.values())[0] == "请填写“服务全民终身学习成效”的自评说明。" and "declaration" in check.missing


def test_the_declaration_holds_for_the_version_code_it_was_printed_from(third_year):
    evaluation_round, zj, user = third_year
    submission = ready(evaluation_round, zj, user)
    printed = submission.version_code
    assert len(printed) == 8 and submission.declarations.get().version_code == printed
    # A change of the text after printing: a new code, and the scan no longer lets it go.
    changed = fill(submission, user, summary="建设总结（修改后）。")
    assert changed.version_code != printed
    with pytest.raises(WorkflowError) as refused:
        submit(changed, user)
    assert refused.value.code == "incomplete"
    assert f"申报声明扫描件对应的版本（{printed}）与当前内容（{changed.version_code}）不一致" in refused.value.message
    # Evidence is printed (its list) too: adding one changes the code again.
    evaluation.evidence_add(submission=changed, criterion_id=evaluation.sync_assessments(changed)[0].criterion_id,
                            uploaded_file=upload("课程表.jpg", jpeg_bytes()), caption="老年大学课程表", actor=user, now=DURING)  # fmt: skip
    with_evidence = EvaluationSubmission.objects.get(pk=submission.pk)
    assert with_evidence.version_code not in (printed, changed.version_code)
    declare(with_evidence, user)
    assert submit(with_evidence, user).state == EvaluationState.SUBMITTED


def test_the_same_content_gives_the_same_version_code(third_year):
    evaluation_round, zj, user = third_year
    submission = fill(start(evaluation_round, zj, user), user)
    code = submission.version_code
    again = fill(submission, user)
    assert again.version_code == code and again.revision == submission.revision + 1


def test_a_submitted_submission_is_read_only(third_year):
    evaluation_round, zj, user = third_year
    submission = submit(ready(evaluation_round, zj, user), user)
    with pytest.raises(WorkflowError, match="已提交") as refused:
        fill(submission, user)
    assert refused.value.code == "not_editable"
    with pytest.raises(WorkflowError, match="已提交"):
        declare(submission, user)
    with pytest.raises(WorkflowError, match="已提交"):
        evaluation.evidence_add(submission=submission, criterion_id=evaluation.sync_assessments(submission)[0].criterion_id,
                                uploaded_file=upload("a.pdf", pdf_bytes()), caption="", actor=user, now=DURING)  # fmt: skip
    with pytest.raises(WorkflowError, match="已提交"):
        submit(submission, user)


def test_a_draft_saved_in_between_is_not_overwritten(third_year):
    evaluation_round, zj, user = third_year
    submission = start(evaluation_round, zj, user)
    opened = submission.revision
    fill(submission, user)
    with pytest.raises(evaluation.SubmissionConflict) as refused:
        evaluation.submission_save_draft(submission=submission, summary="旧页面上的文字", texts={}, actor=user, expected_revision=opened, now=DURING)
    assert "为免覆盖，本次没有保存" in refused.value.message
    with pytest.raises(evaluation.SubmissionConflict):
        evaluation.submission_save_draft(submission=submission, summary="没有版本信息", texts={}, actor=user, expected_revision=None, now=DURING)
    assert EvaluationSubmission.objects.get(pk=submission.pk).summary.startswith("三年来")


# ---- Evidence ------------------------------------------------------------------------------------------


def test_evidence_is_checked_by_content_and_capped_per_criterion(third_year):
    evaluation_round, zj, user = third_year
    submission = start(evaluation_round, zj, user)
    criterion_id = evaluation.sync_assessments(submission)[1].criterion_id

    def add(name, data, **extra):
        return evaluation.evidence_add(submission=submission, criterion_id=extra.get("criterion_id", criterion_id),
                                       uploaded_file=upload(name, data), caption=extra.get("caption", ""), actor=user, now=DURING)  # fmt: skip

    with pytest.raises(ValidationError) as refused:
        add("制度汇编.pdf", b"not a pdf at all")
    assert refused.value.message_dict["file"] == ["只接受 PDF、JPEG 或 PNG 格式的佐证材料（按文件内容判断，改扩展名无效）。"]
    with pytest.raises(ValidationError) as refused:
        add("a.pdf", pdf_bytes(), criterion_id=0)
    assert refused.value.message_dict == {"criterion": ["请选择佐证材料对应的评估指标。"]}
    with pytest.raises(ValidationError) as refused:
        add("a.pdf", pdf_bytes(), caption="说" * 201)
    assert refused.value.message_dict == {"caption": ["说明最多 200 个字符。"]}
    for n in range(evaluation.EVIDENCE_PER_CRITERION_MAX):
        add(f"佐证{n}.pdf", pdf_bytes())
    with pytest.raises(ValidationError) as refused:
        add("多一个.pdf", pdf_bytes())
    assert refused.value.message_dict == {"file": ["每项指标最多上传 5 个佐证材料，请先删除不需要的。"]}
    stored = submission.evidence.order_by("pk")
    assert [e.original_name for e in stored] == [f"佐证{n}.pdf" for n in range(5)]
    assert all(e.assessment.criterion_id == criterion_id and e.file_kind == "pdf" and not e.file.name.endswith("佐证0.pdf") for e in stored)
    code = EvaluationSubmission.objects.get(pk=submission.pk).version_code
    evaluation.evidence_remove(evidence=stored[0], actor=user, now=DURING)
    assert submission.evidence.count() == 4 and EvaluationSubmission.objects.get(pk=submission.pk).version_code != code
