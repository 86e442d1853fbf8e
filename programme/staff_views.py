"""The project group's pages of the 实验周期: the 实验校 (list, XLSX, one school's page), activities
(create, invite, leave decisions, attendance at the venue on a phone, an online list imported,
closing, the 签到表 PDF, XLSX of registrations, the check-in code shown at the venue) and the exit
queue of 七.7 with the requests to leave. Staff and the admin only (portal.policy on the first line).
"""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from applications.models import Batch
from applications.selectors import cycle_start, page_in_order
from applications.workflow import WorkflowError
from portal import policy
from portal.pdf import render_pdf
from portal.protected import protected_file_response
from programme import activities, attendance, exits
from programme.experiment_schools import cycle_move, experiment_schools_complete_due
from programme.form_layout import blank_form_html
from programme.certificate_forms import certificates_context
from programme.checkin_qr import checkin_url, qr_svg
from programme.models import ExitReview, ExperimentStatus, Invitation, Outcome, SchoolNotice, cycle_end
from programme.report_selectors import report_states_by_school
from programme.selectors import (
    absences_in_a_row, activities_for_staff, activity_invitations, current_absences, cycle_label, exit_queue, experiment_school_with_parts,
    experiment_schools_for_staff, invitation_counts, with_attendance_counts, withdrawal_queue,
)  # fmt: skip
from programme.staff_forms import (
    ActivityForm, AttendanceImportForm, CycleMoveForm, ExitConfirmForm, ExitWaiveForm, ExperimentSchoolFilterForm, InviteForm, LeaveDecisionForm,
)  # fmt: skip
from review.documents import table_xlsx

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SCHOOLS_PER_PAGE = 50  # as the review's lists: at 100 the rows were most of the page's time
INVITATIONS_PER_PAGE = 50
ATTENDANCE_PER_PAGE = 50


# ---- 实验校 ------------------------------------------------------------------------------------------


SCHOOL_COLUMNS = ("批次", "省份", "学校名称", "学校类型", "具体实施项目", "负责人", "职务", "负责人手机", "状态", "实验周期",
                  "受邀活动（已关闭、计入）", "参加", "请假（已批准）", "缺席", "连续缺席", "年度工作报告")  # fmt: skip


def _school_cells(row, in_a_row: int, reports: dict) -> tuple:
    return (row.batch.short_name, row.school.province.name, row.school.name, row.school.get_school_type_display(),
            "；".join(str(p) for p in row.projects.all()), row.lead_name, row.lead_title, row.lead_mobile, row.get_status_display(),
            cycle_label(row), row.invited_count, row.attended_count, row.excused_count, row.absent_count, in_a_row,
            reports["label"])  # fmt: skip


@login_required
@require_safe
def experiment_schools(request, fmt="html"):
    """Every 实验校 by batch, province, school type, project category and status, with attendance
    at a glance; XLSX of the whole filtered list."""
    policy.require_project_staff(request.user)
    form = ExperimentSchoolFilterForm(request.GET)
    rows = experiment_schools_for_staff(**form.filters())
    if fmt == "xlsx":
        rows = with_attendance_counts(rows)
        in_a_row = absences_in_a_row(row.pk for row in rows)
        reports = report_states_by_school(row.pk for row in rows)
        data = table_xlsx(title="职业院校服务全民终身学习项目实验校", subtitle=f"{form.label()}（共 {len(rows)} 所，导出于 "
                          f"{timezone.localtime():%Y-%m-%d %H:%M}）", header=SCHOOL_COLUMNS,
                          rows=[_school_cells(row, in_a_row[row.pk], reports[row.pk]) for row in rows],
                          widths=(12, 10, 30, 14, 36, 10, 12, 14, 14, 36, 10, 6, 8, 6, 8, 24), sheet_name="实验校")  # fmt: skip
        response = HttpResponse(data, content_type=XLSX_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, "实验校名单.xlsx")
        return response
    page = page_in_order(rows, request.GET.get("page"), SCHOOLS_PER_PAGE)
    page.object_list = with_attendance_counts(page.object_list)
    ids = [row.pk for row in page.object_list]
    in_a_row = absences_in_a_row(ids)
    reports = report_states_by_school(ids)
    in_queue = set(ExitReview.objects.filter(experiment_school_id__in=ids, state=ExitReview.State.PENDING)
                   .values_list("experiment_school_id", flat=True))  # fmt: skip
    for row in page.object_list:
        row.absences_in_a_row, row.in_exit_queue = in_a_row[row.pk], row.pk in in_queue
        row.cycle_text, row.report_states = cycle_label(row), reports[row.pk]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "programme/staff/schools.html", {"form": form, "page": page, "query": query.urlencode()})


@login_required
@require_safe
def experiment_school(request, pk):
    """One 实验校: school, batch, cycle, status and its history, projects, team, invitations with
    their outcomes, exit reviews and requests to leave."""
    return experiment_school_page(request, policy.get_staff_experiment_school(request.user, pk))


def experiment_school_page(request, found, *, certificate_forms: dict | None = None, status: int = 200):
    """One 实验校's page (`found`, let in by the policy): with its certificates and the forms to issue
    and revoke them (programme.certificate_views sends a form back here with its errors)."""
    school = experiment_school_with_parts().get(pk=found.pk)
    exit_reviews = list(school.exit_reviews.select_related("first_absence__activity", "second_absence__activity", "decided_by")
                        .order_by("-created_at"))  # fmt: skip
    return render(request, "programme/staff/school.html", {
        "es": school, "cycle_text": cycle_label(school), "absences": current_absences(school),
        "log": school.log.select_related("actor"),
        "invitations": school.invitations.select_related("activity").prefetch_related("attendees").order_by("-activity__starts_at"),
        "exit_reviews": exit_reviews, "pending_review": next((r for r in exit_reviews if r.state == ExitReview.State.PENDING), None),
        "withdrawals": school.withdrawal_requests.select_related("requested_by", "acknowledged_by").order_by("-requested_at"),
        **certificates_context(school, certificate_forms or {}),
    }, status=status)  # fmt: skip


# ---- Activities -----------------------------------------------------------------------------------


@login_required
@require_safe
def activity_list(request):
    """Activities to come (and under way), then those past: each with invitations, 回执, leave and attendance."""
    policy.require_project_staff(request.user)
    now = timezone.now()
    every = list(activities_for_staff())
    upcoming = sorted((a for a in every if not a.is_closed and a.ends_at >= now), key=lambda a: a.starts_at)
    past = [a for a in every if a.is_closed or a.ends_at < now]
    return render(request, "programme/staff/activities.html", {"upcoming": upcoming, "past": past, "now": now})


ACTIVITY_FIELDS = ("title", "starts_at", "ends_at", "place", "online_url", "registration_deadline", "max_attendees_per_school")


@login_required
@require_http_methods(["GET", "POST"])
def activity_new(request):
    """Create an activity: every field at once; what is wrong is told next to its field, what was
    typed stays."""
    policy.require_project_staff(request.user)
    if request.method == "GET":
        return render(request, "programme/staff/activity_form.html", {"form": ActivityForm()})
    form = ActivityForm(request.POST)
    valid = form.is_valid()
    data = form.cleaned_data
    values = {name: data.get(name) for name in ACTIVITY_FIELDS}
    values.update({name: (values[name] or "").strip() for name in ("title", "place", "online_url")})
    # The service's rules for the fields whose values could be read, so that every problem shows at once.
    for name, problem in activities.activity_problems(**values).items():
        if name not in form.errors:
            form.add_error(name, problem)
    if valid and not form.errors:
        try:
            activity = activities.activity_create(actor=request.user, kind=data["kind"], agenda=data["agenda"],
                                                  counts_for_attendance=data["counts_for_attendance"], **values)  # fmt: skip
        except ValidationError as error:
            for name, problems in error.message_dict.items():
                form.add_error(name if name in form.fields else None, problems)
        else:
            messages.success(request, "活动已创建。请选择邀请的实验校。")
            return redirect("programme:staff_activity", activity.pk)
    return render(request, "programme/staff/activity_form.html", {"form": form}, status=400)


def _close_summary(activity) -> dict:
    """Who got an absence when the activity closed, who of them was warned (a first absence) and who
    went to the exit queue (a second in a row): by invitation id."""
    return {
        "warned": set(SchoolNotice.objects.filter(kind=SchoolNotice.Kind.ABSENCE_WARNING, invitation__activity=activity)
                      .values_list("invitation_id", flat=True)),
        "queued": set(ExitReview.objects.filter(second_absence__activity=activity).values_list("second_absence_id", flat=True)),
    }  # fmt: skip


def _activity_page(request, activity, *, invite_form=None, leave_form=None, status=200):
    """The activity's page: its counts (one aggregate), the leave requests (each pending one with its
    form), once closed the absent schools, and the invited schools a page at a time (a work meeting
    invites every 实验校: a thousand rows would make the page slow to serve and to read)."""
    counts = invitation_counts(activity)
    summary = _close_summary(activity) if activity.is_closed else {"warned": set(), "queued": set()}
    page = page_in_order(activity_invitations(activity), request.GET.get("page"), INVITATIONS_PER_PAGE)
    in_order = ("experiment_school__school__province", "experiment_school__school__name")
    leave_requests = list(activity.invitations.filter(reply=Invitation.Reply.LEAVE).select_related("experiment_school__school__province")
                          .order_by(*in_order))  # fmt: skip
    # The absent schools by name only (the closing's summary): no row objects for what is one line each.
    absent = [{"name": name, "warned": pk in summary["warned"], "queued": pk in summary["queued"]} for pk, name in
              activity.invitations.filter(outcome=Outcome.ABSENT).order_by(*in_order).values_list("pk", "experiment_school__school__name")
              ] if activity.is_closed else []  # fmt: skip
    for invitation in page.object_list:
        invitation.warned = invitation.pk in summary["warned"]
        invitation.queued = invitation.pk in summary["queued"]
    blank = {}
    for invitation in leave_requests:
        if leave_form is not None and leave_form.invitation_pk == invitation.pk:
            invitation.leave_form_html = as_crispy_form(leave_form)
        elif invitation.leave_pending:
            # An activity for every 实验校 has dozens of leave requests waiting.
            invitation.leave_form_html = blank_form_html(blank, LeaveDecisionForm, invitation.pk, ids="id_leave_")
    now = timezone.now()
    return render(request, "programme/staff/activity.html", {
        "activity": activity, "counts": counts, "page": page, "invite_form": invite_form or InviteForm(), "leave_requests": leave_requests,
        "absent": absent, "warned": len(summary["warned"]), "queued": len(summary["queued"]),
        "may_invite": not activity.is_closed and now <= activity.registration_deadline, "over": now >= activity.ends_at,
    }, status=status)  # fmt: skip


@login_required
@require_safe
def activity_detail(request, pk):
    """One activity: its details, whom to invite, the registrations, leave requests to decide,
    attendance, closing, and once closed what closing did."""
    activity = policy.get_staff_activity(request.user, pk)
    return _activity_page(request, activity)


@login_required
@require_POST
def activity_invite(request, pk):
    """Invite a batch, provinces or chosen 实验校 (those invited before stay as they were)."""
    activity = policy.get_staff_activity(request.user, pk)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _activity_page(request, activity, invite_form=form, status=400)
    try:
        count = activities.activity_invite(activity=activity, actor=request.user, batches=form.cleaned_data["batches"],
                                           provinces=form.cleaned_data["provinces"],
                                           experiment_schools=form.cleaned_data["experiment_schools"])  # fmt: skip
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        if count:
            messages.success(request, f"已邀请 {count} 所实验校，并已通过平台和邮件通知。")
        else:
            messages.info(request, "没有新邀请的学校：所选学校已邀请过，或不是实验中的实验校。")
    return redirect("programme:staff_activity", activity.pk)


@login_required
@require_POST
def leave_decide(request, pk):
    """Accept or refuse one leave request, with a note (required to refuse) the school reads."""
    invitation = policy.get_staff_invitation(request.user, pk)
    form = LeaveDecisionForm(request.POST, invitation=invitation)
    form.invitation_pk = invitation.pk
    if form.is_valid():
        try:
            activities.leave_decide(invitation=invitation, actor=request.user, accept=form.cleaned_data["decision"] == "accept",
                                    note=form.cleaned_data["note"])  # fmt: skip
        except ValidationError as error:
            form.add_error("note", error.message_dict.get("leave_decision_note", error.messages))
        except WorkflowError as error:
            messages.error(request, str(error))
            return redirect("programme:staff_activity", invitation.activity_id)
        else:
            accepted = form.cleaned_data["decision"] == "accept"
            messages.success(request, f"已{'同意' if accepted else '不同意'}{invitation.experiment_school.school.name}的请假，并已通知学校。")
            return redirect("programme:staff_activity", invitation.activity_id)
    return _activity_page(request, invitation.activity, leave_form=form, status=400)


def _attendance_query(data) -> dict:
    """The attendance sheet's search (part of a school's name) and page, as typed or carried back by
    a mark's form: only what the sheet itself sends, so that a mark returns to the same rows."""
    query = {"q": (data.get("q") or "").strip()[:50], "page": (data.get("page") or "").strip()}
    # A search no one could type (a NUL character, refused by PostgreSQL) is no search, as the
    # review's lists' forms treat it.
    return {name: value for name, value in query.items() if value and "\x00" not in value and (name != "page" or value.isdigit())}


@login_required
@require_safe
def attendance_sheet(request, pk):
    """签到 at the venue on a phone: one school a row, a big button to mark it present (or undo);
    a search by name and a page at a time (a work meeting invites every 实验校)."""
    activity = policy.get_staff_activity(request.user, pk)
    query = _attendance_query(request.GET)
    invitations = activity_invitations(activity)
    if query.get("q"):
        invitations = invitations.filter(experiment_school__school__name__contains=query["q"])
    page = page_in_order(invitations, query.get("page"), ATTENDANCE_PER_PAGE)
    return render(request, "programme/staff/attendance.html", {
        "activity": activity, "page": page, "counts": invitation_counts(activity), "q": query.get("q", ""),
        "query": urlencode({"q": query["q"]}) if query.get("q") else "",
    })  # fmt: skip


@login_required
@require_POST
def attendance_mark(request, pk):
    """Mark one invited school present (present=1) or undo a mistaken mark (present=0); back to the
    same search and page of the sheet, at the school's row."""
    invitation = policy.get_staff_invitation(request.user, pk)
    query = _attendance_query(request.POST)
    back = (reverse("programme:staff_attendance", args=[invitation.activity_id]) + (f"?{urlencode(query)}" if query else "")
            + f"#invitation-{invitation.pk}")  # fmt: skip
    present = request.POST.get("present")
    if present not in ("0", "1"):
        messages.error(request, "请点按“签到”或“撤销签到”。")
        return redirect(back)
    try:
        attendance.attendance_mark(invitation=invitation, actor=request.user, present=present == "1")
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        name = invitation.experiment_school.school.name
        messages.success(request, f"{name}已签到。" if present == "1" else f"已撤销{name}的签到。")
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def attendance_import(request, pk):
    """An online activity's list of the schools that took part, pasted or uploaded (XLSX, CSV):
    those found are marked present; names of no invited school are listed, never guessed."""
    activity = policy.get_staff_activity(request.user, pk)
    if request.method == "GET":
        return render(request, "programme/staff/attendance_import.html", {"activity": activity, "form": AttendanceImportForm()})
    form = AttendanceImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "programme/staff/attendance_import.html", {"activity": activity, "form": form}, status=400)
    try:
        result = attendance.attendance_import(activity=activity, actor=request.user, school_names=form.cleaned_data["school_names"])
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect("programme:staff_activity", activity.pk)
    return render(request, "programme/staff/attendance_import.html",
                  {"activity": activity, "form": AttendanceImportForm(), "result": result})  # fmt: skip


@login_required
@require_POST
def activity_close(request, pk):
    """Close the activity (after its end, every leave request decided): each invited school that
    neither attended nor had leave accepted gets an absence; the exit rule runs (七.7)."""
    activity = policy.get_staff_activity(request.user, pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, "请先勾选“已核对签到和请假情况”，再关闭活动。")
        return redirect("programme:staff_activity", activity.pk)
    try:
        report = attendance.activity_close(activity=activity, actor=request.user)
    except WorkflowError as error:
        messages.error(request, f"未能关闭：{error}")
    else:
        text = f"活动已关闭：参加 {report.attended} 所，请假 {report.excused} 所，缺席 {report.absent} 所。"
        if activity.counts_for_attendance:
            text += f"首次缺席已提醒 {report.warned} 所；连续两次缺席进入退出审核 {report.queued} 所。"
        messages.success(request, text)
    return redirect("programme:staff_activity", activity.pk)


def mask_mobile(mobile: str) -> str:
    """138****5678: the 签到表 lies open at the venue, where every attendee reads it."""
    return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) >= 11 else mobile


def signin_rows(invitations) -> list[dict]:
    """The 签到表's lines: each registered person; a school invited without a 回执 gets one empty
    line to fill in at the venue; schools whose leave was accepted are left out."""
    rows = []
    for invitation in invitations:
        if invitation.leave_accepted:
            continue
        people = list(invitation.attendees.all())
        school = invitation.experiment_school.school
        for person in people or [None]:
            rows.append({"province": school.province.name, "school": school.name, "name": person.name if person else "",
                         "title": person.title if person else "", "mobile": mask_mobile(person.mobile) if person else ""})  # fmt: skip
    return rows


@login_required
@require_safe
def signin_sheet(request, pk):
    """The printable 签到表 (PDF): the registered names, 职务 and masked mobiles, a column to sign."""
    activity = policy.get_staff_activity(request.user, pk)
    invitations = list(activity_invitations(activity))
    pdf = render_pdf("programme/staff/pdf/signin_sheet.html", {
        "activity": activity, "rows": signin_rows(invitations), "generated_at": timezone.localtime(),
        "excused": [i.experiment_school.school.name for i in invitations if i.leave_accepted],
    })  # fmt: skip
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"签到表-{activity.title}.pdf")
    return response


REGISTRATION_COLUMNS = ("省份", "学校名称", "回执", "姓名", "职务", "手机", "请假事由", "请假审核", "审核意见", "签到", "签到方式",
                        "签到时间", "结果")  # fmt: skip


def _when(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def registration_cells(invitations) -> list[tuple]:
    """One line per registered person (a school without one: one line), with the school's answer,
    leave, attendance and outcome."""
    rows = []
    for invitation in invitations:
        school = invitation.experiment_school.school
        leave = invitation.reply == Invitation.Reply.LEAVE
        common = (invitation.leave_reason, invitation.get_leave_decision_display() if leave else "", invitation.leave_decision_note,
                  "是" if invitation.attended else "否", invitation.get_attendance_source_display() if invitation.attended else "",
                  _when(invitation.attended_at), invitation.get_outcome_display() if invitation.outcome else "")  # fmt: skip
        for person in list(invitation.attendees.all()) or [None]:
            rows.append((school.province.name, school.name, invitation.get_reply_display(), person.name if person else "",
                         person.title if person else "", person.mobile if person else "", *common))  # fmt: skip
    return rows


@login_required
@require_safe
def registrations_xlsx(request, pk):
    """XLSX of the activity's registrations and attendance (full mobiles: the project group's copy)."""
    activity = policy.get_staff_activity(request.user, pk)
    data = table_xlsx(title=f"{activity.title} 参会回执与签到", header=REGISTRATION_COLUMNS,
                      subtitle=f"{activity.get_kind_display()}，{_when(activity.starts_at)} 至 {_when(activity.ends_at)}（北京时间）",
                      rows=registration_cells(activity_invitations(activity)),
                      widths=(10, 30, 8, 10, 14, 14, 30, 12, 24, 6, 14, 16, 12), sheet_name="回执与签到")  # fmt: skip
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"回执与签到-{activity.title}.xlsx")
    return response


@login_required
@require_safe
def venue(request, pk):
    """Shown at the venue: the check-in code large and its QR code (the school's check-in page
    with the code filled in)."""
    activity = policy.get_staff_activity(request.user, pk)
    url = checkin_url(request, activity)
    code = activity.checkin_code
    return render(request, "programme/staff/venue.html", {
        "activity": activity, "url": url, "qr": mark_safe(qr_svg(url)),  # our own SVG of our own URL: paths only
        "code_groups": f"{code[:4]} {code[4:]}", "window": attendance.checkin_window_problem(activity, timezone.now()),
    })  # fmt: skip


# ---- 七.7: the exit queue and the requests to leave ----------------------------------------------------


def _queue_page(request, *, bound=None, status=200):
    """The queue; `bound` is (review id, form) of a decision sent back with its errors."""
    reviews, blank = list(exit_queue()), {}
    for review in reviews:
        review.absences = [review.first_absence, review.second_absence]
        review.confirm_form_html = blank_form_html(blank, ExitConfirmForm, review.pk, ids="id_confirm_")
        review.waive_form_html = blank_form_html(blank, ExitWaiveForm, review.pk, ids="id_waive_")
        if bound and bound[0] == review.pk:
            setattr(review, f"{bound[1]}_html", as_crispy_form(bound[2]))
    return render(request, "programme/staff/exits.html", {"reviews": reviews, "withdrawals": list(withdrawal_queue())}, status=status)


@login_required
@require_safe
def exit_queue_page(request):
    """The 实验校 absent twice in a row (七.7), each with the two activities, to confirm or waive;
    and the requests to leave, to acknowledge."""
    policy.require_project_staff(request.user)
    return _queue_page(request)


def _exit_decision(request, review, *, form_class, form_name: str, decide, done: str):
    """One decision of the queue: its form from the POST, the service on its cleaned reason; a
    form sent back with its errors (400), else back to the queue with the outcome as a message."""
    form = form_class(request.POST, auto_id=f"id_{form_name}_{review.pk}_%s")
    if not form.is_valid():
        return _queue_page(request, bound=(review.pk, f"{form_name}_form", form), status=400)
    try:
        decide(review=review, actor=request.user, reason=form.cleaned_data["reason"])
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done.format(school=review.experiment_school.school.name))
    return redirect("programme:staff_exits")


@login_required
@require_POST
def exit_confirm(request, pk):
    """Confirm 视为退出 (the box ticked; a note optional): the school is told."""
    review = policy.get_staff_exit_review(request.user, pk)
    return _exit_decision(request, review, form_class=ExitConfirmForm, form_name="confirm", decide=exits.exit_review_confirm,
                          done="已确认{school}视为退出，并已通知学校。")  # fmt: skip


@login_required
@require_POST
def exit_waive(request, pk):
    """Waive, with the reason the school reads: it stays 实验中 and its count starts again."""
    review = policy.get_staff_exit_review(request.user, pk)
    return _exit_decision(request, review, form_class=ExitWaiveForm, form_name="waive", decide=exits.exit_review_waive,
                          done="{school}不作退出处理，已通知学校。")  # fmt: skip


@login_required
@require_safe
def withdrawal_letter(request, pk):
    """The signed letter of a request to leave, through the protected-file helper (as the scans)."""
    withdrawal = policy.get_staff_withdrawal_request(request.user, pk)
    if not withdrawal.letter:
        raise Http404("该退出申请没有附申请函")
    suffix = {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png"}.get(withdrawal.letter_kind, "")
    return protected_file_response(withdrawal.letter, content_type=withdrawal.letter_content_type,
                                   filename=f"退出申请函-{withdrawal.experiment_school.school.name}{suffix}", attachment=False)  # fmt: skip


@login_required
@require_POST
def withdrawal_acknowledge(request, pk):
    """Acknowledge a request to leave (the box ticked): the school is 已退出（自愿）."""
    withdrawal = policy.get_staff_withdrawal_request(request.user, pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, "请勾选确认后再提交。")
        return redirect("programme:staff_exits")
    try:
        exits.withdrawal_acknowledge(request=withdrawal, actor=request.user)
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"已确认{withdrawal.experiment_school.school.name}退出项目实施，并已通知学校。")
    return redirect("programme:staff_exits")


# ---- 实验周期 of each batch ---------------------------------------------------------------------------


def _cycles_page(request, *, bound: tuple | None = None, status: int = 200):
    """Every published batch with its 实验周期 (start, end), its 实验校 by status and how many are
    past their three years and still 实验中; a form to move the start on each (`bound`: the batch
    id and form of a POST sent back with its errors)."""
    today = timezone.localdate()
    batches = list(
        Batch.objects.filter(published_at__isnull=False).order_by("-published_at").annotate(
            active=Count("experiment_schools", filter=Q(experiment_schools__status=ExperimentStatus.ACTIVE)),
            due=Count("experiment_schools", filter=Q(experiment_schools__status=ExperimentStatus.ACTIVE,
                                                     experiment_schools__cycle_ends_on__lt=today)),
            left=Count("experiment_schools", filter=Q(experiment_schools__status__in=(ExperimentStatus.WITHDRAWN, ExperimentStatus.DEEMED_WITHDRAWN))),
            completed=Count("experiment_schools", filter=Q(experiment_schools__status=ExperimentStatus.COMPLETED)),
            total=Count("experiment_schools"),
        )
    )  # fmt: skip
    for batch in batches:
        batch.starts_on = cycle_start(batch)
        batch.ends_on = cycle_end(batch.starts_on)
        if bound and bound[0] == batch.pk:
            batch.move_form = bound[1]
        else:
            batch.move_form = CycleMoveForm(initial={"starts_on": batch.starts_on}, auto_id=f"id_cycle_{batch.pk}_%s")
    return render(request, "programme/staff/cycles.html", {"batches": batches, "today": today}, status=status)


@login_required
@require_safe
def cycles(request):
    """The 实验周期 of each published batch: when it runs, its 实验校 by status, moving it, and
    completing the 实验校 whose three years are over."""
    policy.require_project_staff(request.user)
    return _cycles_page(request)


@login_required
@require_POST
def cycle_move_view(request, batch_id):
    """Move a batch's 实验周期 (a new first day and the reason): the page again with the errors
    next to the fields (400), else back with how many 实验校 moved."""
    batch = policy.get_staff_published_batch(request.user, batch_id)
    form = CycleMoveForm(request.POST, auto_id=f"id_cycle_{batch.pk}_%s")
    if form.is_valid():
        try:
            moved = cycle_move(batch=batch, starts_on=form.cleaned_data["starts_on"], actor=request.user, reason=form.cleaned_data["reason"])
        except WorkflowError as error:
            form.add_error("starts_on" if error.code != "reason_missing" else "reason", str(error))
        else:
            messages.success(request, f"{batch.short_name}实验周期已调整为自 {form.cleaned_data['starts_on']:%Y年%m月%d日} 起三年，{moved} 所实验校已更新。")
            return redirect("programme:staff_cycles")
    return _cycles_page(request, bound=(batch.pk, form), status=400)


@login_required
@require_POST
def cycle_complete(request, batch_id):
    """已结项 for the batch's 实验校 whose three years are over (the box ticked); the same as the
    daily manage.py complete_experiment_cycles, for staff who need it at once."""
    batch = policy.get_staff_published_batch(request.user, batch_id)
    if request.POST.get("confirm") != "yes":
        messages.error(request, "请勾选确认后再提交。")
        return redirect("programme:staff_cycles")
    completed = experiment_schools_complete_due(actor=request.user, batch=batch)
    messages.success(request, f"{batch.short_name}：{completed} 所实验校三年实验周期期满，已结项。" if completed
                     else f"{batch.short_name}：没有期满待结项的实验校。")  # fmt: skip
    return redirect("programme:staff_cycles")
