"""Who may open which page. Out of a user's reach is a 404 (the page does not even confirm that the
application exists); within reach but not theirs to change is a 403. The tables below list every
role against every view so that a gap is visible at a glance."""
import pytest
from django.urls import reverse

from applications.models import Application, Route, SignedScan, Status
from applications.services import application_get_or_create, scan_upload
from applications.workflow import submit
from tests.conftest import fill_complete, png_bytes, upload

# Marked for the database explicitly: some tests reach it only through request.getfixturevalue(),
# which pytest-django cannot see when it orders tests and sets up databases.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]

# The application views, each with the method a browser uses on it. "*-post" rows are the
# writing requests (saving the form, confirming the submission).
APPLICATION_VIEWS = {
    "detail": ("get", "applications:detail"),
    "edit": ("get", "applications:edit"),
    "edit-post": ("post", "applications:edit"),
    "pdf": ("get", "applications:pdf"),
    "scan_upload": ("post", "applications:scan_upload"),
    "scan_download": ("get", "applications:scan_download"),
    "submit": ("get", "applications:submit"),
    "submit-post": ("post", "applications:submit"),
}


def view_url(view, application) -> str:
    _method, name = APPLICATION_VIEWS[view]
    if view == "scan_download":
        return reverse(name, args=[application.pk, application.scans.first().pk])
    return reverse(name, args=[application.pk])


def request_view(client, view, application):
    method, _name = APPLICATION_VIEWS[view]
    url = view_url(view, application)
    if method == "get":
        return client.get(url)
    if view == "scan_upload":
        return client.post(url, {"scan": upload("scan.png", png_bytes())})
    # A write that would show if it got through: a new lead name (from a page opened just now).
    revision = Application.objects.get(pk=application.pk).revision
    return client.post(url, {"lead_name": "越权修改", "team-TOTAL_FORMS": "0", "team-INITIAL_FORMS": "0", "revision": revision})


def with_scan(application, actor):
    scan_upload(application=application, uploaded_file=upload("scan.png", png_bytes()), actor=actor)
    return Application.objects.get(pk=application.pk)


@pytest.fixture
def draft_a(application_a, user_a):
    """School A's draft (with a scan, so the download view has something to serve)."""
    return with_scan(application_a, user_a)


@pytest.fixture
def submitted_a(complete_application_a, user_a):
    """School A's application, submitted to the Zhejiang association."""
    application = with_scan(complete_application_a, user_a)
    submit(application=application, actor=user_a)
    application = Application.objects.get(pk=application.pk)
    assert application.status == Status.SUBMITTED  # arrange
    return application


@pytest.fixture
def at_national_direct(batch, user_direct):
    """The Sichuan school's application, submitted straight to the national project group."""
    application = application_get_or_create(batch=batch, school=user_direct.school, actor=user_direct)
    application = with_scan(fill_complete(application), user_direct)
    submit(application=application, actor=user_direct)
    application = Application.objects.get(pk=application.pk)
    assert application.status == Status.AT_NATIONAL  # arrange
    return application


def logged_in(client, request, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


# --- anonymous visitors -------------------------------------------------------------------------


def test_anyone_may_read_the_home_page(client, batch):
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize("view", list(APPLICATION_VIEWS))
def test_anonymous_visitors_are_sent_to_log_in_from_application_views(client, submitted_a, view):
    response = request_view(client, view, submitted_a)

    # Back to the page after logging in: the path travels in ?next=.
    assert (response.status_code, response["Location"]) == (302, f"/accounts/login/?next={view_url(view, submitted_a)}")


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/dashboard/"), ("get", "/profile/"), ("post", "/batches/{batch}/start/")],
)
def test_anonymous_visitors_are_sent_to_log_in_from_school_pages(client, batch, method, path):
    path = path.format(batch=batch.pk)

    response = getattr(client, method)(path)

    assert (response.status_code, response["Location"]) == (302, f"/accounts/login/?next={path}")


# --- the school on its own application ----------------------------------------------------------

OWN_DRAFT = [
    ("detail", 200),
    ("edit", 200),
    ("edit-post", 302),  # saved, back to the form
    ("pdf", 200),
    ("scan_upload", 302),  # stored, back to the form
    ("scan_download", 200),
    ("submit", 200),
    ("submit-post", 302),  # refused (incomplete), back to the submit page with the reasons
]


@pytest.mark.parametrize(("view", "expected"), OWN_DRAFT)
def test_a_school_works_on_its_own_draft(client, user_a, draft_a, view, expected):
    client.force_login(user_a)
    assert request_view(client, view, draft_a).status_code == expected


def test_a_school_saving_its_own_draft_stores_the_change(client, user_a, draft_a):
    client.force_login(user_a)
    request_view(client, "edit-post", draft_a)
    assert Application.objects.get(pk=draft_a.pk).lead_name == "越权修改"


@pytest.mark.parametrize(("path", "expected"), [("/dashboard/", 200), ("/profile/", 200)])
def test_a_school_opens_its_dashboard_and_profile(client, user_a, batch, path, expected):
    client.force_login(user_a)
    assert client.get(path).status_code == expected


def test_a_school_starts_its_application_and_lands_on_the_form(client, user_a, batch, zhejiang_window):
    client.force_login(user_a)

    response = client.post(reverse("applications:start", args=[batch.pk]))

    application = Application.objects.get(school=user_a.school, batch=batch)
    assert (response.status_code, response["Location"]) == (302, reverse("applications:edit", args=[application.pk]))


# --- everyone else on a school's application ------------------------------------------------------

ALL_VIEWS = list(APPLICATION_VIEWS)
# Someone who may read an application but not change it.
READ_ONLY = [
    ("detail", 200), ("pdf", 200), ("scan_download", 200),
    ("edit", 403), ("edit-post", 403), ("scan_upload", 403), ("submit", 403), ("submit-post", 403),
]  # fmt: skip

SUBMITTED_TABLE = (
    # Another school never learns that the application exists.
    [("user_b", view, 404) for view in ALL_VIEWS]
    # Another province's association neither.
    + [("jiangsu_reviewer", view, 404) for view in ALL_VIEWS]
    # Zhejiang's association reads what its schools submitted and changes nothing.
    + [
        ("zhejiang_reviewer", "detail", 200),
        ("zhejiang_reviewer", "pdf", 200),
        ("zhejiang_reviewer", "scan_download", 200),
        ("zhejiang_reviewer", "edit", 403),
        ("zhejiang_reviewer", "edit-post", 403),
        ("zhejiang_reviewer", "scan_upload", 403),
        ("zhejiang_reviewer", "submit", 403),
        ("zhejiang_reviewer", "submit-post", 403),
    ]
    # Experts see only what is assigned to them; nothing is assigned yet.
    + [("expert_user", view, 404) for view in ALL_VIEWS]
    # The project group sees a provincial application only once the province forwards it.
    + [("staff_user", view, 404) for view in ALL_VIEWS]
    # The admin reads every submitted application and changes none of the school's content.
    + [("admin_user", view, expected) for view, expected in READ_ONLY]
)


@pytest.mark.parametrize(("role", "view", "expected"), SUBMITTED_TABLE)
def test_others_on_a_submitted_zhejiang_application(client, request, submitted_a, role, view, expected):
    logged_in(client, request, role)
    assert request_view(client, view, submitted_a).status_code == expected


AT_NATIONAL_TABLE = (
    # The project group reads what reached it and changes none of the school's content.
    [(role, view, expected) for role in ("staff_user", "admin_user") for view, expected in READ_ONLY]
    # Sent directly, it never passes through a province: no province sees it.
    + [(role, view, 404) for role in ("zhejiang_reviewer", "jiangsu_reviewer") for view in ALL_VIEWS]
    + [(role, view, 404) for role in ("user_a", "expert_user") for view in ALL_VIEWS]
)


@pytest.mark.parametrize(("role", "view", "expected"), AT_NATIONAL_TABLE)
def test_others_on_an_application_at_the_national_group(client, request, at_national_direct, role, view, expected):
    logged_in(client, request, role)
    assert request_view(client, view, at_national_direct).status_code == expected


DRAFT_TABLE = [
    # Drafts are the school's own: provinces, experts and the project group never see them.
    (role, view, 404)
    for role in ("user_b", "zhejiang_reviewer", "jiangsu_reviewer", "expert_user", "staff_user", "admin_user")
    for view in ALL_VIEWS
]


@pytest.mark.parametrize(("role", "view", "expected"), DRAFT_TABLE)
def test_others_on_a_zhejiang_draft(client, request, draft_a, role, view, expected):
    logged_in(client, request, role)
    assert request_view(client, view, draft_a).status_code == expected


@pytest.mark.parametrize("role", ["user_b", "zhejiang_reviewer", "staff_user", "expert_user", "admin_user"])
@pytest.mark.parametrize("view", ["edit-post", "scan_upload", "submit-post"])
def test_a_refused_write_changes_nothing(client, request, submitted_a, role, view):
    before = Application.objects.get(pk=submitted_a.pk)
    logged_in(client, request, role)

    request_view(client, view, submitted_a)

    after = Application.objects.get(pk=submitted_a.pk)
    assert (after.lead_name, after.status, after.revision) == (before.lead_name, before.status, before.revision)
    assert SignedScan.objects.filter(application=submitted_a).count() == 1


def test_a_province_does_not_see_an_application_sent_directly_to_the_national_group(
    client, zhejiang_reviewer, staff_user, complete_application_a, user_a
):
    Application.objects.filter(pk=complete_application_a.pk).update(route=Route.DIRECT)
    application = with_scan(Application.objects.get(pk=complete_application_a.pk), user_a)
    submit(application=application, actor=user_a)
    url = reverse("applications:detail", args=[application.pk])

    client.force_login(zhejiang_reviewer)
    province = client.get(url).status_code
    client.force_login(staff_user)
    project_group = client.get(url).status_code

    assert (province, project_group) == (404, 200)


# --- pages only a school uses ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ["zhejiang_reviewer", "staff_user", "expert_user", "admin_user"])
def test_only_schools_have_a_profile(client, request, role):
    logged_in(client, request, role)
    assert client.get(reverse("applications:profile")).status_code == 403


@pytest.mark.parametrize("role", ["zhejiang_reviewer", "staff_user", "expert_user", "admin_user"])
def test_only_schools_start_an_application(client, request, batch, role):
    logged_in(client, request, role)

    response = client.post(reverse("applications:start", args=[batch.pk]))

    assert response.status_code == 403
    assert Application.objects.count() == 0


def test_starting_an_application_needs_a_post(client, user_a, batch):
    # A link or a prefetch must not create an application.
    client.force_login(user_a)
    assert client.get(reverse("applications:start", args=[batch.pk])).status_code == 405
    assert Application.objects.count() == 0


def test_a_closed_batch_cannot_be_started(client, user_a, batch):
    batch.is_open = False
    batch.save()
    client.force_login(user_a)

    assert client.post(reverse("applications:start", args=[batch.pk])).status_code == 404


@pytest.mark.parametrize(
    ("role", "expected", "location"),
    [
        ("user_a", 200, None),
        # Reviewers work in the review pages, admins in Django admin.
        ("zhejiang_reviewer", 302, "review:province_home"),
        ("staff_user", 302, "review:national_home"),
        ("expert_user", 302, "review:expert_home"),
        ("admin_user", 302, "admin:index"),
    ],
)
def test_every_role_lands_on_its_own_dashboard(client, request, batch, role, expected, location):
    logged_in(client, request, role)

    response = client.get(reverse("dashboard"))

    assert response.status_code == expected
    if location:
        assert response["Location"] == reverse(location)
