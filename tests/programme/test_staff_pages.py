"""The project group's pages of the 实验周期, as staff use them: the 实验校 list (filters, attendance
at a glance, XLSX), one 实验校's page, activities (create with errors next to the field and nothing
typed lost, invite, leave decisions, attendance on a phone, an online list imported, closing with
who was warned and who went to the queue, the 签到表 PDF, XLSX of registrations, the code shown at
the venue) and the exit queue (confirm, waive with a reason, a request to leave acknowledged)."""
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from portal.models import OutgoingMail
from programme import activities, attendance, exit_rule, exits
from programme.models import Activity, ExitReview, ExperimentSchool, ExperimentStatus, Invitation, SchoolNotice, WithdrawalRequest
from programme.selectors import absences_in_a_row
from tests.conftest import aware, pdf_bytes, upload
from tests.programme.conftest import make_activity, published_batch

NOW = timezone.now()


@pytest.fixture
def second_batch(db):
    """The trio's batch, its cycle under way now (year 2): the pages run at the real time."""
    return published_batch(meeting_on=timezone.localdate() - timedelta(days=400))


@pytest.fixture
def staff(client, staff_user):
    client.force_login(staff_user)
    return client


def past_activity(staff_user, schools, *, days_ago, title, attended=(), close=True, counts=True):
    """An activity held `days_ago`, these schools invited (a month before), those `attended` marked
    present and, with `close`, closed the day after."""
    starts = NOW - timedelta(days=days_ago)
    activity = make_activity(staff_user, starts, title=title, counts=counts)
    activities.activity_invite(activity=activity, actor=staff_user, experiment_schools=schools, now=starts - timedelta(days=30))
    for school in attended:
        attendance.attendance_mark(invitation=activity.invitations.get(experiment_school=school), actor=staff_user, now=starts)
    if close:
        attendance.activity_close(activity=activity, actor=staff_user, now=starts + timedelta(days=1))
    return activity


def text(response) -> str:
    return response.content.decode()


# ---- 实验校 ------------------------------------------------------------------------------------------


def test_the_list_shows_every_experiment_school_with_attendance_and_filters(staff, trio, staff_user):
    zj, js, sc = (trio[k][0] for k in ("zj", "js", "sc"))
    past_activity(staff_user, [zj, js, sc], days_ago=90, title="秋季研讨交流会议", attended=[zj])
    past_activity(staff_user, [zj, js, sc], days_ago=30, title="冬季队伍培训", attended=[zj, js])

    page = text(staff.get(reverse("programme:staff_schools")))
    assert "共 3 所" in page
    assert "受邀 2 · 参加 2 · 请假 0 · 缺席 0" in page  # Zhejiang
    assert "受邀 2 · 参加 0 · 请假 0 · 缺席 2" in page and "退出审核中" in page  # Sichuan, absent twice: in the queue
    assert "受邀 2 · 参加 1 · 请假 0 · 缺席 1" in page and "连续缺席 1 次" not in page  # Jiangsu attended the last one
    assert "实验周期第 2 年" in page

    only_js = text(staff.get(reverse("programme:staff_schools"), {"province": "320000"}))
    assert "江苏实验职业技术学院" in only_js and "浙江实验职业技术学院" not in only_js and "共 1 所" in only_js
    # A value the page cannot have sent turns that filter off, never an error page.
    assert "共 3 所" in text(staff.get(reverse("programme:staff_schools"), {"status": "bogus", "province": "999999"}))


def test_absences_in_a_row_for_the_list_count_as_the_rule_does(trio, staff_user):
    zj, js, sc = (trio[k][0] for k in ("zj", "js", "sc"))
    past_activity(staff_user, [zj, js, sc], days_ago=120, title="一", attended=[zj])
    past_activity(staff_user, [zj, js, sc], days_ago=90, title="二", attended=[zj, js])
    past_activity(staff_user, [zj, js, sc], days_ago=60, title="三（不计入）", attended=[zj], counts=False)
    review = ExitReview.objects.get(experiment_school=sc)
    exits.exit_review_waive(review=review, actor=staff_user, reason="该校负责人调整，已补报材料。")
    past_activity(staff_user, [zj, js, sc], days_ago=30, title="四", attended=[zj])
    counts = absences_in_a_row([zj.pk, js.pk, sc.pk])

    def as_the_rule_reads_it(school):  # the exit rule's own reading, one school at a time (programme.exits)
        records = [record for record, _invitation in exits.attendance_records(school)]
        return exit_rule.consecutive_absences(records, since=exits.reviewed_through(school, records))

    assert counts == {s.pk: as_the_rule_reads_it(s) for s in (zj, js, sc)} == {zj.pk: 0, js.pk: 1, sc.pk: 1}


def test_the_xlsx_holds_the_filtered_list(staff, trio, staff_user):
    zj, js, sc = (trio[k][0] for k in ("zj", "js", "sc"))
    past_activity(staff_user, [zj, js, sc], days_ago=30, title="冬季队伍培训", attended=[zj])
    response = staff.get(reverse("programme:staff_schools_xlsx"), {"province": "510000"})
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "职业院校服务全民终身学习项目实验校"
    assert rows[1][0].startswith("筛选：四川省（共 1 所")
    assert rows[2][:4] == ("批次", "省份", "学校名称", "学校类型")
    [line] = rows[3:]
    assert line[:3] == ("第二批实验校", "四川省", "四川实验职业技术学院")
    assert line[8] == "实验中" and line[-6:-1] == (1, 0, 0, 1, 1)  # invited, attended, excused, absent; 1 in a row
    assert rows[2][-1] == "年度工作报告" and line[-1] == "逾期 1"  # year 1's report, due at its year's end, not filed


def test_the_list_shows_each_schools_annual_reports_at_a_glance(staff, trio):
    """Year 2 of the cycle: year 1's report was due on the last day of year 1. Zhejiang filed it,
    Jiangsu has a draft (late), Sichuan has not started it (late)."""
    from programme import reports
    from tests.programme.report_helpers import fill

    (zj, zj_user), (js, js_user) = trio["zj"], trio["js"]
    reports.report_submit(report=fill(reports.report_start(experiment_school=zj, year=1, actor=zj_user), zj_user), actor=zj_user)
    reports.report_start(experiment_school=js, year=1, actor=js_user)
    page = text(staff.get(reverse("programme:staff_schools")))
    assert "年度工作报告" in page
    rows = {name: page[page.index(name):][:2000] for name in ("浙江实验职业技术学院", "江苏实验职业技术学院", "四川实验职业技术学院")}
    assert "已提交 1" in rows["浙江实验职业技术学院"].split("</tr>")[0] and "逾期" not in rows["浙江实验职业技术学院"].split("</tr>")[0]
    assert "草稿 1 · 逾期 1" in rows["江苏实验职业技术学院"].split("</tr>")[0]
    assert "逾期 1" in rows["四川实验职业技术学院"].split("</tr>")[0]


def test_one_experiment_school_shows_its_cycle_history_invitations_and_requests(staff, trio, staff_user):
    sc, user = trio["sc"]
    past_activity(staff_user, [sc], days_ago=90, title="秋季研讨交流会议")
    past_activity(staff_user, [sc], days_ago=30, title="冬季队伍培训")
    exits.withdrawal_request(experiment_school=sc, actor=user, reason="学校办学方向调整。", letter=upload("函.pdf", pdf_bytes()))
    page = text(staff.get(reverse("programme:staff_school", args=[sc.pk])))
    for seen in ("四川实验职业技术学院", "第二批实验校", "实验周期第 2 年", "实验中", "成为实验校", "秋季研讨交流会议", "冬季队伍培训",
                 "缺席", "连续两次缺席，退出审核中", "待审核", "学校办学方向调整。", "查看退出申请函", "项目小组"):  # fmt: skip
        assert seen in page, seen


# ---- Activities -----------------------------------------------------------------------------------


def activity_post(**changes):
    starts = timezone.localtime(NOW + timedelta(days=30)).replace(hour=9, minute=0, second=0, microsecond=0)
    data = {"kind": "training", "title": "2025年实验校队伍培训", "starts_at": f"{starts:%Y-%m-%dT%H:%M}",
            "ends_at": f"{starts + timedelta(hours=6):%Y-%m-%dT%H:%M}", "place": "杭州市西湖区文三路 90 号", "online_url": "",
            "agenda": "上午：专题讲座\n下午：分组研讨", "registration_deadline": f"{starts - timedelta(days=7):%Y-%m-%dT%H:%M}",
            "max_attendees_per_school": "3", "counts_for_attendance": "on"}  # fmt: skip
    data.update(changes)
    return data


def test_creating_an_activity_stores_every_field(staff, staff_user):
    response = staff.post(reverse("programme:staff_activity_new"), activity_post(online_url="meeting.example.cn/8899"))
    activity = Activity.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("programme:staff_activity", args=[activity.pk])
    assert (activity.kind, activity.title, activity.place, activity.online_url, activity.agenda, activity.max_attendees_per_school,
            activity.counts_for_attendance, activity.created_by) == (
        "training", "2025年实验校队伍培训", "杭州市西湖区文三路 90 号", "https://meeting.example.cn/8899", "上午：专题讲座\n下午：分组研讨", 3,
        True, staff_user)  # fmt: skip
    assert timezone.localtime(activity.starts_at).hour == 9 and activity.ends_at - activity.starts_at == timedelta(hours=6)
    assert len(activity.checkin_code) == 8


def test_a_wrong_activity_is_told_next_to_each_field_and_nothing_typed_is_lost(staff):
    data = activity_post(title="", place="", registration_deadline="2099-01-01T09:00", max_attendees_per_school="0",
                         agenda="议程草稿：保留", ends_at="明天")  # fmt: skip
    response = staff.post(reverse("programme:staff_activity_new"), data)
    assert response.status_code == 400 and not Activity.objects.exists()
    form = response.context["form"]
    assert form.errors == {
        "title": ["请填写活动名称。"],
        "ends_at": ["请按“年-月-日 时:分”填写，例如 2024-05-16 09:00。"],
        "place": ["请填写活动地点，线上活动请填写线上参会地址。"],
        "registration_deadline": ["回执截止时间不能晚于活动开始时间。"],
        "max_attendees_per_school": ["每校参会人数上限至少为 1 人。"],
    }
    page = text(response)
    assert "议程草稿：保留" in page and 'value="明天"' in page and 'value="2099-01-01T09:00"' in page


def test_inviting_a_province_tells_each_school_once(staff, trio, staff_user):
    activity = make_activity(staff_user, NOW + timedelta(days=30), title="2025年研讨交流会议")
    response = staff.post(reverse("programme:staff_activity_invite", args=[activity.pk]), {"provinces": ["330000", "320000"]})
    assert response.status_code == 302
    assert sorted(activity.invitations.values_list("experiment_school__school__name", flat=True)) == ["江苏实验职业技术学院", "浙江实验职业技术学院"]
    assert SchoolNotice.objects.filter(kind="invitation").count() == 2
    staff.post(reverse("programme:staff_activity_invite", args=[activity.pk]), {"batches": [trio["zj"][0].batch_id]})
    assert activity.invitations.count() == 3 and SchoolNotice.objects.filter(kind="invitation").count() == 3
    nothing = staff.post(reverse("programme:staff_activity_invite", args=[activity.pk]), {})
    assert nothing.status_code == 400 and "请至少选择一个批次、省份或学校。" in text(nothing)


def test_a_leave_refused_needs_a_note_next_to_the_field(staff, trio, staff_user):
    sc, user = trio["sc"]
    activity = make_activity(staff_user, NOW + timedelta(days=30))
    activities.activity_invite(activity=activity, actor=staff_user, experiment_schools=[sc])
    invitation = activity.invitations.get()
    activities.invitation_request_leave(invitation=invitation, actor=user, reason="同期承办省级技能大赛。")
    page = text(staff.get(reverse("programme:staff_activity", args=[activity.pk])))
    assert "同期承办省级技能大赛。" in page and "提交审核" in page

    refused = staff.post(reverse("programme:staff_leave_decide", args=[invitation.pk]), {"decision": "refuse", "note": ""})
    assert refused.status_code == 400 and "不同意请假时，请说明理由。" in text(refused)
    assert Invitation.objects.get(pk=invitation.pk).leave_pending

    staff.post(reverse("programme:staff_leave_decide", args=[invitation.pk]), {"decision": "accept", "note": "同意，请会后报送学习材料。"})
    invitation.refresh_from_db()
    assert (invitation.leave_decision, invitation.leave_decision_note) == ("accepted", "同意，请会后报送学习材料。")
    assert SchoolNotice.objects.filter(kind="leave_decided", invitation=invitation).count() == 1


def test_attendance_on_the_phone_marks_and_undoes(staff, trio, staff_user):
    zj = trio["zj"][0]
    activity = make_activity(staff_user, NOW - timedelta(hours=1))
    activities.activity_invite(activity=activity, actor=staff_user, experiment_schools=[zj], now=NOW - timedelta(days=20))
    invitation = activity.invitations.get()
    page = text(staff.get(reverse("programme:staff_attendance", args=[activity.pk])))
    assert "浙江实验职业技术学院" in page and "已签到 <strong>0</strong> / 1 所" in page
    response = staff.post(reverse("programme:staff_attendance_mark", args=[invitation.pk]), {"present": "1"})
    assert response["Location"] == reverse("programme:staff_attendance", args=[activity.pk]) + f"#invitation-{invitation.pk}"
    invitation.refresh_from_db()
    assert (invitation.attended, invitation.attendance_source, invitation.attendance_marked_by) == (True, "staff", staff_user)
    assert "已签到 <strong>1</strong> / 1 所" in text(staff.get(reverse("programme:staff_attendance", args=[activity.pk])))
    staff.post(reverse("programme:staff_attendance_mark", args=[invitation.pk]), {"present": "0"})
    assert not Invitation.objects.get(pk=invitation.pk).attended


def test_the_attendance_sheet_finds_a_school_by_name_and_a_mark_returns_to_the_same_rows(staff, trio, staff_user):
    activity = make_activity(staff_user, NOW - timedelta(hours=1))
    activities.activity_invite(activity=activity, actor=staff_user, experiment_schools=[s for s, _u in trio.values()], now=NOW - timedelta(days=20))
    sheet = reverse("programme:staff_attendance", args=[activity.pk])
    found = text(staff.get(sheet, {"q": "浙江"}))
    assert "浙江实验职业技术学院" in found and "江苏实验职业技术学院" not in found and "已签到 <strong>0</strong> / 3 所" in found
    invitation = activity.invitations.get(experiment_school=trio["zj"][0])
    response = staff.post(reverse("programme:staff_attendance_mark", args=[invitation.pk]), {"present": "1", "q": "浙江"})
    assert response["Location"] == f"{sheet}?q=%E6%B5%99%E6%B1%9F#invitation-{invitation.pk}"
    assert "已签到 <strong>1</strong> / 3 所" in text(staff.get(response["Location"]))
    assert "没有校名包含“湖南”的受邀学校。" in text(staff.get(sheet, {"q": "湖南"}))


def test_a_two_day_activity_shows_its_last_day_at_the_venue_and_on_the_attendance_page(staff, staff_user):
    """A 队伍培训 over two days: "至 16:00" alone would read as the same day."""
    starts = aware(2026, 11, 19, 9, 0)
    activity = make_activity(staff_user, starts, hours=31, kind="training", title="两天的队伍培训")
    for name in ("programme:staff_attendance", "programme:staff_venue"):
        assert "2026-11-19 09:00 至 2026-11-20 16:00" in text(staff.get(reverse(name, args=[activity.pk]))), name
    same_day = make_activity(staff_user, starts, hours=3, title="半天的研讨交流会议")
    assert "2026-11-19 09:00 至 12:00" in text(staff.get(reverse("programme:staff_attendance", args=[same_day.pk])))


def test_an_online_list_is_imported_pasted_or_as_a_csv_or_xlsx(staff, trio, staff_user):
    zj, js, sc = (trio[k][0] for k in ("zj", "js", "sc"))
    activity = make_activity(staff_user, NOW - timedelta(hours=2), place="", online_url="https://meeting.example.cn/1")
    activities.activity_invite(activity=activity, actor=staff_user, experiment_schools=[zj, js, sc], now=NOW - timedelta(days=20))
    url = reverse("programme:staff_attendance_import", args=[activity.pk])

    pasted = staff.post(url, {"names": "浙江实验职业技术学院\n\n某某未受邀学院"})
    assert pasted.status_code == 200 and "新签到 1 所" in text(pasted) and "某某未受邀学院" in text(pasted)
    csv_file = upload("参会名单.csv", "序号,学校名称\n1,江苏实验职业技术学院\n2,浙江实验职业技术学院\n".encode("gb18030"), "text/csv")
    assert "新签到 1 所；此前已签到 1 所" in text(staff.post(url, {"file": csv_file}))
    book = Workbook()
    book.active.append(["四川实验职业技术学院"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert "新签到 1 所" in text(staff.post(url, {"file": upload("名单.xlsx", buffer.getvalue())}))
    assert set(activity.invitations.filter(attended=True, attendance_source="import").values_list("experiment_school", flat=True)) == {zj.pk, js.pk, sc.pk}

    empty = staff.post(url, {"names": "  \n"})
    assert empty.status_code == 400 and "请粘贴参加活动的学校名单，或上传名单文件。" in text(empty)
    bad = staff.post(url, {"file": upload("名单.xlsx", b"PK\x03\x04 not a workbook")})
    assert bad.status_code == 400 and "无法读取该 XLSX 文件" in text(bad)


def test_closing_shows_who_was_absent_warned_and_queued(staff, trio, staff_user):
    zj, js, sc = (trio[k][0] for k in ("zj", "js", "sc"))
    past_activity(staff_user, [zj, js, sc], days_ago=60, title="秋季研讨交流会议", attended=[zj])  # js, sc absent once
    activity = past_activity(staff_user, [zj, js, sc], days_ago=2, title="冬季队伍培训", attended=[zj, js], close=False)
    url = reverse("programme:staff_activity_close", args=[activity.pk])

    unticked = staff.post(url, {})
    assert unticked.status_code == 302 and not Activity.objects.get(pk=activity.pk).is_closed
    response = staff.post(url, {"confirm": "yes"}, follow=True)
    page = text(response)
    assert "活动已关闭：参加 2 所，请假 0 所，缺席 1 所。首次缺席已提醒 0 所；连续两次缺席进入退出审核 1 所。" in page
    assert "四川实验职业技术学院：缺席，连续两次缺席，已进入" in page
    first = Activity.objects.get(title="秋季研讨交流会议")
    page = text(staff.get(reverse("programme:staff_activity", args=[first.pk])))
    assert "江苏实验职业技术学院：缺席，已提醒“再缺席一次将视为退出”" in page
    again = staff.post(url, {"confirm": "yes"}, follow=True)
    assert "未能关闭：活动已于" in text(again) and ExitReview.objects.count() == 1


def test_the_signin_sheet_prints_the_registered_names_in_embedded_cjk_fonts(staff, trio, staff_user):
    from pypdf import PdfReader

    from portal.pdf import missing_glyphs

    zj, js, sc = (trio[k][0] for k in ("zj", "js", "sc"))
    activity = make_activity(staff_user, NOW + timedelta(days=30), title="2025年研讨交流会议")
    activities.activity_invite(activity=activity, actor=staff_user, experiment_schools=[zj, js, sc])
    activities.invitation_register(invitation=activity.invitations.get(experiment_school=zj), actor=trio["zj"][1],
                                   attendees=[activities.AttendeeRow("周明远", "副校长", "13812345678")])  # fmt: skip
    response = staff.get(reverse("programme:staff_signin_sheet", args=[activity.pk]))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    content = "".join(page.extract_text() for page in reader.pages)
    for seen in ("2025年研讨交流会议", "签到表", "浙江实验职业技术学院", "江苏实验职业技术学院", "四川实验职业技术学院", "周明远", "副校长", "138****5678", "签字"):
        assert seen in content.replace(" ", ""), seen
    assert "13812345678" not in content
    fonts = {font["/BaseFont"] for page in reader.pages for font in page["/Resources"]["/Font"].values()}
    assert fonts and all("Noto-Serif-CJK-SC" in name or "Noto-Sans-CJK-SC" in name for name in fonts), fonts
    assert all("/FontFile2" in font["/DescendantFonts"][0]["/FontDescriptor"] or "/FontFile3" in font["/DescendantFonts"][0]["/FontDescriptor"]
               for page in reader.pages for font in page["/Resources"]["/Font"].values())  # fmt: skip
    assert missing_glyphs(content) == set()


def test_the_registrations_xlsx_has_each_person_leave_and_attendance(staff, trio, staff_user):
    zj, js = trio["zj"][0], trio["js"][0]
    activity = make_activity(staff_user, NOW + timedelta(days=30))
    activities.activity_invite(activity=activity, actor=staff_user, experiment_schools=[zj, js])
    activities.invitation_register(invitation=activity.invitations.get(experiment_school=zj), actor=trio["zj"][1],
                                   attendees=[activities.AttendeeRow("周明远", "副校长", "13812345678"),
                                              activities.AttendeeRow("李娜", "继续教育学院院长", "13900001111")])  # fmt: skip
    activities.invitation_request_leave(invitation=activity.invitations.get(experiment_school=js), actor=trio["js"][1], reason="迎接评估。")
    response = staff.get(reverse("programme:staff_registrations_xlsx", args=[activity.pk]))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[2][:6] == ("省份", "学校名称", "回执", "姓名", "职务", "手机")
    assert [row[:8] for row in rows[3:]] == [
        ("江苏省", "江苏实验职业技术学院", "请假", None, None, None, "迎接评估。", "待审核"),
        ("浙江省", "浙江实验职业技术学院", "参加", "周明远", "副校长", "13812345678", None, None),
        ("浙江省", "浙江实验职业技术学院", "参加", "李娜", "继续教育学院院长", "13900001111", None, None),
    ]


def test_the_venue_page_shows_the_code_and_its_qr(staff, staff_user):
    activity = make_activity(staff_user, NOW - timedelta(minutes=30))
    page = text(staff.get(reverse("programme:staff_venue", args=[activity.pk])))
    code = activity.checkin_code
    assert f"{code[:4]} {code[4:]}" in page and "<svg" in page
    assert f"http://testserver{reverse('programme:checkin', kwargs={'code': code})}" in page


# ---- The exit queue -------------------------------------------------------------------------------


@pytest.fixture
def queued(trio, staff_user):
    """Sichuan absent from two counting activities in a row: in the queue."""
    sc = trio["sc"][0]
    past_activity(staff_user, [sc], days_ago=90, title="秋季研讨交流会议")
    past_activity(staff_user, [sc], days_ago=30, title="冬季队伍培训")
    return ExitReview.objects.get(experiment_school=sc)


def test_the_queue_shows_both_activities_and_waiving_needs_a_reason(staff, queued):
    page = text(staff.get(reverse("programme:staff_exits")))
    assert "四川实验职业技术学院" in page and "秋季研讨交流会议" in page and "冬季队伍培训" in page
    response = staff.post(reverse("programme:staff_exit_waive", args=[queued.pk]), {"reason": ""})
    assert response.status_code == 400 and "不作退出处理时，请说明理由。" in text(response)
    assert ExitReview.objects.get(pk=queued.pk).state == ExitReview.State.PENDING
    staff.post(reverse("programme:staff_exit_waive", args=[queued.pk]), {"reason": "两次均因疫情防控未能出行。"})
    review = ExitReview.objects.get(pk=queued.pk)
    assert (review.state, review.reason) == (ExitReview.State.WAIVED, "两次均因疫情防控未能出行。")
    assert ExperimentSchool.objects.get(pk=review.experiment_school_id).status == ExperimentStatus.ACTIVE


def test_confirming_needs_the_box_ticked_then_the_school_is_deemed_withdrawn(staff, queued):
    unticked = staff.post(reverse("programme:staff_exit_confirm", args=[queued.pk]), {"reason": "经核实。"})
    assert unticked.status_code == 400 and "请勾选“确认该校视为退出”后再提交。" in text(unticked) and "经核实。" in text(unticked)
    staff.post(reverse("programme:staff_exit_confirm", args=[queued.pk]), {"confirm": "on", "reason": "经核实。"})
    school = ExperimentSchool.objects.get(pk=queued.experiment_school_id)
    assert school.status == ExperimentStatus.DEEMED_WITHDRAWN
    assert SchoolNotice.objects.filter(experiment_school=school, kind="exit_confirmed").count() == 1
    assert "没有待审核的学校。" in text(staff.get(reverse("programme:staff_exits")))


def test_a_request_to_leave_is_read_its_letter_opened_and_acknowledged(staff, trio, staff_user):
    sc, user = trio["sc"]
    withdrawal = exits.withdrawal_request(experiment_school=sc, actor=user, reason="学校办学方向调整。", letter=upload("函.pdf", pdf_bytes()))
    page = text(staff.get(reverse("programme:staff_exits")))
    assert "学校办学方向调整。" in page and "查看退出申请函" in page
    letter = staff.get(reverse("programme:staff_withdrawal_letter", args=[withdrawal.pk]))
    assert letter["Content-Type"] == "application/pdf" and b"".join(letter.streaming_content).startswith(b"%PDF")
    assert "no-store" in letter["Cache-Control"]
    staff.post(reverse("programme:staff_withdrawal_acknowledge", args=[withdrawal.pk]), {})
    assert WithdrawalRequest.objects.get(pk=withdrawal.pk).state == WithdrawalRequest.State.PENDING
    staff.post(reverse("programme:staff_withdrawal_acknowledge", args=[withdrawal.pk]), {"confirm": "yes"})
    assert ExperimentSchool.objects.get(pk=sc.pk).status == ExperimentStatus.WITHDRAWN
    assert OutgoingMail.objects.filter(template="experiment_notice").exists()


def test_the_project_groups_tabs_lead_to_the_programme_pages(staff):
    page = text(staff.get(reverse("programme:staff_activities")))
    for label, name in (("实验校", "staff_schools"), ("活动", "staff_activities"), ("退出审核", "staff_exits")):
        assert f'href="{reverse(f"programme:{name}")}">{label}</a>' in page, label
    assert 'nav-link active" href="/programme/staff/activities/">活动' in page


def test_the_qr_codes_link_opens_the_check_in_page_with_the_code(client, trio, staff_user):
    # Was helper-staff's stand-in (to the workspace with a message); the school's check-in page
    # (tests/programme/test_school_checkin.py) replaced it at the merge.
    activity = make_activity(staff_user, NOW - timedelta(minutes=30))
    client.force_login(trio["zj"][1])
    response = client.get(reverse("programme:checkin", kwargs={"code": activity.checkin_code}))
    assert response.status_code == 200
    assert "项目组活动签到" in text(response) and f'value="{activity.checkin_code}"' in text(response)


def test_the_activities_are_listed_upcoming_then_past_with_their_counts(staff, trio, staff_user):
    zj = trio["zj"][0]
    past_activity(staff_user, [zj], days_ago=30, title="冬季队伍培训", attended=[zj])
    ended = past_activity(staff_user, [zj], days_ago=1, title="昨日经验交流", close=False)
    upcoming = make_activity(staff_user, NOW + timedelta(days=20), title="2026年项目工作会议")
    activities.activity_invite(activity=upcoming, actor=staff_user, experiment_schools=[zj])
    page = text(staff.get(reverse("programme:staff_activities")))
    soon, _, done = page.partition("已结束")
    assert "2026年项目工作会议" in soon and "冬季队伍培训" not in soon
    assert "冬季队伍培训" in done and "昨日经验交流" in done and "待关闭" in done and "邀请 1 · 回执 0 · 请假 0 · 签到 1" in done
    before = text(staff.get(reverse("programme:staff_activity", args=[upcoming.pk])))
    assert "后才能关闭。" in before and "关闭活动</button>" not in before
    activities.invitation_request_leave(invitation=ended.invitations.get(), actor=trio["zj"][1], reason="迎评。",
                                        now=ended.registration_deadline - timedelta(days=1))  # fmt: skip
    waiting = text(staff.get(reverse("programme:staff_activity", args=[ended.pk])))
    assert "还有 1 份请假申请未审核，请先审核。" in waiting and "关闭活动</button>" not in waiting
