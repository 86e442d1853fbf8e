"""Who may open which review page: every role against every page under /review/national/,
/review/expert/ and /list/ (and the application pages an expert reaches from them). Anonymous
visitors are sent to log in; a role the page is not for gets 403; an object out of the user's
reach is a 404. Checked before and after submission and publication where that changes anything."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import Batch, Status, TimelineEntry
from applications.services import application_get_or_create
from review.exports import export_create
from review.models import Assignment, ExpertReview, ExportJob
from review.decisions import decide
from review.expert_assignment import assignment_remove
from review.expert_scoring import review_save
from review.rubric import rubric_ensure_default
from tests.review.helpers import reload, submit_complete, submitted_application
from tests.review.national_helpers import BEIJING, GOOD, SHANGHAI, assign, file_and_publish, formal_pass, make_expert, submit_review

pytestmark = pytest.mark.usefixtures("private_media")  # scans and ZIPs go to a temporary directory

ROLES = ("anonymous", "school", "province", "expert_assigned", "expert_other", "staff", "admin")


@pytest.fixture
def scene(batch, user_direct, zhejiang_reviewer, staff_user, admin_user):
    """Sichuan's direct application in expert review, assigned to one expert (who saved a draft);
    another expert has nothing; an export job exists."""
    rubric_ensure_default(batch)
    application = application_get_or_create(batch=batch, school=user_direct.school, actor=user_direct)
    application = formal_pass(submit_complete(application, user_direct), staff_user)
    assigned = make_expert("expert-in", BEIJING, "北京终身教育研究院", last_name="钱")
    other = make_expert("expert-out", SHANGHAI, "上海开放大学", last_name="孙")
    assignment = assign(application, assigned, staff_user)
    review = review_save(assignment=assignment, expert=assigned, points={}, comment="草稿", recommendation="", submit=False)
    job = export_create(batch=batch, actor=staff_user, scope="selected")
    users = {"school": user_direct, "province": zhejiang_reviewer, "expert_assigned": assigned, "expert_other": other,
             "staff": staff_user, "admin": admin_user}  # fmt: skip
    return {"batch": batch, "application": application, "assignment": assignment, "review": review, "job": job, "users": users}


def as_role(client, scene, role):
    client.logout()
    if role != "anonymous":
        client.force_login(scene["users"][role])
    return client


STAFF_ONLY = {"anonymous": 302, "school": 403, "province": 403, "expert_assigned": 403, "expert_other": 403, "staff": 200, "admin": 200}
# An application page of the project group: out of reach first (404), then the wrong role (403).
STAFF_APPLICATION = {**STAFF_ONLY, "province": 404, "expert_other": 404}
EXPERT_ONLY = {"anonymous": 302, "school": 403, "province": 403, "expert_assigned": 200, "expert_other": 200, "staff": 403, "admin": 403}
OWN_ASSIGNMENT = {**EXPERT_ONLY, "expert_other": 404}
# A score sheet is its expert's and the project group's; to anyone else it does not exist (404,
# so that review ids cannot be probed).
SCORE_SHEET = {"anonymous": 302, "school": 404, "province": 404, "expert_assigned": 200, "expert_other": 404, "staff": 200, "admin": 200}
APPLICATION_PAGES = {"anonymous": 302, "school": 200, "province": 404, "expert_assigned": 200, "expert_other": 404, "staff": 200, "admin": 200}
PUBLIC = dict.fromkeys(ROLES, 200)


def get_pages(scene):
    batch, application = scene["batch"], scene["application"]
    q = f"?batch={batch.pk}"
    return {
        "national_home": (reverse("review:national_home") + q, STAFF_ONLY),
        "national_list": (reverse("review:national_list") + q, STAFF_ONLY),
        "national_application": (reverse("review:national_application", args=[application.pk]), STAFF_APPLICATION),
        "assignment": (reverse("review:assignment") + q, STAFF_ONLY),
        "progress": (reverse("review:progress") + q, STAFF_ONLY),
        "ranking": (reverse("review:ranking") + q, STAFF_ONLY),
        "ranking.csv": (reverse("review:ranking_export", args=["csv"]) + q, STAFF_ONLY),
        "ranking.xlsx": (reverse("review:ranking_export", args=["xlsx"]) + q, STAFF_ONLY),
        "ranking.pdf": (reverse("review:ranking_export", args=["pdf"]) + q, STAFF_ONLY),
        "publish": (reverse("review:publish") + q, STAFF_ONLY),
        "list-filing.pdf": (reverse("review:selected_list", args=["filing"]) + q, STAFF_ONLY),
        "list-public.pdf": (reverse("review:selected_list", args=["public"]) + q, STAFF_ONLY),
        "exports": (reverse("review:exports") + q, STAFF_ONLY),
        "export_detail": (reverse("review:export_detail", args=[scene["job"].pk]), STAFF_ONLY),
        "export_status": (reverse("review:export_status", args=[scene["job"].pk]), STAFF_ONLY),
        "export_download": (reverse("review:export_download", args=[scene["job"].pk]), STAFF_ONLY),
        "score_sheet": (reverse("review:score_sheet", args=[scene["review"].pk]), SCORE_SHEET),
        "expert_home": (reverse("review:expert_home"), EXPERT_ONLY),
        "expert_score": (reverse("review:expert_score", args=[scene["assignment"].pk]), OWN_ASSIGNMENT),
        "application_detail": (reverse("applications:detail", args=[application.pk]), APPLICATION_PAGES),
        "application_pdf": (reverse("applications:pdf", args=[application.pk]), APPLICATION_PAGES),
        "public_list": (reverse("public_list"), PUBLIC),
    }


def visit_all(client, scene, role) -> tuple[dict, dict]:
    """What `role` gets on every page, and what it should get."""
    client = as_role(client, scene, role)
    got, expected = {}, {}
    for name, (url, expectations) in get_pages(scene).items():
        response = client.get(url)
        got[name] = response.status_code
        expected[name] = expectations[role]
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("login") + "?next="), (name, response["Location"])
    return got, expected


@pytest.mark.parametrize("role", ROLES)
def test_every_page_for_every_role(client, scene, role):
    got, expected = visit_all(client, scene, role)
    assert got == expected


@pytest.mark.parametrize("role", ROLES)
def test_after_the_expert_submitted_and_the_list_was_published(client, scene, role):
    """The same answers once the review is submitted, the application decided and the list
    published: nothing opens up to a role it was closed to."""
    submit_review(scene["assignment"], GOOD)
    decide(application=reload(scene["application"]), actor=scene["users"]["staff"], selected=True, opinion="同意。")
    file_and_publish(scene["batch"], scene["users"]["staff"])
    got, expected = visit_all(client, scene, role)
    assert got == expected


def snapshot(scene):
    application = reload(scene["application"])
    return (application.status, application.group_opinion, Assignment.objects.filter(is_active=True).count(),
            TimelineEntry.objects.count(), ExpertReview.objects.filter(state="submitted").count(),
            ExportJob.objects.count(), Batch.objects.get(pk=scene["batch"].pk).published_at)  # fmt: skip


def post_pages(scene):
    batch, application, review, assignment = scene["batch"], scene["application"], scene["review"], scene["assignment"]
    deadline = f"{timezone.localtime() + timedelta(days=3):%Y-%m-%dT%H:%M}"
    other = scene["users"]["expert_other"]
    return {
        "formal_check": (reverse("review:formal_check", args=[application.pk]), {"outcome": "rejected", "reason": "x"}, STAFF_APPLICATION),
        "assign_expert": (reverse("review:assign_expert", args=[application.pk]), {"expert": other.pk, "reason": "x"}, STAFF_APPLICATION),
        "decide": (reverse("review:decide", args=[application.pk]), {"selected": "1", "opinion": "x"}, STAFF_APPLICATION),
        "end_assignment": (reverse("review:end_assignment", args=[assignment.pk]), {"reason": "x"}, STAFF_ONLY),
        "reopen_review": (reverse("review:reopen_review", args=[review.pk]), {"reason": "x", "until": deadline}, STAFF_ONLY),
        "assignment": (reverse("review:assignment"), {"batch": batch.pk}, STAFF_ONLY),
        "progress": (reverse("review:progress"), {"batch": batch.pk}, STAFF_ONLY),
        "bulk_decide": (reverse("review:bulk_decide"), {"batch": batch.pk, "application": application.pk, "selected": "1", "opinion": "x", "confirm": "yes"}, STAFF_ONLY),
        "publish": (reverse("review:publish"), {"batch": batch.pk}, STAFF_ONLY),
        "file_list": (reverse("review:file_list"), {"batch": batch.pk, "note": "x"}, STAFF_ONLY),
        "exports": (reverse("review:exports"), {"batch": batch.pk, "scope": "all"}, STAFF_ONLY),
        "expert_score": (reverse("review:expert_score", args=[assignment.pk]), {"action": "submit", "comment": "x"}, OWN_ASSIGNMENT),
        "declare_conflict": (reverse("review:declare_conflict", args=[assignment.pk]), {"reason": "x"}, OWN_ASSIGNMENT),
    }


@pytest.mark.parametrize("role", ["anonymous", "school", "province", "expert_assigned", "expert_other"])
def test_no_role_but_staff_can_act_on_the_project_groups_pages(client, scene, role):
    client = as_role(client, scene, role)
    before = snapshot(scene)
    got, expected = {}, {}
    for name, (url, data, expectations) in post_pages(scene).items():
        if expectations[role] == 200:
            continue  # the expert's own pages: acting there is theirs (tested with the expert)
        response = client.post(url, data)
        got[name], expected[name] = response.status_code, expectations[role]
    assert got == expected
    assert snapshot(scene) == before


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_staff_and_admin_cannot_score_or_declare_for_an_expert(client, scene, role):
    client = as_role(client, scene, role)
    before = snapshot(scene)
    for name in ("expert_score", "declare_conflict"):
        url, data, _expectations = post_pages(scene)[name]
        assert client.post(url, data).status_code == 403, name
    assert snapshot(scene) == before


def test_the_project_group_sees_no_draft_and_no_unforwarded_provincial_application(client, batch, zhejiang_window, zhejiang_reviewer, staff_user, user_a):
    draft = application_get_or_create(batch=batch, school=user_a.school, actor=user_a)
    client.force_login(staff_user)
    assert client.get(reverse("review:national_application", args=[draft.pk])).status_code == 404
    with_province, _ = submitted_application(batch, "宁波未报送职业学校")
    assert with_province.status == Status.SUBMITTED
    assert client.get(reverse("review:national_application", args=[with_province.pk])).status_code == 404
    assert client.get(reverse("applications:detail", args=[with_province.pk])).status_code == 404


def test_an_expert_reaches_an_application_only_while_assigned(client, scene):
    """Before assignment a 404, during it the pages, after it ended a 404 again."""
    other = scene["users"]["expert_other"]
    application = scene["application"]
    client.force_login(other)
    urls = [reverse("applications:detail", args=[application.pk]), reverse("applications:pdf", args=[application.pk])]
    assert [client.get(u).status_code for u in urls] == [404, 404]
    assignment = assign(application, other, scene["users"]["staff"], reason="加请一位专家")
    assert [client.get(u).status_code for u in urls] == [200, 200]
    assert client.get(reverse("review:expert_score", args=[assignment.pk])).status_code == 200
    assignment_remove(assignment=assignment, actor=scene["users"]["staff"], reason="改派")
    assert [client.get(u).status_code for u in urls] == [404, 404]
    assert client.get(reverse("review:expert_score", args=[assignment.pk])).status_code == 404


def test_an_expert_keeps_their_own_score_sheet_but_never_anothers(client, scene):
    other = scene["users"]["expert_other"]
    assignment = assign(scene["application"], other, scene["users"]["staff"], reason="加请一位专家")
    their_review = submit_review(assignment, GOOD)
    client.force_login(scene["users"]["expert_assigned"])
    assert client.get(reverse("review:score_sheet", args=[their_review.pk])).status_code == 404
    assert client.get(reverse("review:score_sheet", args=[scene["review"].pk])).status_code == 200
    client.force_login(other)
    assert client.get(reverse("review:score_sheet", args=[scene["review"].pk])).status_code == 404
    assert client.get(reverse("review:score_sheet", args=[their_review.pk])).status_code == 200
