"""The demo data, as the Zhejiang demo reviewer (demo-province) finds it: the current batch's queue
with applications at each provincial step, Zhejiang's only, and the first batch (2022) already
forwarded with its 推荐汇总表 kept as PDF and XLSX."""
import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from applications.models import ProvincialWindow, Status
from portal.models import User
from review.models import Forwarding
from tests.conftest import PASSWORD


@pytest.fixture
def seeded(db):
    call_command("seed_demo", password=PASSWORD, stdout=io.StringIO())


@pytest.fixture
def demo_province(client, seeded):
    assert client.login(username="demo-province", password=PASSWORD)
    return client


def current_window():
    return ProvincialWindow.objects.get(batch__document_number="中成协〔2023〕010号", association__province_id="330000")


def first_batch_window():
    return ProvincialWindow.objects.get(batch__document_number="中成协〔2022〕012号", association__province_id="330000")


def test_the_demo_reviewer_lands_on_the_current_batchs_queue(demo_province):
    response = demo_province.get(reverse("review:province_home"))

    assert response["Location"] == reverse("review:province_queue", args=[current_window().pk])


def test_the_current_queue_has_each_provincial_step_of_zhejiang_only(demo_province):
    response = demo_province.get(reverse("review:province_queue", args=[current_window().pk]), {"sort": "school"})

    rows = {application.school.name: (application.school.province_id, application.status) for application, _flags in response.context["rows"]}
    assert rows == {
        "宁波市甬江职业高级中学": ("330000", Status.RECOMMENDED),
        "温州市瓯海区职业教育中心": ("330000", Status.SUBMITTED),
        "绍兴市柯桥区职业教育中心": ("330000", Status.RETURNED),
        "湖州市长兴县职业技术学校": ("330000", Status.NOT_RECOMMENDED),
        "金华职业技术示范学院": ("330000", Status.SUBMITTED),
    }
    # Work is waiting: two to decide, so forwarding is not offered yet.
    assert response.context["undecided"] == 2
    assert response.context["forward_problems"] == ["还有 2 份已提交的申请未作推荐决定，请先推荐、不予推荐或退回。"]


def test_the_demo_shows_the_flag_of_a_lead_who_is_no_vice_principal(demo_province):
    response = demo_province.get(reverse("review:province_queue", args=[current_window().pk]))

    flagged = sorted(a.school.name for a, flags in response.context["rows"] if ("warning", "负责人非副校长") in flags)
    assert flagged == ["绍兴市柯桥区职业教育中心"]


def test_the_2022_window_was_forwarded_with_both_summary_files(demo_province):
    window = first_batch_window()
    forwarding = Forwarding.objects.get(window=window)

    with forwarding.summary_pdf.open("rb") as pdf, forwarding.summary_xlsx.open("rb") as xlsx:
        text = re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.read())).pages))
        sheet = load_workbook(io.BytesIO(xlsx.read())).active

    assert (forwarding.application_count, forwarding.forwarded_by.username) == (2, "demo-province")
    # Forwarded on 26 May 2022 at 10:00, 33 days less an hour before the list was announced on 28 June
    # at 09:00: the demo keeps that distance on its moved calendar.
    assert window.batch.published_at - forwarding.forwarded_at == timedelta(days=32, hours=23)
    names = ["宁波市甬江职业高级中学", "温州市瓯海区职业教育中心"]
    assert sorted((n for n in names if n in text), key=text.index) == names
    assert [row[:2] for row in sheet.iter_rows(min_row=4, values_only=True)] == [(1, names[0]), (2, names[1])]


def test_the_2022_summary_is_downloadable_and_the_queue_is_locked(demo_province):
    window = first_batch_window()

    queue = demo_province.get(reverse("review:province_queue", args=[window.pk]))
    pdf = demo_province.get(reverse("review:province_summary", args=[window.pk, "pdf"]))

    assert queue.context["forwarding"] == Forwarding.objects.get(window=window)
    assert "本省推荐结果已锁定" in queue.content.decode()
    assert (pdf.status_code, b"".join(pdf.streaming_content)[:5]) == (200, b"%PDF-")


def test_seeding_again_forwards_nothing_twice(seeded):
    call_command("seed_demo", password=PASSWORD, stdout=io.StringIO())

    assert Forwarding.objects.filter(window=first_batch_window()).count() == 1
    assert User.objects.filter(username="demo-province").count() == 1
