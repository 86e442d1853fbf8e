"""Helpers of the 优质校评估 tests: the 建设标准 published and a round for the second batch (its cycle
began at the 项目工作会议 of 28 June 2023, so its third year runs from 28 June 2025 to 27 June 2026),
a submission filled in completely, its declaration uploaded for the current version code."""
from programme import evaluation
from programme.models import EvaluationRound, EvaluationSubmission
from tests.conftest import aware, pdf_bytes, upload

# The round's window: in the third year of the second batch's cycle.
OPENS_AT = aware(2026, 3, 1, 9, 0)
DEADLINE = aware(2026, 4, 30, 23, 59)
DURING = aware(2026, 4, 1, 10, 0)
SUMMARY = "三年来，学校依托社区学院实施职业教育助力乡村振兴项目，建成乡村学习点 12 个，累计服务 3.2 万人次。"


def make_round(batch, staff, **changes) -> EvaluationRound:
    """The batch's default 建设标准, published, and a round (third-year 实验校 and those 已结项)."""
    standard = evaluation.standard_ensure_default(batch, published_at=aware(2026, 2, 1, 9, 0))
    values = {
        "standard": standard, "name": "2026年项目优质校评估", "opens_at": OPENS_AT, "deadline": DEADLINE, "eligible_from_year": 3,
        "include_completed": True, "review_deadline": aware(2026, 5, 31, 17, 0), "experts_per_submission": 3,
    }  # fmt: skip
    values.update(changes)
    return evaluation.round_save(values=values, actor=staff)


def fill(submission: EvaluationSubmission, user, *, now=DURING, **texts) -> EvaluationSubmission:
    """Save the summary and a self-assessment for every criterion, as the school would."""
    rows = evaluation.sync_assessments(submission)
    by_criterion = {row.criterion_id: texts.get(row.criterion.name, f"{row.criterion.name}：对照指标逐项落实，成效明显。") for row in rows}
    return evaluation.submission_save_draft(
        submission=submission, summary=texts.get("summary", SUMMARY), texts=by_criterion, actor=user,
        expected_revision=EvaluationSubmission.objects.get(pk=submission.pk).revision, now=now,
    )  # fmt: skip


def declare(submission: EvaluationSubmission, user, *, now=DURING):
    """Upload the signed and sealed declaration for the submission's current version code."""
    return evaluation.declaration_upload(submission=submission, uploaded_file=upload("申报声明.pdf", pdf_bytes()), actor=user, now=now)


def ready(evaluation_round, experiment_school, user, *, now=DURING) -> EvaluationSubmission:
    """A submission started, filled in and declared: ready to submit."""
    submission = evaluation.submission_start(evaluation_round=evaluation_round, experiment_school=experiment_school, actor=user, now=now)
    submission = fill(submission, user, now=now)
    declare(submission, user, now=now)
    return EvaluationSubmission.objects.get(pk=submission.pk)
