"""优质校评估 after submission (notice 五: 项目评估：实验校提交项目优质校评估申报材料，项目组组织专家依据建设标准进行
评估; 制订项目优质校建设标准 … 组织项目优质校评估与推广): experts assigned by the selection's rules, scoring
against the 建设标准, the ranked table, conclusions, publication and the 优质校 certificate."""
import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from applications.workflow import WorkflowError
from portal.models import Role
from programme import certificate_jobs, certificates, evaluation_review
from programme.models import (
    Certificate, CertificateKind, EvaluationAssignment, EvaluationReview, EvaluationRound, EvaluationStandard, EvaluationSubmission,
    SchoolNotice,
)  # fmt: skip
from review.models import ExpertProfile
from tests.conftest import aware, make_user

# The third year of the second batch's cycle (it began at the 项目工作会议 of 28 June 2023).
OPENS = aware(2026, 3, 1, 9, 0)
DEADLINE = aware(2026, 4, 30, 23, 59)
REVIEW_DEADLINE = aware(2026, 5, 31, 23, 59)


def expert(username, province, institution, **extra):
    user = make_user(username, Role.EXPERT, last_name=username)
    ExpertProfile.objects.create(user=user, province_id=province, institution=institution, **extra)
    return user


@pytest.fixture
def evaluation(trio, staff_user):
    """A round of the second batch against a published 建设标准 of two criteria (60 × 1 and 40 × 0.5),
    each 实验校 of `trio` with a submitted submission."""
    batch = trio["zj"][0].batch
    standard = EvaluationStandard.objects.create(batch=batch, published_at=OPENS - timedelta(days=30))
    standard.criteria.create(position=1, name="服务全民终身学习成效", max_points=60, weight=1)
    standard.criteria.create(position=2, name="特色与示范引领", max_points=40, weight=Decimal("0.5"))
    evaluation_round = EvaluationRound.objects.create(
        standard=standard, batch=batch, opens_at=OPENS, deadline=DEADLINE, review_deadline=REVIEW_DEADLINE, experts_per_submission=2,
    )  # fmt: skip
    submissions = {
        key: EvaluationSubmission.objects.create(round=evaluation_round, experiment_school=member, state="submitted", summary=f"{key} 三年建设总结。",
                                                 submitted_at=DEADLINE - timedelta(days=1))  # fmt: skip
        for key, (member, _user) in trio.items()
    }
    return evaluation_round, submissions


@pytest.fixture
def pool(db):
    """Five experts: one of Zhejiang, one working at the Jiangsu school, three elsewhere."""
    return {
        "zj": expert("expert-zj", "330000", "浙江开放大学"),
        "js_school": expert("expert-js-school", "110000", "江苏实验职业技术学院"),
        "bj": expert("expert-bj", "110000", "北京终身教育研究院"),
        "sh": expert("expert-sh", "310000", "上海开放大学"),
        "gd": expert("expert-gd", "440000", "广东开放大学"),
    }


def active_pairs(evaluation_round):
    return set(EvaluationAssignment.objects.filter(submission__round=evaluation_round, is_active=True).values_list("submission_id", "expert_id"))


# ---- Assignment: the selection's rules ----------------------------------------------------------


def test_every_submission_gets_its_experts_never_of_its_province_institution_or_a_declared_conflict(evaluation, pool, staff_user):
    evaluation_round, submissions = evaluation
    plan, added = evaluation_review.evaluation_assign(evaluation_round=evaluation_round, actor=staff_user)
    pairs = active_pairs(evaluation_round)
    assert added == 6 and not plan.shortfalls
    for submission in submissions.values():
        assert sum(1 for s, _e in pairs if s == submission.pk) == 2
    assert (submissions["zj"].pk, pool["zj"].pk) not in pairs  # 浙江 expert, 浙江 school
    assert (submissions["js"].pk, pool["js_school"].pk) not in pairs  # works at the school itself
    load = [sum(1 for _s, e in pairs if e == user.pk) for user in pool.values()]
    assert max(load) - min(load) <= 1  # balanced

    # A conflict declared: that assignment ends, the expert is never given it again, a run replaces them.
    taken = EvaluationAssignment.objects.filter(submission=submissions["sc"], is_active=True).first()
    evaluation_review.evaluation_declare_conflict(assignment=taken, expert=taken.expert, reason="曾在该校兼职。")
    _plan, added = evaluation_review.evaluation_assign(evaluation_round=evaluation_round, actor=staff_user)
    assert added == 1
    assert (submissions["sc"].pk, taken.expert_id) not in active_pairs(evaluation_round)
    assert sum(1 for s, _e in active_pairs(evaluation_round) if s == submissions["sc"].pk) == 2


def test_a_manual_addition_keeps_the_rules_and_needs_a_reason(evaluation, pool, staff_user):
    _round, submissions = evaluation
    with pytest.raises(WorkflowError) as same_province:
        evaluation_review.evaluation_assignment_add(submission=submissions["zj"], expert=pool["zj"], actor=staff_user, reason="补充专家")
    assert same_province.value.code == "not_eligible"
    with pytest.raises(WorkflowError) as no_reason:
        evaluation_review.evaluation_assignment_add(submission=submissions["zj"], expert=pool["bj"], actor=staff_user, reason=" ")
    assert no_reason.value.code == "reason_required"
    added = evaluation_review.evaluation_assignment_add(submission=submissions["zj"], expert=pool["bj"], actor=staff_user, reason="补充专家")
    assert added.source == EvaluationAssignment.Source.MANUAL and added.is_active


def test_too_few_experts_is_said_naming_the_school(evaluation, staff_user):
    evaluation_round, _submissions = evaluation
    expert("only-one", "110000", "北京终身教育研究院")
    plan, _added = evaluation_review.evaluation_assign(evaluation_round=evaluation_round, actor=staff_user)
    lines = evaluation_review.shortfall_lines(plan)
    assert any(line.startswith("浙江实验职业技术学院 还缺 1 位评审专家") for line in lines), lines


# ---- Scoring against the 建设标准 ----------------------------------------------------------------


def scores(evaluation_round, *values):
    return {c.pk: v for c, v in zip(evaluation_round.standard.criteria.order_by("position"), values, strict=True)}


def test_scores_are_drafts_until_submitted_in_half_steps_with_the_weighted_total(evaluation, pool, staff_user):
    evaluation_round, submissions = evaluation
    assignment = evaluation_review.evaluation_assignment_add(submission=submissions["zj"], expert=pool["bj"], actor=staff_user, reason="指定")
    now = REVIEW_DEADLINE - timedelta(days=3)
    draft = evaluation_review.evaluation_review_save(assignment=assignment, expert=pool["bj"], points=scores(evaluation_round, "50", ""),
                                                     comment="", submit=False, now=now)  # fmt: skip
    assert draft.state == EvaluationReview.State.DRAFT and draft.total is None
    with pytest.raises(ValidationError) as incomplete:
        evaluation_review.evaluation_review_save(assignment=assignment, expert=pool["bj"], points=scores(evaluation_round, "50", "30.3"),
                                                 comment="", submit=True, now=now)  # fmt: skip
    errors = incomplete.value.message_dict
    assert "以 0.5 分为单位" in errors[f"score-{evaluation_round.standard.criteria.get(position=2).pk}"][0]
    assert errors["comment"] == ["请填写评估意见。"]
    submitted = evaluation_review.evaluation_review_save(assignment=assignment, expert=pool["bj"], points=scores(evaluation_round, "50", "30.5"),
                                                         comment="成效显著。", submit=True, now=now)  # fmt: skip
    assert submitted.total == Decimal("65.25")  # 50 × 1 + 30.5 × 0.5
    with pytest.raises(WorkflowError) as again:
        evaluation_review.evaluation_review_save(assignment=assignment, expert=pool["bj"], points=scores(evaluation_round, "1", "1"),
                                                 comment="x", submit=True, now=now)  # fmt: skip
    assert again.value.code == "already_submitted"


def test_scoring_locks_at_the_end_of_the_deadlines_minute(evaluation, pool, staff_user):
    evaluation_round, submissions = evaluation
    assignment = evaluation_review.evaluation_assignment_add(submission=submissions["zj"], expert=pool["bj"], actor=staff_user, reason="指定")
    last_moment = REVIEW_DEADLINE.replace(second=59, microsecond=999000)  # 23:59 accepts 23:59:59.999
    evaluation_review.evaluation_review_save(assignment=assignment, expert=pool["bj"], points=scores(evaluation_round, "40", ""), comment="",
                                             submit=False, now=last_moment)  # fmt: skip
    with pytest.raises(WorkflowError) as late:
        evaluation_review.evaluation_review_save(assignment=assignment, expert=pool["bj"], points=scores(evaluation_round, "41", ""), comment="",
                                                 submit=False, now=last_moment + timedelta(milliseconds=1))  # fmt: skip
    assert late.value.code == "scoring_locked"


def test_the_expert_is_blind_to_other_scores_until_their_own_are_submitted(client, evaluation, pool, staff_user, settings):
    evaluation_round, submissions = evaluation
    EvaluationRound.objects.filter(pk=evaluation_round.pk).update(review_deadline=None)
    first = evaluation_review.evaluation_assignment_add(submission=submissions["zj"], expert=pool["bj"], actor=staff_user, reason="指定")
    second = evaluation_review.evaluation_assignment_add(submission=submissions["zj"], expert=pool["sh"], actor=staff_user, reason="指定")
    evaluation_review.evaluation_review_save(assignment=first, expert=pool["bj"], points=scores(evaluation_round, "58", "39"), comment="优秀。", submit=True)
    client.force_login(pool["sh"])
    url = reverse("programme:evaluation_expert_score", args=[second.pk])
    page = client.get(url).content.decode()
    assert "zj 三年建设总结。" in page and "服务全民终身学习成效" in page
    assert "77.50" not in page and "expert-bj" not in page
    assert "提交您的评分后，可以看到其他专家已提交的总分" in page
    response = client.post(url, {f"score-{c.pk}": v for c, v in zip(evaluation_round.standard.criteria.order_by("position"), ["50", "20"])}
                           | {"comment": "良好。", "action": "submit"})  # fmt: skip
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "专家1：77.50" in page and "expert-bj" not in page
    # Another expert's assignment does not exist for them.
    assert client.get(reverse("programme:evaluation_expert_score", args=[first.pk])).status_code == 404


def test_a_bad_score_comes_back_next_to_its_field_with_everything_typed(client, evaluation, pool, staff_user):
    evaluation_round, submissions = evaluation
    assignment = evaluation_review.evaluation_assignment_add(submission=submissions["js"], expert=pool["bj"], actor=staff_user, reason="指定")
    EvaluationRound.objects.filter(pk=evaluation_round.pk).update(review_deadline=None)
    client.force_login(pool["bj"])
    first, second = evaluation_round.standard.criteria.order_by("position")
    response = client.post(reverse("programme:evaluation_expert_score", args=[assignment.pk]),
                           {f"score-{first.pk}": "70", f"score-{second.pk}": "20", "comment": "特色鲜明，服务面广。", "action": "submit"})  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 400
    assert "得分应在 0–60.0 之间，以 0.5 分为单位。" in page and "特色鲜明，服务面广。" in page and 'value="70"' in page
    assert not EvaluationReview.objects.filter(assignment=assignment, state="submitted").exists()


# ---- Ranking, conclusions, publication, the 优质校 certificate ----------------------------------


def submit(assignment, evaluation_round, *values, comment="意见。"):
    return evaluation_review.evaluation_review_save(assignment=assignment, expert=assignment.expert, points=scores(evaluation_round, *values),
                                                    comment=comment, submit=True, now=REVIEW_DEADLINE - timedelta(days=1))  # fmt: skip


@pytest.fixture
def scored(evaluation, pool, staff_user):
    """zj and js scored by both their experts (zj higher), sc by one of two: provisional, though
    its one score is the highest."""
    evaluation_round, submissions = evaluation
    evaluation_review.evaluation_assign(evaluation_round=evaluation_round, actor=staff_user)
    values = {"zj": ("55", "35"), "js": ("45", "30"), "sc": ("60", "40")}
    for key, submission in submissions.items():
        assignments = list(submission.assignments.filter(is_active=True).order_by("pk"))
        for assignment in assignments[: 1 if key == "sc" else 2]:
            submit(assignment, evaluation_round, *values[key])
    return evaluation_round, submissions


def test_the_ranking_puts_an_incomplete_row_after_complete_ones_as_provisional_unless_asked(scored):
    evaluation_round, submissions = scored
    rows = evaluation_review.evaluation_ranking(evaluation_round)
    assert [(r.submission.pk, r.rank, r.provisional, f"{r.done}/{r.assigned}") for r in rows] == [
        (submissions["zj"].pk, 1, False, "2/2"), (submissions["js"].pk, 2, False, "2/2"), (submissions["sc"].pk, None, True, "1/2"),
    ]  # fmt: skip
    assert rows[0].score.mean == Decimal("72.50")  # 55 + 35 × 0.5
    everything = evaluation_review.evaluation_ranking(evaluation_round, provisional_last=False)
    assert [r.submission.pk for r in everything] == [submissions["sc"].pk, submissions["zj"].pk, submissions["js"].pk]


def test_the_exports_follow_the_page(client, scored, staff_user):
    evaluation_round, _submissions = scored
    client.force_login(staff_user)
    url = reverse("programme:evaluation_staff_ranking", args=[evaluation_round.pk])
    page = client.get(url).content.decode()
    assert page.index("浙江实验职业技术学院") < page.index("江苏实验职业技术学院") < page.index("四川实验职业技术学院")
    assert "暂定" in page
    rows = list(csv.reader(io.StringIO(client.get(url, {"format": "csv"}).content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["名次", "学校", "省份", "评分进度"]
    assert [(r[0], r[1], r[3]) for r in rows[1:]] == [("1", "浙江实验职业技术学院", "2/2"), ("2", "江苏实验职业技术学院", "2/2"),
                                                     ("暂定", "四川实验职业技术学院", "1/2")]  # fmt: skip
    sheet = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content)).active
    assert [sheet.cell(row=r, column=2).value for r in (4, 5, 6)] == ["浙江实验职业技术学院", "江苏实验职业技术学院", "四川实验职业技术学院"]
    assert sheet.cell(row=4, column=5).value == 72.5  # a number Excel can sort, not text


def test_conclusions_are_published_once_all_are_decided_and_only_then_told(client, scored, staff_user, trio):
    evaluation_round, submissions = scored
    now = DEADLINE + timedelta(days=40)
    with pytest.raises(ValidationError) as empty:
        evaluation_review.evaluation_decide(submission=submissions["zj"], outcome="", opinion="", actor=staff_user, now=now)
    assert empty.value.message_dict == {"outcome": ["请选择评估结论。"], "opinion": ["请填写项目组意见。"]}
    evaluation_review.evaluation_decide(submission=submissions["zj"], outcome="excellent", opinion="建设成效突出，评为优质校。", actor=staff_user, now=now)
    evaluation_review.evaluation_decide(submission=submissions["js"], outcome="qualified", opinion="达到建设标准。", actor=staff_user, now=now)
    assert evaluation_review.publish_problem(evaluation_round, now=now) == "还有 1 份申报材料没有评估结论。"
    assert not SchoolNotice.objects.filter(kind=SchoolNotice.Kind.EVALUATION_PUBLISHED).exists()  # nothing told before
    evaluation_review.evaluation_decide(submission=submissions["sc"], outcome="unqualified", opinion="材料不足。", actor=staff_user, now=now)
    assert evaluation_review.publish_problem(evaluation_round, now=DEADLINE) == "申报尚未截止，不能公布结果。"
    told = evaluation_review.evaluation_publish(evaluation_round=evaluation_round, actor=staff_user, now=now)
    assert told == 3
    notice = SchoolNotice.objects.get(experiment_school=trio["zj"][0], kind=SchoolNotice.Kind.EVALUATION_PUBLISHED)
    assert notice.title == "项目优质校评估结果：优质校" and "建设成效突出，评为优质校。" in notice.body
    with pytest.raises(WorkflowError) as late:
        evaluation_review.evaluation_decide(submission=submissions["js"], outcome="excellent", opinion="改为优质校。", actor=staff_user)
    assert late.value.code == "round_published"


def test_a_published_excellent_conclusion_gives_the_school_its_certificate_naming_the_round(scored, staff_user, trio):
    evaluation_round, submissions = scored
    zj, js = trio["zj"][0], trio["js"][0]
    now = DEADLINE + timedelta(days=40)
    for key, outcome in (("zj", "excellent"), ("js", "qualified"), ("sc", "qualified")):
        evaluation_review.evaluation_decide(submission=submissions[key], outcome=outcome, opinion="意见。", actor=staff_user, now=now)
    with pytest.raises(WorkflowError) as before:
        certificate_jobs.quality_certificates_job(evaluation_round=evaluation_round, actor=staff_user, site_url="http://testserver/")
    assert before.value.code == "not_published"
    evaluation_review.evaluation_publish(evaluation_round=evaluation_round, actor=staff_user, now=now)
    evaluation_round.refresh_from_db()
    for _twice in range(2):  # the tests' task backend runs the job at once; the second issues nothing more
        job = certificate_jobs.quality_certificates_job(evaluation_round=evaluation_round, actor=staff_user, site_url="http://testserver/")
        job.refresh_from_db()
        assert job.state == job.State.DONE and job.file, job.error
    certificate = Certificate.objects.get(kind=CertificateKind.QUALITY_SCHOOL)
    assert certificate.experiment_school == zj
    assert certificate.title == "职业院校服务全民终身学习项目优质校（第二批实验校·项目优质校评估）"
    with pytest.raises(WorkflowError) as qualified:
        certificates.certificate_issue(experiment_school=js, kind=CertificateKind.QUALITY_SCHOOL, actor=staff_user)
    assert qualified.value.code == "not_excellent"


def test_staff_pages_show_the_round_and_refuse_the_school(client, scored, staff_user, trio):
    evaluation_round, _submissions = scored
    client.force_login(trio["zj"][1])
    assert client.get(reverse("programme:evaluation_staff_ranking", args=[evaluation_round.pk])).status_code == 403
    client.force_login(staff_user)
    page = client.get(reverse("programme:evaluation_staff_assignment", args=[evaluation_round.pk])).content.decode()
    assert "已提交的申报材料均已分配足够的专家。" in page and "expert-bj" in page


def test_the_assigned_expert_opens_the_evidence_and_the_pdf_and_another_expert_cannot(client, trio, pool, staff_user, settings, tmp_path):
    from programme import evaluation
    from tests.conftest import png_bytes, upload

    settings.PRIVATE_MEDIA_ROOT = tmp_path
    member, school_user = trio["zj"]
    batch = member.batch
    standard = EvaluationStandard.objects.create(batch=batch, published_at=OPENS - timedelta(days=30))
    criterion = standard.criteria.create(position=1, name="服务全民终身学习成效", max_points=60)
    evaluation_round = EvaluationRound.objects.create(standard=standard, batch=batch, opens_at=OPENS, deadline=DEADLINE, experts_per_submission=1)
    submission = EvaluationSubmission.objects.create(round=evaluation_round, experiment_school=member, summary="总结。")
    row = evaluation.sync_assessments(submission)[0]
    evidence = evaluation.evidence_add(submission=submission, criterion_id=row.criterion_id, uploaded_file=upload("课程表.png", png_bytes()),
                                       caption="老年大学课程表", actor=school_user, now=OPENS + timedelta(days=1))  # fmt: skip
    EvaluationSubmission.objects.filter(pk=submission.pk).update(state="submitted")
    assignment = evaluation_review.evaluation_assignment_add(submission=submission, expert=pool["bj"], actor=staff_user, reason="指定")
    client.force_login(pool["bj"])
    page = client.get(reverse("programme:evaluation_expert_score", args=[assignment.pk])).content.decode()
    download = reverse("programme:evaluation_evidence_download", args=[submission.pk, evidence.pk])
    assert download in page and "老年大学课程表" in page and criterion.name in page
    assert client.get(download).status_code == 200
    assert client.get(reverse("programme:evaluation_pdf", args=[submission.pk])).status_code == 200
    client.force_login(pool["sh"])
    assert client.get(download).status_code == 404


def test_a_conclusion_without_its_opinion_comes_back_next_to_the_field_with_the_choice_kept(client, scored, staff_user):
    _round, submissions = scored
    client.force_login(staff_user)
    pk = submissions["js"].pk
    response = client.post(reverse("programme:evaluation_staff_decide", args=[pk]), {f"s{pk}-outcome": "qualified", f"s{pk}-opinion": " "})
    page = response.content.decode()
    assert response.status_code == 400
    assert "这个字段是必填项。" in page
    assert '<option value="qualified" selected>' in page
    assert not hasattr(type(submissions["js"]).objects.get(pk=pk), "decision")


def test_each_row_of_the_ranking_has_the_conclusion_form_crispy_lays_out_for_it(client, scored, staff_user):
    """The page lays one blank form out for the rows without a conclusion and gives each its names
    and ids (the same HTML as crispy's own for that row); a row with a conclusion shows it chosen."""
    from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form

    from programme.evaluation_review_forms import DecisionForm

    evaluation_round, submissions = scored
    evaluation_review.evaluation_decide(submission=submissions["zj"], outcome="excellent", opinion="建设成效突出。", actor=staff_user)
    client.force_login(staff_user)
    page = client.get(reverse("programme:evaluation_staff_ranking", args=[evaluation_round.pk])).content.decode()
    for key in ("js", "sc"):
        pk = submissions[key].pk
        assert str(as_crispy_form(DecisionForm(prefix=f"s{pk}"))) in page
        assert page.count(f'name="s{pk}-outcome"') == 1 and page.count(f'id="id_s{pk}-opinion"') == 1
    decided = submissions["zj"].pk
    assert f'name="s{decided}-outcome"' in page and '<option value="excellent" selected>' in page and "建设成效突出。" in page


def test_the_ranking_is_paged_with_ranks_running_on_and_a_decision_returns_to_its_page(client, scored, staff_user, monkeypatch):
    """50 rows a page at scale (RANKING_PAGE_SIZE; two here): the ranks run on over the pages, a
    conclusion recorded on page 2 comes back to page 2 at its row, and one refused comes back on
    its row's page with what was typed."""
    monkeypatch.setattr("programme.evaluation_review_views.RANKING_PAGE_SIZE", 2)
    evaluation_round, submissions = scored
    client.force_login(staff_user)
    url = reverse("programme:evaluation_staff_ranking", args=[evaluation_round.pk])

    first, second = client.get(url).content.decode(), client.get(url, {"page": 2}).content.decode()

    assert "浙江实验职业技术学院" in first and "江苏实验职业技术学院" in first and "四川实验职业技术学院" not in first
    assert "四川实验职业技术学院" in second and "浙江实验职业技术学院" not in second and "暂定" in second
    assert "第 1 / 2 页" in first and "共 3 份申报材料" in first and 'href="?page=2"' in first
    everything = client.get(url, {"order": "all"}).content.decode()
    assert "四川实验职业技术学院" in everything and 'href="?order=all&amp;page=2"' in everything  # sc first when ranked among all
    pk = submissions["sc"].pk
    decided = client.post(reverse("programme:evaluation_staff_decide", args=[pk]), {f"s{pk}-outcome": "qualified", f"s{pk}-opinion": "达到建设标准。"})
    assert decided.status_code == 302 and decided["Location"] == f"{url}?page=2#s{pk}"
    pk = submissions["js"].pk
    refused = client.post(reverse("programme:evaluation_staff_decide", args=[pk]), {f"s{pk}-outcome": "excellent", f"s{pk}-opinion": " "})
    page = refused.content.decode()
    assert refused.status_code == 400 and "第 1 / 2 页" in page and '<option value="excellent" selected>' in page
