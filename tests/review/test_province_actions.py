"""The province's steps on one application: return with a reason, recommend with an opinion and a
rank (within the quota), decline with a reason, move a rank, register the paper copy. Each allowed
step writes exactly one timeline row; each refused one says why and changes nothing."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import Status, TimelineEntry
from applications.workflow import WorkflowError, deadline_end
from portal.models import OutgoingMail
from review.models import Forwarding, ProvincialReview
from review.provincial import (
    province_change_rank,
    province_decline,
    province_forward,
    province_mark_paper_received,
    province_recommend,
    province_return,
)
from tests.review.helpers import reload, submitted_application


def action_url(application, action):
    return reverse("review:province_action", args=[application.pk, action])


def page_url(application):
    return reverse("review:province_application", args=[application.pk])


def state(application) -> tuple:
    """Everything a provincial step may change, to compare before and after a refusal."""
    application = reload(application)
    review = ProvincialReview.objects.filter(application=application).values_list(
        "opinion", "rank", "decline_reason", "paper_received_on"
    ).first()  # fmt: skip
    return (
        application.status,
        TimelineEntry.objects.filter(application=application).count(),
        review,
        ProvincialReview.objects.count(),
        OutgoingMail.objects.count(),
    )


@pytest.fixture
def reviewer_client(client, zhejiang_reviewer):
    client.force_login(zhejiang_reviewer)
    return client


@pytest.fixture
def second_a(batch, zhejiang_window):
    """Another Zhejiang school's submitted application."""
    application, _user = submitted_application(batch, "宁波第二职业技术学院")
    return application


# --- allowed steps, through the pages ---------------------------------------------------------------


def test_return_with_a_reason(reviewer_client, zhejiang_reviewer, submitted_a):
    response = reviewer_client.post(action_url(submitted_a, "return"), {"reason": "请补盖上级主管部门公章。"})

    assert (response.status_code, response["Location"]) == (302, page_url(submitted_a))
    assert reload(submitted_a).status == Status.RETURNED
    entry = TimelineEntry.objects.get(application=submitted_a, action="province_return")
    assert (entry.actor, entry.from_status, entry.to_status, entry.comment, entry.visible_to_school) == (
        zhejiang_reviewer, Status.SUBMITTED, Status.RETURNED, "请补盖上级主管部门公章。", True,
    )  # fmt: skip


def test_recommend_with_an_opinion_and_a_rank(reviewer_client, zhejiang_reviewer, zhejiang_window, submitted_a):
    response = reviewer_client.post(action_url(submitted_a, "recommend"), {"opinion": "方案扎实，同意推荐。", "rank": 1})

    assert (response.status_code, response["Location"]) == (302, page_url(submitted_a))
    assert reload(submitted_a).status == Status.RECOMMENDED
    review = ProvincialReview.objects.get(application=submitted_a)
    assert (review.window, review.opinion, review.rank, review.decline_reason, review.decided_by) == (
        zhejiang_window, "方案扎实，同意推荐。", 1, "", zhejiang_reviewer,
    )  # fmt: skip
    entry = TimelineEntry.objects.get(application=submitted_a, action="province_recommend")
    # The school reads that it was recommended; opinion and rank are for reviewers only.
    assert (entry.to_status, entry.comment, entry.internal_comment) == (
        Status.RECOMMENDED, "已获浙江省成人教育与职业教育协会推荐", "推荐排名第 1 位。推荐意见：方案扎实，同意推荐。",
    )  # fmt: skip


def test_decline_with_a_reason(reviewer_client, zhejiang_reviewer, submitted_a):
    response = reviewer_client.post(action_url(submitted_a, "decline"), {"reason": "方案与本地需求结合不够。"})

    assert response.status_code == 302
    assert reload(submitted_a).status == Status.NOT_RECOMMENDED
    review = ProvincialReview.objects.get(application=submitted_a)
    assert (review.rank, review.opinion, review.decline_reason) == (None, "", "方案与本地需求结合不够。")
    entry = TimelineEntry.objects.get(application=submitted_a, action="province_decline")
    assert (entry.to_status, entry.comment, entry.visible_to_school) == (Status.NOT_RECOMMENDED, "方案与本地需求结合不够。", True)


def test_register_the_paper_copy(reviewer_client, zhejiang_reviewer, submitted_a):
    received = timezone.localdate() - timedelta(days=1)

    response = reviewer_client.post(action_url(submitted_a, "paper"), {"received_on": received.isoformat()})

    assert response.status_code == 302
    review = ProvincialReview.objects.get(application=submitted_a)
    assert (review.paper_received_on, review.paper_marked_by) == (received, zhejiang_reviewer)
    entry = TimelineEntry.objects.get(application=submitted_a, action="paper_received")
    assert entry.comment == f"纸质版已收到（{received:%Y年%m月%d日}）"
    # Registering the paper does not decide anything.
    assert reload(submitted_a).status == Status.SUBMITTED
    page = reviewer_client.get(page_url(submitted_a)).content.decode()
    assert f"纸质版已于 {received.year}年{received.month}月{received.day}日 收到" in page


def test_moving_a_rank_swaps_it_with_its_holder(reviewer_client, zhejiang_reviewer, submitted_a, second_a):
    province_recommend(application=submitted_a, actor=zhejiang_reviewer, opinion="同意。", rank=1)
    province_recommend(application=second_a, actor=zhejiang_reviewer, opinion="同意。", rank=2)

    response = reviewer_client.post(action_url(second_a, "rank"), {"rank": 1})

    assert response.status_code == 302
    ranks = dict(ProvincialReview.objects.values_list("application_id", "rank"))
    assert ranks == {second_a.pk: 1, submitted_a.pk: 2}
    entry = TimelineEntry.objects.get(application=second_a, action="province_rank")
    # A rank is internal: the school does not see this row, and the note is for reviewers only.
    assert (entry.comment, entry.internal_comment, entry.visible_to_school) == ("", "推荐排名由第 2 位调整为第 1 位", False)
    # The application that gave up its rank has the move on its own record too.
    other = TimelineEntry.objects.get(application=submitted_a, action="province_rank")
    assert (other.internal_comment, other.visible_to_school) == (f"推荐排名由第 1 位调整为第 2 位（与{second_a.school.name}互换）", False)


ALLOWED = {
    "return": lambda app, who, other: province_return(application=app, actor=who, reason="请修改。"),
    "recommend": lambda app, who, other: province_recommend(application=app, actor=who, opinion="同意。", rank=1),
    "decline": lambda app, who, other: province_decline(application=app, actor=who, reason="不够具体。"),
    "paper": lambda app, who, other: province_mark_paper_received(application=app, actor=who, received_on=timezone.localdate()),
}


@pytest.mark.parametrize("action", list(ALLOWED))
def test_each_allowed_step_writes_exactly_one_timeline_row(zhejiang_reviewer, submitted_a, second_a, action):
    before_a = TimelineEntry.objects.filter(application=submitted_a).count()
    before_other = TimelineEntry.objects.filter(application=second_a).count()

    ALLOWED[action](submitted_a, zhejiang_reviewer, second_a)

    after_a = TimelineEntry.objects.filter(application=submitted_a).count()
    assert (after_a - before_a, TimelineEntry.objects.filter(application=second_a).count()) == (1, before_other)


def test_a_rank_move_writes_one_row_on_the_moved_application(zhejiang_reviewer, submitted_a, second_a):
    province_recommend(application=submitted_a, actor=zhejiang_reviewer, opinion="同意。", rank=1)
    province_recommend(application=second_a, actor=zhejiang_reviewer, opinion="同意。", rank=2)
    before = TimelineEntry.objects.filter(application=second_a).count()

    province_change_rank(application=second_a, actor=zhejiang_reviewer, rank=3)

    assert TimelineEntry.objects.filter(application=second_a).count() - before == 1


# --- refusals -----------------------------------------------------------------------------------------


def _returned(app, who):
    province_return(application=app, actor=who, reason="请修改。")


def _recommended(app, who):
    province_recommend(application=app, actor=who, opinion="同意。", rank=1)


def _declined(app, who):
    province_decline(application=app, actor=who, reason="不够具体。")


REFUSALS = [
    # (name, how the application was left before, the refused step, words of the message)
    ("recommend a returned one", _returned,
     lambda app, who: province_recommend(application=app, actor=who, opinion="同意。", rank=1), "当前状态为“退回修改”"),
    ("decline a returned one", _returned,
     lambda app, who: province_decline(application=app, actor=who, reason="不够具体。"), "当前状态为“退回修改”"),
    ("return a returned one", _returned,
     lambda app, who: province_return(application=app, actor=who, reason="再退一次。"), "当前状态为“退回修改”"),
    ("return a recommended one", _recommended,
     lambda app, who: province_return(application=app, actor=who, reason="请修改。"), "当前状态为“已获省级推荐”"),
    ("decline a recommended one", _recommended,
     lambda app, who: province_decline(application=app, actor=who, reason="改变主意。"), "当前状态为“已获省级推荐”"),
    ("recommend a recommended one again", _recommended,
     lambda app, who: province_recommend(application=app, actor=who, opinion="再推荐。", rank=2), "当前状态为“已获省级推荐”"),
    ("recommend a declined one", _declined,
     lambda app, who: province_recommend(application=app, actor=who, opinion="同意。", rank=1), "当前状态为“未获省级推荐”"),
    ("return a declined one", _declined,
     lambda app, who: province_return(application=app, actor=who, reason="请修改。"), "当前状态为“未获省级推荐”"),
    ("move the rank of one not recommended", None,
     lambda app, who: province_change_rank(application=app, actor=who, rank=2), "当前状态为“已提交，待省级推荐”"),
    ("return without a reason", None, lambda app, who: province_return(application=app, actor=who, reason="  \n "), "请填写退回理由"),
    ("decline without a reason", None, lambda app, who: province_decline(application=app, actor=who, reason=""), "请填写不予推荐的理由"),
    ("recommend without an opinion", None,
     lambda app, who: province_recommend(application=app, actor=who, opinion=" ", rank=1), "请填写推荐意见"),
    ("recommend with rank 0", None,
     lambda app, who: province_recommend(application=app, actor=who, opinion="同意。", rank=0), "推荐排名应为从 1 开始的整数"),
    ("paper without a date", None,
     lambda app, who: province_mark_paper_received(application=app, actor=who, received_on=None), "请填写纸质版收到日期"),
    ("paper received tomorrow", None,
     lambda app, who: province_mark_paper_received(application=app, actor=who, received_on=timezone.localdate() + timedelta(days=1)),
     "收到日期不能晚于今天"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "before", "step", "message"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_a_refused_step_says_why_and_changes_nothing(zhejiang_reviewer, submitted_a, name, before, step, message):
    if before:
        before(submitted_a, zhejiang_reviewer)
    unchanged = state(submitted_a)

    with pytest.raises(WorkflowError, match=message):
        step(reload(submitted_a), zhejiang_reviewer)

    assert state(submitted_a) == unchanged


def test_a_rank_already_given_is_refused_with_the_next_free_one(zhejiang_reviewer, submitted_a, second_a):
    province_recommend(application=submitted_a, actor=zhejiang_reviewer, opinion="同意。", rank=1)
    unchanged = state(second_a)

    with pytest.raises(WorkflowError) as refused:
        province_recommend(application=second_a, actor=zhejiang_reviewer, opinion="同意。", rank=1)

    assert str(refused.value) == "排名第 1 位已给了浙江示范职业技术学院，请选择其他排名（下一个空位是 2）。"
    assert state(second_a) == unchanged


def test_the_quota_refuses_the_one_too_many(batch, zhejiang_window, zhejiang_reviewer, submitted_a, second_a):
    zhejiang_window.quota = 1
    zhejiang_window.save()
    province_recommend(application=submitted_a, actor=zhejiang_reviewer, opinion="同意。", rank=1)
    unchanged = state(second_a)

    with pytest.raises(WorkflowError) as refused:
        province_recommend(application=second_a, actor=zhejiang_reviewer, opinion="同意。", rank=2)

    assert str(refused.value) == "本省推荐名额为 1 个，已全部用完，不能再推荐；如需调整，请先撤销其他推荐。"
    assert state(second_a) == unchanged


def test_the_quota_still_allows_declining_and_returning_when_full(batch, zhejiang_window, zhejiang_reviewer, submitted_a, second_a):
    # The quota limits recommendations only; the province must still be able to decide the rest.
    zhejiang_window.quota = 1
    zhejiang_window.save()
    province_recommend(application=submitted_a, actor=zhejiang_reviewer, opinion="同意。", rank=1)

    province_decline(application=second_a, actor=zhejiang_reviewer, reason="名额已满，综合排序靠后。")

    assert reload(second_a).status == Status.NOT_RECOMMENDED


def test_declined_ones_do_not_use_up_the_quota(batch, zhejiang_window, zhejiang_reviewer, submitted_a, second_a):
    zhejiang_window.quota = 1
    zhejiang_window.save()
    province_decline(application=second_a, actor=zhejiang_reviewer, reason="不够具体。")

    province_recommend(application=submitted_a, actor=zhejiang_reviewer, opinion="同意。", rank=1)

    assert reload(submitted_a).status == Status.RECOMMENDED


def test_the_quota_refusal_is_shown_on_the_page(reviewer_client, zhejiang_window, zhejiang_reviewer, submitted_a, second_a):
    zhejiang_window.quota = 1
    zhejiang_window.save()
    province_recommend(application=submitted_a, actor=zhejiang_reviewer, opinion="同意。", rank=1)

    response = reviewer_client.post(action_url(second_a, "recommend"), {"opinion": "同意。", "rank": 2})

    assert response.status_code == 400
    assert "本省推荐名额为 1 个，已全部用完" in response.content.decode()
    assert reload(second_a).status == Status.SUBMITTED


def test_nothing_can_change_after_the_national_deadline(batch, zhejiang_reviewer, submitted_a, second_a):
    province_recommend(application=second_a, actor=zhejiang_reviewer, opinion="同意。", rank=1)
    late = deadline_end(batch.national_deadline)
    steps = [
        lambda: province_recommend(application=submitted_a, actor=zhejiang_reviewer, opinion="同意。", rank=2, now=late),
        lambda: province_decline(application=submitted_a, actor=zhejiang_reviewer, reason="不够具体。", now=late),
        lambda: province_return(application=submitted_a, actor=zhejiang_reviewer, reason="请修改。", now=late),
        lambda: province_change_rank(application=second_a, actor=zhejiang_reviewer, rank=3, now=late),
    ]
    unchanged = (state(submitted_a), state(second_a))

    codes = []
    for step in steps:
        with pytest.raises(WorkflowError) as refused:
            step()
        codes.append(refused.value.code)

    assert codes == ["national_deadline_passed"] * 4
    assert (state(submitted_a), state(second_a)) == unchanged


def test_the_national_deadline_itself_is_still_in_time(batch, zhejiang_reviewer, submitted_a):
    province_recommend(application=submitted_a, actor=zhejiang_reviewer, opinion="同意。", rank=1, now=batch.national_deadline)

    assert reload(submitted_a).status == Status.RECOMMENDED


def test_no_return_after_the_schools_deadline(zhejiang_window, zhejiang_reviewer, submitted_a):
    # The school could not submit again, so returning would strand it.
    late = zhejiang_window.school_deadline + timedelta(minutes=1)
    unchanged = state(submitted_a)

    with pytest.raises(WorkflowError, match="学校提交截止时间已过"):
        province_return(application=submitted_a, actor=zhejiang_reviewer, reason="请修改。", now=late)

    assert state(submitted_a) == unchanged
    # Recommending and declining stay possible until the national deadline.
    province_decline(application=submitted_a, actor=zhejiang_reviewer, reason="不够具体。", now=late)
    assert reload(submitted_a).status == Status.NOT_RECOMMENDED


def test_nothing_can_change_after_forwarding(zhejiang_window, zhejiang_reviewer, submitted_a, second_a):
    province_recommend(application=submitted_a, actor=zhejiang_reviewer, opinion="同意。", rank=1)
    province_recommend(application=second_a, actor=zhejiang_reviewer, opinion="同意。", rank=2)
    province_forward(window=zhejiang_window, actor=zhejiang_reviewer)
    steps = [
        lambda: province_change_rank(application=second_a, actor=zhejiang_reviewer, rank=1),
        lambda: province_return(application=submitted_a, actor=zhejiang_reviewer, reason="请修改。"),
        lambda: province_decline(application=submitted_a, actor=zhejiang_reviewer, reason="改变主意。"),
        lambda: province_recommend(application=submitted_a, actor=zhejiang_reviewer, opinion="再推荐。", rank=5),
    ]
    unchanged = (state(submitted_a), state(second_a))

    codes = []
    for step in steps:
        with pytest.raises(WorkflowError) as refused:
            step()
        codes.append(refused.value.code)

    assert codes == ["forwarded"] * 4
    assert (state(submitted_a), state(second_a)) == unchanged


def test_a_direct_application_is_not_the_provinces_to_decide(batch, zhejiang_reviewer, user_direct):
    from applications.services import application_get_or_create
    from tests.review.helpers import submit_complete

    direct = submit_complete(application_get_or_create(batch=batch, school=user_direct.school, actor=user_direct), user_direct)
    unchanged = state(direct)

    with pytest.raises(WorkflowError, match="该申请直接报送项目组，不经省级推荐"):
        province_recommend(application=direct, actor=zhejiang_reviewer, opinion="同意。", rank=1)

    assert state(direct) == unchanged


def test_paper_cannot_be_registered_for_a_draft(zhejiang_reviewer, complete_application_a):
    unchanged = state(complete_application_a)

    with pytest.raises(WorkflowError, match="该申请尚未提交至本省"):
        province_mark_paper_received(application=complete_application_a, actor=zhejiang_reviewer, received_on=timezone.localdate())

    assert state(complete_application_a) == unchanged


# --- refusals through the pages ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "form", "field"),
    [
        ("return", {"reason": ""}, "reason"),
        ("decline", {"reason": ""}, "reason"),
        ("recommend", {"opinion": "", "rank": 1}, "opinion"),
        ("recommend", {"opinion": "同意。", "rank": 0}, "rank"),
        ("recommend", {"opinion": "同意。", "rank": "第一"}, "rank"),
        ("paper", {"received_on": "昨天"}, "received_on"),
    ],
)
def test_an_incomplete_form_is_shown_again_with_its_error(reviewer_client, submitted_a, action, form, field):
    unchanged = state(submitted_a)

    response = reviewer_client.post(action_url(submitted_a, action), form)

    assert response.status_code == 400
    bound = response.context[f"{action}_form"]
    assert list(bound.errors) == [field]
    assert state(submitted_a) == unchanged


def test_a_refused_step_on_the_page_shows_the_reason(reviewer_client, zhejiang_reviewer, submitted_a, second_a):
    province_recommend(application=submitted_a, actor=zhejiang_reviewer, opinion="同意。", rank=1)
    unchanged = state(second_a)

    response = reviewer_client.post(action_url(second_a, "recommend"), {"opinion": "同意。", "rank": 1})

    assert response.status_code == 400
    assert "排名第 1 位已给了浙江示范职业技术学院" in response.content.decode()
    # The form keeps what was typed.
    assert response.context["recommend_form"]["opinion"].value() == "同意。"
    assert state(second_a) == unchanged


def test_an_unknown_action_is_not_found(reviewer_client, submitted_a):
    assert reviewer_client.post(action_url(submitted_a, "approve"), {}).status_code == 404


def test_actions_need_a_post(reviewer_client, submitted_a):
    # A link or a prefetch must never decide anything.
    assert reviewer_client.get(action_url(submitted_a, "recommend")).status_code == 405
    assert reload(submitted_a).status == Status.SUBMITTED


# --- who may act ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "page", "act"),
    [
        # The admin and the school itself may read the application, but not act as a province.
        ("admin_user", 403, 403),
        ("user_a", 403, 403),
        # Others never learn it exists; the project group only once the province forwards it.
        ("staff_user", 404, 404),
        ("expert_user", 404, 404),
        ("user_b", 404, 404),
        ("jiangsu_reviewer", 404, 404),
    ],
)
@pytest.mark.parametrize("action", ["return", "recommend", "decline", "rank", "paper"])
def test_only_the_provinces_reviewer_may_act(client, request, submitted_a, role, page, act, action):
    client.force_login(request.getfixturevalue(role))
    unchanged = state(submitted_a)
    form = {"reason": "越权", "opinion": "越权", "rank": 1, "received_on": timezone.localdate().isoformat()}

    responses = (client.get(page_url(submitted_a)).status_code, client.post(action_url(submitted_a, action), form).status_code)

    assert responses == (page, act)
    assert state(submitted_a) == unchanged


def test_anonymous_visitors_are_sent_to_log_in(client, submitted_a):
    url = action_url(submitted_a, "recommend")

    response = client.post(url, {"opinion": "同意。", "rank": 1})

    assert (response.status_code, response["Location"]) == (302, f"/accounts/login/?next={url}")
    assert reload(submitted_a).status == Status.SUBMITTED


@pytest.mark.parametrize(("role", "expected"), [("staff_user", 403), ("user_a", 403), ("expert_user", 403), ("jiangsu_reviewer", 404)])
def test_only_the_provinces_reviewer_opens_its_queue(client, request, zhejiang_window, role, expected):
    client.force_login(request.getfixturevalue(role))

    assert client.get(reverse("review:province_queue", args=[zhejiang_window.pk])).status_code == expected


SERVICE_STEPS = {
    "return": lambda app, window, who: province_return(application=app, actor=who, reason="请修改。"),
    "recommend": lambda app, window, who: province_recommend(application=app, actor=who, opinion="同意。", rank=1),
    "decline": lambda app, window, who: province_decline(application=app, actor=who, reason="不够具体。"),
    "paper": lambda app, window, who: province_mark_paper_received(application=app, actor=who, received_on=timezone.localdate()),
    "forward": lambda app, window, who: province_forward(window=window, actor=who),
}


@pytest.mark.parametrize("role", ["jiangsu_reviewer", "staff_user", "admin_user", "user_a"])
@pytest.mark.parametrize("step", list(SERVICE_STEPS))
def test_the_services_themselves_refuse_anyone_but_the_provinces_reviewer(
    request, zhejiang_window, zhejiang_reviewer, submitted_a, second_a, role, step
):
    # Not only the pages: a step called from code (a command, a future page) is refused as well.
    # second_a is recommended so that forwarding would otherwise be possible.
    province_recommend(application=second_a, actor=zhejiang_reviewer, opinion="同意。", rank=2)
    if step == "forward":
        province_decline(application=submitted_a, actor=zhejiang_reviewer, reason="不够具体。")
    unchanged = (state(submitted_a), state(second_a), Forwarding.objects.count())

    with pytest.raises(WorkflowError) as refused:
        SERVICE_STEPS[step](reload(submitted_a), zhejiang_window, request.getfixturevalue(role))

    assert str(refused.value) == "只有浙江省成人教育与职业教育协会的审核人员可以办理此操作。"
    assert (state(submitted_a), state(second_a), Forwarding.objects.count()) == unchanged


def test_a_rank_move_by_another_province_is_refused(zhejiang_reviewer, jiangsu_reviewer, submitted_a):
    province_recommend(application=submitted_a, actor=zhejiang_reviewer, opinion="同意。", rank=1)
    unchanged = state(submitted_a)

    with pytest.raises(WorkflowError, match="只有浙江省成人教育与职业教育协会的审核人员"):
        province_change_rank(application=submitted_a, actor=jiangsu_reviewer, rank=2)

    assert state(submitted_a) == unchanged
