"""The 优质校评估 in the browser: an expert opens their task on a phone, reads the school's
self-assessment against the 建设标准, gets a bad score back next to its field with what they typed,
then submits; the project group reads the ranked table with the other school provisional, records a
conclusion and publishes. Every page is audited (axe at 1280 and 390 px, Nu, sideways scroll,
console) and screenshotted."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from programme import evaluation_review
from programme.models import EvaluationRound, EvaluationStandard, EvaluationSubmission, SchoolNotice
from review.models import ExpertProfile
from tests.browser.audit import DESKTOP, PHONE
from tests.browser.steps import log_in, log_out
from tests.conftest import make_user
from tests.programme.conftest import trio  # noqa: F401 (fixture)
from tests.programme.school_helpers import second_batch  # noqa: F401 (fixture: year 2 of the cycle today)
from portal.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]


def test_an_expert_scores_an_evaluation_and_the_project_group_publishes(page, audit, live_server, trio, staff_user):
    now = timezone.now()
    batch = trio["zj"][0].batch
    standard = EvaluationStandard.objects.create(batch=batch, published_at=now - timedelta(days=90))
    first = standard.criteria.create(position=1, name="服务全民终身学习成效", description="社区、老年、乡村等人群的覆盖面和学习成效。", max_points=60)
    second = standard.criteria.create(position=2, name="特色与示范引领", max_points=40, weight=Decimal("0.5"))
    evaluation_round = EvaluationRound.objects.create(standard=standard, batch=batch, opens_at=now - timedelta(days=60),
                                                      deadline=now - timedelta(days=1), review_deadline=now + timedelta(days=14),
                                                      experts_per_submission=1)  # fmt: skip
    submissions = {}
    for key in ("zj", "js"):
        member = trio[key][0]
        submission = EvaluationSubmission.objects.create(round=evaluation_round, experiment_school=member, state="submitted",
                                                         summary=f"{member.school.name}三年来建设社区学院分院 12 个。", submitted_at=now - timedelta(days=2))  # fmt: skip
        for criterion in (first, second):
            submission.self_assessments.create(criterion=criterion, text=f"{criterion.name}：自评材料。")
        submissions[key] = submission
    expert = make_user("expert-bj", Role.EXPERT, first_name="明", last_name="钱")
    ExpertProfile.objects.create(user=expert, province_id="110000", institution="北京终身教育研究院")
    evaluation_review.evaluation_assign(evaluation_round=evaluation_round, actor=staff_user)

    page.set_viewport_size(PHONE)
    log_in(page, live_server, expert.username)
    page.goto(f"{live_server.url}/programme/evaluation/expert/")
    audit.check("expert-tasks")
    assert "已完成 0 / 2" in page.inner_text("main")
    with page.expect_navigation():
        page.get_by_role("link", name="浙江实验职业技术学院").click()
    audit.check("expert-score")
    body = page.inner_text("main")
    assert "浙江实验职业技术学院三年来建设社区学院分院 12 个。" in body and "服务全民终身学习成效：自评材料。" in body
    assert "提交您的评分后，可以看到其他专家已提交的总分" in body

    page.get_by_label("服务全民终身学习成效（0–60.0 分）").fill("75")
    page.get_by_label("特色与示范引领（0–40.0 分）").fill("35")
    page.get_by_label("评估意见").fill("覆盖面广，老年教育特色鲜明。")
    with page.expect_navigation():
        page.get_by_role("button", name="提交评分").click()
    audit.check("expert-score-error", status=400)
    assert "得分应在 0–60.0 之间，以 0.5 分为单位。" in page.locator(f"#div_id_score-{first.pk}").inner_text()
    assert page.get_by_label("评估意见").input_value() == "覆盖面广，老年教育特色鲜明。"
    page.get_by_label("服务全民终身学习成效（0–60.0 分）").fill("55")
    with page.expect_navigation():
        page.get_by_role("button", name="提交评分").click()
    audit.check("expert-score-submitted")
    assert "评分已提交，加权总分 72.50" in page.inner_text("main")
    log_out(page)

    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, staff_user.username)
    page.goto(f"{live_server.url}/programme/staff/evaluation/{evaluation_round.pk}/ranking/")
    audit.check("staff-ranking")
    rows = page.locator("tbody tr")
    assert "浙江实验职业技术学院" in rows.nth(0).inner_text() and "72.50" in rows.nth(0).inner_text()
    assert "暂定" in rows.nth(1).inner_text() and "0/1" in rows.nth(1).inner_text()
    zj_row = page.locator(f"#s{submissions['zj'].pk}")
    zj_row.get_by_label("评估结论").select_option(label="优质校")
    zj_row.get_by_label("项目组意见").fill("建设成效突出，评为优质校。")
    with page.expect_navigation():
        zj_row.get_by_role("button", name="记录结论").click()
    audit.check("staff-decided")
    assert "已记录浙江实验职业技术学院的评估结论。" in page.inner_text("main")
    assert "还有 1 份申报材料没有评估结论。" in page.inner_text("main")
    js_row = page.locator(f"#s{submissions['js'].pk}")
    js_row.get_by_label("评估结论").select_option(label="合格")
    js_row.get_by_label("项目组意见").fill("达到建设标准。")
    with page.expect_navigation():
        js_row.get_by_role("button", name="记录结论").click()
    page.get_by_label("我已核对全部评估结论，确认公布").check()
    with page.expect_navigation():
        page.get_by_role("button", name="公布评估结果").click()
    audit.check("staff-published")
    assert "评估结果已公布，已通知 2 所实验校。" in page.inner_text("main")
    assert SchoolNotice.objects.get(experiment_school=trio["zj"][0], kind="evaluation_published").title == "项目优质校评估结果：优质校"
    with page.expect_navigation():
        page.get_by_role("button", name="为本轮优质校颁发证书").click()
    audit.check("staff-certificates")
    assert "新颁发证书 1 张；压缩包内共 1 张有效证书的 PDF。" in page.inner_text("main")  # the certificates' job, run at once in the tests
    audit.finish()
