"""The audit trail (django-simple-history): every change made through the portal's pages adds a
history record naming the person who made it (HistoryRequestMiddleware takes the user from the
request), and the project group reads an application's history in Django admin.

Each test acts through the pages, as the person would, and checks the records that action added."""
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from applications.models import Application, Status, TeamMember
from portal.models import Role, User
from review.models import CriterionScore, ExpertReview, ProvincialReview
from review.rubric import rubric_ensure_default
from review.roles import sync_staff_group
from tests.applications.pages import read_form
from tests.applications.test_edit_form import FILLED, TEAM, as_opened, project_ids, team_data
from tests.conftest import png_bytes, upload
from tests.review.helpers import reload, submit_complete
from tests.review.national_helpers import GOOD, assign, in_review, make_expert, points_for, submit_review

pytestmark = pytest.mark.usefixtures("private_media")


@pytest.fixture
def submitted_a(complete_application_a, user_a, zhejiang_reviewer):
    """School A's application, submitted to the Zhejiang association."""
    return submit_complete(complete_application_a, user_a)


def history_ids(model, **filters) -> set[int]:
    return set(model.history.filter(**filters).values_list("history_id", flat=True))


def added_records(model, before: set[int], **filters):
    """The history records of `model` (matching `filters`) written since `before` was taken."""
    return list(model.history.filter(**filters).exclude(history_id__in=before).order_by("history_date", "history_id"))


class _HistoryTable(HTMLParser):
    """The rows of admin's history table (id change-history) as lists of cell texts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.inside, self.rows, self.cell = False, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == "change-history":
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag == "td":
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag == "td" and self.cell is not None:
            self.rows[-1].append(" ".join(self.cell.split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def history_rows(html: str) -> list[list[str]]:
    parser = _HistoryTable()
    parser.feed(html)
    return [row for row in parser.rows if row]  # the header row has no <td>


def assert_all_by(records, user):
    assert records, "no history record was added"
    assert {record.history_user for record in records} == {user}


def test_a_schools_draft_save_and_submission_are_recorded_with_the_school_user(client, user_a, application_a):
    client.force_login(user_a)
    before, team_before = history_ids(Application, id=application_a.pk), history_ids(TeamMember)

    response = client.post(
        reverse("applications:edit", args=[application_a.pk]),
        as_opened(application_a, {**FILLED, "projects": project_ids("elderly-education"), **team_data(TEAM[:3])}),
    )

    assert response.status_code == 302
    saved = added_records(Application, before, id=application_a.pk)
    assert_all_by(saved, user_a)
    assert saved[-1].lead_name == FILLED["lead_name"] and saved[-1].history_type == "~"
    # Each new team row has its own "created" record by the school.
    team = added_records(TeamMember, team_before)
    assert_all_by(team, user_a)
    assert sorted((record.history_type, record.name) for record in team) == sorted(("+", row[0]) for row in TEAM[:3])

    client.post(reverse("applications:scan_upload", args=[application_a.pk]), {"scan": upload("s.png", png_bytes())})
    before = history_ids(Application, id=application_a.pk)
    response = client.post(reverse("applications:submit", args=[application_a.pk]))

    assert reload(application_a).status == Status.SUBMITTED, response.content.decode()[:300]
    submitted = added_records(Application, before, id=application_a.pk)
    assert_all_by(submitted, user_a)
    assert submitted[-1].status == Status.SUBMITTED


def test_a_provincial_recommendation_is_recorded_with_the_reviewer(client, zhejiang_reviewer, submitted_a):
    client.force_login(zhejiang_reviewer)
    before = history_ids(Application, id=submitted_a.pk)

    response = client.post(reverse("review:province_action", args=[submitted_a.pk, "recommend"]), {"opinion": "方案扎实，同意推荐。", "rank": 1})

    assert response.status_code == 302
    changed = added_records(Application, before, id=submitted_a.pk)
    assert_all_by(changed, zhejiang_reviewer)
    assert changed[-1].status == Status.RECOMMENDED
    [review] = ProvincialReview.history.filter(application_id=submitted_a.pk, opinion="方案扎实，同意推荐。", rank=1)
    assert review.history_user == zhejiang_reviewer


@pytest.fixture
def under_review(batch, staff_user):
    """A direct application in expert review, assigned to one expert."""
    rubric_ensure_default(batch)
    expert = make_expert("expert-audit", "110000", "北京终身教育研究院")
    application, _school_user = in_review(batch, "四川审计职业技术学院", staff_user)
    return assign(application, expert, staff_user)


def test_an_experts_submitted_review_is_recorded_with_the_expert(client, under_review):
    expert = under_review.expert
    client.force_login(expert)
    batch = under_review.application.batch
    data = {f"score-{pk}": value for pk, value in points_for(batch, GOOD).items()}
    before_reviews, before_scores = history_ids(ExpertReview), history_ids(CriterionScore)

    response = client.post(
        reverse("review:expert_score", args=[under_review.pk]),
        {**data, "comment": "方案扎实。", "recommendation": "yes", "action": "submit"},
    )

    assert response.status_code == 302
    reviews = added_records(ExpertReview, before_reviews)
    assert_all_by(reviews, expert)
    assert (reviews[-1].state, str(reviews[-1].total)) == ("submitted", "88.00")
    scores = added_records(CriterionScore, before_scores)
    assert_all_by(scores, expert)
    assert len({record.criterion_id for record in scores}) == len(GOOD)


def test_a_decision_is_recorded_with_the_staff_member(client, staff_user, under_review):
    submit_review(under_review, GOOD)
    application = reload(under_review.application)
    assert application.status == Status.SCORED  # arrange
    client.force_login(staff_user)
    before = history_ids(Application, id=application.pk)

    response = client.post(reverse("review:decide", args=[application.pk]), {"selected": "1", "opinion": "同意列为实验校。", "signer": "彭老师"})

    assert response.status_code == 302
    changed = added_records(Application, before, id=application.pk)
    assert_all_by(changed, staff_user)
    assert (changed[-1].status, changed[-1].group_opinion) == (Status.SELECTED, "同意列为实验校。")


def test_a_role_change_in_admin_is_recorded_with_the_administrator(client, admin_user, expert_user):
    client.force_login(admin_user)
    change_url = reverse("admin:portal_user_change", args=[expert_user.pk])
    values, _attrs = read_form(client.get(change_url).content.decode(), "user_form")
    data = {name: found if len(found) > 1 else found[0] for name, found in values.items()}
    data["role"] = Role.STAFF
    before = history_ids(User, id=expert_user.pk)

    response = client.post(change_url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(pk=expert_user.pk).role == Role.STAFF
    changed = added_records(User, before, id=expert_user.pk)
    assert_all_by(changed, admin_user)
    assert changed[-1].role == Role.STAFF
    # The previous record still says what it was.
    assert changed[-1].prev_record.role == Role.EXPERT


def test_user_history_never_keeps_password_hashes(user_a):
    # The history is read by staff; a copy of every past hash would be a gift to an attacker.
    user_a.set_password("another-password-77")
    user_a.save()

    field_names = {field.name for field in User.history.model._meta.get_fields()}

    assert "password" not in field_names and "last_login" not in field_names
    assert User.history.filter(id=user_a.pk).count() >= 2


def test_staff_in_the_project_group_read_an_applications_history_in_admin(
    client, staff_user, user_a, zhejiang_reviewer, complete_application_a
):
    client.force_login(user_a)
    client.post(reverse("applications:scan_upload", args=[complete_application_a.pk]), {"scan": upload("s.png", png_bytes())})
    client.post(reverse("applications:submit", args=[complete_application_a.pk]))
    client.force_login(zhejiang_reviewer)
    client.post(reverse("review:province_action", args=[complete_application_a.pk, "recommend"]), {"opinion": "同意推荐。", "rank": 1})
    assert reload(complete_application_a).status == Status.RECOMMENDED  # arrange: both steps went through
    staff_user.groups.add(sync_staff_group())
    assert staff_user.is_staff  # admin opens to staff accounts only
    client.force_login(staff_user)

    response = client.get(reverse("admin:applications_application_history", args=[complete_application_a.pk]))

    assert response.status_code == 200
    rows = history_rows(response.content.decode())
    # Columns: object, time, action, by whom, reason, changes. Who changed the status how:
    def by_whom(change):
        [who] = [row[3] for row in rows if row[5].startswith(change)]
        return who

    assert by_whom("状态: draft → submitted") == "school-a"
    assert by_whom("状态: submitted → recommended") == "reviewer-zj"
    assert len(rows) == Application.history.filter(id=complete_application_a.pk).count()


def test_the_history_is_closed_to_staff_outside_the_group_and_to_schools(client, staff_user, user_a, submitted_a):
    url = reverse("admin:applications_application_history", args=[submitted_a.pk])

    client.force_login(staff_user)  # is_staff, but not in 项目组: no permission on applications
    assert client.get(url).status_code == 403
    client.force_login(user_a)  # a school account is not staff: sent to admin's login
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
