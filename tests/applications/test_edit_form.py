"""The 申请表 edit page through the test client: what a school types is stored and shown back, a
draft keeps everything even when it breaks a rule, and refusals say why in Chinese."""
import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, ProjectCategory, TeamMember
from tests.applications.pages import descriptions, form_values, read_form, section_badges
from tests.conftest import plan_fields

FORM_ID = "application-form"
MOBILE_MESSAGE = "请输入 11 位中国大陆手机号码，以 13–19 开头，例如 13812345678。"
NOT_SAVED_MESSAGE = "未保存：有几项内容无法保存（见标红处），其余内容仍在页面上，请修改后再保存。"
TEAM_FIELDS = ("name", "title", "department", "mobile", "duty")
SUPERVISOR_HELP = "上级主管部门意见由该部门在打印的申请表上填写、盖章并签署日期，网上无需填写；填写部门名称后，会印在该栏中。"

# Every field of the form, as a browser posts it. Text with markup characters and line breaks
# checks that what comes back is what was typed, not an escaped or trimmed version.
FILLED = {
    "route": "provincial",
    "lead_name": "王晓燕",
    "lead_title": "副院长",
    "lead_mobile": "13800000001",
    "lead_title_note": "",
    "liaison_name": "何晓东",
    "liaison_title": "继续教育学院办公室主任",
    "liaison_mobile": "13700000001",
    "other_project_name": "",
    **plan_fields(),
    "pledge_signatory": "王晓燕",
    "pledge_accept": "on",
    "unit_opinion": "同意申报。\n学校在人员、经费、场地等方面给予保障 <承诺> & 支持。",
    "supervisor_name": "浙江省教育厅职业教育与成人教育处",
}
FILLED["plan_steps"] = "第一阶段：调研与启动。\n第二阶段：推进与完善。\n\n第三阶段：总结与推广。" + FILLED["plan_steps"]

TEAM = [
    ("王晓燕", "副院长", "校领导", "13800000001", "项目总负责"),
    ("何晓东", "讲师", "继续教育学院", "13700000001", "项目对接与日常管理"),
    ("刘芳", "副教授", "社区教育中心", "13600000001", "课程开发"),
    ("陈静", "高级讲师", "老年大学", "13500000001", "老年教育课程"),
]


def team_data(rows, *, ids=(), deleted=()) -> dict[str, str]:
    """The team formset's fields: management form plus one group of fields per row."""
    data = {
        "team-TOTAL_FORMS": str(len(rows)),
        "team-INITIAL_FORMS": str(len(ids)),
        "team-MIN_NUM_FORMS": "0",
        "team-MAX_NUM_FORMS": "30",
    }
    for index, row in enumerate(rows):
        for name, value in zip(TEAM_FIELDS, row):
            data[f"team-{index}-{name}"] = value
        if index < len(ids):
            data[f"team-{index}-id"] = str(ids[index])
        if index in deleted:
            data[f"team-{index}-DELETE"] = "on"
    return data


def project_ids(*codes) -> list[str]:
    return [str(pk) for pk in ProjectCategory.objects.filter(code__in=codes).order_by("position").values_list("pk", flat=True)]


def stored_team(application) -> list[tuple]:
    return list(application.team.order_by("position").values_list(*TEAM_FIELDS))


def edit_url(application, query="") -> str:
    return reverse("applications:edit", args=[application.pk]) + query


@pytest.fixture
def school_client(client, user_a):
    client.force_login(user_a)
    return client


def as_opened(application, data: dict) -> dict:
    """`data` as the edit page opened now would post it: with the revision the page carries."""
    return {**data, "revision": str(Application.objects.get(pk=application.pk).revision)}


def page_values(client, application, query=""):
    """What the edit page would submit if the school pressed 保存草稿 now."""
    response = client.get(edit_url(application, query))
    assert response.status_code == 200
    return form_values(response.content.decode(), FORM_ID)


def test_a_full_draft_comes_back_unchanged_on_the_page_and_in_the_database(school_client, application_a):
    projects = project_ids("elderly-education", "continuing-education")
    data = as_opened(application_a, {**FILLED, "projects": projects, **team_data(TEAM)})

    response = school_client.post(edit_url(application_a), data)

    # Saved and sent back to the form (POST/redirect/GET), never a re-post on reload.
    assert (response.status_code, response["Location"]) == (302, edit_url(application_a))
    stored = Application.objects.get(pk=application_a.pk)
    for name, value in FILLED.items():
        if name != "pledge_accept":
            assert getattr(stored, name) == value, name
    assert stored.pledge_accepted_at is not None
    assert stored_team(stored) == TEAM  # in the order typed
    assert list(stored.team.order_by("position").values_list("position", flat=True)) == [0, 1, 2, 3]
    assert sorted(str(pk) for pk in stored.projects.values_list("pk", flat=True)) == sorted(projects)

    shown = page_values(school_client, application_a)
    for name, value in FILLED.items():
        assert shown[name] == value, name
    assert sorted(shown["projects"]) == sorted(projects)
    assert (shown["team-TOTAL_FORMS"], shown["team-INITIAL_FORMS"]) == ("4", "4")
    assert [tuple(shown[f"team-{i}-{name}"] for name in TEAM_FIELDS) for i in range(4)] == TEAM


def test_saving_the_page_as_shown_changes_nothing(school_client, complete_application_a):
    # Pressing 保存草稿 without typing must not change the content, so the version code (and an
    # uploaded scan's validity) stays, and the pledge keeps the time it was accepted. Nothing is
    # written at all (issue 18): no new revision, no history row, the time of the last save kept.
    before = Application.objects.get(pk=complete_application_a.pk)
    history = (before.history.count(), TeamMember.history.filter(application_id=before.pk).count())

    response = school_client.post(edit_url(complete_application_a), page_values(school_client, complete_application_a))

    assert response.status_code == 302
    after = Application.objects.get(pk=complete_application_a.pk)
    assert after.version_code == before.version_code
    assert after.pledge_accepted_at == before.pledge_accepted_at
    assert (after.revision, after.updated_at) == (before.revision, before.updated_at)
    assert (after.history.count(), TeamMember.history.filter(application_id=before.pk).count()) == history
    assert stored_team(after) == stored_team(before)


def test_a_draft_with_an_invalid_mobile_is_stored_and_the_page_flags_the_field(school_client, application_a):
    data = as_opened(application_a, {**FILLED, "lead_mobile": "1381234567", "projects": project_ids("elderly-education"), **team_data(TEAM)})

    response = school_client.post(edit_url(application_a), data, follow=True)

    # Everything typed is kept, the wrong number included: a draft never loses work.
    stored = Application.objects.get(pk=application_a.pk)
    assert (stored.lead_mobile, stored.lead_name, stored.liaison_mobile) == ("1381234567", "王晓燕", "13700000001")
    assert stored.plan_content == FILLED["plan_content"]
    assert stored_team(stored) == TEAM
    html = response.content.decode()
    assert "草稿已保存" in html
    values, attrs = read_form(html, FORM_ID)
    assert values["lead_mobile"] == ["1381234567"]
    assert "is-invalid" in attrs["lead_mobile"]["class"].split()
    # The message is tied to the field: its aria-describedby names the element holding it.
    assert descriptions(html, attrs["lead_mobile"]) == [MOBILE_MESSAGE]
    assert section_badges(html)["people"] == "有错误"


def test_an_invalid_mobile_in_a_team_row_is_flagged_on_that_row(school_client, application_a):
    rows = [TEAM[0], (*TEAM[1][:3], "0571-88031215", TEAM[1][4]), TEAM[2]]

    response = school_client.post(edit_url(application_a), as_opened(application_a, {**FILLED, **team_data(rows)}), follow=True)

    html = response.content.decode()
    _values, attrs = read_form(html, FORM_ID)
    assert "is-invalid" in attrs["team-1-mobile"]["class"].split()
    assert "is-invalid" not in attrs["team-0-mobile"]["class"].split()
    assert descriptions(html, attrs["team-1-mobile"]) == [MOBILE_MESSAGE]


def test_a_team_row_marked_for_deletion_is_removed_and_the_rest_keep_their_order(school_client, application_a):
    school_client.post(edit_url(application_a), as_opened(application_a, {**FILLED, **team_data(TEAM)}))
    values = page_values(school_client, application_a)
    values["team-1-DELETE"] = "on"

    response = school_client.post(edit_url(application_a), values)

    assert response.status_code == 302
    assert stored_team(application_a) == [TEAM[0], TEAM[2], TEAM[3]]
    assert list(application_a.team.order_by("position").values_list("position", flat=True)) == [0, 1, 2]
    assert TeamMember.objects.filter(application=application_a, name="何晓东").exists() is False


def test_blank_team_rows_are_not_stored(school_client, application_a):
    rows = [*TEAM[:3], ("", "", "", "", ""), ("  ", "", " ", "", "")]

    school_client.post(edit_url(application_a), as_opened(application_a, {**FILLED, **team_data(rows)}))

    assert stored_team(application_a) == TEAM[:3]


def test_add_team_row_without_javascript_saves_and_returns_with_one_more_empty_row(school_client, complete_application_a):
    values = page_values(school_client, complete_application_a)
    assert values["team-TOTAL_FORMS"] == "3"  # arrange: three stored rows, no empty one
    values["liaison_name"] = "赵敏"
    values["add_team_row"] = "1"

    response = school_client.post(edit_url(complete_application_a), values)

    assert response.status_code == 302
    assert response["Location"] == edit_url(complete_application_a, "?add_row=1#section-team")
    # What was typed before pressing 增加一行 is not lost.
    assert Application.objects.get(pk=complete_application_a.pk).liaison_name == "赵敏"
    shown = page_values(school_client, complete_application_a, "?add_row=1")
    assert shown["team-TOTAL_FORMS"] == "4"
    assert [shown[f"team-3-{name}"] for name in TEAM_FIELDS] == ["", "", "", "", ""]
    assert shown["team-0-name"] == "王晓燕"


def test_accepting_the_pledge_records_the_time_and_unchecking_clears_it(school_client, application_a):
    before = timezone.now()
    school_client.post(edit_url(application_a), as_opened(application_a, {**FILLED, **team_data(TEAM)}))
    after = timezone.now()
    accepted_at = Application.objects.get(pk=application_a.pk).pledge_accepted_at
    assert accepted_at is not None and before <= accepted_at <= after

    # The page as shown, with the box unticked (a browser then sends no pledge_accept at all).
    values = page_values(school_client, application_a)
    assert values.pop("pledge_accept") == "on"
    school_client.post(edit_url(application_a), values)

    assert Application.objects.get(pk=application_a.pk).pledge_accepted_at is None
    assert "pledge_accept" not in page_values(school_client, application_a)


def test_the_pledge_is_not_accepted_without_the_signatory(school_client, application_a):
    # The 负责人 accepts by typing their name; ticking the box alone records no acceptance.
    school_client.post(edit_url(application_a), as_opened(application_a, {**FILLED, "pledge_signatory": "", **team_data(TEAM)}))

    assert Application.objects.get(pk=application_a.pk).pledge_accepted_at is None


def test_a_value_over_the_length_limit_is_refused_nothing_is_stored_and_the_typed_values_stay(
    school_client, complete_application_a
):
    before = Application.objects.get(pk=complete_application_a.pk)
    values = page_values(school_client, complete_application_a)
    values["lead_name"] = "王" * 51  # the column holds 50
    values["liaison_name"] = "赵敏"

    response = school_client.post(edit_url(complete_application_a), values)

    assert response.status_code == 200
    html = response.content.decode()
    assert NOT_SAVED_MESSAGE in html
    shown, attrs = read_form(html, FORM_ID)
    assert (shown["lead_name"], shown["liaison_name"]) == (["王" * 51], ["赵敏"])
    assert "is-invalid" in attrs["lead_name"]["class"].split()
    assert descriptions(html, attrs["lead_name"]) == ["确保该变量包含不超过 50 字符 (目前字符数 51)。"]
    after = Application.objects.get(pk=complete_application_a.pk)
    assert (after.lead_name, after.liaison_name, after.revision) == ("王晓燕", "何晓东", before.revision)


def test_the_form_leaves_the_supervising_authoritys_opinion_to_the_authority(school_client, application_a):
    # The notice's form: 上级主管部门意见 / 单位盖章 / 年 月 日, filled in by the authority on paper.
    # The school may name the authority (printed in that slot); nothing else of it is asked.
    html = school_client.get(edit_url(application_a)).content.decode()
    values, attrs = read_form(html, FORM_ID)
    assert not {"supervisor_opinion", "supervisor_date"} & (set(values) | set(attrs))
    assert "上级主管部门名称（选填）" in html
    assert descriptions(html, attrs["supervisor_name"]) == [SUPERVISOR_HELP]

    # A value posted anyway (an old page, a hand-made request) is not stored.
    data = as_opened(application_a, {**FILLED, "supervisor_opinion": "同意推荐。", "supervisor_date": "2023-04-10", **team_data(TEAM)})
    school_client.post(edit_url(application_a), data)
    stored = Application.objects.get(pk=application_a.pk)
    assert (stored.supervisor_name, stored.supervisor_opinion, stored.supervisor_date) == (FILLED["supervisor_name"], "", None)


def test_missing_values_are_shown_only_when_the_school_asks_to_check(school_client, application_a):
    plain = school_client.get(edit_url(application_a)).content.decode()
    checked = school_client.get(edit_url(application_a, "?check=1")).content.decode()

    # An empty draft is not covered in red while it is being filled in ...
    assert "请填写负责人姓名。" not in plain
    assert "以下标红的内容需要补充或修改后才能提交。" not in plain
    # ... but "检查并提交" → 返回修改 (?check=1) shows every missing value next to its field.
    assert "以下标红的内容需要补充或修改后才能提交。" in checked
    _values, attrs = read_form(checked, FORM_ID)
    assert descriptions(checked, attrs["lead_name"]) == ["请填写负责人姓名。"]
    assert descriptions(checked, attrs["unit_opinion"]) == ["打印后加盖单位公章。 本栏最多 2000 个字符。", "请填写单位意见。"]
    assert descriptions(checked, attrs["supervisor_name"]) == [SUPERVISOR_HELP]  # optional: never asked for
    assert "项目小组成员至少 3 人（含负责人），目前 0 人。" in checked


def test_section_badges_say_which_parts_are_complete(school_client, complete_application_a):
    html = school_client.get(edit_url(complete_application_a)).content.decode()
    assert section_badges(html) == {
        "basic": "已完成", "people": "已完成", "team": "已完成", "projects": "已完成",
        "plan": "已完成", "pledge": "已完成", "opinions": "已完成",
    }  # fmt: skip


def test_section_badges_of_an_empty_draft_say_incomplete(school_client, application_a):
    html = school_client.get(edit_url(application_a)).content.decode()
    # 学校基本信息 comes from the registered profile, so it is complete from the start.
    assert section_badges(html) == {
        "basic": "已完成", "people": "未完成", "team": "未完成", "projects": "未完成",
        "plan": "未完成", "pledge": "未完成", "opinions": "未完成",
    }  # fmt: skip


def test_a_school_without_a_provincial_window_cannot_choose_the_provincial_route(client, batch, user_direct):
    from applications.services import application_get_or_create

    application = application_get_or_create(batch=batch, school=user_direct.school, actor=user_direct)
    client.force_login(user_direct)

    client.post(edit_url(application), as_opened(application, {**FILLED, "route": "provincial", **team_data(TEAM)}))

    # Sichuan runs no window: a tampered post cannot route the application to a province.
    stored = Application.objects.get(pk=application.pk)
    assert (stored.route, stored.lead_name) == ("direct", "王晓燕")
