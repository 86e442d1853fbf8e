"""八.2 then 八.3, in that order: the project group files the 实验校名单 with the China Adult Education
Association (备案: when, by whom, and the PDF filed, kept as it was) before the list is published;
publication names the 项目工作会议 at which it was announced (2023年6月召开项目工作会议，公布实验校名单),
and the meeting's date starts the three-year 实验周期. A decision changed after filing voids the
filing: the list must be filed again before it can be published."""
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import Batch, Status, TimelineEntry
from applications.workflow import WorkflowError
from review.decisions import decide, file_list, publication_problems, publish
from review.models import ListFiling
from review.rubric import rubric_ensure_default
from tests.conftest import aware
from tests.review.helpers import reload
from tests.review.national_helpers import MEETING, decided_pair, in_review, pdf_text

pytestmark = pytest.mark.usefixtures("private_media")

FILED_AT = aware(2023, 6, 20, 10, 0)
MEETING_ON = date(2023, 6, 28)
PUBLISHED_AT = aware(2023, 6, 28, 15, 0)
NOT_FILED = "实验校名单须先报中国成人教育协会备案。"


@pytest.fixture
def decided(batch, staff_user):
    """Two scored applications: a Sichuan college selected, a Hubei 职教中心 not."""
    rubric_ensure_default(batch)
    made = decided_pair(batch, staff_user, selected_name="四川备案职业技术学院", other_name="武汉备案职业教育中心")
    return made


def publish_at_the_meeting(batch, staff_user, **extra):
    return publish(batch=batch, actor=staff_user, meeting=MEETING, meeting_on=MEETING_ON, now=PUBLISHED_AT, **extra)


# ---- 八.2 before 八.3 -----------------------------------------------------------------------------

def test_a_decided_list_cannot_be_published_before_it_is_filed(batch, decided, staff_user):
    assert publication_problems(batch) == [NOT_FILED]
    with pytest.raises(WorkflowError, match=NOT_FILED) as refused:
        publish_at_the_meeting(batch, staff_user)
    assert refused.value.code == "not_ready"
    batch.refresh_from_db()
    assert (batch.published_at, batch.cycle_starts_on) == (None, None)
    assert not TimelineEntry.objects.filter(action="publish").exists()


def test_filing_keeps_the_list_as_filed_by_whom_and_when(batch, decided, staff_user):
    filing = file_list(batch=batch, actor=staff_user, note="报协会秘书处", now=FILED_AT)

    filing = ListFiling.objects.get(batch=batch)
    assert (filing.filed_at, filing.filed_by, filing.note, filing.selected_ids) == (FILED_AT, staff_user, "报协会秘书处", [decided["yes"].pk])
    text = pdf_text(filing.file.read())
    assert "报中国成人教育协会备案" in text and "四川备案职业技术学院" in text and "武汉备案职业教育中心" not in text
    assert publication_problems(batch) == []


def test_the_filing_cannot_wait_for_undecided_applications(batch, staff_user, decided):
    in_review(batch, "四川评审中职业技术学院", staff_user)
    with pytest.raises(WorkflowError, match="名单尚未确定，不能备案") as refused:
        file_list(batch=batch, actor=staff_user, now=FILED_AT)
    assert refused.value.code == "undecided" and not ListFiling.objects.exists()


def test_the_same_list_is_filed_once(batch, decided, staff_user):
    file_list(batch=batch, actor=staff_user, now=FILED_AT)
    with pytest.raises(WorkflowError, match="名单已于") as refused:
        file_list(batch=batch, actor=staff_user, now=FILED_AT)
    assert refused.value.code == "filed" and ListFiling.objects.count() == 1


def test_a_published_list_is_not_filed_again(batch, decided, staff_user):
    file_list(batch=batch, actor=staff_user, now=FILED_AT)
    publish_at_the_meeting(batch, staff_user)
    with pytest.raises(WorkflowError, match="名单已于 2023-06-28 15:00 公布，不能再备案") as refused:
        file_list(batch=batch, actor=staff_user, now=PUBLISHED_AT)
    assert refused.value.code == "published"


def test_a_decision_changed_after_filing_voids_it_until_the_list_is_filed_again(client, batch, decided, staff_user):
    file_list(batch=batch, actor=staff_user, now=FILED_AT)
    decide(application=reload(decided["no"]), actor=staff_user, selected=True, opinion="复议后改为入选。")

    voided = "备案后入选名单有变更，原备案已作废：实验校名单须重新报中国成人教育协会备案。"
    assert publication_problems(batch) == [voided]
    with pytest.raises(WorkflowError, match="原备案已作废"):
        publish_at_the_meeting(batch, staff_user)
    client.force_login(staff_user)
    page = client.get(reverse("review:publish"), {"batch": batch.pk}).content.decode()
    assert "2023年6月20日 10:00 的备案已作废" in page and voided in page

    refiled = file_list(batch=batch, actor=staff_user, now=aware(2023, 6, 21, 9, 0))
    assert sorted(refiled.selected_ids) == sorted([decided["yes"].pk, decided["no"].pk]) and ListFiling.objects.count() == 1
    assert "武汉备案职业教育中心" in pdf_text(ListFiling.objects.get().file.read())
    assert publish_at_the_meeting(batch, staff_user) == 2


def test_an_opinion_reworded_without_changing_who_is_selected_keeps_the_filing(batch, decided, staff_user):
    file_list(batch=batch, actor=staff_user, now=FILED_AT)
    decide(application=reload(decided["yes"]), actor=staff_user, selected=True, opinion="经专家评审，同意列为第二批实验校。")
    assert publication_problems(batch) == []


# ---- 八.3: the 项目工作会议 ------------------------------------------------------------------------

def test_publication_names_the_meeting_and_its_date_starts_the_cycle(batch, decided, staff_user):
    file_list(batch=batch, actor=staff_user, now=FILED_AT)

    assert publish_at_the_meeting(batch, staff_user) == 1

    batch = Batch.objects.get(pk=batch.pk)
    assert (batch.published_at, batch.publication_meeting, batch.publication_meeting_on, batch.cycle_starts_on) == (
        PUBLISHED_AT, MEETING, MEETING_ON, MEETING_ON)  # fmt: skip
    entry = TimelineEntry.objects.get(application=decided["yes"], action="publish")
    assert entry.comment == f"公布结果：入选实验校（{MEETING}，2023年06月28日）"


def test_the_cycle_may_start_after_the_meeting(batch, decided, staff_user):
    file_list(batch=batch, actor=staff_user, now=FILED_AT)
    publish_at_the_meeting(batch, staff_user, cycle_starts_on=date(2023, 7, 1))
    assert Batch.objects.get(pk=batch.pk).cycle_starts_on == date(2023, 7, 1)


@pytest.mark.parametrize("meeting_on, cycle, code", [
    (date(2023, 6, 29), None, "meeting_in_future"),  # published on 28 June about a meeting still to come
    (date(2023, 6, 19), None, "meeting_before_filing"),  # announced before the list was filed (8.2 comes first)
    (MEETING_ON, date(2023, 6, 1), "cycle_before_meeting"),
])  # fmt: skip
def test_the_meeting_date_follows_the_filing_and_precedes_the_publication(batch, decided, staff_user, meeting_on, cycle, code):
    file_list(batch=batch, actor=staff_user, now=FILED_AT)
    with pytest.raises(WorkflowError) as refused:
        publish(batch=batch, actor=staff_user, meeting=MEETING, meeting_on=meeting_on, cycle_starts_on=cycle, now=PUBLISHED_AT)
    assert refused.value.code == code
    assert Batch.objects.get(pk=batch.pk).published_at is None


def test_the_publish_page_files_then_publishes_in_order(client, batch, decided, staff_user):
    client.force_login(staff_user)
    url = f"{reverse('review:publish')}?batch={batch.pk}"
    page = client.get(url).content.decode()
    assert NOT_FILED in page and "确认公布名单" not in page and "登记已报协会备案" in page

    response = client.post(reverse("review:file_list"), {"batch": batch.pk, "note": "报协会秘书处"})
    assert (response.status_code, response["Location"]) == (302, url)
    page = client.get(url).content.decode()
    assert "备案名单 PDF（备案时保存）" in page and "报协会秘书处" in page and "确认公布名单" in page
    assert client.get(reverse("review:filing_pdf"), {"batch": batch.pk})["Content-Type"] == "application/pdf"

    # A meeting date still to come: refused next to the field, what was typed stays on the page.
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(reverse("review:publish"), {"batch": batch.pk, "meeting": MEETING, "meeting_on": tomorrow.isoformat()})
    html = response.content.decode()
    assert response.status_code == 400 and "项目工作会议日期不能晚于今天" in html and f'value="{MEETING}"' in html
    assert Batch.objects.get(pk=batch.pk).published_at is None

    today = timezone.localdate().isoformat()
    response = client.post(reverse("review:publish"), {"batch": batch.pk, "meeting": MEETING, "meeting_on": today})
    assert response.status_code == 302
    batch = Batch.objects.get(pk=batch.pk)
    assert (batch.publication_meeting, batch.cycle_starts_on.isoformat()) == (MEETING, today)
    assert f"（{MEETING}，" in client.get(url).content.decode()


def test_the_publish_page_asks_for_the_meeting(client, batch, decided, staff_user):
    file_list(batch=batch, actor=staff_user, now=FILED_AT)
    client.force_login(staff_user)
    response = client.post(reverse("review:publish"), {"batch": batch.pk})
    assert response.status_code == 400
    assert response.context["publish_form"].errors.keys() == {"meeting", "meeting_on"}
    assert Batch.objects.get(pk=batch.pk).published_at is None


def test_staff_see_that_the_list_was_filed_on_their_overview(client, batch, decided, staff_user):
    file_list(batch=batch, actor=staff_user, now=FILED_AT)
    client.force_login(staff_user)
    html = client.get(reverse("review:national_home"), {"batch": batch.pk}).content.decode()
    assert "实验校名单已于 2023年6月20日 报中国成人教育协会备案" in html


def test_the_decision_form_warns_that_a_change_voids_the_filing(client, batch, decided, staff_user):
    file_list(batch=batch, actor=staff_user, now=FILED_AT)
    client.force_login(staff_user)
    html = client.get(reverse("review:national_application", args=[decided["no"].pk])).content.decode()
    assert "更改入选决定会使备案作废" in html
    assert reload(decided["no"]).status == Status.NOT_SELECTED
