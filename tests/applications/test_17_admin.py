"""Django admin's forms name every input the portal adds (issue 17): the application's team
stacked, each input with its own <label> (a tabular inline names its columns only in the table's
header: axe's critical `label` on every input, and a form 1,926 px wide at 1,280 px), and the
deadline fields' split date-time inputs named one by one (admin prints "日期:" and "时间:" as bare
text, and the field's label points at the date only). The browser's view of the same form is
tests/browser/test_17_public.py."""
import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_every_team_input_has_its_own_label(client, admin_user, complete_application_a):
    client.force_login(admin_user)
    html = client.get(reverse("admin:applications_application_change", args=[complete_application_a.pk])).content.decode()
    rows = complete_application_a.team.count()
    assert rows >= 3
    for index in range(rows):
        for name, label in (("position", "序号"), ("name", "姓名"), ("title", "职务/职称"), ("department", "部门"), ("mobile", "手机"), ("duty", "分工")):
            assert re.search(rf'<label[^>]* for="id_team-{index}-{name}">{re.escape(label)}:</label>', html), (index, name)
        assert f'<label class="vCheckboxLabel inline" for="id_team-{index}-DELETE">删除</label>' in html
    group = html.index('id="team-group"')
    assert 'data-inline-type="stacked"' in html[group:group + 100]


def test_each_half_of_a_split_deadline_is_named(client, admin_user, batch, zhejiang_window):
    client.force_login(admin_user)
    html = client.get(reverse("admin:applications_batch_change", args=[batch.pk])).content.decode()
    for name, label in (("national_deadline", "全国申报截止时间"), ("review_deadline", "专家评分截止时间")):
        assert re.search(rf'<input[^>]*aria-label="{label}：日期"[^>]*id="id_{name}_0"', html), name
        assert re.search(rf'<input[^>]*aria-label="{label}：时刻（时:分）"[^>]*id="id_{name}_1"', html), name
    # The provinces' inline: the window's own deadline, in each row.
    assert re.search(r'<input[^>]*aria-label="学校提交截止时间：日期"[^>]*id="id_windows-0-school_deadline_0"', html) or \
        re.search(r'<input[^>]*aria-label="学校提交截止时间：日期"[^>]*id="id_provincialwindow_set-0-school_deadline_0"', html)
