"""The expert's side of the review: only their own assignments, their progress, scoring against
the rubric (0 to the maximum in steps of 0.5), drafts, submission with every criterion, a comment
and a recommendation, "submit and next", the lock at the review deadline and staff reopening one
review, declaring a conflict instead of scoring. Never another expert's name or scores."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from applications.models import Status, TimelineEntry
from applications.workflow import WorkflowError
from review.models import Assignment, CriterionScore, ExpertReview
from review.decisions import decide
from review.expert_assignment import assignment_remove
from review.expert_scoring import criteria_of, review_reopen, review_save
from review.rubric import rubric_ensure_default
from review.selectors import expert_queue
from tests.review.helpers import reload
from tests.review.national_helpers import (
    BEIJING,
    CHONGQING,
    FAIR,
    GOOD,
    GUANGDONG,
    HUBEI,
    SHANGHAI,
    SHANDONG,
    assign,
    in_review,
    make_expert,
    points_for,
    submit_review,
)

pytestmark = pytest.mark.usefixtures("private_media")  # scans and ZIPs go to a temporary directory

# The other expert's scores add up to a total that appears nowhere else: 4.5 + 7 + 7.5 + 8 + 8.5 + 12 = 47.5
OTHER_SCORES = (4.5, 7, 7.5, 8, 8.5, 12)
OTHER_COMMENT = "孙专家独有的评审意见：方案需要进一步聚焦。"


@pytest.fixture
def scene(batch, staff_user):
    """Expert 钱评审 (Beijing) has three applications; expert 孙其他 (Shanghai) shares the first
    with them and has a fourth of their own."""
    rubric_ensure_default(batch)
    me = make_expert("expert-qian", BEIJING, "北京终身教育研究院", last_name="钱", first_name="评审")
    other = make_expert("expert-sun", SHANGHAI, "上海开放大学", last_name="孙", first_name="其他")
    shared, _ = in_review(batch, "四川共评职业技术学院", staff_user)
    second, _ = in_review(batch, "广东第二职业技术学院", staff_user, GUANGDONG)
    third, _ = in_review(batch, "山东第三职业技术学院", staff_user, SHANDONG)
    not_mine, _ = in_review(batch, "武汉他评职业教育中心", staff_user, HUBEI)
    return {
        "me": me,
        "other": other,
        "shared": assign(shared, me, staff_user),
        "shared_other": assign(shared, other, staff_user),
        "second": assign(second, me, staff_user),
        "third": assign(third, me, staff_user),
        "not_mine": assign(not_mine, other, staff_user),
    }


def form_data(batch, values, *, comment="", recommendation="", action="save"):
    data = {f"score-{pk}": value for pk, value in points_for(batch, values).items()}
    data.update(comment=comment, recommendation=recommendation, action=action)
    return data


def score_url(assignment):
    return reverse("review:expert_score", args=[assignment.pk])


@pytest.fixture
def me(client, scene):
    client.force_login(scene["me"])
    return client


# ---- What the expert sees -----------------------------------------------------------------------

def test_the_expert_home_lists_only_their_assignments_with_progress(me, scene):
    response = me.get(reverse("review:expert_home"))
    assert response.status_code == 200
    assert [a.pk for a in response.context["assignments"]] == [a.pk for a in expert_queue(scene["me"])]
    assert {a.pk for a in response.context["assignments"]} == {scene["shared"].pk, scene["second"].pk, scene["third"].pk}
    html = response.content.decode()
    assert "已完成 <strong>0 / 3</strong>" in html
    assert "武汉他评职业教育中心" not in html

    submit_review(scene["second"], GOOD)
    html = me.get(reverse("review:expert_home")).content.decode()
    assert "已完成 <strong>1 / 3</strong>" in html
    assert "已提交（88.00）" in html


def test_the_score_page_shows_progress(me, scene):
    submit_review(scene["third"], GOOD)
    html = me.get(score_url(scene["shared"])).content.decode()
    assert "已完成 1 / 3" in html


def test_anothers_assignment_is_not_found(me, scene):
    not_mine = scene["not_mine"]
    assert me.get(score_url(not_mine)).status_code == 404
    assert me.post(score_url(not_mine), form_data(not_mine.application.batch, GOOD, action="submit")).status_code == 404
    assert me.post(reverse("review:declare_conflict", args=[not_mine.pk]), {"reason": "x"}).status_code == 404
    assert not ExpertReview.objects.filter(assignment=not_mine).exists()
    # The application pages too: an application not assigned to them is out of their reach.
    assert me.get(reverse("applications:detail", args=[not_mine.application_id])).status_code == 404
    assert me.get(reverse("applications:pdf", args=[not_mine.application_id])).status_code == 404


def test_the_assigned_application_can_be_read(me, scene):
    application = scene["shared"].application
    assert me.get(reverse("applications:detail", args=[application.pk])).status_code == 200
    response = me.get(reverse("applications:pdf", args=[application.pk]))
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    html = me.get(score_url(scene["shared"])).content.decode()
    assert application.school.name in html and application.plan_name in html


def my_pages(client, scene) -> dict[str, str]:
    application = scene["shared"].application
    pages = {
        "home": reverse("review:expert_home"),
        "score": score_url(scene["shared"]),
        "detail": reverse("applications:detail", args=[application.pk]),
    }
    html = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        html[name] = response.content.decode()
    return html


def assert_nothing_of_the_other_expert(html: dict[str, str], scene):
    other = scene["other"]
    for name, page in html.items():
        for secret in (other.get_full_name(), other.username, "上海开放大学", "47.5", OTHER_COMMENT):
            assert secret not in page, (name, secret)


def test_the_other_experts_name_and_scores_never_show_before_or_after_submitting(me, scene):
    submit_review(scene["shared_other"], OTHER_SCORES, comment=OTHER_COMMENT, recommendation="no")
    assert scene["shared_other"].review.total == Decimal("47.50")

    assert_nothing_of_the_other_expert(my_pages(me, scene), scene)

    batch = scene["shared"].application.batch
    response = me.post(score_url(scene["shared"]), form_data(batch, GOOD, comment="我的意见", recommendation="yes", action="submit"))
    assert response.status_code == 302
    assert reload(scene["shared"].application).status == Status.SCORED

    html = my_pages(me, scene)
    assert "88.00" in html["score"]  # their own total, now locked
    assert_nothing_of_the_other_expert(html, scene)


def test_an_expert_never_sees_whom_else_staff_assigned_or_replaced(me, scene, staff_user):
    assignment_remove(assignment=scene["shared_other"], actor=staff_user, reason="孙其他专家出差")
    assign(scene["shared"].application, make_expert("expert-yu", CHONGQING, "重庆市终身教育促进会", last_name="渝", first_name="新"), staff_user, reason="替换孙其他")
    for name, page in my_pages(me, scene).items():
        for secret in ("孙其他", "渝新", "出差"):
            assert secret not in page, (name, secret)


# ---- Scoring rules -------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["9.75", "10.5", "-1", "abc", "NaN", "Infinity", "1e3"])
def test_a_score_out_of_range_or_off_the_half_point_steps_is_refused(me, scene, value):
    """有意愿 is worth 10 points."""
    batch = scene["second"].application.batch
    data = form_data(batch, (value, 13.5, 13, 12.5, 14, 26), comment="意见", recommendation="yes", action="submit")
    response = me.post(score_url(scene["second"]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert ("得分应在 0–10.0 之间，以 0.5 分为单位。" in html) or ("请输入数字。" in html)
    assert not ExpertReview.objects.filter(assignment=scene["second"]).exists()
    assert not CriterionScore.objects.exists()


@pytest.mark.parametrize("value, stored", [("7.5", Decimal("7.5")), ("0", Decimal("0")), ("10", Decimal("10")), (" 8.0 ", Decimal("8"))])
def test_scores_within_range_in_half_points_are_kept(me, scene, value, stored):
    batch = scene["second"].application.batch
    response = me.post(score_url(scene["second"]), form_data(batch, (value, "", "", "", "", "")))
    assert response.status_code == 302
    criterion = criteria_of(batch)[0]
    assert CriterionScore.objects.get(review__assignment=scene["second"], criterion=criterion).points == stored


def test_the_rules_hold_when_called_directly(scene):
    assignment = scene["second"]
    batch = assignment.application.batch
    first = criteria_of(batch)[0]
    with pytest.raises(ValidationError) as refused:
        review_save(assignment=assignment, expert=scene["me"], points={first.pk: "9.75"}, comment="", recommendation="", submit=False)
    assert refused.value.message_dict == {f"score-{first.pk}": ["得分应在 0–10.0 之间，以 0.5 分为单位。"]}
    with pytest.raises(ValidationError) as refused:
        review_save(assignment=assignment, expert=scene["me"], points={}, comment="", recommendation="maybe", submit=False)
    assert refused.value.message_dict == {"recommendation": ["请选择推荐意见。"]}


def test_a_draft_keeps_what_was_typed(me, scene):
    batch = scene["second"].application.batch
    data = form_data(batch, ("7.5", "12", "", "", "", ""), comment="先记下：课程资源丰富。", recommendation="strong")
    response = me.post(score_url(scene["second"]), data)
    assert response.status_code == 302 and response["Location"] == score_url(scene["second"])

    review = ExpertReview.objects.get(assignment=scene["second"])
    assert (review.state, review.total, review.comment, review.recommendation) == ("draft", None, "先记下：课程资源丰富。", "strong")
    form = me.get(score_url(scene["second"])).context["form"]
    criteria = criteria_of(batch)
    assert form.initial[f"score-{criteria[0].pk}"] == Decimal("7.5")
    assert form.initial[f"score-{criteria[1].pk}"] == Decimal("12")
    assert f"score-{criteria[2].pk}" not in form.initial
    assert (form.initial["comment"], form.initial["recommendation"]) == ("先记下：课程资源丰富。", "strong")
    # Clearing a score in a later draft removes it.
    me.post(score_url(scene["second"]), form_data(batch, ("", "12", "", "", "", ""), comment="改", recommendation=""))
    assert list(CriterionScore.objects.filter(review=review).values_list("criterion_id", flat=True)) == [criteria[1].pk]


@pytest.mark.parametrize(
    "missing, message",
    [("score", "请为“有组织”打分。"), ("comment", "请填写评审意见。"), ("recommendation", "请选择推荐意见。")],
)
def test_submitting_needs_every_criterion_a_comment_and_a_recommendation(me, scene, missing, message):
    batch = scene["second"].application.batch
    values = list(GOOD)
    if missing == "score":
        values[1] = ""
    data = form_data(batch, values, comment="" if missing == "comment" else "意见", recommendation="" if missing == "recommendation" else "yes", action="submit")
    response = me.post(score_url(scene["second"]), data)

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    # What was typed is still on the page.
    assert 'value="13.5"' in html or missing == "score"
    assert not ExpertReview.objects.filter(assignment=scene["second"], state=ExpertReview.State.SUBMITTED).exists()
    assert reload(scene["second"].application).status == Status.IN_EXPERT_REVIEW


def test_submitting_stores_the_total_and_locks_the_scores(me, scene):
    batch = scene["second"].application.batch
    response = me.post(score_url(scene["second"]), form_data(batch, GOOD, comment="意见", recommendation="yes", action="submit"))
    assert response.status_code == 302 and response["Location"] == reverse("review:expert_home")
    review = ExpertReview.objects.get(assignment=scene["second"])
    # 9 + 13.5 + 13 + 12.5 + 14 + 26 = 88
    assert (review.state, review.total) == ("submitted", Decimal("88.00"))
    assert reload(scene["second"].application).status == Status.SCORED  # its only expert

    page = me.get(score_url(scene["second"]))
    assert page.context["locked"] is True
    assert all(field.disabled for field in page.context["form"].fields.values())
    assert "提交评分" not in page.content.decode()
    # A later post changes nothing.
    response = me.post(score_url(scene["second"]), form_data(batch, (1, 1, 1, 1, 1, 1), comment="改", recommendation="no", action="submit"))
    assert "评分已提交，不能再修改" in response.content.decode()
    review.refresh_from_db()
    assert (review.total, review.comment) == (Decimal("88.00"), "意见")


def test_submit_and_next_goes_to_the_next_assignment_still_to_score(me, scene):
    batch = scene["shared"].application.batch
    queue = list(expert_queue(scene["me"]))
    first, middle, last = queue

    response = me.post(score_url(middle), form_data(batch, GOOD, comment="意见", recommendation="yes", action="submit_next"))
    assert response["Location"] == score_url(last)
    response = me.post(score_url(last), form_data(batch, GOOD, comment="意见", recommendation="yes", action="submit_next"))
    assert response["Location"] == score_url(first)  # round to the start, skipping the scored one
    response = me.post(score_url(first), form_data(batch, GOOD, comment="意见", recommendation="yes", action="submit_next"))
    assert response["Location"] == reverse("review:expert_home")  # nothing left
    assert ExpertReview.objects.filter(assignment__expert=scene["me"], state="submitted").count() == 3


# ---- The review deadline and reopening ------------------------------------------------------------

@pytest.fixture
def past_deadline(scene):
    batch = scene["second"].application.batch
    # A draft saved in time, then the deadline passes.
    review_save(assignment=scene["second"], expert=scene["me"], points=points_for(batch, ("8", "", "", "", "", "")),
                comment="草稿", recommendation="", submit=False)  # fmt: skip
    batch.review_deadline = timezone.now() - timedelta(minutes=1)
    batch.save()
    return batch


def test_scores_lock_at_the_review_deadline(me, scene, past_deadline):
    page = me.get(score_url(scene["second"]))
    assert page.context["locked"] is True
    assert "评分已截止锁定" in page.content.decode()

    response = me.post(score_url(scene["second"]), form_data(past_deadline, GOOD, comment="意见", recommendation="yes", action="submit"))
    assert "评分已于截止时间锁定" in response.content.decode()
    review = ExpertReview.objects.get(assignment=scene["second"])
    assert (review.state, review.comment) == ("draft", "草稿")
    with pytest.raises(WorkflowError, match="锁定"):
        review_save(assignment=scene["second"], expert=scene["me"], points={}, comment="x", recommendation="", submit=False)


def test_the_deadline_itself_is_still_open(scene):
    batch = scene["second"].application.batch
    batch.review_deadline = timezone.now() + timedelta(hours=1)
    batch.save()
    review = submit_review(scene["second"], GOOD, now=batch.review_deadline)
    assert review.state == "submitted"


def test_staff_reopen_a_locked_review_with_a_logged_reason(client, me, scene, staff_user, past_deadline):
    review = ExpertReview.objects.get(assignment=scene["second"])
    application = scene["second"].application
    client.force_login(staff_user)
    until = timezone.localtime() + timedelta(days=2)
    response = client.post(reverse("review:reopen_review", args=[review.pk]), {"reason": "专家因病未能按时完成", "until": f"{until:%Y-%m-%dT%H:%M}"})
    assert response.status_code == 302
    entry = TimelineEntry.objects.filter(application=application).last()
    assert (entry.action, entry.visible_to_school, entry.actor) == ("review_reopen", False, staff_user)
    assert "专家因病未能按时完成" in entry.internal_comment and "钱评审" in entry.internal_comment

    client.force_login(scene["me"])
    response = client.post(score_url(scene["second"]), form_data(past_deadline, GOOD, comment="补交", recommendation="yes", action="submit"))
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.state, review.total, review.reopened_until) == ("submitted", Decimal("88.00"), None)


def test_reopening_a_submitted_review_takes_the_application_back_into_review(scene, staff_user):
    review = submit_review(scene["second"], GOOD)
    application = scene["second"].application
    assert reload(application).status == Status.SCORED

    review_reopen(review=review, actor=staff_user, reason="评分与评语不一致，请复核", until=timezone.now() + timedelta(days=1))

    review.refresh_from_db()
    assert (review.state, review.total) == ("draft", None)
    assert reload(application).status == Status.IN_EXPERT_REVIEW
    assert list(TimelineEntry.objects.filter(application=application).values_list("action", flat=True))[-2:] == ["review_reopen", "review_more"]
    # The expert may change it, and submitting again scores the application again.
    submit_review(scene["second"], FAIR)
    review.refresh_from_db()
    assert review.total == Decimal("70.00")  # 7 + 10 + 10.5 + 11 + 10 + 21.5
    assert reload(application).status == Status.SCORED


@pytest.mark.parametrize("reason, offset, message", [("", timedelta(days=1), "须填写理由"), ("复核", -timedelta(minutes=1), "应晚于现在")])
def test_reopening_needs_a_reason_and_a_future_time(scene, staff_user, reason, offset, message):
    review = submit_review(scene["second"], GOOD)
    with pytest.raises(WorkflowError, match=message):
        review_reopen(review=review, actor=staff_user, reason=reason, until=timezone.now() + offset)
    review.refresh_from_db()
    assert review.state == "submitted"


def test_a_decided_review_cannot_be_reopened(scene, staff_user):
    """Once the project group decided, reopening would change the scores behind a decision."""
    review = submit_review(scene["second"], GOOD)
    decide(application=reload(scene["second"].application), actor=staff_user, selected=True, opinion="同意列为实验校。")
    before = list(TimelineEntry.objects.filter(application=scene["second"].application).values_list("pk", flat=True))
    with pytest.raises(WorkflowError):
        review_reopen(review=review, actor=staff_user, reason="复核", until=timezone.now() + timedelta(days=1))
    review.refresh_from_db()
    assert (review.state, review.total) == ("submitted", Decimal("88.00"))
    assert list(TimelineEntry.objects.filter(application=scene["second"].application).values_list("pk", flat=True)) == before


# ---- Declaring a conflict --------------------------------------------------------------------------

def test_declaring_a_conflict_instead_of_scoring(me, scene):
    replacement_pool = make_expert("expert-cq", CHONGQING, "重庆市终身教育促进会")
    assignment = scene["second"]
    response = me.post(reverse("review:declare_conflict", args=[assignment.pk]), {"reason": "本人曾担任该校兼职教授"})
    assert response.status_code == 302 and response["Location"] == reverse("review:expert_home")

    assignment.refresh_from_db()
    assert not assignment.is_active
    assert me.get(score_url(assignment)).status_code == 404
    assert me.get(reverse("applications:detail", args=[assignment.application_id])).status_code == 404
    active = set(Assignment.objects.filter(application=assignment.application, is_active=True).values_list("expert_id", flat=True))
    # Replaced: the pool's other eligible experts fill the application's places (three per application).
    assert active == {replacement_pool.pk, scene["other"].pk}
    html = me.get(reverse("review:expert_home")).content.decode()
    assert "已完成 <strong>0 / 2</strong>" in html


def test_a_conflict_needs_a_reason(me, scene):
    response = me.post(reverse("review:declare_conflict", args=[scene["second"].pk]), {"reason": ""})
    assert response.status_code == 302 and response["Location"] == score_url(scene["second"])
    scene["second"].refresh_from_db()
    assert scene["second"].is_active
