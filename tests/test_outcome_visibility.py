"""Nothing of the project group's review is seen before its time (issue 14, item 4): every role ×
every page of the portal that shows a status, a count by status or a timeline, every file a role
downloads (PDF, XLSX, CSV), the mails it is sent, and the refusals of the actions it may try (a
refusal names the status).

Before the list is published only the project group (staff and the admin) sees the outcome
(入选实验校 / 未入选), the 项目组意见, the experts' names and its own internal comments. A school
sees 专家评审中 once its application passed the formal check; its province sees 已报送项目组 for
everything it forwarded, in its queue, its counts by status, its filters and sort order and on the
application's page. An expert sees the application they score, never another expert's name nor the
outcome. After publication the school and its province see the outcome; the experts' names stay the
project group's.

The pages are found as tests/test_access_matrix.py finds them, from the URL configuration, with
its scene (so a new page joins both), taken further: both provinces' applications forwarded,
checked, scored by the matrix's expert and by a second, manually assigned expert with a distinctive
name, and decided with 项目组意见 carrying distinctive phrases, unpublished. Every page is opened
as every role; whatever it answers (a page, an error page, a file) is searched. PDFs are not laid
out: the HTML WeasyPrint would lay out is what the "PDF" carries here (TextPdf), so the search
reads every word it would print.
"""
import io
import zipfile
from dataclasses import replace

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from applications.models import Application, Batch, Status
from applications.workflow import status_for_province
from portal.models import OutgoingMail
from review.decisions import decide
from review.provincial import province_forward, province_recommend
from review.selectors import province_status
from tests.review.helpers import reload, submitted_application
from tests.review.national_helpers import FAIR, GOOD, TIANJIN, assign, file_and_publish, formal_pass, make_expert, submit_review
from tests.test_access_matrix import EXPECTATIONS, ROLES, as_role, build_scene, case_id, module_scene

# Distinctive words that only the project group may read before publication.
SECOND_EXPERT = "欧阳守拙"  # assigned by hand to every application of the scene
ASSIGN_REASON = "加请熟悉社区教育的专家复核"  # the reason of the manual assignment (internal)
OPINION_SELECTED = "立意高远堪称全国典范"
OPINION_NOT_SELECTED = "方案尚需打磨暂缓入围"
OUTCOME_WORDS = (Status.SELECTED.label, Status.NOT_SELECTED.label, "不入选")
SECRETS = (*OUTCOME_WORDS, OPINION_SELECTED, OPINION_NOT_SELECTED, SECOND_EXPERT, ASSIGN_REASON, "人工分配专家", "项目组决定")
STAFF_ROLES = ("staff", "admin")
# The third school: Zhejiang's second application, named so that it sorts after school A's
# whatever the database's collation (school A's name is its beginning).
THIRD_SCHOOL = "浙江示范职业技术学院分院"


class TextPdf:
    """Stands in for WeasyPrint's HTML in portal.pdf: the "PDF" is the HTML the layout would print,
    so a search of the file reads every word of the document (the layout itself is the PDF tests')."""

    def __init__(self, string, base_url=None):
        self.string = string

    def write_pdf(self, **options) -> bytes:
        return b"%PDF-1.7\n" + self.string.encode("utf-8") + b"\n%%EOF\n"


def build_decided_scene():
    """The access matrix's scene, then: school B's application (Jiangsu, scored by the matrix's
    expert) also scored by a second expert assigned by hand, and decided 未入选; school A's
    (Zhejiang) and a third Zhejiang school's recommended and forwarded, checked, scored by the
    second expert and decided 入选实验校 and 未入选. Nothing published."""
    scene = build_scene()
    staff, users = scene.users["staff"], scene.users
    second = make_expert("expert-second", TIANJIN, "天津职业大学", last_name=SECOND_EXPERT)
    third, _third_user = submitted_application(scene.batch, THIRD_SCHOOL, "330000")
    province_recommend(application=reload(scene.app_zj), actor=users["reviewer_zj"], opinion="同意推荐。", rank=1)
    province_recommend(application=third, actor=users["reviewer_zj"], opinion="同意推荐。", rank=2)
    province_forward(window=scene.window_zj, actor=users["reviewer_zj"])
    submit_review(assign(scene.app_js, second, staff, reason=ASSIGN_REASON), FAIR)
    for application in (scene.app_zj, third):
        submit_review(assign(formal_pass(reload(application), staff), second, staff, reason=ASSIGN_REASON), GOOD)
    decisions = ((scene.app_zj, True, OPINION_SELECTED), (third, False, OPINION_NOT_SELECTED), (scene.app_js, False, OPINION_NOT_SELECTED))
    for application, selected, opinion in decisions:
        decide(application=reload(application), actor=staff, selected=selected, opinion=opinion)
    scene = replace(scene, app_zj=reload(scene.app_zj), app_js=reload(scene.app_js))
    assert (scene.app_zj.status, reload(third).status, scene.app_js.status) == (Status.SELECTED, Status.NOT_SELECTED, Status.NOT_SELECTED)  # arrange
    assert scene.batch.published_at is None  # arrange
    return scene


@pytest.fixture(scope="module")
def scene(django_db_setup, django_db_blocker, tmp_path_factory):
    """The decided scene once per module and worker, rolled back at the end (as the access
    matrix's); PDFs carry their text (TextPdf)."""
    with module_scene(django_db_blocker, tmp_path_factory, build_decided_scene, TextPdf) as built:
        yield built


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def shown_text(response) -> str:
    """Every word the answer carries: a page's HTML, a PDF's text (TextPdf), every cell of a
    worksheet, a CSV or JSON, the documents in a ZIP."""
    content = body(response)
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        workbook = load_workbook(io.BytesIO(content))
        return "\n".join(str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value is not None)
    if kind == "application/zip":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", errors="replace") for name in archive.namelist())
    return content.decode("utf-8", errors="replace")


def extra_pages(scene) -> list[tuple[str, str]]:
    """Variants of the provincial queue the URL walk does not open: filtered by the status a
    province may know, and sorted by status (an order by the real status would tell the outcome)."""
    pages = []
    for window in (scene.window_zj, scene.window_js):
        queue = reverse("review:province_queue", args=[window.pk])
        pages += [(f"province_queue?status=at_national[{window.pk}]", f"{queue}?status={Status.AT_NATIONAL}"),
                  (f"province_queue?sort=status[{window.pk}]", f"{queue}?sort=status")]  # fmt: skip
    return pages


def every_page(scene) -> list[tuple[str, str]]:
    """(name, URL) of every page and file of the portal, as the access matrix finds them."""
    return [(case_id(c), reverse(c.name, kwargs=c.kwargs(scene))) for c in EXPECTATIONS] + extra_pages(scene)


def secrets_for(role: str) -> tuple[str, ...]:
    """What `role` may not read before publication. School B is also a 实验校 of the matrix's
    published batch: its own 入选实验校 there is public and its to read (its dashboard and workspace
    say so). Its outcome in the unpublished batch is 未入选, which the search still looks for, with
    the 项目组意见 and the experts' names."""
    if role in STAFF_ROLES:
        return ()
    if role == "school_b":
        return tuple(secret for secret in SECRETS if secret != Status.SELECTED.label)
    return SECRETS


def leaks(client, scene, role, secrets=None) -> dict[str, list[str]]:
    """Page → the secrets (by default all that `role` may not read) it shows `role`."""
    as_role(client, scene, role)
    found = {}
    for name, url in every_page(scene):
        response = client.get(url)
        text = shown_text(response)
        shown = [secret for secret in (secrets_for(role) if secrets is None else secrets) if secret in text]
        if shown:
            found[name] = shown
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("role", [role for role in ROLES if role not in STAFF_ROLES])
def test_before_publication_no_page_or_file_shows_the_outcome_the_opinion_or_an_experts_name(client, scene, role):
    assert leaks(client, scene, role) == {}


def page_text(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return shown_text(response)


@pytest.mark.django_db
@pytest.mark.parametrize("role", STAFF_ROLES)
def test_the_project_group_sees_the_outcome_the_opinion_and_the_experts_before_publication(client, scene, role):
    """The search above can find what it looks for: staff and the admin read all of it."""
    as_role(client, scene, role)
    text = page_text(client, reverse("review:national_application", args=[scene.app_js.pk]))
    for secret in (Status.NOT_SELECTED.label, OPINION_NOT_SELECTED, SECOND_EXPERT, ASSIGN_REASON, "人工分配专家"):
        assert secret in text, secret
    assert OPINION_NOT_SELECTED in page_text(client, reverse("applications:pdf", args=[scene.app_js.pk]))


def queue_rows(response) -> list[tuple[str, str]]:
    """(school, shown status) of each row of a provincial queue, in the page's order."""
    return [(application.school.name, getattr(application, "shown_status_label", application.get_status_display()))
            for application, _flags in response.context["rows"]]


@pytest.mark.django_db
def test_before_publication_the_province_sees_every_forwarded_application_as_forwarded(client, scene):
    as_role(client, scene, "reviewer_zj")
    queue = reverse("review:province_queue", args=[scene.window_zj.pk])
    forwarded = Status.AT_NATIONAL.label
    assert queue_rows(client.get(queue)) == [("浙江示范职业技术学院", forwarded), (THIRD_SCHOOL, forwarded)]
    # Its tab counts both, its filter finds both, and sorting by status tells them apart no more
    # than their names do.
    response = client.get(queue, {"status": Status.AT_NATIONAL})
    assert (Status.AT_NATIONAL.value, forwarded, 2) in response.context["status_tabs"]
    assert queue_rows(response) == [("浙江示范职业技术学院", forwarded), (THIRD_SCHOOL, forwarded)]
    assert queue_rows(client.get(queue, {"sort": "status"})) == queue_rows(client.get(queue, {"sort": "school"}))
    page = client.get(reverse("review:province_application", args=[scene.app_zj.pk]))
    assert page.context["shown_status_label"] == forwarded
    assert f"状态 <span class=\"badge status-{Status.AT_NATIONAL}\">{forwarded}</span>" in page.content.decode()


@pytest.mark.django_db
def test_before_publication_the_school_and_the_expert_see_expert_review(client, scene):
    in_review = Status.IN_EXPERT_REVIEW.label
    as_role(client, scene, "school_b")
    # School B is a 实验校 of the published batch: its home is its workspace, its applications'
    # statuses are on its application record (申报记录).
    assert f">{in_review}</span>" in page_text(client, reverse("applications_record"))
    assert client.get(reverse("applications:detail", args=[scene.app_js.pk])).context["shown_status_label"] == in_review
    as_role(client, scene, "expert_assigned")
    assert client.get(reverse("review:expert_score", args=[scene.assignment.pk])).context["shown_status_label"] == in_review


@pytest.mark.django_db
def test_no_mail_before_publication_tells_anyone_but_the_project_group(scene):
    staff = {scene.users["staff"].email.lower(), scene.users["admin"].email.lower()}
    told = [(mail.template, mail.to, secret) for mail in OutgoingMail.objects.all() for secret in SECRETS
            if secret in mail.subject + mail.body and set(mail.to) - staff]  # fmt: skip
    assert told == []


@pytest.mark.django_db
def test_after_publication_the_school_and_its_province_see_the_outcome_but_never_an_expert(client, scene):
    file_and_publish(scene.batch, scene.users["staff"])
    selected, not_selected = Status.SELECTED.label, Status.NOT_SELECTED.label
    as_role(client, scene, "school_a")
    # Selected and published, school A is now a 实验校: its applications' statuses are on its
    # application record (申报记录), its home is its workspace.
    assert f">{selected}</span>" in page_text(client, reverse("applications_record"))
    assert "实验校工作台" in page_text(client, reverse("dashboard"))
    detail = page_text(client, reverse("applications:detail", args=[scene.app_zj.pk]))
    assert f">{selected}</span>" in detail and f"公布结果：{selected}" in detail
    assert OPINION_SELECTED in page_text(client, reverse("applications:pdf", args=[scene.app_zj.pk]))
    as_role(client, scene, "school_b")
    assert f">{not_selected}</span>" in page_text(client, reverse("applications:detail", args=[scene.app_js.pk]))
    as_role(client, scene, "reviewer_zj")
    queue = client.get(reverse("review:province_queue", args=[scene.window_zj.pk]))
    assert queue_rows(queue) == [("浙江示范职业技术学院", selected), (THIRD_SCHOOL, not_selected)]
    application = page_text(client, reverse("review:province_application", args=[scene.app_zj.pk]))
    assert f">{selected}</span>" in application
    assert OPINION_SELECTED in page_text(client, reverse("applications:pdf", args=[scene.app_zj.pk]))
    as_role(client, scene, "reviewer_js")
    queue = client.get(reverse("review:province_queue", args=[scene.window_js.pk]))
    assert queue_rows(queue) == [("江苏示范职业技术学院", not_selected)]
    # The experts and the project group's internal comments stay the project group's.
    hidden = (SECOND_EXPERT, ASSIGN_REASON, "人工分配专家", "项目组决定")
    assert {role: leaks(client, scene, role, hidden) for role in ROLES if role not in STAFF_ROLES} == dict.fromkeys(
        [role for role in ROLES if role not in STAFF_ROLES], {}
    )


@pytest.mark.django_db
def test_the_queues_sql_reads_every_status_as_the_province_may_know_it(scene):
    """review.selectors.province_status (the queue's filter, sort and counts) and
    applications.workflow.status_for_province (the rows' labels, the application's page) are one
    rule: for every status, before and after publication. (The statuses are written straight to
    the row: the rule is about reading them, not about the journey.)"""
    got, expected = {}, {}
    for published in (None, timezone.now()):
        Batch.objects.filter(pk=scene.batch.pk).update(published_at=published)
        for status in Status:
            Application.objects.filter(pk=scene.app_zj.pk).update(status=status)
            row = Application.objects.select_related("batch").annotate(shown=province_status()).get(pk=scene.app_zj.pk)
            got[status, bool(published)], expected[status, bool(published)] = row.shown, status_for_province(row)
    assert got == expected
    assert expected[Status.SELECTED, False] == expected[Status.NOT_SELECTED, False] == expected[Status.SCORED, False] == Status.AT_NATIONAL
    assert expected[Status.SELECTED, True] == Status.SELECTED


# What a person would type into the portal's forms: every action's fields filled in, so that an
# action gets past its form to the journey's answer (often a refusal that names the status).
FILLED_IN = {
    "reason": "请核实后处理。", "opinion": "同意。", "rank": "1", "comment": "方案扎实。", "action": "submit",
    "received_on": "2023-04-18", "recommendation": "yes", "note": "已备案。", "expert": "", "selected": "1",
}


def refusals(client, scene, role) -> dict[str, list[str]]:
    """Action → the secrets its answer (followed to the page it leads to, with its message) shows
    `role`: every application and review action of the URL walk, posted with its fields filled in."""
    as_role(client, scene, role)
    found = {}
    for c in EXPECTATIONS:
        if not c.name.startswith(("applications:", "review:")):
            continue  # the account views: signing out or changing a password is no application's
        response = client.post(reverse(c.name, kwargs=c.kwargs(scene)), FILLED_IN, follow=True)
        text = shown_text(response)
        shown = [secret for secret in secrets_for(role) if secret in text]
        if shown:
            found[case_id(c)] = shown
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("role", [role for role in ROLES if role not in STAFF_ROLES])
def test_before_publication_no_refused_action_names_the_outcome(client, scene, role):
    """A school withdrawing, a province recommending or ranking again, an expert scoring or declaring
    a conflict once the project group has decided: the refusal names the status the person may
    know, never the outcome."""
    assert refusals(client, scene, role) == {}
