"""签到 with the activity's code during its hours (programme/checkin/): the QR code shown at the venue
opens the page with the code filled in; the attendee types the mobile number their school
registered them with (no login: the attendee rarely holds the school's account), or a signed-in
school user checks the school in with the code alone. Wrong codes and unknown numbers are counted
per address and refused for a while after 20, like failed logins."""
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
import qrcode
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from programme import activities
from programme.checkin_qr import checkin_url, qr_svg
from programme.models import Invitation
from programme.school_views import CHECKIN_FAILURE_LIMIT
from tests.programme.conftest import invite, make_activity
from tests.programme.school_helpers import second_batch, signed_in  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
URL = reverse("programme:checkin")


@pytest.fixture(autouse=True)
def fresh_counts():
    cache.clear()  # the failure counts live in the cache
    yield
    cache.clear()


@pytest.fixture
def under_way(trio, staff_user):
    """An activity that started 10 minutes ago, school ZJ registered with two people, JS invited."""
    zj, user = trio["zj"]
    js, _ = trio["js"]
    start = (timezone.now() - timedelta(minutes=10)).replace(second=0, microsecond=0)
    activity = make_activity(staff_user, start, title="2025年队伍培训", kind="training")
    invite(activity, staff_user, [zj, js])
    activities.invitation_register(invitation=activity.invitations.get(experiment_school=zj), actor=user, now=start - timedelta(days=10),
                                   attendees=[activities.AttendeeRow("李红", "教务处处长", "13811112222"),
                                              activities.AttendeeRow("王强", "教师", "13811113333")])  # fmt: skip
    return activity


def zj_invitation(activity) -> Invitation:
    return activity.invitations.get(experiment_school__school__name="浙江实验职业技术学院")


def test_the_qr_code_opens_the_page_with_the_code_filled_in(under_way):
    request = RequestFactory().get("/", secure=True)
    url = checkin_url(request, under_way)
    assert url == f"https://testserver{URL}{under_way.checkin_code}/"
    response = Client().get(url.removeprefix("https://testserver"))
    assert response.status_code == 200
    assert f'value="{under_way.checkin_code}"' in response.content.decode()


def test_the_qr_svg_encodes_the_address_module_for_module():
    text = "https://portal.example.cn/programme/checkin/?code=ABCD2345"
    markup = qr_svg(text)
    svg = ET.fromstring(markup)  # well-formed, no XML declaration: inline in a page
    assert svg.tag == "{http://www.w3.org/2000/svg}svg" and svg.get("width") == "100%" and svg.get("viewBox")
    assert " style=" not in markup  # the portal's CSP allows no inline style
    path = svg.find("{http://www.w3.org/2000/svg}path")
    drawn = {(int(x), int(y)) for x, y in re.findall(r"M(\d+),(\d+)H", path.get("d"))}
    code = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    expected = {(x, y) for y, row in enumerate(code.get_matrix()) for x, dark in enumerate(row) if dark}
    assert drawn == expected


def test_an_attendee_checks_in_with_the_code_and_the_number_they_were_registered_with(under_way):
    response = Client().post(URL, {"code": under_way.checkin_code.lower()[:4] + " " + under_way.checkin_code.lower()[4:],
                                   "mobile": "138-1111-3333"})  # fmt: skip
    text = response.content.decode()
    assert response.status_code == 200
    assert "签到成功" in text and "浙江实验职业技术学院 · 王强（教师）" in text
    invitation = zj_invitation(under_way)
    assert (invitation.attended, invitation.attendance_source) == (True, Invitation.AttendanceSource.CODE)
    assert [(a.name, a.checked_in_at is not None) for a in invitation.attendees.all()] == [("李红", False), ("王强", True)]


def test_a_wrong_code_or_an_unregistered_number_is_told_next_to_the_field(under_way):
    client = Client()
    response = client.post(URL, {"code": "WRONG234", "mobile": "13811112222"})
    assert response.status_code == 400
    assert '<strong>签到码不正确，请核对现场公布的签到码。</strong>' in response.content.decode()
    response = client.post(URL, {"code": under_way.checkin_code, "mobile": "13999999999"})
    text = response.content.decode()
    assert "该手机号未在本次活动的参会回执中登记" in text and 'value="13999999999"' in text
    response = client.post(URL, {"code": under_way.checkin_code, "mobile": ""})
    assert "请填写贵校参会回执中登记的手机号。" in response.content.decode()
    assert not zj_invitation(under_way).attended


def test_before_the_activity_starts_nobody_checks_in(trio, staff_user):
    zj, user = trio["zj"]
    start = (timezone.now() + timedelta(hours=2)).replace(second=0, microsecond=0)
    activity = make_activity(staff_user, start)
    invite(activity, staff_user, [zj])
    activities.invitation_register(invitation=activity.invitations.get(), actor=user, now=start - timedelta(days=10),
                                   attendees=[activities.AttendeeRow("李红", "教务处处长", "13811112222")])  # fmt: skip
    response = Client().post(URL, {"code": activity.checkin_code, "mobile": "13811112222"})
    assert response.status_code == 400
    assert "签到在活动开始后进行" in response.content.decode()
    assert not activity.invitations.get().attended


def test_a_signed_in_school_checks_in_with_the_code_alone(under_way, trio):
    _js, user = trio["js"]  # JS registered nobody: its account checks the school in
    response = signed_in(user).post(URL, {"code": under_way.checkin_code, "mobile": ""})
    assert response.status_code == 200 and "江苏实验职业技术学院" in response.content.decode()
    invitation = under_way.invitations.get(experiment_school__school__name="江苏实验职业技术学院")
    assert (invitation.attended, invitation.attendance_marked_by) == (True, user)


def test_a_school_not_invited_is_told_so(under_way, trio):
    sc, user = trio["sc"]
    response = signed_in(user).post(URL, {"code": under_way.checkin_code})
    assert response.status_code == 400 and "贵校未受邀参加“2025年队伍培训”。" in response.content.decode()


def test_after_too_many_failures_the_address_waits_even_with_the_right_number(under_way):
    client = Client()
    for attempt in range(CHECKIN_FAILURE_LIMIT):
        client.post(URL, {"code": under_way.checkin_code, "mobile": f"1390000{attempt:04d}"})
    response = client.post(URL, {"code": under_way.checkin_code, "mobile": "13811112222"})
    assert response.status_code == 400
    assert "签到尝试次数过多，请 15 分钟后再试" in response.content.decode()
    assert not zj_invitation(under_way).attended
    # Another address is not held back.
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert other.post(URL, {"code": under_way.checkin_code, "mobile": "13811112222"}).status_code == 200
