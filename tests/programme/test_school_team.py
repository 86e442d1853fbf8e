"""The 实验校 keeps its 项目小组 (负责人 still a vice-principal, 项目对接人, members) and its 1–2
具体实施项目 current (programme/team/): errors next to the field, nothing typed lost, every change
in the log shown on the page; read-only once the school is no longer 实验中."""
import pytest
from django.urls import reverse

from applications.models import ProjectCategory
from programme import exits
from programme.models import ExperimentLogEntry
from tests.programme.school_helpers import second_batch, signed_in  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

URL = "programme:team"


def team_post(experiment_school, **changes) -> dict:
    """The team form as the school would send it: its current people and members, with `changes`
    (people by name, rows as team-<n>-<field>)."""
    data = {"part": "team", **{name: getattr(experiment_school, name) for name in (
        "lead_name", "lead_title", "lead_mobile", "lead_title_note", "liaison_name", "liaison_title", "liaison_mobile")}}  # fmt: skip
    members = list(experiment_school.team.all())
    data.update({"team-TOTAL_FORMS": str(len(members) + 1), "team-INITIAL_FORMS": str(len(members)),
                 "team-MIN_NUM_FORMS": "0", "team-MAX_NUM_FORMS": "30"})  # fmt: skip
    for index, member in enumerate(members):
        for field in ("name", "title", "department", "mobile", "duty"):
            data[f"team-{index}-{field}"] = getattr(member, field)
    data.update(changes)
    return data


def test_the_page_shows_the_team_and_projects_as_they_are(trio):
    zj, user = trio["zj"]
    text = signed_in(user).get(reverse(URL)).content.decode()
    assert f'value="{zj.lead_name}"' in text and f'value="{zj.liaison_mobile}"' in text
    for member in zj.team.all():
        assert f'value="{member.name}"' in text
    ticked = [line for line in text.splitlines() if 'name="categories"' in line and " checked" in line]
    assert [line.split('value="')[1].split('"')[0] for line in ticked] == [str(p.category_id) for p in zj.projects.all()]
    assert "成为实验校" in text  # the first row of the log


def test_a_new_lead_and_a_new_member_are_stored_and_logged(trio):
    zj, user = trio["zj"]
    client = signed_in(user)
    data = team_post(zj, lead_name="陈立新", lead_title="副院长", lead_mobile="13955556666", **{
        "team-0-name": "陈立新", "team-0-title": "副院长", "team-0-mobile": "13955556666",
        "team-3-name": "赵敏", "team-3-title": "讲师", "team-3-department": "继续教育学院", "team-3-mobile": "13955557777",
        "team-3-duty": "社区课程",
    })  # fmt: skip
    response = client.post(reverse(URL), data)
    assert response.status_code == 302 and response["Location"] == reverse(URL)
    zj.refresh_from_db()
    assert (zj.lead_name, zj.lead_mobile) == ("陈立新", "13955556666")
    assert [m.name for m in zj.team.all()] == ["陈立新", "何晓东", "刘芳", "赵敏"]
    entry = zj.log.get(action=ExperimentLogEntry.Action.TEAM)
    assert "负责人：王晓燕（副院长，13800000001） → 陈立新（副院长，13955556666）" in entry.reason
    page = client.get(reverse(URL)).content.decode()
    assert "项目小组已保存" in page and "项目小组变更" in page and "陈立新（副院长，13955556666）" in page


def test_a_lead_who_is_not_a_vice_principal_needs_a_reason_and_nothing_typed_is_lost(trio):
    zj, user = trio["zj"]
    before = list(zj.team.values_list("name", "mobile"))
    data = team_post(zj, lead_name="陈立新", lead_title="教务处处长", lead_mobile="13955556666", **{
        "team-0-name": "陈立新", "team-0-title": "教务处处长", "team-0-mobile": "13955556666",
        "team-2-mobile": "1395555", "team-3-name": "赵敏", "team-3-title": "讲师", "team-3-duty": "社区课程",
    })  # fmt: skip
    response = signed_in(user).post(reverse(URL), data)
    text = response.content.decode()
    assert response.status_code == 400
    note = text.split('id="id_lead_title_note"')[1].split("</div>")[0:3]
    assert "负责人为其他职务时，请简要说明原因。" in "".join(note)
    # Next to the cells of the rows they concern.
    assert 'id="id_team-2-mobile" value="1395555" class="form-control form-control-sm is-invalid"' in text
    assert '<div class="invalid-feedback" id="id_team-2-mobile-error">请输入 11 位中国大陆手机号码' in text
    assert '<div class="invalid-feedback" id="id_team-3-mobile-error">请填写第 4 位成员的手机。</div>' in text
    # Everything typed is still there.
    for typed in ('value="陈立新"', 'value="教务处处长"', 'value="13955556666"', 'value="赵敏"', 'value="社区课程"'):
        assert typed in text
    zj.refresh_from_db()
    assert zj.lead_name == "王晓燕" and list(zj.team.values_list("name", "mobile")) == before
    assert not zj.log.filter(action=ExperimentLogEntry.Action.TEAM).exists()


def test_fewer_than_three_members_is_refused_above_the_table(trio):
    zj, user = trio["zj"]
    data = team_post(zj, **{"team-2-DELETE": "on", "team-1-DELETE": "on"})
    response = signed_in(user).post(reverse(URL), data)
    assert response.status_code == 400
    assert "项目小组成员至少 3 人（含负责人），目前 1 人。" in response.content.decode()
    assert zj.team.count() == 3


def test_without_javascript_one_more_row_is_added_and_nothing_saved(trio):
    zj, user = trio["zj"]
    data = team_post(zj, lead_name="陈立新", **{"add_team_row": "1"})
    response = signed_in(user).post(reverse(URL), data)
    text = response.content.decode()
    assert response.status_code == 200
    assert 'name="team-4-name"' in text and 'value="陈立新"' in text
    zj.refresh_from_db()
    assert zj.lead_name == "王晓燕"


def test_projects_are_kept_current_within_the_notices_bounds(trio):
    zj, user = trio["zj"]
    client = signed_in(user)
    three = list(ProjectCategory.objects.exclude(code__in=["other"]).order_by("position")[:3])
    response = client.post(reverse(URL), {"part": "projects", "categories": [c.pk for c in three]})
    text = response.content.decode()
    assert response.status_code == 400
    assert "请选择 1–2 个具体实施项目。" in text
    assert text.count("checked") == 3  # the three ticked stay ticked
    other = ProjectCategory.objects.get(code="other")
    response = client.post(reverse(URL), {"part": "projects", "categories": [three[0].pk, other.pk], "other_project_name": ""})
    assert "选择“其它”时，请填写项目名称。" in response.content.decode()
    response = client.post(reverse(URL), {"part": "projects", "categories": [three[0].pk, other.pk], "other_project_name": "非遗传承"})
    assert response.status_code == 302
    assert [str(p) for p in zj.projects.all()] == [three[0].name, f"{other.name}：非遗传承"]
    assert "具体实施项目变更" in client.get(reverse(URL)).content.decode()


def test_a_school_that_left_reads_its_team_and_cannot_change_it(trio, staff_user):
    sc, user = trio["sc"]
    exits.withdrawal_acknowledge(request=exits.withdrawal_request(experiment_school=sc, actor=user, reason="学校合并。"), actor=staff_user)
    client = signed_in(user)
    text = client.get(reverse(URL)).content.decode()
    assert "以下内容仅供查阅" in text and "<fieldset disabled>" in text and "保存项目小组" not in text
    response = client.post(reverse(URL), team_post(sc, lead_name="陈立新"))
    assert response.status_code == 403
    sc.refresh_from_db()
    assert sc.lead_name == "王晓燕"
