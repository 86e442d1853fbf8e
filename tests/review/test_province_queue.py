"""The provincial reviewer's queue: only its own province's applications for the batch, filtered,
searched and sorted, with flags that say what needs a decision and what looks wrong; one
application read-only with its PDF, scan and timeline; and a page cost that does not grow with the
number of applications."""
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, ProjectCategory, Route, SignedScan, Status
from applications.services import application_get_or_create
from portal.models import School, SchoolType
from review.models import ProvincialReview
from review.selectors import QUEUE_SORTS
from review.provincial import province_decline, province_mark_paper_received, province_recommend, province_return
from tests.conftest import fill_complete
from tests.review.helpers import new_application, reload, submit_complete, submitted_application


def queue_url(window, **params):
    url = reverse("review:province_queue", args=[window.pk])
    if params:
        url += "?" + urlencode(params)
    return url


def queue_names(client, window, **params) -> list[str]:
    response = client.get(queue_url(window, **params))
    assert response.status_code == 200
    return [application.school.name for application, _flags in response.context["rows"]]


@pytest.fixture
def reviewer_client(client, zhejiang_reviewer):
    client.force_login(zhejiang_reviewer)
    return client


# --- scope ----------------------------------------------------------------------------------------


def test_the_queue_shows_only_what_the_provinces_schools_submitted_through_it(
    reviewer_client, batch, zhejiang_window, submitted_a, submitted_b, user_direct
):
    # Around school A (Zhejiang, submitted): a Zhejiang draft, a Zhejiang school that applied
    # directly to the national group, Jiangsu's submission and Sichuan's direct one.
    new_application(batch, "浙江草稿职业学院")
    direct_zj, direct_user = new_application(batch, "浙江直报职业学院")
    Application.objects.filter(pk=direct_zj.pk).update(route=Route.DIRECT)
    submit_complete(reload(direct_zj), direct_user)
    sichuan = application_get_or_create(batch=batch, school=user_direct.school, actor=user_direct)
    submit_complete(sichuan, user_direct)

    assert queue_names(reviewer_client, zhejiang_window) == [submitted_a.school.name]


def test_the_reviewer_home_leads_to_its_own_window(reviewer_client, zhejiang_window, jiangsu_window):
    response = reviewer_client.get(reverse("review:province_home"))

    assert (response.status_code, response["Location"]) == (302, queue_url(zhejiang_window))


# Every way into a Jiangsu application or window, for a Zhejiang reviewer.
OTHER_PROVINCE_REQUESTS = {
    "queue": lambda app, scan, window: ("get", reverse("review:province_queue", args=[window.pk])),
    "forward page": lambda app, scan, window: ("get", reverse("review:province_forward", args=[window.pk])),
    "forward": lambda app, scan, window: ("post", reverse("review:province_forward", args=[window.pk])),
    "summary pdf": lambda app, scan, window: ("get", reverse("review:province_summary", args=[window.pk, "pdf"])),
    "summary xlsx": lambda app, scan, window: ("get", reverse("review:province_summary", args=[window.pk, "xlsx"])),
    "review page": lambda app, scan, window: ("get", reverse("review:province_application", args=[app.pk])),
    "recommend": lambda app, scan, window: ("post", reverse("review:province_action", args=[app.pk, "recommend"])),
    "return": lambda app, scan, window: ("post", reverse("review:province_action", args=[app.pk, "return"])),
    "decline": lambda app, scan, window: ("post", reverse("review:province_action", args=[app.pk, "decline"])),
    "paper": lambda app, scan, window: ("post", reverse("review:province_action", args=[app.pk, "paper"])),
    "detail": lambda app, scan, window: ("get", reverse("applications:detail", args=[app.pk])),
    "pdf": lambda app, scan, window: ("get", reverse("applications:pdf", args=[app.pk])),
    "scan": lambda app, scan, window: ("get", reverse("applications:scan_download", args=[app.pk, scan.pk])),
}


@pytest.mark.parametrize("what", list(OTHER_PROVINCE_REQUESTS))
def test_another_provinces_application_is_not_found_in_pages_pdfs_and_scans(
    reviewer_client, jiangsu_window, submitted_b, what
):
    method, url = OTHER_PROVINCE_REQUESTS[what](submitted_b, submitted_b.scans.get(), jiangsu_window)
    form = {"reason": "越权", "opinion": "越权", "rank": 1, "received_on": timezone.localdate().isoformat()}

    response = reviewer_client.get(url) if method == "get" else reviewer_client.post(url, form)

    assert response.status_code == 404
    # And nothing was done to it.
    assert (reload(submitted_b).status, ProvincialReview.objects.count()) == (Status.SUBMITTED, 0)


# --- filters, search, sort ---------------------------------------------------------------------------


@pytest.fixture
def four_schools(batch, zhejiang_window, zhejiang_reviewer):
    """Four Zhejiang applications, one per provincial state, of three school types. The names
    start with A–D so that sorting by name gives the same order on every database collation."""
    start = timezone.now() - timedelta(days=2)
    specs = [
        ("A杭州高等职业学院", SchoolType.HIGHER_VOCATIONAL, "陈明华"),
        ("B宁波中等职业学校", SchoolType.SECONDARY_VOCATIONAL, "王晓燕"),
        ("C温州职业教育中心", SchoolType.VOCATIONAL_CENTER, "林志强"),
        ("D金华中等职业学校", SchoolType.SECONDARY_VOCATIONAL, "郑海涛"),
    ]
    apps = {}
    # Submitted in the order D, C, B, A, an hour apart, so submission order is not name order.
    for hours, (name, school_type, lead) in enumerate(reversed(specs)):
        apps[name[0]], _user = submitted_application(
            batch, name, school_type=school_type, lead_name=lead, now=start + timedelta(hours=hours)
        )
    province_recommend(application=apps["B"], actor=zhejiang_reviewer, opinion="同意推荐。", rank=1)
    province_return(application=apps["C"], actor=zhejiang_reviewer, reason="请补盖公章。")
    province_decline(application=apps["D"], actor=zhejiang_reviewer, reason="方案不够具体。")
    return apps


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["A杭州高等职业学院", "B宁波中等职业学校", "C温州职业教育中心", "D金华中等职业学校"]),
        ({"status": Status.SUBMITTED}, ["A杭州高等职业学院"]),
        ({"status": Status.RECOMMENDED}, ["B宁波中等职业学校"]),
        ({"status": Status.RETURNED}, ["C温州职业教育中心"]),
        ({"status": Status.NOT_RECOMMENDED}, ["D金华中等职业学校"]),
        ({"school_type": SchoolType.SECONDARY_VOCATIONAL}, ["B宁波中等职业学校", "D金华中等职业学校"]),
        ({"school_type": SchoolType.VOCATIONAL_CENTER}, ["C温州职业教育中心"]),
        ({"school_type": SchoolType.SECONDARY_VOCATIONAL, "status": Status.NOT_RECOMMENDED}, ["D金华中等职业学校"]),
        # Search by part of the school's name, by the lead's name.
        ({"q": "温州"}, ["C温州职业教育中心"]),
        ({"q": "中等职业"}, ["B宁波中等职业学校", "D金华中等职业学校"]),
        ({"q": "郑海涛"}, ["D金华中等职业学校"]),
        ({"q": "  王晓燕 "}, ["B宁波中等职业学校"]),
        ({"q": "没有这所学校"}, []),
    ],
)
def test_filter_and_search(reviewer_client, zhejiang_window, four_schools, params, expected):
    assert queue_names(reviewer_client, zhejiang_window, sort="school", **params) == expected


def test_search_by_application_number(reviewer_client, zhejiang_window, four_schools):
    number = four_schools["C"].number

    assert queue_names(reviewer_client, zhejiang_window, q=number) == ["C温州职业教育中心"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("school", ["A杭州高等职业学院", "B宁波中等职业学校", "C温州职业教育中心", "D金华中等职业学校"]),
        ("submitted", ["D金华中等职业学校", "C温州职业教育中心", "B宁波中等职业学校", "A杭州高等职业学院"]),
        ("-submitted", ["A杭州高等职业学院", "B宁波中等职业学校", "C温州职业教育中心", "D金华中等职业学校"]),
        # An unknown sort falls back to submission order rather than failing.
        ("nonsense", ["D金华中等职业学校", "C温州职业教育中心", "B宁波中等职业学校", "A杭州高等职业学院"]),
    ],
)
def test_sort(reviewer_client, zhejiang_window, four_schools, sort, expected):
    assert queue_names(reviewer_client, zhejiang_window, sort=sort) == expected


def test_sort_by_rank_lists_the_recommended_in_rank_order(reviewer_client, batch, zhejiang_window, zhejiang_reviewer):
    names = ["甲职业学院", "乙职业学院", "丙职业学院"]
    for rank, name in zip([3, 1, 2], names, strict=True):
        application, _user = submitted_application(batch, name)
        province_recommend(application=application, actor=zhejiang_reviewer, opinion="同意。", rank=rank)

    listed = queue_names(reviewer_client, zhejiang_window, status=Status.RECOMMENDED, sort="rank")

    assert listed == ["乙职业学院", "丙职业学院", "甲职业学院"]


# --- at a glance --------------------------------------------------------------------------------------


def test_the_queue_counts_each_state_and_what_still_needs_a_decision(reviewer_client, zhejiang_window, four_schools):
    response = reviewer_client.get(queue_url(zhejiang_window))

    tabs = {value: count for value, _label, count in response.context["status_tabs"]}
    assert tabs == {
        Status.SUBMITTED: 1,
        Status.RETURNED: 1,
        Status.RECOMMENDED: 1,
        Status.NOT_RECOMMENDED: 1,
        Status.AT_NATIONAL: 0,
    }
    assert (response.context["undecided"], response.context["recommended"]) == (1, 1)


def test_flags_show_what_needs_a_decision_a_lead_who_is_no_vice_principal_a_stale_scan_and_paper(
    reviewer_client, batch, zhejiang_window, zhejiang_reviewer
):
    plain, _ = submitted_application(batch, "A平常职业学院")
    not_vice, _ = submitted_application(batch, "B处长牵头职业学院", lead_title="教务处处长")
    stale, stale_user = submitted_application(batch, "C改过内容职业学院")
    # Returned, the school changes its content: the uploaded scan no longer shows what is stored.
    province_return(application=stale, actor=zhejiang_reviewer, reason="请补充项目小组。")
    fill_complete(reload(stale), lead_name="李新")
    paper, _ = submitted_application(batch, "D纸质版已到职业学院")
    province_recommend(application=paper, actor=zhejiang_reviewer, opinion="同意。", rank=1)
    province_mark_paper_received(application=paper, actor=zhejiang_reviewer, received_on=timezone.localdate())

    response = reviewer_client.get(queue_url(zhejiang_window, sort="school"))

    flags = {application.school.name: [text for _colour, text in row_flags] for application, row_flags in response.context["rows"]}
    assert flags == {
        "A平常职业学院": ["待决定"],
        "B处长牵头职业学院": ["待决定", "负责人非副校长"],
        "C改过内容职业学院": ["扫描件已过期"],
        "D纸质版已到职业学院": ["纸质版已收到"],
    }
    # The flags are on the page, not only in the context.
    assert response.content.decode().count("负责人非副校长") == 1


# --- one application, read-only -------------------------------------------------------------------


def test_one_application_read_only_with_every_field_pdf_scan_and_timeline(reviewer_client, submitted_a):
    scan = submitted_a.scans.get()

    page = reviewer_client.get(reverse("review:province_application", args=[submitted_a.pk]))
    pdf = reviewer_client.get(reverse("applications:pdf", args=[submitted_a.pk]))
    scan_file = reviewer_client.get(reverse("applications:scan_download", args=[submitted_a.pk, scan.pk]))

    assert (page.status_code, pdf.status_code, scan_file.status_code) == (200, 200, 200)
    html = page.content.decode()
    a = submitted_a
    for value in [
        a.school.name, a.number, a.lead_name, a.lead_title, a.lead_mobile, a.liaison_name, a.liaison_title,
        a.liaison_mobile, a.plan_name, a.unit_opinion, a.supervisor_name,
        "老年教育赋能提质", "职业教育助力乡村振兴", "刘芳",  # projects chosen, a team member
    ]:  # fmt: skip
        assert value in html, value
    # Links to the generated PDF and to the uploaded scan.
    assert reverse("applications:pdf", args=[a.pk]) in html
    assert reverse("applications:scan_download", args=[a.pk, scan.pk]) in html
    assert [entry.action for entry in page.context["timeline"]] == ["create", "upload_scan", "submit"]
    assert (pdf["Content-Type"], pdf.content[:5]) == ("application/pdf", b"%PDF-")
    assert scan_file["Content-Type"] == "image/png"
    # Read-only: the reviewer has no edit form for the school's content.
    assert reverse("applications:edit", args=[a.pk]) not in html


# --- cost ---------------------------------------------------------------------------------------------


def add_submitted(batch, count: int, start: int) -> None:
    """`count` Zhejiang applications in provincial states, written directly: schools, applications,
    projects, a scan row each and a provincial record for every third (recommended with a rank)."""
    schools = School.objects.bulk_create(
        School(
            name=f"批量职业学校{n:04d}", province_id="330000",
            school_type=[SchoolType.HIGHER_VOCATIONAL, SchoolType.SECONDARY_VOCATIONAL, SchoolType.VOCATIONAL_CENTER][n % 3],
            address="浙江省杭州市", postcode="310012", contact_email=f"bulk{n}@example.cn", contact_mobile="13900000000",
        )
        for n in range(start, start + count)
    )  # fmt: skip
    now = timezone.now()
    applications = Application.objects.bulk_create(
        Application(
            batch=batch, school=school, number=f"2023-{batch.pk}-33-9{n:04d}", route=Route.PROVINCIAL,
            status=Status.RECOMMENDED if n % 3 == 0 else Status.SUBMITTED, submitted_at=now - timedelta(minutes=n),
            version_code="ABCD1234", lead_name=f"负责人{n}", lead_title="副校长" if n % 2 else "教务处处长",
        )
        for n, school in zip(range(start, start + count), schools, strict=True)
    )  # fmt: skip
    categories = list(ProjectCategory.objects.order_by("position")[:2])
    Application.projects.through.objects.bulk_create(
        Application.projects.through(application_id=application.pk, projectcategory_id=category.pk)
        for application in applications
        for category in categories
    )
    SignedScan.objects.bulk_create(
        SignedScan(application=application, file=f"scans/{application.pk}/x.png", kind="png", original_name="x.png",
                   size=1, sha256="0" * 64, version_code="ABCD1234" if n % 4 else "OLD00000")
        for n, application in enumerate(applications)
    )  # fmt: skip
    window = batch.windows.get(association__province_id="330000")
    ProvincialReview.objects.bulk_create(
        ProvincialReview(application=application, window=window, opinion="同意。", rank=n + 1, paper_received_on=now.date())
        for n, application in zip(range(start, start + count), applications, strict=True)
        if application.status == Status.RECOMMENDED
    )  # fmt: skip


def queue_queries(client, window, **params) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(queue_url(window, **params))
    assert response.status_code == 200
    return len(queries.captured_queries), len(response.context["rows"])


@pytest.mark.parametrize("params", [{}, {"sort": "rank"}, {"status": Status.SUBMITTED, "q": "批量"}])
def test_the_queue_costs_the_same_number_of_queries_for_10_and_200_applications(
    reviewer_client, batch, zhejiang_window, params
):
    add_submitted(batch, 10, start=0)
    with_10, rows_10 = queue_queries(reviewer_client, zhejiang_window, **params)
    add_submitted(batch, 190, start=10)
    with_200, rows_200 = queue_queries(reviewer_client, zhejiang_window, **params)

    # More rows are shown (up to a page), yet no query is added per row.
    assert rows_200 > rows_10 > 0
    assert with_200 == with_10


@pytest.mark.parametrize("sort", ["school", "-submitted", "rank"])
def test_the_pages_together_are_the_whole_queue_in_order(reviewer_client, batch, zhejiang_window, sort):
    """Each page is read in two steps (the sorted keys, then the page's rows): together the pages
    hold every application once, in the order of the sort."""
    add_submitted(batch, 120, start=0)
    seen = []
    for number in (1, 2, 3):
        response = reviewer_client.get(queue_url(zhejiang_window, sort=sort, page=number))
        seen += [application.pk for application, _flags in response.context["rows"]]
    expected = list(
        Application.objects.filter(batch=batch, school__province_id="330000", submitted_at__isnull=False)
        .order_by(*QUEUE_SORTS[sort]).values_list("pk", flat=True)
    )  # fmt: skip
    assert seen == expected and len(seen) == 120
