"""条件 4 (应成立由副校长为项目负责人的项目小组) as the reviewers meet it: the provincial queue's flag
and the formal check's 负责人 item judge a title exactly as the form's own check does, whole titles
only, so a title that merely contains 副院长, 副主任 or 副校长 is flagged and needs the school's note."""
import pytest
from django.urls import reverse

from applications.models import Application
from applications.rules import check_application
from portal.models import SchoolType
from review.formal_check import formal_check_items
from tests.review.helpers import reload, submitted_application

NOT_VICE_PRINCIPAL_FLAG = "负责人非副校长"


@pytest.fixture
def reviewer_client(client, zhejiang_reviewer):
    client.force_login(zhejiang_reviewer)
    return client


def queue_flags_of(client, window, application) -> list[str]:
    response = client.get(reverse("review:province_queue", args=[window.pk]))
    assert response.status_code == 200
    [flags] = [row_flags for row, row_flags in response.context["rows"] if row.pk == application.pk]
    return [text for _colour, text in flags]


def lead_item(application) -> bool:
    return {key: passed for key, _label, passed in formal_check_items(reload(application))}["lead"]


@pytest.mark.parametrize(
    ("school_type", "title"),
    [
        # Each would have passed the old substring match in this kind of school.
        (SchoolType.HIGHER_VOCATIONAL, "继续教育学院副院长"),
        (SchoolType.VOCATIONAL_CENTER, "办公室副主任"),
        (SchoolType.SECONDARY_VOCATIONAL, "副校长助理"),
        (SchoolType.SECONDARY_VOCATIONAL, "原副校长"),
    ],
)
def test_a_title_that_only_contains_a_vice_principals_is_flagged_and_needs_the_note(
    reviewer_client, batch, zhejiang_window, school_type, title
):
    # submitted_application gives the lead this title with the school's explanation.
    application, _user = submitted_application(batch, "浙江负责人职务职业学院", school_type=school_type, lead_title=title)

    assert NOT_VICE_PRINCIPAL_FLAG in queue_flags_of(reviewer_client, zhejiang_window, application)
    assert lead_item(application) is True  # explained

    Application.objects.filter(pk=application.pk).update(lead_title_note="")
    assert lead_item(application) is False
    assert "lead_title_note" in check_application(reload(application)).missing


@pytest.mark.parametrize(
    ("school_type", "title"),
    [
        (SchoolType.HIGHER_VOCATIONAL, "副院长"),
        (SchoolType.HIGHER_VOCATIONAL, "副校长"),
        (SchoolType.SECONDARY_VOCATIONAL, "副校长"),
        (SchoolType.VOCATIONAL_CENTER, "副主任"),
        (SchoolType.OTHER, "副校长"),
    ],
)
def test_a_vice_principal_of_the_schools_kind_is_not_flagged(reviewer_client, batch, zhejiang_window, school_type, title):
    application, _user = submitted_application(batch, "浙江副校长牵头职业学院", school_type=school_type)
    Application.objects.filter(pk=application.pk).update(lead_title=title, lead_title_note="")

    assert NOT_VICE_PRINCIPAL_FLAG not in queue_flags_of(reviewer_client, zhejiang_window, application)
    assert lead_item(application) is True
