"""Answering an invitation (programme/invitations/<pk>/): the attendees (姓名, 职务, 手机; at most the
activity's number per school) or a request for leave with a reason, before the registration
deadline; afterwards the page says so and shows what was answered."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from programme import activities
from programme.models import Invitation
from tests.programme.conftest import invite, make_activity
from tests.programme.school_helpers import second_batch, signed_in, upcoming  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def attendees(*rows) -> dict:
    data = {"answer": "attend", "attendee-TOTAL_FORMS": str(len(rows)), "attendee-INITIAL_FORMS": "0",
            "attendee-MIN_NUM_FORMS": "0", "attendee-MAX_NUM_FORMS": "1000"}  # fmt: skip
    for index, (name, title, mobile) in enumerate(rows):
        data.update({f"attendee-{index}-name": name, f"attendee-{index}-title": title, f"attendee-{index}-mobile": mobile})
    return data


@pytest.fixture
def invitation(trio, staff_user):
    zj, _user = trio["zj"]
    return upcoming(staff_user, [zj], title="2025年项目研讨交流会议", limit=2).invitations.get()


def test_the_page_shows_the_activity_and_one_row_per_place(invitation, trio):
    _zj, user = trio["zj"]
    text = signed_in(user).get(reverse("programme:invitation", args=[invitation.pk])).content.decode()
    assert "2025年项目研讨交流会议" in text and "北京市朝阳区会议中心" in text and "研讨交流会议" in text
    assert "每校最多 2 人" in text
    assert 'name="attendee-1-mobile"' in text and 'name="attendee-2-mobile"' not in text
    assert activities.deadline_in_words(invitation.activity.registration_deadline) in text
    assert "未回复" in text


def test_registering_attendees_stores_them_and_the_workspace_names_them(invitation, trio):
    _zj, user = trio["zj"]
    client = signed_in(user)
    response = client.post(reverse("programme:invitation", args=[invitation.pk]),
                           attendees(("李红", "教务处处长", "13811112222"), ("王强", "教师", "138 1111 3333")))  # fmt: skip
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.reply == Invitation.Reply.ATTENDING and invitation.replied_by == user
    # The number typed in groups is stored as the 11 digits the check-in compares with.
    assert [(a.name, a.title, a.mobile) for a in invitation.attendees.all()] == [("李红", "教务处处长", "13811112222"), ("王强", "教师", "13811113333")]
    page = client.get(response["Location"]).content.decode()
    assert "参会回执已提交" in page and "李红（教务处处长）" in page
    assert "李红（教务处处长）" in client.get(reverse("dashboard")).content.decode()


def test_more_people_than_the_limit_and_a_bad_number_are_told_next_to_the_fields(invitation, trio):
    _zj, user = trio["zj"]
    response = signed_in(user).post(reverse("programme:invitation", args=[invitation.pk]),
                                    attendees(("李红", "教务处处长", "13811112222"), ("王强", "教师", "1381111"), ("赵敏", "讲师", "13811114444")))  # fmt: skip
    text = response.content.decode()
    assert response.status_code == 400
    assert "本次活动每校最多 2 人参加，目前填写了 3 人。" in text
    assert '<div class="invalid-feedback" id="id_attendee-1-mobile-error">请输入 11 位中国大陆手机号码' in text
    for typed in ('value="李红"', 'value="1381111"', 'value="赵敏"', 'value="13811114444"'):
        assert typed in text
    invitation.refresh_from_db()
    assert invitation.reply == Invitation.Reply.NONE and not invitation.attendees.exists()


def test_asking_for_leave_needs_a_reason(invitation, trio):
    _zj, user = trio["zj"]
    client = signed_in(user)
    url = reverse("programme:invitation", args=[invitation.pk])
    response = client.post(url, {"answer": "leave", "leave_reason": "  "})
    assert response.status_code == 400
    assert "请填写请假事由。" in response.content.decode()
    response = client.post(url, {"answer": "leave", "leave_reason": "同期承办省级技能大赛。"})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert (invitation.reply, invitation.leave_reason, invitation.leave_pending) == ("leave", "同期承办省级技能大赛。", True)
    page = client.get(url).content.decode()
    assert "已请假，待审核" in page and "请假事由：同期承办省级技能大赛。" in page


def test_after_the_deadline_the_page_says_so_and_shows_the_answer(trio, staff_user):
    zj, user = trio["zj"]
    start = (timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)  # registration closed 4 days ago
    activity = make_activity(staff_user, start, title="已截止回执的会议")
    invite(activity, staff_user, [zj])
    invitation = activity.invitations.get()
    activities.invitation_register(invitation=invitation, actor=user, attendees=[activities.AttendeeRow("李红", "教务处处长", "13811112222")],
                                   now=start - timedelta(days=10))  # fmt: skip
    client = signed_in(user)
    url = reverse("programme:invitation", args=[invitation.pk])
    text = client.get(url).content.decode()
    assert "回执已截止，如有变化请直接联系项目组。" in text and "李红（教务处处长）" in text
    assert "提交参会回执</button>" not in text and "提交请假申请</button>" not in text
    response = client.post(url, {"answer": "leave", "leave_reason": "临时有事。"})
    assert response.status_code == 400
    assert "回执截止时间（" in response.content.decode() and "）已过" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.reply == Invitation.Reply.ATTENDING


def test_another_schools_invitation_does_not_exist_for_it(invitation, trio):
    _js, other = trio["js"]
    assert signed_in(other).get(reverse("programme:invitation", args=[invitation.pk])).status_code == 404
