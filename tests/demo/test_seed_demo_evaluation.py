"""The 优质校评估 in the demo data (seed_demo's evaluation_round), as README's demo table tells it
(五: 项目评估：实验校提交项目优质校评估申报材料，项目组组织专家依据建设标准进行评估): the first batch's round
against its published 建设标准, its window over; 宁波 submitted with evidence and its signed
declaration, 温州 in the deadline's last minutes, 绵阳 left a draft, 苏州 (which left) nothing; then
(evaluation_results) two experts each, scored before the scoring deadline, the project group's
conclusions published and 宁波's 优质校 certificate. Seeded once for the module, each test reading it
as a person would."""
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from demo.management.commands.seed_demo import EVALUATION_DAYS, EVALUATION_OUTCOMES, EVALUATION_ROUND_NAME, EVALUATION_SUBMISSIONS
from portal.models import User
from programme import evaluation
from programme.models import (
    Certificate, EvaluationAssignment, EvaluationDecision, EvaluationReview, EvaluationRound, EvaluationState, EvaluationSubmission,
    ExperimentSchool,
)  # fmt: skip
# The demo seeded once for the module, as the 实验周期's demo tests seed it.
from tests.demo.test_seed_demo_programme import _private_media, seed, seeded  # noqa: F401 (fixtures)

README = Path(__file__).resolve().parents[2] / "README.md"
NINGBO, WENZHOU, MIANYANG, SUZHOU = "宁波市甬江职业高级中学", "温州市瓯海区职业教育中心", "绵阳市安州区职业中学", "苏州市吴中区职业教育中心"


@pytest.fixture
def demo(seeded, db):
    evaluation_round = EvaluationRound.objects.select_related("standard", "batch").get(name=EVALUATION_ROUND_NAME)
    return evaluation_round, {s.experiment_school.school.name: s for s in evaluation_round.submissions.select_related("experiment_school__school")}


def cycle_day(evaluation_round, n: int) -> datetime:
    starts = ExperimentSchool.objects.filter(batch=evaluation_round.batch).first().cycle_starts_on
    return timezone.make_aware(datetime.combine(starts + timedelta(days=n), time(0, 0)))


def test_the_round_is_the_first_batch_s_against_its_published_standard_and_its_window_is_over(demo):
    evaluation_round, _submissions = demo
    assert evaluation_round.batch.document_number == "中成协〔2022〕012号"
    assert evaluation_round.standard.is_published and evaluation_round.standard.published_at < evaluation_round.opens_at
    assert [c.name for c in evaluation.criteria_of(evaluation_round.standard)] == [name for name, _t, _p in evaluation.DEFAULT_STANDARD]
    assert timezone.localtime(evaluation_round.opens_at) == cycle_day(evaluation_round, EVALUATION_DAYS["opens"]) + timedelta(hours=9)
    assert timezone.localtime(evaluation_round.deadline) == cycle_day(evaluation_round, EVALUATION_DAYS["deadline"]) + timedelta(hours=23, minutes=59)
    assert "已截止" in evaluation.window_problem(evaluation_round)
    assert (evaluation_round.eligible_from_year, evaluation_round.experts_per_submission) == (2, 2)
    published_on = cycle_day(evaluation_round, EVALUATION_DAYS["review_deadline"] + 2) + timedelta(hours=10)
    assert timezone.localtime(evaluation_round.published_at) == published_on
    assert evaluation_round.review_deadline < timezone.now()


def test_each_school_s_submission_is_as_the_readme_tells_it(demo):
    evaluation_round, submissions = demo
    assert set(submissions) == {NINGBO, WENZHOU, MIANYANG}  # 苏州 had left the programme
    ningbo, wenzhou, mianyang = submissions[NINGBO], submissions[WENZHOU], submissions[MIANYANG]
    assert (ningbo.state, wenzhou.state, mianyang.state) == (EvaluationState.SUBMITTED, EvaluationState.SUBMITTED, EvaluationState.DRAFT)
    assert ningbo.evidence.count() == 2 and wenzhou.evidence.count() == 0
    for submitted in (ningbo, wenzhou):
        assert evaluation.check_submission(submitted).complete and evaluation.current_declaration(submitted).file_kind == "png"
        assert evaluation_round.opens_at <= submitted.submitted_at < evaluation_round.deadline + timedelta(minutes=1)
        assert submitted.created_at < submitted.submitted_at
    assert timezone.localtime(wenzhou.submitted_at).strftime("%H:%M") == "23:40"
    assert timezone.localtime(wenzhou.submitted_at).date() == timezone.localtime(evaluation_round.deadline).date()
    assert "请填写“项目实施团队”的自评说明。" in evaluation.check_submission(mianyang).missing.values()
    assert not mianyang.assignments.exists() and not hasattr(mianyang, "decision")  # a draft is nobody's to score


def test_two_experts_scored_each_submission_in_time_and_the_conclusions_were_published(demo):
    evaluation_round, submissions = demo
    for name in (NINGBO, WENZHOU):
        assignments = list(submissions[name].assignments.filter(is_active=True).select_related("review", "expert__expert_profile"))
        assert len(assignments) == 2
        assert all(a.expert.expert_profile.province_id != "330000" for a in assignments)  # never a Zhejiang expert for a Zhejiang school
        assert all(a.review.state == EvaluationReview.State.SUBMITTED and a.review.submitted_at < evaluation_round.review_deadline for a in assignments)
    assert EvaluationAssignment.objects.filter(expert__username="demo-expert", submission__round=evaluation_round).exists()
    outcomes = {d.submission.experiment_school.school.name: (d.outcome, d.opinion) for d in EvaluationDecision.objects.select_related("submission__experiment_school__school")}
    assert outcomes == {NINGBO: EVALUATION_OUTCOMES["zj2"], WENZHOU: EVALUATION_OUTCOMES["zj3"]}
    quality = Certificate.objects.get(kind="quality_school")
    assert quality.school_name == NINGBO and quality.title.endswith(f"优质校（第一批实验校·{EVALUATION_ROUND_NAME}）")


def test_the_accounts_find_it_where_the_readme_says(demo):
    evaluation_round, submissions = demo
    ningbo = Client()
    ningbo.force_login(User.objects.get(username="demo-school-zj2"))
    page = ningbo.get(reverse("dashboard")).content.decode()
    assert "优质校评估" in page and EVALUATION_ROUND_NAME in page and "已提交" in page and "评估结论：优质校" in page
    page = ningbo.get(reverse("programme:evaluation_detail", args=[submissions[NINGBO].pk])).content.decode()
    assert "申报材料已提交项目组，不能再修改" in page and "乡村学习点分布图.png" in page
    staff = Client()
    staff.force_login(User.objects.get(username="demo-staff"))
    page = staff.get(reverse("programme:evaluation_staff_round", args=[evaluation_round.pk])).content.decode()
    assert all(name in page for name in (NINGBO, WENZHOU, MIANYANG)) and "已提交 <strong>2</strong> 份" in page
    page = staff.get(reverse("programme:evaluation_staff_ranking", args=[evaluation_round.pk])).content.decode()
    assert page.index(NINGBO) < page.index(WENZHOU) and "评估结果已于" in page
    expert = Client()
    expert.force_login(User.objects.get(username="demo-expert"))
    page = expert.get(reverse("programme:evaluation_expert_home")).content.decode()
    assert "已公布结果的评估" in page
    rows = {line.split(" | ")[0].strip("| `"): line for line in README.read_text(encoding="utf-8").splitlines() if line.startswith("| `demo-")}
    assert "/programme/staff/evaluation/" in rows["demo-staff"]
    for username, key in (("demo-school-zj2", "zj2"), ("demo-school-zj3", "zj3"), ("demo-school-sc2", "sc2")):
        state = "已提交" if EVALUATION_SUBMISSIONS[key].startswith("已提交") else "草稿"
        assert f"优质校评估申报材料 {state}" in rows[username], username
    assert "评估结论 优质校" in rows["demo-school-zj2"] and "评估结论 合格" in rows["demo-school-zj3"]
    assert "/programme/evaluation/expert/" in rows["demo-expert"] and "/ranking/" in rows["demo-staff"]


def test_a_second_run_writes_no_evaluation_row(demo):
    evaluation_round, submissions = demo
    before = (EvaluationRound.objects.count(), EvaluationSubmission.objects.count(), [s.updated_at for s in EvaluationSubmission.objects.order_by("pk")])
    output = seed()
    after = (EvaluationRound.objects.count(), EvaluationSubmission.objects.count(), [s.updated_at for s in EvaluationSubmission.objects.order_by("pk")])
    assert after == before and "演示数据已就绪。" in output
