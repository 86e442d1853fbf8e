"""Issue 14 item 7: the name and address an application was submitted with are frozen into it at
submission. A school that renames itself afterwards (its profile) changes nothing a submitted or
published record shows: the PDF, the province's queue, the ranking export, the public list. Only
the project group corrects them (a service and an admin action), logged in the timeline, and the
version code of the school's signed scan stays valid."""
import csv
import importlib
import io

import pytest
from django.apps import apps
from django.contrib.admin import helpers
from django.urls import reverse
from django.utils import timezone

from applications.documents import application_pdf
from applications.models import Application, TimelineEntry
from applications.services import application_correct_school_details
from applications.workflow import WorkflowError
from review.decisions import decide
from review.rubric import rubric_ensure_default
from tests.conftest import aware
from tests.review.helpers import reload, submitted_application
from tests.review.national_helpers import BEIJING, GOOD, SICHUAN, assign, file_and_publish, in_review, make_expert, pdf_text, squeeze, submit_review

pytestmark = pytest.mark.usefixtures("private_media")

OLD_NAME, NEW_NAME = "浙江冻结名称职业技术学院", "浙江改名以后职业技术大学"
NEW_ADDRESS = "杭州市新校区大道 99 号"


def rename(client, user, *, name=NEW_NAME, address=NEW_ADDRESS):
    """The school changes its name and address on its profile page, as a browser posts it."""
    school = user.school
    client.force_login(user)
    response = client.post(reverse("applications:profile"), {
        "name": name, "province": school.province_id, "school_type": school.school_type, "address": address,
        "postcode": school.postcode, "credit_code": school.credit_code, "contact_email": school.contact_email,
        "contact_mobile": school.contact_mobile,
    }, follow=True)  # fmt: skip
    school.refresh_from_db()
    assert (response.status_code, school.name, school.address) == (200, name, address)
    return response


def text_of_pdf(application) -> str:
    return squeeze(pdf_text(application_pdf(reload(application))))


def test_a_rename_after_submission_leaves_the_pdf_and_the_provinces_queue_as_submitted(client, batch, zhejiang_window, zhejiang_reviewer):
    application, user = submitted_application(batch, OLD_NAME)
    old_address, version = user.school.address, application.version_code
    assert (application.submitted_school_name, application.submitted_school_address) == (OLD_NAME, old_address)

    response = rename(client, user)

    assert "已提交的申请表仍显示提交时的学校名称和单位地址" in response.content.decode()
    stored = reload(application)
    assert (stored.applicant_name, stored.applicant_address, stored.version_code) == (OLD_NAME, old_address, version)
    assert stored.content_fingerprint(list(stored.team.all()), [p.code for p in stored.projects.all()]) == version
    text = text_of_pdf(stored)
    assert squeeze(OLD_NAME) in text and squeeze(old_address) in text and version in text
    assert squeeze(NEW_NAME) not in text and squeeze(NEW_ADDRESS) not in text
    # The school's own page shows it as submitted too.
    detail = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert OLD_NAME in detail and NEW_NAME not in detail

    client.force_login(zhejiang_reviewer)
    queue = client.get(reverse("review:province_queue", args=[zhejiang_window.pk])).content.decode()
    assert OLD_NAME in queue and NEW_NAME not in queue


def test_a_draft_follows_the_profile_and_a_new_submission_freezes_the_new_name(client, batch, zhejiang_window, application_a, user_a):
    rename(client, user_a)
    draft = reload(application_a)
    assert (draft.submitted_school_name, draft.applicant_name, draft.applicant_address) == ("", NEW_NAME, NEW_ADDRESS)
    assert squeeze(NEW_NAME) in text_of_pdf(draft)


@pytest.fixture
def published(batch, staff_user):
    """A direct application scored, selected, filed and published."""
    rubric_ensure_default(batch)
    expert = make_expert("expert-frozen", BEIJING, "北京终身教育研究院")
    application, user = in_review(batch, OLD_NAME, staff_user, SICHUAN)
    submit_review(assign(application, expert, staff_user), GOOD)
    decide(application=reload(application), actor=staff_user, selected=True, opinion="同意列为实验校。")
    file_and_publish(batch, staff_user, now=aware(2023, 6, 28, 9, 0))
    return reload(application), user


def ranking_csv_names(client, staff_user, batch) -> list[str]:
    client.force_login(staff_user)
    response = client.get(reverse("review:ranking_export", args=["csv"]), {"batch": batch.pk})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return [row[2] for row in rows[1:]]


def test_a_rename_after_publication_leaves_the_public_list_the_ranking_and_the_pdf_as_submitted(client, batch, staff_user, published):
    application, user = published

    rename(client, user)

    client.logout()
    public = client.get(reverse("public_list")).content.decode()
    assert OLD_NAME in public and NEW_NAME not in public
    assert ranking_csv_names(client, staff_user, batch) == [OLD_NAME]
    text = text_of_pdf(application)
    assert squeeze(OLD_NAME) in text and squeeze(NEW_NAME) not in text


def test_the_project_group_corrects_the_name_it_is_logged_and_the_scan_stays_valid(client, batch, staff_user, published):
    application, user = published
    rename(client, user)
    scan_version = application.scans.get().version_code

    corrected = application_correct_school_details(
        application=application, actor=staff_user, name=NEW_NAME, address=NEW_ADDRESS, reason="学校更名，教育厅批复文件已核对。"
    )

    assert (corrected.applicant_name, corrected.applicant_address) == (NEW_NAME, NEW_ADDRESS)
    assert reload(application).version_code == scan_version  # the signed scan is not made stale
    row = TimelineEntry.objects.filter(application=application, action="correct_school_details").get()
    assert (row.actor, row.visible_to_school) == (staff_user, False)
    assert row.internal_comment == (
        f"项目组更正申报时的学校信息：学校名称“{OLD_NAME}”→“{NEW_NAME}”；单位地址“{application.submitted_school_address}”→“{NEW_ADDRESS}”。"
        "原因：学校更名，教育厅批复文件已核对。"
    )
    client.logout()
    public = client.get(reverse("public_list")).content.decode()
    assert NEW_NAME in public and OLD_NAME not in public
    assert ranking_csv_names(client, staff_user, batch) == [NEW_NAME]
    assert squeeze(NEW_NAME) in text_of_pdf(application)
    # The school does not see the internal row.
    client.force_login(user)
    detail = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert "更正申报时的学校名称" not in detail


def test_only_the_project_group_corrects_and_never_a_draft(batch, zhejiang_window, zhejiang_reviewer, staff_user, application_a, user_a):
    submitted, school_user = submitted_application(batch, OLD_NAME)
    for actor in (school_user, zhejiang_reviewer):
        with pytest.raises(WorkflowError) as refused:
            application_correct_school_details(application=submitted, actor=actor, name=NEW_NAME, address=NEW_ADDRESS, reason="改名")
        assert refused.value.code == "not_staff"
    with pytest.raises(WorkflowError) as refused:
        application_correct_school_details(application=application_a, actor=staff_user, name=NEW_NAME, address=NEW_ADDRESS, reason="改名")
    assert refused.value.code == "editable"
    with pytest.raises(WorkflowError) as refused:
        application_correct_school_details(application=submitted, actor=staff_user, name=NEW_NAME, address=NEW_ADDRESS, reason=" ")
    assert refused.value.code == "required"
    assert reload(submitted).applicant_name == OLD_NAME
    assert not TimelineEntry.objects.filter(action="correct_school_details").exists()


def test_the_admin_action_corrects_one_application_with_a_reason(client, batch, zhejiang_window, admin_user):
    application, _user = submitted_application(batch, OLD_NAME)
    client.force_login(admin_user)
    url = reverse("admin:applications_application_changelist")
    chosen = {"action": "correct_school_details", helpers.ACTION_CHECKBOX_NAME: [application.pk]}

    form_page = client.post(url, chosen)
    assert form_page.status_code == 200 and "更正原因" in form_page.content.decode()
    done = client.post(url, {**chosen, "confirm": "yes", "name": NEW_NAME, "address": NEW_ADDRESS, "reason": "学校更名"}, follow=True)

    assert f"已更正 {application.number} 的学校名称和单位地址" in done.content.decode()
    assert reload(application).applicant_name == NEW_NAME
    assert TimelineEntry.objects.filter(application=application, action="correct_school_details", actor=admin_user).count() == 1


def test_the_migration_freezes_what_each_submitted_application_was_submitted_with(client, batch, zhejiang_window, application_a):
    submitted, user = submitted_application(batch, OLD_NAME)
    old_address = user.school.address
    # As before the fields existed: nothing frozen; the school renamed itself after submitting.
    Application.objects.filter(pk=submitted.pk).update(submitted_school_name="", submitted_school_address="", submitted_at=timezone.now())
    rename(client, user)

    migration = importlib.import_module("applications.migrations.0012_frozen_school_details")
    migration.freeze_submitted(apps, None)

    assert (reload(submitted).submitted_school_name, reload(submitted).submitted_school_address) == (OLD_NAME, old_address)
    assert reload(application_a).submitted_school_name == ""  # a draft shows the profile
