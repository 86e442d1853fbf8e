"""What the school sees of the provincial steps: every step with its date and, where meant for
the school, its comment; never what is meant only for reviewers (internal comments, rows hidden
from the school, the province's opinion and rank). A returned school changes its application and
submits again; a school whose province runs no window submits straight to the national group."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import Route, Status, TimelineEntry
from applications.services import application_get_or_create, scan_upload
from applications.workflow import WorkflowError, submit
from review.provincial import (
    province_change_rank,
    province_forward,
    province_mark_paper_received,
    province_recommend,
    province_return,
)
from tests.conftest import fill_complete, png_bytes, upload
from tests.review.helpers import reload, submit_complete, submitted_application

REASON = "负责人签字页缺少上级主管部门公章，请补盖后重新上传。"
OPINION = "学校领导重视，方案扎实，特色鲜明，同意推荐（内部评价：全省第一梯队）。"


def school_timeline(client, user, application):
    client.force_login(user)
    response = client.get(reverse("applications:detail", args=[application.pk]))
    assert response.status_code == 200
    return response


@pytest.fixture
def journey(batch, zhejiang_window, zhejiang_reviewer, user_a, submitted_a):
    """School A's application through every provincial step: returned with a reason, changed and
    submitted again, recommended (opinion and rank), its rank moved, paper registered, forwarded."""
    province_return(application=submitted_a, actor=zhejiang_reviewer, reason=REASON)
    changed = fill_complete(reload(submitted_a), lead_name="李新")
    scan_upload(application=changed, uploaded_file=upload("s2.png", png_bytes()), actor=user_a)
    submit(application=reload(changed), actor=user_a)
    other, _ = submitted_application(batch, "宁波第二职业技术学院")
    province_recommend(application=other, actor=zhejiang_reviewer, opinion="同意推荐。", rank=1)
    province_recommend(application=reload(submitted_a), actor=zhejiang_reviewer, opinion=OPINION, rank=2)
    province_change_rank(application=reload(submitted_a), actor=zhejiang_reviewer, rank=1)
    province_mark_paper_received(application=submitted_a, actor=zhejiang_reviewer, received_on=timezone.localdate())
    province_forward(window=zhejiang_window, actor=zhejiang_reviewer)
    return reload(submitted_a)


def test_the_school_sees_every_step_meant_for_it_with_its_comment(client, user_a, journey):
    response = school_timeline(client, user_a, journey)

    seen = [(entry.action, entry.to_status, entry.comment) for entry in response.context["timeline"]]
    today = timezone.localdate()
    assert seen == [
        ("create", Status.DRAFT, "创建申请表"),
        ("upload_scan", "", f"上传盖章扫描件（版本 {journey.scans.order_by('pk').first().version_code}）"),
        ("submit", Status.SUBMITTED, "提交至浙江省成人教育与职业教育协会"),
        ("province_return", Status.RETURNED, REASON),
        ("upload_scan", "", f"上传盖章扫描件（版本 {journey.version_code}）"),
        ("submit", Status.SUBMITTED, "提交至浙江省成人教育与职业教育协会"),
        ("province_recommend", Status.RECOMMENDED, "已获浙江省成人教育与职业教育协会推荐"),
        ("paper_received", "", f"纸质版已收到（{today:%Y年%m月%d日}）"),
        ("province_forward", Status.AT_NATIONAL, "浙江省成人教育与职业教育协会报送项目组"),
    ]


def test_each_step_on_the_schools_page_carries_its_date(client, user_a, journey):
    html = school_timeline(client, user_a, journey).content.decode()

    for entry in TimelineEntry.objects.filter(application=journey, visible_to_school=True):
        assert f"{timezone.localtime(entry.at):%Y-%m-%d %H:%M}" in html
    assert REASON in html


def test_what_is_meant_for_reviewers_never_reaches_the_school(client, user_a, zhejiang_reviewer, journey):
    # A note a reviewer left only for colleagues, besides the opinion and rank of the recommendation.
    TimelineEntry.objects.create(
        application=journey, actor=zhejiang_reviewer, action="note", comment="电话核实：该校实训基地在建。",
        internal_comment="与校长电话沟通记录", visible_to_school=False,
    )  # fmt: skip

    html = school_timeline(client, user_a, journey).content.decode()

    for secret in [OPINION, "推荐排名", "第 1 位", "电话核实", "与校长电话沟通记录", "内部", "学校不可见"]:
        assert secret not in html, secret
    # The province's own page shows them, so the test would notice if they were never written.
    client.force_login(zhejiang_reviewer)
    province_html = client.get(reverse("review:province_application", args=[journey.pk])).content.decode()
    for shown in [OPINION, "推荐排名由第 2 位调整为第 1 位", "与校长电话沟通记录", "学校不可见"]:
        assert shown in province_html, shown


def test_a_returned_school_changes_its_application_and_submits_again(user_a, zhejiang_reviewer, submitted_a):
    province_return(application=submitted_a, actor=zhejiang_reviewer, reason=REASON)
    changed = fill_complete(reload(submitted_a), lead_name="李新")

    # The old scan shows the old content: the portal asks for a new one first.
    with pytest.raises(WorkflowError, match="扫描件对应的版本"):
        submit(application=changed, actor=user_a)
    scan_upload(application=changed, uploaded_file=upload("s2.png", png_bytes()), actor=user_a)
    submit(application=reload(changed), actor=user_a)

    again = reload(submitted_a)
    assert (again.status, again.lead_name) == (Status.SUBMITTED, "李新")


def test_a_returned_school_cannot_submit_after_its_deadline(zhejiang_window, user_a, zhejiang_reviewer, submitted_a):
    province_return(application=submitted_a, actor=zhejiang_reviewer, reason=REASON)

    with pytest.raises(WorkflowError, match="已超过提交截止时间"):
        submit(application=reload(submitted_a), actor=user_a, now=zhejiang_window.school_deadline + timedelta(minutes=1))

    assert reload(submitted_a).status == Status.RETURNED


def test_a_returned_application_is_the_schools_to_edit_again(client, user_a, zhejiang_reviewer, submitted_a):
    province_return(application=submitted_a, actor=zhejiang_reviewer, reason=REASON)
    client.force_login(user_a)

    response = client.get(reverse("applications:edit", args=[submitted_a.pk]))

    assert response.status_code == 200
    assert response.context["form"].instance.pk == submitted_a.pk


def test_a_school_without_a_provincial_window_goes_straight_to_the_national_group(
    client, batch, zhejiang_window, user_direct, zhejiang_reviewer
):
    application = application_get_or_create(batch=batch, school=user_direct.school, actor=user_direct)

    submitted = submit_complete(application, user_direct)

    assert (submitted.route, submitted.status) == (Route.DIRECT, Status.AT_NATIONAL)
    entry = TimelineEntry.objects.get(application=submitted, action="submit")
    assert (entry.from_status, entry.to_status, entry.comment) == (Status.DRAFT, Status.AT_NATIONAL, "提交至中国成人教育协会项目组")
    # No province handles it.
    client.force_login(zhejiang_reviewer)
    assert client.get(reverse("review:province_application", args=[submitted.pk])).status_code == 404


def test_the_return_reason_is_printed_once_after_the_status(client, user_a, journey):
    # It read "退回修改：退回修改：…": the status and a comment that repeated it.
    html = school_timeline(client, user_a, journey).content.decode()

    assert html.count(f"退回修改：{REASON}") == 1
    assert "退回修改：退回修改" not in html
