"""The 年度工作报告's pages: the 实验校's (its reports by year, the report's form with autosave,
photos and attachments, submission), the reviewers' (read, comment, accept or return; the
project group's list, due dates, expert assignment and totals; an expert's list) and the PDF.

Views stay thin: access on the first line (portal.policy), then a service (programme.reports) or
a selector (programme.report_selectors), then a page.
"""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from applications.models import Batch
from applications.workflow import WorkflowError
from portal import policy
from portal.autosave_body import autosave_data
from portal.charts import Bar, Segment, bar_chart
from portal.pdf import render_pdf
from portal.protected import protected_file_response
from portal.validators import parsed_id
from programme import reports
from programme.models import ReachedGroup
from programme.report_forms import AssignForm, AttachmentForm, CommentForm, DeadlinesForm, DecisionForm, ReportForm, StaffFilterForm
from programme.report_selectors import (
    reached_totals, report_rows_with_parts, report_with_parts, reports_due_for, reports_for_expert, reports_for_staff,
)
from review.documents import table_xlsx

STAFF_PAGE_SIZE = 50  # as the review's lists


# ---- The 实验校's pages ---------------------------------------------------------------------------


@login_required
@require_safe
def report_school_list(request):
    """The school's reports, one row a begun cycle year: due date, state, the comments."""
    experiment_school = policy.get_experiment_school_for_school(request.user)
    return render(request, "programme/reports/school_list.html", {
        "experiment_school": experiment_school, "reports_due": reports_due_for(experiment_school),
        "may_write": experiment_school.status in reports.WRITING_STATUSES,
    })  # fmt: skip


@login_required
@require_POST
def report_start(request, year):
    experiment_school = policy.get_experiment_school_for_school(request.user)
    try:
        report = reports.report_start(experiment_school=experiment_school, year=year, actor=request.user)
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect("programme:report_school_list")
    return redirect("programme:report_edit", report.pk)


def _work_rows(report):
    """The report's work rows, in step with the school's projects as they are now."""
    return reports.sync_project_rows(report)


def _edit_page(request, report, form, *, status=200, conflict=None, upload_form=None):
    """The report's form page: each field with its error, and with what submission still misses
    when the school asked (?check=1, after a refused submission)."""
    report = report_with_parts(report)
    check = reports.check_report(report)
    show_missing = request.GET.get("check") == "1"

    def with_missing(fields):
        return [(field, check.missing.get(field.name) if show_missing else None) for field in fields]

    return render(request, "programme/reports/edit.html", {
        "report": report, "form": form, "check": check, "show_missing": show_missing, "conflict": conflict,
        "work_fields": with_missing(form.work_fields()), "number_fields": with_missing(form.number_fields()),
        "other_note": with_missing([form["reached_other_note"]])[0], "text_fields": with_missing(form.text_fields()),
        "upload_form": upload_form or AttachmentForm(), "due_at": reports.due_at_for(report.experiment_school, report.year),
        "max_chars": reports.TEXT_MAX_CHARS,
    }, status=status)  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request, pk):
    """The report's form. A save stores everything typed (complete or not); a field that cannot be
    stored (a negative number, a text over its cap) is told next to it and the whole page keeps
    what was typed; a save over a later one is refused and the typed text stays on screen."""
    report = policy.get_own_report(request.user, pk)
    if not report.is_editable or report.experiment_school.status not in reports.WRITING_STATUSES:
        messages.info(request, f"报告当前状态为“{report.get_state_display()}”，不能修改。")
        return redirect(report)
    rows = _work_rows(report)
    if request.method == "GET":
        return _edit_page(request, report, ReportForm(instance=report, work_rows=rows))
    form = ReportForm(request.POST, instance=report, work_rows=rows)
    if not form.is_valid():
        messages.error(request, "未保存：有几项内容无法保存（见标红处），您填写的内容仍在页面上，请修改后再保存。")
        return _edit_page(request, report, form, status=400)
    try:
        saved = reports.report_save_draft(report=report, values=form.values(), work=form.work(), actor=request.user,
                                          expected_revision=form.cleaned_data.get("revision"))  # fmt: skip
    except reports.ReportConflict as conflict:
        # Keep everything this person typed on screen; the next save (after comparing with the
        # saved version) is made against the current revision and goes through.
        data = request.POST.copy()
        data["revision"] = conflict.current_revision
        return _edit_page(request, report, ReportForm(data, instance=report, work_rows=rows), status=409, conflict=conflict)
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect(report)
    if "submit" in request.POST:
        return _submit(request, saved)
    messages.success(request, f"草稿已保存（{timezone.localtime():%H:%M:%S}）。")
    return redirect("programme:report_edit", saved.pk)


@login_required
@require_POST
def report_autosave(request, pk):
    """The same checks and save as the page's 保存草稿, answered in JSON for static/js/autosave.js."""
    report = policy.get_own_report(request.user, pk)
    form = ReportForm(autosave_data(request), instance=report, work_rows=list(report.project_work.all()))
    if not form.is_valid():
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        return JsonResponse({"saved": False, "errors": errors, "message": "有内容无法保存，请点“保存草稿”查看标红处。"}, status=400)
    try:
        saved = reports.report_save_draft(report=report, values=form.values(), work=form.work(), actor=request.user,
                                          expected_revision=form.cleaned_data.get("revision"))  # fmt: skip
    except reports.ReportConflict as conflict:
        return JsonResponse({"saved": False, "conflict": True, "message": str(conflict)}, status=409)
    except WorkflowError as error:
        return JsonResponse({"saved": False, "message": str(error)}, status=409)
    return JsonResponse({"saved": True, "saved_at": timezone.localtime().strftime("%H:%M"), "revision": saved.revision})


def _submit(request, report):
    try:
        reports.report_submit(report=report, actor=request.user)
    except WorkflowError as error:
        if error.code == "incomplete":
            messages.error(request, "报告还不完整，不能提交。缺少的内容已在下面标出。")
            return redirect(reverse("programme:report_edit", args=[report.pk]) + "?check=1")
        messages.error(request, str(error))
        return redirect(report)
    messages.success(request, "报告已提交项目组。")
    return redirect(report)


@login_required
@require_POST
def report_submit(request, pk):
    report = policy.get_own_report(request.user, pk)
    return _submit(request, report)


@login_required
@require_POST
def report_attachment_upload(request, pk):
    report = policy.get_own_report(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            reports.report_attachment_add(report=report, kind=form.cleaned_data["kind"], uploaded_file=form.cleaned_data["file"],
                                          caption=form.cleaned_data["caption"], actor=request.user)  # fmt: skip
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except WorkflowError as error:
            messages.error(request, str(error))
            return redirect(report)
        else:
            messages.success(request, "文件已上传。")
            return redirect(reverse("programme:report_edit", args=[report.pk]) + "#attachments")
    return _edit_page(request, report, ReportForm(instance=report, work_rows=_work_rows(report)), status=400, upload_form=form)


@login_required
@require_POST
def report_attachment_delete(request, pk, attachment_id):
    report = policy.get_own_report(request.user, pk)
    attachment = get_object_or_404(report.attachments.all(), pk=attachment_id)
    if request.POST.get("confirm") != "1":  # the page's button says so; a bare POST deletes nothing
        messages.error(request, "未删除：请在报告页面点“删除”。")
        return redirect(reverse("programme:report_edit", args=[report.pk]) + "#attachments")
    try:
        reports.report_attachment_remove(attachment=attachment, actor=request.user)
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect(report)
    messages.success(request, f"已删除“{attachment.original_name}”。")
    return redirect(reverse("programme:report_edit", args=[report.pk]) + "#attachments")


@login_required
@require_safe
def report_attachment_download(request, pk, attachment_id):
    attachment, report = policy.get_visible_report_attachment(request.user, pk, attachment_id)
    suffix = {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png"}[attachment.file_kind]
    name = f"第{report.year}年度工作报告-{attachment.get_kind_display()}-{attachment.pk}{suffix}"
    return protected_file_response(attachment.file, content_type=attachment.content_type, filename=name, attachment=attachment.file_kind == "pdf")


# ---- Reading and reviewing ----------------------------------------------------------------------------


def _detail_page(request, report, *, comment_form=None, decision_form=None, status=200):
    user = request.user
    report = report_with_parts(report)
    reviewer = policy.is_report_reviewer(user, report)
    context = {
        "report": report, "is_reviewer": reviewer, "is_staff": policy.is_project_staff(user),
        "is_owner": policy.is_school(user) and user.school_id == report.experiment_school.school_id,
        "due_at": reports.due_at_for(report.experiment_school, report.year),
        "actions": reports.allowed_actions(report),
    }
    if reviewer:
        context["comment_form"] = comment_form or CommentForm()
        context["decision_form"] = decision_form or DecisionForm()
    if context["is_staff"]:
        context["assign_form"] = AssignForm(initial={"reports": [report.pk]})
    return render(request, "programme/reports/detail.html", context, status=status)


@login_required
@require_safe
def report_detail(request, pk):
    report = policy.get_visible_report(request.user, pk)
    return _detail_page(request, report)


@login_required
@require_POST
def report_comment(request, pk):
    report = policy.get_reviewable_report(request.user, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            reports.report_comment(report=report, actor=request.user, body=form.cleaned_data["body"])
        except WorkflowError as error:
            messages.error(request, str(error))
            return redirect(report)
        messages.success(request, "指导意见已发送，学校可在报告页面查看。")
        return redirect(report)
    return _detail_page(request, report, comment_form=form, status=400)


@login_required
@require_POST
def report_decide(request, pk):
    report = policy.get_reviewable_report(request.user, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["action"] == "accept":
                reports.report_accept(report=report, actor=request.user)
                messages.success(request, "报告已通过，学校已收到通知。")
            else:
                reports.report_return(report=report, actor=request.user, reason=form.cleaned_data["reason"])
                messages.success(request, "报告已退回修改，学校已收到通知。")
        except WorkflowError as error:
            messages.error(request, str(error))
        return redirect(report)
    return _detail_page(request, report, decision_form=form, status=400)


@login_required
@require_safe
def report_pdf(request, pk):
    report = report_with_parts(policy.get_visible_report(request.user, pk))
    pdf = render_pdf("programme/reports/pdf/report.html", {
        "report": report, "due_at": reports.due_at_for(report.experiment_school, report.year), "printed_at": timezone.now(),
    })  # fmt: skip
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"{report.experiment_school.school.name}-第{report.year}年度工作报告.pdf"
    response["Content-Disposition"] = content_disposition_header(bool(request.GET.get("download")), filename)
    return response


@login_required
@require_safe
def report_expert_list(request):
    policy.require_expert(request.user)
    return render(request, "programme/reports/expert_list.html", {"reports": reports_for_expert(request.user)})


# ---- The project group's pages --------------------------------------------------------------------------


def _report_batches():
    return list(Batch.objects.annotate(n=Count("experiment_schools")).filter(n__gt=0).order_by("-year", "-pk"))


def _report_batch(request, batches):
    """The batch the page is about: ?batch=<id> of a batch with 实验校, else the latest such batch
    (also for junk in ?batch: answered as an id no batch has, tests/test_query_parameters.py)."""
    pk = parsed_id(request.GET.get("batch") or request.POST.get("batch"))
    found = [b for b in batches if b.pk == pk] if pk is not None else []
    if found:
        return found[0]
    # The staff tabs carry the batch of the page they are on, often an open batch without 实验校
    # yet: the reports' pages show the latest batch that has them.
    if not batches:
        raise Http404("还没有实验校")
    return batches[0]


@login_required
@require_safe
def report_staff_list(request):
    """Every 实验校 and begun cycle year of a batch, with its report's state, due date, reviewers."""
    policy.require_project_staff(request.user)
    batches = _report_batches()
    batch = _report_batch(request, batches)
    filters = StaffFilterForm(request.GET or None)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    rows = reports_for_staff(batch=batch, year=cleaned.get("year"), state=cleaned.get("state") or "", province=cleaned.get("province"))
    page = Paginator(rows, STAFF_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = report_rows_with_parts(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "programme/reports/staff_list.html", {
        "batch": batch, "batches": batches, "filters": filters, "page": page, "total": len(rows), "query": query.urlencode(),
        "assign_form": AssignForm(),
    })  # fmt: skip


@login_required
@require_POST
def report_assign(request):
    """Assign one expert to the ticked reports (from the list) or to one report (from its page)."""
    policy.require_project_staff(request.user)
    form = AssignForm(request.POST)
    back = request.POST.get("next", "")
    back = back if back.startswith("/programme/reports/") else reverse("programme:report_staff_list")
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, "；".join(errors))
        return redirect(back)
    try:
        added = reports.report_reviewers_assign(reports=form.cleaned_data["reports"], expert=form.cleaned_data["expert"], actor=request.user)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect(back)
    expert = form.cleaned_data["expert"]
    messages.success(request, f"已指派 {expert.get_full_name() or expert.username} 审阅 {added} 份报告" + ("。" if added else "（均已指派过）。"))
    return redirect(back)


@login_required
@require_POST
def report_reviewer_remove(request, reviewer_id):
    reviewer = policy.get_staff_report_reviewer(request.user, reviewer_id)
    if request.POST.get("confirm") != "1":  # the page's button says so; a bare POST removes no one
        messages.error(request, "未取消：请在报告页面点“取消”。")
        return redirect(reviewer.report)
    reports.report_reviewer_remove(reviewer=reviewer, actor=request.user)
    messages.success(request, f"已取消 {reviewer.expert.get_full_name() or reviewer.expert.username} 对该报告的审阅。")
    return redirect(reviewer.report)


@login_required
@require_http_methods(["GET", "POST"])
def report_deadlines(request):
    """The due dates of a batch's reports, one per cycle year (a year left blank keeps its date)."""
    policy.require_project_staff(request.user)
    batches = _report_batches()
    batch = _report_batch(request, batches)
    set_dates = {d.year: timezone.localtime(d.due_at) for d in batch.report_deadlines.all()}
    form = DeadlinesForm(request.POST if request.method == "POST" else None, current=set_dates)
    if request.method == "POST" and form.is_valid():
        changed = 0
        for year in (1, 2, 3):
            due_at = form.cleaned_data[f"year_{year}"]
            if due_at is not None and due_at != set_dates.get(year):
                reports.report_deadline_set(batch=batch, year=year, due_at=due_at, actor=request.user)
                changed += 1
        messages.success(request, f"已保存 {changed} 个年度的截止时间。" if changed else "截止时间没有变化。")
        return redirect(f"{reverse('programme:report_deadlines')}?batch={batch.pk}")
    sample = batch.experiment_schools.order_by("pk").first()
    rows = [(form[f"year_{year}"], set_dates.get(year), reports.default_due_at(sample, year) if sample else None) for year in (1, 2, 3)]
    return render(request, "programme/reports/deadlines.html", {
        "batch": batch, "batches": batches, "form": form, "rows": rows, "reminder_days": settings.REMINDER_DAYS_BEFORE,
        "cycle_starts_on": sample.cycle_starts_on if sample else None,
    }, status=400 if form.is_bound else 200)  # fmt: skip


GROUP_COLOURS = ("fill-primary", "fill-success", "fill-warning", "fill-danger", "fill-info", "fill-dark", "fill-muted")
TOTAL_TABLES = {
    "group": "各类人群服务人数",
    "province": "各省份服务人数",
    "category": "各项目类别服务人数",
    "year": "各年度服务人数",
}


def _totals_batch(request, batches):
    return None if request.GET.get("batch", "") in ("", "all") else _report_batch(request, batches)


def _group_chart(title, rows):
    legend = [(label, css) for (_v, label), css in zip(ReachedGroup.choices, GROUP_COLOURS)]
    bars = [Bar(label, [Segment(group, n, css) for (group, css), n in zip(legend, numbers)]) for label, numbers in rows]
    return bar_chart(title, bars, legend=legend)


def _charts(totals):
    by_group = bar_chart(TOTAL_TABLES["group"], [Bar(label, [Segment("人数", n, "fill-primary")]) for label, n in totals.by_group])
    return {
        "group": by_group,
        "province": _group_chart(TOTAL_TABLES["province"], totals.by_province),
        "category": _group_chart(TOTAL_TABLES["category"], totals.by_category),
        "year": _group_chart(TOTAL_TABLES["year"], totals.by_year),
    }


@login_required
@require_safe
def report_totals(request):
    """People reached across the programme (accepted reports) as charts, each with its table."""
    policy.require_project_staff(request.user)
    batches = _report_batches()
    batch = _totals_batch(request, batches)
    totals = reached_totals(batch=batch)
    return render(request, "programme/reports/totals.html", {
        "batch": batch or (batches[0] if batches else None), "selected_batch": batch, "batches": batches, "totals": totals,
        "charts": _charts(totals), "tables": TOTAL_TABLES,
    })  # fmt: skip


def total_rows(totals, table: str) -> tuple[list[str], list[list]]:
    """The header and rows of one totals table, as the page's tables and the XLSX show them."""
    groups = [label for _v, label in ReachedGroup.choices]
    if table == "group":
        return ["人群", "人数"], [[label, n] for label, n in totals.by_group] + [["合计", totals.total]]
    source = {"province": totals.by_province, "category": totals.by_category, "year": totals.by_year}[table]
    first = {"province": "省份", "category": "具体实施项目", "year": "年度"}[table]
    return [first, *groups, "合计"], [[label, *numbers, sum(numbers)] for label, numbers in source]


@login_required
@require_safe
def report_totals_xlsx(request, table):
    policy.require_project_staff(request.user)
    if table not in TOTAL_TABLES:
        raise Http404
    batches = _report_batches()
    batch = _totals_batch(request, batches)
    totals = reached_totals(batch=batch)
    header, rows = total_rows(totals, table)
    scope = batch.short_name if batch else "全部批次"
    content = table_xlsx(
        title=f"年度工作报告 · {TOTAL_TABLES[table]}（{scope}）",
        subtitle=f"统计已通过的年度工作报告 {totals.reports} 份；导出时间 {timezone.localtime():%Y-%m-%d %H:%M}"
                 + ("；一所实验校有两个项目时，其人数计入两个项目类别" if table == "category" else ""),
        header=header, rows=rows, widths=(24,) + (12,) * (len(header) - 1), sheet_name=TOTAL_TABLES[table],
    )  # fmt: skip
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition_header(True, f"年度工作报告-{TOTAL_TABLES[table]}-{scope}.xlsx")
    return response

