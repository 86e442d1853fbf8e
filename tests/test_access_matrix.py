"""The access matrix: every URL of the portal × every role × GET and POST, with the status each cell
must answer (portal/policy.py decides; this file says what it must decide).

The URLs are found by walking the URL configuration, so a view cannot be forgotten: a URL name
with no row in EXPECTATIONS fails `test_every_url_has_expectations` (and a row whose URL is gone
fails it too). Django admin's own pages are left to Django, apart from one check of its index per
role.

Cells:

- "L" — 302 to the login page (an anonymous visitor on a page that needs a login);
- a status code — 200, 302 (a redirect: another page for this role, or back with a message),
  400 (an empty form sent back), 403 (in reach, not this role's action), 404 (out of reach, or no
  such thing), 405 (wrong method: a view that only reads refuses every POST, `read_only`, and no
  view takes PUT or DELETE, `test_put_and_delete_are_refused`).

POSTs carry an empty body (and a CSRF-exempt test client): what a forged or careless request
could do. Every cell must write nothing to the database but the session: every SQL statement the
request sends is captured, so a request that changed a status, added a timeline row or queued a
mail fails its cell. (Where an empty POST is a whole action — the automatic assignment, reminding
late experts — the scene leaves it nothing to do: the one application in review is fully scored.) A 200 of a file (PDF, scan, XLSX, CSV, ZIP, JSON)
must carry its content type. Every answer to a signed-in role, and every file, carries
`Cache-Control: no-store` (portal/http_headers.py). The PDFs' templates are rendered as usual but their page layout is
skipped (LayoutSkipped): what they contain is the PDF tests' business, who gets them this file's.

One scene serves the whole module (built once per worker, in a transaction rolled back at the end;
each cell runs in its own savepoint): Zhejiang's and Jiangsu's windows of the open batch; school A's
application submitted to Zhejiang with its scan; school B's submitted to Jiangsu, recommended,
forwarded with the whole Jiangsu set (so Jiangsu's 推荐汇总表 is the stored copy, Zhejiang's a
preview), through the formal check and scored by the one expert assigned to it; a ZIP export job;
and a published 2022 batch for the public list.
"""
import ast
import inspect
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Callable

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from applications.models import Application, Batch, ProvincialWindow, SignedScan, Status
from applications.services import application_get_or_create
from portal.models import Association, Role
from programme.activities import activity_create, activity_invite
from programme.experiment_schools import experiment_schools_create_for
from programme.attendance import activity_close
from programme.exits import withdrawal_request
from programme.models import Activity, AnnualReport, ExitReview, ExperimentSchool, Invitation, ReportReviewer, WithdrawalRequest
from review.exports import export_create
from review.models import Assignment, AssignmentRun, ExpertReview, ExportJob
from review.expert_assignment import assignment_run_start
from review.rubric import rubric_ensure_default
from review.provincial import province_forward, province_recommend
from tests.conftest import fill_complete, make_school, make_user, pdf_bytes, upload
from tests.review.helpers import reload, submit_complete
from tests.review.national_helpers import BEIJING, GOOD, SHANGHAI, SICHUAN, assign, formal_pass, make_expert, submit_review

ROLES = ("anonymous", "school_a", "school_b", "reviewer_zj", "reviewer_js", "expert_assigned", "expert_other", "staff", "admin")
METHODS = ("get", "post")
SIGNED_IN = ROLES[1:]


# ---- The scene ------------------------------------------------------------------------------------


@dataclass
class Scene:
    batch: Batch
    published: Batch
    window_zj: ProvincialWindow
    window_js: ProvincialWindow
    app_zj: Application  # school A's, submitted to Zhejiang (not forwarded)
    app_js: Application  # school B's, forwarded by Jiangsu, in expert review, scored
    scan_zj: SignedScan
    scan_js: SignedScan
    assignment: Assignment
    review: ExpertReview
    job: ExportJob
    run: AssignmentRun
    # The 实验周期: school B is a 实验校 of the published batch (year 2 of its cycle), invited to an
    # upcoming activity; school A never was one.
    experiment_b: ExperimentSchool
    activity: Activity
    invitation_b: Invitation
    programme_staff: "ProgrammeStaffScene"  # the project group's 实验周期 pages (below)
    # --- programme: annual reports --- school B's report of year 1 (a draft, with a photo) and of
    # year 2 (submitted, with a photo, assigned to the assigned expert).
    report_draft_b: AnnualReport
    report_b: AnnualReport
    reviewer_b: ReportReviewer
    # --- programme: certificates --- school B's 实验校 certificate (valid).
    certificate_b: "Certificate"
    # --- programme: certificates2 --- the published batch's certificates' job (done, its ZIP made).
    certificate_job: ExportJob
    # --- programme: evaluation --- an open 优质校评估 round of the published batch (from the second
    # cycle year) and school B's draft 申报材料 in it, with an evidence photo and a declaration.
    evaluation_round: "EvaluationRound"
    evaluation_b: "EvaluationSubmission"
    # --- programme: evaluation review --- school B's submitted 优质校评估申报材料 of an open round,
    # assigned to the assigned expert (not yet scored).
    evaluation_assignment_b: "EvaluationAssignment"
    # --- programme: showcase --- school B's 建设动态: published, waiting (待审核) and a draft, each
    # with a photo; the first two with a PDF attachment.
    showcase_b: "ShowcaseScene"
    # --- programme: showcase public pages --- school B's published 建设动态 and one waiting for 审核.
    showcase_published_b: "ShowcasePost"
    showcase_waiting_b: "ShowcasePost"
    users: dict
    sessions: dict  # role → session key, made once (each test's changes to it are rolled back)


# --- programme: staff pages (scene) ---
@dataclass
class ProgrammeStaffScene:
    """School C (no role of the matrix is its user): a 实验校 of the published batch, absent from two
    past activities that count (closed: it is in the exit queue), which asked to leave with a
    signed letter."""

    experiment_c: ExperimentSchool
    closed_activity: Activity
    exit_review: ExitReview
    withdrawal: WithdrawalRequest


def build_programme_staff_scene(published: Batch, staff, now) -> ProgrammeStaffScene:
    school_c = make_school("四川实验职业技术学院", SICHUAN)
    user_c = make_user("school-c", Role.SCHOOL, school=school_c)
    selected_c = fill_complete(Application.objects.create(batch=published, school=school_c))
    Application.objects.filter(pk=selected_c.pk).update(status=Status.SELECTED, number="2022-1-0002")
    experiment_schools_create_for(batch=published, actor=staff)
    experiment_c = ExperimentSchool.objects.get(school=school_c)
    for days_ago in (90, 30):
        starts = now - timedelta(days=days_ago)
        held = activity_create(
            actor=staff, kind="seminar", title=f"项目研讨交流会议（{days_ago} 天前）", starts_at=starts, ends_at=starts + timedelta(hours=3),
            registration_deadline=starts - timedelta(days=7), place="成都市武侯区会议中心", max_attendees_per_school=2,
        )  # fmt: skip
        activity_invite(activity=held, actor=staff, experiment_schools=[experiment_c], now=starts - timedelta(days=20))
        activity_close(activity=held, actor=staff, now=starts + timedelta(days=1))
    withdrawal = withdrawal_request(experiment_school=experiment_c, actor=user_c, reason="学校办学方向调整。",
                                    letter=upload("退出申请函.pdf", pdf_bytes(), "application/pdf"))  # fmt: skip
    return ProgrammeStaffScene(experiment_c=experiment_c, closed_activity=held, exit_review=ExitReview.objects.get(experiment_school=experiment_c),
                               withdrawal=withdrawal)  # fmt: skip


# --- programme: showcase (scene) ---
@dataclass
class ShowcaseScene:
    published: "ShowcasePost"
    waiting: "ShowcasePost"
    draft: "ShowcasePost"


def build_showcase_scene(experiment_b: ExperimentSchool, school_b_user, staff) -> ShowcaseScene:
    from programme import showcase
    from tests.conftest import jpeg_bytes

    posts = []
    for title in ("社区学习中心揭牌", "老年大学开班", "草稿"):
        post = showcase.post_create(experiment_school=experiment_b, title=title, body="正文。", actor=school_b_user)
        showcase.post_photo_add(post=post, uploaded_file=upload("p.jpg", jpeg_bytes()), actor=school_b_user)
        if title != "草稿":
            showcase.post_attachment_set(post=post, uploaded_file=upload("附件.pdf", pdf_bytes(), "application/pdf"), actor=school_b_user)
            showcase.post_submit(post=post, actor=school_b_user)
        posts.append(post)
    showcase.post_approve(post=posts[0], actor=staff)
    return ShowcaseScene(*[type(p).objects.get(pk=p.pk) for p in posts])


def build_scene() -> Scene:
    from applications.reference import ensure_project_categories
    from portal.reference import ensure_provinces

    # A transactional test that ran earlier on this worker may have flushed what migrations seeded.
    ensure_provinces()
    ensure_project_categories()
    now = timezone.now()
    notice = dict(
        title="关于申报“职业院校服务全民终身学习项目”第二批实验校的通知", contact_name="彭老师",
        contact_phones="010-81299751 18611285756", contact_email="pengfang@enaea.edu.cn",
    )  # fmt: skip
    batch = Batch.objects.create(short_name="第二批实验校", document_number="中成协〔2023〕010号", year=2023,
                                 issued_on=date(2023, 3, 14), national_deadline=now + timedelta(days=30), **notice)  # fmt: skip
    published = Batch.objects.create(short_name="第一批实验校", document_number="中成协〔2022〕012号", year=2022, is_open=False,
                                     issued_on=date(2022, 3, 1), national_deadline=now - timedelta(days=600),
                                     published_at=now - timedelta(days=500), publication_meeting="项目工作会议",
                                     publication_meeting_on=timezone.localdate(now) - timedelta(days=500),
                                     cycle_starts_on=timezone.localdate(now) - timedelta(days=500), **notice)  # fmt: skip
    zj = Association.objects.create(name="浙江省成人教育与职业教育协会", province_id="330000")
    js = Association.objects.create(name="江苏省成人教育协会", province_id="320000")
    window_zj = ProvincialWindow.objects.create(batch=batch, association=zj, forwarding_number="浙成职协〔2023〕6号",
                                                school_deadline=batch.national_deadline - timedelta(days=8), contact_name="周依依")  # fmt: skip
    window_js = ProvincialWindow.objects.create(batch=batch, association=js, school_deadline=batch.national_deadline - timedelta(days=6),
                                                contact_name="孙老师")  # fmt: skip
    staff = make_user("staff", Role.STAFF, is_staff=True)
    users = {
        "school_a": make_user("school-a", Role.SCHOOL, school=make_school("浙江示范职业技术学院", "330000")),
        "school_b": make_user("school-b", Role.SCHOOL, school=make_school("江苏示范职业技术学院", "320000")),
        "reviewer_zj": make_user("reviewer-zj", Role.PROVINCE, association=zj),
        "reviewer_js": make_user("reviewer-js", Role.PROVINCE, association=js),
        "expert_assigned": make_expert("expert-in", BEIJING, "北京终身教育研究院", last_name="钱"),
        "expert_other": make_expert("expert-out", SHANGHAI, "上海开放大学", last_name="孙"),
        "staff": staff,
        "admin": make_user("admin", Role.ADMIN, is_staff=True, is_superuser=True),
    }
    # A direct school of a province without a window: staff's pages have another application to list.
    make_school("四川示范职业技术学院", SICHUAN)

    app_zj = submit_complete(application_get_or_create(batch=batch, school=users["school_a"].school, actor=users["school_a"]), users["school_a"])
    app_js = submit_complete(application_get_or_create(batch=batch, school=users["school_b"].school, actor=users["school_b"]), users["school_b"])
    province_recommend(application=app_js, actor=users["reviewer_js"], opinion="同意推荐。", rank=1)
    province_forward(window=window_js, actor=users["reviewer_js"])
    rubric_ensure_default(batch)
    app_js = formal_pass(reload(app_js), staff)
    assignment = assign(app_js, users["expert_assigned"], staff)
    review = submit_review(assignment, GOOD)
    # Fully scored: an empty POST to the automatic assignment finds nothing to do.
    assert (reload(app_js).status, reload(app_zj).status) == (Status.SCORED, Status.SUBMITTED)  # arrange
    job = export_create(batch=batch, actor=staff, scope="selected")  # runs at once (immediate task backend)
    run = assignment_run_start(batch=batch, actor=staff)  # runs at once too: nothing left to assign
    job.refresh_from_db()
    assert job.state == ExportJob.State.DONE and job.file, job.state  # arrange: a ZIP to download
    # School B, selected in the published batch, is one of its 实验校.
    selected_b = fill_complete(Application.objects.create(batch=published, school=users["school_b"].school))
    Application.objects.filter(pk=selected_b.pk).update(status=Status.SELECTED, number="2022-1-0001")
    experiment_schools_create_for(batch=published, actor=staff)
    experiment_b = ExperimentSchool.objects.get(school=users["school_b"].school)
    activity = activity_create(
        actor=staff, kind="seminar", title="项目研讨交流会议", starts_at=now + timedelta(days=20), ends_at=now + timedelta(days=20, hours=3),
        registration_deadline=now + timedelta(days=10), place="北京市朝阳区会议中心", online_url="", agenda="交流各实验校项目进展。",
        max_attendees_per_school=2, counts_for_attendance=True,
    )  # fmt: skip
    activity_invite(activity=activity, actor=staff, experiment_schools=[experiment_b])
    invitation_b = activity.invitations.get(experiment_school=experiment_b)
    programme_staff = build_programme_staff_scene(published, staff, now)
    # --- programme: annual reports ---
    from programme import reports as annual_reports
    from tests.conftest import png_bytes, upload
    from tests.programme.report_helpers import fill as fill_report

    school_b_user = users["school_b"]
    report_draft_b = annual_reports.report_start(experiment_school=experiment_b, year=1, actor=school_b_user)
    annual_reports.report_attachment_add(report=report_draft_b, kind="photo", uploaded_file=upload("p.png", png_bytes()), caption="", actor=school_b_user)
    report_b = fill_report(annual_reports.report_start(experiment_school=experiment_b, year=2, actor=school_b_user), school_b_user)
    annual_reports.report_attachment_add(report=report_b, kind="photo", uploaded_file=upload("讲座.png", png_bytes()), caption="", actor=school_b_user)
    report_b = annual_reports.report_submit(report=report_b, actor=school_b_user)
    annual_reports.report_reviewers_assign(reports=[report_b], expert=users["expert_assigned"], actor=staff)
    reviewer_b = report_b.reviewers.get()
    # --- programme: certificates ---
    from programme.certificates import certificate_issue

    certificate_b = certificate_issue(experiment_school=experiment_b, kind="experiment_school", actor=staff)
    # --- programme: certificates2 ---
    from programme.certificate_jobs import certificates_issue_batch_job

    certificate_job = certificates_issue_batch_job(batch=published, actor=staff, site_url="http://testserver/")  # runs at once
    certificate_job.refresh_from_db()
    assert certificate_job.state == ExportJob.State.DONE and certificate_job.file, certificate_job.error  # arrange: a ZIP
    # --- programme: evaluation ---
    from programme import evaluation

    evaluation_round = evaluation.round_save(values={
        "standard": evaluation.standard_ensure_default(published, published_at=now - timedelta(days=10)), "name": "项目优质校评估",
        "opens_at": now - timedelta(days=5), "deadline": now + timedelta(days=5), "eligible_from_year": 2, "include_completed": True,
        "review_deadline": None, "experts_per_submission": 1,
    }, actor=staff)  # fmt: skip
    evaluation_b = evaluation.submission_start(evaluation_round=evaluation_round, experiment_school=experiment_b, actor=school_b_user)
    evaluation.evidence_add(submission=evaluation_b, criterion_id=evaluation.sync_assessments(evaluation_b)[0].criterion_id,
                            uploaded_file=upload("课程表.png", png_bytes()), caption="", actor=school_b_user)  # fmt: skip
    evaluation.declaration_upload(submission=evaluation_b, uploaded_file=upload("申报声明.pdf", pdf_bytes()), actor=school_b_user)
    # --- programme: evaluation review ---
    # A closed round of the same 建设标准 (its window over, scoring open) with school B's submission.
    from programme.models import EvaluationAssignment, EvaluationRound, EvaluationSubmission

    closed_round = EvaluationRound.objects.create(
        standard=evaluation_round.standard, batch=published, name="项目优质校评估（上一轮）", opens_at=now - timedelta(days=30),
        deadline=now - timedelta(days=1), review_deadline=now + timedelta(days=20), experts_per_submission=1,
    )  # fmt: skip
    submission_b = EvaluationSubmission.objects.create(round=closed_round, experiment_school=experiment_b, state="submitted",
                                                       summary="三年建设总结。", submitted_at=now - timedelta(days=2))  # fmt: skip
    evaluation_assignment_b = EvaluationAssignment.objects.create(submission=submission_b, expert=users["expert_assigned"], assigned_by=staff)
    showcase_b = build_showcase_scene(experiment_b, school_b_user, staff)
    # --- programme: showcase public pages ---
    from programme import showcase as posts

    showcase_published_b = posts.post_approve(post=posts.post_submit(post=posts.post_create(
        experiment_school=experiment_b, title="社区学习中心揭牌", body="首批开设 6 门课程。", actor=school_b_user), actor=school_b_user), actor=staff)
    showcase_waiting_b = posts.post_submit(post=posts.post_create(
        experiment_school=experiment_b, title="老年大学开学", body="待审核。", actor=school_b_user), actor=school_b_user)
    sessions = {}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return Scene(
        batch=batch, published=published, window_zj=window_zj, window_js=window_js, app_zj=reload(app_zj), app_js=reload(app_js),
        scan_zj=app_zj.scans.get(), scan_js=app_js.scans.get(), assignment=assignment, review=review, job=job, run=run,
        experiment_b=experiment_b, activity=activity, invitation_b=invitation_b, programme_staff=programme_staff,
        report_draft_b=report_draft_b, report_b=report_b, reviewer_b=reviewer_b, certificate_b=certificate_b, certificate_job=certificate_job,
        evaluation_round=evaluation_round, evaluation_b=evaluation_b, evaluation_assignment_b=evaluation_assignment_b, showcase_b=showcase_b,
        showcase_published_b=showcase_published_b, showcase_waiting_b=showcase_waiting_b, users=users, sessions=sessions,
    )  # fmt: skip


class LayoutSkipped:
    """Stands in for WeasyPrint's HTML in portal.pdf: the PDF's template is rendered with the view's
    context as usual, the page layout (seconds per document) is skipped. What the PDFs contain is
    tested in the PDF tests; here it is who gets one."""

    def __init__(self, string, base_url=None):
        assert string.strip(), "the PDF's template rendered nothing"

    def write_pdf(self, **options) -> bytes:
        return b"%PDF-1.7\n% layout skipped by tests/test_access_matrix.py\n%%EOF\n"


@contextmanager
def module_scene(django_db_blocker, tmp_path_factory, build=None, html=LayoutSkipped):
    """A scene (`build()`, by default build_scene) once per module and worker: built in a
    transaction that is rolled back at the end (each test's own transaction is a savepoint inside
    it). Files go to a temporary directory; PDFs are made by `html` instead of WeasyPrint."""
    media = tmp_path_factory.mktemp("private-media")
    storages = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                 "OPTIONS": {"location": str(media), "base_url": None}}}  # fmt: skip
    with django_db_blocker.unblock(), override_settings(PRIVATE_MEDIA_ROOT=media, STORAGES=storages), \
            pytest.MonkeyPatch.context() as patch:
        patch.setattr("portal.pdf.HTML", html)
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield (build or build_scene)()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def scene(django_db_setup, django_db_blocker, tmp_path_factory):
    with module_scene(django_db_blocker, tmp_path_factory) as built:
        yield built


# Tables a request may write to without changing anything: the session (saved on every request).
SESSION_TABLES = {"django_session"}
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([\w.]+)"?', re.IGNORECASE)


@contextmanager
def data_writes():
    """The tables written to (INSERT, UPDATE, DELETE) inside the block, sessions apart: every
    statement the request sent is seen, so no change can slip past, whatever the table."""
    written = []
    with CaptureQueriesContext(connection) as queries:
        yield written
    for query in queries.captured_queries:
        match = WRITE.match(query["sql"])
        if match and match.group(1) not in SESSION_TABLES:
            written.append(match.group(1))


# ---- The expectations -----------------------------------------------------------------------------


def cells(default: str, **by_role: str) -> dict[str, tuple]:
    """Expected (GET, POST) per role: `default` for every role not named. "200" means 200 for both
    methods, "200/405" 200 for GET and 405 for POST; "L" is a redirect to log in."""
    unknown = set(by_role) - set(ROLES)
    assert not unknown, unknown

    def pair(text):
        get, _, post = text.partition("/")
        return tuple(code if code == "L" else int(code) for code in (get, post or get))

    return {role: pair(by_role.get(role, default)) for role in ROLES}


PUBLIC = cells("200")
PUBLIC_GET_ONLY = cells("200/405")
# Pages of Django's auth views that need a login.
SIGNED_IN_PAGE = cells("200", anonymous="L")
SCHOOL_PAGE = cells("403", anonymous="L", school_a="200", school_b="200")


def staff_page(get="200", post=None) -> dict:
    """A project-group page without an object: `get` and `post` (default: the same) for staff and
    the admin, 403 for every other signed-in role."""
    return cells("403", anonymous="L", staff=f"{get}/{post or get}", admin=f"{get}/{post or get}")


def read_only(table: dict) -> dict:
    """A view that only reads (require_safe): its GET answers, and 405 to every POST, whoever sends
    it, once an anonymous visitor has been sent to log in where the page needs a login."""
    return {role: (get, post if post == "L" else 405) for role, (get, post) in table.items()}


def post_only(**by_role) -> dict:
    """A POST-only view: anonymous visitors go to log in first, everyone else is refused a GET."""
    return cells("405/403", anonymous="L", **{role: f"405/{code}" for role, code in by_role.items()})


# School A's application, submitted to Zhejiang and not forwarded: school A, Zhejiang and the admin
# read it; nobody else learns it exists.
READ_ZJ = cells("404", anonymous="L", school_a="200", reviewer_zj="200", admin="200")
# School B's application, forwarded by Jiangsu, in expert review: school B, Jiangsu, the assigned
# expert, staff and the admin read it.
READ_JS = cells("404", anonymous="L", school_b="200", reviewer_js="200", expert_assigned="200", staff="200", admin="200")


def write_own(readers: dict, owner: str, owner_cell: str) -> dict:
    """A school's writing view: 403 to whoever may read the application, 404 to the rest, the
    owner's own answer to the owner."""
    return {role: (("L", "L") if role == "anonymous" else cells(owner_cell)[role] if role == owner else (403, 403) if readers[role] == (200, 200) else (404, 404))
            for role in ROLES}  # fmt: skip


def post_only_of(table: dict) -> dict:
    """A POST-only version of a table: 405 to every signed-in GET, the table's POST answers."""
    return {role: (("L", "L") if role == "anonymous" else (405, post)) for role, (_get, post) in table.items()}


def only(role_cells: dict, readers: dict) -> dict:
    """A role-restricted view on an object: 404 where the object is out of reach, else 403, except
    the roles in `role_cells` (their own answers)."""
    table = {}
    for role in ROLES:
        if role == "anonymous":
            table[role] = ("L", "L")
        elif role in role_cells:
            table[role] = cells(role_cells[role])[role]
        else:
            table[role] = (403, 403) if readers[role] == (200, 200) else (404, 404)
    return table


@dataclass(frozen=True)
class Case:
    name: str  # the URL name
    label: str  # the variant (which object, which format)
    kwargs: Callable[[Scene], dict]
    expect: dict
    content_type: str = ""  # of a 200: the file the view sends (a PDF, a scan, a table)


def case(name, expect, kwargs=lambda s: {}, label="", content_type=""):
    return Case(name, label, kwargs, expect, content_type)


PDF, PNG, XLSX = "application/pdf", "image/png", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


ZJ = lambda s: {"pk": s.app_zj.pk}  # noqa: E731
JS = lambda s: {"pk": s.app_js.pk}  # noqa: E731
STAFF_JS = only({"staff": "200", "admin": "200"}, READ_JS)
STAFF_ZJ = only({"admin": "200"}, READ_ZJ)  # staff never see a province's unforwarded application
# --- programme: annual reports --- School B's reports: its own school, the project group and (the
# submitted one, assigned) the assigned expert read them; to anyone else they do not exist.
REPORT_B = cells("404", anonymous="L", school_b="200", expert_assigned="200", staff="200", admin="200")
DRAFT_B = cells("404", anonymous="L", school_b="200", staff="200", admin="200")
REPORT_PK = lambda s: {"pk": s.report_b.pk}  # noqa: E731
DRAFT_PK = lambda s: {"pk": s.report_draft_b.pk}  # noqa: E731

# --- programme: evaluation --- School B's draft 申报材料.
EVALUATION_B = cells("404", anonymous="L", school_b="200", staff="200", admin="200")
EVALUATION_PK = lambda s: {"pk": s.evaluation_b.pk}  # noqa: E731
# --- programme: showcase --- school B's posts by state, and the two addresses of a photo.
SHOWCASE = {
    "published": lambda s: {"pk": s.showcase_b.published.pk},
    "waiting": lambda s: {"pk": s.showcase_b.waiting.pk},
    "draft": lambda s: {"pk": s.showcase_b.draft.pk},
}
SHOWCASE_PHOTOS = ("programme:showcase_photo", "programme:showcase_photo_thumb")

EXPECTATIONS = [
    # --- accounts (Django's auth views and the portal's own) ---
    case("healthz", PUBLIC_GET_ONLY),
    case("register", cells("302", anonymous="200")),  # signed in: to the dashboard
    case("activate", read_only(cells("400")), lambda s: {"uidb64": "MTIzNDU2Nzg", "token": "bad-token"}),
    case("login", cells("302", anonymous="200")),  # signed in: to the dashboard
    case("logout", cells("405/302")),
    case("otp_setup", cells("200", anonymous="L", school_a="403", school_b="403")),
    case("otp_verify", SIGNED_IN_PAGE),
    case("password_change", SIGNED_IN_PAGE),
    case("password_change_done", cells("200/405", anonymous="L/405")),
    case("password_reset", PUBLIC),
    case("password_reset_done", PUBLIC_GET_ONLY),
    case("password_reset_confirm", PUBLIC, lambda s: {"uidb64": "MTIzNDU2Nzg", "token": "bad-token"}),
    case("password_reset_complete", PUBLIC_GET_ONLY),
    # --- public pages, dashboard ---
    case("home", PUBLIC_GET_ONLY),
    case("public_list", PUBLIC_GET_ONLY),
    case("public_list_batch", PUBLIC_GET_ONLY, lambda s: {"batch_id": s.published.pk}, "published"),
    case("public_list_batch", read_only(cells("404")), lambda s: {"batch_id": s.batch.pk}, "unpublished"),
    # Schools see their dashboard; everyone else is sent to their own pages.
    case("dashboard", read_only(cells("302", anonymous="L", school_a="200", school_b="200"))),
    # --- the school's pages ---
    case("applications:profile", SCHOOL_PAGE),
    # A school that already has its application for the batch is taken to it; nothing is created.
    case("applications:start", post_only(school_a="302", school_b="302"), lambda s: {"batch_id": s.batch.pk}),
    case("applications:start", post_only(school_a="404", school_b="404"), lambda s: {"batch_id": s.published.pk}, "closed"),
    case("applications:detail", read_only(READ_ZJ), ZJ, "zj"),
    case("applications:detail", read_only(READ_JS), JS, "js"),
    case("applications:pdf", read_only(READ_ZJ), ZJ, "zj", PDF),
    case("applications:pdf", read_only(READ_JS), JS, "js", PDF),
    case("applications:scan_download", read_only(READ_ZJ), lambda s: {"pk": s.app_zj.pk, "scan_id": s.scan_zj.pk}, "zj", PNG),
    case("applications:scan_download", read_only(READ_JS), lambda s: {"pk": s.app_js.pk, "scan_id": s.scan_js.pk}, "js", PNG),
    # Another application's scan through this application's URL: no such scan.
    case("applications:scan_download", read_only(cells("404", anonymous="L")), lambda s: {"pk": s.app_zj.pk, "scan_id": s.scan_js.pk}, "mismatch"),
    # Submitted: the form is read-only, its owner is sent to the application's page.
    case("applications:edit", write_own(READ_ZJ, "school_a", "302"), ZJ, "zj"),
    case("applications:edit", write_own(READ_JS, "school_b", "302"), JS, "js"),
    # Autosave and upload: an empty POST is refused with a message (JSON 400; the form page, 400).
    case("applications:autosave", post_only_of(write_own(READ_ZJ, "school_a", "400")), ZJ, "zj"),
    case("applications:autosave", post_only_of(write_own(READ_JS, "school_b", "400")), JS, "js"),
    case("applications:scan_upload", post_only_of(write_own(READ_ZJ, "school_a", "400")), ZJ, "zj"),
    case("applications:scan_upload", post_only_of(write_own(READ_JS, "school_b", "400")), JS, "js"),
    # The submit page shows; submitting again is refused with a message (back to the page).
    case("applications:submit", write_own(READ_ZJ, "school_a", "200/302"), ZJ, "zj"),
    case("applications:submit", write_own(READ_JS, "school_b", "200/302"), JS, "js"),
    # The school's other moves: withdrawing needs a reason (an empty POST: the page again, 400);
    # starting again or applying directly is refused for a submitted application (back, with a message).
    case("applications:move", post_only_of(write_own(READ_ZJ, "school_a", "400")), lambda s: {"pk": s.app_zj.pk, "action": "withdraw"}, "withdraw"),
    case("applications:move", post_only_of(write_own(READ_ZJ, "school_a", "302")), lambda s: {"pk": s.app_zj.pk, "action": "restart"}, "restart"),
    case("applications:move", post_only_of(write_own(READ_JS, "school_b", "302")), lambda s: {"pk": s.app_js.pk, "action": "apply_direct"}, "apply_direct"),
    case("applications:move", post_only_of(write_own(READ_ZJ, "school_a", "404")), lambda s: {"pk": s.app_zj.pk, "action": "promote"}, "unknown"),
    # --- provincial associations ---
    case("review:province_home", read_only(cells("403", anonymous="L", reviewer_zj="302", reviewer_js="302"))),
    case("review:province_queue", read_only(cells("403", anonymous="L", reviewer_zj="200", reviewer_js="404")), lambda s: {"window_id": s.window_zj.pk}, "zj"),
    case("review:province_queue", read_only(cells("403", anonymous="L", reviewer_zj="404", reviewer_js="200")), lambda s: {"window_id": s.window_js.pk}, "js"),
    # Forwarding: Zhejiang has an undecided application, Jiangsu forwarded already; both refused
    # with a message, back to the queue.
    case("review:province_forward", cells("403", anonymous="L", reviewer_zj="200/302", reviewer_js="404"), lambda s: {"window_id": s.window_zj.pk}, "zj"),
    case("review:province_forward", cells("403", anonymous="L", reviewer_zj="404", reviewer_js="200/302"), lambda s: {"window_id": s.window_js.pk}, "js"),
    # The 抄报 record (八.1): an empty form comes back to the province's own window, whether
    # forwarded (Jiangsu) or not yet (Zhejiang); another province's window does not exist for it.
    case("review:province_record_copy", post_only(reviewer_zj="400", reviewer_js="404"), lambda s: {"window_id": s.window_zj.pk}, "zj"),
    case("review:province_record_copy", post_only(reviewer_zj="404", reviewer_js="400"), lambda s: {"window_id": s.window_js.pk}, "js"),
    # The 推荐汇总表: Zhejiang's a preview made now, Jiangsu's the copy kept at forwarding.
    *[
        case("review:province_summary", read_only(cells("403", anonymous="L", **{own: "200", other: "404"})),
             lambda s, w=window, f=fmt: {"window_id": getattr(s, w).pk, "fmt": f}, f"{window}.{fmt}", PDF if fmt == "pdf" else XLSX)  # fmt: skip
        for window, own, other in (("window_zj", "reviewer_zj", "reviewer_js"), ("window_js", "reviewer_js", "reviewer_zj"))
        for fmt in ("pdf", "xlsx")
    ],
    case("review:province_summary", read_only(cells("403", anonymous="L", reviewer_zj="404", reviewer_js="404")),
         lambda s: {"window_id": s.window_zj.pk, "fmt": "docx"}, "window_zj.docx"),  # fmt: skip
    case("review:province_application", read_only(only({"reviewer_zj": "200"}, READ_ZJ)), ZJ, "zj"),
    case("review:province_application", read_only(only({"reviewer_js": "200"}, READ_JS)), JS, "js"),
    # The province's actions on its own application: an empty form comes back (400).
    *[
        case("review:province_action", post_only_of(only({"reviewer_zj": "400"}, READ_ZJ)),
             lambda s, a=action: {"pk": s.app_zj.pk, "action": a}, f"zj.{action}")  # fmt: skip
        for action in ("return", "recommend", "decline", "rank", "paper")
    ],
    case("review:province_action", post_only_of(only({"reviewer_zj": "404"}, READ_ZJ)), lambda s: {"pk": s.app_zj.pk, "action": "bogus"}, "zj.bogus"),
    case("review:province_action", post_only_of(only({"reviewer_js": "400"}, READ_JS)), lambda s: {"pk": s.app_js.pk, "action": "recommend"}, "js.recommend"),
    # --- the national project group ---
    case("review:national_home", read_only(staff_page())),
    case("review:national_list", read_only(staff_page())),
    case("review:national_application", read_only(STAFF_JS), JS, "js"),
    case("review:national_application", read_only(STAFF_ZJ), ZJ, "zj"),
    case("review:formal_check", post_only_of(only({"staff": "400", "admin": "400"}, READ_JS)), JS, "js"),
    case("review:formal_check", post_only_of(only({"admin": "400"}, READ_ZJ)), ZJ, "zj"),
    case("review:assign_expert", post_only_of(only({"staff": "400", "admin": "400"}, READ_JS)), JS, "js"),
    case("review:decide", post_only_of(only({"staff": "400", "admin": "400"}, READ_JS)), JS, "js"),
    # Without a reason nothing is ended or reopened: back to the application with a message.
    case("review:end_assignment", post_only(staff="302", admin="302"), lambda s: {"assignment_id": s.assignment.pk}),
    case("review:reopen_review", post_only(staff="302", admin="302"), lambda s: {"review_id": s.review.pk}),
    case("review:assignment", staff_page(post="302")),  # POST: runs the automatic assignment (nothing left to assign)
    case("review:assignment_run", read_only(staff_page()), lambda s: {"run_id": s.run.pk}),
    case("review:assignment_run_status", read_only(staff_page()), lambda s: {"run_id": s.run.pk}, content_type="application/json"),
    case("review:progress", staff_page(post="302")),  # POST: reminds the late experts (none here)
    case("review:ranking", read_only(staff_page())),
    *[case("review:ranking_export", read_only(staff_page()), lambda s, f=fmt: {"fmt": f}, fmt, kind)
      for fmt, kind in (("csv", "text/csv; charset=utf-8"), ("xlsx", XLSX), ("pdf", PDF))],
    case("review:ranking_export", read_only(staff_page(get="404")), lambda s: {"fmt": "docx"}, "docx"),
    case("review:bulk_decide", post_only(staff="302", admin="302")),  # nothing ticked: back to the ranking
    case("review:publish", staff_page(get="200", post="400")),  # the empty form comes back (and the applications are undecided)
    # Filing the list (八.2) while applications are undecided: refused, with a message; nothing filed to download.
    case("review:file_list", post_only(staff="302", admin="302")),
    case("review:filing_pdf", read_only(staff_page(get="404"))),
    *[case("review:selected_list", read_only(staff_page()), lambda s, k=kind: {"kind": k}, kind, PDF) for kind in ("filing", "public")],
    case("review:selected_list", read_only(staff_page(get="404")), lambda s: {"kind": "draft"}, "draft"),
    case("review:exports", staff_page()),  # POST: the empty form comes back
    case("review:export_detail", read_only(staff_page()), lambda s: {"job_id": s.job.pk}),
    case("review:export_status", read_only(staff_page()), lambda s: {"job_id": s.job.pk}, content_type="application/json"),
    case("review:export_download", read_only(staff_page()), lambda s: {"job_id": s.job.pk}, content_type="application/zip"),
    # A score sheet is its expert's and the project group's; to anyone else it does not exist.
    case("review:score_sheet", read_only(cells("404", anonymous="L", expert_assigned="200", staff="200", admin="200")), lambda s: {"review_id": s.review.pk},
         content_type=PDF),
    # --- experts ---
    case("review:expert_home", read_only(cells("403", anonymous="L", expert_assigned="200", expert_other="200"))),
    # Scores submitted: the sheet shows, locked; an empty POST comes back (400).
    case("review:expert_score", cells("403", anonymous="L", expert_assigned="200/400", expert_other="404"), lambda s: {"assignment_id": s.assignment.pk}),
    # Without a reason nothing is declared: back to the scoring page with a message.
    case("review:declare_conflict", post_only(expert_assigned="302", expert_other="404"), lambda s: {"assignment_id": s.assignment.pk}),
    # --- programme: staff pages ---
    case("programme:staff_schools", read_only(staff_page())),
    case("programme:staff_schools_xlsx", read_only(staff_page()), content_type=XLSX),
    case("programme:staff_school", read_only(staff_page()), lambda s: {"pk": s.experiment_b.pk}, "b"),
    case("programme:staff_school", read_only(staff_page()), lambda s: {"pk": s.programme_staff.experiment_c.pk}, "c"),
    # Each published batch's 实验周期: moving it needs a day and a reason (an empty form comes back,
    # 400); completing needs the box ticked (back with a message). The open batch has no cycle (404).
    case("programme:staff_cycles", read_only(staff_page())),
    case("programme:staff_cycle_move", post_only(staff="400", admin="400"), lambda s: {"batch_id": s.published.pk}, "published"),
    case("programme:staff_cycle_move", post_only(staff="404", admin="404"), lambda s: {"batch_id": s.batch.pk}, "open"),
    case("programme:staff_cycle_complete", post_only(staff="302", admin="302"), lambda s: {"batch_id": s.published.pk}, "published"),
    case("programme:staff_cycle_complete", post_only(staff="404", admin="404"), lambda s: {"batch_id": s.batch.pk}, "open"),
    case("programme:staff_activities", read_only(staff_page())),
    case("programme:staff_activity_new", staff_page(post="400")),  # the empty form comes back with its errors
    case("programme:staff_activity", read_only(staff_page()), lambda s: {"pk": s.activity.pk}, "upcoming"),
    case("programme:staff_activity", read_only(staff_page()), lambda s: {"pk": s.programme_staff.closed_activity.pk}, "closed"),
    case("programme:staff_activity_invite", post_only(staff="400", admin="400"), lambda s: {"pk": s.activity.pk}),  # nobody chosen
    case("programme:staff_attendance", read_only(staff_page()), lambda s: {"pk": s.activity.pk}),
    case("programme:staff_attendance_import", staff_page(post="400"), lambda s: {"pk": s.activity.pk}),  # no list: the form again
    # Not ticked (and not over): nothing closed, back to the activity with a message.
    case("programme:staff_activity_close", post_only(staff="302", admin="302"), lambda s: {"pk": s.activity.pk}),
    case("programme:staff_signin_sheet", read_only(staff_page()), lambda s: {"pk": s.activity.pk}, content_type=PDF),
    case("programme:staff_registrations_xlsx", read_only(staff_page()), lambda s: {"pk": s.activity.pk}, content_type=XLSX),
    case("programme:staff_venue", read_only(staff_page()), lambda s: {"pk": s.activity.pk}),
    case("programme:staff_leave_decide", post_only(staff="400", admin="400"), lambda s: {"pk": s.invitation_b.pk}),  # no decision chosen
    case("programme:staff_attendance_mark", post_only(staff="302", admin="302"), lambda s: {"pk": s.invitation_b.pk}),  # neither 签到 nor 撤销
    case("programme:staff_exits", read_only(staff_page())),
    case("programme:staff_exit_confirm", post_only(staff="400", admin="400"), lambda s: {"pk": s.programme_staff.exit_review.pk}),  # not ticked
    case("programme:staff_exit_waive", post_only(staff="400", admin="400"), lambda s: {"pk": s.programme_staff.exit_review.pk}),  # no reason
    case("programme:staff_withdrawal_letter", read_only(staff_page()), lambda s: {"pk": s.programme_staff.withdrawal.pk}, content_type=PDF),
    case("programme:staff_withdrawal_acknowledge", post_only(staff="302", admin="302"), lambda s: {"pk": s.programme_staff.withdrawal.pk}),  # not ticked
    # --- programme: annual reports ---
    # The school's list: school B is a 实验校, school A never was one.
    case("programme:report_school_list", read_only(cells("403", anonymous="L", school_a="404", school_b="200"))),
    # Year 2 is started already (the same report, nothing made); year 3 has not begun (refused).
    *[case("programme:report_start", post_only(school_a="404", school_b="302"), lambda s, y=year: {"year": y}, f"year{year}")
      for year in (2, 3)],
    case("programme:report_detail", read_only(REPORT_B), REPORT_PK, "submitted"),
    case("programme:report_detail", read_only(DRAFT_B), DRAFT_PK, "draft"),
    case("programme:report_pdf", read_only(REPORT_B), REPORT_PK, content_type=PDF),
    # The draft's form; an empty POST carries no revision: refused as a possible overwrite (409).
    case("programme:report_edit", write_own(DRAFT_B, "school_b", "200/409"), DRAFT_PK, "draft"),
    # A submitted report's form sends its school back to the report.
    case("programme:report_edit", write_own(REPORT_B, "school_b", "302"), REPORT_PK, "submitted"),
    case("programme:report_autosave", post_only_of(write_own(DRAFT_B, "school_b", "409")), DRAFT_PK),
    case("programme:report_submit", post_only_of(write_own(DRAFT_B, "school_b", "302")), DRAFT_PK),  # incomplete: back with what is missing
    case("programme:report_attachment_upload", post_only_of(write_own(DRAFT_B, "school_b", "400")), DRAFT_PK),
    case("programme:report_attachment_download", read_only(REPORT_B),
         lambda s: {"pk": s.report_b.pk, "attachment_id": s.report_b.attachments.get().pk}, content_type=PNG),
    # Without the page's confirmation nothing is deleted: back to the form.
    case("programme:report_attachment_delete", post_only_of(write_own(DRAFT_B, "school_b", "302")),
         lambda s: {"pk": s.report_draft_b.pk, "attachment_id": s.report_draft_b.attachments.get().pk}),
    case("programme:report_comment", post_only_of(only({"expert_assigned": "400", "staff": "400", "admin": "400"}, REPORT_B)), REPORT_PK),
    case("programme:report_decide", post_only_of(only({"expert_assigned": "400", "staff": "400", "admin": "400"}, REPORT_B)), REPORT_PK),
    case("programme:report_expert_list", read_only(cells("403", anonymous="L", expert_assigned="200", expert_other="200"))),
    case("programme:report_staff_list", read_only(staff_page())),
    case("programme:report_assign", post_only(staff="302", admin="302")),  # nothing chosen: back with a message
    case("programme:report_reviewer_remove", post_only(staff="302", admin="302"), lambda s: {"reviewer_id": s.reviewer_b.pk}),
    case("programme:report_deadlines", staff_page(get="200", post="302")),  # an empty form changes no date
    case("programme:report_totals", read_only(staff_page())),
    *[case("programme:report_totals_xlsx", read_only(staff_page()), lambda s, t=table: {"table": t}, table, XLSX)
      for table in ("group", "province", "category", "year")],
    case("programme:report_totals_xlsx", read_only(staff_page(get="404")), lambda s: {"table": "school"}, "school"),
    # --- programme: the 实验校's pages ---
    # School B (a 实验校) sees its workspace; school A, never one, its applications as before.
    case("applications_record", read_only(cells("302", anonymous="L", school_a="200", school_b="200"))),
    # Team and projects, a request to leave: school B's own (an empty form comes back, 400);
    # school A has no 实验校 record (404); no one else's page (403).
    case("programme:team", cells("403", anonymous="L", school_a="404", school_b="200/400")),
    case("programme:withdraw", cells("403", anonymous="L", school_a="404", school_b="200/400")),
    # School B's invitation: the answer page (an empty POST answers nothing, 400); another school's
    # invitation does not exist for it (404).
    case("programme:invitation", cells("403", anonymous="L", school_a="404", school_b="200/400"), lambda s: {"pk": s.invitation_b.pk}),
    # Check-in: anyone at the venue, signed in or not (an empty form comes back, 400), typed or
    # opened from the venue's QR code with the code in the address.
    case("programme:checkin", cells("200/400"), label="typed"),
    case("programme:checkin", cells("200/400"), lambda s: {"code": s.activity.checkin_code}, "qr"),
    # --- programme: certificates ---
    # The verify page is anyone's, signed in or not; an unknown number is a 404 for everyone.
    case("certificate_verify", PUBLIC_GET_ONLY, lambda s: {"number": s.certificate_b.number}, "valid"),
    case("certificate_verify", read_only(cells("404")), lambda s: {"number": "CAEA-2000-AAAA-AAAA-AAAA-AAAA"}, "unknown"),
    # The PDF: its own school and the project group; to anyone else it does not exist.
    case("programme:certificate_pdf", read_only(cells("404", anonymous="L", school_b="200", staff="200", admin="200")),
         lambda s: {"pk": s.certificate_b.pk}, content_type=PDF),
    # Issue with nothing chosen, revoke with no reason: the page again with the error (400).
    case("programme:staff_certificate_issue", post_only(staff="400", admin="400"), lambda s: {"pk": s.experiment_b.pk}),
    case("programme:staff_certificate_revoke", post_only(staff="400", admin="400"), lambda s: {"pk": s.certificate_b.pk}),
    # The batch's certificates, not ticked: back with a message; a batch not published: 404.
    case("programme:staff_certificates_issue_batch", post_only(staff="302", admin="302"), lambda s: {"batch_id": s.published.pk}, "published"),
    case("programme:staff_certificates_issue_batch", post_only(staff="404", admin="404"), lambda s: {"batch_id": s.batch.pk}, "open"),
    # --- programme: certificates2 ---
    # /verify/ alone: the box to type a number, anyone's (read-only: the number goes in the query).
    case("certificate_lookup", PUBLIC_GET_ONLY),
    # The certificates' job: its page and state for the project group (the ZIP is review:export_download's).
    case("programme:staff_certificate_job", read_only(staff_page()), lambda s: {"job_id": s.certificate_job.pk}),
    case("programme:staff_certificate_job_status", read_only(staff_page()), lambda s: {"job_id": s.certificate_job.pk},
         content_type="application/json"),
    # Award decisions: an empty POST is the form again with its errors (400), nothing recorded.
    case("programme:staff_award_decisions", staff_page(post="400")),
    # --- programme: evaluation ---
    # Start: school B already started (back to its form); school A never was a 实验校 (404).
    case("programme:evaluation_start", post_only(school_a="404", school_b="302"), lambda s: {"round_id": s.evaluation_round.pk}),
    # School B's draft: its school, the project group and the admin read it (experts once it is
    # submitted and assigned to them); to anyone else it does not exist.
    case("programme:evaluation_detail", read_only(EVALUATION_B), EVALUATION_PK),
    case("programme:evaluation_pdf", read_only(EVALUATION_B), EVALUATION_PK, content_type=PDF),
    # An empty save carries no revision: refused as a possible overwrite (409), the page kept.
    case("programme:evaluation_edit", write_own(EVALUATION_B, "school_b", "200/409"), EVALUATION_PK),
    case("programme:evaluation_autosave", post_only_of(write_own(EVALUATION_B, "school_b", "409")), EVALUATION_PK),
    case("programme:evaluation_submit", post_only_of(write_own(EVALUATION_B, "school_b", "302")), EVALUATION_PK),  # incomplete: back with what is missing
    case("programme:evaluation_evidence_upload", post_only_of(write_own(EVALUATION_B, "school_b", "400")), EVALUATION_PK),
    case("programme:evaluation_evidence_download", read_only(EVALUATION_B),
         lambda s: {"pk": s.evaluation_b.pk, "evidence_id": s.evaluation_b.evidence.get().pk}, content_type=PNG),
    case("programme:evaluation_evidence_delete", post_only_of(write_own(EVALUATION_B, "school_b", "302")),
         lambda s: {"pk": s.evaluation_b.pk, "evidence_id": s.evaluation_b.evidence.get().pk}),  # not confirmed: nothing deleted
    case("programme:evaluation_declaration_upload", post_only_of(write_own(EVALUATION_B, "school_b", "400")), EVALUATION_PK),
    case("programme:evaluation_declaration_download", read_only(EVALUATION_B),
         lambda s: {"pk": s.evaluation_b.pk, "declaration_id": s.evaluation_b.declarations.get().pk}, content_type=PDF),
    # The project group's: the rounds, a new round and a round's page; an empty form comes back (400).
    case("programme:evaluation_staff_rounds", read_only(staff_page())),
    case("programme:evaluation_staff_round_new", staff_page(get="200", post="400")),
    case("programme:evaluation_staff_round", read_only(staff_page()), lambda s: {"pk": s.evaluation_round.pk}),
    case("programme:evaluation_staff_round_edit", staff_page(get="200", post="400"), lambda s: {"pk": s.evaluation_round.pk}),
    # --- programme: evaluation review ---
    case("programme:evaluation_expert_home", read_only(cells("403", anonymous="L", expert_assigned="200", expert_other="200"))),
    # An empty POST names no action: the page again (400), nothing saved.
    case("programme:evaluation_expert_score", cells("403", anonymous="L", expert_assigned="200/400", expert_other="404"),
         lambda s: {"assignment_id": s.evaluation_assignment_b.pk}),
    # Without a reason nothing is declared: back to the scoring page with a message.
    case("programme:evaluation_expert_conflict", post_only(expert_assigned="302", expert_other="404"),
         lambda s: {"assignment_id": s.evaluation_assignment_b.pk}),
    # No action named: back with a message.
    case("programme:evaluation_staff_assignment", staff_page(get="200", post="302"), lambda s: {"pk": s.evaluation_assignment_b.submission.round_id}),
    case("programme:evaluation_staff_assignment_end", post_only(staff="302", admin="302"), lambda s: {"pk": s.evaluation_assignment_b.pk}),
    case("programme:evaluation_staff_ranking", read_only(staff_page()), lambda s: {"pk": s.evaluation_assignment_b.submission.round_id}),
    # An empty conclusion: the ranking again with the errors next to the fields (400).
    case("programme:evaluation_staff_decide", post_only(staff="400", admin="400"), lambda s: {"pk": s.evaluation_assignment_b.submission_id}),
    # Not ticked, or not yet published: back with a message.
    case("programme:evaluation_staff_publish", post_only(staff="302", admin="302"), lambda s: {"pk": s.evaluation_assignment_b.submission.round_id}),
    case("programme:evaluation_staff_certificates", post_only(staff="302", admin="302"), lambda s: {"pk": s.evaluation_assignment_b.submission.round_id}),
    # --- programme: showcase ---
    # The school's pages: school B (a 实验校) its own posts; school A, never a 实验校, finds none (404).
    case("programme:showcase_school_list", read_only(cells("403", anonymous="L", school_a="404", school_b="200"))),
    case("programme:showcase_new", cells("403", anonymous="L", school_a="404", school_b="200/400")),  # an empty form: no title
    *[case("programme:showcase_post", read_only(cells("403", anonymous="L", school_a="404", school_b="200")), SHOWCASE[state], state)
      for state in SHOWCASE],
    case("programme:showcase_edit", cells("403", anonymous="L", school_a="404", school_b="200/400"), SHOWCASE["draft"], "draft"),
    case("programme:showcase_edit", cells("403", anonymous="L", school_a="404", school_b="302"), SHOWCASE["waiting"], "waiting"),  # back to it
    # Without the page's confirmation nothing is submitted or deleted: back with a message.
    case("programme:showcase_submit", post_only(school_a="404", school_b="302"), SHOWCASE["draft"]),
    case("programme:showcase_photo_delete", post_only(school_a="404", school_b="302"),
         lambda s: {"pk": s.showcase_b.draft.pk, "photo_id": s.showcase_b.draft.photos.get().pk}),
    case("programme:showcase_attachment_delete", post_only(school_a="404", school_b="302"), SHOWCASE["waiting"]),
    # Photos and the attachment: anyone's once published; before, school B's and the project
    # group's, and no one else learns they exist (404, no login asked). The published photo is
    # cached publicly when the public asks (no content type here: this file's rule that every file
    # is no-store is for personal files; tests/programme/test_showcase.py checks its type and cache).
    *[case(name, PUBLIC_GET_ONLY, lambda s: {"key": s.showcase_b.published.photos.get().key}, "published") for name in SHOWCASE_PHOTOS],
    *[case(name, read_only(cells("404", school_b="200", staff="200", admin="200")), lambda s: {"key": s.showcase_b.waiting.photos.get().key},
           "waiting", "image/jpeg") for name in SHOWCASE_PHOTOS],
    case("programme:showcase_attachment", PUBLIC_GET_ONLY, SHOWCASE["published"], "published", PDF),
    case("programme:showcase_attachment", read_only(cells("404", school_b="200", staff="200", admin="200")), SHOWCASE["waiting"], "waiting", PDF),
    case("showcase_feed", PUBLIC_GET_ONLY),
    # The project group's pages; empty POSTs: not confirmed, no reason, neither on nor off.
    case("programme:staff_showcase", read_only(staff_page())),
    *[case("programme:staff_showcase_post", read_only(staff_page()), SHOWCASE[state], state) for state in SHOWCASE],
    case("programme:staff_showcase_approve", post_only(staff="302", admin="302"), SHOWCASE["waiting"]),
    case("programme:staff_showcase_return", post_only(staff="400", admin="400"), SHOWCASE["waiting"]),
    case("programme:staff_showcase_unpublish", post_only(staff="400", admin="400"), SHOWCASE["published"]),
    case("programme:staff_showcase_feature", post_only(staff="302", admin="302"), SHOWCASE["published"]),
    case("programme:staff_school_feature", post_only(staff="302", admin="302"), lambda s: {"pk": s.experiment_b.pk}),
    # --- 17: scan --- A page of the scan as an image, for the viewer: whoever may download the scan
    # (policy.get_visible_scan); another application's scan, or a page the scan does not have, is none.
    case("applications:scan_page", read_only(READ_ZJ), lambda s: {"pk": s.app_zj.pk, "scan_id": s.scan_zj.pk, "page": 1}, "zj", "image/jpeg"),
    case("applications:scan_page", read_only(READ_JS), lambda s: {"pk": s.app_js.pk, "scan_id": s.scan_js.pk, "page": 1}, "js", "image/jpeg"),
    case("applications:scan_page", read_only(cells("404", anonymous="L")), lambda s: {"pk": s.app_zj.pk, "scan_id": s.scan_js.pk, "page": 1}, "mismatch"),
    case("applications:scan_page", read_only(cells("404", anonymous="L")), lambda s: {"pk": s.app_zj.pk, "scan_id": s.scan_zj.pk, "page": 2}, "no such page"),
    # --- 17: review ---
    # The national application list as CSV and XLSX (the page's filters): the project group's only.
    *[case("review:national_list_export", read_only(staff_page()), lambda s, f=fmt: {"fmt": f}, fmt, kind)
      for fmt, kind in (("csv", "text/csv; charset=utf-8"), ("xlsx", XLSX))],
    case("review:national_list_export", read_only(staff_page(get="404")), lambda s: {"fmt": "pdf"}, "pdf"),
    # --- 17: public ---
    # The published list as PDF (names only, the page's filters): anyone's; a batch not published
    # has no list to download. The blank 实验校资格申请表 of the current batch: anyone's.
    case("public_list_pdf", PUBLIC_GET_ONLY, content_type=PDF),
    case("public_list_batch_pdf", PUBLIC_GET_ONLY, lambda s: {"batch_id": s.published.pk}, "published", content_type=PDF),
    case("public_list_batch_pdf", read_only(cells("404")), lambda s: {"batch_id": s.batch.pk}, "unpublished"),
    case("blank_form", PUBLIC_GET_ONLY, content_type=PDF),
    # --- programme: showcase public pages ---
    # Anyone's, signed in or not: the 实验校 list, school B's page (实验中), its published post; a
    # post waiting for 审核 does not exist for anyone here, its school and staff included (they read
    # it on their own pages).
    case("showcase_public", PUBLIC_GET_ONLY),
    case("showcase_school", PUBLIC_GET_ONLY, lambda s: {"pk": s.experiment_b.pk}),
    case("showcase_post", PUBLIC_GET_ONLY, lambda s: {"pk": s.showcase_published_b.pk}, "published"),
    case("showcase_post", read_only(cells("404")), lambda s: {"pk": s.showcase_waiting_b.pk}, "waiting"),
]

# Django admin: one check of its index per role (the rest of it is Django's own, with its own rules).
ADMIN_INDEX = cells("302", staff="200", admin="200")


def case_id(c: Case) -> str:
    return f"{c.name}[{c.label}]" if c.label else c.name


# ---- The URL configuration ------------------------------------------------------------------------


def portal_patterns(resolver=None, namespace="", prefix=""):
    """(name, route, pattern) of every URL pattern but Django admin's and static files'."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin" or route.startswith(("static", "media")):
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from portal_patterns(entry, inner, route)
        elif isinstance(entry, URLPattern):
            if route.startswith(("static", "media")):
                continue
            yield (f"{namespace}{entry.name}" if entry.name else None), route, entry


def test_every_url_has_expectations():
    """A new view without a row in EXPECTATIONS fails here, naming it."""
    found = {}
    unnamed = []
    for name, route, _pattern in portal_patterns():
        if name is None:
            unnamed.append(route)
        else:
            found[name] = route
    covered = {c.name for c in EXPECTATIONS}
    missing = sorted(f"{name} (/{route})" for name, route in found.items() if name not in covered)
    stale = sorted(covered - set(found))
    assert not unnamed, f"URL patterns without a name cannot be checked by the access matrix: {unnamed}"
    assert not missing, (
        "These URLs have no row in tests/test_access_matrix.py EXPECTATIONS; add what every role must get "
        f"on GET and POST: {missing}"
    )
    assert not stale, f"EXPECTATIONS lists URL names that no longer exist: {stale}"


# Views that need no policy call: Django's own account views (their own rules, and the matrix
# above), and the load balancer's health probe (no user, no object).
NO_POLICY_CALL = {"portal.health.healthz"}


def _first_statement(view) -> ast.stmt | None:
    """The first statement of a view function (of a class-based view: of its dispatch), found by
    name in its module's source."""
    tree = ast.parse(Path(inspect.getsourcefile(view)).read_text(encoding="utf-8"))
    node = tree
    path = view.__qualname__.split(".") + (["dispatch"] if inspect.isclass(view) else [])
    for part in path:
        node = next(n for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n.name == part)
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
        body = body[1:]  # the docstring
    return body[0] if body else None


def test_every_view_asks_the_policy_on_its_first_line():
    """The portal's own views open with a call to portal.policy (after the docstring)."""
    offenders = []
    for name, route, pattern in portal_patterns():
        view = inspect.unwrap(pattern.callback)
        if hasattr(pattern.callback, "view_class"):
            if pattern.callback.view_class.__module__.startswith("django."):
                continue
            view = pattern.callback.view_class
            if all(klass.__module__.startswith("django.") for klass in view.__mro__[1:] if klass is not object) and not view.__dict__.get("dispatch"):
                continue  # a subclass of Django's view that only configures it (LoginView's form)
        qualified = f"{view.__module__}.{view.__qualname__}"
        if qualified in NO_POLICY_CALL:
            continue
        first = _first_statement(view)
        calls = [node for node in ast.walk(first) if isinstance(node, ast.Call)] if first is not None else []
        if not any(isinstance(c.func, ast.Attribute) and isinstance(c.func.value, ast.Name) and c.func.value.id == "policy" for c in calls):
            offenders.append(f"{name}: {qualified}")
    assert not offenders, f"Views whose first line does not ask portal.policy: {offenders}"


def test_the_policy_imports_no_app_above_portal_at_module_level():
    """Imports flow review → applications → portal: portal.policy reaches the other apps' models and
    selectors only at call time."""
    from portal import policy

    tree = ast.parse(inspect.getsource(policy))
    modules = [alias.name for node in tree.body if isinstance(node, ast.Import) for alias in node.names]
    modules += [node.module for node in tree.body if isinstance(node, ast.ImportFrom)]
    assert not [m for m in modules if m.split(".")[0] in ("applications", "review")], modules


# ---- The matrix -----------------------------------------------------------------------------------


def as_role(client, scene, role):
    """Signed in as `role` through the session made with the scene (as force_login would)."""
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = scene.sessions[role]
    return client


def cache_directives(response) -> set[str]:
    """The directives of the response's Cache-Control header, e.g. {"private", "no-store"}."""
    return {part.split("=", 1)[0].strip().lower() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def check_cell(client, scene, role, method, url, expected, *, content_type=""):
    with data_writes() as written:
        response = getattr(client, method)(url)
    if expected == "L":
        # To log in, and back to this page afterwards.
        got = (response.status_code, response.get("Location"))
        assert got == (302, f"{reverse('login')}?next={url}"), f"{method.upper()} {url} as {role}: {got}"
    else:
        assert response.status_code == expected, f"{method.upper()} {url} as {role}: {response.status_code}, expected {expected}"
    if expected == 200 and content_type:
        assert response["Content-Type"] == content_type, (url, response["Content-Type"])
    # What a signed-in user is shown, and any file, must not stay in a shared or a disk cache.
    if role != "anonymous" or (expected == 200 and content_type):
        assert "no-store" in cache_directives(response), f"{method.upper()} {url} as {role}: Cache-Control {response.get('Cache-Control')!r}"
    assert not written, f"{method.upper()} {url} as {role} wrote to {sorted(set(written))}"
    return response


MATRIX = [
    pytest.param(c, role, method, id=f"{case_id(c)}-{role}-{method}")
    for c in EXPECTATIONS
    for role in ROLES
    for method in METHODS
]


@pytest.mark.django_db
@pytest.mark.parametrize(("c", "role", "method"), MATRIX)
def test_access(client, scene, c, role, method):
    url = reverse(c.name, kwargs=c.kwargs(scene))
    expected = c.expect[role][METHODS.index(method)]
    as_role(client, scene, role)
    check_cell(client, scene, role, method, url, expected, content_type=c.content_type)


@pytest.mark.django_db
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("role", ROLES)
def test_django_admin_index(client, scene, role, method):
    """Django admin's index: staff and the admin get in, everyone else is sent to admin's login."""
    as_role(client, scene, role)
    with data_writes() as written:
        response = getattr(client, method)(reverse("admin:index"))
    assert response.status_code == ADMIN_INDEX[role][METHODS.index(method)]
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("admin:login")), response["Location"]
    assert not written, written


def put_delete_role(c: Case) -> str:
    """Who sends the PUT and DELETE: a role that may open the page, else one whose POST is taken
    in (a POST-only view), else any signed-in role."""
    for method in (0, 1):
        for role in ROLES:
            if c.expect[role][method] in (200, 302, 400):
                return role
    return SIGNED_IN[0]


@pytest.mark.django_db
@pytest.mark.parametrize("method", ("put", "delete"))
@pytest.mark.parametrize("c", EXPECTATIONS, ids=case_id)
def test_put_and_delete_are_refused(client, scene, c, method):
    """No view of the portal takes PUT or DELETE: a form takes GET and POST, a page that only
    reads GET (and HEAD), an action POST."""
    role = put_delete_role(c)
    as_role(client, scene, role)

    check_cell(client, scene, role, method, reverse(c.name, kwargs=c.kwargs(scene)), 405)
