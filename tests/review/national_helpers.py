"""Helpers for the national review tests (formal check, experts, scoring, decisions, publication,
exports): direct applications that reached the project group, experts with their profiles, a
formal check that passes, scores, and the text of a PDF."""
import io
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from applications.models import Application, Status
from portal.models import Role, SchoolType
from review import decisions, expert_assignment, expert_scoring, formal_check
from review.models import Assignment, ExpertProfile
from tests.conftest import make_user
from tests.review.helpers import reload, submitted_application

# Provinces that run no provincial window in the tests' batch: their schools apply directly.
SICHUAN, GUANGDONG, HUBEI, SHANDONG, FUJIAN = "510000", "440000", "420000", "370000", "350000"
# Experts' provinces.
BEIJING, SHANGHAI, TIANJIN, CHONGQING = "110000", "310000", "120000", "500000"


def at_national(batch, name, province_code=SICHUAN, school_type=SchoolType.HIGHER_VOCATIONAL, **submit_kwargs):
    """A new school of a province without a window, its complete application submitted straight
    to the project group (status at_national). Returns (application, school user)."""
    application, user = submitted_application(batch, name, province_code, school_type, **submit_kwargs)
    assert application.status == Status.AT_NATIONAL, application.status
    return application, user


def make_expert(username, province_code, institution, *, last_name="", first_name="", **profile):
    """An expert account with its ExpertProfile (province and institution decide conflicts)."""
    user = make_user(username, Role.EXPERT, last_name=last_name, first_name=first_name)
    ExpertProfile.objects.create(user=user, province_id=province_code, institution=institution, **profile)
    return user


def formal_pass(application, staff) -> Application:
    formal_check.formal_check_decide(
        application=application, actor=staff, outcome="passed", seals_present=True, seals_legible=True, consistent=True
    )
    return reload(application)


def in_review(batch, name, staff, province_code=SICHUAN, school_type=SchoolType.HIGHER_VOCATIONAL):
    """A direct application that passed the formal check (status in_expert_review)."""
    application, user = at_national(batch, name, province_code, school_type)
    return formal_pass(application, staff), user


def assign(application, expert, staff, reason="测试：人工指定") -> Assignment:
    return expert_assignment.assignment_add(application=reload(application), expert=expert, actor=staff, reason=reason)


def points_for(batch, values) -> dict[int, str]:
    """Criterion id → points, from a list in the rubric's order."""
    criteria = expert_scoring.criteria_of(batch)
    assert len(criteria) == len(values)
    return {c.pk: str(v) for c, v in zip(criteria, values)}


# Scores in the default rubric's order: 有意愿 10, 有组织 15, 有项目 15, 有团队 15, 有协调能力 15, 实验方案质量 30.
GOOD = (9, 13.5, 13, 12.5, 14, 26)  # 88
FAIR = (7, 10, 10.5, 11, 10, 21.5)  # 70


def submit_review(assignment, values, *, comment="方案扎实，团队分工明确。", recommendation="yes", now=None):
    batch = assignment.application.batch
    return expert_scoring.review_save(
        assignment=assignment, expert=assignment.expert, points=points_for(batch, values), comment=comment,
        recommendation=recommendation, submit=True, now=now,
    )  # fmt: skip


def active_experts_of(application) -> set[int]:
    return set(Assignment.objects.filter(application=application, is_active=True).values_list("expert_id", flat=True))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(data: bytes) -> str:
    """All the text of a PDF without white space (long values wrap across lines)."""
    assert data[:5] == b"%PDF-", data[:20]
    reader = PdfReader(io.BytesIO(data))
    return squeeze("".join(page.extract_text() for page in reader.pages))


# Notice 八.3: 2023年6月召开项目工作会议，公布实验校名单.
MEETING = "2023年职业院校服务全民终身学习项目工作会议"


def file_and_publish(batch, staff, *, now=None) -> int:
    """八.2 then 八.3: file the list with the association, then publish it as announced at the
    项目工作会议 held that day. Returns the number of selected schools."""
    decisions.file_list(batch=batch, actor=staff, now=now)
    return decisions.publish(batch=batch, actor=staff, meeting=MEETING, meeting_on=timezone.localdate(now), now=now)


def national_list_queries(client, batch) -> int:
    """The number of queries the national list of `batch` takes for `client` (a page, 200)."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("review:national_list"), {"batch": batch.pk}).status_code == 200
    return len(captured.captured_queries)


def decided_pair(batch, staff, *, selected_name: str, other_name: str) -> dict:
    """Two applications scored by one expert and decided: a Sichuan college selected ("yes"), a
    Hubei 职教中心 not ("no"). Needs the batch's rubric (review.rubric.rubric_ensure_default)."""
    expert = make_expert("expert-bj", BEIJING, "北京终身教育研究院")
    made = {}
    for key, name, province, kind, selected in [
        ("yes", selected_name, SICHUAN, SchoolType.HIGHER_VOCATIONAL, True),
        ("no", other_name, HUBEI, SchoolType.VOCATIONAL_CENTER, False),
    ]:
        application, _user = in_review(batch, name, staff, province, kind)
        submit_review(assign(application, expert, staff), GOOD)
        made[key] = decisions.decide(application=reload(application), actor=staff, selected=selected, opinion="经专家评审作出决定。")
    return made
