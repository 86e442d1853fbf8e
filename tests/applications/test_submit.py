"""Submitting the 申请表: refused with the reasons while something is missing, the scan is absent
or stale, or the deadline (Beijing time) has passed; accepted once, to the province or straight
to the national project group, after which the content is frozen."""
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.urls import reverse

from applications.models import Application, Route, Status, TimelineEntry
from applications.services import application_get_or_create, scan_upload
from applications.workflow import WorkflowError, deadline_end, deadline_in_words, submit
from tests.applications.pages import form_values
from tests.conftest import aware, fill_complete, png_bytes, upload

pytestmark = pytest.mark.usefixtures("private_media")

INCOMPLETE = "申请表还有未完成或有错误的部分，请按提示补充修改。"
NO_SCAN = "请先上传签字盖章后的申请表扫描件。"


def with_scan(application, actor):
    scan_upload(application=application, uploaded_file=upload("scan.png", png_bytes(), "image/png"), actor=actor)
    return Application.objects.get(pk=application.pk)


@pytest.fixture
def ready_a(complete_application_a, user_a):
    """School A's complete application with a scan of its current version: ready to submit."""
    return with_scan(complete_application_a, user_a)


@pytest.fixture
def ready_direct(batch, user_direct):
    """The Sichuan school's complete, scanned application: Sichuan runs no provincial window."""
    application = application_get_or_create(batch=batch, school=user_direct.school, actor=user_direct)
    return with_scan(fill_complete(application), user_direct)


def submit_url(application):
    return reverse("applications:submit", args=[application.pk])


def submit_rows(application):
    return TimelineEntry.objects.filter(application=application, action="submit").count()


def post_submit(client, user, application):
    client.force_login(user)
    return client.post(submit_url(application), follow=True)


# --- refusals through the page -----------------------------------------------------------------


def test_an_incomplete_application_is_refused_and_stays_a_draft(client, user_a, application_a):
    with_scan(application_a, user_a)

    response = post_submit(client, user_a, application_a)

    assert response.redirect_chain == [(submit_url(application_a), 302)]
    assert f"未能提交：{INCOMPLETE}" in response.content.decode()
    stored = Application.objects.get(pk=application_a.pk)
    assert (stored.status, stored.submitted_at, submit_rows(stored)) == (Status.DRAFT, None, 0)


def test_a_complete_application_without_a_scan_is_refused(client, user_a, complete_application_a):
    response = post_submit(client, user_a, complete_application_a)

    assert f"未能提交：{NO_SCAN}" in response.content.decode()
    assert INCOMPLETE not in response.content.decode()
    assert Application.objects.get(pk=complete_application_a.pk).status == Status.DRAFT


def test_a_scan_of_an_earlier_version_is_refused(client, user_a, ready_a):
    client.force_login(user_a)
    # The school changes a phone number after uploading the signed scan: the scan no longer
    # shows what would be submitted.
    edit_url = reverse("applications:edit", args=[ready_a.pk])
    values = form_values(client.get(edit_url).content.decode(), "application-form")
    values["liaison_mobile"] = "13700000009"
    client.post(edit_url, values)
    changed = Application.objects.get(pk=ready_a.pk)
    scan = changed.scans.get()
    assert scan.version_code != changed.version_code  # arrange: the content did change

    response = client.post(submit_url(ready_a), follow=True)

    html = response.content.decode()
    assert f"扫描件对应的版本（{scan.version_code}）与当前内容（{changed.version_code}）不一致" in html
    assert "已过期" in html  # the submit page's scan badge
    assert Application.objects.get(pk=ready_a.pk).status == Status.DRAFT


def test_the_submit_page_lists_what_is_missing(client, user_a, application_a):
    client.force_login(user_a)

    response = client.get(submit_url(application_a))

    html = response.content.decode()
    assert response.status_code == 200
    assert "暂不能提交：" in html
    assert INCOMPLETE in html and NO_SCAN in html
    assert "确认提交" not in html  # no submit button while it would be refused


# --- acceptance --------------------------------------------------------------------------------


def test_a_zhejiang_school_submits_to_its_provincial_association(client, user_a, ready_a):
    response = post_submit(client, user_a, ready_a)

    assert response.redirect_chain == [(reverse("applications:detail", args=[ready_a.pk]), 302)]
    assert "申请表已提交。" in response.content.decode()
    stored = Application.objects.get(pk=ready_a.pk)
    assert (stored.status, stored.route) == (Status.SUBMITTED, Route.PROVINCIAL)
    assert stored.submitted_at is not None
    row = TimelineEntry.objects.get(application=stored, action="submit")
    assert (row.actor, row.from_status, row.to_status, row.comment) == (
        user_a, Status.DRAFT, Status.SUBMITTED, "提交至浙江省成人教育与职业教育协会",
    )  # fmt: skip


def test_a_school_without_a_provincial_window_submits_to_the_national_group(client, user_direct, ready_direct):
    post_submit(client, user_direct, ready_direct)

    stored = Application.objects.get(pk=ready_direct.pk)
    assert (stored.status, stored.route) == (Status.AT_NATIONAL, Route.DIRECT)
    assert stored.submitted_at is not None
    row = TimelineEntry.objects.get(application=stored, action="submit")
    assert (row.from_status, row.to_status, row.comment) == (Status.DRAFT, Status.AT_NATIONAL, "提交至中国成人教育协会项目组")


def test_submitting_twice_records_one_submission(client, user_a, ready_a):
    post_submit(client, user_a, ready_a)

    response = client.post(submit_url(ready_a), follow=True)

    assert "申请表当前状态为“已提交，待省级推荐”，不能提交。" in response.content.decode()
    assert submit_rows(ready_a) == 1


def test_after_submitting_the_edit_page_sends_the_school_to_the_detail_page(client, user_a, ready_a):
    post_submit(client, user_a, ready_a)

    response = client.get(reverse("applications:edit", args=[ready_a.pk]), follow=True)

    assert response.redirect_chain == [(reverse("applications:detail", args=[ready_a.pk]), 302)]
    assert "申请表当前状态为“已提交，待省级推荐”，不能再修改。" in response.content.decode()


def test_after_submitting_a_post_to_the_edit_page_changes_nothing(client, user_a, ready_a):
    edit_url = reverse("applications:edit", args=[ready_a.pk])
    client.force_login(user_a)
    values = form_values(client.get(edit_url).content.decode(), "application-form")
    post_submit(client, user_a, ready_a)
    submitted = Application.objects.get(pk=ready_a.pk)
    values["lead_mobile"] = "13900000009"
    values["plan_content"] = "改过的内容"

    response = client.post(edit_url, values)

    assert response.status_code == 302
    stored = Application.objects.get(pk=ready_a.pk)
    assert (stored.lead_mobile, stored.plan_content, stored.version_code, stored.revision) == (
        submitted.lead_mobile, submitted.plan_content, submitted.version_code, submitted.revision,
    )  # fmt: skip


# --- deadlines (server-side, Beijing time) -------------------------------------------------------


def test_a_provincial_submission_one_second_before_the_window_closes_is_accepted(ready_a, user_a, zhejiang_window):
    now = zhejiang_window.school_deadline - timedelta(seconds=1)

    submitted = submit(application=ready_a, actor=user_a, now=now)

    assert (submitted.status, submitted.submitted_at) == (Status.SUBMITTED, now)


def test_a_provincial_submission_at_the_deadline_itself_is_accepted(ready_a, user_a, zhejiang_window):
    # "截止 23:59:59" includes that second.
    submitted = submit(application=ready_a, actor=user_a, now=zhejiang_window.school_deadline)

    assert submitted.status == Status.SUBMITTED


def test_a_provincial_submission_after_the_deadlines_minute_is_refused(ready_a, user_a, zhejiang_window):
    # The provincial window closes before the national deadline; the national one still being
    # open does not help a school that applies through its province.
    now = deadline_end(zhejiang_window.school_deadline)
    assert now < ready_a.batch.national_deadline  # arrange

    with pytest.raises(WorkflowError) as refused:
        submit(application=ready_a, actor=user_a, now=now)

    assert "已超过提交截止时间（浙江省成人教育与职业教育协会：" in str(refused.value)
    stored = Application.objects.get(pk=ready_a.pk)
    assert (stored.status, stored.submitted_at, submit_rows(stored)) == (Status.DRAFT, None, 0)


def test_a_zhejiang_school_applying_directly_has_until_the_national_deadline(ready_a, user_a, zhejiang_window):
    Application.objects.filter(pk=ready_a.pk).update(route=Route.DIRECT)
    now = zhejiang_window.school_deadline + timedelta(days=1)

    submitted = submit(application=Application.objects.get(pk=ready_a.pk), actor=user_a, now=now)

    assert submitted.status == Status.AT_NATIONAL


def test_a_direct_submission_one_second_before_the_national_deadline_is_accepted(ready_direct, user_direct, batch):
    now = batch.national_deadline - timedelta(seconds=1)

    submitted = submit(application=ready_direct, actor=user_direct, now=now)

    assert (submitted.status, submitted.submitted_at) == (Status.AT_NATIONAL, now)


def test_a_direct_submission_after_the_national_deadlines_minute_is_refused(ready_direct, user_direct, batch):
    with pytest.raises(WorkflowError) as refused:
        submit(application=ready_direct, actor=user_direct, now=deadline_end(batch.national_deadline))

    assert refused.value.code == "deadline_passed"
    assert "已超过提交截止时间（中国成人教育协会项目组：" in str(refused.value)
    assert Application.objects.get(pk=ready_direct.pk).status == Status.DRAFT


@pytest.fixture
def zhejiang_closes_20_april(zhejiang_window):
    # The real Zhejiang deadline: 2023-04-20 23:59:59 Beijing time, which is 15:59:59 UTC.
    zhejiang_window.school_deadline = aware(2023, 4, 20, 23, 59, 59)
    zhejiang_window.save()
    assert zhejiang_window.school_deadline == datetime(2023, 4, 20, 15, 59, 59, tzinfo=dt_timezone.utc)
    return zhejiang_window


def test_a_deadline_in_beijing_time_is_enforced_across_the_utc_date(ready_a, user_a, zhejiang_closes_20_april):
    # 16:00:00 UTC on 20 April is already 00:00 on 21 April in Beijing: too late, although the
    # UTC date is still the 20th.
    with pytest.raises(WorkflowError) as refused:
        submit(application=ready_a, actor=user_a, now=datetime(2023, 4, 20, 16, 0, 0, tzinfo=dt_timezone.utc))

    # The message gives the deadline in Beijing time, as the notice does.
    assert "浙江省成人教育与职业教育协会：2023年04月20日 23:59 北京时间" in str(refused.value)
    assert Application.objects.get(pk=ready_a.pk).status == Status.DRAFT


def test_a_submission_two_seconds_before_a_beijing_deadline_given_in_utc_is_accepted(
    ready_a, user_a, zhejiang_closes_20_april
):
    now = datetime(2023, 4, 20, 15, 59, 58, tzinfo=dt_timezone.utc)

    submitted = submit(application=ready_a, actor=user_a, now=now)

    assert (submitted.status, submitted.submitted_at) == (Status.SUBMITTED, now)


# 八.1 with Zhejiang's window: 于2023年4月20日前 (stored as the admin enters it, 23:59 to the minute).
@pytest.fixture
def zhejiang_closes_at_2359(zhejiang_window):
    zhejiang_window.school_deadline = aware(2023, 4, 20, 23, 59)
    zhejiang_window.save()
    return zhejiang_window


def test_a_deadline_shown_as_2359_still_accepts_2359_30(ready_a, user_a, zhejiang_closes_at_2359):
    now = aware(2023, 4, 20, 23, 59, 30)

    submitted = submit(application=ready_a, actor=user_a, now=now)

    assert (submitted.status, submitted.submitted_at) == (Status.SUBMITTED, now)


def test_a_deadline_shown_as_2359_accepts_its_last_millisecond_and_refuses_midnight(ready_a, user_a, zhejiang_closes_at_2359):
    with pytest.raises(WorkflowError) as refused:
        submit(application=ready_a, actor=user_a, now=aware(2023, 4, 21, 0, 0, 0))
    assert refused.value.code == "deadline_passed"

    submitted = submit(application=Application.objects.get(pk=ready_a.pk), actor=user_a, now=aware(2023, 4, 20, 23, 59, 59, 999000))
    assert submitted.status == Status.SUBMITTED


def test_the_deadline_in_words_names_its_last_second(zhejiang_closes_at_2359):
    assert deadline_in_words(zhejiang_closes_at_2359.school_deadline) == "2023年04月20日 23:59:59（北京时间）前"
