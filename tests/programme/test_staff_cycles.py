"""Each batch's 实验周期 (notice 五: 实验周期：三年; 八.3: 2023年6月召开项目工作会议，公布实验校名单):
the project group reads when it runs and its 实验校 by status, moves its first day with a reason
(every 实验校's dates follow, each logged), and the 实验校 whose three years are over become 已结项,
daily by manage.py complete_experiment_cycles or at once from the page."""
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from programme.experiment_schools import experiment_schools_complete_due
from programme.models import ExperimentLogEntry, ExperimentSchool, ExperimentStatus
from tests.conftest import aware

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, staff_user):
    client.force_login(staff_user)
    return client


def text(response) -> str:
    return response.content.decode()


def test_the_page_shows_each_batchs_cycle_and_its_experiment_schools(staff, trio, second_batch):
    page = text(staff.get(reverse("programme:staff_cycles")))
    assert "第二批实验校（中成协〔2023〕010号）" in page
    assert "2023年6月28日 至 2026年6月27日" in page  # three years from the 项目工作会议 of 28 June 2023
    assert "共 3 所：实验中 3 · 已退出 0 · 已结项 0" in page


def test_moving_the_cycle_moves_every_experiment_school_and_logs_it(staff, trio, second_batch):
    response = staff.post(reverse("programme:staff_cycle_move", args=[second_batch.pk]),
                          {"starts_on": "2023-09-01", "reason": "项目组决定自秋季学期起计算。"})  # fmt: skip
    assert response.status_code == 302
    assert "实验周期已调整为自 2023年09月01日 起三年，3 所实验校已更新" in text(staff.get(response["Location"]))
    for experiment_school in ExperimentSchool.objects.filter(batch=second_batch):
        assert (experiment_school.cycle_starts_on, experiment_school.cycle_ends_on) == (date(2023, 9, 1), date(2026, 8, 31))
        entry = experiment_school.log.get(action=ExperimentLogEntry.Action.CYCLE)
        assert "调整为 2023-09-01 至 2026-08-31：项目组决定自秋季学期起计算。" in entry.reason


def test_a_cycle_before_the_meeting_or_without_a_reason_is_refused_next_to_its_field_and_nothing_typed_is_lost(staff, trio, second_batch):
    url = reverse("programme:staff_cycle_move", args=[second_batch.pk])
    response = staff.post(url, {"starts_on": "2023-05-01", "reason": "按申报截止后计算"})
    assert response.status_code == 400
    page = text(response)
    assert "实验周期起始日不能早于公布名单的项目工作会议日期。" in page and 'value="按申报截止后计算"' in page and 'value="2023-05-01"' in page
    response = staff.post(url, {"starts_on": "2023-07-01", "reason": ""})
    assert response.status_code == 400 and "请说明调整实验周期的原因。" in text(response)
    assert set(ExperimentSchool.objects.values_list("cycle_starts_on", flat=True)) == {date(2023, 6, 28)}


def test_after_three_years_the_experiment_schools_still_experimenting_are_completed_once(trio, second_batch, staff_user):
    zj, js, sc = (trio[k][0] for k in ("zj", "js", "sc"))
    ExperimentSchool.objects.filter(pk=sc.pk).update(status=ExperimentStatus.WITHDRAWN)
    last_day = aware(2026, 6, 27, 23, 59)
    assert experiment_schools_complete_due(now=last_day) == 0  # 2026-06-27 is the cycle's last day
    day_after = aware(2026, 6, 28, 0, 5)
    assert experiment_schools_complete_due(now=day_after) == 2
    assert experiment_schools_complete_due(now=day_after + timedelta(days=1)) == 0  # never twice
    statuses = dict(ExperimentSchool.objects.values_list("pk", "status"))
    assert statuses == {zj.pk: ExperimentStatus.COMPLETED, js.pk: ExperimentStatus.COMPLETED, sc.pk: ExperimentStatus.WITHDRAWN}
    assert zj.log.filter(to_status=ExperimentStatus.COMPLETED, reason__contains="三年实验周期（2023-06-28 至 2026-06-27）期满结项").count() == 1


def test_the_daily_command_completes_the_cycles_that_are_over(trio, second_batch):
    # The trio's cycle (28 June 2023 + three years) is over by today (December 2026).
    assert timezone.localdate() > date(2026, 6, 27)
    out = StringIO()
    call_command("complete_experiment_cycles", stdout=out)
    assert "已结项 3 所实验校" in out.getvalue()
    assert set(ExperimentSchool.objects.values_list("status", flat=True)) == {ExperimentStatus.COMPLETED}


def test_staff_complete_at_once_from_the_page_with_the_box_ticked(staff, trio, second_batch):
    page = text(staff.get(reverse("programme:staff_cycles")))
    assert "3 所实验校三年实验周期已满，仍为“实验中”。" in page
    url = reverse("programme:staff_cycle_complete", args=[second_batch.pk])
    assert "请勾选确认后再提交。" in text(staff.get(staff.post(url)["Location"]))
    assert not ExperimentSchool.objects.filter(status=ExperimentStatus.COMPLETED).exists()
    response = staff.post(url, {"confirm": "yes"})
    assert "第二批实验校：3 所实验校三年实验周期期满，已结项。" in text(staff.get(response["Location"]))
    assert ExperimentSchool.objects.filter(status=ExperimentStatus.COMPLETED).count() == 3
