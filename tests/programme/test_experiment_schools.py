"""Publishing a batch's list makes each selected school a 实验校 of the batch (once, however often it
runs), with its 具体实施项目 and 项目小组 carried over from the application; the 实验周期 (五: 实验周期：
三年) starts at the 项目工作会议 that announced the list (八.3: 2023年6月) and ends three years later.
The school keeps its team current: a new 负责人 is still a vice-principal (七.4), changes are logged."""
from datetime import date, datetime
from datetime import timezone as dt_timezone

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from applications.models import Application, Batch, ProjectCategory, Status, TeamMember
from applications.workflow import WorkflowError
from programme.experiment_schools import (
    MemberRow, cycle_move, experiment_school_complete, experiment_schools_create_for, projects_update, team_update,
)  # fmt: skip
from programme.models import ExperimentLogEntry, ExperimentSchool, ExperimentStatus
from programme.selectors import cycle_label, workspace
from review.decisions import file_list, publish
from review.rubric import rubric_ensure_default
from tests.conftest import aware
from tests.programme.conftest import MEETING, published_batch, selected_application
from tests.review.national_helpers import decided_pair

# ---- Made by publication -------------------------------------------------------------------------


@pytest.fixture
def decided(batch, staff_user, private_media):
    """Two scored applications of the second batch: a Sichuan college selected, a Hubei 职教中心 not."""
    rubric_ensure_default(batch)
    made = decided_pair(batch, staff_user, selected_name="四川入选职业技术学院", other_name="武汉未入选职业教育中心")
    file_list(batch=batch, actor=staff_user, now=aware(2023, 6, 20, 10, 0))
    return made


def test_publishing_the_list_makes_each_selected_school_a_experiment_school_with_its_projects_and_team(batch, decided, staff_user):
    publish(batch=batch, actor=staff_user, meeting=MEETING, meeting_on=date(2023, 6, 28), now=aware(2023, 6, 28, 15, 0))

    [experiment_school] = ExperimentSchool.objects.all()
    application = decided["yes"]
    assert (experiment_school.application, experiment_school.school, experiment_school.batch) == (application, application.school, batch)
    assert (experiment_school.cycle_starts_on, experiment_school.cycle_ends_on) == (date(2023, 6, 28), date(2026, 6, 27))
    assert experiment_school.status == ExperimentStatus.ACTIVE and experiment_school.get_status_display() == "实验中"
    assert (experiment_school.lead_name, experiment_school.lead_title) == ("王晓燕", "副院长")
    assert [p.category.name for p in experiment_school.projects.all()] == ["职业教育助力乡村振兴", "老年教育赋能提质"]
    assert [(m.name, m.title) for m in experiment_school.team.all()] == [("王晓燕", "副院长"), ("何晓东", "讲师"), ("刘芳", "副教授")]
    [entry] = experiment_school.log.all()
    assert (entry.action, entry.actor, entry.to_status) == ("created", staff_user, "active")
    assert entry.reason == f"第二批实验校名单公布（{MEETING}，2023年06月28日）"


def test_a_second_run_adds_nothing(batch, decided, staff_user):
    publish(batch=batch, actor=staff_user, meeting=MEETING, meeting_on=date(2023, 6, 28), now=aware(2023, 6, 28, 15, 0))
    assert experiment_schools_create_for(batch=batch) == 0
    call_command("create_experiment_schools", "--batch", str(batch.pk))
    assert ExperimentSchool.objects.count() == 1 and ExperimentLogEntry.objects.count() == 1


def test_later_changes_of_the_team_leave_the_submitted_application_as_it_was(trio):
    experiment_school, user = trio["zj"]
    team_update(experiment_school=experiment_school, actor=user, lead_name="陈立", lead_title="副校长", lead_mobile="13812345678",
                liaison_name="何晓东", liaison_title="办公室主任", liaison_mobile="13700000001",
                members=[MemberRow("陈立", "副校长", "校办", "13812345678", "统筹"), MemberRow("何晓东", "讲师", "继续教育学院", "13600000001", "课程开发"),
                         MemberRow("刘芳", "副教授", "继续教育学院", "13600000002", "培训")])  # fmt: skip
    application = experiment_school.application
    application.refresh_from_db()
    assert application.lead_name == "王晓燕"
    assert list(TeamMember.objects.filter(application=application).values_list("name", flat=True)) == ["王晓燕", "何晓东", "刘芳"]


def test_the_command_serves_lists_published_before_and_refuses_an_unpublished_batch(second_batch):
    application, _user = selected_application(second_batch, "福建补建职业技术学院", "350000")
    batch = published_batch("第三批实验校", 2024, "中成协〔2024〕001号", meeting_on=date(2024, 6, 26))
    Batch.objects.filter(pk=batch.pk).update(published_at=None, cycle_starts_on=None)
    call_command("create_experiment_schools", "--batch", str(second_batch.pk))
    assert ExperimentSchool.objects.get().application == application
    with pytest.raises(CommandError, match="名单尚未公布"):
        call_command("create_experiment_schools", "--batch", str(batch.pk))
    with pytest.raises(WorkflowError) as refused:
        experiment_schools_create_for(batch=batch)
    assert refused.value.code == "not_published"


def test_only_selected_schools_become_experiment_schools(trio):
    names = set(ExperimentSchool.objects.values_list("school__name", flat=True))
    assert names == {"浙江实验职业技术学院", "江苏实验职业技术学院", "四川实验职业技术学院"}
    assert Application.objects.filter(status=Status.NOT_SELECTED).count() == 1


# ---- The cycle (五: 实验周期：三年) -------------------------------------------------------------------


def test_a_list_announced_on_28_june_2023_runs_to_27_june_2026_by_year(trio):
    experiment_school, _user = trio["zj"]
    assert (experiment_school.cycle_starts_on, experiment_school.cycle_ends_on) == (date(2023, 6, 28), date(2026, 6, 27))
    assert experiment_school.cycle_year(date(2023, 6, 27)) is None  # the day before the meeting
    assert experiment_school.cycle_year(date(2023, 6, 28)) == 1
    assert experiment_school.cycle_year(date(2024, 6, 27)) == 1
    assert experiment_school.cycle_year(date(2024, 6, 28)) == 2
    assert experiment_school.cycle_year(date(2024, 7, 1)) == 2
    assert experiment_school.cycle_year(date(2025, 6, 28)) == 3
    assert experiment_school.cycle_year(date(2026, 6, 27)) == 3
    assert experiment_school.cycle_year(date(2026, 6, 28)) is None


def test_days_left_count_today_and_end_at_zero(trio):
    experiment_school, _user = trio["zj"]
    assert experiment_school.days_left(date(2023, 6, 28)) == 1096  # 2024 is a leap year
    assert experiment_school.days_left(date(2024, 7, 1)) == 727
    assert experiment_school.days_left(date(2026, 6, 27)) == 1
    assert experiment_school.days_left(date(2026, 6, 28)) == 0
    assert cycle_label(experiment_school, date(2024, 7, 1)) == "实验周期第 2 年（至 2026-06-27，还剩 727 天）"
    assert cycle_label(experiment_school, date(2026, 7, 1)) == "实验周期已于 2026-06-27 期满"


def test_the_workspace_reads_the_year_in_beijing_time(trio):
    experiment_school, _user = trio["zj"]
    utc = dt_timezone.utc
    # 16:30 UTC on 27 June 2024 is already 00:30 on the 28th in Beijing: year 2 has begun.
    assert workspace(experiment_school, now=datetime(2024, 6, 27, 15, 30, tzinfo=utc)).cycle_year == 1
    second_year = workspace(experiment_school, now=datetime(2024, 6, 27, 16, 30, tzinfo=utc))
    assert (second_year.cycle_year, second_year.days_left) == (2, 730)


def test_staff_may_move_the_start_of_a_batchs_cycle_not_before_the_meeting(trio, second_batch, staff_user):
    assert cycle_move(batch=second_batch, starts_on=date(2023, 9, 1), actor=staff_user, reason="按新学年起算") == 3
    experiment_school = ExperimentSchool.objects.get(pk=trio["zj"][0].pk)
    assert (experiment_school.cycle_starts_on, experiment_school.cycle_ends_on) == (date(2023, 9, 1), date(2026, 8, 31))
    assert experiment_school.log.get(action="cycle").reason == "实验周期由 2023-06-28 至 2026-06-27 调整为 2023-09-01 至 2026-08-31：按新学年起算"
    with pytest.raises(WorkflowError) as refused:
        cycle_move(batch=second_batch, starts_on=date(2023, 6, 1), actor=staff_user, reason="误")
    assert refused.value.code == "cycle_before_meeting"


def test_a_experiment_school_completes_only_after_its_three_years(trio, staff_user):
    experiment_school, _user = trio["zj"]
    with pytest.raises(WorkflowError) as refused:
        experiment_school_complete(experiment_school=experiment_school, actor=staff_user, now=aware(2026, 6, 27, 18, 0))
    assert refused.value.code == "cycle_running"
    experiment_school_complete(experiment_school=experiment_school, actor=staff_user, now=aware(2026, 6, 28, 9, 0))
    experiment_school.refresh_from_db()
    assert experiment_school.get_status_display() == "已结项"
    entry = experiment_school.log.get(action="status")
    assert (entry.from_status, entry.to_status, entry.reason) == ("active", "completed", "三年实验周期（2023-06-28 至 2026-06-27）期满结项")


# ---- Team and projects kept current ---------------------------------------------------------------------


def team_of(lead=("陈立", "副校长", "13812345678"), note=""):
    return dict(
        lead_name=lead[0], lead_title=lead[1], lead_mobile=lead[2], lead_title_note=note,
        liaison_name="何晓东", liaison_title="办公室主任", liaison_mobile="13700000001",
        members=[MemberRow(lead[0], lead[1], "校办", lead[2], "统筹"), MemberRow("何晓东", "讲师", "继续教育学院", "13600000001", "课程开发"),
                 MemberRow("刘芳", "副教授", "继续教育学院", "13600000002", "培训")],
    )  # fmt: skip


def test_a_new_lead_who_is_a_vice_principal_is_saved_and_logged(trio):
    experiment_school, user = trio["zj"]
    team_update(experiment_school=experiment_school, actor=user, **team_of())
    experiment_school.refresh_from_db()
    assert (experiment_school.lead_name, experiment_school.lead_title) == ("陈立", "副校长")
    assert [m.name for m in experiment_school.team.all()] == ["陈立", "何晓东", "刘芳"]
    entry = experiment_school.log.get(action="team")
    assert entry.actor == user
    assert entry.reason.startswith("负责人：王晓燕（副院长，13800000001） → 陈立（副校长，13812345678）；项目小组成员：")


def test_a_new_lead_who_is_no_vice_principal_needs_an_explanation(trio):
    experiment_school, user = trio["zj"]
    with pytest.raises(ValidationError) as refused:
        team_update(experiment_school=experiment_school, actor=user, **team_of(lead=("陈立", "教务处处长", "13812345678")))
    assert refused.value.message_dict["lead_title_note"] == [
        "通知要求由副校长担任项目负责人（高等职业院校也可为副院长，职教中心也可为副主任）；负责人为其他职务时，请简要说明原因。"]
    experiment_school.refresh_from_db()
    assert experiment_school.lead_name == "王晓燕" and experiment_school.log.count() == 1

    team_update(experiment_school=experiment_school, actor=user,
                **team_of(lead=("陈立", "教务处处长", "13812345678"), note="副校长岗位空缺，由教务处处长牵头。"))  # fmt: skip
    experiment_school.refresh_from_db()
    assert (experiment_school.lead_title, experiment_school.lead_title_note) == ("教务处处长", "副校长岗位空缺，由教务处处长牵头。")


def test_the_team_keeps_three_members_with_the_lead_first_and_valid_mobiles(trio):
    experiment_school, user = trio["zj"]
    team = team_of()
    team["members"] = [team["members"][1], MemberRow("赵敏", "讲师", "", "1234", "宣传")]
    with pytest.raises(ValidationError) as refused:
        team_update(experiment_school=experiment_school, actor=user, **team)
    problems = refused.value.message_dict
    assert problems["team"] == ["项目小组成员至少 3 人（含负责人），目前 2 人。"]
    assert "team-1-mobile" in problems
    team = team_of()
    team["members"] = team["members"][1:] + team["members"][:1]
    with pytest.raises(ValidationError) as refused:
        team_update(experiment_school=experiment_school, actor=user, **team)
    assert refused.value.message_dict["team"] == ["项目小组成员的第一行应为负责人（陈立）。"]


def test_saving_the_same_team_again_logs_nothing(trio):
    experiment_school, user = trio["zj"]
    team_update(experiment_school=experiment_school, actor=user, **team_of())
    team_update(experiment_school=experiment_school, actor=user, **team_of())
    assert experiment_school.log.filter(action="team").count() == 1


def test_projects_stay_one_or_two_and_other_needs_its_name(trio):
    experiment_school, user = trio["zj"]
    other = ProjectCategory.objects.get(is_other=True)
    elderly = ProjectCategory.objects.get(code="elderly-education")
    with pytest.raises(ValidationError) as refused:
        projects_update(experiment_school=experiment_school, actor=user, categories=[other, elderly])
    assert refused.value.message_dict == {"other_project_name": ["选择“其它”时，请填写项目名称。"]}
    with pytest.raises(ValidationError) as refused:
        projects_update(experiment_school=experiment_school, actor=user, categories=list(ProjectCategory.objects.all()[:3]))
    assert refused.value.message_dict == {"projects": ["请选择 1–2 个具体实施项目。"]}
    projects_update(experiment_school=experiment_school, actor=user, categories=[elderly, other], other_name="非遗传承进社区")
    assert [str(p) for p in experiment_school.projects.all()] == ["老年教育赋能提质", "其它：非遗传承进社区"]
    assert experiment_school.log.get(action="projects").reason == "具体实施项目：职业教育助力乡村振兴、老年教育赋能提质 → 老年教育赋能提质、其它：非遗传承进社区"


def test_a_school_no_longer_experimenting_cannot_change_its_team(trio, staff_user):
    experiment_school, user = trio["zj"]
    experiment_school_complete(experiment_school=experiment_school, actor=staff_user, now=aware(2026, 7, 1, 9, 0))
    with pytest.raises(WorkflowError) as refused:
        team_update(experiment_school=experiment_school, actor=user, **team_of())
    assert refused.value.code == "not_active"


def test_a_school_that_left_the_programme_is_no_longer_flagged_as_a_current_experiment_school(trio, second_batch):
    """七.7 (实验校有退出项目实施的权力; 连续两次不参与项目组活动视为退出): once a 实验校 has left, it is
    not a current 实验校 any more when it applies to a later batch (the flag of notice 五: 实验周期三年)."""
    from applications.selectors import experiment_memberships
    from programme.models import ExperimentStatus

    (zj, _), (js, _), (sc, _) = trio["zj"], trio["js"], trio["sc"]
    ExperimentSchool.objects.filter(pk=js.pk).update(status=ExperimentStatus.WITHDRAWN)
    ExperimentSchool.objects.filter(pk=sc.pk).update(status=ExperimentStatus.DEEMED_WITHDRAWN)
    found = experiment_memberships([zj.school_id, js.school_id, sc.school_id], on=date(2024, 4, 20))
    assert set(found) == {zj.school_id}
    assert found[zj.school_id][0].label == "现为第二批实验校（实验周期至 2026-06-27）"
