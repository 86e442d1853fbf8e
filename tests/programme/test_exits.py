"""七.7 in the database: 连续两次不参与项目组活动视为退出，实验校有退出项目实施的权力. After a first absence
the school is warned (workspace and mail: 再缺席一次将视为退出); after a second in a row it goes to the
staff queue with the two activities as evidence; staff confirm (视为退出, the school is told) or waive
with a reason. Never twice for the same absences. A school may ask to leave; staff acknowledge it."""
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from applications.workflow import WorkflowError
from portal.models import OutgoingMail
from programme import exits
from programme.exits import WARNING_TITLE, exit_review_confirm, exit_review_waive, exit_rule_apply, withdrawal_acknowledge, withdrawal_request
from programme.models import ExitReview, ExperimentSchool, SchoolNotice, WithdrawalRequest
from programme.selectors import current_absences, exit_queue, workspace
from tests.conftest import aware, pdf_bytes, upload
from tests.programme.conftest import held

SPRING, AUTUMN, WINTER, NEXT_SPRING = aware(2023, 9, 20, 9, 0), aware(2023, 11, 16, 9, 0), aware(2024, 1, 10, 9, 0), aware(2024, 4, 18, 9, 0)


def warnings_of(experiment_school):
    return SchoolNotice.objects.filter(experiment_school=experiment_school, kind=SchoolNotice.Kind.ABSENCE_WARNING)


def refreshed(experiment_school):
    return ExperimentSchool.objects.get(pk=experiment_school.pk)


@pytest.fixture
def schools(trio):
    return [school for school, _user in trio.values()]


def test_a_first_absence_warns_the_school_once(trio, schools, staff_user):
    sc = trio["sc"][0]
    report = held(staff_user, SPRING, schools, attended=schools[:2])
    assert (report.absent, report.warned, report.queued) == (1, 1, 0)

    [warning] = warnings_of(sc)
    assert warning.title == WARNING_TITLE == "缺席提醒：再缺席一次将视为退出"
    assert warning.body.startswith("贵校未参加项目组活动“项目研讨交流会议 2023-09-20”（2023年09月20日），也未获准请假，记缺席一次。")
    assert "再缺席一次将视为退出" in warning.body
    assert OutgoingMail.objects.filter(subject=WARNING_TITLE).count() == 1
    assert workspace(sc, now=SPRING + timedelta(days=2)).notices[0] == warning

    assert exit_rule_apply(experiment_school=sc) is None  # run again: nothing new
    assert warnings_of(sc).count() == 1 and OutgoingMail.objects.filter(subject=WARNING_TITLE).count() == 1


def test_a_second_absence_in_a_row_goes_to_the_staff_queue_with_both_activities(trio, schools, staff_user):
    sc = trio["sc"][0]
    held(staff_user, SPRING, schools, attended=schools[:2])
    report = held(staff_user, AUTUMN, schools, attended=schools[:2])
    assert (report.warned, report.queued) == (0, 1)

    [review] = exit_queue()
    assert (review.experiment_school, review.state) == (sc, ExitReview.State.PENDING)
    assert (review.first_absence.activity.starts_at, review.second_absence.activity.starts_at) == (SPRING, AUTUMN)
    [mail] = OutgoingMail.objects.filter(template="staff_exit_review")
    assert mail.to == [staff_user.email]
    assert "1. 项目研讨交流会议 2023-09-20（2023年9月20日）" in mail.body and "2. 项目研讨交流会议 2023-11-16（2023年11月16日）" in mail.body
    assert refreshed(sc).get_status_display() == "实验中"  # staff decide, not the rule

    assert exit_rule_apply(experiment_school=sc) is None
    assert ExitReview.objects.count() == 1 and OutgoingMail.objects.filter(template="staff_exit_review").count() == 1
    assert warnings_of(sc).count() == 1  # the second absence brings no second warning


def test_attending_in_between_resets_the_count(trio, schools, staff_user):
    sc = trio["sc"][0]
    held(staff_user, SPRING, schools, attended=schools[:2])
    held(staff_user, AUTUMN, schools, attended=schools)
    report = held(staff_user, WINTER, schools, attended=schools[:2])
    assert (report.warned, report.queued) == (1, 0)
    assert warnings_of(sc).count() == 2 and not ExitReview.objects.exists()
    assert current_absences(sc) == 1


def test_an_accepted_leave_is_no_absence_and_no_reset(trio, schools, staff_user):
    sc = trio["sc"][0]
    held(staff_user, SPRING, schools, attended=schools[:2])
    report = held(staff_user, AUTUMN, schools, attended=schools[:2], leave_accepted=[sc])
    assert (report.excused, report.absent, report.warned, report.queued) == (1, 0, 0, 0)
    assert current_absences(sc) == 1
    held(staff_user, WINTER, schools, attended=schools[:2])
    [review] = exit_queue()
    assert (review.first_absence.activity.starts_at, review.second_absence.activity.starts_at) == (SPRING, WINTER)


def test_a_refused_leave_counts_as_an_absence(trio, schools, staff_user):
    sc = trio["sc"][0]
    held(staff_user, SPRING, schools, attended=schools[:2])
    report = held(staff_user, AUTUMN, schools, attended=schools[:2], leave_refused=[sc])
    assert report.queued == 1 and exit_queue().get().experiment_school == sc


def test_an_activity_that_does_not_count_is_skipped(trio, schools, staff_user):
    sc = trio["sc"][0]
    report = held(staff_user, SPRING, schools, attended=schools[:2], counts=False)
    assert (report.absent, report.warned) == (1, 0)
    assert not warnings_of(sc).exists()
    held(staff_user, AUTUMN, schools, attended=schools[:2])
    held(staff_user, WINTER, schools, attended=schools[:2], counts=False)
    assert current_absences(sc) == 1 and not ExitReview.objects.exists()


@pytest.fixture
def queued(trio, schools, staff_user):
    held(staff_user, SPRING, schools, attended=schools[:2])
    held(staff_user, AUTUMN, schools, attended=schools[:2])
    return exit_queue().get()


def test_staff_confirm_and_the_school_is_deemed_withdrawn_and_told(queued, trio, staff_user):
    sc = trio["sc"][0]
    exit_review_confirm(review=queued, actor=staff_user, now=AUTUMN + timedelta(days=3))
    sc = refreshed(sc)
    assert sc.get_status_display() == "视为退出（连续两次未参与项目组活动）"
    entry = sc.log.get(action="status")
    assert (entry.actor, entry.from_status, entry.to_status) == (staff_user, "active", "deemed_withdrawn")
    assert entry.reason == "连续两次未参与项目组活动：“项目研讨交流会议 2023-09-20”（2023年09月20日）、“项目研讨交流会议 2023-11-16”（2023年11月16日）。"
    notice = SchoolNotice.objects.get(experiment_school=sc, kind=SchoolNotice.Kind.EXIT_CONFIRMED)
    assert "贵校视为退出项目实施" in notice.body
    assert OutgoingMail.objects.filter(subject=notice.title).count() == 1
    assert not exit_queue().exists()
    with pytest.raises(WorkflowError) as refused:
        exit_review_confirm(review=queued, actor=staff_user)
    assert refused.value.code == "decided"


def test_a_school_deemed_withdrawn_is_left_alone_by_later_absences(queued, trio, schools, staff_user):
    sc = trio["sc"][0]
    exit_review_confirm(review=queued, actor=staff_user, now=AUTUMN + timedelta(days=3))
    assert held(staff_user, WINTER, schools, attended=schools[:2]).absent == 0  # no longer invited
    assert exit_rule_apply(experiment_school=sc) is None


def test_staff_waive_with_a_reason_and_the_count_starts_again(queued, trio, schools, staff_user):
    sc = trio["sc"][0]
    with pytest.raises(ValidationError) as refused:
        exit_review_waive(review=queued, actor=staff_user, reason=" ")
    assert refused.value.message_dict == {"reason": ["不作退出处理时，请说明理由。"]}
    exit_review_waive(review=queued, actor=staff_user, reason="两次均因校园封闭无法外出，已补交书面材料。", now=AUTUMN + timedelta(days=3))
    queued.refresh_from_db()
    assert (queued.state, queued.decided_by, queued.reason) == ("waived", staff_user, "两次均因校园封闭无法外出，已补交书面材料。")
    assert refreshed(sc).get_status_display() == "实验中"
    notice = SchoolNotice.objects.get(experiment_school=sc, kind=SchoolNotice.Kind.EXIT_WAIVED)
    assert "决定不作退出处理：两次均因校园封闭无法外出，已补交书面材料。" in notice.body

    # The waived absences are not counted again: re-running the rule changes nothing ...
    assert exit_rule_apply(experiment_school=sc) is None and ExitReview.objects.count() == 1
    assert current_absences(sc) == 0
    # ... and the next absence is a first one again: a warning, not the queue.
    report = held(staff_user, WINTER, schools, attended=schools[:2])
    assert (report.warned, report.queued) == (1, 0)
    report = held(staff_user, NEXT_SPRING, schools, attended=schools[:2])
    assert report.queued == 1
    review = exit_queue().get()
    assert (review.first_absence.activity.starts_at, review.second_absence.activity.starts_at) == (WINTER, NEXT_SPRING)


# ---- 实验校有退出项目实施的权力 -----------------------------------------------------------------------


def test_a_school_asks_to_leave_with_its_signed_letter_and_staff_acknowledge(trio, staff_user, private_media):
    zj, user = trio["zj"]
    request = withdrawal_request(experiment_school=zj, actor=user, reason="学校专业调整，无力继续实施项目。",
                                 letter=upload("退出申请函.pdf", pdf_bytes()), now=SPRING)  # fmt: skip
    assert (request.letter_kind, request.letter_name, request.state) == ("pdf", "退出申请函.pdf", "pending")
    assert request.letter.read()[:5] == b"%PDF-"
    [mail] = OutgoingMail.objects.filter(template="staff_withdrawal_requested")
    assert "学校专业调整，无力继续实施项目。" in mail.body and "附签字盖章的退出申请函" in mail.body
    with pytest.raises(WorkflowError) as refused:
        withdrawal_request(experiment_school=zj, actor=user, reason="再次申请", now=SPRING)
    assert refused.value.code == "pending"

    withdrawal_acknowledge(request=request, actor=staff_user, now=SPRING + timedelta(days=2))
    zj = refreshed(zj)
    assert zj.get_status_display() == "已退出（自愿）"
    entry = zj.log.get(action="status")
    assert (entry.to_status, entry.reason) == ("withdrawn", "学校申请退出项目实施：学校专业调整，无力继续实施项目。")
    assert SchoolNotice.objects.filter(experiment_school=zj, kind=SchoolNotice.Kind.WITHDRAWAL_ACKNOWLEDGED).count() == 1
    with pytest.raises(WorkflowError) as refused:
        withdrawal_acknowledge(request=request, actor=staff_user)
    assert refused.value.code == "decided"


def test_a_letter_is_checked_by_content_and_a_reason_is_required(trio, private_media):
    zj, user = trio["zj"]
    with pytest.raises(ValidationError) as refused:
        withdrawal_request(experiment_school=zj, actor=user, reason="", now=SPRING)
    assert refused.value.message_dict == {"reason": ["请填写退出原因。"]}
    with pytest.raises(ValidationError) as refused:
        withdrawal_request(experiment_school=zj, actor=user, reason="专业调整。", letter=upload("letter.pdf", b"<html>not a pdf</html>"), now=SPRING)
    assert refused.value.message_dict == {"letter": ["只接受 PDF、JPEG 或 PNG 格式的扫描件（按文件内容判断，改扩展名无效）。"]}
    assert not WithdrawalRequest.objects.exists()


def test_leaving_while_in_the_queue_closes_the_review(queued, trio, staff_user):
    sc, user = trio["sc"]
    request = withdrawal_request(experiment_school=sc, actor=user, reason="主动退出。", now=AUTUMN + timedelta(days=1))
    withdrawal_acknowledge(request=request, actor=staff_user, now=AUTUMN + timedelta(days=2))
    queued.refresh_from_db()
    assert (queued.state, queued.reason) == ("waived", "该校已自愿退出项目实施。")
    assert refreshed(sc).status == "withdrawn"
    assert exits.exit_rule_apply(experiment_school=sc) is None
