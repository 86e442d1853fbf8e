"""Every rule of the 实验校资格申请表, one test each way, checked over what is stored.

Each test starts from a complete application (conftest's fill_complete), changes one thing in the
database and reads the rules' verdict back: the exact field keys that are missing or invalid, and
the Chinese message the school sees next to that field."""
import pytest

from applications.models import Application, ProjectCategory, TeamMember
from applications.rules import PLAN_MIN_ZI, check_application
from applications.wordcount import count_zi
from portal.models import SchoolType

MOBILE_MESSAGE = "请输入 11 位中国大陆手机号码，以 13–19 开头，例如 13812345678。"
TITLE_NOTE_MESSAGE = (
    "通知要求由副校长担任项目负责人（高等职业院校也可为副院长，职教中心也可为副主任）；负责人为其他职务时，请简要说明原因。"
)

pytestmark = pytest.mark.django_db


def stored(application, **changes) -> Application:
    """Save `changes` and return the application as a fresh read from the database."""
    for name, value in changes.items():
        setattr(application, name, value)
    application.save()
    return Application.objects.get(pk=application.pk)


def verdict(application):
    result = check_application(Application.objects.get(pk=application.pk))
    return result.missing, result.invalid


def set_projects(application, *codes):
    application.projects.set(ProjectCategory.objects.filter(code__in=codes))


def test_the_complete_fixture_breaks_no_rule(complete_application_a):
    # The baseline of every test below: with nothing changed there is nothing to report.
    result = check_application(complete_application_a)
    assert (result.missing, result.invalid, result.complete) == ({}, {}, True)
    assert {key: state.label for key, state in result.sections.items()} == {
        "basic": "已完成", "people": "已完成", "team": "已完成", "projects": "已完成",
        "plan": "已完成", "pledge": "已完成", "opinions": "已完成",
    }  # fmt: skip


def test_an_empty_application_is_incomplete_in_every_section(application_a):
    result = check_application(application_a)
    assert result.complete is False
    # Missing values only: an empty draft has nothing that could be wrong yet.
    assert result.invalid == {}
    assert {key for key, state in result.sections.items() if not state.complete} == {
        "people", "team", "projects", "plan", "pledge", "opinions",
    }  # fmt: skip
    assert result.sections["people"].label == "未完成"


# --- 负责人 / 项目对接人 手机 ---------------------------------------------------------------------


@pytest.mark.parametrize("field_name", ["lead_mobile", "liaison_mobile"])
def test_a_valid_mobile_passes(complete_application_a, field_name):
    stored(complete_application_a, **{field_name: "13812345678"})
    assert verdict(complete_application_a) == ({}, {})


@pytest.mark.parametrize("field_name", ["lead_mobile", "liaison_mobile"])
@pytest.mark.parametrize("value", ["1381234567", "12812345678", "138-1234-5678"])
def test_an_invalid_mobile_is_invalid_with_the_mobile_message(complete_application_a, field_name, value):
    stored(complete_application_a, **{field_name: value})
    assert verdict(complete_application_a) == ({}, {field_name: [MOBILE_MESSAGE]})


@pytest.mark.parametrize(
    ("field_name", "message"), [("lead_mobile", "请填写负责人手机。"), ("liaison_mobile", "请填写项目对接人手机。")]
)
def test_a_missing_mobile_is_missing_not_invalid(complete_application_a, field_name, message):
    stored(complete_application_a, **{field_name: ""})
    assert verdict(complete_application_a) == ({field_name: [message]}, {})


@pytest.mark.parametrize(
    ("field_name", "message"),
    [
        ("lead_title", "请填写负责人职务。"),
        ("liaison_name", "请填写项目对接人姓名。"),
        ("liaison_title", "请填写项目对接人职务。"),
    ],
)
def test_names_and_titles_are_required(complete_application_a, field_name, message):
    # The form strips surrounding blanks, so an emptied field is stored as "".
    stored(complete_application_a, **{field_name: ""})
    assert verdict(complete_application_a) == ({field_name: [message]}, {})


# --- 负责人职务 ---------------------------------------------------------------------------------


# 七、4. 有团队：应成立由副校长为项目负责人的项目小组。A 副校长 leads in any kind of school; where the
# kind of school is headed by a 院长 (a 高等职业院校, a 学院) or a 主任 (a 职教中心) rather than a 校长, the
# deputy of that head counts too, in that kind of school only. 常务 names the executive one among the
# deputies, who holds the same rank.
ACCEPTED_TITLES = {
    SchoolType.HIGHER_VOCATIONAL: ["副校长", "常务副校长", "副院长", "常务副院长"],
    SchoolType.SECONDARY_VOCATIONAL: ["副校长", "常务副校长"],
    SchoolType.VOCATIONAL_CENTER: ["副校长", "常务副校长", "副主任", "常务副主任"],
    SchoolType.OTHER: ["副校长", "常务副校长"],
}
# Titles that contain an accepted one but name someone else: the deputy head of a department, an
# assistant, a former holder, and the head (not a deputy) of the school.
NOT_VICE_PRINCIPALS = ["继续教育学院副院长", "办公室副主任", "副校长助理", "原副校长", "校长", "副校长（退休）"]


def with_school_type(application, school_type):
    application.school.school_type = school_type
    application.school.save()


@pytest.mark.parametrize(
    ("school_type", "title"), [(school_type, title) for school_type, titles in ACCEPTED_TITLES.items() for title in titles]
)
def test_a_vice_principal_of_the_schools_kind_leads_without_explanation(complete_application_a, school_type, title):
    with_school_type(complete_application_a, school_type)
    stored(complete_application_a, lead_title=title, lead_title_note="")
    assert verdict(complete_application_a) == ({}, {})


@pytest.mark.parametrize("title", [" 副校长", "副校长 ", "\u3000副院长\u3000", "\t常务副校长\n"])
def test_blanks_around_the_title_do_not_matter(complete_application_a, title):
    stored(complete_application_a, lead_title=title, lead_title_note="")
    assert verdict(complete_application_a) == ({}, {})


@pytest.mark.parametrize("school_type", list(SchoolType))
@pytest.mark.parametrize("title", NOT_VICE_PRINCIPALS)
def test_a_title_that_only_contains_a_vice_principals_needs_an_explanation(complete_application_a, school_type, title):
    with_school_type(complete_application_a, school_type)
    stored(complete_application_a, lead_title=title, lead_title_note="")
    assert verdict(complete_application_a) == ({"lead_title_note": [TITLE_NOTE_MESSAGE]}, {})


@pytest.mark.parametrize(
    ("school_type", "title"),
    [
        (SchoolType.HIGHER_VOCATIONAL, "副主任"),  # in a 高职院校 a 副主任 is deputy head of an office
        (SchoolType.SECONDARY_VOCATIONAL, "副院长"),
        (SchoolType.SECONDARY_VOCATIONAL, "副主任"),
        (SchoolType.VOCATIONAL_CENTER, "副院长"),
        (SchoolType.OTHER, "副院长"),  # 其他相关单位: the kind tells nothing about who heads it
        (SchoolType.OTHER, "副主任"),
    ],
)
def test_the_deputy_of_another_kind_of_schools_head_needs_an_explanation(complete_application_a, school_type, title):
    with_school_type(complete_application_a, school_type)
    stored(complete_application_a, lead_title=title, lead_title_note="")
    assert verdict(complete_application_a) == ({"lead_title_note": [TITLE_NOTE_MESSAGE]}, {})


def test_another_title_without_explanation_is_missing_the_note(complete_application_a):
    stored(complete_application_a, lead_title="教务处处长", lead_title_note="")
    missing, invalid = verdict(complete_application_a)
    assert (missing, invalid) == ({"lead_title_note": [TITLE_NOTE_MESSAGE]}, {})
    assert "副校长" in missing["lead_title_note"][0]


def test_another_title_with_an_explanation_is_complete(complete_application_a):
    stored(complete_application_a, lead_title="教务处处长", lead_title_note="学校副校长岗位空缺，由教务处处长牵头。")
    assert check_application(complete_application_a).complete is True


# --- 项目小组成员 -------------------------------------------------------------------------------


def test_a_team_of_two_is_incomplete(complete_application_a):
    complete_application_a.team.order_by("position").last().delete()
    assert verdict(complete_application_a) == ({"team": ["项目小组成员至少 3 人（含负责人），目前 2 人。"]}, {})


def test_a_team_of_three_is_enough(complete_application_a):
    assert complete_application_a.team.count() == 3  # arrange: the fixture stores exactly three
    assert verdict(complete_application_a) == ({}, {})


def test_blank_stored_rows_do_not_count_towards_the_team(complete_application_a):
    complete_application_a.team.order_by("position").last().delete()
    TeamMember.objects.create(application=complete_application_a, position=5)
    missing, _invalid = verdict(complete_application_a)
    assert missing == {"team": ["项目小组成员至少 3 人（含负责人），目前 2 人。"]}


def test_the_first_row_must_be_the_lead(complete_application_a):
    first = complete_application_a.team.order_by("position").first()
    first.name = "刘芳芳"
    first.save()
    assert verdict(complete_application_a) == ({}, {"team": ["项目小组成员的第一行应为负责人（王晓燕）。"]})


def test_the_lead_in_another_row_than_the_first_is_invalid(complete_application_a):
    rows = list(complete_application_a.team.order_by("position"))
    rows[0].position, rows[1].position = 1, 0
    TeamMember.objects.bulk_update(rows[:2], ["position"])
    _missing, invalid = verdict(complete_application_a)
    assert list(invalid) == ["team"]


def test_an_invalid_mobile_in_a_team_row_is_reported_for_that_row(complete_application_a):
    second = complete_application_a.team.order_by("position")[1]
    second.mobile = "0571-88031215"  # a landline: the table asks for a mobile
    second.save()
    assert verdict(complete_application_a) == ({}, {"team-1-mobile": [MOBILE_MESSAGE]})


def test_a_team_row_without_a_duty_is_missing_it(complete_application_a):
    third = complete_application_a.team.order_by("position")[2]
    third.duty = ""
    third.save()
    assert verdict(complete_application_a) == ({"team-2-duty": ["请填写第 3 位成员的分工。"]}, {})


# --- 具体实施项目 -------------------------------------------------------------------------------


def test_no_project_is_missing(complete_application_a):
    set_projects(complete_application_a)
    assert verdict(complete_application_a) == ({"projects": ["请选择 1–2 个具体实施项目。"]}, {})


@pytest.mark.parametrize(
    "codes", [("elderly-education",), ("elderly-education", "rural-revitalisation")], ids=["one", "two"]
)
def test_one_or_two_projects_are_fine(complete_application_a, codes):
    set_projects(complete_application_a, *codes)
    assert verdict(complete_application_a) == ({}, {})


def test_three_projects_are_too_many(complete_application_a):
    set_projects(complete_application_a, "elderly-education", "rural-revitalisation", "continuing-education")
    assert verdict(complete_application_a) == ({}, {"projects": ["具体实施项目最多选择 2 个，目前选择了 3 个。"]})


def test_other_without_its_name_is_missing_the_name(complete_application_a):
    set_projects(complete_application_a, "other")
    stored(complete_application_a, other_project_name="")
    assert verdict(complete_application_a) == ({"other_project_name": ["选择“其它”时，请填写项目名称。"]}, {})


def test_other_with_its_name_is_fine(complete_application_a):
    set_projects(complete_application_a, "elderly-education", "other")
    stored(complete_application_a, other_project_name="社区心理健康教育")
    assert verdict(complete_application_a) == ({}, {})


def test_a_name_for_other_without_choosing_other_is_invalid(complete_application_a):
    stored(complete_application_a, other_project_name="社区心理健康教育")
    assert verdict(complete_application_a) == ({}, {"other_project_name": ["填写了其它项目名称，但未勾选“其它”。"]})


# --- 实验方案 2000 字 ---------------------------------------------------------------------------


def plan_of(total_zi: int) -> dict[str, str]:
    """Five plan sections whose 字数 adds up to `total_zi`, with a Latin word and a number in the
    content so that the rule must count runs, not characters."""
    fixed = {
        "plan_name": "终身学习实验方案",  # 8
        "plan_content": " COVID-19 2023",  # 2 runs
        "plan_steps": "步" * 100,
        "plan_goals": "标" * 100,
        "plan_features": "特" * 100,
    }
    used = sum(count_zi(text) for text in fixed.values())  # 310
    fixed["plan_content"] = "学" * (total_zi - used) + fixed["plan_content"]
    return fixed


def test_a_plan_of_1999_zi_is_one_short(complete_application_a):
    plan = plan_of(PLAN_MIN_ZI - 1)
    assert sum(count_zi(text) for text in plan.values()) == 1999  # arrange: the texts are right
    stored(complete_application_a, **plan)
    result = check_application(complete_application_a)
    assert result.plan_zi == 1999
    assert (result.missing, result.invalid) == (
        {"plan_content": ["实验方案（名称、内容、步骤、目标、特色）合计至少 2000 字，目前 1999 字。"]},
        {},
    )


def test_a_plan_of_2000_zi_is_enough(complete_application_a):
    plan = plan_of(PLAN_MIN_ZI)
    assert sum(count_zi(text) for text in plan.values()) == 2000
    stored(complete_application_a, **plan)
    result = check_application(complete_application_a)
    assert (result.plan_zi, result.missing, result.invalid) == (2000, {}, {})


def test_plan_characters_count_not_string_length(complete_application_a):
    # 2000 code points, but the Latin words make it fewer 字: "COVID" is five characters, one 字.
    plan = plan_of(PLAN_MIN_ZI)
    plan["plan_content"] = plan["plan_content"].replace("学" * 5, "COVID ", 1)
    stored(complete_application_a, **plan)
    assert check_application(complete_application_a).plan_zi == 1996


@pytest.mark.parametrize(
    ("field_name", "label"),
    [("plan_name", "名称"), ("plan_steps", "步骤"), ("plan_goals", "目标"), ("plan_features", "特色")],
)
def test_every_plan_section_is_required_even_when_the_total_is_reached(complete_application_a, field_name, label):
    plan = plan_of(PLAN_MIN_ZI + 200)
    plan["plan_content"] += "学" * 200  # make up for the emptied section
    plan[field_name] = ""
    stored(complete_application_a, **plan)
    assert verdict(complete_application_a) == ({field_name: [f"请填写实验方案的{label}。"]}, {})


# --- 单位承诺书 ---------------------------------------------------------------------------------


def test_the_pledge_signed_by_someone_else_is_invalid(complete_application_a):
    stored(complete_application_a, pledge_signatory="何晓东")
    assert verdict(complete_application_a) == ({}, {"pledge_signatory": ["承诺书须由负责人（王晓燕）签字确认。"]})


def test_the_pledge_signed_by_the_lead_is_fine(complete_application_a):
    stored(complete_application_a, pledge_signatory="王晓燕")
    assert verdict(complete_application_a) == ({}, {})


def test_the_pledge_without_a_signatory_is_missing_it(complete_application_a):
    stored(complete_application_a, pledge_signatory="")
    assert verdict(complete_application_a) == ({"pledge_signatory": ["请填写负责人签字（输入负责人姓名）。"]}, {})


def test_the_pledge_not_accepted_is_missing_the_acceptance(complete_application_a):
    stored(complete_application_a, pledge_accepted_at=None)
    assert verdict(complete_application_a) == ({"pledge_accept": ["请阅读并确认单位承诺书。"]}, {})


# --- 单位意见与上级主管部门意见 -----------------------------------------------------------------


def test_the_unit_opinion_is_required(complete_application_a):
    stored(complete_application_a, unit_opinion="\n")
    result = check_application(complete_application_a)
    assert (result.missing, result.invalid) == ({"unit_opinion": ["请填写单位意见。"]}, {})
    assert result.sections["opinions"].label == "未完成"


def test_the_supervising_authoritys_opinion_is_not_the_schools_to_type(complete_application_a):
    # 上级主管部门意见 on the notice's form is the authority's own: written and sealed (单位盖章,
    # 年 月 日) by hand on the printed form. Nothing of it, not even the authority's name, is
    # asked of the school online.
    stored(complete_application_a, supervisor_name="", supervisor_opinion="", supervisor_date=None)
    result = check_application(complete_application_a)
    assert (result.missing, result.invalid, result.complete) == ({}, {}, True)
    assert result.sections["opinions"].label == "已完成"


# --- 一、学校基本信息 ---------------------------------------------------------------------------


def test_a_school_without_an_address_leaves_the_basic_section_incomplete(complete_application_a):
    complete_application_a.school.address = ""
    complete_application_a.school.save()
    assert verdict(complete_application_a) == ({"route": ["请填写单位地址（在“单位信息”中填写）。"]}, {})


def test_an_invalid_value_marks_its_section_as_having_errors(complete_application_a):
    stored(complete_application_a, lead_mobile="12345")
    result = check_application(complete_application_a)
    assert (result.sections["people"].label, result.complete) == ("有错误", False)
